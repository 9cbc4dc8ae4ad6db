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


def test_a_fact_id_keeps_the_plans_text_as_written_and_no_spaces():
    """A finding's ``subject``, which a library caller reads, is its fact's id: the activity id
    as the plan writes it (``å``, not ``\\u00e5``), the parts joined by a bare comma."""
    previous = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "vårdcentral 1", "amount": 1000}]}])
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "vårdcentral 1", "amount": 900}]}])
    fact = one(facts(plan, dt.date(2022, 4, 1), previous), "revision-activity")
    assert fact.id == 'revision-activity:["nara-vard","vårdcentral 1"]'


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


def _activity(**fields: Any) -> Fact:
    plan = _plan(areas=[{"area": "nara-vard", "activities": [{"id": "a", "amount": 120_000, **fields}]}])
    return one(facts(plan, dt.date(2022, 6, 1)), "activity", activity="a")


def test_an_investment_charges_what_it_states_or_else_the_activitys_amount():
    """GNV-204's figures: the investment as stated, the charge, the year's depreciation and the excess."""
    stated = _activity(investment={"cost": 600_000, "useful_life_years": 5, "in_service": dt.date(2022, 7, 1),
                                   "charged": 70_000})
    assert {k: stated.data[k] for k in ("investment_cost", "useful_life_years", "in_service", "charged",
                                         "depreciation_allowed", "depreciation_months", "depreciation_excess")} == {
        "investment_cost": 600_000, "useful_life_years": 5, "in_service": dt.date(2022, 7, 1), "charged": 70_000,
        "depreciation_allowed": 60_000, "depreciation_months": 6, "depreciation_excess": 10_000}
    amount = _activity(investment={"cost": 600_000, "useful_life_years": 5, "in_service": dt.date(2022, 7, 1)})
    assert (amount.data["charged"], amount.data["depreciation_excess"]) == (120_000, 60_000)
    assert "investment_cost" not in _activity().data and "charged" not in _activity().data


@pytest.mark.parametrize(("given", "field"), [
    (["patientkontrakt", "samverkan-kommuner"], "patientkontrakt, samverkan-kommuner"),
    ("patientkontrakt", "patientkontrakt"), (None, None),
])
def test_an_activitys_requirement_codes_are_one_text_comma_separated(given, field):
    fact = _activity(**({"requirement": given} if given is not None else {}))
    assert fact.data["requirement"] == field


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


# -- the plan fact: GP earmark, parts, the region's place in the table --------------------


def test_the_gp_earmark_counts_the_named_gp_activities_of_its_area_after_other_areas():
    plan = _plan(areas=[{"area": "e-halsa", "activities": [{"id": "e", "amount": 5}]},
                        {"area": "nara-vard", "activities": [
                            {"id": "gp", "amount": 300, "requirement": "fast-lakarkontakt-rutiner"},
                            {"id": "other", "amount": 20}]}])
    whole = one(facts(plan, dt.date(2022, 4, 1)), "plan")
    assert (whole.data["gp_planned"], whole.data["gp_area_planned"]) == (300, 320)
    assert whole.data["gp_shortfall"] == whole.data["gp_implied_share"] - 300 > 0


def test_a_plan_without_the_gp_area_plans_nothing_of_it():
    plan = _plan(areas=[{"area": "e-halsa", "activities": [{"id": "e", "amount": 5}]}])
    whole = one(facts(plan, dt.date(2022, 4, 1)), "plan")
    assert (whole.data["gp_planned"], whole.data["gp_area_planned"]) == (0, 0)


def test_without_population_figures_the_gp_share_is_unknown_with_the_reason():
    whole = one(facts(_plan(), dt.date(2022, 4, 1), model=None), "plan")
    assert "gp_implied_share" not in whole.data and "gp_shortfall" not in whole.data
    reason = whole.unknown["gp_shortfall"]
    assert reason == whole.unknown["gp_implied_share"]
    assert (reason.sv, reason.en) == (f"{JH} finns inte i gnv-2022s befolkningsunderlag",
                                      f"{JH} is not in the gnv-2022 population figures")


def test_parts_total_adds_the_stated_area_allocations_only():
    areas = [{"area": "nara-vard", "allocation": 900, "activities": [{"id": "a", "amount": 1000}]},
             {"area": "e-halsa", "activities": [{"id": "e", "amount": 5}]}]
    assert one(facts(_plan(areas=areas), dt.date(2022, 4, 1)), "plan").data["parts_total"] == 900
    areas[0].pop("allocation")
    assert one(facts(_plan(areas=areas), dt.date(2022, 4, 1)), "plan").data["parts_total"] == 0


