"""A citation of a source document (:class:`Source`), which rule files, agreement
packs and the fact builder share.

They live apart from :mod:`compliance.packs` so that :mod:`compliance.rules`
need not import the pack loader, which imports it (no ``packs ↔ rules`` cycle).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    document: str
    section: str
    quote: str | None = None

    def cite(self) -> str:
        return f"{self.document} {self.section}"
