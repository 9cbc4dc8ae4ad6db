"""``--format json``: the shape of shared/docs/cli-contract.md, byte-stable.

Laid out one finding per line: readable diffs in CI, and every finding encoded
by the json module's C encoder (``indent=`` would fall back to its pure-Python
encoder, which profiling showed to be the largest cost of a big batch).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..findings import CheckRun, PlanResult
from ..packs import RuleBook


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _list(items: list[str], indent: str) -> str:
    if not items:
        return "[]"
    return "[\n" + ",\n".join(indent + "  " + item for item in items) + "\n" + indent + "]"


def _result(r: PlanResult) -> str:
    head = f'{{"file": {_dump(r.file)}, "plan": {_dump(r.plan)}, "agreement": {_dump(r.agreement)}, '
    findings = _list([_dump(f.as_dict()) for f in r.findings], "    ")
    notes = f'"notes": {_dump(r.notes)}, ' if r.notes else ""
    return f'{head}{notes}"findings": {findings}}}'


def stream(run: CheckRun, results: Iterable[PlanResult], book: RuleBook, write: Callable[[str], Any]) -> None:
    """Write the document as results arrive; errors, warnings and summary come last."""
    write(f'{{\n  "as_of": {_dump(run.as_of.isoformat())},\n  "results": [')
    first = True
    for r in results:
        write(("\n" if first else ",\n") + "    " + _result(r))
        first = False
    write("]" if first else "\n  ]")
    write(f',\n  "errors": {_list([_dump(e.as_dict(run.lang)) for e in run.errors], "  ")}')
    write(f',\n  "warnings": {_list([_dump(w.as_dict(run.lang)) for w in run.warnings], "  ")}')
    write(f',\n  "summary": {_dump(run.summary())}\n}}\n')
