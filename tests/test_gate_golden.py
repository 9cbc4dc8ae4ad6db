"""The CI gate in every format, and its exit status as a matrix.

The golden scenario (tests/golden/gate/): one plan with three failed warnings,
GNV-207 waived, GNV-206 in the baseline, GNV-208 new. Every format keeps each
with its state; regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 python -m pytest tests/test_gate_golden.py``.

The matrix: ``--fail-on`` × findings (none, warnings only, an error) × a waiver
covering them × an input error, each cell's status per docs/cli-contract.md."""

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance import render
from compliance.check import Checker
from compliance.cli import main
from compliance.gate import Gate

SCENARIO = Path(__file__).resolve().parent / "golden" / "gate"
GATE = ["gate.yaml", "--as-of", "2020-04-01", "--waivers", "waivers.yaml", "--baseline", "baseline.json"]
FORMATS = ["text", "json", "markdown", "junit", "sarif", "html"]


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def outputs():
    here = Path.cwd()
    os.chdir(SCENARIO)
    try:
        return {fmt: _check(*GATE, "--fail-on", "warning", "--format", fmt) for fmt in FORMATS}
    finally:
        os.chdir(here)


@pytest.mark.parametrize("fmt", FORMATS)
def test_gate_golden(outputs, fmt):
    code, out = outputs[fmt]
    assert code == 1  # GNV-208 is new: the gate fails on it alone
    path = SCENARIO / f"report.{render.EXTENSIONS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out, "utf-8")
    assert out == path.read_text("utf-8"), f"{path.name} differs; rerun with UPDATE_GOLDEN=1 if intended"


def test_json_states(outputs):
    doc = json.loads(outputs["json"][1])
    by_rule = {f["rule"]: f for r in doc["results"] for f in r["findings"] if f["outcome"] != "not-evaluated"}
    assert set(by_rule) == {"GNV-206", "GNV-207", "GNV-208"}
    assert by_rule["GNV-207"]["outcome"] == "waived" and by_rule["GNV-207"]["waiver"]["reference"] == "RS/1/2020"
    assert by_rule["GNV-206"]["outcome"] == "failed" and by_rule["GNV-206"]["baseline"] is True
    assert by_rule["GNV-208"]["outcome"] == "failed" and not by_rule["GNV-208"].get("baseline")
    summary = doc["summary"]
    assert (summary["waived"], summary["baselined"], summary["failed"]) == (1, 1, 2)


def _sarif(outputs):
    return {r["ruleId"]: r for r in json.loads(outputs["sarif"][1])["runs"][0]["results"]}


def test_sarif_states(outputs):
    results = _sarif(outputs)
    assert results["GNV-207"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Registreras i Stratsys när tjänsterna är tillsatta."}
    ]
    assert results["GNV-206"]["baselineState"] == "unchanged" and "suppressions" not in results["GNV-206"]
    assert "suppressions" not in results["GNV-208"]
    assert results["GNV-208"].get("baselineState") != "unchanged"


def test_sarif_new_finding_is_marked_new(outputs):
    assert _sarif(outputs)["GNV-208"]["baselineState"] == "new"


def _junit(outputs):
    root = ET.fromstring(outputs["junit"][1])
    return {case.get("name"): case for case in root.iter("testcase")}


def test_junit_states(outputs):
    cases = _junit(outputs)
    waived = cases["GNV-207"]
    assert waived.find("failure") is None
    out = waived.find("system-out")
    assert out is not None and (out.text or "").startswith("dispens: gate.yaml:9 ")
    assert cases["GNV-208"].find("failure") is not None


def test_junit_shows_the_baselined_finding_as_baselined(outputs):
    case = _junit(outputs)["GNV-206"]
    assert case.find("failure") is None  # in the baseline: shown, but it does not fail the gate
    out = case.find("system-out")
    assert out is not None and (out.text or "").startswith("baslinje: gate.yaml:")


def _md_row(outputs, rule):
    return next(line for line in outputs["markdown"][1].splitlines() if f"| {rule} |" in line)


def test_markdown_states(outputs):
    assert _md_row(outputs, "GNV-207").startswith("| 🛈 dispens |")
    assert _md_row(outputs, "GNV-208").startswith("| ⚠️ varning |")
    assert "baslinje" not in _md_row(outputs, "GNV-208")


def test_markdown_shows_the_baselined_finding_as_baselined(outputs):
    assert "baslinje" in _md_row(outputs, "GNV-206")


