"""``--format sarif``: SARIF 2.1.0, so code scanning shows findings on the plan's line.

One run; every rule that applied is in ``tool.driver.rules`` with its help text
and sources; a failed finding is a result with a level from its severity; a
not-evaluated finding is ``kind: open``, ``level: none``; a waived finding keeps
its result and gets an external suppression with the waiver's reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..errors import Issue
from ..findings import CheckRun, Finding, PlanResult, RuleInfo

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def uri(file: str) -> str:
    """A file as a SARIF ``uri``: relative and percent-encoded (RFC 3986: spaces, ``%``, ``#``,
    ``?``, non-ASCII), or a ``file:`` URI for a file named by an absolute path outside the
    current folder."""
    path = file.replace("\\", "/")
    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    return quote(path, safe="/")


def _rule(rule: RuleInfo) -> dict[str, Any]:
    sources = "; ".join(f"{s.document} {s.section}" + (f": «{s.quote}»" if s.quote else "") for s in rule.sources)
    help_text = f"{rule.title}. {sources}"
    return {
        "id": rule.id,
        "name": rule.id.replace("-", ""),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": f"**{rule.title}**\n\n{sources}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "severity": rule.severity,
            "sources": [
                {"document": s.document, "section": s.section, **({"quote": s.quote} if s.quote else {})}
                for s in rule.sources
            ],
        },
    }


def _region(line: int, cell: str | None) -> dict[str, Any]:
    """A workbook is a binary file: code scanning can show none of its lines, so a
    finding in one is put on line 1 and its cell leads the message (which code
    scanning shows on every alert), is the location's message, and is kept in
    ``properties.cell``."""
    return {"startLine": 1 if cell is not None else line}


def _result(f: Finding, index: int, baseline_used: bool = False) -> dict[str, Any]:
    cell = f.location.cell
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "kind": "open" if f.outcome == "not-evaluated" else "fail",
        "level": "none" if f.outcome == "not-evaluated" else LEVELS[f.severity],
        "message": {"text": f"{cell}: {f.message}" if cell is not None else f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(f.location.file)},
                    "region": _region(f.location.line, cell),
                },
                "logicalLocations": [{"fullyQualifiedName": f.location.path or "plan"}],
            }
        ],
        "partialFingerprints": {"complianceFinding/v1": f"{f.rule}:{f.location.path}"},
        "properties": {"outcome": f.outcome, "values": f.json_values()},
    }
    if cell is not None:
        out["properties"]["cell"] = cell
        out["locations"][0]["message"] = {"text": cell}  # the location's own description (SARIF §3.28.5)
    if f.outcome == "waived" and f.waiver is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f.waiver.get("reason", "")}]
    if f.baselined:
        out["baselineState"] = "unchanged"
    elif baseline_used and f.outcome == "failed":
        out["baselineState"] = "new"  # compared with a baseline, and not in it
    return out


def _notification(issue: Issue, level: str, lang: str) -> dict[str, Any]:
    """An input error or a waiver warning: about a file, not a rule's finding."""
    return {
        "level": level,
        "message": {"text": f"{issue.cell}: {issue.text(lang)}" if issue.cell else issue.text(lang)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri(issue.file)},
            "region": _region(issue.line or 1, issue.cell),
        }}],
    }


def _note(file: str, text: str) -> dict[str, Any]:
    """What a reader must know about a whole plan's check (no regional conditions)."""
    return {"level": "note", "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(file)}, "region": {"startLine": 1}}}]}


def _head(run: CheckRun, applied: list[str], kept: list[PlanResult]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "compliance",
                        "version": __version__,
                        "informationUri": "https://github.com/compliance/compliance",
                        "rules": [_rule(run.legend.rules[rid]) for rid in applied],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [],
                "invocations": [
                    {
                        "executionSuccessful": not run.errors,
                        "toolExecutionNotifications": [_notification(i, "error", run.lang) for i in run.errors]
                        + [_notification(i, "warning", run.lang) for i in run.warnings]
                        + [_note(r.file, note) for r in kept for note in r.notes],
                    }
                ],
            }
        ],
    }


def stream(run: CheckRun, results: Iterable[PlanResult], write: Callable[[str], Any]) -> None:
    """The document, with the results written one per line as they are encoded.

    ``tool.driver.rules`` lists the rules that applied and ``ruleIndex`` points
    into it, so the results are gathered first; but the document is never built
    whole, as data or as one string (a plan with 180 000 findings took 2 GB that way).
    """
    kept = list(results)
    applied = sorted({rid for r in kept for rid in r.rules_applied})
    index = {rid: i for i, rid in enumerate(applied)}
    head = json.dumps(_head(run, applied, kept), ensure_ascii=False, indent=2)
    before, after = head.split('"results": []', 1)
    write(before + '"results": [')
    first = True
    for r in kept:
        for f in r.findings:
            if f.rule in index:
                line = json.dumps(_result(f, index[f.rule], run.baseline_used), ensure_ascii=False)
                write(("\n" if first else ",\n") + "        " + line)
                first = False
    write(("]" if first else "\n      ]") + after + "\n")
