"""``--format text``: for a person at a terminal, grouped by plan.

Plan text and file names are shown with control characters escaped
(:func:`~compliance.render.common.visible`): an ESC sequence cannot clear the
screen and a CR or LF cannot fake a line (``::error::``, a "0 fel" summary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..findings import CheckRun, PlanResult
from ..i18n import words
from .common import line_start
from .common import visible as v


def _write_result(result: PlanResult, run: CheckRun, w: dict[str, str], write: Callable[[str], Any]) -> None:
    """One plan's lines, a finding at a time (a large plan's report is never one string)."""
    write(f"{line_start(result.file)}  ({v(result.plan)}, {v(result.agreement)}, {w['as_of']} {run.as_of})\n")
    for note in result.notes:
        write(f"  {w['note'].upper()}: {v(note)}\n")
    if not result.findings:
        write(f"  {w['clean_text']}\n")
    for f in result.findings:
        label = w[f.severity] if f.outcome == "failed" else w[f.outcome]
        lines = [f"  {label.upper():<10} {f.rule}  {v(f.location.where())}  {v(f.title)}",
                 f"             {v(f.message)}"]
        if f.waiver:
            lines.append(f"             ({w['waived']}: {v(f.waiver['reason'])}; {v(f.waiver['reference'])})")
        if f.baselined:
            lines.append(f"             ({w['baseline']})")
        write("\n".join(lines) + "\n")
    write("\n")


def stream(run: CheckRun, results: Iterable[PlanResult], write: Callable[[str], Any]) -> None:
    w = words(run.lang)
    for result in results:
        _write_result(result, run, w, write)
    lines: list[str] = []
    for issue in run.errors:
        lines.append(f"{w['input_error'].upper()}: {v(issue.one_line(run.lang))}")
    for issue in run.warnings:
        lines.append(f"{w['warning'].upper()}: {v(issue.one_line(run.lang))}")
    if run.errors or run.warnings:
        lines.append("")
    lines.append(summary_line(run))
    write("\n".join(lines) + "\n")


def summary_line(run: CheckRun) -> str:
    """The closing line of the text report; also printed on standard error when the
    report goes to a file, so a CI log shows the counts of the one run that wrote it."""
    w = words(run.lang)
    s = run.summary()
    by_severity = run.counts().by_severity
    return (
        f"{w['summary']}: {s['plans']} {w['plans']}, {by_severity['error']} {w['errors_n']}, "
        f"{by_severity['warning']} {w['warnings_n']}, {by_severity['info']} {w['infos_n']}, "
        f"{s['not_evaluated']} {w['ne_n']}, {s['waived']} {w['waived']}, {s['errors']} {w['input_errors']}"
    )