def _text_block(outputs, rule):
    lines = outputs["text"][1].splitlines()
    start = next(i for i, line in enumerate(lines) if f" {rule} " in line)
    end = next((i for i in range(start + 1, len(lines)) if " GNV-" in lines[i]), len(lines))
    return lines[start:end]


def test_text_states(outputs):
    waived = _text_block(outputs, "GNV-207")
    assert waived[0].lstrip().startswith("DISPENS") and "(dispens: " in waived[-1] and "RS/1/2020" in waived[-1]
    baselined = _text_block(outputs, "GNV-206")
    assert baselined[-1].strip() == "(baslinje)"
    new = _text_block(outputs, "GNV-208")
    assert new[0].lstrip().startswith("VARNING") and not any("baslinje" in line for line in new)


def test_html_states(outputs):
    html = outputs["html"][1]
    blocks = {rule: html[html.index(f'<span class="rule">{rule}</span>'):] for rule in ("GNV-206", "GNV-207", "GNV-208")}
    # each block runs to the next finding
    for rule, text in blocks.items():
        nxt = text.find('<span class="rule">', 1)
        blocks[rule] = text[: nxt if nxt > 0 else None]
    assert '<div class="muted">baslinje' in blocks["GNV-206"]
    assert "dispens" in blocks["GNV-207"] and "RS/1/2020" in blocks["GNV-207"]
    assert "baslinje" not in blocks["GNV-208"] and "dispens" not in blocks["GNV-208"]


# --- the exit-status matrix ------------------------------------------------------------------

_CLEAN = """plan: {{id: {id}, region: Region Jämtland Härjedalen, agreement: gnv-2020{plan_extra}}}
areas:
  - area: karriartjanster
    allocation: 1266508
    responsible: HR-direktör
{area_extra}    activities:
      - {{id: karriar, amount: {amount}, responsible: HR-direktör, purpose: karriar-specialistsjukskoterskor,
         provider: region{activity_extra}}}
"""
# findings: the plan, and the rules whose failed findings it has (what a covering waiver names)
PLANS = {
    "none": (_CLEAN.format(id="none", plan_extra=", responsible: HR-direktör",
                           area_extra="    private_providers: Öppet för alla.\n", amount=1266508,
                           activity_extra=", followup_id: NS-1"), []),
    "warning": (_CLEAN.format(id="warning", plan_extra="", area_extra="", amount=1266508, activity_extra=""),
                ["GNV-206", "GNV-207", "GNV-208"]),
    "error": (_CLEAN.format(id="error", plan_extra=", responsible: HR-direktör",
                            area_extra="    private_providers: Öppet för alla.\n", amount=1266509,
                            activity_extra=", followup_id: NS-1"), ["GNV-102"]),
}
FAIL_ON = ["error", "warning", "info", "never"]


def _expected(fail_on: str, findings: str, waived: bool, input_error: bool) -> int:
    if input_error:
        return 2
    if waived and findings == "none":  # a waiver that matches no finding is a warning of the run
        return 1 if fail_on in ("warning", "info") else 0
    if waived or findings == "none" or fail_on == "never":
        return 0
    if findings == "error":
        return 1
    return 1 if fail_on in ("warning", "info") else 0


@pytest.mark.parametrize("input_error", [False, True], ids=["ok", "input-error"])
@pytest.mark.parametrize("waived", [False, True], ids=["no-waiver", "waived"])
@pytest.mark.parametrize("findings", list(PLANS))
@pytest.mark.parametrize("fail_on", FAIL_ON)
def test_exit_status_matrix(tmp_path, monkeypatch, fail_on, findings, waived, input_error):
    monkeypatch.chdir(tmp_path)
    text, rules = PLANS[findings]
    Path("plan.yaml").write_text(text, "utf-8")
    args = ["plan.yaml", "--as-of", "2020-04-01", "--fail-on", fail_on, "--format", "json"]
    if waived:
        entries = [{"rule": r, "plan": findings, "reason": "r", "approved_by": "a", "reference": "x",
                    "expires": "2030-12-31"} for r in rules or ["GNV-101"]]
        Path("waivers.yaml").write_text(json.dumps({"waivers": entries}), "utf-8")
        args += ["--waivers", "waivers.yaml"]
    if input_error:
        Path("broken.yaml").write_text("plan: {id: broken, region: Region Jämtland Härjedalen\n", "utf-8")
        args.insert(1, "broken.yaml")
    code, out = _check(*args)
    assert code == _expected(fail_on, findings, waived, input_error), out
    doc = json.loads(out)
    found = sorted(f["rule"] for r in doc["results"] for f in r["findings"] if f["outcome"] in ("failed", "waived"))
    assert found == rules  # the cell is what it says: these findings, and the good plan checked beside a bad one
    assert all(f["outcome"] == ("waived" if waived else "failed")
               for r in doc["results"] for f in r["findings"] if f["rule"] in rules)
    assert bool(doc["errors"]) is input_error
    # the library gives what the command gives: same results, same exit status, no click involved
    paths = args[:args.index("--as-of")]
    gate = Gate.for_paths(paths, dt.date(2020, 4, 1), waivers=Path("waivers.yaml") if waived else None,
                          fail_on=fail_on)
    checker = Checker()
    run = checker.check_paths(paths, dt.date(2020, 4, 1), gate=gate)
    assert run.exit_status == code
    assert json.loads(render.get("json")(run)) == doc


