"""Which rules apply where (issue 14): every rule only where a source of that year
states it, a region's own conditions only to that region's plans, and the
published Bilaga 4 to the krona passes the allocation rules for every region."""

import datetime as dt
import json
from fractions import Fraction

import pytest

from compliance import allocation, render
from compliance.findings import CheckRun
from compliance.plans import plan_from_data
from tests.test_allocation import REGION_COLS, _table

REGIONAL = {"GNV-201", "GNV-203", "GNV-204", "GNV-207", "GNV-208", "GNV-303"}


def test_a_pack_applies_a_rule_only_with_a_source_of_its_year(checker):
    book = checker.book
    for pack in book.agreements.values():
        assert pack.year_documents, pack.id
        for rule_id, sources in pack.applies.items():
            assert sources, (pack.id, rule_id)
            for source in sources:
                assert source.document in pack.year_documents, (pack.id, rule_id, source.document)
        for rule in book.rules:
            said = rule.id in pack.applies or rule.id in pack.excluded_rules or rule.id in book.regional_rules()
            assert said, (pack.id, rule.id)
    assert not book.regional_rules() - {r.id for r in book.rules}


def test_the_regional_conditions_are_the_seed_regions_own(checker):
    policy = checker.book.policy("Region Jämtland Härjedalen")
    assert set(policy.applies) == REGIONAL | {"GNV-205", "GNV-206"}
    assert checker.book.policy("Region Västerbotten") is None
    for pack in checker.book.agreements.values():
        assert not REGIONAL & set(pack.applies), pack.id


def test_bilaga_4_to_the_krona_passes_101_and_103_for_every_region(checker):
    published = _table("Bilaga 4", 2)
    assert len(published) == 21
    pack = checker.book.agreement("gnv-2022")
    for region, cells in published.items():
        areas = [
            {"area": code, "allocation": amount, "activities": [{"id": f"a-{code}", "amount": amount}]}
            for code, amount in zip(REGION_COLS, cells, strict=False)
        ]
        plan = {"plan": {"id": "b4", "region": region, "agreement": "gnv-2022"}, "areas": areas}
        result = checker.check_plan(plan_from_data(plan), dt.date(2022, 4, 1))
        wrong = [(f.rule, f.outcome, f.message) for f in result.findings if f.rule in ("GNV-101", "GNV-103")]
        assert wrong == [], region
        # the tolerance is Bilaga 4's rounding (1 kr over the model), not more
        model_total = sum(allocation.regional(pack)[region][c] for c in REGION_COLS)
        areas[0]["activities"][0]["amount"] += model_total + 2 - sum(cells[: len(REGION_COLS)])
        result = checker.check_plan(plan_from_data(plan), dt.date(2022, 4, 1))
        (over,) = [f for f in result.findings if f.rule == "GNV-101"]
        assert (over.outcome, over.values["excess"]) == ("failed", 2), region


def _plan(region, agreement="gnv-2022"):
    return plan_from_data({
        "plan": {"id": "p", "region": region, "agreement": agreement},
        "areas": [{"area": "nara-vard", "activities": [{"id": "a", "amount": 100, "new": True}]}],
    })


def test_one_regions_conditions_are_not_applied_to_another(checker):
    other = checker.check_plan(_plan("Region Västerbotten"), dt.date(2022, 4, 1))
    assert not [f for f in other.findings if f.rule in REGIONAL]
    assert not REGIONAL & set(other.rules_applied)
    assert other.notes == ["Inga regionala villkor finns för Region Västerbotten: planen prövas bara mot "
                           "överenskommelsen"]
    own = checker.check_plan(_plan("Region Jämtland Härjedalen"), dt.date(2022, 4, 1))
    assert {f.rule for f in own.findings if f.outcome == "failed"} >= {"GNV-201", "GNV-203", "GNV-207", "GNV-208"}
    assert own.notes == []


