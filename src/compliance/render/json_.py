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


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _list(items: list[str], indent: str) -> str:
    if not items:
        return "[]"
    return "[\n" + ",\n".join(indent + "  " + item for item in items) + "\n" + indent + "]"


def _write_result(r: PlanResult, write: Callable[[str], Any]) -> None:
    """One plan's object, a finding at a time: a plan with 180 000 findings is never one string."""
    notes = f'"notes": {_dump(r.notes)}, ' if r.notes else ""
    write(f'{{"file": {_dump(r.file)}, "plan": {_dump(r.plan)}, "agreement": {_dump(r.agreement)}, {notes}"findings": ')
    if not r.findings:
        write("[]}")
        return
    write("[")
    for n, f in enumerate(r.findings):
        write(("\n" if n == 0 else ",\n") + "      " + _dump(f.as_dict()))
    write("\n    ]}")


def stream(run: CheckRun, results: Iterable[PlanResult], write: Callable[[str], Any]) -> None:
    """Write the document as results arrive; errors, warnings and summary come last."""
    write(f'{{\n  "as_of": {_dump(run.as_of.isoformat())},\n  "results": [')
    first = True
    for r in results:
        write(("\n" if first else ",\n") + "    ")
        _write_result(r, write)
        first = False
    write("]" if first else "\n  ]")
    write(f',\n  "errors": {_list([_dump(e.as_dict(run.lang)) for e in run.errors], "  ")}')
    write(f',\n  "warnings": {_list([_dump(w.as_dict(run.lang)) for w in run.warnings], "  ")}')
    write(f',\n  "summary": {_dump(run.summary())}\n}}\n')
