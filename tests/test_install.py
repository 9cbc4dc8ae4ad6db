"""compliance installed the ways its users install it, and run where they run it.

An editable install inside a clone proves nothing about the wheel, the
GitHub Action or the pre-commit hook, so these tests build the wheel, install
it non-editable into fresh virtual environments and run the command from a
folder that holds no checkout:

* the wheel on this Python (durable-rules where it imports here);
* the wheel on Python 3.13 where one exists (the built-in evaluator), with
  the engine-equivalence test run there against findings durable-rules gives
  here, and its text output compared byte for byte with this Python's;
* ``pre-commit try-repo`` of this repository on a plan repository that also
  holds a non-plan YAML file: passes on clean plans, fails on a plan with an
  error (the hook installs from source, on the Python it pins).

They need the package registry for the dependencies (as a user's install
does) and take a minute or two; ``COMPLIANCE_SKIP_INSTALL_TESTS=1`` skips them
in a quick local loop. CI runs them.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("COMPLIANCE_SKIP_INSTALL_TESTS")), reason="COMPLIANCE_SKIP_INSTALL_TESTS is set"
)


def _env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing of this test run's venv or checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "COMPLIANCE_ENGINE")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    pyenv = Path.home() / ".pyenv" / "versions"
    if pyenv.is_dir() and "PYENV_VERSION" not in env:  # let pyenv's shims find every installed Python
        env["PYENV_VERSION"] = ":".join(sorted((p.name for p in pyenv.iterdir() if p.name[:1] == "3"), reverse=True))
    env.update(extra)
    return env


def interpreter(version: str) -> str | None:
    """A working ``pythonX.Y``: on PATH, or where pyenv keeps it."""
    candidates = [shutil.which(f"python{version}")] + sorted(
        glob.glob(str(Path.home() / ".pyenv" / "versions" / f"{version}.*" / "bin" / f"python{version}"))
    )
    for exe in filter(None, candidates):
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, env=_env())
        if done.returncode == 0 and done.stdout.startswith(f"Python {version}"):
            return exe
    return None


def run(cmd: list[str], cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env(**extra), timeout=600)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)], cwd=out)
    assert done.returncode == 0, done.stderr
    (whl,) = out.glob("compliance-*.whl")
    return whl


def venv_with(python: str, where: Path, *requirements: str) -> Path:
    """A fresh virtual environment with ``requirements`` installed; its bin folder."""
    done = run([python, "-m", "venv", str(where)], cwd=where.parent)
    assert done.returncode == 0, done.stderr
    bin_dir = where / ("Scripts" if os.name == "nt" else "bin")
    done = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", *requirements], cwd=where.parent)
    assert done.returncode == 0, done.stderr
    return bin_dir


@pytest.fixture(scope="session")
def outside(tmp_path_factory) -> Path:
    """A working folder that holds no checkout: only copies of the example plans."""
    folder = tmp_path_factory.mktemp("user")
    shutil.copytree(ROOT / "plans", folder / "plans")
    return folder


def _in_process_json(as_of: str) -> dict:
    from click.testing import CliRunner

    from compliance.cli import main

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["check", "plans", "--as-of", as_of, "--format", "json"])
    finally:
        os.chdir(cwd)
    return json.loads(result.output)


def test_the_wheel_carries_the_rules_and_runs_outside_a_checkout(wheel, outside, tmp_path_factory):
    bin_dir = venv_with(sys.executable, tmp_path_factory.mktemp("venv") / "v", str(wheel))
    compliance = str(bin_dir / "compliance")

    version = run([compliance, "--version"], outside)
    assert version.returncode == 0, version.stderr
    from compliance.engine import describe_engine

    assert f"engine: {describe_engine()}" in version.stdout  # the same engine as this test run's Python

    listed = run([compliance, "rules", "list"], outside)
    assert listed.returncode == 0, listed.stderr
    ids = [line.split()[0] for line in listed.stdout.splitlines() if line.startswith("GNV-")]
    assert len(ids) == len(list((ROOT / "rules" / "catalog").glob("GNV-*.yaml")))
    assert "rules" not in os.listdir(outside)

    checked = run([compliance, "check", "plans", "--as-of", "2021-04-30", "--format", "json"], outside)
    assert checked.returncode == 1, checked.stderr  # the example plans have errors
    installed = json.loads(checked.stdout)
    assert installed == _in_process_json("2021-04-30")  # same findings as the checkout gives
    assert installed["summary"]["failed"] > 0

    allocation = run([compliance, "allocation", "gnv-2022", "--format", "json"], outside)
    assert allocation.returncode == 0, allocation.stderr
    table = json.loads(allocation.stdout)
    assert table["regions"]["Region Jämtland Härjedalen"]["nara-vard"] > 0

    coverage = run([compliance, "rules", "coverage", "--format", "json"], outside)  # rules/obligations/ is shipped
    assert coverage.returncode == 0, coverage.stderr
    assert {s["document"] for s in json.loads(coverage.stdout)["sources"]} == {"000", "001", "002", "003"}


PY313 = interpreter("3.13")


@pytest.mark.skipif(PY313 is None, reason="no python3.13 on this machine")
def test_python_3_13_gets_the_built_in_evaluator_with_durable_rules_findings(wheel, outside, tmp_path_factory):
    from compliance import engine

    if "durable" not in engine.available_engines():
        pytest.skip("durable-rules does not import here, so there is no reference to compare with")
    assert PY313 is not None
    bin_dir = venv_with(PY313, tmp_path_factory.mktemp("venv313") / "v", str(wheel), "pytest")
    compliance = str(bin_dir / "compliance")

    version = run([compliance, "--version"], outside)
    assert "Python 3.13" in version.stdout and "built-in evaluator" in version.stdout, version.stdout

    # the same text, byte for byte, as this Python's durable-rules run
    ours = run([sys.executable, "-m", "compliance", "check", "plans", "--as-of", "2021-04-30"], outside,
               PYTHONPATH=str(ROOT / "src"))
    theirs = run([compliance, "check", "plans", "--as-of", "2021-04-30"], outside)
    assert (theirs.returncode, theirs.stdout) == (ours.returncode, ours.stdout)

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from test_engine_equivalence import corpus_findings
    finally:
        sys.path.remove(str(ROOT / "tests"))
    reference = outside / "durable-findings.json"
    reference.write_text(json.dumps(corpus_findings("durable"), ensure_ascii=False), "utf-8")
    done = run([str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "tests/test_engine_equivalence.py", "-k", "durable_reference"], ROOT,
               COMPLIANCE_EQUIVALENCE_REFERENCE=str(reference))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout, done.stdout


@pytest.fixture
def plan_repo(tmp_path) -> Path:
    """A plan repository as a region keeps it, with CI configuration beside the plans."""
    repo = tmp_path / "plan-repo"
    shutil.copytree(ROOT / "examples" / "plan-repo", repo)
    (repo / ".pre-commit-config.yaml").unlink()
    (repo / ".gitlab-ci.yml").write_text("stages: [test]\ncheck:\n  script: [echo ok]\n", "utf-8")
    (repo / "docs").mkdir()
    (repo / "docs" / "notes.yaml").write_text("not: a plan\n", "utf-8")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "plans"]):
        assert run(cmd, repo).returncode == 0
    return repo


@pytest.mark.skipif(shutil.which("pre-commit", path=str(Path(sys.executable).parent)) is None,
                    reason="pre-commit is not installed (it is in the test extra)")
def test_pre_commit_try_repo_checks_plans_only_and_fails_on_an_error(plan_repo, tmp_path):
    precommit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert precommit is not None
    home = str(tmp_path / "pre-commit-home")
    cmd = [precommit, "try-repo", str(ROOT), "compliance-check", "--all-files"]
    clean = run(cmd, plan_repo, PRE_COMMIT_HOME=home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    bad = (plan_repo / "plans" / "rjh-gnv-2022.yaml").read_text("utf-8")
    bad = bad.replace("id: rjh-gnv-2022\n", "id: rjh-gnv-2022-broken\n", 1)
    assert "rjh-gnv-2022-broken" in bad
    bad = bad.replace("  - area: karriartjanster\n", "  - area: karriartjanster\n    stated_total: 1\n", 1)
    assert "stated_total: 1\n" in bad  # GNV-106: a stated total that is not the sum of its parts
    (plan_repo / "plans" / "broken.yaml").write_text(bad, "utf-8")
    assert run(["git", "add", "-A"], plan_repo).returncode == 0
    failed = run(cmd, plan_repo, PRE_COMMIT_HOME=home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "GNV-106" in failed.stdout and ".gitlab-ci.yml" not in failed.stdout
