"""``--format json``: the shape of shared/docs/cli-contract.md, byte-stable."""

from __future__ import annotations

import json
from typing import Any

from ..findings import CheckRun
from ..packs import RuleBook


def document(run: CheckRun) -> dict[str, Any]:
    return {
        "as_of": run.as_of.isoformat(),
        "results": [r.as_dict() for r in run.results],
        "errors": [e.as_dict() for e in run.errors],
        "warnings": [w.as_dict() for w in run.warnings],
        "summary": run.summary(),
    }


def render(run: CheckRun, book: RuleBook) -> str:
    return json.dumps(document(run), ensure_ascii=False, indent=2) + "\n"
