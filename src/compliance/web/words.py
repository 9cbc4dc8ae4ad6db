"""The web page's own words, in Swedish (the default) and English: kept in the one
catalog, :mod:`compliance.i18n`, beside the report words."""

from __future__ import annotations

from ..i18n import UI as UI
