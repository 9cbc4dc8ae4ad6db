"""A run's :class:`~compliance.findings.Legend`: the rule book's names a report shows, as plain data.

Filled where a :class:`~compliance.findings.CheckRun` is made, so the renderers take
the run alone (like conftest's ``Outputter``) and never the rule book.
"""

from __future__ import annotations

from .findings import Legend, RuleInfo, SourceRef
from .packs import RuleBook


def legend(book: RuleBook, lang: str) -> Legend:
    """Every rule's title, severity and sources and every agreement's area names, in ``lang``."""
    rules = {
        rule.id: RuleInfo(rule.id, rule.severity, rule.title.get(lang),
                          tuple(SourceRef(s.document, s.section, s.quote) for s in rule.source))
        for rule in book.rules
    }
    areas = {pid: {code: spec.name.get(lang) for code, spec in pack.areas.items()}
             for pid, pack in book.agreements.items()}
    return Legend(rules, areas)
