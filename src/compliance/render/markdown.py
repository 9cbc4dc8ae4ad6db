"""``--format markdown``: for pull-request comments."""

from __future__ import annotations

from ..findings import CheckRun
from ..i18n import words
from .common import code_md, counts, escape_md
from .table import markdown_row, markdown_rule, markdown_table


def render(run: CheckRun) -> str:
    w = words(run.lang)
    c = counts(run)
    out = [
        f"## {w['title']} ({w['as_of']} {run.as_of})",
        "",
        *markdown_table(
            [w["plans"], w["errors_n"], w["warnings_n"], w["infos_n"], w["ne_n"], w["waived"], w["input_errors"]],
            [[str(c[k]) for k in ("plans", "error", "warning", "info", "not_evaluated", "waived", "errors")]],
            "rrrrrrr",
        ),
        "",
    ]
    for result in run.results:
        out.append(f"### {escape_md(result.plan)} ({escape_md(result.agreement)}) — `{code_md(result.file)}`")
        out.append("")
        for note in result.notes:
            out += [f"> {escape_md(note)}", ""]
        if not result.findings:
            out += [w["clean"], ""]
            continue
        out.append(f"| | {w['rule']} | {w['where']} | {w['message']} | {w['source']} |")  # no heading over icons
        out.append(markdown_rule("lllll"))
        for f in result.findings:
            icon = {"failed": {"error": "❌", "warning": "⚠️", "info": "ℹ️"}[f.severity],
                    "not-evaluated": "❔", "waived": "🛈"}[f.outcome]
            label = w[f.severity] if f.outcome == "failed" else w[f.outcome]
            if f.baselined:
                label += f" ({w['baseline']})"
            src = "; ".join(f"{s.document} {s.section}" for s in f.sources)
            out.append(markdown_row([f"{icon} {label}", f.rule, f"`{code_md(f.location.where())}`",
                                     escape_md(f.message), escape_md(src)]))
        out.append("")
    if run.warnings:
        out += [f"### ⚠️ {w['waivers']}", ""]
        out += [f"- `{code_md(issue.one_line(run.lang))}`" for issue in run.warnings]
        out.append("")
    if run.errors:
        out += [f"### {w['input_errors']}", ""]
        out += [f"- `{code_md(issue.one_line(run.lang))}`" for issue in run.errors]
        out.append("")
    return "\n".join(out)