def test_region_in_table_from_a_published_table():
    pack = load_rulebook().agreement("gnv-2020")
    assert pack is not None and pack.region_table is not None and pack.allocation_missing is None
    plan = _plan("gnv-2020")
    assert one(facts(plan, dt.date(2020, 4, 1)), "plan").data["region_in_table"] is True
    plan["plan"] = {**plan["plan"], "region": "Region Uppsala"}
    other = one(facts(plan, dt.date(2020, 4, 1)), "plan")  # an incomplete table: not listed is not known
    assert "region_in_table" not in other.data
    assert other.unknown["region_in_table"] == pack.region_table.missing
    complete = pack.region_table.model_copy(update={"complete": True})
    assert one(facts(plan, dt.date(2020, 4, 1), region_table=complete), "plan").data["region_in_table"] is False


def test_region_in_table_unknown_without_a_model_or_table_says_why():
    plan = _plan("gnv-2023")
    reason = one(facts(plan, dt.date(2023, 4, 1)), "plan").unknown["region_in_table"]
    assert reason == load_rulebook().agreement("gnv-2023").allocation_missing  # type: ignore[union-attr]
    reason = one(facts(plan, dt.date(2023, 4, 1), allocation_missing=None), "plan").unknown["region_in_table"]
    assert (reason.sv, reason.en) == ("gnv-2023 anger inte vilka regioner som får medel",
                                      "gnv-2023 does not list the regions it funds")


# -- reports -------------------------------------------------------------------------


def test_a_report_sent_on_the_as_of_day_is_sent_and_the_earliest_of_several_counts():
    plan = _plan(reports=[{"kind": "final-report", "submitted": dt.date(2023, 4, 10)},
                          {"kind": "final-report", "submitted": dt.date(2023, 4, 5)},
                          {"kind": "final-report", "submitted": dt.date(2023, 4, 20)}])
    report = one(facts(plan, dt.date(2023, 4, 10)), "report", document="final-report")
    assert report.data["submitted"] == dt.date(2023, 4, 5) and report.path == ("reports", 1)
    assert report.data["days_late"] == 5  # due 2023-03-31
    report = one(facts(plan, dt.date(2023, 4, 5)), "report", document="final-report")
    assert report.data["submitted"] == dt.date(2023, 4, 5)
    report = one(facts(plan, dt.date(2023, 4, 4)), "report", document="final-report")
    assert "submitted" not in report.data and report.data["days_late"] == 4 and report.path == ("reports", 0)


def test_of_two_reports_sent_the_same_day_the_first_listed_is_the_one():
    plan = _plan(reports=[{"kind": "partial-report", "submitted": dt.date(2022, 9, 1)},
                          {"kind": "final-report", "submitted": dt.date(2023, 3, 1), "signed_by": "B"},
                          {"kind": "final-report", "submitted": dt.date(2023, 3, 1), "signed_by": "A"}])
    assert one(facts(plan, dt.date(2023, 4, 1)), "report", document="final-report").path == ("reports", 1)


def test_a_report_required_when_its_area_is_planned_is_required_from_one_krona():
    plan = _plan(areas=[{"area": "vfu", "activities": [{"id": "v", "amount": 1}]}])
    assert one(facts(plan, dt.date(2022, 4, 1)), "report", document="vfu-report").data["required"] is True
    assert one(facts(_plan(), dt.date(2022, 4, 1)), "report", document="vfu-report").data["required"] is False


@pytest.mark.parametrize(("recipients", "missing"), [
    (None, None), (["socialstyrelsen"], []), (["SKR"], ["Socialstyrelsen"]),
])
def test_missing_recipients_only_when_the_report_names_its_recipients(recipients, missing):
    report: dict[str, Any] = {"kind": "final-report", "submitted": dt.date(2023, 3, 1)}
    if recipients is not None:
        report["recipients"] = recipients
    fact = one(facts(_plan(reports=[report]), dt.date(2023, 4, 1)), "report", document="final-report")
    if missing is None:
        assert "missing_recipients" not in fact.data and "missing_recipient_names" not in fact.data
    else:
        assert fact.data["missing_recipients"] == len(missing)
        assert fact.data["missing_recipient_names"] == missing


def test_a_report_without_a_deadline_or_a_reason_in_the_pack_says_the_pack_gives_none():
    pack = load_rulebook().agreement("gnv-2023")
    assert pack is not None
    documents = {**pack.documents, "partial-report": pack.documents["partial-report"].model_copy(update={"missing": None})}
    report = one(facts(_plan("gnv-2023"), dt.date(2023, 4, 1), documents=documents), "report", document="partial-report")
    assert "deadline" not in report.data and "days_late" not in report.data
    reason = report.unknown["deadline"]
    assert (reason.sv, reason.en) == ("gnv-2023 anger ingen sista dag för partial-report",
                                      "gnv-2023 gives no deadline for partial-report")


