"""The CI gate on a plan repository: waivers, baseline, pre-commit hook, schema, init."""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from compliance.cli import main
from compliance.schema import plan_schema

ROOT = Path(__file__).resolve().parent.parent
REPO = ROOT / "examples" / "plan-repo"
BIN = Path(sys.executable).parent


@pytest.fixture
def repo(tmp_path, monkeypatch):
    dest = tmp_path / "plan-repo"
    shutil.copytree(REPO, dest)
    monkeypatch.chdir(dest)
    return dest


def check(*args):
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    return result.exit_code, result


def findings(result):
    return [f for r in json.loads(result.stdout)["results"] for f in r["findings"]]


def test_gate_passes_with_waiver_and_baseline(repo):
    code, result = check("plans", "--baseline", "compliance-baseline.json", "--format", "json",
                         "--fail-on", "warning")
    assert code == 0, result.output
    by_rule = {f["rule"]: f for f in findings(result)}
    assert by_rule["GNV-207"]["outcome"] == "waived"
    assert by_rule["GNV-207"]["waiver"]["reference"] == "RS/233/2022"
    assert by_rule["GNV-206"]["outcome"] == "failed" and by_rule["GNV-206"]["baseline"] is True
    assert json.loads(result.stdout)["summary"]["waived"] == 1


def test_checking_the_repository_root_skips_the_gates_own_files(repo):
    code, result = check(".", "--baseline", "compliance-baseline.json", "--format", "json")
    doc = json.loads(result.stdout)
    assert code == 0 and doc["errors"] == []
    assert [r["file"] for r in doc["results"]] == ["plans/rjh-gnv-2022.yaml"]


def test_without_baseline_the_old_warning_counts(repo):
    assert check("plans", "--fail-on", "warning")[0] == 1
    assert check("plans", "--fail-on", "error")[0] == 0


def test_a_new_finding_fails_despite_the_baseline(repo):
    plan = repo / "plans" / "rjh-gnv-2022.yaml"
    plan.write_text(plan.read_text("utf-8").replace("amount: 1263169,\n         responsible: HR",
                                                    "amount: 1300000,\n         responsible: HR"), "utf-8")
    code, result = check("plans", "--baseline", "compliance-baseline.json", "--format", "json")
    assert code == 1
    assert any(f["rule"] == "GNV-102" and not f.get("baseline") for f in findings(result))


def test_waiver_shows_in_sarif_as_suppression(repo):
    code, result = check("plans", "--format", "sarif")
    results = json.loads(result.stdout)["runs"][0]["results"]
    waived = [r for r in results if r["ruleId"] == "GNV-207"]
    assert waived[0]["suppressions"][0]["kind"] == "external"
    assert "upphandlingen" in waived[0]["suppressions"][0]["justification"]


def test_expired_and_unused_waivers_are_warnings(repo):
    waivers = yaml.safe_load((repo / "compliance-waivers.yaml").read_text("utf-8"))
    expired = dict(waivers["waivers"][0], expires=dt.date(2021, 1, 1))
    unused = dict(waivers["waivers"][0], rule="GNV-201", expires=dt.date(2030, 1, 1))
    (repo / "compliance-waivers.yaml").write_text(yaml.safe_dump({"waivers": [expired, unused]}), "utf-8")
    code, result = check("plans", "--format", "json", "--baseline", "compliance-baseline.json")
    assert code == 0  # warnings do not fail --fail-on error
    doc = json.loads(result.stdout)
    messages = [w["message"] for w in doc["warnings"]]
    assert any("gick ut 2021-01-01" in m for m in messages)
    assert any("GNV-201" in m and "matchar inget fynd" in m for m in messages)
    assert all(w["file"] == "compliance-waivers.yaml" and w["line"] for w in doc["warnings"])
    assert next(f for f in findings(result) if f["rule"] == "GNV-207")["outcome"] == "failed"
    assert check("plans", "--baseline", "compliance-baseline.json", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda w: w.update(approvd_by="x"), "menar du 'approved_by'"),
        (lambda w: w.pop("reason"), "reason: måste anges"),
        (lambda w: w.update(reason=""), "reason"),
        (lambda w: w.update(expires="soon"), "expires"),
    ],
)
def test_bad_waiver_file_is_an_input_error(repo, edit, message):
    waivers = yaml.safe_load((repo / "compliance-waivers.yaml").read_text("utf-8"))
    edit(waivers["waivers"][0])
    (repo / "compliance-waivers.yaml").write_text(yaml.safe_dump(waivers, allow_unicode=True), "utf-8")
    code, result = check("plans")
    assert code == 2
    assert "compliance-waivers.yaml:" in result.output and message in result.output


