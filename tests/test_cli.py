"""The command-line contract: exit status, JSON shape, bad input."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "plans/rjh-gnv-2020.yaml"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_example_plan_json(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("check", EXAMPLE, "--format", "json", "--as-of", "2020-04-01")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["as_of"] == "2020-04-01"
    (plan,) = doc["results"]
    assert (plan["file"], plan["plan"], plan["agreement"]) == (EXAMPLE, "rjh-gnv-2020", "gnv-2020")
    over = [f for f in plan["findings"] if f["rule"] == "GNV-102"]
    assert len(over) == 1
    assert over[0]["values"] == {
        "area": "karriartjanster", "allocation": 1266508, "planned": 1300000, "excess": 33492
    }
    assert over[0]["location"]["file"] == EXAMPLE
    assert over[0]["location"]["path"] == "areas[5]"
    assert "33 492 kr" in over[0]["message"]
    keys = [(f["location"]["file"], f["rule"], f["location"]["line"]) for f in plan["findings"]]
    assert keys == sorted(keys)
    assert doc["summary"]["plans"] == 1 and doc["summary"]["errors"] == 0


def test_english_messages(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("check", EXAMPLE, "--format", "json", "--as-of", "2020-04-01", "--lang", "en")
    doc = json.loads(result.output)
    over = next(f for f in doc["results"][0]["findings"] if f["rule"] == "GNV-102")
    assert "SEK 33,492" in over["message"]


def test_fail_on_never_exits_zero(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert run("check", EXAMPLE, "--as-of", "2020-04-01", "--fail-on", "never").exit_code == 0


def test_invalid_plan_exit_2_with_file_and_line(write):
    path = write(
        """
        plan:
          id: p
          region: Region Jämtland Härjedalen
          agreement: gnv-2020
        areas:
          - area: nara-vard
            activities:
              - id: a
                amount: 1.5
        """,
        "broken.yaml",
    )
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2020-04-01"])
    assert result.exit_code == 2
    assert f"{path}:9:" in result.output
    assert "areas[0].activities[0].amount" in result.output
    assert "Traceback" not in result.output


def test_bad_file_among_good_ones(write, monkeypatch):
    monkeypatch.chdir(ROOT)
    bad = write("plan: [\n", "bad.yaml")
    result = run("check", EXAMPLE, str(bad), "--format", "json", "--as-of", "2020-04-01")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert len(doc["results"]) == 1 and doc["results"][0]["findings"]
    assert doc["errors"][0]["file"] == str(bad) and doc["errors"][0]["line"] == 2


def test_unknown_agreement_is_input_error(write):
    path = write("plan: {id: p, region: R, agreement: gnv-1999}\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "okänd överenskommelse 'gnv-1999'" in result.output and ":1:" in result.output
    english = CliRunner().invoke(main, ["check", str(path), "--lang", "en"])
    assert "unknown agreement 'gnv-1999'" in english.output and english.exit_code == 2


def test_bad_option_is_usage_error(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert CliRunner().invoke(main, ["check", EXAMPLE, "--as-of", "2020-13-01"]).exit_code == 2
    assert CliRunner().invoke(main, ["check", EXAMPLE, "--format", "pdf"]).exit_code == 2


def test_output_is_byte_identical_across_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    first = run("check", "plans", "--format", "json", "--as-of", "2021-04-30").output
    assert first == run("check", "plans", "--format", "json", "--as-of", "2021-04-30").output


def test_console_script_runs_in_a_new_process():
    proc = subprocess.run(
        [sys.executable, "-m", "compliance.cli", "check", EXAMPLE, "--as-of", "2020-04-01"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "GNV-102" in proc.stdout and "rjh-gnv-2020.yaml:" in proc.stdout


def test_rule_docs_are_current(monkeypatch):
    """docs/rules is generated from rule metadata; regenerate with `compliance rules docs`."""
    monkeypatch.chdir(ROOT)
    result = run("rules", "docs", "--check")
    assert result.exit_code == 0, result.output


def test_rules_list_and_show(monkeypatch):
    listing = run("rules", "list").output.splitlines()
    assert len(listing) == len({line.split()[0] for line in listing})
    assert any(line.startswith("GNV-204  fel      ") for line in listing)
    assert any(line.startswith("GNV-204  error    ") for line in run("rules", "list", "--lang", "en").output.splitlines())
    shown = run("rules", "show", "GNV-204").output
    assert "001 §2.1.5" in shown and "innevarande års avskrivning" in shown
    assert "charged > depreciation_allowed" in shown
    assert run("rules", "show", "GNV-999").exit_code == 2


def test_rules_test_runs_a_custom_pack(tmp_path):
    """A region's own rules folder is tested like `conftest verify`: a wrong example fails."""
    import shutil

    custom = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", custom)
    rule = custom / "catalog" / "GNV-102.yaml"
    rule.write_text(rule.read_text("utf-8").replace("excess: 33492", "excess: 33000"), "utf-8")
    result = run("rules", "test", "--rules", str(custom))
    assert result.exit_code == 1
    assert "FAIL GNV-102" in result.output and "1 failed" in result.output
    assert run("rules", "test").exit_code == 0


