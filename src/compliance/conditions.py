"""The condition language of rule files: small, declarative, never executed.

A condition is a clause or a nesting of ``all:`` / ``any:`` lists of clauses.
A clause is one comparison written as text and parsed here into a tree;
nothing in a rule file is ever evaluated as Python.

Clauses (``f`` is a field of the fact the rule reads)::

    f > g            f >= 5          f == 'nara-vard'     f != true
    f < pack.targets.named_gp_share                     # a figure of the agreement pack
    f is missing     f is present
    f is not true    f is not false                     # absent counts as "not stated true/false"
    f in ['private', 'mixed']        f not in pack.area_codes
    f not in pack.purposes[area]     # the pack's list for this fact's ``area``

A missing field satisfies no comparison (``f == false`` does not hold on an
absent ``f``, nor does ``f != true``): say absence explicitly, with ``is missing``,
or ``is not true`` (holds when ``f`` is absent or false: "not stated true") and
``is not false`` (absent or true).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .i18n import BilingualError, say

OPERATORS = (">", ">=", "<", "<=", "==", "!=")  # a comparison's ``op``, as written in a rule file


class ConditionError(BilingualError):
    """A condition that does not parse or refers to something unknown (said in both languages)."""


@dataclass(frozen=True)
class FieldRef:
    name: str


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class PackRef:
    path: tuple[str, ...]
    key: str | None = None  # ``pack.purposes[area]``: look up by this fact field

    def text(self) -> str:
        return "pack." + ".".join(self.path) + (f"[{self.key}]" if self.key else "")


Operand = FieldRef | Const | PackRef


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    operand: Operand


@dataclass(frozen=True)
class Exists:
    field: str
    present: bool


@dataclass(frozen=True)
class IsNot:
    """``f is not true`` / ``f is not false``: ``f`` is absent, or the other truth value."""

    field: str
    value: bool


@dataclass(frozen=True)
class Member:
    field: str
    negate: bool
    items: Const | PackRef  # Const holds a tuple


@dataclass(frozen=True)
class All:
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Cond, ...]


Cond = Compare | Exists | IsNot | Member | All | AnyOf

_NAME = r"[a-z_][a-z0-9_]*"
_PACK = r"pack(?:\.[a-z0-9_-]+)+(?:\[" + _NAME + r"\])?"
_LITERAL = r"'[^']*'|\"[^\"]*\"|-?\d+|true|false|null|\d{4}-\d{2}-\d{2}"
_RE_EXISTS = re.compile(rf"^({_NAME})\s+is\s+(missing|present)$")
_RE_IS_NOT = re.compile(rf"^({_NAME})\s+is\s+not\s+(true|false)$")
_RE_MEMBER = re.compile(rf"^({_NAME})\s+(not\s+in|in)\s+(\[.*\]|{_PACK})$")
_OP = "|".join(re.escape(op) for op in sorted(OPERATORS, key=len, reverse=True))  # >= before >
_RE_COMPARE = re.compile(rf"^({_NAME})\s*({_OP})\s*({_PACK}|{_LITERAL}|{_NAME})$")


def _literal(text: str) -> Any:
    if text[:1] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    return int(text)


def _pack(text: str) -> PackRef:
    key = None
    if text.endswith("]"):
        text, key = text[:-1].split("[")
    return PackRef(tuple(text.split(".")[1:]), key)


def parse_clause(text: str) -> Cond:
    clause = " ".join(text.split())
    if m := _RE_EXISTS.match(clause):
        return Exists(m.group(1), m.group(2) == "present")
    if m := _RE_IS_NOT.match(clause):
        return IsNot(m.group(1), m.group(2) == "true")
    if m := _RE_MEMBER.match(clause):
        field, neg, items = m.group(1), m.group(2) != "in", m.group(3)
        if items.startswith("["):
            parts = [p.strip() for p in items[1:-1].split(",") if p.strip()]
            for part in parts:
                if not re.fullmatch(_LITERAL, part):
                    raise ConditionError(say(f"{part!r} i {clause!r} är inget litteralt värde",
                                             f"{part!r} in {clause!r} is not a literal value"))
            return Member(field, neg, Const(tuple(_literal(p) for p in parts)))
        return Member(field, neg, _pack(items))
    if m := _RE_COMPARE.match(clause):
        field, op, right = m.group(1), m.group(2), m.group(3)
        operand: Operand
        if right.startswith("pack."):
            operand = _pack(right)
        elif re.fullmatch(_LITERAL, right):
            operand = Const(_literal(right))
        else:
            operand = FieldRef(right)
        return Compare(field, op, operand)
    raise ConditionError(say(
        f"villkoret {text!r} går inte att läsa; skriv t.ex. 'planned > allocation', "
        "'responsible is missing' eller \"provider in ['private', 'mixed']\"",
        f"cannot read the clause {text!r}; write e.g. 'planned > allocation', "
        "'responsible is missing' or \"provider in ['private', 'mixed']\"",
    ))


def parse(spec: Any) -> Cond:
    """Parse the ``when:`` / ``applies_when:`` value of a rule file."""
    if isinstance(spec, str):
        return parse_clause(spec)
    if isinstance(spec, list):
        return All(tuple(parse(s) for s in spec))
    if isinstance(spec, dict) and len(spec) == 1:
        (key, items), = spec.items()
        if key in ("all", "any") and isinstance(items, list) and items:
            parsed = tuple(parse(s) for s in items)
            return All(parsed) if key == "all" else AnyOf(parsed)
    raise ConditionError(say(
        f"ett villkor är en sats, en lista av satser, eller {{all: [...]}} / {{any: [...]}}; fick {spec!r}",
        f"a condition is a clause, a list of clauses, or {{all: [...]}} / {{any: [...]}}; got {spec!r}",
    ))


def fields(cond: Cond) -> set[str]:
    """Every fact field a condition reads."""
    if isinstance(cond, All | AnyOf):
        out: set[str] = set()
        for item in cond.items:
            out |= fields(item)
        return out
    names = {cond.field}
    if isinstance(cond, Compare) and isinstance(cond.operand, FieldRef):
        names.add(cond.operand.name)
    if isinstance(cond, Compare | Member):
        ref = cond.operand if isinstance(cond, Compare) else cond.items
        if isinstance(ref, PackRef) and ref.key:
            names.add(ref.key)
    return names


def pack_refs(cond: Cond) -> list[PackRef]:
    if isinstance(cond, All | AnyOf):
        return [ref for item in cond.items for ref in pack_refs(item)]
    if isinstance(cond, Compare) and isinstance(cond.operand, PackRef):
        return [cond.operand]
    if isinstance(cond, Member) and isinstance(cond.items, PackRef):
        return [cond.items]
    return []


class Missing(Exception):
    """A pack figure a condition needs is unknown (null) in the pack."""

    def __init__(self, ref: str, reason: Any) -> None:
        super().__init__(ref)
        self.ref = ref
        self.reason = reason


def figure(namespace: dict[str, Any], path: tuple[str, ...], ref: str) -> Any:
    """The value at ``path`` in a pack namespace, ``None`` where the pack does not know it:
    the one resolver of ``pack.…`` names, for conditions and messages alike. A name the
    namespace does not have is a :class:`ConditionError` (a rule-pack error at load)."""
    current: Any = namespace
    for part in path:
        if not isinstance(current, dict) or part not in current:
            raise ConditionError(say(f"{ref}: paketet har ingen siffra {part!r}",
                                     f"{ref}: the pack has no figure {part!r}"))
        current = current[part]
    return current


def lookup(namespace: dict[str, Any], path: tuple[str, ...], ref: str) -> Any:
    """Find ``path`` in a pack namespace; raise :class:`Missing` for an unknown figure."""
    current = figure(namespace, path, ref)
    if current is None:
        raise Missing(ref, namespace.get("_missing", {}).get(".".join(path)))
    return current
