"""Renderers: one file per output format behind one small interface, and the one list of formats.

A format's module defines ``render(run) -> str``, or, where its layout lets each
plan be written as it is checked (summary last), ``stream(run, results, write)``,
from which :func:`get` builds the former. A renderer takes the run alone: what it
shows of the rule book (rule titles, severities and sources, area names) travels
with the run as its :class:`~compliance.findings.Legend`.

:data:`REGISTRY` is the one list of formats: the CLI's ``--format`` choices, the
``--output`` extensions (``r.sarif``, the bare ``--output html``), the web page's
downloads and media types all come from it. Adding a format is one new module
and one entry there.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..findings import CheckRun, PlanResult


@dataclass(frozen=True)
class Format:
    name: str  # --format NAME
    module: str  # compliance.render.<module>
    extension: str  # the file it writes: --output FILE.<extension> chooses it, --output NAME writes compliance.<it>
    media_type: str  # the web's Content-Type
    streams: bool  # written plan by plan as plans are checked (the module's ``stream``), else whole (``render``)
    also: tuple[str, ...] = ()  # other extensions of --output that choose it
    download: int | None = None  # its place among the web page's download buttons (None: not offered)


REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("text", "text", "txt", "text/plain; charset=utf-8", True, also=("text", "")),
    Format("json", "json_", "json", "application/json", True, download=3),
    Format("html", "html", "html", "text/html; charset=utf-8", False, download=1),
    Format("markdown", "markdown", "md", "text/markdown; charset=utf-8", False, download=2),
    Format("junit", "junit", "xml", "application/xml", False, download=4),
    Format("sarif", "sarif", "sarif", "application/sarif+json", True, download=5),
)}

FORMATS = tuple(REGISTRY)  # the names, in the order the CLI lists them
EXTENSIONS = {f.name: f.extension for f in REGISTRY.values()}
MEDIA_TYPES = {f.name: f.media_type for f in REGISTRY.values()}
DOWNLOADS = tuple(f.name for f in sorted(REGISTRY.values(), key=lambda f: f.download or 0) if f.download)


def by_extension(extension: str) -> str | None:
    """The format an ``--output`` file's extension (without its dot, lower case) chooses, if any."""
    for f in REGISTRY.values():
        if extension == f.extension or extension in f.also:
            return f.name
    return None


Renderer = Callable[["CheckRun"], str]
StreamRenderer = Callable[["CheckRun", Iterable["PlanResult"], Callable[[str], Any]], None]


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{REGISTRY[name].module}")  # imported only when asked for


def can_stream(name: str) -> bool:
    return REGISTRY[name].streams


def get_stream(name: str) -> StreamRenderer:
    stream: StreamRenderer = _module(name).stream
    return stream


def get(name: str) -> Renderer:
    """The renderer for a format name."""
    if not can_stream(name):
        renderer: Renderer = _module(name).render
        return renderer
    stream = get_stream(name)

    def render(run: CheckRun) -> str:
        chunks: list[str] = []
        stream(run, run.results, chunks.append)
        return "".join(chunks)

    return render
