"""Tables as every report, command and generated page writes them: Markdown or plain text.

The cells are text already escaped for where they go (:func:`~.common.escape_md` for
plan text in Markdown); these functions only lay them out. ``align`` has a letter per
column: ``l`` left, ``r`` right (amounts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_rule(align: str) -> str:
    """The line under a Markdown table's header: ``|---|---:|``."""
    return "|" + "".join("---:|" if a == "r" else "---|" for a in align)


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None) -> list[str]:
    """The lines of a Markdown table (every column left-aligned unless ``align`` says otherwise)."""
    return [markdown_row(head), markdown_rule(align or "l" * len(head)), *(markdown_row(row) for row in rows)]


def text_table(head: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    """The lines of a table for a terminal: each column as wide as its widest cell, two
    spaces between columns, and no spaces at the end of a line."""
    lines = [head, *rows]
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return [
        "  ".join(cell.rjust(width) if a == "r" else cell.ljust(width)
                  for cell, width, a in zip(row, widths, align, strict=True)).rstrip()
        for row in lines
    ]
