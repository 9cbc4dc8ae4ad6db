"""durable-rules and the built-in evaluator give identical findings.

Both run the same compiled rulesets (engine.py). This holds them to the same
findings, message and values included, on every rule example, the example
plans and a few thousand generated plans that vary the agreement, the region,
the as-of date, absent fields and amounts at their boundaries.

Where durable-rules does not import (Python 3.13+, no compiler) the in-process
comparison cannot run; there ``.ci/run`` compares the evaluator with a
reference written by a durable-rules run on the same corpus
(``COMPLIANCE_EQUIVALENCE_WRITE`` / ``COMPLIANCE_EQUIVALENCE_REFERENCE``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compliance import engine
from compliance.bench import make_plan
from compliance.check import Checker
from compliance.errors import InputError
from compliance.plans import load_plan, plan_from_data
from compliance.revisions import load_previous

ROOT = Path(__file__).resolve().parent.parent
GENERATED = int(os.environ.get("COMPLIANCE_EQUIVALENCE_PLANS", "2000"))

Case = tuple[str, Any, Any, dt.date]  # name, plan, previous, as of


def _drop_some(rng: random.Random, value: Any, p: float) -> Any:
    """The same plan with some optional fields left out (ids and amounts stay)."""
    keep = {"id", "amount", "area", "region", "agreement", "plan", "areas", "activities", "kind", "item",
            "cost", "useful_life_years", "in_service"}
    if isinstance(value, dict):
        return {k: _drop_some(rng, v, p) for k, v in value.items() if k in keep or rng.random() > p}
    if isinstance(value, list):
        return [_drop_some(rng, v, p) for v in value]
    return value


def generated_cases(n: int, seed: int = 20261124) -> Iterator[Case]:
    checker = Checker(lang="en")
    packs = sorted(checker.book.agreements.values(), key=lambda p: p.id)
    rng = random.Random(seed)
    previous: dict[str, Any] | None = None
    for i in range(n):
        pack = packs[i % len(packs)]
        plan = make_plan(i, rng)
        plan["plan"]["agreement"] = pack.id
        table = pack.region_table.rows if pack.region_table else {}
        regions = sorted(table) or ["Region Jämtland Härjedalen"]
        plan["plan"]["region"] = rng.choice([*regions, "Region Jämtland Härjedalen", "Region Atlantis"])
        for area in plan["areas"]:
            for act in area["activities"]:  # a requirement code the year lacks is an input error
                if act.get("requirement") not in pack.requirements:
                    act.pop("requirement", None)
            alloc = table.get(plan["plan"]["region"], {}).get(area["area"])
            if alloc is not None and rng.random() < 0.5:
                area["allocation"] = alloc + rng.choice([-1, 0, 0, 1])
            if rng.random() < 0.3:  # plan exactly the stated allocation, or one krona either side
                acts = area["activities"]
                stated = area.get("allocation")
                if isinstance(stated, int) and acts:
                    rest = sum(a["amount"] if isinstance(a["amount"], int) else 0 for a in acts[1:])
                    if all(isinstance(a["amount"], int) for a in acts[1:]):
                        acts[0]["amount"] = max(0, stated - rest + rng.choice([-1, 0, 1]))
        year = pack.year
        shift = year - 2022
        for report in plan.get("reports", []):
            report["submitted"] = report["submitted"].replace(year=report["submitted"].year + shift)
        fin = plan.get("financials")
        if fin and "repaid" in fin:
            fin["repaid"]["date"] = fin["repaid"]["date"].replace(year=fin["repaid"]["date"].year + shift)
        if rng.random() < 0.3:
            plan["indicators"] = {
                "named_gp_share": rng.choice([0.55, 0.549, 0.6, 0.3]),
                "nursing_home_gp_share": rng.choice([0.8, 0.79, 0.9]),
                "continuity_index_change": rng.choice([0.2, 0.19, 0.25]),
            }
        plan = _drop_some(rng, plan, rng.choice([0.0, 0.05, 0.2]))
        as_of = rng.choice([
            dt.date(year, 3, 1), dt.date(year, 9, 30), dt.date(year, 10, 1), dt.date(year, 12, 1),
            dt.date(year, 12, 2), dt.date(year + 1, 3, 31), dt.date(year + 1, 4, 1), dt.date(year + 2, 1, 1),
        ])
        prev = None
        if previous is not None and previous["plan"]["agreement"] == pack.id and rng.random() < 0.3:
            prev = previous
            plan["plan"]["supersedes"] = "previous.yaml"
        previous = copy.deepcopy(plan)
        previous["plan"].pop("supersedes", None)
        yield f"generated-{i}", plan, prev, as_of


def example_cases() -> Iterator[Case]:
    checker = Checker(lang="en")
    for rule in checker.book.rules:
        for n, example in enumerate(rule.examples):
            yield f"{rule.id}-example-{n}", example.plan, example.previous, example.as_of


def _findings(checker: Checker, case: Case) -> list[Any]:
    name, plan, previous, as_of = case
    try:
        loaded = plan_from_data(plan, name)
        before = plan_from_data(previous, f"{name} (previous)") if previous else None
        result = checker.check_plan(loaded, as_of, previous=before)  # requirement codes are read against the pack
    except InputError:
        return ["input error"]
    return [f.as_dict() for f in sorted(result.findings, key=lambda f: f.sort_key())]


def _plan_files() -> list[Path]:
    return sorted(
        p for folder in ("plans", "examples") for p in (ROOT / folder).rglob("*.yaml")
        if "waivers" not in p.name and not p.name.startswith(".")
    )


def _file_findings(checker: Checker, path: Path, as_of: dt.date) -> list[Any]:
    display = str(path.relative_to(ROOT))
    loaded = load_plan(path, display)
    # the folders checked: a revision may lead only inside them (examples/ revise plans/)
    roots = [ROOT / "plans", ROOT / "examples"]
    previous = load_previous(loaded, roots=roots) if loaded.plan.plan.supersedes else None
    result = checker.check_plan(loaded, as_of, previous)
    return [f.as_dict() for f in sorted(result.findings, key=lambda f: f.sort_key())]


AS_OF_DATES = [dt.date(2020, 4, 1), dt.date(2021, 4, 30), dt.date(2022, 12, 31), dt.date(2023, 4, 4), dt.date(2024, 6, 1)]


def corpus_findings(engine_name: str, generated: int = GENERATED) -> dict[str, Any]:
    """Every case's findings under one engine, as JSON-ready data."""
    checker = Checker(lang="en", engine=engine_name)
    out: dict[str, Any] = {}
    for case in example_cases():
        out[case[0]] = _findings(checker, case)
    for path in _plan_files():
        for as_of in AS_OF_DATES:
            out[f"{path.relative_to(ROOT)}@{as_of}"] = _file_findings(checker, path, as_of)
    for case in generated_cases(generated):
        out[case[0]] = _findings(checker, case)
    return out


