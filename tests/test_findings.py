"""Findings and their counts as the JSON output and the summary carry them (findings.py)."""

from __future__ import annotations

import datetime as dt

from compliance.findings import CheckRun, Finding, Location, PlanResult, SourceRef

WORKBOOK = Location("plans/p.xlsx", 12, "areas[0].activities[2].amount", cell="Aktiviteter!C12")
YAML = Location("plans/p.yaml", 118, "areas[0].activities[2].amount")


def _finding(outcome: str = "failed", severity: str = "error", *, sources: tuple[SourceRef, ...] = (),
             baselined: bool = False, waiver: dict | None = None) -> Finding:
    return Finding("GNV-101", severity, outcome, "Title", "Message", sources, YAML, {}, waiver=waiver,
                   baselined=baselined)


def test_a_workbook_location_names_its_cell_and_a_yaml_location_its_line():
    assert WORKBOOK.where() == "plans/p.xlsx:Aktiviteter!C12"
    assert YAML.where() == "plans/p.yaml:118"
    assert WORKBOOK.as_dict() == {"file": "plans/p.xlsx", "line": 12, "cell": "Aktiviteter!C12",
                                  "path": "areas[0].activities[2].amount"}
    assert list(WORKBOOK.as_dict()) == ["file", "line", "cell", "path"]
    assert YAML.as_dict() == {"file": "plans/p.yaml", "line": 118, "path": "areas[0].activities[2].amount"}


def test_a_finding_without_a_source_has_source_null_and_one_with_sources_its_first():
    assert _finding().as_dict()["source"] is None
    cited = _finding(sources=(SourceRef("003", "§9", "a quote"), SourceRef("002", "1")))
    assert cited.as_dict()["source"] == {"document": "003", "section": "§9"}


def test_the_summary_counts_each_outcome_and_the_baselined():
    findings = [_finding(baselined=True), _finding(baselined=True, severity="warning"), _finding(severity="info"),
                _finding("waived", waiver={"reason": "r"}), _finding("waived", waiver={"reason": "r"}),
                _finding("waived", waiver={"reason": "r"}), _finding("not-evaluated")]
    result = PlanResult("p.yaml", "p", "gnv-2022", "Region X", findings, [])
    run = CheckRun(dt.date(2022, 4, 1), "en", [result, PlanResult("q.yaml", "q", "gnv-2022", "Region X", [], [])], [])
    assert run.summary() == {
        "plans": 2, "failed": 3, "failed_by_severity": {"error": 1, "warning": 1, "info": 1},
        "not_evaluated": 1, "waived": 3, "baselined": 2, "errors": 0, "warnings": 0,
    }
    assert run.counts().gate == 0  # only the info finding is outside the baseline


def test_an_area_is_named_by_its_agreements_legend_and_else_not_at_all():
    """A run made without a legend (``CheckRun``'s default), or for an agreement or area the
    legend lacks, has no name for the area: the HTML report then shows its code."""
    from compliance.findings import Legend

    legend = Legend(areas={"gnv-2022": {"nara-vard": "Nära vård"}})
    assert legend.area_name("gnv-2022", "nara-vard") == "Nära vård"
    assert legend.area_name("gnv-2022", "e-halsa") is None
    assert legend.area_name("gnv-2020", "nara-vard") is None
    assert Legend().area_name("gnv-2022", "nara-vard") is None
