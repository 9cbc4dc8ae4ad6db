"""Renderers: one file per output format behind one small interface.

A renderer is a function ``render(run: CheckRun, book: RuleBook) -> str``
registered under its format name. Adding a format is one new module that
calls :func:`register`.
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


def get(name: str) -> Renderer:
    """The renderer for a format name; imported only when asked for."""
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    renderer: Renderer = module.render
    return renderer


StreamRenderer = Callable[["CheckRun", Iterable["PlanResult"], "RuleBook", Callable[[str], Any]], None]


def can_stream(name: str) -> bool:
    """Formats whose layout lets each plan be written as it is checked (summary last)."""
    return name in ("json", "text")


def get_stream(name: str) -> StreamRenderer:
    module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
    stream: StreamRenderer = module.stream
    return stream
