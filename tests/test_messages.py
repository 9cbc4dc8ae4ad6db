"""Messages a plan author can act on: the field path to write, the year's codes, a
did-you-mean for every code and region name, and values written as a Swede reads them."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.cli import main
from compliance.hints import did_you_mean, fold, show
from compliance.rules import render

AS_OF = dt.date(2022, 4, 1)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(checker, path, rule):
    run_ = checker.check_paths([str(path)], AS_OF)
    assert not run_.errors, run_.errors
    (result,) = run_.results
    return [f for f in result.findings if f.rule == rule and f.outcome == "failed"]


# -- folding and suggestions -----------------------------------------------------

@pytest.mark.parametrize(("typed", "meant"), [
    ("tillgänglighet", "tillganglighet"),
    ("nära-vård", "nara-vard"),
    ("Nära vård", "nara-vard"),
    ("NARA_VARD", "nara-vard"),
    ("E-hälsa", "e-halsa"),
    ("vårdens medarbetare", "vardens-medarbetare"),
    ("karriartjanst", "karriartjanster"),
])
def test_code_suggestions_fold_letters_case_and_hyphens(typed, meant):
    codes = ["nara-vard", "tillganglighet", "e-halsa", "vardens-medarbetare", "karriartjanster", "kontinuitet"]
    assert did_you_mean(typed, codes) == meant


@pytest.mark.parametrize(("typed", "meant"), [
    ("Västerbotten", "Region Västerbotten"),
    ("västerbotten", "Region Västerbotten"),
    ("Region Vasterbotten", "Region Västerbotten"),
    ("Jönköping", "Region Jönköpings län"),
    ("Region Jamtland-Harjedalen", "Region Jämtland Härjedalen"),
])
def test_region_suggestions(typed, meant):
    regions = ["Region Västerbotten", "Region Västernorrland", "Region Jönköpings län",
               "Region Jämtland Härjedalen", "Västra Götalandsregionen"]
    assert did_you_mean(typed, regions) == meant


def test_no_suggestion_for_something_else_or_itself():
    assert did_you_mean("ambulansflyg", ["nara-vard", "e-halsa"]) is None
    assert did_you_mean("nara-vard", ["nara-vard"]) is None
    assert fold(" Nära  Vård ") == "nara-vard"


# -- values as a Swede reads them ----------------------------------------------

def test_booleans_and_amounts_in_messages():
    text = "{flag} {amount:kr} {none}"
    assert render(text, {"flag": False, "amount": 18174397}, {}, "sv") == "nej 18 174 397 kr —"
    assert render(text, {"flag": True, "amount": 18174397}, {}, "en") == "yes SEK 18,174,397 —"
    assert show(False, "sv") == "nej" and show(True, "en") == "yes" and show(18174397, "sv") == "18 174 397 kr"
    assert show([True, 1500, None], "sv") == "ja, 1 500 kr, —"


def test_hint_and_allowed_clauses_render_or_vanish():
    text = "okänt{suggestion:hint}{allowed_codes:oneof}."
    assert render(text, {"suggestion": "nara-vard", "allowed_codes": ["e-halsa", "nara-vard"]}, {}, "sv") == (
        "okänt (menar du 'nara-vard'?); tillåtna: e-halsa, nara-vard.")
    assert render(text, {}, {}, "en") == "okänt."


# -- GNV-205: the field path to write --------------------------------------------

PRIVATE = """
plan: {id: p205, region: Region Jämtland Härjedalen, agreement: gnv-2020}
areas:
  - area: resursforstarkning
    allocation: 18997627
    responsible: Beställarchef
    activities:
      - id: listade
        amount: 2000000
        responsible: Beställarchef
        purpose: tillganglighet
        provider: private
        private_provider: {name: Vårdcentralen Exempel AB, reports_on_request: false}
"""


def test_gnv_205_names_the_path_and_no_python_boolean(write, checker):
    (f,) = findings(checker, write(PRIVATE), "GNV-205")
    assert "private_provider.contract" in f.message and "private_provider.reports_on_request: true" in f.message
    assert "(reports_on_request: nej)" in f.message
    assert "False" not in f.message and "None" not in f.message
    assert "2 000 000 kr" in f.message


def test_gnv_205_in_english(write, monkeypatch):
    path = write(PRIVATE)
    doc = json.loads(run("check", str(path), "--format", "json", "--as-of", "2022-04-01", "--lang", "en").output)
    (f,) = [f for f in doc["results"][0]["findings"] if f["rule"] == "GNV-205"]
    assert "under the activity's private_provider: private_provider.contract" in f["message"]
    assert "(reports_on_request: no)" in f["message"] and "False" not in f["message"]


def test_following_gnv_205_makes_it_pass(write, checker):
    fixed = PRIVATE.replace("reports_on_request: false}", "contract: lov, reports_on_request: true}")
    assert findings(checker, write(fixed), "GNV-205") == []


# -- GNV-108 and GNV-202: the year's codes and a did-you-mean ------------------------

CODES = """
plan: {id: p108, region: Västerbotten, agreement: gnv-2022}
areas:
  - area: nära-vård
    activities: [{id: a, amount: 100, purpose: kontinuitet}]
  - area: nara-vard
    activities:
      - {id: b, amount: 100, purpose: tillgänglighet}
      - {id: c, amount: 100, purpose: kontinuitet}
      - {id: d, amount: 100, purpose: ambulans-utveckling}