def _compare(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    assert expected.keys() == actual.keys()
    differ = [k for k in expected if expected[k] != actual[k]]
    assert not differ, f"{len(differ)} cases differ, first {differ[0]}: {expected[differ[0]]} != {actual[differ[0]]}"


@pytest.mark.skipif("durable" not in engine.available_engines(),
                    reason=f"durable-rules does not import here ({engine.DURABLE_IMPORT_ERROR})")
def test_both_engines_give_identical_findings():
    durable = corpus_findings("durable")
    python = corpus_findings("python")
    # the corpus is no echo chamber: it holds failed and not-evaluated findings of most rules
    outcomes = {(f["rule"], f["outcome"]) for findings in durable.values() for f in findings if isinstance(f, dict)}
    assert len({rule for rule, outcome in outcomes if outcome == "failed"}) >= 30
    assert any(outcome == "not-evaluated" for _, outcome in outcomes)
    _compare(durable, python)
    target = os.environ.get("COMPLIANCE_EQUIVALENCE_WRITE")
    if target:
        Path(target).write_text(json.dumps(durable, ensure_ascii=False, sort_keys=True), "utf-8")


@pytest.mark.skipif(not os.environ.get("COMPLIANCE_EQUIVALENCE_REFERENCE"),
                    reason="no reference findings from a durable-rules run (COMPLIANCE_EQUIVALENCE_REFERENCE)")
def test_evaluator_matches_the_durable_reference():
    reference = json.loads(Path(os.environ["COMPLIANCE_EQUIVALENCE_REFERENCE"]).read_text("utf-8"))
    _compare(reference, corpus_findings("python"))


def test_the_evaluator_refuses_what_it_does_not_implement():
    for cond in ({"$mt": {"name": "x.*"}}, {"a": 1, "b": 2}, {"$lt": {"a": {"$s": 1}}}, {"$iall": {"a": 1}}):
        with pytest.raises(engine.EngineError):
            engine.predicate(cond)


@pytest.mark.parametrize(("op", "left", "right", "expected"), [
    ("$eq", 5, 5, True), ("$eq", 5, 5.0, True), ("$gt", 2, 1.5, True), ("$lte", 1, 1, True),
    ("$eq", True, 1, True), ("$lt", False, 1, True),          # booleans are 0 and 1 against numbers
    ("$eq", "a", "a", True), ("$neq", "a", "b", True), ("$lt", "a", "b", True),
    ("$eq", 1, "1", True), ("$eq", True, "true", True),        # printed form against a string
    ("$eq", 0.5, "0.500000", True),
    ("$neq", 1, None, True), ("$eq", 1, None, False), ("$eq", None, None, True), ("$neq", None, 1, False),
])
def test_mixed_type_comparisons_follow_durable(op, left, right, expected):
    assert engine.compare(op, left, right) is expected


def test_a_missing_field_satisfies_no_comparison():
    for op in ("$lt", "$lte", "$gt", "$gte", "$neq"):
        test = engine.predicate({op: {"planned": 1}})
        assert test({"other": 1}) is False
        assert engine.predicate({op: {"planned": {"$m": "allocation"}}})({"planned": 1}) is False
    assert engine.predicate({"planned": 1})({}) is False
    assert engine.predicate({"$nex": {"planned": 1}})({}) is True
    assert engine.predicate({"$or": [{"a": 1}, {"b": 2}]})({"b": 2}) is True