@pytest.mark.parametrize("fmt", ["text", "json", "html", "markdown", "junit", "sarif"])
def test_every_format_says_there_are_no_regional_conditions(checker, fmt):
    result = checker.check_plan(_plan("Region Västerbotten"), dt.date(2022, 4, 1))
    run = CheckRun(dt.date(2022, 4, 1), "sv", [result], [])
    out = render.get(fmt)(run, checker.book)
    assert "Inga regionala villkor finns för Region Västerbotten" in out
    if fmt == "json":
        assert json.loads(out)["results"][0]["notes"] == result.notes


@pytest.mark.parametrize(("agreement", "year", "rule"), [
    ("gnv-2020", 2020, "GNV-406"), ("gnv-2020", 2020, "GNV-413"), ("gnv-2023", 2023, "GNV-409"),
    ("gnv-2023", 2023, "GNV-209"), ("gnv-2022", 2022, "GNV-411"),
])
def test_a_condition_no_source_of_the_year_states_is_not_evaluated_once(checker, agreement, year, rule):
    plan = plan_from_data({
        "plan": {"id": "p", "region": "Region Västerbotten", "agreement": agreement},
        "areas": [{"area": "vidareutbildning", "activities": [{"id": "a", "amount": 1}, {"id": "b", "amount": 1}]}],
        "reports": [{"kind": "final-report", "submitted": f"{year + 1}-03-01"}],
        "financials": {"received": 10, "total_costs": 5, "unspent": 1},
    })
    result = checker.check_plan(plan, dt.date(year + 1, 4, 30))
    found = [f for f in result.findings if f.rule == rule]
    assert [(f.outcome, f.location.path, f.values) for f in found] == [("not-evaluated", "plan", {})]
    assert found[0].message.startswith(f"ej bedömd: ingen källa för {year} anger detta villkor")


@pytest.mark.parametrize(("agreement", "as_of", "rule", "consequence"), [
    ("gnv-2022", "2022-12-02", "GNV-401", " Rätten till bidraget förfaller om rekvisitionen inte inkommit i tid. (003 §10.1)"),
    ("gnv-2023", "2023-12-02", "GNV-401", ""),
    ("gnv-2022", "2022-10-01", "GNV-402", " Delredovisningen är en förutsättning för att få ta del av medlen. (003 §10.1)"),
    ("gnv-2020", "2020-10-01", "GNV-402", ""),
])
def test_a_message_states_the_consequence_its_own_years_source_gives(checker, agreement, as_of, rule, consequence):
    plan = plan_from_data({"plan": {"id": "p", "region": "Region Västerbotten", "agreement": agreement}})
    result = checker.check_plan(plan, dt.date.fromisoformat(as_of))
    (found,) = [f for f in result.findings if f.rule == rule]
    assert found.outcome == "failed"
    assert found.message.endswith(f"(bedömt per {as_of}).{consequence}")


def test_pack_figures_follow_the_seeds_own_arithmetic(checker):
    y2020 = checker.book.agreement("gnv-2020")
    # 001 §1.3.1 prints 1 453 mkr; the region's shares and §1.1's 5 698 mkr need 1 435
    assert y2020.areas["nara-vard"].national_amount == 1_435_000_000
    assert sum(a.national_amount for a in y2020.areas.values()) // 1_000_000 == 5698
    row = y2020.region_table.rows["Region Jämtland Härjedalen"]
    share = Fraction(row["resursforstarkning"], y2020.areas["resursforstarkning"].national_amount)
    assert abs(share * 1_435_000_000 - row["nara-vard"]) <= 1  # the same population share, to the krona
    assert abs(share * 1_453_000_000 - row["nara-vard"]) > 200_000
    assert any("1 435" in note for note in y2020.notes)
    # VFU's 250 mkr are the regions' and the municipalities' together (003 §8), not the regions'
    y2022 = checker.book.agreement("gnv-2022")
    assert y2022.areas["vfu"].national_amount is None and y2022.areas["vfu"].allocated_by == "unknown"
    assert y2022.areas["e-halsa"].source.section == "§2.2, §8"