# -- documents sent ------------------------------------------------------------------


def test_a_document_as_sent_with_its_references_signature_and_missing_contents():
    plan = _plan(reports=[
        {"kind": "partial-report", "submitted": dt.date(2022, 9, 1), "signed_by": "R", "gender_equality": True,
         "references": {"agreement": "S2022/1", "payment_decision": ""}, "contents": ["challenges"]},
        {"kind": "final-report", "submitted": dt.date(2023, 3, 1), "gender_equality": {"exempt_reason": "small"}},
        {"kind": "final-report", "submitted": dt.date(2023, 5, 1)},  # after the as-of date: not sent yet
        {"kind": "requisition", "submitted": dt.date(2023, 3, 2)},
    ])
    docs = of_kind(facts(plan, dt.date(2023, 4, 1)), "document")
    assert [d.path for d in docs] == [("reports", 0), ("reports", 1), ("reports", 3)]
    partial, final, requisition = docs
    assert partial.data == {
        "document": "partial-report", "submitted": dt.date(2022, 9, 1), "signed_by": "R",
        "ref_agreement": "S2022/1", "ref_payment": None, "gender_equality": True, "gender_exempt_reason": None,
        "contents_missing": 2, "contents_missing_list": ["completed-activities", "planned-activities"],
    }
    assert (final.data["gender_equality"], final.data["gender_exempt_reason"]) == (False, "small")
    assert final.data["signed_by"] is None and final.data["ref_agreement"] is None
    assert final.data["contents_missing"] == 6
    assert requisition.data["contents_missing"] == 0 and "amount" not in requisition.data  # asks for nothing
    assert partial.unknown == {} and requisition.unknown == {}
    assert one(facts(plan, dt.date(2023, 5, 1)), "document", submitted=dt.date(2023, 5, 1)).path == ("reports", 2)


def test_contents_unknown_where_the_pack_does_not_list_them():
    plan = _plan("gnv-2023", reports=[{"kind": "partial-report", "submitted": dt.date(2023, 9, 1)}])
    doc = one(facts(plan, dt.date(2023, 10, 1)), "document")
    assert "contents_missing" not in doc.data and "contents_missing_list" not in doc.data
    reason = doc.unknown["contents_missing"]
    assert (reason.sv, reason.en) == ("gnv-2023 anger inte vad en delredovisning ska innehålla",
                                      "gnv-2023 does not list what a partial report must contain")
    plan = _plan("gnv-2023", reports=[{"kind": "final-report", "submitted": dt.date(2023, 9, 1)}])
    reason = one(facts(plan, dt.date(2023, 10, 1), final_report_contents=None), "document").unknown["contents_missing"]
    assert (reason.sv, reason.en) == ("gnv-2023 anger inte vad en slutredovisning ska innehålla",
                                      "gnv-2023 does not list what a final report must contain")


# -- the economic report -------------------------------------------------------------------


def _financials(as_of: dt.date = dt.date(2023, 4, 1), agreement: str = "gnv-2022", **fin: Any) -> Fact:
    return one(facts(_plan(agreement, financials=fin), as_of), "financials")


def test_the_financials_as_stated_and_computed():
    fact = _financials(received=1000, total_costs=700, unspent=300,
                       cost_items=[{"item": "x", "amount": 400}, {"item": "y", "amount": 250}],
                       period={"start": dt.date(2022, 1, 1), "end": dt.date(2022, 12, 31)},
                       certification={"by": "Revisor", "verdict": "correct", "deviations": "", "measures": "m"},
                       repaid={"amount": 100, "date": dt.date(2023, 3, 31)})
    data = fact.data
    assert (data["received"], data["total_costs"], data["unspent"]) == (1000, 700, 300)
    assert (data["cost_items_total"], data["unspent_computed"]) == (650, 300)
    assert (data["period_start"], data["period_end"]) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert (data["document"], data["agreement_year"], data["as_of"]) == ("financial-report", 2022, dt.date(2023, 4, 1))
    assert (data["certified_by"], data["verdict"], data["deviations"], data["measures"]) == ("Revisor", "correct", None, "m")
    assert data["repayment_deadline"] == dt.date(2023, 3, 31)
    assert (data["repaid"], data["shortfall"]) == (100, 200)  # paid on the deadline
    assert data["amount"] == 1000 and data["ceiling"] == data["allocation"] + 1  # the model's 1 kr rounding
    assert fact.path == ("financials",) and fact.unknown == {}


