"""compliance: checks regional grant plans against the conditions of Swedish state grant agreements."""

__version__ = "0.1.0"
