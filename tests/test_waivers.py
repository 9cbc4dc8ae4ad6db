"""Waivers and baselines as a library: which finding a waiver takes, on which day it
expires, what is left over, and how a baseline is read, written and applied.

tests/test_gate.py runs the same through the CLI on a plan repository; these pin the
boundaries one at a time (found by mutation testing, scripts/mutation.sh).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from compliance.errors import InputError
from compliance.findings import CheckRun, Finding, Location, PlanResult
from compliance.loader import Locations
from compliance.waivers import (
    BASELINE_VERSION,
    LoadedWaivers,
    Waiver,
    WaiverState,
    apply_baseline,
    baseline_key,
    baseline_keys,
    default_waivers,
    load_baseline,
    load_waivers,
    write_baseline,
)

DAY = dt.date(2022, 6, 30)


def finding(rule="GNV-207", outcome="failed", area="nara-vard", activity="a", path="areas[0].activities[0]",
            file="plans/p.yaml"):
    return Finding(rule=rule, severity="warning", outcome=outcome, title="t", message="m", sources=(),
                   location=Location(file, 3, path), values={}, area=area, activity=activity)


def waiver(**changes):
    base = {"rule": "GNV-207", "plan": "p", "reason": "r", "approved_by": "b", "reference": "RS/1/2022",
            "expires": DAY}
    return Waiver.model_validate({**base, **changes})


def state(*waivers, as_of=DAY):
    return WaiverState(LoadedWaivers("w.yaml", list(waivers), Locations("w.yaml")), as_of)


def result(*findings, plan="p"):
    return PlanResult(file="plans/p.yaml", plan=plan, agreement="gnv-2022", region="R",
                      findings=list(findings), rules_applied=[])


def outcomes(res):
    return [f.outcome for f in res.findings]


def test_a_waiver_holds_through_its_expiry_day_and_not_a_day_longer():
    on_the_day, after = result(finding()), result(finding())
    state(waiver(), as_of=DAY).apply(on_the_day)
    late = state(waiver(), as_of=DAY + dt.timedelta(days=1))
    late.apply(after)
    assert outcomes(on_the_day) == ["waived"] and outcomes(after) == ["failed"]
    run = CheckRun(DAY, "en", [], [])
    late.finish(run)
    (warning,) = run.warnings
    assert f"expired on {DAY}" in warning.message and "RS/1/2022" in warning.message
    assert warning.file == "w.yaml" and warning.line == 1
    assert warning.says.sv == f"dispensen för GNV-207 på p gick ut {DAY} (RS/1/2022); förnya den eller åtgärda fyndet"


def test_a_waived_finding_carries_the_waiver():
    res = result(finding())
    state(waiver()).apply(res)
    (f,) = res.findings
    assert f.waiver == {"reason": "r", "approved_by": "b", "reference": "RS/1/2022", "expires": DAY.isoformat(),
                        "file": "w.yaml", "line": 1}
    assert f.rule == "GNV-207" and f.message == "m"


@pytest.mark.parametrize(("changes", "waived"), [
    ({}, True),
    ({"area": "nara-vard"}, True),
    ({"area": "nara-vard", "activity": "a"}, True),
    ({"activity": "a"}, True),
    ({"rule": "GNV-208"}, False),
    ({"plan": "q"}, False),
    ({"area": "ambulans"}, False),
    ({"area": "nara-vard", "activity": "b"}, False),
    ({"activity": "b"}, False),
])
def test_a_waiver_takes_only_its_rule_plan_area_and_activity(changes, waived):
    res = result(finding())
    used = state(waiver(**changes))
    used.apply(res)
    assert outcomes(res) == ["waived" if waived else "failed"]
    run = CheckRun(DAY, "en", [], [])
    used.finish(run)
    assert bool(run.warnings) is not waived  # one that takes nothing is reported unused
    if not waived:
        assert "matches no finding" in run.warnings[0].message


def test_only_failed_findings_are_waived():
    res = result(finding(outcome="not-evaluated"))
    used = state(waiver())
    used.apply(res)
    assert outcomes(res) == ["not-evaluated"]
    run = CheckRun(DAY, "en", [], [])
    used.finish(run)
    assert [w.message for w in run.warnings] == ["waiver for GNV-207 on p matches no finding; remove it"]
    assert [w.says.sv for w in run.warnings] == ["dispensen för GNV-207 på p matchar inget fynd; ta bort den"]


def test_the_first_waiver_that_holds_is_the_one_shown_and_each_counts_as_used():
    expired, first, second = waiver(expires=DAY - dt.timedelta(days=1)), waiver(reason="one"), waiver(reason="two")
    res = result(finding(), finding(activity="b", path="areas[0].activities[1]"))
    used = state(expired, first, second)
    used.apply(res)
    assert [f.waiver["reason"] for f in res.findings if f.waiver] == ["one", "one"]
    assert used.used == {0, 1}
    run = CheckRun(DAY, "en", [], [])
    used.finish(run)
    assert ["expired" in w.message for w in run.warnings] == [True, False]
    assert "matches no finding" in run.warnings[1].message


def test_finish_names_each_waivers_line(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        "waivers:\n"
        "  - {rule: GNV-207, plan: p, reason: r, approved_by: b, reference: x, expires: 2022-06-30}\n"
        "  - {rule: GNV-208, plan: p, reason: r, approved_by: b, reference: x, expires: 2022-01-01}\n", "utf-8")
    loaded = load_waivers(path, "w.yaml")
    assert loaded.file == "w.yaml" and [loaded.line(0), loaded.line(1)] == [2, 3]
    used = WaiverState(loaded, DAY)
    used.apply(result(finding()))
    run = CheckRun(DAY, "en", [], [])
    used.finish(run)
    assert [(w.line, "expired" in w.message) for w in run.warnings] == [(3, True)]


def test_waiver_fields_are_stripped_and_required(tmp_path):
    assert waiver(reason="  why  ").reason == "why"
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - {rule: GNV-207, plan: p, reason: '', approved_by: b, reference: x, "
                    "expires: 2022-06-30}\n", "utf-8")
    with pytest.raises(InputError) as err:
        load_waivers(path)
    assert err.value.issues[0].file == str(path) and err.value.issues[0].line == 2


def test_default_waivers_beside_the_plans_then_in_the_current_folder(tmp_path, monkeypatch):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "p.yaml").write_text("x", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert default_waivers(["plans"]) is None
    (tmp_path / "compliance-waivers.yaml").write_text("waivers: []", "utf-8")
    assert default_waivers(["plans"]) == Path(".") / "compliance-waivers.yaml"
    (plans / "compliance-waivers.yaml").write_text("waivers: []", "utf-8")
    assert default_waivers(["plans"]) == Path("plans") / "compliance-waivers.yaml"
    assert default_waivers(["plans/p.yaml"]) == Path("plans") / "compliance-waivers.yaml"


# -- baselines ----------------------------------------------------------------------------------


def test_baseline_keys_are_failed_findings_by_rule_plan_file_and_path():
    res = result(finding(), finding(rule="GNV-208", outcome="not-evaluated"), finding(outcome="waived"))
    assert baseline_keys(res) == {("GNV-207", "p", "plans/p.yaml", "areas[0].activities[0]")}
    assert baseline_key("p", finding(file="x.yaml", path="plan")) == ("GNV-207", "p", "x.yaml", "plan")


def test_a_baseline_round_trips_and_marks_only_known_failed_findings(tmp_path):
    target = tmp_path / "b.json"
    keys = {("GNV-207", "p", "plans/p.yaml", "areas[0].activities[0]"), ("GNV-101", "p", "plans/p.yaml", "plan")}
    write_baseline(keys, target)
    doc = json.loads(target.read_text("utf-8"))
    assert doc["version"] == BASELINE_VERSION == 2
    assert [e["rule"] for e in doc["findings"]] == ["GNV-101", "GNV-207"]  # sorted
    assert load_baseline(target) == keys
    res = result(finding(), finding(path="areas[0].activities[1]"), finding(outcome="not-evaluated"))
    apply_baseline(res, load_baseline(target))
    assert [f.baselined for f in res.findings] == [True, False, False]
    assert [f.outcome for f in res.findings] == ["failed", "failed", "not-evaluated"]


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not a baseline (JSON)"),
    ('{"version": 1, "findings": []}', "version-1 baseline"),
    ('{"version": 3, "findings": []}', "not a compliance baseline"),
    ('{"version": 2, "findings": {}}', "not a compliance baseline"),
    ('[]', "not a compliance baseline"),
    ('{"version": 2, "findings": [{"rule": "GNV-101", "plan": "p", "file": "f"}]}', "lacks rule, plan, file or path"),
    ('{"version": 2, "findings": ["GNV-101"]}', "lacks rule, plan, file or path"),
])
def test_a_bad_baseline_is_an_input_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "b.json"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    (issue,) = err.value.issues
    assert issue.file == str(path) and message in issue.message


def test_a_bad_baseline_json_error_names_line_and_column(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{"version": 2,\n  "findings": [,]}', "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    (issue,) = err.value.issues
    assert (issue.line, issue.column) == (2, 16)


def test_baseline_values_are_read_as_text(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{"version": 2, "findings": [{"rule": "GNV-101", "plan": 7, "file": "f", "path": "plan"}]}',
                    "utf-8")
    assert load_baseline(path) == {("GNV-101", "7", "f", "plan")}


def test_a_waived_finding_names_its_waivers_line_in_the_file(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "# approved by the board\n"
        "waivers:\n"
        "  - {rule: GNV-208, plan: p, reason: r, approved_by: b, reference: x, expires: 2030-01-01}\n"
        "  - {rule: GNV-207, plan: p, reason: r, approved_by: b, reference: x, expires: 2030-01-01}\n", "utf-8")
    res = result(finding())
    WaiverState(load_waivers(path, "plans/waivers.yaml"), DAY).apply(res)
    (f,) = res.findings
    assert f.waiver is not None and (f.waiver["file"], f.waiver["line"]) == ("plans/waivers.yaml", 4)


def test_a_bad_waiver_file_is_named_as_given(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - {rule: GNV-207, plan: p}\n", "utf-8")
    with pytest.raises(InputError) as err:
        load_waivers(path, "plans/w.yaml")
    assert {i.file for i in err.value.issues} == {"plans/w.yaml"}


def test_a_baseline_file_is_written_as_readable_utf8_json(tmp_path):
    target = tmp_path / "b.json"
    write_baseline({("GNV-101", "Region Jämtland", "p.yaml", "plan")}, target)
    assert target.read_text("utf-8") == (
        '{\n  "version": 2,\n  "findings": [\n    {\n      "rule": "GNV-101",\n      "plan": "Region Jämtland",\n'
        '      "file": "p.yaml",\n      "path": "plan"\n    }\n  ]\n}\n'
    )


def test_a_baseline_is_never_written_into_a_folder_that_is_not_there(tmp_path):
    target = tmp_path / "missing" / "b.json"
    with pytest.raises(InputError):
        write_baseline({("GNV-101", "p", "p.yaml", "plan")}, target)
    assert not (tmp_path / "missing").exists()


def test_a_missing_baseline_is_named(tmp_path):
    with pytest.raises(InputError) as err:
        load_baseline(tmp_path / "none.json")
    assert err.value.issues[0].file == str(tmp_path / "none.json")


@pytest.mark.parametrize(("text", "message", "sv"), [
    ('{"version": 1, "findings": []}',
     "a version-1 baseline does not record each finding's file, so a copy of a plan could pass as known; "
     "record it again with --write-baseline",
     "en baslinje av version 1 anger inte varje fynds fil, så en kopia av en plan kan passera som känd; "
     "spara den igen med --write-baseline"),
    ('{"version": 3, "findings": []}', 'not a compliance baseline (expected {"version": 2, "findings": [...]})',
     'ingen baslinje för compliance (väntade {"version": 2, "findings": [...]})'),
    ('{"version": 2, "findings": [{"rule": "GNV-101"}]}',
     "baseline entry {'rule': 'GNV-101'} lacks rule, plan, file or path",
     "posten {'rule': 'GNV-101'} i baslinjen saknar rule, plan, file eller path"),
])
def test_a_bad_baseline_says_exactly_what_is_wrong(tmp_path, text, message, sv):
    path = tmp_path / "b.json"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    assert [(i.file, i.message, i.says.sv) for i in err.value.issues] == [(str(path), message, sv)]


@pytest.mark.parametrize(("text", "sv"), [
    ("{not json", "ingen baslinje (JSON): Expecting property name enclosed in double quotes"),
    ('{"n": ' + "9" * 5000 + "}", "ingen baslinje: Exceeds the limit (4300 digits)"),
])
def test_a_baseline_json_cannot_read_is_said_in_swedish_too_with_the_readers_reason(tmp_path, text, sv):
    path = tmp_path / "b.json"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    (issue,) = err.value.issues
    assert issue.file == str(path) and issue.says.sv.startswith(sv), issue.says.sv
    assert issue.says.sv != issue.says.en


def test_a_baseline_with_a_number_past_pythons_digit_limit_is_an_input_error(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{"version": 2, "findings": [], "n": ' + "9" * 5000 + "}", "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    (issue,) = err.value.issues
    assert issue.file == str(path) and issue.message.startswith("not a baseline: Exceeds the limit (4300 digits)")


def test_a_long_bad_baseline_entry_is_shown_cut_at_200_characters(tmp_path):
    entry = {"rule": "x" * 300}
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"version": 2, "findings": [entry]}), "utf-8")
    with pytest.raises(InputError) as err:
        load_baseline(path)
    shown = err.value.issues[0].message.removeprefix("baseline entry ").removesuffix(" lacks rule, plan, file or path")
    assert shown == str(entry)[:200]
    sv = err.value.issues[0].says.sv.removeprefix("posten ").removesuffix(" i baslinjen saknar rule, plan, file eller path")
    assert sv == str(entry)[:200]
