"""Rule files: one rule each, as data.

A rule holds its stable id, severity, title and message in Swedish and
English, its sources (document, section, a short Swedish quote), the fact kind
it reads, the condition (``applies_when``: which facts it is about; ``when``:
when such a fact breaks it), the values a finding shows, and examples that
pass and fail, which the tests and ``compliance rules test`` run.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import conditions, factschema
from .amounts import format_kr
from .errors import InputError, Issue
from .hints import show, yes_no
from .i18n import BilingualError, Text, say
from .loader import Locations, PathT, format_path
from .plans import validate
from .texts import Source

Severity = Literal["error", "warning", "info"]
FACT_KINDS = tuple(factschema.KINDS)  # declared, with their fields, in factschema.py

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)(?::(kr|date|pct|list|hint|oneof))?\}")
_TEMPLATE = re.compile(r"\{\{|\}\}|" + _PLACEHOLDER.pattern)  # {{ and }} are a literal brace


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedFinding(_Model):
    outcome: Literal["failed", "not-evaluated"] = "failed"
    path: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)


class Example(_Model):
    name: str
    as_of: dt.date
    plan: dict[str, Any]
    previous: dict[str, Any] | None = None
    expect: list[ExpectedFinding] = Field(default_factory=list)


class Rule(_Model):
    id: Annotated[str, Field(pattern=r"^[A-Z]+-\d{3}$")]
    severity: Severity
    title: Text
    message: Text
    fix: Text | None = None
    source: list[Source] = Field(min_length=1)
    fact: str | list[str]
    applies_when: Any = None
    when: Any
    values: list[str] = Field(default_factory=list)
    examples: list[Example] = Field(min_length=2)
    file: str = ""

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,) if isinstance(self.fact, str) else tuple(self.fact)

    @property
    def guard(self) -> conditions.Cond | None:
        return conditions.parse(self.applies_when) if self.applies_when is not None else None

    @property
    def condition(self) -> conditions.Cond:
        return conditions.parse(self.when)

    @property
    def message_figures(self) -> list[tuple[str, ...]]:
        """The pack figures the message names, Swedish and English: ``{pack.year_start}`` → ``("year_start",)``."""
        names = (m.group(1) for text in (self.message.sv, self.message.en) for m in _TEMPLATE.finditer(text))
        return [tuple(name.split(".")[1:]) for name in dict.fromkeys(n for n in names if n and n.startswith("pack."))]

    @field_validator("fact")
    @classmethod
    def _known_kinds(cls, value: str | list[str]) -> str | list[str]:
        for kind in [value] if isinstance(value, str) else value:
            if kind not in FACT_KINDS:
                raise BilingualError(say(f"okänd faktatyp {kind!r}; en av {', '.join(FACT_KINDS)}",
                                         f"unknown fact kind {kind!r}; one of {', '.join(FACT_KINDS)}"))
        return value

    @field_validator("when", "applies_when")
    @classmethod
    def _parses(cls, value: Any) -> Any:
        if value is not None:
            try:
                conditions.parse(value)
            except conditions.ConditionError as exc:
                raise BilingualError(exc.text) from None
        return value

    @model_validator(mode="after")
    def _check(self) -> Rule:
        fails = [e for e in self.examples if any(f.outcome == "failed" for f in e.expect)]
        passes = [e for e in self.examples if not e.expect]
        if not fails or not passes:
            raise BilingualError(say("en regel behöver minst ett exempel som bryter mot den och ett som följer den",
                                     "a rule needs at least one failing and one passing example"))
        for text in (self.message.sv, self.message.en):
            for name, _ in _PLACEHOLDER.findall(text):
                if not name.startswith("pack.") and name not in self.values:
                    raise BilingualError(say(f"meddelandets platshållare {{{name}}} finns inte under values",
                                             f"message placeholder {{{name}}} is not listed in values"))
        return self


def load_rule(data: Any, locs: Locations) -> Rule:
    """Validate one rule file; every field it names must be one its fact kinds have."""
    if isinstance(data, dict):
        data = {**data, "file": locs.file}
    rule: Rule = validate(data, locs, Rule)
    issues = [Issue(locs.file, *locs.line_of(path), says, format_path(path)) for path, says in field_problems(rule)]
    if issues:
        raise InputError(issues)
    return rule


def _clauses(spec: Any, path: PathT) -> list[tuple[PathT, str]]:
    """Each clause of a (parsed, so well-formed) condition with its path in the rule file."""
    if isinstance(spec, str):
        return [(path, spec)]
    if isinstance(spec, list):
        return [c for i, item in enumerate(spec) for c in _clauses(item, (*path, i))]
    if isinstance(spec, dict):
        return [c for key, items in spec.items() for i, item in enumerate(items)
                for c in _clauses(item, (*path, key, i))]
    return []


def field_problems(rule: Rule) -> list[tuple[PathT, Text]]:
    """Every field the rule names in ``applies_when``, ``when`` and ``values`` that its fact
    kinds do not have (see :mod:`compliance.factschema`), with where and why."""
    out: list[tuple[PathT, Text]] = []
    for key, spec in (("applies_when", rule.applies_when), ("when", rule.when)):
        if spec is None:
            continue
        for path, text in _clauses(spec, (key,)):
            clause = conditions.parse_clause(text)
            for name in sorted(conditions.fields(clause)):
                problem = factschema.unknown_field(name, rule.facts, condition=True)
                if problem:
                    out.append((path, problem))
            if isinstance(clause, conditions.IsNot):
                declared = factschema.fields_of(rule.facts).get(clause.field)
                if declared is not None and declared.type != "yes/no":
                    test = f"'is not {str(clause.value).lower()}'"
                    out.append((path, say(
                        f"{clause.field!r} är {declared.type}, inte yes/no: {test} prövar ett ja/nej-fält "
                        "(skriv 'is missing' här)",
                        f"{clause.field!r} is {declared.type}, not yes/no: {test} tests a yes/no field "
                        "(say 'is missing' here)")))
    for i, name in enumerate(rule.values):
        problem = factschema.unknown_field(name, rule.facts, condition=False)
        if problem:
            out.append((("values", i), problem))
    return out


def render(text: str, values: dict[str, Any], namespace: dict[str, Any], lang: str) -> str:
    """Fill ``{name}`` / ``{name:kr}`` placeholders; no expressions, no attribute access.

    ``{pack.…}`` names a figure of the pack namespace the engine compiles conditions with
    (:meth:`compliance.engine.Engine.namespace`), found by the same resolver; the engine
    refuses a rule whose message names a figure the namespace does not have. A bilingual
    figure (a consequence) reads in ``lang``.

    Booleans read ``ja``/``nej`` (``yes``/``no``). Two formats render a clause or nothing:
    ``{suggestion:hint}`` → `` (menar du 'x'?)`` and ``{allowed_codes:oneof}`` → ``; tillåtna: a, b``
    (``did you mean``, ``allowed`` in English), empty where the fact has no such value.
    """

    def one(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name, fmt = match.group(1), match.group(2)
        if name.startswith("pack."):
            value = conditions.figure(namespace, tuple(name.split(".")[1:]), name)
            if isinstance(value, Text):
                value = value.get(lang)
        else:
            value = values.get(name)
        if fmt == "hint":
            if not value:
                return ""
            return say(f" (menar du {value!r}?)", f" (did you mean {value!r}?)").get(lang)
        if fmt == "oneof":
            if not value:
                return ""
            return say("; tillåtna: ", "; allowed: ").get(lang) + ", ".join(str(v) for v in value)
        if value is None:
            return "—"
        if isinstance(value, bool):
            return yes_no(value, lang)
        if fmt == "kr" and isinstance(value, int):
            return format_kr(value, lang)
        if fmt == "pct" and isinstance(value, int | float):
            return f"{value * 100:.1f} %".replace(".", say(",", ".").get(lang))  # the decimal sign
        if fmt == "list" and isinstance(value, list | tuple):
            return ", ".join(show(v, lang) for v in value)
        return str(value)

    return _TEMPLATE.sub(one, text)