def test_check_paths_applies_the_commands_default_gate(tmp_path, monkeypatch):
    """Without a gate, check_paths finds compliance-waivers.yaml beside the plans, as the command does."""
    monkeypatch.chdir(tmp_path)
    text, rules = PLANS["warning"]
    Path("plans").mkdir()
    Path("plans/plan.yaml").write_text(text, "utf-8")
    as_of = dt.date(2020, 4, 1)
    bare = Checker().check_paths(["plans"], as_of, gate=Gate())
    assert sorted(f.rule for f in bare.findings() if f.outcome == "failed") == rules
    entries = [{"rule": r, "plan": "warning", "reason": "r", "approved_by": "a", "reference": "x",
                "expires": "2030-12-31"} for r in rules]
    Path("plans/compliance-waivers.yaml").write_text(json.dumps({"waivers": entries}), "utf-8")
    run = Checker().check_paths(["plans"], as_of)
    assert sorted(f.rule for f in run.findings() if f.outcome == "waived") == rules
    assert run.counts().failed == 0 and run.exit_status == 0
    code, out = _check("plans", "--as-of", "2020-04-01", "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["waived"] == len(rules)


@pytest.mark.parametrize("fail_on", FAIL_ON)
def test_recording_a_baseline_exits_clean_unless_a_file_is_unreadable(tmp_path, monkeypatch, fail_on):
    monkeypatch.chdir(tmp_path)
    Path("plan.yaml").write_text(PLANS["error"][0], "utf-8")
    as_of = dt.date(2020, 4, 1)
    gate = Gate.for_paths(["plan.yaml"], as_of, fail_on=fail_on, record=True)
    run = Checker().check_paths(["plan.yaml"], as_of, gate=gate)
    assert run.exit_status == 0 and gate.recorded == {("GNV-102", "error", "plan.yaml", "areas[0]")}
    Path("broken.yaml").write_text("plan: [\n", "utf-8")
    run = Checker().check_paths(["plan.yaml", "broken.yaml"], as_of, gate=Gate(fail_on=fail_on, recorded=set()))
    assert run.exit_status == 2
    with pytest.raises(ValueError, match="fail_on must be one of"):
        Gate(fail_on="errors")


def test_the_library_gate_marks_new_findings_only_against_a_baseline(monkeypatch):
    """A gate with a baseline makes every failed finding outside it "new" in SARIF; without one
    no finding has a baseline state (the library path, not the command's module fixture)."""
    monkeypatch.chdir(SCENARIO)
    as_of = dt.date(2020, 4, 1)

    def states(gate: Gate) -> dict[str, str | None]:
        run = Checker().check_paths(["gate.yaml"], as_of, gate=gate)
        doc = json.loads(render.get("sarif")(run))
        return {r["ruleId"]: r.get("baselineState") for r in doc["runs"][0]["results"]
                if r["properties"]["outcome"] == "failed"}

    with_baseline = states(Gate.for_paths(["gate.yaml"], as_of, baseline=Path("baseline.json")))
    assert with_baseline["GNV-206"] == "unchanged" and with_baseline["GNV-208"] == "new"
    assert set(states(Gate()).values()) == {None}


def test_an_unknown_fail_on_names_every_allowed_one():
    with pytest.raises(ValueError) as caught:
        Gate(fail_on="errors")
    assert str(caught.value) == "fail_on must be one of error, warning, info, never, not 'errors'"
