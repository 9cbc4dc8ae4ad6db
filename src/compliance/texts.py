"""Small data types that rule files, agreement packs and the fact builder share:
a citation of a source document (:class:`Source`), and the bilingual text
(:class:`~compliance.i18n.Text`, still imported as ``Lang`` from here) that
:mod:`compliance.i18n` defines.

They live apart from :mod:`compliance.packs` so that :mod:`compliance.rules`
need not import the pack loader, which imports it (no ``packs ↔ rules`` cycle).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .i18n import Lang as Lang  # i18n.Text under its old name
from .i18n import Text as Text
from .i18n import say as say


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    document: str
    section: str
    quote: str | None = None

    def cite(self) -> str:
        return f"{self.document} {self.section}"
