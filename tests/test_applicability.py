"""Which rules apply where (issue 14): every rule only where a source of that year
states it, a region's own conditions only to that region's plans, and the
published Bilaga 4 to the krona passes the allocation rules for every region."""

import datetime as dt
import json
import re
from fractions import Fraction

import pytest

from compliance import allocation, render
from compliance.findings import CheckRun
from compliance.legend import legend
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
    run = CheckRun(dt.date(2022, 4, 1), "sv", [result], [], legend=legend(checker.book, "sv"))
    out = render.get(fmt)(run)
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


def test_every_requirement_belongs_to_an_area_of_its_year_and_its_purposes(checker):
    for pack in checker.book.agreements.values():
        for code, req in pack.requirements.items():
            assert req.area in pack.areas, (pack.id, code)
            assert (req.by == "purpose") == bool(req.purposes), (pack.id, code)
            assert set(req.purposes) <= set(pack.areas[req.area].purposes), (pack.id, code)
            assert req.source.document in pack.year_documents, (pack.id, code)
    # the codes and purposes the plan format lists (GNV-211's table)
    y2022 = checker.book.agreement("gnv-2022").requirements
    assert {c for c, r in y2022.items() if r.by == "code" and r.area == "nara-vard"} == {
        "fast-lakarkontakt-rutiner", "fast-lakarkontakt-information", "patientkontrakt", "samverkan-kommuner",
        "halsoframjande-arbetssatt", "undvika-slutenvard", "resursutnyttjande", "privata-aktorer",
        "tillganglighet-digital-fysisk"}
    assert {c for c, r in y2022.items() if r.area == "e-halsa"} == {"gemensamma-standarder",
                                                                   "informationsutbyte-kommuner"}
    assert {c for c, r in y2022.items() if r.area == "vardens-medarbetare"} == {
        "kompetensforsorjning", "arbetsplatsen", "framtida-medarbetare"}
    assert set(checker.book.agreement("gnv-2020").requirements) == {"tillganglighet-bhv", "samverkan-bhv"}
    assert set(checker.book.agreement("gnv-2023").requirements) == {"ambulans-utveckling"}


def test_report_contents_accept_the_plan_formats_codes_and_refuse_others(tmp_path):
    from click.testing import CliRunner

    from compliance.cli import main

    codes = ["completed-activities", "planned-activities", "challenges", "results", "use-of-funds",
             "collaboration", "avoidable-inpatient-care", "primary-care-resourcing", "at-st-dimensioning"]
    head = "plan: {id: p, region: Region Västerbotten, agreement: gnv-2022}\nreports:\n"
    good = tmp_path / "good.yaml"
    good.write_text(head + f"  - {{kind: final-report, submitted: 2023-03-01, contents: [{', '.join(codes)}]}}\n")
    result = CliRunner().invoke(main, ["check", str(good), "--as-of", "2023-04-01", "--format", "json"])
    doc = json.loads(result.stdout)
    assert doc["errors"] == [] and not [f for f in doc["results"][0]["findings"] if f["rule"] == "GNV-414"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(head + "  - {kind: final-report, submitted: 2023-03-01, contents: [results, resultat]}\n")
    result = CliRunner().invoke(main, ["check", str(bad), "--as-of", "2023-04-01"])
    assert result.exit_code == 2
    assert "reports[0].contents[1]: 'resultat'" in result.output and "'use-of-funds'" in result.output


def test_the_implied_shares_of_the_200_mkr_add_up_to_the_krona(checker):
    from compliance.facts import build_facts

    pack = checker.book.agreement("gnv-2022")
    shares = {}
    for region, population in pack.model.population.items():
        plan = plan_from_data({"plan": {"id": "p", "region": region, "agreement": "gnv-2022"},
                               "areas": [{"area": "nara-vard", "activities": [{"id": "a", "amount": 1}]}]})
        (fact,) = [f for f in build_facts(plan, pack, dt.date(2022, 4, 1)) if f.kind == "plan"]
        shares[region] = fact.data["gp_implied_share"]
        exact = Fraction(200_000_000 * population, sum(pack.model.population.values()))
        assert abs(shares[region] - exact) < 1, region
    assert sum(shares.values()) == 200_000_000


def test_rules_show_says_for_every_pack_whether_the_rule_applies_and_why(checker):
    from click.testing import CliRunner

    from compliance.cli import main

    book = checker.book
    for rule in book.rules:
        out = CliRunner().invoke(main, ["rules", "show", rule.id, "--lang", "en"]).output
        rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines() if line.startswith("| gnv-")}
        assert set(rows) == set(book.agreements), rule.id
        for pid, pack in book.agreements.items():
            if rule.id in pack.applies:
                assert f"| {pid} | yes | {pack.applies[rule.id][0].document} " in rows[pid], (rule.id, pid)
            elif rule.id in pack.excluded_rules:
                assert f"| {pid} | not evaluated | no source of {pack.year} states this condition" in rows[pid]
            else:
                assert "only where a regional pack applies it" in rows[pid], (rule.id, pid)
                assert "| region-jh (Region Jämtland Härjedalen) | yes, every year | 001 " in out or \
                    "| region-jh (Region Jämtland Härjedalen) | yes, every year | 000 " in out, rule.id
    gnv101 = CliRunner().invoke(main, ["rules", "show", "GNV-101", "--lang", "en"]).output
    assert "Region Jämtland Härjedalen: at most 75500000 kr (000 Sammanfattning" in gnv101
    assert "region totals: 003 §9, Bilaga 4, within 1 kr" in gnv101
    gnv101 = CliRunner().invoke(main, ["rules", "show", "GNV-101"]).output  # the default: Swedish
    assert "| gnv-2020 | ja | 001 §2" in gnv101 and "Region Jämtland Härjedalen: högst 75500000 kr" in gnv101
    assert "regionernas summor: 003 §9, Bilaga 4, inom 1 kr" in gnv101


def _copy_rules(tmp_path):
    import shutil

    from compliance.packs import RULES_DIR

    dest = tmp_path / "rules"
    shutil.copytree(RULES_DIR, dest)
    return dest


def test_a_pack_applying_a_rule_on_another_years_source_does_not_load(tmp_path):
    from compliance.errors import InputError
    from compliance.packs import _load_files, _rule_files

    rules = _copy_rules(tmp_path)
    pack = rules / "gnv-2020" / "agreement.yaml"
    text = pack.read_text("utf-8")
    excluded = re.search(r"  GNV-209:\n    sv: .*\n    en: .*\n", text)
    assert excluded is not None
    text = text.replace(excluded.group(0), "")
    text = text.replace("applies:\n", 'applies:\n  GNV-209: [{document: "003", section: "§4.7.1"}]\n', 1)
    pack.write_text(text, "utf-8")
    with pytest.raises(InputError, match="applies GNV-209 with no source of 2020"):
        _load_files(rules, _rule_files(rules))


def test_a_pack_silent_on_a_rule_does_not_load(tmp_path):
    from compliance.errors import InputError
    from compliance.packs import _load_files, _rule_files

    rules = _copy_rules(tmp_path)
    pack = rules / "gnv-2022" / "agreement.yaml"
    text = pack.read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("  GNV-413:"))
    pack.write_text(text.replace(line + "\n", ""), "utf-8")
    with pytest.raises(InputError, match="says nothing of GNV-413"):
        _load_files(rules, _rule_files(rules))
