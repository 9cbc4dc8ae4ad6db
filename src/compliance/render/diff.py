"""``compliance diff``: the reallocation table between two versions of a plan (text, JSON, Markdown)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..amounts import format_kr
from .table import markdown_table, text_table

if TYPE_CHECKING:
    from ..revisions import Diff

HEAD = {"sv": ["område / aktivitet", "före", "efter", "förändring", "otillåten"],
        "en": ["area / activity", "before", "after", "change", "forbidden"]}
ALIGN = "lrrrl"


def render_diff(d: Diff, fmt: str, lang: str = "sv") -> str:
    if fmt == "json":
        return json.dumps(d.as_dict(), ensure_ascii=False, indent=2) + "\n"
    head = HEAD["sv" if lang == "sv" else "en"]
    body = []
    for r in d.rows:
        indent = "↳ " if fmt == "markdown" else "  "
        label = r.area if r.activity is None else f"{indent}{r.activity}"
        change = ("+" if r.change > 0 else "") + format_kr(r.change, lang) if r.change else "0"
        body.append([label, format_kr(r.before, lang), format_kr(r.after, lang), change, ", ".join(r.forbidden)])
    title = f"{d.old} → {d.new}"
    if fmt == "markdown":
        out = [f"### {title}", "", *markdown_table(head, body, ALIGN)]
        if d.messages:
            out += [""] + [f"- {m}" for m in d.messages]
        return "\n".join(out) + "\n"
    out = [title, "", *text_table(head, body, ALIGN)]
    if d.messages:
        out += [""] + d.messages
    return "\n".join(out) + "\n"
