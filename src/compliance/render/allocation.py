"""``compliance allocation``: what each region and each county's municipalities receive (text, JSON, Markdown)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..i18n import words
from .table import markdown_table, text_table

if TYPE_CHECKING:
    from ..allocation import AllocationResult


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,}".replace(",", " ") if isinstance(value, int) else str(value)


def render_allocation(result: AllocationResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
    w = words(result.lang)
    out: list[str] = [f"{result.agreement}: {w[result.method]}"]  # JSON keeps the method's name: a contract
    if result.note:
        out.append(f"{w['note']}: {result.note.get(result.lang)}")
    for title, table in ((w["regions"], result.regions), (w["municipalities per county"], result.municipalities)):
        if not table:
            continue
        cols = [a for a in result.areas if any(a in row for row in table.values())]
        head = [title, *cols, w["total"]]
        rows: list[list[Any]] = [
            [name, *[row.get(c) for c in cols], sum(row.values())] for name, row in table.items()
        ]
        column_sums = [sum(row.get(c, 0) for row in table.values()) for c in cols]
        rows.append([w["total"], *column_sums, sum(column_sums)])
        cells = [[_cell(x) for x in row] for row in rows]
        align = "l" + "r" * (len(head) - 1)
        out += ["", *(markdown_table(head, cells, align) if fmt == "markdown" else text_table(head, cells, align))]
    return "\n".join(out) + "\n"
