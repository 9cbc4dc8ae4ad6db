"""The only module that imports durable-rules.

It compiles the rules of one agreement pack into one durable-rules ruleset
(once per process), asserts a plan's facts in one batch under a fresh session
id, collects what fired, and deletes the session's state, so a batch of
thousands of plans uses the memory of one and never reaches the engine's
limit on live sessions.

Each rule becomes up to two durable rules on a single fact:

* **main**: the fact is of the rule's kind, the rule's ``applies_when`` and
  ``when`` hold, and no field the rule reads is unknown → ``failed``;
* **not evaluated**: the fact is of the rule's kind, ``applies_when`` holds,
  and a field the rule reads is unknown (the pack lacks the figure behind
  it) → ``not-evaluated``.

A rule whose condition names a pack figure that is ``null`` compiles to the
second kind only. A catch-all rule handles every other fact, since
durable-rules raises on a fact that no rule matches.

Pitfalls handled here (measured, see shared/docs/engineering.md and the
README's benchmark notes): durable-rules swallows exceptions raised in Python
actions, so there are none: matches are read from the C engine directly; each
rule has ``cap`` so one read returns every fact it matched in the plan; the
host's background dispatch threads are not started; every session's state is
deleted, even when evaluation fails.

Two evaluators run the same compiled rulesets (durable-rules' JSON ruleset
language, as :func:`Engine.compile` produces it):

* **durable-rules** (``durable``), wherever its C core installs and imports
  (CPython 3.11 and 3.12 with a compiler);
* **the built-in evaluator** (``python``) of that language, where it cannot
  (Python 3.13 and later, where its C core fails on ``PyEval_CallObject``, and
  machines without a compiler). It implements the subset this module compiles
  to, with the C engine's semantics: a missing field satisfies no comparison
  (``$neq`` included), ``$ex``/``$nex`` test presence, and mixed types compare
  as ``reduceProperties`` in durable's ``events.c`` does (booleans as 0/1
  against numbers, numbers against strings as their printed form).

``COMPLIANCE_ENGINE=durable|python`` forces one; by default durable-rules is
used when it imports. ``tests/test_engine_equivalence.py`` holds the two to
identical findings on every rule example, the example plans and generated plans.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

try:  # the C core builds only where a compiler is, and does not import on Python 3.13+
    import durable_rules_engine as _dre
    from durable import engine as _durable
except Exception as exc:  # noqa: BLE001 - ImportError, or the C core's undefined symbol
    _dre = None
    _durable = None
    DURABLE_IMPORT_ERROR: str | None = f"{type(exc).__name__}: {exc}"
else:
    DURABLE_IMPORT_ERROR = None

from . import conditions
from .errors import InputError
from .facts import Fact, check_unique
from .i18n import Text, say
from .packs import Agreement, Policy


@dataclass(frozen=True)
class Match:
    """A rule's verdict on one fact of a plan: ``failed``, or ``not-evaluated`` with the reasons
    (the pack lacks a figure the rule reads, or no source of the year states the rule).
    A failed match carries no reasons."""

    rule_id: str
    outcome: str  # "failed" or "not-evaluated"
    fact: Fact
    reasons: tuple[Text, ...] = ()


class EngineError(RuntimeError):
    """A rule action failed inside the engine: never let a broken rule pass silently."""


def _never(c: Any) -> None:  # pragma: no cover - never called, see Engine.run
    """The action durable-rules requires per rule; the engine reads matches itself."""
    raise EngineError("durable-rules called an action directly; the engine reads matches itself")


CATCH_ALL = "zz_catch_all"
_CATCH_ALL_PREFIX = '{"' + CATCH_ALL + '"'


# What is per Engine and what is process-wide. Each Engine has its compiled rulesets,
# its own durable-rules host (a directory of rulesets by name, so names need only be
# unique per Engine: measured, two hosts may each hold a ruleset of one name) and its
# own session ids. Two things are process-wide, and must be:
#
# * _LOCK: durable-rules' C core keeps every ruleset of the process in one table of
#   handles, and neither it nor a handle (which keeps the action being read between
#   calls) is known to be thread-safe. Every call into it (register, assert, drain,
#   delete) holds this one lock, whichever Engine makes it, so threads (the web page's
#   checks, one Checker per language) can share Engines; uncontended, it costs a batch
#   nothing measurable. Compiling a pack holds it too, so a pack registers once.
# * _ID_HASHES (below): a table of a pure function (fnv1a_32 of "0", "1", …), grown
#   under the lock and read by every Engine; sharing it only saves recomputing it.
#
# The built-in evaluator shares no state between plans.
_LOCK = threading.RLock()


def _quiet_host() -> Any:
    """A durable-rules host without the background dispatch timers: nothing runs behind our back."""
    assert _durable is not None

    class _QuietHost(_durable.Host):  # type: ignore[misc,name-defined]
        def _run(self) -> None:  # overriding the timer start-up
            return None

    return _QuietHost()


ENGINES = ("durable", "python")


def available_engines() -> tuple[str, ...]:
    return ENGINES if _dre is not None else ("python",)


def default_engine() -> str:
    """The evaluator used when none is named: ``COMPLIANCE_ENGINE``, else durable-rules where it imports."""
    chosen = os.environ.get("COMPLIANCE_ENGINE", "").strip().lower()
    if chosen in ("", "auto"):
        return "durable" if _dre is not None else "python"
    if chosen not in ENGINES:
        raise InputError.at("COMPLIANCE_ENGINE", f"{chosen!r} is no engine: choose durable, python or auto",
                            sv=f"{chosen!r} är ingen motor: välj durable, python eller auto")
    if chosen == "durable" and _dre is None:
        raise InputError.at(
            "COMPLIANCE_ENGINE", f"durable-rules does not import here ({DURABLE_IMPORT_ERROR}); use python or auto",
            sv=f"durable-rules går inte att importera här ({DURABLE_IMPORT_ERROR}); använd python eller auto",
        )
    return chosen


def describe_engine(name: str | None = None) -> str:
    """One line naming the evaluator in use, for ``compliance --version``."""
    name = name or default_engine()
    if name == "durable":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"durable-rules {version('durable-rules')}"
        except PackageNotFoundError:  # pragma: no cover - imported but not installed as a distribution
            return "durable-rules"
    why = "" if DURABLE_IMPORT_ERROR is None else "; durable-rules is not available here"
    return f"built-in evaluator of durable-rules rulesets{why}"


def fnv1a_32(text: str) -> int:
    """The C engine's message key (``fnv1Hash32`` in durable-rules' state.c, over
    signed chars): a session stores one message per hash, so two facts whose ids
    hash alike would meet however their texts differ."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ (byte - 256 if byte > 127 else byte)) * 0x01000193) & 0xFFFFFFFF
    return h


