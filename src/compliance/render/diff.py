"""``compliance diff``: the reallocation table between two versions of a plan (text, JSON, Markdown).

Activity ids, file names and messages are plan text: shown with controls escaped,
and in Markdown escaped as data, as the check's reports show them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..amounts import format_kr
from ..i18n import words
from .common import escape_md, line_start, visible
from .table import markdown_table, text_table

if TYPE_CHECKING:
    from ..revisions import Diff

HEAD = ("area / activity", "before", "after", "change", "forbidden")  # catalog words (i18n.WORDS)
ALIGN = "lrrrl"


def render_diff(d: Diff, fmt: str, lang: str = "sv") -> str:
    if fmt == "json":
        return json.dumps(d.as_dict(), ensure_ascii=False, indent=2) + "\n"
    w = words(lang)
    head = [w[name] for name in HEAD]
    markdown = fmt == "markdown"
    text = escape_md if markdown else visible
    body = []
    for r in d.rows:
        indent = "↳ " if markdown else "  "
        label = text(r.area) if r.activity is None else f"{indent}{text(r.activity)}"
        change = ("+" if r.change > 0 else "") + format_kr(r.change, lang) if r.change else "0"
        body.append([label, format_kr(r.before, lang), format_kr(r.after, lang), change, ", ".join(r.forbidden)])
    if markdown:
        out = [f"### {escape_md(d.old)} → {escape_md(d.new)}", "", *markdown_table(head, body, ALIGN)]
        if d.messages:
            out += [""] + [f"- {escape_md(m)}" for m in d.messages]
        return "\n".join(out) + "\n"
    out = [f"{line_start(d.old)} → {visible(d.new)}", "", *text_table(head, body, ALIGN)]
    if d.messages:
        out += [""] + [line_start(m) for m in d.messages]
    return "\n".join(out) + "\n"
