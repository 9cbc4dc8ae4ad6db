"""What several renderers share: words in both languages, counts, escaping."""

from __future__ import annotations

import re

from ..findings import CheckRun

WORDS = {
    "sv": {
        "title": "Granskning av planer mot God och nära vård", "as_of": "bedömt per", "note": "obs",
        "failed": "fel", "not-evaluated": "ej bedömd", "waived": "dispens",
        "error": "fel", "warning": "varning", "info": "info",
        "clean": "Inga fynd.", "clean_text": "inga fynd", "summary": "Sammanfattning", "plans": "planer",
        "errors_n": "fel", "warnings_n": "varningar", "infos_n": "info", "ne_n": "ej bedömda",
        "input_errors": "indatafel", "input_error": "indatafel",
        "rule": "regel", "where": "plats", "message": "meddelande",
        "source": "källa", "area": "område", "planned": "planerat", "allocation": "tilldelning",
        "overview": "Översikt planer × regler", "plan": "plan", "values": "värden",
        "no_area": "hela planen",
    },
    "en": {
        "title": "Plans checked against God och nära vård", "as_of": "as of", "note": "note",
        "failed": "failed", "not-evaluated": "not evaluated", "waived": "waived",
        "error": "error", "warning": "warning", "info": "info",
        "clean": "No findings.", "clean_text": "no findings", "summary": "Summary", "plans": "plans",
        "errors_n": "errors", "warnings_n": "warnings", "infos_n": "info", "ne_n": "not evaluated",
        "input_errors": "input errors", "input_error": "input error",
        "rule": "rule", "where": "where", "message": "message",
        "source": "source", "area": "area", "planned": "planned", "allocation": "allocation",
        "overview": "Overview plans × rules", "plan": "plan", "values": "values",
        "no_area": "the whole plan",
    },
}


def counts(run: CheckRun) -> dict[str, int]:
    failed = [f for f in run.findings() if f.outcome == "failed"]
    out = run.summary()
    for sev in ("error", "warning", "info"):
        out[sev] = sum(1 for f in failed if f.severity == sev)
    return out


_MD = re.compile(r"([\\`*_\[\]|])")


def escape_md(text: str) -> str:
    """Escape Markdown and HTML-significant characters; `&` too, so nothing renders as markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD.sub(r"\\\1", text).replace("\n", " ")


def code_md(text: str) -> str:
    """Text for inside a Markdown code span (in a table cell)."""
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")