_ID_HASHES: list[int] = []  # fnv1a_32(str(n)) for n < len: all distinct (checked as the list grows)
_ID_HASH_SET: set[int] = set()


def _engine_ids(facts: list[Fact]) -> list[str]:
    """The ids the engine sees: the facts' positions, ``"0"``, ``"1"``, …

    Never plan text: two facts with one id (or one hash of an id) in a session
    corrupt durable-rules' C heap (SIGSEGV, ``free(): invalid size``). Positions
    are unique by construction, and their hashes are checked distinct once; the
    facts' own ids must be unique too, since findings are mapped back by them.
    """
    check_unique(facts)
    while len(_ID_HASHES) < len(facts):
        h = fnv1a_32(str(len(_ID_HASHES)))
        if h in _ID_HASH_SET:  # pragma: no cover - none below 300 000 (tests/test_engine.py)
            raise EngineError(f"engine id {len(_ID_HASHES)} shares its hash with another")
        _ID_HASHES.append(h)
        _ID_HASH_SET.add(h)
    return [str(n) for n in range(len(facts))]


def _sid(sids: Iterator[int], count: int) -> str:
    """The next session id from ``sids`` whose state message (``sid-<sid>``) hashes unlike
    the engine ids ``"0"`` … ``str(count - 1)`` of the session's facts."""
    while True:
        sid = str(next(sids))
        h = fnv1a_32(f"sid-{sid}")
        if h not in _ID_HASH_SET or h not in _ID_HASHES[:count]:
            return sid