@pytest.mark.parametrize(("paid", "as_of", "repaid"), [
    (dt.date(2023, 4, 1), dt.date(2023, 5, 1), 0),  # after the deadline (2023-03-31)
    (dt.date(2023, 3, 20), dt.date(2023, 3, 19), 0),  # after the as-of date
    (dt.date(2023, 3, 19), dt.date(2023, 3, 19), 100),  # on the as-of date
    (None, dt.date(2023, 5, 1), 0),  # no date
])
def test_a_repayment_counts_when_made_by_the_deadline_and_the_as_of_date(paid, as_of, repaid):
    fact = _financials(as_of, received=1000, total_costs=700, repaid={"amount": 100, "date": paid})
    assert (fact.data["repaid"], fact.data["shortfall"]) == (repaid, 300 - repaid)


def test_more_repaid_than_unspent_leaves_no_shortfall_and_no_costs_no_computed_figures():
    assert _financials(received=1000, total_costs=700, repaid={"amount": 400, "date": dt.date(2023, 1, 1)}
                       ).data["shortfall"] == 0
    data = _financials(received=1000).data
    for absent in ("unspent_computed", "shortfall", "cost_items_total", "period_start", "period_end"):
        assert absent not in data
    assert data["certified_by"] is None and data["verdict"] is None and data["repaid"] == 0
    data = _financials(total_costs=5).data
    assert "amount" not in data and "ceiling" not in data and "unspent_computed" not in data


def test_financials_without_a_repayment_deadline_say_why():
    fact = _financials(dt.date(2024, 4, 1), "gnv-2023", received=10, total_costs=5)
    assert "repayment_deadline" not in fact.data and "repaid" not in fact.data and "shortfall" not in fact.data
    assert fact.unknown["repayment_deadline"].en == "no seed gives the 2023 repayment deadline"
    pack = load_rulebook().agreement("gnv-2023")
    assert pack is not None
    for documents in ({k: v for k, v in pack.documents.items() if k != "repayment"},
                      {**pack.documents, "repayment": pack.documents["repayment"].model_copy(update={"missing": None})}):
        plan = _plan("gnv-2023", financials={"received": 10})
        reason = one(facts(plan, dt.date(2024, 4, 1), documents=documents), "financials").unknown["repayment_deadline"]
        assert (reason.sv, reason.en) == ("gnv-2023 anger ingen sista dag för återbetalning",
                                          "gnv-2023 gives no repayment deadline")


# -- requirements and indicators ------------------------------------------------------


def test_a_requirement_counts_the_assigned_activities_of_its_area_that_meet_it():
    plan = _plan(areas=[
        {"area": "e-halsa", "activities": [{"id": "e", "amount": 5, "requirement": "fast-lakarkontakt-rutiner"}]},
        {"area": "nara-vard", "activities": [
            {"id": "a", "amount": 5, "requirement": ["fast-lakarkontakt-information", "fast-lakarkontakt-rutiner"]},
            {"id": "c", "amount": 5, "requirement": "fast-lakarkontakt-rutiner", "unassigned": True},
            {"id": "b", "amount": 5, "requirement": "fast-lakarkontakt-rutiner"},
            {"id": "d", "amount": 5}]}])
    built = facts(plan, dt.date(2022, 4, 1))
    req = one(built, "requirement", requirement="fast-lakarkontakt-rutiner")
    assert (req.data["activities"], req.data["required"], req.data["area"]) == (2, True, "nara-vard")
    assert (req.data["met_by_field"], req.data["met_by"]) == ("requirement", ["fast-lakarkontakt-rutiner"])
    assert req.path == ("areas", 1) and req.id == fact_id("requirement", "fast-lakarkontakt-rutiner")
    assert one(built, "requirement", requirement="fast-lakarkontakt-information").data["activities"] == 1


def test_a_requirement_met_by_purpose_and_one_whose_area_is_not_planned():
    plan = _plan("gnv-2023", areas=[{"area": "ambulans", "activities": [
        {"id": "a", "amount": 5, "purpose": "responstider"}, {"id": "b", "amount": 5, "purpose": "x"}]}])
    req = one(facts(plan, dt.date(2023, 4, 1)), "requirement")
    assert (req.data["activities"], req.data["required"], req.data["met_by_field"]) == (1, True, "purpose")
    assert req.data["met_by"] == ["ambulans-utveckling", "responstider", "kompetens-ambulans", "sjuktransporter"]
    assert req.data["requirement_source"] == "000 Sammanfattning" and req.path == ("areas", 0)
    req = one(facts(_plan("gnv-2023"), dt.date(2023, 4, 1)), "requirement")
    assert (req.data["activities"], req.data["required"], req.path) == (0, False, ("areas",))
    req = one(facts(_plan("gnv-2023", areas=[]), dt.date(2023, 4, 1)), "requirement")
    assert req.path == ("areas",)
    no_areas = {"plan": _plan("gnv-2023")["plan"]}  # nothing to point at but the plan's header
    assert one(facts(no_areas, dt.date(2023, 4, 1)), "requirement").path == ("plan",)


