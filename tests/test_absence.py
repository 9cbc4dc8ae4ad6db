"""Absence said in the rule language, not coerced in the facts (issue 15, problem 1).

``f is not true`` holds when ``f`` is absent or false, ``f is not false`` when it is
absent or true; a comparison such as ``f == false`` holds on no absent field. Both
evaluators (durable-rules and the built-in one) decide each form alike, on the
compiled ruleset and through a whole check.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

from compliance import conditions as C
from compliance import engine
from compliance.check import Checker
from compliance.plans import plan_from_data

ROOT = Path(__file__).resolve().parent.parent
_NAMES = itertools.count(1)

PRESENT_TRUE: dict[str, Any] = {"flag": True}
PRESENT_FALSE: dict[str, Any] = {"flag": False}
ABSENT: dict[str, Any] = {}

# clause → does it hold on (present true, present false, absent)
TABLE = [
    ("flag is not true", (False, True, True)),
    ("flag is not false", (True, False, True)),
    ("flag == false", (False, True, False)),   # a missing field satisfies no comparison
    ("flag == true", (True, False, False)),
    ("flag != true", (False, True, False)),    # `!=` included
    ("flag is missing", (False, False, True)),
    ("flag is present", (True, True, False)),
    # inside all: / any:, as rules write them (GNV-409, GNV-205)
    ({"all": ["flag is not true", "other is missing"]}, (False, True, True)),
    ({"any": [{"all": ["other is present", "flag is not true"]}, "flag is not false"]}, (True, False, True)),
]


def test_the_forms_parse_to_their_tree():
    assert C.parse_clause("additional_resources is not true") == C.IsNot("additional_resources", True)
    assert C.parse_clause("  new  is   not  false ") == C.IsNot("new", False)
    assert C.fields(C.parse_clause("new is not false")) == {"new"}
    for text in ("new is not", "new is not 1", "new is not 'true'", "new is true", "new is not True"):
        with pytest.raises(C.ConditionError):
            C.parse_clause(text)


def test_is_not_compiles_to_absent_or_the_other_value():
    assert engine._compile(C.IsNot("f", True), {}) == {"$or": [{"$nex": {"f": 1}}, {"f": False}]}
    assert engine._compile(C.IsNot("f", False), {}) == {"$or": [{"$nex": {"f": 1}}, {"f": True}]}
    # a top-level or all:-nested $or becomes one durable rule per branch, each a plain conjunction
    both = engine._compile(C.parse(["f is not true", "g is missing"]), {})
    assert engine._branches(both) == [
        {"$and": [{"$nex": {"g": 1}}, {"$nex": {"f": 1}}]},
        {"$and": [{"$nex": {"g": 1}}, {"f": False}]},
    ]


def _matches(engine_name: str, spec: Any, messages: list[dict[str, Any]]) -> set[str]:
    """The ids of the messages a condition matches, compiled and run as engine.py runs a rule."""
    when = engine._compile(C.parse(spec), {})
    definition: dict[str, Any] = {}
    for b, branch in enumerate(engine._branches(when)):
        definition[f"main_{b:02d}"] = {"all": [{"m": {"$and": [{"kind": "t"}, branch]}}], "cap": engine.CAP,
                                       "run": engine._never}
    definition[engine.CATCH_ALL] = {"all": [{"m": {"$ex": {"kind": 1}}}], "cap": engine.CAP, "run": engine._never}
    name = f"absence_test_{next(_NAMES)}"
    sent = [{**m, "id": str(n), "kind": "t"} for n, m in enumerate(messages)]
    if engine_name == "durable":
        rulesets = engine.DurableRulesets()
        rulesets.register(name, definition)
        found = rulesets.matches(name, sent)
    else:
        predicates = {k: engine.predicate(d["all"][0]["m"]) for k, d in definition.items() if k != engine.CATCH_ALL}
        compiled = engine.CompiledPack(name, [], {}, {}, predicates=predicates)
        found = engine._evaluated_matches(compiled, sent)
    return {fact_id for _, fact_id in found}


@pytest.mark.parametrize("engine_name", engine.available_engines())
@pytest.mark.parametrize(("spec", "expected"), TABLE, ids=[str(s) for s, _ in TABLE])
def test_each_form_on_present_true_present_false_and_absent(engine_name, spec, expected):
    held = _matches(engine_name, spec, [PRESENT_TRUE, PRESENT_FALSE, ABSENT])
    assert tuple(str(n) in held for n in range(3)) == expected


def _plan(**activity: Any) -> dict[str, Any]:
    return {
        "plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2022"},
        "areas": [{"area": "vidareutbildning", "activities": [{"id": "a", "amount": 5000000, **activity}]}],
    }


def _fired(checker: Checker, rule_id: str, plan: dict[str, Any]) -> list[str]:
    result = checker.check_plan(plan_from_data(plan, "p.yaml"), dt.date(2022, 4, 1))
    return [f.outcome for f in result.findings if f.rule == rule_id]


@pytest.mark.parametrize("engine_name", engine.available_engines())
def test_gnv_209_fires_unless_the_plan_states_additional_resources_true(engine_name):
    """The fact is as the plan states it; the rule says `additional_resources is not true`."""
    checker = Checker(lang="en", engine=engine_name)
    assert _fired(checker, "GNV-209", _plan(additional_resources=True)) == []
    assert _fired(checker, "GNV-209", _plan(additional_resources=False)) == ["failed"]
    assert _fired(checker, "GNV-209", _plan()) == ["failed"]


@pytest.mark.parametrize("engine_name", engine.available_engines())
def test_a_rule_reading_eq_false_does_not_fire_on_an_absent_field(tmp_path, engine_name):
    """Written `== false`, GNV-209 would miss the plan that does not say: what `is not true` is for."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = rules / "catalog" / "GNV-209.yaml"
    text = rule.read_text("utf-8")
    assert "when: additional_resources is not true\n" in text
    rule.write_text(text.replace("when: additional_resources is not true\n",
                                 "when: additional_resources == false\n"), "utf-8")
    checker = Checker(rules_dir=rules, lang="en", engine=engine_name)
    assert _fired(checker, "GNV-209", _plan(additional_resources=False)) == ["failed"]
    assert _fired(checker, "GNV-209", _plan()) == []
    assert _fired(checker, "GNV-209", _plan(additional_resources=True)) == []


def test_is_not_true_on_a_field_that_is_not_yes_no_is_refused(tmp_path):
    """`amount is not true` would hold on every activity with an amount: refused at load."""
    from click.testing import CliRunner

    from compliance.cli import main

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = rules / "catalog" / "GNV-209.yaml"
    rule.write_text(rule.read_text("utf-8").replace("when: additional_resources is not true\n",
                                                    "when: amount is not true\n"), "utf-8")
    result = CliRunner().invoke(main, ["check", str(ROOT / "plans"), "--rules", str(rules)])
    assert result.exit_code == 2, result.output
    assert "catalog/GNV-209.yaml:" in result.output and "'amount' är integer, inte yes/no" in result.output