def test_write_baseline_keys_by_rule_plan_file_and_path(repo, tmp_path):
    target = tmp_path / "baseline.json"
    code, _ = check("plans", "--write-baseline", str(target))
    assert code == 0  # written: `… --write-baseline b.json && git add b.json` goes on, findings or not
    doc = json.loads(target.read_text("utf-8"))
    assert doc == {"version": 2, "findings": [{"rule": "GNV-206", "plan": "rjh-gnv-2022",
                                               "file": "plans/rjh-gnv-2022.yaml", "path": "areas[4]"}]}
    plan = repo / "plans" / "rjh-gnv-2022.yaml"
    plan.write_text("# a comment that moves every line down\n" + plan.read_text("utf-8"), "utf-8")
    assert check("plans", "--baseline", str(target), "--fail-on", "warning")[0] == 0


def test_bad_baseline_is_an_input_error(repo):
    (repo / "b.json").write_text("{not json", "utf-8")
    code, result = check("plans", "--baseline", "b.json")
    assert code == 2 and "b.json" in result.output


@pytest.mark.skipif(shutil.which("pre-commit", path=str(BIN)) is None and shutil.which("pre-commit") is None,
                    reason="pre-commit is not installed (pip install pre-commit)")
def test_pre_commit_hook(repo):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_HOME": str(repo / ".cache"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    precommit = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")

    def run(*args):
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=120)

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    ok = run(precommit, "run", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "compliance check" in ok.stdout and "Passed" in ok.stdout
    plan = repo / "plans" / "rjh-gnv-2022.yaml"
    plan.write_text(plan.read_text("utf-8").replace("responsible: Ambulanschef, purpose", "purpose"), "utf-8")
    run("git", "add", "-A")
    bad = run(precommit, "run", "--all-files")
    assert bad.returncode == 1
    assert "GNV-201" in bad.stdout and "plans/rjh-gnv-2022.yaml:" in bad.stdout


def test_published_hook_and_action_definitions():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks[0]["id"] == "compliance-check" and hooks[0]["entry"] == "compliance check"
    assert hooks[0]["language_version"] == "python3.12"
    hook_files = re.compile(hooks[0]["files"])
    exclude = re.compile(hooks[0]["exclude"])
    for path in ("plans/rjh-gnv-2022.yaml", "region/plans/2023/rev.yml"):
        assert hook_files.search(path) and not exclude.search(path), path
    for path in (".gitlab-ci.yml", ".github/workflows/ci.yaml", "docs/notes.yaml", "plans/README.md"):
        assert not hook_files.search(path), path
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    steps = action["runs"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert action["runs"]["using"] == "composite"
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts and not any("${{" in script for script in scripts)  # inputs only through env:
    checks = [s for s in scripts if "compliance\" check" in s]
    assert len(checks) == 1 and "--format sarif" in checks[0]  # one run gives the SARIF and the log
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["update-environment"] is False  # the calling job's Python stays
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["continue-on-error"] is True and "inputs.upload-sarif" in upload["if"]
    gate = steps[-1]
    assert gate["run"].strip() == 'exit "${STATUS:-3}"' and "steps.check.outputs.status" in gate["env"]["STATUS"]


def test_the_actions_check_script_takes_paths_with_spaces(tmp_path):
    """Run the Action's own check script with bash, a stand-in compliance recording its arguments."""
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "compliance"
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$ARGS_FILE"\nexit 1\n', "utf-8")
    fake.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "VENV": str(venv), "PATHS": "plans/region one\n\nplans/two.yaml\n",
           "FAIL_ON": "warning", "AS_OF": "2022-12-31", "BASELINE": "", "SARIF": "out dir/c.sarif",
           "LANG_": "en", "WAIVERS": "", "RULES": "my rules",
           "GITHUB_OUTPUT": str(tmp_path / "out"), "ARGS_FILE": str(tmp_path / "args")}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    args = (tmp_path / "args").read_text("utf-8").splitlines()
    assert args == ["check", "--fail-on", "warning", "--format", "sarif", "--output", "out dir/c.sarif",
                    "--lang", "en", "--as-of", "2022-12-31", "--rules", "my rules", "--",
                    "plans/region one", "plans/two.yaml"]
    assert (tmp_path / "out").read_text("utf-8") == "status=1\n"


# -- editor schema -----------------------------------------------------------------------

def _as_editor_sees(node):
    if isinstance(node, dict):
        return {str(k): _as_editor_sees(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_editor_sees(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


PLANS = sorted(p for d in ("plans", "examples") for p in (ROOT / d).rglob("*.yaml")
               if p.name != "compliance-waivers.yaml" and not p.name.startswith("."))


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_schema_validates_every_example_plan(path):
    data = _as_editor_sees(yaml.safe_load(path.read_text("utf-8")))
    jsonschema.validate(data, plan_schema())
    assert path.read_text("utf-8").startswith("# yaml-language-server: $schema=")


def test_schema_rejects_a_typo_and_a_bad_code():
    data = _as_editor_sees(yaml.safe_load((ROOT / "plans" / "rjh-gnv-2020.yaml").read_text("utf-8")))
    data["areas"][0]["activities"][0]["responsable"] = "x"
    with pytest.raises(jsonschema.ValidationError, match="responsable"):
        jsonschema.validate(data, plan_schema())
    data = _as_editor_sees(yaml.safe_load((ROOT / "plans" / "rjh-gnv-2020.yaml").read_text("utf-8")))
    data["areas"][0]["activities"][0]["provider"] = "privat"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, plan_schema())


def test_schema_command_and_committed_copy_agree():
    out = CliRunner().invoke(main, ["schema"]).output
    schema = json.loads(out)
    assert schema["$defs"]["Activity"]["properties"]["provider"]["anyOf"][0]["enum"] == [
        "region", "municipality", "private", "mixed"]
    assert " / " in schema["$defs"]["Activity"]["properties"]["responsible"]["description"]
    assert (ROOT / "docs" / "plan.schema.json").read_text("utf-8") == out, "run: compliance schema --output docs/plan.schema.json"


# -- init --------------------------------------------------------------------------------

def test_init_writes_a_skeleton_with_the_allocation(tmp_path):
    target = tmp_path / "new.yaml"
    result = CliRunner().invoke(main, ["init", "--region", "Region Gotland", "--agreement", "gnv-2022",
                                       "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(target.read_text("utf-8"))
    alloc = {a["area"]: a.get("allocation") for a in data["areas"]}
    assert alloc["nara-vard"] == 14140838 and alloc["ambulans"] == 934968 and alloc["vfu"] is None
    code, checked = check(str(target), "--as-of", "2022-03-01", "--format", "json", "--fail-on", "warning")
    assert code == 1 and json.loads(checked.stdout)["errors"] == []
    assert not [f for f in findings(checked) if f["rule"] == "GNV-103" and f["outcome"] == "failed"]
    again = CliRunner().invoke(main, ["init", "--region", "Region Gotland", "--agreement", "gnv-2022",
                                      "--output", str(target)])
    assert again.exit_code == 2 and "en planfil skrivs aldrig över" in again.output


def test_init_refuses_an_unknown_region():
    result = CliRunner().invoke(main, ["init", "--region", "Region Atlantis", "--agreement", "gnv-2022"])
    assert result.exit_code == 2 and "Region Atlantis" in result.output
