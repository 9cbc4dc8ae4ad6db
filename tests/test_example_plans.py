"""The real plans in plans/ give what an auditor reading the seeds would expect
(the README lists these findings and why)."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def check(checker):
    def _check(name, as_of):
        run = checker.check_paths([str(ROOT / "plans" / name)], as_of)
        assert not run.errors
        (result,) = run.results
        return result.findings

    return _check


def by_rule(findings, outcome="failed"):
    return Counter(f.rule for f in findings if f.outcome == outcome)


# rules no 2020 source states (003-only conditions): not evaluated once per plan, never failed
NOT_STATED_2020 = {"GNV-104", "GNV-209", "GNV-210", "GNV-212", "GNV-415", "GNV-401", "GNV-404", "GNV-405", "GNV-406", "GNV-407",
                   "GNV-408", "GNV-409", "GNV-410", "GNV-412", "GNV-413", "GNV-501", "GNV-502", "GNV-503"}
NOT_STATED_2023 = {"GNV-104", "GNV-209", "GNV-212", "GNV-415", "GNV-405", "GNV-406", "GNV-407", "GNV-408", "GNV-409", "GNV-410",
                   "GNV-411", "GNV-413", "GNV-501", "GNV-502", "GNV-503"}


def test_2020_plan_as_of_april(check):
    findings = check("rjh-gnv-2020.yaml", dt.date(2020, 4, 1))
    assert by_rule(findings) == {
        "GNV-102": 1,  # karriärtjänster 33 492 kr over
        "GNV-105": 1,  # vidareutbildning 32 542 under
        "GNV-107": 2,  # BHV 1 140 877 and "Ofördelat" 1 300 000
        "GNV-203": 1,  # the competence centre build-up has no exit budget
        "GNV-206": 5,  # areas that do not say how private providers take part
        "GNV-207": 16,  # no Stratsys registration in the decision
        "GNV-208": 1,  # 2.1.2 names no overall responsible
        "GNV-211": 2,  # 1.3.2's two barnhälsovård efforts: the money is still unassigned
    }
    assert by_rule(findings, "not-evaluated") == dict.fromkeys(NOT_STATED_2020, 1)
    required = sorted(f.values["requirement"] for f in findings if f.rule == "GNV-211")
    assert required == ["samverkan-bhv", "tillganglighet-bhv"]
    values = {f.rule: f.values for f in findings if f.rule in ("GNV-102", "GNV-105")}
    assert values["GNV-102"]["excess"] == 33492
    assert values["GNV-105"]["unplanned"] == 32542
    (reason,) = {f.message for f in findings if f.rule == "GNV-104"}
    assert reason.startswith("ej bedömd: ingen källa för 2020 anger detta villkor")
    assert {f.location.path for f in findings if f.rule in NOT_STATED_2020} == {"plan"}


def test_2020_plan_as_of_after_the_year(check):
    april = by_rule(check("rjh-gnv-2020.yaml", dt.date(2020, 4, 1)))
    later = check("rjh-gnv-2020.yaml", dt.date(2021, 4, 30))
    added = by_rule(later) - april
    assert added == {"GNV-402": 1, "GNV-403": 1, "GNV-411": 1}
    late = {f.rule: f.values["days_late"] for f in later if f.rule in added}
    assert late == {"GNV-402": 212, "GNV-403": 30, "GNV-411": 334}
    assert by_rule(later, "not-evaluated") == dict.fromkeys(NOT_STATED_2020, 1)


def test_2023_plan_cannot_check_allocations(check):
    findings = check("rjh-gnv-2023.yaml", dt.date(2023, 4, 4))
    assert by_rule(findings) == {"GNV-206": 4, "GNV-208": 4}
    assert by_rule(findings, "not-evaluated") == {
        "GNV-101": 1, "GNV-103": 4, "GNV-108": 1, "GNV-402": 1, **dict.fromkeys(NOT_STATED_2023, 1)
    }
    reasons = {f.message for f in findings if f.rule == "GNV-101"}
    assert reasons == {"ej bedömd: ingen källa ger 2023 års regiontabell eller befolkningen 1 nov 2022 "
                       "(000 säger bara 'knappt 75,5 mkr' för Region Jämtland Härjedalen); beloppet ligger "
                       "inte över gränsen 75 500 000 kr (000 Sammanfattning), så regeln kan inte avgöras"}


def test_not_evaluated_reasons_in_english(monkeypatch):
    from compliance.check import Checker

    english = Checker(lang="en").check_paths([str(ROOT / "plans" / "rjh-gnv-2023.yaml")], dt.date(2023, 4, 4))
    (message,) = {f.message for f in english.findings() if f.rule == "GNV-402"}
    assert message == ("not evaluated: no seed gives the regions' 2023 partial-report deadline "
                       "(002 gives only SKR's own, 30 Sep 2023)")