def test_indicators_against_their_targets():
    plan = _plan(indicators={"named_gp_share": 0.5, "continuity_index_change": 0.25})
    built = of_kind(facts(plan, dt.date(2022, 4, 1)), "indicator")
    assert [(f.data["indicator"], f.path) for f in built] == [
        ("continuity_index_change", ("indicators", "continuity_index_change")),
        ("named_gp_share", ("indicators", "named_gp_share"))]
    assert built[1].data == {"indicator": "named_gp_share", "value": 0.5, "as_of": dt.date(2022, 4, 1),
                             "target": 0.55, "shortfall": 0.05}
    assert built[0].data["shortfall"] == -0.05
    unknown = one(facts(_plan("gnv-2023", indicators={"named_gp_share": 0.5}), dt.date(2023, 4, 1)), "indicator")
    assert "target" not in unknown.data and "shortfall" not in unknown.data
    assert unknown.unknown["target"].en == "no seed gives the 2023 target for the share with a named regular GP"


def test_an_indicator_without_a_target_or_a_reason_in_the_pack_says_the_pack_gives_none():
    pack = load_rulebook().agreement("gnv-2023")
    assert pack is not None
    targets = {k: v.model_copy(update={"missing": None}) for k, v in pack.targets.items()}
    plan = _plan("gnv-2023", indicators={"named_gp_share": 0.5})
    reason = one(facts(plan, dt.date(2023, 4, 1), targets=targets), "indicator").unknown["target"]
    assert (reason.sv, reason.en) == ("gnv-2023 anger inget mål för named_gp_share",
                                      "gnv-2023 gives no target for named_gp_share")


def test_an_area_the_agreement_gives_no_figure_for_says_why_most_specific_reason_first():
    plan = _plan(areas=[{"area": "vfu", "allocation": 10, "activities": [{"id": "v", "amount": 7}]}])
    pack = load_rulebook().agreement("gnv-2022")
    assert pack is not None
    area = one(facts(plan, dt.date(2022, 4, 1)), "area")
    assert area.unknown["agreement_allocation"] == area.unknown["allocation_diff"] == pack.areas["vfu"].missing
    assert (area.data["excess"], area.data["unplanned"]) == (-3, 3)
    areas = {**pack.areas, "vfu": pack.areas["vfu"].model_copy(update={"missing": None})}
    reason = one(facts(plan, dt.date(2022, 4, 1), areas=areas), "area").unknown["agreement_allocation"]
    assert reason.en == "gnv-2022 gives no regional figure for vfu (distributed by another key than population)"
    table = load_rulebook().agreement("gnv-2020").region_table  # type: ignore[union-attr]
    assert table is not None
    row = {code: v for code, v in table.rows[JH].items() if code != "e-halsa"}
    plan = _plan("gnv-2020", areas=[{"area": "e-halsa", "activities": [{"id": "e", "amount": 7}]}])
    area = one(facts(plan, dt.date(2020, 4, 1), region_table=table.model_copy(update={"rows": {JH: row}})), "area")
    reason = area.unknown["agreement_allocation"]
    assert (reason.sv, reason.en) == ("gnv-2020 ger ingen siffra för e-halsa", "gnv-2020 gives no figure for e-halsa")


def test_a_target_the_plan_format_has_no_indicator_for_is_passed_over():
    pack = load_rulebook().agreement("gnv-2022")
    assert pack is not None
    targets = {**pack.targets, "waiting_days": pack.targets["named_gp_share"]}
    built = facts(_plan(indicators={"named_gp_share": 0.5}), dt.date(2022, 4, 1), targets=targets)
    assert [f.data["indicator"] for f in of_kind(built, "indicator")] == ["named_gp_share"]


def test_an_indicators_shortfall_is_rounded_to_four_decimals():
    fact = one(facts(_plan(indicators={"named_gp_share": 0.12345}), dt.date(2022, 4, 1)), "indicator")
    assert fact.data["shortfall"] == 0.4266  # 0.55 − 0.12345
