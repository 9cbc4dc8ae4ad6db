"""The condition language as a table: every clause form, what it compiles to
(durable-rules' JSON, from engine.py's compiler) and how both evaluators decide
it on a fact where the clause holds, one where the field is present and the
clause does not hold, and one where the field is absent.

A missing field satisfies no comparison, no ``in`` and no ``not in``; only
``is missing`` holds on it (docs/rule-catalog.md, conditions.py)."""

import datetime as dt
import itertools
from typing import Any

import pytest

from compliance import conditions as C
from compliance import engine as E

YEAR_END = dt.date(2022, 12, 31)
DAY = YEAR_END.toordinal()
NS: dict[str, Any] = {
    "year_end": YEAR_END,
    "targets": {"share": 55, "unknown": None},
    "area_codes": ["ambulans", "nara-vard"],
    "purposes": {"ambulans": ["amb"], "nara-vard": ["np1", "np2"]},
    "_missing": {"targets.unknown": "no source gives it"},
}

# clause, compiled JSON, a fact where it holds, a fact where the field is present
# and it does not hold (None: no such fact), a fact where ``f`` is absent, and the
# verdict on that last fact
ROWS: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None, dict[str, Any], bool]] = [
    # against a literal
    ("f > 5", {"$gt": {"f": 5}}, {"f": 6}, {"f": 5}, {}, False),
    ("f >= 5", {"$gte": {"f": 5}}, {"f": 5}, {"f": 4}, {}, False),
    ("f < 5", {"$lt": {"f": 5}}, {"f": 4}, {"f": 5}, {}, False),
    ("f <= 5", {"$lte": {"f": 5}}, {"f": 5}, {"f": 6}, {}, False),
    ("f == 5", {"f": 5}, {"f": 5}, {"f": 6}, {}, False),
    ("f != 5", {"$neq": {"f": 5}}, {"f": 6}, {"f": 5}, {}, False),
    ("f == 'x'", {"f": "x"}, {"f": "x"}, {"f": "y"}, {}, False),
    ("f != 'x'", {"$neq": {"f": "x"}}, {"f": "y"}, {"f": "x"}, {}, False),
    ("f == true", {"f": True}, {"f": True}, {"f": False}, {}, False),
    ("f == false", {"f": False}, {"f": False}, {"f": True}, {}, False),
    ("f != true", {"$neq": {"f": True}}, {"f": False}, {"f": True}, {}, False),
    ("f > 2022-12-31", {"$gt": {"f": DAY}}, {"f": DAY + 1}, {"f": DAY}, {}, False),
    ("f <= 2022-12-31", {"$lte": {"f": DAY}}, {"f": DAY}, {"f": DAY + 1}, {}, False),
    ("f >= -3", {"$gte": {"f": -3}}, {"f": -3}, {"f": -4}, {}, False),
    # null: a fact never carries a None (absent), so ``== null`` holds on nothing
    ("f == null", {"f": None}, None, {"f": 5}, {}, False),
    ("f != null", {"$neq": {"f": None}}, {"f": 5}, None, {}, False),
    # against another field of the same fact (``g`` present in the absent case)
    ("f > g", {"$and": [{"$ex": {"g": 1}}, {"$gt": {"f": {"$m": "g"}}}]}, {"f": 6, "g": 5}, {"f": 5, "g": 5}, {"g": 5}, False),
    ("f >= g", {"$and": [{"$ex": {"g": 1}}, {"$gte": {"f": {"$m": "g"}}}]}, {"f": 5, "g": 5}, {"f": 4, "g": 5}, {"g": 5}, False),
    ("f < g", {"$and": [{"$ex": {"g": 1}}, {"$lt": {"f": {"$m": "g"}}}]}, {"f": 4, "g": 5}, {"f": 5, "g": 5}, {"g": 5}, False),
    ("f <= g", {"$and": [{"$ex": {"g": 1}}, {"$lte": {"f": {"$m": "g"}}}]}, {"f": 5, "g": 5}, {"f": 6, "g": 5}, {"g": 5}, False),
    ("f == g", {"$and": [{"$ex": {"g": 1}}, {"f": {"$m": "g"}}]}, {"f": 5, "g": 5}, {"f": 6, "g": 5}, {"g": 5}, False),
    ("f != g", {"$and": [{"$ex": {"g": 1}}, {"$neq": {"f": {"$m": "g"}}}]}, {"f": 6, "g": 5}, {"f": 5, "g": 5}, {"g": 5}, False),
    # against a pack figure
    ("f > pack.year_end", {"$gt": {"f": DAY}}, {"f": DAY + 1}, {"f": DAY}, {}, False),
    ("f >= pack.targets.share", {"$gte": {"f": 55}}, {"f": 55}, {"f": 54}, {}, False),
    ("f < pack.targets.share", {"$lt": {"f": 55}}, {"f": 54}, {"f": 55}, {}, False),
    ("f <= pack.targets.share", {"$lte": {"f": 55}}, {"f": 55}, {"f": 56}, {}, False),
    ("f == pack.targets.share", {"f": 55}, {"f": 55}, {"f": 56}, {}, False),
    ("f != pack.targets.share", {"$neq": {"f": 55}}, {"f": 56}, {"f": 55}, {}, False),
    # presence: a field present with a false value is present
    ("f is missing", {"$nex": {"f": 1}}, {}, {"f": False}, {}, True),
    ("f is present", {"$ex": {"f": 1}}, {"f": False}, None, {}, False),
    # membership in a literal list and in a pack list
    ("f in ['a', 'b']", {"$or": [{"f": "a"}, {"f": "b"}]}, {"f": "b"}, {"f": "c"}, {}, False),
    (
        "f not in ['a', 'b']",
        {"$and": [{"$ex": {"f": 1}}, {"$neq": {"f": "a"}}, {"$neq": {"f": "b"}}]},
        {"f": "c"}, {"f": "a"}, {}, False,
    ),
    ("f in [1, 2]", {"$or": [{"f": 1}, {"f": 2}]}, {"f": 2}, {"f": 3}, {}, False),
    ("f in []", {"$and": [{"$ex": {"f": 1}}, {"$nex": {"f": 1}}]}, None, {"f": "a"}, {}, False),
    (
        "f in pack.area_codes",
        {"$or": [{"f": "ambulans"}, {"f": "nara-vard"}]},
        {"f": "nara-vard"}, {"f": "vfu"}, {}, False,
    ),
    (
        "f not in pack.area_codes",
        {"$and": [{"$ex": {"f": 1}}, {"$neq": {"f": "ambulans"}}, {"$neq": {"f": "nara-vard"}}]},
        {"f": "vfu"}, {"f": "ambulans"}, {}, False,
    ),
    # keyed by the fact's own ``area``: another area's purpose is not this area's
    (
        "f in pack.purposes[area]",
        {"$or": [
            {"$and": [{"area": "ambulans"}, {"$or": [{"f": "amb"}]}]},
            {"$and": [{"area": "nara-vard"}, {"$or": [{"f": "np1"}, {"f": "np2"}]}]},
        ]},
        {"area": "nara-vard", "f": "np2"}, {"area": "ambulans", "f": "np1"}, {"area": "ambulans"}, False,
    ),
    (
        "f not in pack.purposes[area]",
        {"$or": [
            {"$and": [{"area": "ambulans"}, {"$and": [{"$ex": {"f": 1}}, {"$neq": {"f": "amb"}}]}]},
            {"$and": [{"area": "nara-vard"},
                      {"$and": [{"$ex": {"f": 1}}, {"$neq": {"f": "np1"}}, {"$neq": {"f": "np2"}}]}]},
        ]},
        {"area": "ambulans", "f": "np1"}, {"area": "nara-vard", "f": "np1"}, {"area": "ambulans"}, False,
    ),
]