class DurableRulesets:
    """One Engine's rulesets in durable-rules: its own host and session ids (see _LOCK)."""

    def __init__(self) -> None:
        self._host: Any = None
        self._sids = itertools.count(1)

    def register(self, name: str, definition: dict[str, Any]) -> None:
        with _LOCK:
            if self._host is None:
                self._host = _quiet_host()
            self._host.register_rulesets({name: definition})

    def matches(self, name: str, messages: list[dict[str, Any]]) -> list[RawMatch]:
        """(durable rule name, engine id) for every match of ``messages`` in one fresh session."""
        with _LOCK:  # engine ids are positions: the chunk's last is its largest
            sid = _sid(self._sids, int(messages[-1]["id"]) + 1)
            for message in messages:
                message["sid"] = sid
            return _durable_matches(self._host.get_ruleset(name), messages, sid)


def namespace(pack: Agreement, policy: Policy | None, consequences: Iterable[str] = ()) -> dict[str, Any]:
    """The pack figures a condition or a message may name as ``pack.…``.

    ``consequence.<name>``: what the year's source says follows (`` <text> (<source>)``,
    in both languages; for messages only). ``consequences`` are the names other years
    state: where this year's source states no such thing, the name reads as nothing.
    """
    missing: dict[str, Text] = {}
    targets = {}
    for name, target in pack.targets.items():
        targets[name] = target.value
        if target.value is None:
            missing[f"targets.{name}"] = target.missing or say(
                f"{pack.id} anger inget mål {name}", f"{pack.id} gives no target {name}"
            )
    if policy is None:
        missing["policy.followup_system"] = say(
            "regelmappen har inget regionalt villkorspaket (policy.yaml) för regionen",
            "no regional pack (policy.yaml) for the region in the rules folder",
        )
    providers = ["mixed", "private"]
    areas = set(pack.private_provider_areas)
    if policy is not None and policy.private_providers_all_areas:
        areas |= set(pack.areas)
    return {
        "id": pack.id,
        "year": pack.year,
        "year_start": pack.year_start,
        "year_end": pack.year_end,
        "area_codes": sorted(pack.areas),
        "earmarked_areas": sorted(c for c, a in pack.areas.items() if a.earmarked),
        "purposes": {code: list(a.purposes) for code, a in pack.areas.items()},
        "targets": targets,
        "policy": {"followup_system": policy.followup_system if policy else None},
        "consequence": {
            **{name: "" for name in consequences},
            **{name: say(f" {c.text.sv} ({c.source.cite()})", f" {c.text.en} ({c.source.cite()})")
               for name, c in pack.consequences.items()},
        },
        # who must do what about private providers: the agreement's half and the region's
        "private_provider_areas": sorted(areas),
        "private_contract_from": providers if pack.private_contract_required else [],
        "private_reports_from": providers if policy is not None and policy.private_reports_on_request else [],
        "_missing": missing,
    }


def not_applied_reason(pack: Agreement, rule_id: str) -> Text:
    """Why a rule is not evaluated for an agreement year: no source of that year states it."""
    detail = pack.excluded_rules[rule_id]
    sv = f"ingen källa för {pack.year} anger detta villkor"
    en = f"no source of {pack.year} states this condition"
    if isinstance(detail, Text):
        return say(f"{sv} ({detail.sv})", f"{en} ({detail.en})")
    return say(sv, f"{en} ({detail})")


# --- the wire encoding: what durable-rules' JSON sees of a fact and of a pack figure ----------

# the condition language's comparisons as durable-rules' ruleset language writes them
OPS = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte", "==": "$eq", "!=": "$neq"}
UNKNOWN = "unknown__"  # ``unknown__<field>: 1`` on a message: the pack cannot give that field