"""


def test_gnv_108_suggests_the_region_and_the_area(write, checker):
    by_path = {f.location.path: f for f in findings(checker, write(CODES), "GNV-108")}
    assert set(by_path) == {"plan", "areas[0]"}
    assert "(menar du 'Region Västerbotten'?)" in by_path["plan"].message
    assert by_path["plan"].values["suggestion"] == "Region Västerbotten"
    area = by_path["areas[0]"]
    assert "(menar du 'nara-vard'?)" in area.message
    assert ("tillåtna: ambulans, e-halsa, karriartjanster, nara-vard, vardens-medarbetare, vfu, vidareutbildning"
            in area.message)


def test_gnv_202_suggests_the_purpose_and_names_the_areas_purposes(write, checker):
    by_activity = {f.activity: f for f in findings(checker, write(CODES), "GNV-202")}
    assert set(by_activity) == {"b", "d"}  # c's purpose is right; a is in an unknown area (GNV-108)
    assert "(menar du 'tillganglighet'?)" in by_activity["b"].message
    assert "tillåtna: stod-till-omstallning, tillganglighet, kontinuitet, personcentrering" in by_activity["d"].message
    assert "menar du" not in by_activity["d"].message  # no guess where nothing is close
    assert by_activity["d"].values["allowed_codes"] == ["stod-till-omstallning", "tillganglighet", "kontinuitet",
                                                        "personcentrering"]


def test_rules_show_lists_the_years_codes():
    shown = run("rules", "show", "GNV-108").output
    assert "## Tillåtna koder per år" in shown
    assert "- **gnv-2020** (områden): `barnhalsovard`" in shown
    assert "`ambulans`, `e-halsa`, `karriartjanster`, `nara-vard`, `vardens-medarbetare`, `vfu`" in shown
    assert "Region Västerbotten" in shown
    purposes = run("rules", "show", "GNV-202", "--lang", "en").output
    assert "## Allowed codes per year" in purposes
    assert "  - `e-halsa`: `standarder`\n" in purposes  # 2022 and 2023: standards only
    assert "`landsbygd`" in purposes  # 2023's rural primary care
    assert "`tillganglighet-bhv`, `samverkan-bhv`" in purposes
    assert "Allowed codes" not in run("rules", "show", "GNV-204").output


# -- requirement codes are checked when the plan is read -------------------------------

REQS = """
plan: {id: preq, region: Region Västerbotten, agreement: gnv-2022}
areas:
  - area: nara-vard
    activities:
      - {id: b, amount: 100, requirement: REQ_B}
  - area: e-halsa
    activities:
      - {id: c, amount: 100, requirement: REQ_C}
