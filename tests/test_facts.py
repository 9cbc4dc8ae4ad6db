"""The facts a small plan gives: each field's value, its absence, and the reason when the pack cannot give it.

Built through ``build_facts`` from plans written here, so they hold whatever the engine
or the checker become. Many pin what the mutation run (scripts/mutation.sh) found no
other test to notice: a wrong sign, a dropped field, a reason lost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from compliance.facts import DuplicateFactError, Fact, build_facts, check_unique, fact_id
from compliance.packs import load_rulebook
from compliance.plans import plan_from_data

JH = "Region Jämtland Härjedalen"


def _plan(agreement: str = "gnv-2022", areas: list[dict[str, Any]] | None = None, **top: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "plan": {"id": "p", "region": JH, "agreement": agreement},
        "areas": areas if areas is not None else [{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]}],
    }
    plan.update(top)
    return plan


def facts(plan: dict[str, Any], as_of: dt.date, previous: dict[str, Any] | None = None, **pack_changes: Any) -> list[Fact]:
    """The facts of ``plan`` (and the version it revises); ``pack_changes`` alter its agreement pack."""
    pack = load_rulebook().agreement(plan["plan"]["agreement"])
    assert pack is not None
    pack = pack.model_copy(update=pack_changes)
    before = plan_from_data(previous, "before.yaml") if previous is not None else None
    return build_facts(plan_from_data(plan, "p.yaml"), pack, as_of, before)


def of_kind(all_facts: list[Fact], kind: str) -> list[Fact]:
    return [f for f in all_facts if f.kind == kind]


def one(all_facts: list[Fact], kind: str, **match: Any) -> Fact:
    found = [f for f in of_kind(all_facts, kind) if all(f.data.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (kind, match, found)
    return found[0]


# -- ids -------------------------------------------------------------------------------


def test_every_fact_id_is_its_kind_then_its_parts():
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1}]},
                        {"area": "vfu", "activities": [{"id": "b", "amount": 2}]}],
                 reports=[{"kind": "final-report", "submitted": dt.date(2023, 3, 1)}])
    previous = _plan(areas=[{"area": "e-halsa", "activities": [{"id": "c", "amount": 3}]}])
    built = facts(plan, dt.date(2023, 4, 1), previous)
    assert {f.kind for f in built} >= {"plan", "area", "activity", "report", "document", "requirement",
                                       "revision", "revision-area", "revision-activity"}
    for f in built:
        assert f.id.startswith(f"{f.kind}:["), f.id
    assert one(built, "revision").id == fact_id("revision")
    assert one(built, "revision-area", area="e-halsa").id == fact_id("revision-area", "e-halsa")
    assert one(built, "revision-activity", area="e-halsa", activity="c").id == fact_id("revision-activity", "e-halsa", "c")


def test_fact_ids_are_json_and_tell_apart_parts_that_join_alike():
    a, b = fact_id("activity", "a/b", "c"), fact_id("activity", "a", "b/c")
    assert a != b
    assert json.loads(a.removeprefix("activity:")) == ["a/b", "c"]
    assert json.loads(fact_id("area", "x,y", 3).removeprefix("area:")) == ["x,y", 3]


def test_two_facts_with_one_id_are_a_builder_bug_named_by_the_id():
    fact = Fact("plan", fact_id("plan", "plan"), ("plan",), {})
    check_unique([fact, Fact("area", fact_id("area", "plan"), ("plan",), {})])
    with pytest.raises(DuplicateFactError, match=re.escape("two facts with the id 'plan:[\"plan\"]'")):
        check_unique([fact, Fact("plan", fact.id, ("plan",), {})])


# -- the plan's totals -----------------------------------------------------------------


def test_an_area_listed_twice_counts_once_with_both_parts_planned():
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]},
                        {"area": "nara-vard", "activities": [{"id": "b", "amount": 500}]},
                        {"area": "vfu", "activities": [{"id": "v", "amount": 70}]}])
    whole = one(facts(plan, dt.date(2022, 4, 1)), "plan")
    assert whole.data["planned"] == 1500  # VFU money lies outside the regional total
    assert whole.data["planned_outside_total"] == 70


def test_a_published_table_is_exact_and_cited_whatever_the_packs_rounding():
    plan = _plan("gnv-2020", areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]}])
    whole = one(facts(plan, dt.date(2020, 4, 1), published_rounding=5), "plan")
    assert whole.data["allocation_tolerance"] == 0
    assert whole.data["allocation_source"] == "001 §2"
    assert whole.data["excess"] == 1000 - whole.data["allocation"]


def test_a_published_row_lacking_an_area_leaves_the_total_unknown_and_says_so():
    pack = load_rulebook().agreement("gnv-2020")
    assert pack is not None and pack.region_table is not None
    row = {code: v for code, v in pack.region_table.rows[JH].items() if code != "e-halsa"}
    table = pack.region_table.model_copy(update={"rows": {JH: row}})
    plan = _plan("gnv-2020", areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]}])
    whole = one(facts(plan, dt.date(2020, 4, 1), region_table=table), "plan")
    assert "allocation" not in whole.data and "excess" not in whole.data
    assert set(whole.unknown) >= {"allocation", "excess", "allocation_tolerance"}
    reason = whole.unknown["allocation"]
    assert (reason.sv, reason.en) == ("gnv-2020 saknar en del av regionens tilldelning",
                                      "gnv-2020 lacks part of the region's allocation")


def test_the_model_allows_the_packs_rounding_and_cites_the_model():
    whole = one(facts(_plan(), dt.date(2022, 4, 1), published_rounding=3), "plan")
    assert whole.data["allocation_tolerance"] == 3
    assert whole.data["allocation_source"] == "003 §9, Bilaga 4"


# -- the ceiling of a requisition (GNV-415) --------------------------------------------

# gnv-2023 gives Jämtland Härjedalen's total only as a bound ("knappt 75,5 mkr"), and VFU money
# lies outside it: a requisition is held to the bound only for what it asks beyond the VFU money.
VFU_PLAN = _plan(
    "gnv-2023",
    areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 70_000_000}]},
           {"area": "vfu", "activities": [{"id": "v", "amount": 1_000_000}]}],
)


def _requisition(requested: int) -> Fact:
    plan = {**VFU_PLAN, "reports": [{"kind": "requisition", "submitted": dt.date(2023, 3, 1), "requested": requested}]}
    return one(facts(plan, dt.date(2023, 4, 1)), "document", document="requisition")


def test_a_requisition_above_the_bound_less_its_vfu_money_has_the_bound_plus_vfu_as_ceiling():
    doc = _requisition(76_500_001)  # 75 500 001 without the VFU million: above the bound
    assert doc.data["amount"] == 76_500_001
    assert doc.data["ceiling"] == 75_500_000 + 1_000_000
    assert doc.data["allocation"] == 75_500_000
    assert doc.data["vfu_planned"] == 1_000_000
    assert doc.data["allocation_source"].startswith("000 Sammanfattning: «Region Jämtland Härjedalen får")
    assert "ceiling" not in doc.unknown


def test_a_requisition_within_the_bound_once_its_vfu_money_is_taken_out_has_no_ceiling():
    doc = _requisition(76_500_000)  # 75 500 000 without the VFU million: not above the bound
    assert doc.data["amount"] == 76_500_000
    assert "ceiling" not in doc.data and "vfu_planned" not in doc.data
    reason = doc.unknown["ceiling"]
    assert reason.en.endswith("; the amount is not above the bound of SEK 75,500,000 (000 Sammanfattning), "
                              "so the rule cannot be decided")
    assert reason.sv.endswith("; beloppet ligger inte över gränsen 75 500 000 kr (000 Sammanfattning), "
                              "så regeln kan inte avgöras")


# -- revisions -------------------------------------------------------------------------


def test_an_area_the_revision_drops_or_adds_has_its_before_and_after():
    previous = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]},
                            {"area": "e-halsa", "activities": [{"id": "e", "amount": 300}]}])
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]},
                        {"area": "ambulans", "activities": [{"id": "m", "amount": 200}]}])
    built = facts(plan, dt.date(2022, 4, 1), previous)
    dropped = one(built, "revision-area", area="e-halsa")
    assert (dropped.data["before"], dropped.data["after"], dropped.data["change"]) == (300, 0, -300)
    assert dropped.data["moved"] == 300 and dropped.path == ("areas",)
    assert (dropped.data["rise_elsewhere"], dropped.data["fall_elsewhere"]) == (200, 0)
    added = one(built, "revision-area", area="ambulans")
    assert (added.data["before"], added.data["after"], added.data["change"]) == (0, 200, 200)
    assert added.data["moved"] == 0 and added.path == ("areas", 1)
    assert (added.data["rise_elsewhere"], added.data["fall_elsewhere"]) == (0, 300)
    same = one(built, "revision-area", area="nara-vard")
    assert (same.data["change"], same.data["rise_elsewhere"], same.data["fall_elsewhere"]) == (0, 200, 300)


def test_an_area_listed_twice_is_summed_before_and_after():
    twice = [{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]},
             {"area": "nara-vard", "activities": [{"id": "b", "amount": 500}]}]
    previous = _plan(areas=twice)
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000}]}])
    built = facts(plan, dt.date(2022, 4, 1), previous)
    area = one(built, "revision-area", area="nara-vard")
    assert (area.data["before"], area.data["after"], area.data["change"]) == (1500, 1000, -500)
    assert one(built, "revision-activity", activity="b").data["change"] == -500


def test_an_activity_the_revision_drops_or_adds_has_its_before_after_and_where_it_was():
    previous = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 1000},
                                                                 {"id": "gone", "amount": 40, "name": "Gone"}]},
                            {"area": "e-halsa", "activities": [{"id": "e", "amount": 300}]}])
    plan = _plan(areas=[{"area": "ambulans", "activities": [{"id": "m", "amount": 200}]},
                        {"area": "nara-vard", "activities": [{"id": "a", "amount": 900}, {"id": "new", "amount": 7,
                                                                                            "purpose": "landsbygd"}]}])
    built = facts(plan, dt.date(2022, 4, 1), previous)
    acts = {f.data["activity"]: f for f in of_kind(built, "revision-activity")}
    assert sorted(acts) == ["a", "e", "gone", "m", "new"]
    expect = {  # before, after, change, moved, path
        "a": (1000, 900, -100, 0, ("areas", 1, "activities", 0)),
        "gone": (40, 0, -40, 0, ("areas", 1)),  # its area is still there
        "e": (300, 0, -300, 0, ("areas",)),  # its area is gone too
        "m": (0, 200, 200, 200, ("areas", 0, "activities", 0)),
        "new": (0, 7, 7, 7, ("areas", 1, "activities", 1)),
    }
    for name, (before, after, change, moved, path) in expect.items():
        f = acts[name]
        assert (f.data["before"], f.data["after"], f.data["change"], f.data["moved"], f.path) == (
            before, after, change, moved, path), name
    assert acts["new"].data["purpose"] == "landsbygd" and acts["a"].data["purpose"] is None
    assert acts["gone"].data["name"] == "Gone" and acts["a"].data["name"] is None
    assert acts["e"].data["subject"] == "e-halsa/e" and acts["e"].data["area"] == "e-halsa"
    assert acts["gone"].id != acts["a"].id