def _const(value: Any) -> Any:
    """A value as the engine compares it: a date as its day number (``date.toordinal``)."""
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def encode(fact: Fact, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """What the engine sees of a fact: scalars only, dates as day numbers, unknowns flagged.

    ``fields``: only these (the fields some rule reads); the rest stays on the
    Python side for messages, which keeps the engine's JSON small. Lists and
    absent (``None``) fields are left out: a missing field satisfies no comparison.
    """
    out: dict[str, Any] = {"id": fact.id, "kind": fact.kind}
    data = fact.data
    keys = data.keys() if fields is None else fields.intersection(data)
    for key in keys:
        value = data[key]
        if value is None or isinstance(value, list | tuple | dict):
            continue
        out[key] = _const(value)
    for key in fact.unknown:
        out[f"{UNKNOWN}{key}"] = 1
    return out


def _compile(cond: conditions.Cond, ns: dict[str, Any]) -> dict[str, Any]:
    if isinstance(cond, conditions.All):
        return {"$and": [_compile(c, ns) for c in cond.items]}
    if isinstance(cond, conditions.AnyOf):
        return {"$or": [_compile(c, ns) for c in cond.items]}
    if isinstance(cond, conditions.Exists):
        return {"$ex" if cond.present else "$nex": {cond.field: 1}}
    if isinstance(cond, conditions.IsNot):
        # absent, or present with the other truth value; a top-level (or all:-nested) $or is
        # split into one durable rule per branch by _branches, so it adds a rule, not a nesting
        return {"$or": [{"$nex": {cond.field: 1}}, {cond.field: not cond.value}]}
    if isinstance(cond, conditions.Compare):
        op = OPS[cond.op]
        operand = cond.operand
        if isinstance(operand, conditions.FieldRef):
            right: Any = {"$m": operand.name}
        elif isinstance(operand, conditions.PackRef):
            if operand.key:
                raise conditions.ConditionError(say(f"{operand.text()}: en nycklad siffra fungerar bara med 'in'",
                                                    f"{operand.text()}: a keyed figure works only with 'in'"))
            right = _const(conditions.lookup(ns, operand.path, operand.text()))
            if not isinstance(right, str | int | float):  # bool is an int
                raise conditions.ConditionError(say(f"{operand.text()} är inte en enda siffra",
                                                    f"{operand.text()} is not a single figure"))
        else:
            right = _const(operand.value)
        compared = {cond.field: right} if op == "$eq" else {op: {cond.field: right}}
        if isinstance(operand, conditions.FieldRef):
            # durable-rules' C core holds `f op g` for every op when g is absent (measured,
            # tests/test_operators.py); the language says a missing field satisfies no comparison
            return {"$and": [{"$ex": {operand.name: 1}}, compared]}
        return compared
    if isinstance(cond, conditions.Member):
        return _member(cond, ns)
    raise conditions.ConditionError(say(f"okänt villkor {cond!r}", f"unknown condition {cond!r}"))  # pragma: no cover


def _never_holds(field: str) -> dict[str, Any]:
    """A clause no fact satisfies (``f in []``): durable-rules gets no empty ``$or``."""
    return {"$and": [{"$ex": {field: 1}}, {"$nex": {field: 1}}]}


def _in_list(field: str, items: list[Any], negate: bool) -> dict[str, Any]:
    if negate:
        return {"$and": [{"$ex": {field: 1}}] + [{"$neq": {field: _const(v)}} for v in items]}
    if not items:
        return _never_holds(field)
    return {"$or": [{field: _const(v)} for v in items]}


def _member(cond: conditions.Member, ns: dict[str, Any]) -> dict[str, Any]:
    if isinstance(cond.items, conditions.Const):
        return _in_list(cond.field, list(cond.items.value), cond.negate)
    ref = cond.items
    value = conditions.lookup(ns, ref.path, ref.text())
    if ref.key is None:
        if not isinstance(value, list):
            raise conditions.ConditionError(say(f"{ref.text()} är inte en lista", f"{ref.text()} is not a list"))
        return _in_list(cond.field, value, cond.negate)
    if not isinstance(value, dict):
        raise conditions.ConditionError(say(f"{ref.text()} är inte en mappning", f"{ref.text()} is not a mapping"))
    branches = [
        {"$and": [{ref.key: _const(key)}, _in_list(cond.field, list(items), cond.negate)]}
        for key, items in sorted(value.items())
    ]
    return {"$or": branches} if branches else _never_holds(cond.field)  # no key: neither in nor not in


def _branches(cond: dict[str, Any]) -> list[dict[str, Any]]:
    """Split top-level ``$or``s into branches: one durable rule each, same action.

    durable-rules allows at most 32 expressions in one rule
    (MAX_SEQUENCE_EXPRESSIONS); a keyed list such as ``pack.purposes[area]``
    expands past that in one rule but fits easily per branch. Findings are
    deduplicated per rule and fact, so the split does not change the result.
    """
    if set(cond) == {"$or"}:
        return [b for item in cond["$or"] for b in _branches(item)]
    if set(cond) == {"$and"}:
        # an ``any:`` inside an ``all:`` (a keyed list in one branch of a rule): distribute it,
        # so that each branch stays a plain conjunction under the limit
        items = cond["$and"]
        for i, item in enumerate(items):
            if isinstance(item, dict) and set(item) == {"$or"}:
                rest = items[:i] + items[i + 1:]
                return [b for alt in item["$or"] for b in _branches({"$and": [*rest, alt]})]
    return [cond]


def _size(cond: Any) -> int:
    if isinstance(cond, dict):
        if set(cond) & {"$and", "$or"}:
            return sum(_size(c) for key in ("$and", "$or") for c in cond.get(key, []))
        return 1
    return 1


MAX_EXPRESSIONS = 30  # durable-rules' limit is 32 per rule
# Measured (durable-rules 2.0.28, bench notes in README): create_ruleset takes 0.06 s
# for 512 durable rules in one ruleset and never returns for 513, whatever the rules
# hold. Each branch of a rule's top-level any: is one durable rule (plus one for "not
# evaluated" and the pack's catch-all), so a rule may hold MAX_BRANCHES and a pack's
# rules together MAX_RULESET_RULES, with a margin; past either, a rule-pack error.
MAX_BRANCHES = 100
MAX_RULESET_RULES = 500


def _bound(rule: Any, branches: int, so_far: int) -> None:
    """Refuse, naming the rule file and the limit, a rule the engine could not compile in time."""
    if branches > MAX_BRANCHES:
        raise InputError.at(
            rule.file,
            f"{rule.id} has {branches} branches (any:, or a keyed 'in'); a rule may hold at most "
            f"{MAX_BRANCHES}: durable-rules stops compiling a pack past {MAX_RULESET_RULES + 12} rules",
            sv=f"{rule.id} har {branches} grenar (any:, eller ett nycklat 'in'); en regel får ha högst "
            f"{MAX_BRANCHES}: durable-rules slutar kompilera ett paket efter {MAX_RULESET_RULES + 12} regler",
        )
    if so_far + branches + 2 > MAX_RULESET_RULES:  # + its not-evaluated rule and the catch-all
        raise InputError.at(
            rule.file,
            f"{rule.id} takes the pack's rules to {so_far + branches + 2} durable rules (a rule per branch of "
            f"any:); a pack may compile to at most {MAX_RULESET_RULES}: durable-rules stops compiling past "
            f"{MAX_RULESET_RULES + 12}",
            sv=f"{rule.id} för paketets regler till {so_far + branches + 2} durable-regler (en regel per gren av "
            f"any:); ett paket får kompileras till högst {MAX_RULESET_RULES}: durable-rules slutar kompilera efter "
            f"{MAX_RULESET_RULES + 12}",
        )
# Each durable rule returns up to CAP matched facts in one action read (``cap``), so a
# plan costs one read per rule that fires instead of one per fact (measured: per-fact
# actions, each with a JSON round trip of the session state, were the largest cost of
# the engine). A plan has far fewer facts than this.
CAP = 100_000
CHUNK = 2_000  # facts per session; a plan of 20 activities is one chunk


def _kinds(kinds: tuple[str, ...]) -> dict[str, Any]:
    if len(kinds) == 1:
        return {"kind": kinds[0]}
    return {"$or": [{"kind": k} for k in kinds]}


@dataclass
class CompiledPack:
    name: str
    rule_ids: list[str]
    reads: dict[str, list[str]]
    actions: dict[str, tuple[str, str, Text | None]]  # durable rule name -> rule id, outcome, static reason
    namespace: dict[str, Any] = field(default_factory=dict)  # the pack figures conditions and messages name
    fields: frozenset[str] = frozenset()  # every fact field some rule reads
    kinds: frozenset[str] = frozenset()  # every fact kind some rule reads
    predicates: dict[str, Callable[[dict[str, Any]], bool]] = field(default_factory=dict)  # built-in evaluator


class Engine:
    """Compiled rulesets for the packs of one rule book, reused for every plan."""

    def __init__(self, rules: list[Any], engine: str | None = None, consequences: Iterable[str] = ()) -> None:
        """``consequences``: every consequence name some pack of the rule book states (see :func:`namespace`)."""
        self.rules = rules
        self.consequences = tuple(sorted(set(consequences)))
        self.engine = engine or default_engine()
        if self.engine not in available_engines():
            raise InputError.at(
                "engine", f"{self.engine!r} is not available here (available: {', '.join(available_engines())})",
                sv=f"{self.engine!r} finns inte här (tillgängliga: {', '.join(available_engines())})",
            )
        self._compiled: dict[tuple[str, str | None], CompiledPack] = {}
        self._names = itertools.count(1)
        self._durable = DurableRulesets() if self.engine == "durable" else None

    def _action(self, rule_id: str, outcome: str, reason: Text | None) -> Any:
        """What a durable rule stands for: its action is never called, :meth:`run`
        reads the matches and maps each durable rule back to this triple."""
        return (rule_id, outcome, reason)

    def compile(self, pack: Agreement, policy: Policy | None = None) -> CompiledPack:
        """The ruleset of an agreement pack with a region's own pack, compiled once per process.

        A rule applies where the agreement pack or the regional pack says so;
        a rule the agreement pack does not apply for its year (``excluded_rules``)
        is *not evaluated* once per plan, with the reason; a regional rule of
        a region without a regional pack is not applied at all. A condition that
        names something the pack does not have is an input error naming the
        rule file (a region's own pack is loaded with --rules).
        """
        key = (pack.id, policy.id if policy else None)  # None: no regional pack has it as its id
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with _LOCK:  # two threads must not compile (and register) the same pack twice
            compiled = self._compiled.get(key)
            return compiled if compiled is not None else self._compile(pack, policy, key)

    def _compile(self, pack: Agreement, policy: Policy | None, key: tuple[str, str | None]) -> CompiledPack:
        ns = namespace(pack, policy, self.consequences)
        definition: dict[str, Any] = {}
        rule_ids: list[str] = []
        static: dict[str, Text] = {}
        reads: dict[str, list[str]] = {}
        kinds: set[str] = set()
        for n, rule in enumerate(self.rules):
            applied = rule.id in pack.applies or (policy is not None and rule.id in policy.applies)
            if not applied:
                if rule.id in pack.excluded_rules:
                    rule_ids.append(rule.id)
                    reads[rule.id] = []
                    kinds.add("plan")
                    definition[f"r{n:03d}_ne"] = {
                        "all": [{"m": {"kind": "plan"}}],
                        "cap": CAP,
                        "run": self._action(rule.id, "not-evaluated", not_applied_reason(pack, rule.id)),
                    }
                continue
            rule_ids.append(rule.id)
            kinds.update(rule.facts)
            kind = _kinds(rule.facts)
            guard = rule.guard
            when = rule.condition
            read = sorted(conditions.fields(when) | (conditions.fields(guard) if guard else set()))
            reads[rule.id] = read
            try:
                for path in rule.message_figures:  # a message names pack figures as a condition does
                    conditions.figure(ns, path, "{pack." + ".".join(path) + "}")
                try:
                    guard_c = [_compile(guard, ns)] if guard else []
                except conditions.Missing as missing:
                    guard_c, when_c = [], None
                    static[rule.id] = self._reason(pack, missing)
                else:
                    try:
                        when_c = _compile(when, ns)
                    except conditions.Missing as missing:
                        when_c = None
                        static[rule.id] = self._reason(pack, missing)
            except conditions.ConditionError as exc:
                raise InputError.at(rule.file, f"{rule.id} with {pack.id}: {exc.text.en}",
                                    sv=f"{rule.id} med {pack.id}: {exc.text.sv}") from None
            if when_c is None:
                definition[f"r{n:03d}_ne"] = {
                    "all": [{"m": {"$and": [kind, *guard_c]}}],
                    "cap": CAP,
                    "run": self._action(rule.id, "not-evaluated", static[rule.id]),
                }
                continue
            known = [{"$nex": {f"{UNKNOWN}{f}": 1}} for f in read]
            unknown = [{"$ex": {f"{UNKNOWN}{f}": 1}} for f in read]
            branches = _branches(when_c)
            _bound(rule, len(branches), len(definition))
            for b, branch in enumerate(branches):
                cond = {"$and": [kind, *guard_c, *known, branch]}
                if _size(cond) > MAX_EXPRESSIONS:
                    raise InputError.at(
                        rule.file,
                        f"{rule.id} compiles to {_size(cond)} comparisons in one branch; "
                        f"durable-rules allows {MAX_EXPRESSIONS}: split it with any:",
                        sv=f"{rule.id} kompileras till {_size(cond)} jämförelser i en gren; "
                        f"durable-rules tillåter {MAX_EXPRESSIONS}: dela den med any:",
                    )
                definition[f"r{n:03d}_main_{b:02d}"] = {
                    "all": [{"m": cond}],
                    "cap": CAP,
                    "run": self._action(rule.id, "failed", None),
                }
            definition[f"r{n:03d}_ne"] = {
                "all": [{"m": {"$and": [kind, *guard_c, {"$or": unknown}]}}],
                "cap": CAP,
                "run": self._action(rule.id, "not-evaluated", None),
            }
        # every fact must match some rule or durable-rules raises MessageNotHandledException
        definition[CATCH_ALL] = {"all": [{"m": {"$ex": {"kind": 1}}}], "cap": CAP, "run": None}
        actions = {key: d["run"] for key, d in definition.items() if key != CATCH_ALL}
        for d in definition.values():
            d["run"] = _never
        name = f"compliance_{pack.id}_{next(self._names)}"
        compiled = CompiledPack(
            name, rule_ids, reads, actions,
            namespace=ns,
            fields=frozenset(f for read in reads.values() for f in read),
            kinds=frozenset(kinds),
        )
        if self._durable is not None:
            self._durable.register(name, definition)
        else:  # the built-in evaluator's test of each durable rule (durable-rules needs none)
            compiled.predicates = {
                key: predicate(d["all"][0]["m"]) for key, d in definition.items() if key != CATCH_ALL
            }
        self._compiled[key] = compiled
        return compiled

    @staticmethod
    def _reason(pack: Agreement, missing: conditions.Missing) -> Text:
        fallback = say(f"{pack.id} saknar siffran {missing.ref}", f"{pack.id} lacks the figure {missing.ref}")
        return missing.reason or fallback

    def namespace(self, pack: Agreement, policy: Policy | None = None) -> dict[str, Any]:
        """The pack figures (``pack.…``) the conditions of ``pack`` with ``policy`` were
        compiled with: messages render theirs from the same (:func:`compliance.rules.render`)."""
        return self.compile(pack, policy).namespace

    def rules_applied(self, pack: Agreement, policy: Policy | None = None) -> list[str]:
        """The ids of the rules a plan of ``pack`` (in a region with ``policy``) is checked
        against, in rule-book order: applied, or reported not evaluated for the year."""
        return list(self.compile(pack, policy).rule_ids)

    def run(self, pack: Agreement, facts: list[Fact], policy: Policy | None = None) -> list[Match]:
        """Evaluate one plan's facts: every match, by rule id, outcome and fact id.

        The facts go in by chunks, each in a session of its own whose state is
        deleted afterwards. The matches are drained straight from the C engine
        (``start_action_for_state`` / ``complete_and_start_action``): durable's
        Python action layer would build a closure and round-trip the session state
        through JSON for every action, which profiling showed to cost more than
        the rules themselves. No Python code runs inside the engine, so no
        exception can be swallowed there. A not-evaluated match carries its
        reasons: the rule's own (a figure the pack lacks, a year that does not
        state the rule), else why the pack cannot give the fields it reads.
        """
        compiled = self.compile(pack, policy)
        fields, kinds = compiled.fields, compiled.kinds
        sent = [fact for fact in facts if fact.kind in kinds]  # others would only feed the catch-all
        if not sent:
            return []
        with _LOCK:  # the id table is shared: one thread extends it at a time
            ids = _engine_ids(sent)
        found: dict[tuple[str, str, int], Text | None] = {}
        # Every durable rule here reads one fact, so a plan's facts can go in by chunks,
        # each in its own session: the C engine's memory then follows the chunk, not the
        # plan (measured: 700 MB for the 60 000 facts of a 2 MB plan in one session).
        for start in range(0, len(sent), CHUNK):
            messages = []
            for n in range(start, min(len(sent), start + CHUNK)):
                message = encode(sent[n], fields)
                message["id"] = ids[n]
                messages.append(message)
            if self._durable is not None:
                raw = self._durable.matches(compiled.name, messages)
            else:
                raw = _evaluated_matches(compiled, messages)
            for name, engine_id in raw:
                rule_id, outcome, reason = compiled.actions[name]
                # an any: may match one fact through several branches: one match each
                found.setdefault((rule_id, outcome, int(engine_id)), reason)
        matches = []
        for (rule_id, outcome, n), reason in found.items():
            fact = sent[n]
            reasons: tuple[Text, ...] = ()
            if outcome == "not-evaluated":
                reads = compiled.reads[rule_id]
                reasons = (reason,) if reason else tuple(fact.unknown[f] for f in reads if f in fact.unknown)
            matches.append(Match(rule_id, outcome, fact, reasons))
        return sorted(matches, key=lambda m: (m.rule_id, m.outcome, m.fact.id))


RawMatch = tuple[str, str]  # (durable rule name, engine id of the fact)


def _durable_matches(ruleset: Any, messages: list[dict[str, Any]], sid: str) -> list[RawMatch]:
    """(durable rule name, engine id) for every match of the session ``sid``, read from
    durable-rules' C engine; the session's state is deleted afterwards, whatever happens."""
    assert _dre is not None
    found: list[RawMatch] = []
    try:
        state = ruleset.assert_facts(messages)
        handle = ruleset._handle  # noqa: SLF001 - the C engine's ruleset handle
        # the catch-all matches every fact, so a session of one fact or more always has a first action
        raw = _dre.start_action_for_state(handle, state)[1]
        while raw:
            if not raw.startswith(_CATCH_ALL_PREFIX):
                for name, matched in json.loads(raw).items():
                    items = matched if isinstance(matched, list) else [matched]
                    found.extend((name, item["m"]["id"]) for item in items)
            raw = _dre.complete_and_start_action(handle, state)
    finally:
        ruleset.delete_state(sid)
    return found


def _evaluated_matches(compiled: CompiledPack, messages: list[dict[str, Any]]) -> list[RawMatch]:
    """(durable rule name, fact id) for every match, by the built-in evaluator."""
    return [(name, message["id"]) for name, test in compiled.predicates.items() for message in messages
            if test(message)]


# --- the built-in evaluator of durable-rules' JSON ruleset language ------------------------

Predicate = Callable[[dict[str, Any]], bool]
_COMPARISONS = ("$lt", "$lte", "$gt", "$gte", "$neq")


def predicate(cond: dict[str, Any]) -> Predicate:
    """Compile one condition of durable's ruleset language (the subset :func:`_compile`
    produces) into a test on a message. Anything else is an :class:`EngineError`, so the
    two evaluators can never silently read a ruleset differently."""
    if not isinstance(cond, dict) or len(cond) != 1:
        raise EngineError(f"unsupported condition {cond!r}")
    ((key, value),) = cond.items()
    if key in ("$and", "$or"):
        parts = [predicate(c) for c in value]
        if key == "$and":
            return lambda m: all(p(m) for p in parts)
        return lambda m: any(p(m) for p in parts)
    if key in ("$ex", "$nex"):
        if not isinstance(value, dict) or len(value) != 1:
            raise EngineError(f"unsupported condition {cond!r}")
        (name,) = value
        if key == "$ex":
            return lambda m: name in m
        return lambda m: name not in m
    if key.startswith("$"):
        if key not in _COMPARISONS or not isinstance(value, dict) or len(value) != 1:
            raise EngineError(f"unsupported condition {cond!r}")
        op = key
        ((name, right),) = value.items()
    else:
        op, name, right = "$eq", key, value
    if isinstance(right, dict):
        if set(right) != {"$m"}:
            raise EngineError(f"unsupported operand {right!r}")
        other = right["$m"]
        return lambda m: name in m and other in m and compare(op, m[name], m[other])
    if isinstance(right, list):
        raise EngineError(f"unsupported operand {right!r}")
    return lambda m: name in m and compare(op, m[name], right)


def _printed(value: Any) -> str:
    """How durable's C core prints a scalar before comparing it with a string."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return "%f" % value  # noqa: UP031 - C's %f, as events.c's snprintf
    return str(value)


def compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` as durable-rules' ``reduceProperties`` computes it."""
    if left is None or right is None:
        if left is None and right is None:
            return op == "$eq"
        return op == "$neq" and left is not None  # nil on the left with a value: unsupported, false
    if isinstance(left, str) or isinstance(right, str):  # the other one as printed (a string prints as itself)
        a: Any = _printed(left)
        b: Any = _printed(right)
    else:  # bool, int, float: numbers, booleans as 0 and 1
        a, b = left, right
    if op == "$eq":
        return bool(a == b)
    if op == "$neq":
        return bool(a != b)
    if op == "$lt":
        return bool(a < b)
    if op == "$lte":
        return bool(a <= b)
    if op == "$gt":
        return bool(a > b)
    return bool(a >= b)