"""


def test_a_misspelt_requirement_code_is_an_input_error(write):
    path = write(REQS.replace("REQ_B", "patientkontrakter").replace("REQ_C", "gemensamma-standarder"))
    result = run("check", str(path), "--as-of", "2022-04-01")
    assert result.exit_code == 2
    (line,) = [ln for ln in result.output.splitlines() if "requirement" in ln]
    assert f"{path}:5:" in line and "areas[0].activities[0].requirement" in line
    assert "'patientkontrakter' är ingen kravkod i gnv-2022; menar du 'patientkontrakt'?" in line
    assert "området nara-vard har: fast-lakarkontakt-information, fast-lakarkontakt-rutiner, " \
        "halsoframjande-arbetssatt, patientkontrakt, privata-aktorer" in line


def test_a_requirement_code_of_another_area_is_an_input_error(write):
    path = write(REQS.replace("REQ_B", "gemensamma-standarder").replace("REQ_C", "patientkontrakt"))
    result = run("check", str(path), "--as-of", "2022-04-01", "--lang", "en")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "areas[0].activities[0].requirement: 'gemensamma-standarder' belongs to the area e-halsa, not nara-vard" in (
        result.output)
    assert "areas[1].activities[0].requirement: 'patientkontrakt' belongs to the area nara-vard, not e-halsa; " \
        "the area e-halsa has: gemensamma-standarder, informationsutbyte-kommuner" in result.output


def test_a_requirement_met_by_purpose_is_no_code_to_write(write):
    """The ambulance requirement is met by any ambulance purpose (plan format), not by a code."""
    path = write(REQS.replace("REQ_B", "patientkontrakt").replace("area: e-halsa", "area: ambulans")
                 .replace("REQ_C", "ambulans-utveckling"))
    result = run("check", str(path), "--as-of", "2022-04-01", "--lang", "en")
    assert result.exit_code == 2
    assert "'ambulans-utveckling' is not a requirement code of gnv-2022" in result.output
    assert "the area ambulans has no requirement codes in gnv-2022" in result.output


def test_right_requirement_codes_are_read(write, checker):
    path = write(REQS.replace("REQ_B", "patientkontrakt").replace("REQ_C", "gemensamma-standarder"))
    run_ = checker.check_paths([str(path)], AS_OF)
    assert not run_.errors and len(run_.results) == 1


def test_an_unknown_area_is_gnv_108s_not_an_input_error(write, checker):
    """A code on an activity of an area the year lacks: the area is GNV-108's finding."""
    path = write(REQS.replace("area: nara-vard", "area: nära-vård").replace("REQ_B", "patientkontrakt")
                 .replace("REQ_C", "gemensamma-standarder"))
    assert [f.location.path for f in findings(checker, path, "GNV-108")] == ["areas[0]"]


def test_a_year_without_requirement_codes_names_none(write):
    path = write(REQS.replace("gnv-2022", "gnv-2020").replace("REQ_B", "patientkontrakt")
                 .replace("area: ambulans", "area: e-halsa").replace("REQ_C", "x"))
    result = run("check", str(path), "--as-of", "2020-04-01")
    assert result.exit_code == 2
    assert "'patientkontrakt' är ingen kravkod i gnv-2020; området nara-vard har inga kravkoder i gnv-2020" in (
        result.output)


# -- did-you-mean for the plan format's fixed values and the agreement -------------------

def test_fixed_values_get_a_suggestion(write):
    path = write(PRIVATE.replace("provider: private\n", "provider: Private\n")
                 .replace("reports_on_request: false}", "contract: care choice}"))
    result = run("check", str(path), "--as-of", "2020-04-01", "--lang", "en")
    assert result.exit_code == 2
    assert "'Private' is not one of the allowed values" in result.output
    assert "did you mean 'private'?" in result.output and "did you mean 'care-choice'?" in result.output


