"""ruff, mypy and lint-imports stay clean (configured in pyproject.toml); skipped where not installed."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name):
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_is_clean():
    proc = subprocess.run([tool("ruff"), "check", "src", "tests"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    proc = subprocess.run([tool("mypy"), "src"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_merge_conflict_markers_are_committed():
    """A half-resolved merge must fail the suite, not ship (text files git tracks)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    bad = []
    for name in listed.stdout.decode().split("\0"):
        path = ROOT / name
        if not name or path.suffix in (".png", ".xlsx") or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            bad.append(name)
    assert not bad, f"merge conflict markers in {bad}"


def lint_imports(root, env=None):
    return subprocess.run([tool("lint-imports"), "--no-cache"], cwd=root, capture_output=True, text=True,
                          timeout=120, env=env)


def test_import_contracts_hold():
    """The architecture as a test: the [tool.importlinter] contracts in pyproject.toml
    (only engine imports durable-rules, only cli imports click, the library imports
    neither cli nor web, no import cycles)."""
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kept = re.search(r"Contracts: (\d+) kept, 0 broken", proc.stdout)
    assert kept and int(kept.group(1)) >= 4, proc.stdout  # the four of issue 15, and any added since


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("facts.py", "import durable_rules_engine", "Only compliance.engine imports durable-rules"),
    ("output.py", "import click", "Only the command line imports click"),
    ("check.py", "from . import web", "The library imports neither the command line nor the web page"),
    ("loader.py", "from . import plans", "No import cycles among the package's modules"),
])
def test_each_import_contract_catches_a_violation(tmp_path, module, line, broken):
    """A copy of the package with one forbidden import added breaks that contract."""
    tool("lint-imports")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "shipped_rules"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "compliance" / module
    target.write_text(target.read_text("utf-8") + f"\n{line}  # noqa\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    proc = lint_imports(tmp_path, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{broken} BROKEN" in proc.stdout, proc.stdout