IDS = [row[0] for row in ROWS]
_NAMES = itertools.count(1)


def _python(cond: dict[str, Any], fact: dict[str, Any]) -> bool:
    message = {"id": "0", "kind": "t", **fact}
    return E.predicate({"$and": [{"kind": "t"}, cond]})(message)


def _durable(cond: dict[str, Any], fact: dict[str, Any]) -> bool:
    """The same condition as one durable-rules rule, decided by its C engine."""
    name = f"optable_{next(_NAMES)}"
    definition = {
        "t": {"all": [{"m": {"$and": [{"kind": "t"}, cond]}}], "run": E._never},
        E.CATCH_ALL: {"all": [{"m": {"$ex": {"kind": 1}}}], "run": E._never},
    }
    rulesets = E.DurableRulesets()
    rulesets.register(name, definition)
    matches = rulesets.matches(name, [{"id": "0", "kind": "t", **fact}])
    return [m[0] for m in matches] == ["t"]


def test_the_operator_table_is_durable_rules():
    assert E.OPS == {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte", "==": "$eq", "!=": "$neq"}
    assert set(E.OPS) == set(C.OPERATORS)  # every operator the parser reads, the engine maps


EVALUATORS = [pytest.param(_python, id="python")]
if "durable" in E.available_engines():
    EVALUATORS.append(pytest.param(_durable, id="durable"))


@pytest.mark.parametrize(("clause", "compiled", "holds", "fails", "absent", "on_absent"), ROWS, ids=IDS)
def test_clause_compiles_to(clause, compiled, holds, fails, absent, on_absent):
    assert E._compile(C.parse_clause(clause), NS) == compiled


@pytest.mark.parametrize("evaluate", EVALUATORS)
@pytest.mark.parametrize(("clause", "compiled", "holds", "fails", "absent", "on_absent"), ROWS, ids=IDS)
def test_clause_decides(evaluate, clause, compiled, holds, fails, absent, on_absent):
    cond = E._compile(C.parse_clause(clause), NS)
    if holds is not None:
        assert evaluate(cond, holds) is True, f"{clause} on {holds}"
    if fails is not None:
        assert evaluate(cond, fails) is False, f"{clause} on {fails}"
    assert evaluate(cond, absent) is on_absent, f"{clause} on {absent} (f absent)"


# durable-rules' C core decides a bare ``f op g`` *true*, for every op, when ``g`` is absent
# and ``f`` present; the compiler therefore guards a field comparison with ``$ex`` on the
# right-hand field, so both evaluators decide it false, as the language says.
FIELD_EVALUATORS = [pytest.param(_python, id="python")]
if "durable" in E.available_engines():
    FIELD_EVALUATORS.append(pytest.param(_durable, id="durable"))


@pytest.mark.parametrize("evaluate", FIELD_EVALUATORS)
@pytest.mark.parametrize("clause", ["f > g", "f >= g", "f < g", "f <= g", "f == g", "f != g"])
def test_field_comparison_with_the_other_field_absent_holds_never(evaluate, clause):
    cond = E._compile(C.parse_clause(clause), NS)
    assert evaluate(cond, {}) is False
    assert evaluate(cond, {"f": 5}) is False


@pytest.mark.parametrize("evaluate", EVALUATORS)
@pytest.mark.parametrize("clause", ["f in pack.purposes[area]", "f not in pack.purposes[area]"])
def test_keyed_list_for_an_area_the_pack_does_not_know_holds_neither_way(evaluate, clause):
    cond = E._compile(C.parse_clause(clause), NS)
    assert evaluate(cond, {"area": "vfu", "f": "amb"}) is False
    assert evaluate(cond, {"f": "amb"}) is False


def test_a_null_pack_figure_is_missing_and_a_keyed_figure_only_works_with_in():
    with pytest.raises(C.Missing) as missing:
        E._compile(C.parse_clause("f > pack.targets.unknown"), NS)
    assert missing.value.ref == "pack.targets.unknown"
    assert missing.value.reason == "no source gives it"
    with pytest.raises(C.ConditionError, match="only with 'in'"):
        E._compile(C.parse_clause("f == pack.purposes[area]"), NS)
    with pytest.raises(C.ConditionError, match="no figure 'nothing'"):
        E._compile(C.parse_clause("f > pack.nothing"), NS)
    with pytest.raises(C.ConditionError, match="pack.purposes is not a single figure"):
        E._compile(C.parse_clause("f == pack.purposes"), NS)  # a mapping (or a message's text) is no operand


def test_nesting_compiles_to_and_or():
    cond = C.parse({"any": [["f > 1", "g is missing"], "h == 'x'"]})
    assert E._compile(cond, NS) == {
        "$or": [{"$and": [{"$gt": {"f": 1}}, {"$nex": {"g": 1}}]}, {"h": "x"}]
    }
