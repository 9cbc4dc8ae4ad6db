"""The engine wrapper: state cleaned per plan, failures never silent, one importer."""

import datetime as dt
import resource
from pathlib import Path

import pytest

from compliance import engine as engine_mod
from compliance.plans import plan_from_data

SRC = Path(__file__).resolve().parent.parent / "src" / "compliance"


def small_plan(i: int, amount: int) -> dict:
    return {
        "plan": {"id": f"p{i}", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
        "areas": [
            {
                "area": "karriartjanster",
                "allocation": 1266508,
                "responsible": "HR",
                "activities": [{"id": "a", "amount": amount, "responsible": "HR"}],
            }
        ],
    }


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_5000_plans_in_one_process_without_growth(checker):
    """Without delete_state the engine fails with MemoryError after ~1 000 sessions."""
    as_of = dt.date(2020, 4, 1)
    loaded = [plan_from_data(small_plan(i, 1266508 + (i % 2))) for i in range(50)]
    for i in range(1000):
        checker.check_plan(loaded[i % 50], as_of)
    warm = _rss_kib()
    fired = 0
    for i in range(4000):
        result = checker.check_plan(loaded[i % 50], as_of)
        fired += sum(1 for f in result.findings if f.rule == "GNV-102")
    assert fired == 2000  # every odd plan is 1 kr over
    assert _rss_kib() - warm < 20 * 1024, "memory grew by more than 20 MiB over 4 000 plans"


def test_engine_failure_is_raised_and_state_is_deleted(checker, monkeypatch):
    """Nothing can fail silently inside the engine: a failure propagates, and the
    session is deleted all the same (or 1 000 failures would exhaust the engine)."""
    from compliance.facts import build_facts

    pack = checker.book.agreement("gnv-2020")
    facts = build_facts(plan_from_data(small_plan(1, 2000000)), pack, dt.date(2020, 4, 1))
    deleted = []
    real_delete = engine_mod._durable.Ruleset.delete_state

    def spy(self, sid):
        deleted.append(sid)
        return real_delete(self, sid)

    class Broken:
        def __getattr__(self, name):
            def fail(*args):
                raise RuntimeError("engine failed")

            return fail

    monkeypatch.setattr(engine_mod._durable.Ruleset, "delete_state", spy)
    monkeypatch.setattr(engine_mod, "_dre", Broken())
    with pytest.raises(RuntimeError, match="engine failed"):
        checker.engine.run(pack, facts, checker.book.policy("Region Jämtland Härjedalen"))
    assert len(deleted) == 1


def test_durable_never_calls_a_python_action():
    with pytest.raises(engine_mod.EngineError):
        engine_mod._never(None)


def test_only_the_engine_module_imports_durable():
    importers = [
        p.name
        for p in SRC.rglob("*.py")
        if "import durable" in p.read_text() or "from durable" in p.read_text()
    ]
    assert importers == ["engine.py"]


def test_no_background_dispatch_threads(checker):
    import threading

    checker.check_plan(plan_from_data(small_plan(1, 1)), dt.date(2020, 4, 1))
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_large_amounts_compare_exactly(checker):
    """The largest amounts a plan may hold still compare to the krona in the engine."""
    from compliance.amounts import MAX_AMOUNT

    plan = small_plan(1, MAX_AMOUNT)
    plan["areas"][0]["allocation"] = MAX_AMOUNT - 1
    result = checker.check_plan(plan_from_data(plan), dt.date(2020, 4, 1))
    (over,) = [f for f in result.findings if f.rule == "GNV-102"]
    assert over.values["excess"] == 1
    plan["areas"][0]["allocation"] = MAX_AMOUNT
    result = checker.check_plan(plan_from_data(plan), dt.date(2020, 4, 1))
    assert not [f for f in result.findings if f.rule == "GNV-102"]


def test_the_wire_encoding_is_the_engines():
    """A fact goes to durable-rules as scalars only: dates as day numbers, absent and list
    fields left out, fields no rule reads left out, and each unknown field flagged."""
    from compliance.facts import Fact
    from compliance.i18n import Text

    fact = Fact("report", "report:[\"x\"]", ("reports", 0),
                {"submitted": dt.date(2022, 4, 1), "late": True, "names": ["a"], "none": None, "n": 3, "unread": 1},
                {"deadline": Text(sv="ingen", en="none")})
    wire = engine_mod.encode(fact, frozenset({"submitted", "late", "names", "none", "n", "deadline"}))
    assert wire == {"id": fact.id, "kind": "report", "submitted": dt.date(2022, 4, 1).toordinal(), "late": True,
                    "n": 3, "unknown__deadline": 1}
    assert engine_mod.encode(fact)["unread"] == 1  # no field list: every scalar field


def test_matches_are_typed_with_the_reasons_resolved(checker):
    """Engine.run gives each match its rule, outcome, the fact itself and, for a rule not
    evaluated, why: the pack's reason for each unknown field the rule reads; a failed one none."""
    import dataclasses

    from compliance.facts import build_facts
    from compliance.plans import load_plan

    loaded = load_plan(Path(__file__).resolve().parent.parent / "plans" / "rjh-gnv-2023.yaml", "rjh.yaml")
    pack = checker.book.agreement("gnv-2023")
    policy = checker.book.policy(loaded.plan.plan.region)
    facts = build_facts(loaded, pack, dt.date(2024, 6, 1))
    matches = checker.engine.run(pack, facts, policy)
    failed = [m for m in matches if m.outcome == "failed"]
    assert failed and all(m.reasons == () for m in failed)
    assert all(any(m.fact is f for f in facts) for m in matches)
    # GNV-103 (area allocations) and GNV-402 (the partial-report deadline) read fields 2023 cannot give
    unknown = [m for m in matches if m.rule_id in ("GNV-103", "GNV-402")]
    assert {m.rule_id for m in unknown} == {"GNV-103", "GNV-402"}
    for m in unknown:
        assert m.outcome == "not-evaluated" and m.fact.unknown
        rule = checker.book.by_id[m.rule_id]
        read = {f for c in (rule.guard, rule.condition) if c is not None for f in engine_mod.conditions.fields(c)}
        assert m.reasons == tuple(m.fact.unknown[f] for f in sorted(read) if f in m.fact.unknown) != ()
    # a rule its year does not state: the year's reason, on the plan
    year = [m for m in matches if m.rule_id in pack.excluded_rules and m.rule_id not in policy.applies]
    assert year and all(m.reasons == (engine_mod.not_applied_reason(pack, m.rule_id),) for m in year)
    assert matches == sorted(matches, key=lambda m: (m.rule_id, m.outcome, m.fact.id))
    with pytest.raises(dataclasses.FrozenInstanceError):
        matches[0].outcome = "passed"  # type: ignore[misc]
    applied = checker.engine.rules_applied(pack, policy)
    assert {m.rule_id for m in matches} <= set(applied)
    assert applied == [r.id for r in checker.book.rules if r.id in applied]  # rule-book order
