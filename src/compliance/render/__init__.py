"""Renderers: one file per output format behind one small interface.

A format's module defines ``render(run, book) -> str``, or, where its layout
lets each plan be written as it is checked (summary last),
``stream(run, results, book, write)``, from which :func:`get` builds the
former. Adding a format is one new module and one line in the tables below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..findings import CheckRun, PlanResult
    from ..packs import RuleBook

Renderer = Callable[["CheckRun", "RuleBook"], str]

FORMATS = ("text", "json", "html", "markdown", "junit", "sarif")
_MODULES = {"text": "text", "json": "json_", "html": "html", "markdown": "markdown",
            "junit": "junit", "sarif": "sarif"}
EXTENSIONS = {"text": "txt", "json": "json", "html": "html", "markdown": "md",
              "junit": "xml", "sarif": "sarif"}


StreamRenderer = Callable[["CheckRun", Iterable["PlanResult"], "RuleBook", Callable[[str], Any]], None]


def _module(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{_MODULES[name]}")  # imported only when asked for


def can_stream(name: str) -> bool:
    return hasattr(_module(name), "stream")


def get_stream(name: str) -> StreamRenderer:
    stream: StreamRenderer = _module(name).stream
    return stream


def get(name: str) -> Renderer:
    """The renderer for a format name."""
    module = _module(name)
    if hasattr(module, "render"):
        renderer: Renderer = module.render
        return renderer
    stream = get_stream(name)

    def render(run: CheckRun, book: RuleBook) -> str:
        chunks: list[str] = []
        stream(run, run.results, book, chunks.append)
        return "".join(chunks)

    return render
