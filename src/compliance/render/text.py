"""``--format text``: for a person at a terminal, grouped by plan."""

from __future__ import annotations

from ..findings import CheckRun
from ..packs import RuleBook

_WORDS = {
    "sv": {
        "failed": "fel", "not-evaluated": "ej bedömd", "waived": "dispens",
        "error": "fel", "warning": "varning", "info": "info",
        "clean": "inga fynd", "summary": "Sammanfattning", "plans": "planer",
        "errors": "indatafel", "as_of": "bedömt per",
    },
    "en": {
        "failed": "failed", "not-evaluated": "not evaluated", "waived": "waived",
        "error": "error", "warning": "warning", "info": "info",
        "clean": "no findings", "summary": "Summary", "plans": "plans",
        "errors": "input errors", "as_of": "as of",
    },
}


def render(run: CheckRun, book: RuleBook) -> str:
    w = _WORDS["en" if run.lang == "en" else "sv"]
    lines: list[str] = []
    for result in run.results:
        lines.append(f"{result.file}  ({result.plan}, {result.agreement}, {w['as_of']} {run.as_of})")
        if not result.findings:
            lines.append(f"  {w['clean']}")
        for f in result.findings:
            label = w[f.severity] if f.outcome == "failed" else w[f.outcome]
            lines.append(f"  {label.upper():<10} {f.rule}  {f.location.file}:{f.location.line}  {f.title}")
            lines.append(f"             {f.message}")
        lines.append("")
    for issue in run.errors:
        lines.append(f"{w['errors'].upper()}: {issue.one_line()}")
    if run.errors:
        lines.append("")
    s = run.summary()
    lines.append(
        f"{w['summary']}: {s['plans']} {w['plans']}, {s['failed']} {w['failed']}, "
        f"{s['not_evaluated']} {w['not-evaluated']}, {s['waived']} {w['waived']}, "
        f"{s['errors']} {w['errors']}"
    )
    return "\n".join(lines) + "\n"
