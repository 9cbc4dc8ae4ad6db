"""Hostile and broken input never crashes, never hangs, never loses output."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_check(*args):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def only_error(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "indatafel:" in line.lower() or line.startswith("error:")]
    assert lines, result.output
    return lines[0]


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(b"plan:\n  id: x\n\x00\x01\x02\xff")
    assert "junk.yaml:3: binärt innehåll" in only_error(run_check(str(path)))


def test_wrong_types(write):
    path = write("plan: {id: p, region: R, agreement: gnv-2020}\nareas: just text\n")
    line = only_error(run_check(str(path)))
    assert ":2:" in line and "areas" in line and "list" in line


def test_wrong_type_inside_an_activity(write):
    path = write("plan: {id: p, region: R, agreement: gnv-2020}\nareas:\n  - area: nara-vard\n    activities:\n      - {id: a, amount: 5, new: maybe}\n")
    line = only_error(run_check(str(path)))
    assert ":5:" in line and "areas[0].activities[0].new" in line


def test_impossible_date_in_a_report(write):
    path = write("plan: {id: p, region: R, agreement: gnv-2020}\nreports:\n  - {kind: partial-report, submitted: 2020-13-45}\n")
    line = only_error(run_check(str(path)))
    assert ":3:" in line and "2020-13-45" in line


def test_file_over_the_size_bound(write):
    path = write("plan: {id: p, region: R, agreement: gnv-2020}\n" + "# padding\n" * 200)
    line = only_error(run_check(str(path), "--max-bytes", "500"))
    assert "över gränsen 500 byte" in line
    assert run_check(str(path), "--as-of", "2020-04-01").exit_code in (0, 1)


def test_deep_nesting_does_not_crash_the_c_parser(tmp_path):
    """PyYAML's C composer overflows the C stack near 100 000 levels; we refuse first."""
    for text in ("a: " + "[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x"):
        path = tmp_path / "deep.yaml"
        path.write_text(text + "\n", "utf-8")
        proc = subprocess.run([sys.executable, "-m", "compliance.cli", "check", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr[-500:]
        assert "nästlat djupare än 64 nivåer" in proc.stdout + proc.stderr


def test_yaml_tags_cannot_construct_python_objects(write):
    path = write("plan: !!python/object/apply:os.system ['echo pwned']\n")
    line = only_error(run_check(str(path)))
    assert "stöds inte" in line


def test_multiple_documents(write):
    path = write("plan: {id: a, region: R, agreement: gnv-2020}\n---\nplan: {id: b, region: R, agreement: gnv-2020}\n")
    assert "ett enda YAML-dokument" in only_error(run_check(str(path)))


def test_rule_pack_with_an_error_names_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = rules / "catalog" / "GNV-104.yaml"
    text = rule.read_text("utf-8").replace("when: planned < allocation", "when: planned << allocation")
    rule.write_text(text, "utf-8")
    line_no = text.splitlines().index("when: planned << allocation") + 1
    result = CliRunner().invoke(main, ["check", str(ROOT / "plans"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert f"catalog/GNV-104.yaml:{line_no}:" in result.output
    assert "villkoret 'planned << allocation' går inte att läsa" in result.output


def test_duplicate_rule_id_is_refused(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    shutil.copy(rules / "catalog" / "GNV-104.yaml", rules / "catalog" / "GNV-104-copy.yaml")
    result = CliRunner().invoke(main, ["rules", "list", "--rules", str(rules)])
    assert result.exit_code == 2 and "definieras två gånger" in result.output


def test_plan_files_are_never_written(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "plans").iterdir()}
    os.chmod(tmp_path / "plans", 0o555)
    try:
        monkeypatch.chdir(tmp_path)
        result = run_check("plans", "--as-of", "2021-04-30", "--format", "json")
        assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["plans"] == 4  # YAML and workbooks
    finally:
        os.chmod(tmp_path / "plans", 0o755)
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "plans").iterdir()}


def test_internal_errors_are_one_line(monkeypatch, write):
    from compliance import check as check_mod

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_mod.Checker, "check_plan", broken)
    plan = str(write("plan: {id: a, region: R, agreement: gnv-2020}\n"))
    result = CliRunner().invoke(main, ["check", plan, "--lang", "en"])
    assert result.exit_code == 3
    assert result.output.strip().startswith("internal error: RuntimeError: boom")
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["check", plan])
    assert result.exit_code == 3 and result.output.strip().startswith("internt fel: RuntimeError: boom")


def test_determinism_across_hash_seeds(tmp_path):
    outputs = {}
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for fmt in ("json", "sarif", "junit"):
            proc = subprocess.run(
                [sys.executable, "-m", "compliance.cli", "check", "plans", "examples/revisions",
                 "--as-of", "2021-04-30", "--format", fmt],
                cwd=ROOT, env=env, capture_output=True, timeout=120,
            )
            assert proc.returncode == 1, proc.stderr
            outputs.setdefault(fmt, set()).add(proc.stdout)
    assert all(len(v) == 1 for v in outputs.values())


def test_rule_naming_an_unknown_pack_figure_names_the_rule_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = rules / "catalog" / "GNV-210.yaml"
    rule.write_text(rule.read_text("utf-8").replace("pack.year_start", "pack.year_begin"), "utf-8")
    result = CliRunner().invoke(main, ["check", str(ROOT / "plans"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "catalog/GNV-210.yaml" in result.output and "year_begin" in result.output
    assert "Traceback" not in result.output


def test_a_closed_pipe_is_not_an_internal_error(tmp_path):
    """`compliance check … | head -1`: stop quietly with the shell's SIGPIPE status."""
    from compliance.bench import generate

    generate(60, tmp_path)  # far more output than a pipe's buffer holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "compliance.cli", "check", str(tmp_path), "--as-of", "2023-04-30"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdout.read(50)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "internal error" not in stderr and "Traceback" not in stderr
