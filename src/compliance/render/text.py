"""``--format text``: for a person at a terminal, grouped by plan."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..findings import CheckRun, PlanResult
from ..packs import RuleBook
from .common import WORDS as _WORDS


def _result(result: PlanResult, run: CheckRun, w: dict[str, str]) -> list[str]:
    lines = [f"{result.file}  ({result.plan}, {result.agreement}, {w['as_of']} {run.as_of})"]
    if not result.findings:
        lines.append(f"  {w['clean_text']}")
    for f in result.findings:
        label = w[f.severity] if f.outcome == "failed" else w[f.outcome]
        lines.append(f"  {label.upper():<10} {f.rule}  {f.location.where()}  {f.title}")
        lines.append(f"             {f.message}")
        if f.waiver:
            lines.append(f"             ({w['waived']}: {f.waiver['reason']}; {f.waiver['reference']})")
        if f.baselined:
            lines.append("             (baseline)")
    lines.append("")
    return lines


def stream(run: CheckRun, results: Iterable[PlanResult], book: RuleBook, write: Callable[[str], Any]) -> None:
    w = _WORDS["en" if run.lang == "en" else "sv"]
    for result in results:
        write("\n".join(_result(result, run, w)) + "\n")
    lines: list[str] = []
    for issue in run.errors:
        lines.append(f"{w['input_error'].upper()}: {issue.one_line(run.lang)}")
    for issue in run.warnings:
        lines.append(f"{w['warning'].upper()}: {issue.one_line(run.lang)}")
    if run.errors or run.warnings:
        lines.append("")
    s = run.summary()
    by_severity = run.counts().by_severity
    lines.append(
        f"{w['summary']}: {s['plans']} {w['plans']}, {by_severity['error']} {w['errors_n']}, "
        f"{by_severity['warning']} {w['warnings_n']}, {by_severity['info']} {w['infos_n']}, "
        f"{s['not_evaluated']} {w['ne_n']}, {s['waived']} {w['waived']}, {s['errors']} {w['input_errors']}"
    )
    write("\n".join(lines) + "\n")
