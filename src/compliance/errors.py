"""Input errors: what cannot be read, named by file, line, column and field.

An input error is never a finding: findings are about a plan that could be read.
The CLI turns every :class:`InputError` into one line per issue and exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import overload

from .i18n import Text, say


@dataclass(frozen=True)
class Issue:
    """One thing wrong with one input file, said in Swedish and English."""

    file: str
    line: int | None
    column: int | None
    says: Text
    field: str | None = None
    cell: str | None = None  # a workbook's sheet and cell (``Aktiviteter!C12``); then line is the cell's row

    @property
    def message(self) -> str:
        """The English text (what library code and tests match on)."""
        return self.says.en

    def where(self) -> str:
        """``plan.yaml:10:9``, or ``plan.xlsx:Aktiviteter!C12`` for a workbook."""
        if self.cell is not None:
            return f"{self.file}:{self.cell}"
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def text(self, lang: str = "en") -> str:
        return self.says.get(lang)

    def one_line(self, lang: str = "en") -> str:
        what = f"{self.field}: " if self.field else ""
        return f"{self.where()}: {what}{self.text(lang)}"

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        out: dict[str, object] = {"file": self.file, "line": self.line, "column": self.column}
        if self.cell is not None:
            out["cell"] = self.cell
        if self.field:
            out["field"] = self.field
        out["message"] = self.text(lang)
        return out


@dataclass
class InputError(Exception):
    """One or more issues that make an input file unusable."""

    issues: list[Issue] = field(default_factory=list)

    # Every issue is said in both languages: a Text, or the English with its Swedish as ``sv``
    # (required then: mypy refuses a str message without it, and tests/test_i18n.py scans for one).
    @overload
    @classmethod
    def at(
        cls, file: str, message: Text, line: int | None = None, column: int | None = None,
        field: str | None = None, *, cell: str | None = None,
    ) -> InputError: ...

    @overload
    @classmethod
    def at(
        cls, file: str, message: str, line: int | None = None, column: int | None = None,
        field: str | None = None, *, sv: str, cell: str | None = None,
    ) -> InputError: ...

    @classmethod
    def at(
        cls,
        file: str,
        message: str | Text,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        *,
        sv: str | None = None,
        cell: str | None = None,
    ) -> InputError:
        """One issue: ``message`` a :class:`Text`, or its English with the Swedish as ``sv``."""
        says = message if isinstance(message, Text) else say(message if sv is None else sv, message)
        return cls([Issue(file, line, column, says, field, cell)])

    def __str__(self) -> str:
        return "\n".join(issue.one_line() for issue in self.issues)
