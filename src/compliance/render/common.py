"""What several renderers share: words in both languages, counts, escaping."""

from __future__ import annotations

import re
from typing import Any

from ..findings import CheckRun


def counts(run: CheckRun) -> dict[str, Any]:
    failed = [f for f in run.findings() if f.outcome == "failed"]
    out = run.summary()
    for sev in ("error", "warning", "info"):
        out[sev] = sum(1 for f in failed if f.severity == sev)
    return out


# Characters plan text may hold but no report shows as they are: C0 and C1 controls
# (ESC starts terminal sequences; CR and LF fake lines and Markdown blocks), DEL, the
# Unicode line and paragraph separators, the bidirectional overrides ("Trojan
# source"), lone surrogates, and the XML-invalid noncharacters U+FFFE and U+FFFF.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Control and invisible-direction characters shown as ``\\x1b``, ``\\u202e``: plan text
    is data, so it never starts a line, moves the cursor or reorders what a reader sees."""
    return _UNSAFE.sub(_escape, text)


_CI_COMMAND = ("::", "##")  # GitHub Actions (::error::), Azure Pipelines and TeamCity (##vso[, ##teamcity[)


def line_start(text: str) -> str:
    """Text that begins a line of a log: visible, and never a CI runner's command."""
    text = visible(text)
    return _escape_first(text) if text.startswith(_CI_COMMAND) else text


def _escape_first(text: str) -> str:
    return f"\\x{ord(text[0]):02x}" + text[1:]


_MD = re.compile(r"([\\`*_\[\]|~])")
_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def escape_md(text: str) -> str:
    """Plan text for a Markdown cell, heading or list item: data, never markup.

    Controls are shown escaped (a bare CR starts a line in CommonMark); HTML and
    Markdown syntax is escaped; ``@mention`` and autolinks (``https://…``,
    ``www.…``, ``a@b.se``) are broken with a zero-width space so a comment neither
    pings nor links.
    """
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD.sub(r"\\\1", text).replace("@", "@\u200b")
    return _AUTOLINK.sub(lambda m: m.group()[:-1] + "\u200b" + m.group()[-1], text)


def code_md(text: str) -> str:
    """Text for inside a Markdown code span (in a table cell): no mention or link is made there."""
    return visible(text).replace("`", "'").replace("|", "\\|")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text an XML 1.0 parser accepts: the characters XML forbids shown escaped."""
    return _XML_INVALID.sub(_escape, text)
