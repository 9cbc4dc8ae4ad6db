"""Small data types that rule files, agreement packs and the fact builder share:
a text in Swedish and English (:class:`Lang`, :func:`say`) and a citation of a
source document (:class:`Source`).

They live apart from :mod:`compliance.packs` so that :mod:`compliance.rules`
need not import the pack loader, which imports it (no ``packs ↔ rules`` cycle).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lang(_Model):
    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


def say(sv: str, en: str) -> Lang:
    """A reason in both languages, for messages the code writes itself."""
    return Lang(sv=sv, en=en)


class Source(_Model):
    document: str
    section: str
    quote: str | None = None

    def cite(self) -> str:
        return f"{self.document} {self.section}"