def test_an_empty_folder_is_an_error_not_a_pass(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "inga planfiler" in result.output


def test_follow_up_system_is_a_parameter_of_the_regional_pack(tmp_path, monkeypatch):
    import shutil

    custom = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", custom)
    policy = custom / "policy" / "policy.yaml"
    policy.write_text(policy.read_text("utf-8").replace(
        "followup_system: Stratsys Nationella satsningar", "followup_system: Hypergene Uppföljning"), "utf-8")
    monkeypatch.chdir(ROOT)
    result = run("check", EXAMPLE, "--as-of", "2020-04-01", "--format", "json", "--rules", str(custom))
    messages = [f["message"] for f in json.loads(result.stdout)["results"][0]["findings"] if f["rule"] == "GNV-207"]
    assert messages and all("Hypergene Uppföljning" in m and "Stratsys" not in m for m in messages)


def test_input_errors_in_swedish_or_english(write):
    path = write("plan: {id: p, region: R, agreement: gnv-2020}\nareas:\n  - area: nara-vard\n    activities:\n"
                 "      - {id: a, amount: 1.5, provder: region}\n", "bad.yaml")
    sv = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    en = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--lang", "en"])
    assert sv.exit_code == en.exit_code == 2
    sv_messages = [e["message"] for e in json.loads(sv.stdout)["errors"]]
    en_messages = [e["message"] for e in json.loads(en.stdout)["errors"]]
    assert sv_messages == ["1.5 är ett decimaltal; skriv hela kronor som heltal (18174397) eller som text "
                           '("18 174 397 kr", "1,5 mkr")', "okänt fält 'provder'; menar du 'provider'?"]
    assert en_messages[1] == "unknown field 'provder'; did you mean 'provider'?"
    assert "fel: " in sv.stderr and "error: " in en.stderr


def test_a_report_written_to_a_file_leaves_its_counts_on_standard_error(tmp_path):
    """The Action checks once, to SARIF: the log still shows what that run found."""
    out = tmp_path / "c.sarif"
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "check", str(ROOT / "plans"), "--as-of", "2021-04-30",
         "--format", "sarif", "--output", str(out), "--lang", "en"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1 and result.stdout == ""
    sarif = json.loads(out.read_text("utf-8"))
    errors = sum(1 for r in sarif["runs"][0]["results"] if r.get("level") == "error" and "suppressions" not in r)
    plans = len({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                 for r in sarif["runs"][0]["results"] if r.get("locations")})
    assert f"{out}: Summary: {plans} plans, {errors} errors," in result.stderr


def test_rules_docs_check_where_there_are_no_docs_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # e.g. an installed tool run outside the repository
    result = CliRunner().invoke(main, ["rules", "docs", "--check"])
    assert result.exit_code == 2 and "docs/rules" in result.output and "stale" not in result.output