def test_unknown_agreement_gets_a_suggestion(write):
    path = write("plan: {id: p, region: Region Gotland, agreement: GNV 2022}\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "okänd överenskommelse 'GNV 2022'; menar du 'gnv-2022'?; regelmappen har:" in result.output


def test_input_errors_quote_yaml_not_python(write):
    path = write("""
    plan: {id: p, region: Region Gotland, agreement: gnv-2022}
    areas:
      - area: nara-vard
        activities:
          - {id: a, amount: 100, private_provider: true, provider: null}
    """)
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "areas[0].activities[0].private_provider: ska vara en mappning (nyckel: värde) (fick true)" in result.output
    assert "True" not in result.output and "None" not in result.output


def test_rules_show_suggests_the_rule():
    result = run("rules", "show", "gnv 205")
    assert result.exit_code == 2 and "menar du 'GNV-205'?" in result.output


def test_html_report_writes_booleans_as_a_swede_reads_them(write, tmp_path):
    out = tmp_path / "r.html"
    run("check", str(write(PRIVATE)), "--as-of", "2020-04-01", "--output", str(out))
    html = out.read_text("utf-8")
    assert "<dt>reports_on_request</dt><dd>nej</dd>" in html
    assert ">false<" not in html and ">False<" not in html


def test_region_and_agreement_options_get_a_suggestion():
    init = run("init", "--region", "Västerbotten", "--agreement", "gnv-2022")
    assert init.exit_code == 2 and "menar du 'Region Västerbotten'?" in init.output
    alloc = run("allocation", "gnv-2022", "--region", "västerbotten")
    assert alloc.exit_code == 2 and "menar du 'Region Västerbotten'?" in alloc.output
    for args in (["allocation", "gnv2022"], ["rules", "coverage", "--agreement", "GNV 2022"],
                 ["init", "--region", "Region Gotland", "--agreement", "gnv_2022"]):
        result = run(*args)
        assert result.exit_code == 2 and "menar du 'gnv-2022'?" in result.output, args


def test_literal_braces_in_messages():
    """{{ and }} in a message are one brace (GNV-409's `gender_equality: {exempt_reason: …}`);
    braces in plan text are left as written."""
    assert render("{{a: {b}}} {c}", {"b": 1, "c": "{{x}}"}, {}, "sv") == "{a: 1} {{x}}"


def test_gnv_409_shows_the_field_to_write(write, checker):
    path = write("""
    plan: {id: p409, region: Region Gotland, agreement: gnv-2022}
    reports:
      - {kind: partial-report, submitted: 2022-09-20, contents: [completed-activities, planned-activities, challenges]}
    """)
    run_ = checker.check_paths([str(path)], dt.date(2022, 10, 1))
    (f,) = [f for f in run_.results[0].findings if f.rule == "GNV-409"]
    assert "eller gender_equality: {exempt_reason: …} med skälen" in f.message and "{{" not in f.message


def test_gnv_406_names_the_path_under_financials(write, checker):
    path = write("""
    plan: {id: p406, region: Region Gotland, agreement: gnv-2022}
    financials: {received: 100, total_costs: 100, unspent: 0, certification: {verdict: incorrect}}
    reports:
      - {kind: financial-report, submitted: 2023-03-01}
    """)
    run_ = checker.check_paths([str(path)], dt.date(2023, 4, 1))
    (f,) = [f for f in run_.results[0].findings if f.rule == "GNV-406" and f.outcome == "failed"]
    assert "financials.certification.by" in f.message


def test_a_wrong_requirement_code_in_a_workbook_names_its_cell(tmp_path, monkeypatch):
    from tests.test_workbook import ACTIVITY_ROWS, good_sheets, make_book

    monkeypatch.chdir(tmp_path)
    rows = [[*ACTIVITY_ROWS[0], "Krav (kod)"], *[[*r, None] for r in ACTIVITY_ROWS[1:]]]
    rows[2][-1] = "patientkontrakt"  # a 2022 code in a 2020 plan
    make_book(tmp_path / "plan.xlsx", good_sheets(Aktiviteter=rows))
    result = run("check", "plan.xlsx", "--format", "json", "--lang", "en")
    assert result.exit_code == 2
    (error,) = json.loads(result.stdout)["errors"]
    assert error["cell"] == "Aktiviteter!I3" and error["field"] == "areas[0].activities[1].requirement"
    assert "'patientkontrakt' is not a requirement code of gnv-2020" in error["message"]


# -- one pack namespace for conditions and messages ------------------------------

def _rules_with_message(tmp_path, extra_en):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    rule = rules / "catalog" / "GNV-501.yaml"
    text = rule.read_text("utf-8")
    old = '(agreement indicator named_gp_share)."'
    assert old in text
    rule.write_text(text.replace(old, old[:-1] + extra_en + '"'), "utf-8")
    return rules


def test_a_message_names_a_pack_figure_as_the_condition_reads_it(tmp_path):
    """GNV-501 reads ``as_of > pack.year_end``; its message may show ``{pack.year_end}`` (it read
    "—" when messages had a namespace of their own), a target, a yes/no of the region's pack."""
    from compliance.check import Checker
    from compliance.plans import plan_from_data

    rules = _rules_with_message(tmp_path, " Year end {pack.year_end}, target {pack.targets.named_gp_share}, "
                                          "follow-up {pack.policy.followup_system}.")
    checker = Checker(rules, lang="en")
    example = checker.book.by_id["GNV-501"].examples[0]
    plan = plan_from_data(example.plan, "plan.yaml")
    year_end = checker.book.agreement("gnv-2022").year_end
    assert year_end == dt.date(2022, 12, 31)
    (finding,) = [f for f in checker.check_plan(plan, year_end + dt.timedelta(days=1)).findings if f.rule == "GNV-501"]
    policy = checker.book.policy("Region Jämtland Härjedalen")
    assert finding.message.endswith(f" Year end 2022-12-31, target 0.55, follow-up {policy.followup_system}."), \
        finding.message
    # the condition reads that very year end: on it, no finding
    assert not [f for f in checker.check_plan(plan, year_end).findings if f.rule == "GNV-501"]


def test_a_message_naming_a_figure_the_pack_lacks_is_a_rule_pack_error(tmp_path):
    from compliance.check import Checker
    from compliance.errors import InputError
    from compliance.plans import plan_from_data

    checker = Checker(_rules_with_message(tmp_path, " {pack.year_ends}"), lang="en")
    example = checker.book.by_id["GNV-501"].examples[0]
    with pytest.raises(InputError) as err:
        checker.check_plan(plan_from_data(example.plan, "plan.yaml"), example.as_of)
    (issue,) = err.value.issues
    assert issue.file.endswith("GNV-501.yaml") and "{pack.year_ends}: the pack has no figure 'year_ends'" in issue.message
