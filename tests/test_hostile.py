"""Hostile plans, round two (issue 16): plan text from a pull request must never
crash the engine, pass the gate, read the host or lose a file."""

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import engine as engine_mod
from compliance import facts as facts_mod
from compliance.plans import plan_from_data

ROOT = Path(__file__).resolve().parent.parent
REGION = "Region Jämtland Härjedalen"


def cli(*args, cwd=None, timeout=120, **kw):
    return subprocess.run([sys.executable, "-m", "compliance.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, **kw)


# -- 1. fact ids unique by construction -------------------------------------------------------

COLLIDING_OLD = f"""\
plan: {{id: p, region: {REGION}, agreement: gnv-2020}}
areas:
  - area: "karriartjanster/x"
    activities:
      - {{id: y, amount: 100}}
  - area: karriartjanster
    activities:
      - {{id: x/y, amount: 200}}
"""
COLLIDING_NEW = COLLIDING_OLD.replace("agreement: gnv-2020}", "agreement: gnv-2020, supersedes: old.yaml}").replace(
    "amount: 100", "amount: 150").replace("amount: 200", "amount: 150")


def test_joined_area_and_activity_ids_do_not_crash_the_engine(tmp_path):
    """Area "karriartjanster/x" + activity "y" and area "karriartjanster" + activity "x/y"
    once gave one fact id: SIGSEGV or free(): invalid size in 4 of 5 runs."""
    (tmp_path / "old.yaml").write_text(COLLIDING_OLD, "utf-8")
    (tmp_path / "new.yaml").write_text(COLLIDING_NEW, "utf-8")
    for _ in range(2):
        proc = cli("check", "new.yaml", "--as-of", "2020-04-01", "--format", "json", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr[-500:]
        doc = json.loads(proc.stdout)
        moved = sorted((f["rule"], f["values"]["area"], f["values"].get("change"), f["values"].get("moved"))
                       for f in doc["results"][0]["findings"] if f["rule"] in ("GNV-301", "GNV-302"))
        assert moved == [("GNV-301", "karriartjanster", None, 50), ("GNV-302", "karriartjanster", -50, None),
                         ("GNV-302", "karriartjanster/x", 50, None)]
    proc = cli("diff", "old.yaml", "new.yaml", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-500:]
    rows = {(r["area"], r["activity"]): r["forbidden"] for r in json.loads(proc.stdout)["rows"]}
    assert rows[("karriartjanster", None)] == ["GNV-301", "GNV-302"]
    assert rows[("karriartjanster/x", None)] == ["GNV-302"]  # not earmarked as karriartjanster: never mixed
    assert rows[("karriartjanster", "x/y")] == [] and rows[("karriartjanster/x", "y")] == []


def test_fact_ids_never_join_plan_text_with_a_separator():
    assert facts_mod.fact_id("revision-activity", "a/b", "c") != facts_mod.fact_id("revision-activity", "a", "b/c")
    assert facts_mod.fact_id("revision-activity", 'a","b', "c") != facts_mod.fact_id("revision-activity", "a", 'b","c')
    assert facts_mod.fact_id("activity", "areas", 1) != facts_mod.fact_id("activity", "areas", "1")


def _fact(i, fid):
    return facts_mod.Fact("activity", fid, ("areas", i), {"amount": 1})


def test_two_facts_with_one_id_never_reach_the_engine(checker):
    pack = checker.book.agreement("gnv-2020")
    with pytest.raises(facts_mod.DuplicateFactError, match="two facts with the id"):
        checker.engine.run(pack, [_fact(0, "activity:x"), _fact(1, "activity:x")])
    with pytest.raises(facts_mod.DuplicateFactError):
        facts_mod.check_unique([_fact(0, "a"), _fact(1, "b"), _fact(2, "a")])
    facts_mod.check_unique([_fact(0, "a"), _fact(1, "b")])


def test_the_engine_sees_positions_not_plan_text(checker, monkeypatch):
    """The ids the C engine keys messages by are positions, whatever the plan says."""
    seen = []
    real = engine_mod._engine_ids

    def spy(facts):
        ids = real(facts)
        seen.append(ids)
        return ids

    monkeypatch.setattr(engine_mod, "_engine_ids", spy)
    loaded = plan_from_data({"plan": {"id": "p", "region": REGION, "agreement": "gnv-2020"},
                             "areas": [{"area": "nara-vard/x", "activities": [{"id": "y/z", "amount": 1}]}]})
    checker.check_plan(loaded, dt.date(2020, 4, 1))
    assert seen and seen[0] == [str(n) for n in range(len(seen[0]))]


def test_fnv1a_matches_the_c_engine_and_position_ids_hash_apart():
    # FNV-1a 32-bit reference vectors, and a non-ASCII byte as the C core's signed char sees it
    assert engine_mod.fnv1a_32("") == 0x811C9DC5
    assert engine_mod.fnv1a_32("a") == 0xE40C292C
    assert engine_mod.fnv1a_32("foobar") == 0xBF9CF968
    assert engine_mod.fnv1a_32("é") != engine_mod.fnv1a_32("\u00e8")
    hashes = {engine_mod.fnv1a_32(str(n)) for n in range(120_000)}
    assert len(hashes) == 120_000


# -- 2. --output and --write-baseline never replace an input or a special file ---------------

PLAN = f"""\
plan: {{id: {{id}}, region: {REGION}, agreement: gnv-2020}}
areas:
  - area: karriartjanster
    allocation: 1266508
    responsible: HR
    activities:
      - {{id: a, amount: {{amount}}, responsible: HR}}
"""


def plan_text(plan_id="p", amount=1266509):
    return PLAN.replace("{id}", plan_id).replace("{amount}", str(amount))


@pytest.fixture
def one_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.yaml").write_text(plan_text(), "utf-8")
    return tmp_path / "plan.yaml"


def invoke(*args):
    from click.testing import CliRunner

    from compliance.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_naming_the_plan_is_refused_and_the_plan_kept(one_plan, option):
    before = one_plan.read_bytes()
    result = invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--format", "text", option, "plan.yaml")
    assert result.exit_code == 2, result.output
    assert "plan.yaml" in result.output and "input of this run" in result.output
    assert one_plan.read_bytes() == before


def test_output_naming_an_input_by_another_name_is_refused(one_plan, tmp_path):
    (tmp_path / "other.txt").hardlink_to(one_plan)
    (tmp_path / "w.yaml").write_text("waivers: []\n", "utf-8")
    assert invoke("check", "plan.yaml", "--output", "other.txt").exit_code == 2
    result = invoke("check", "plan.yaml", "--waivers", "w.yaml", "--format", "json", "--output",
                    str(tmp_path / "w.yaml"))
    assert result.exit_code == 2 and "input of this run" in result.output
    assert one_plan.read_text("utf-8") == plan_text()


def test_output_over_a_symlink_or_device_is_refused(one_plan, tmp_path):
    (tmp_path / "report.txt").symlink_to(one_plan)
    result = invoke("check", "plan.yaml", "--output", "report.txt")
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert (tmp_path / "report.txt").is_symlink() and one_plan.read_text("utf-8") == plan_text()
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    result = invoke("check", "plan.yaml", "--output", str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    result = invoke("check", "plan.yaml", "--output", os.devnull)
    assert result.exit_code == 2 and stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize(("output", "words"), [
    ("", "empty file name"), (".", "is a folder"), ("missing/r.txt", "does not exist"),
])
def test_output_folder_missing_or_empty_is_exit_2_before_any_check(one_plan, monkeypatch, output, words):
    from compliance import check

    def never(*a, **k):
        raise AssertionError("checked before refusing the output")

    monkeypatch.setattr(check.Checker, "run_batch", never)
    result = invoke("check", "plan.yaml", "--output", output)
    assert result.exit_code == 2 and words in result.output, result.output
    assert not (one_plan.parent / "missing").exists()


def test_output_dash_is_standard_output(one_plan):
    result = invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--output", "-", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["plans"] == 1
    assert sorted(p.name for p in one_plan.parent.iterdir()) == ["plan.yaml"]


def test_output_replaces_a_report_and_follows_the_umask(one_plan, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("old", "utf-8")
    old = os.umask(0o027)
    try:
        assert invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--output", "r.txt").exit_code == 1
        assert invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--output", "new.txt").exit_code == 1
    finally:
        os.umask(old)
    assert "GNV-102" in report.read_text("utf-8")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_unknown_output_extension_is_a_usage_error(one_plan):
    result = invoke("check", "plan.yaml", "--output", "r.csv")
    assert result.exit_code == 2 and ".csv" in result.output
    assert not (one_plan.parent / "r.csv").exists()
    assert invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--output", "r.csv", "--format", "json").exit_code == 1
    assert json.loads((one_plan.parent / "r.csv").read_text("utf-8"))["summary"]["plans"] == 1


# -- 3. two plans with one id; baselines record the file ----------------------------------------


def test_two_plans_with_one_id_are_an_input_error_naming_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(plan_text("p", 1266508), "utf-8")
    (tmp_path / "plans" / "b.yaml").write_text(plan_text("p", 9_999_999), "utf-8")
    result = invoke("check", "plans", "--as-of", "2020-04-01", "--format", "json")
    assert result.exit_code == 2
    assert "plans/a.yaml: plan.id: plan.id 'p' är också id för plans/b.yaml" in result.output
    assert "plans/b.yaml: plan.id: plan.id 'p' är också id för plans/a.yaml" in result.output
    assert '"results"' not in result.output  # before any check runs


def test_a_copy_of_a_plan_id_never_passes_through_the_baseline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.yaml").write_text(plan_text("p"), "utf-8")
    assert invoke("check", "plans", "--as-of", "2020-04-01", "--write-baseline", "b.json").exit_code == 0
    doc = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert {"rule": "GNV-102", "plan": "p", "file": "plans/a.yaml", "path": "areas[0]"} in doc["findings"]
    assert invoke("check", "plans", "--as-of", "2020-04-01", "--baseline", "b.json").exit_code == 0
    # the same finding under the same plan id, in another file, is new
    (tmp_path / "plans" / "a.yaml").rename(tmp_path / "plans" / "z.yaml")
    result = invoke("check", "plans", "--as-of", "2020-04-01", "--baseline", "b.json", "--format", "json")
    assert result.exit_code == 1
    (found,) = [f for f in json.loads(result.stdout)["results"][0]["findings"] if f["rule"] == "GNV-102"]
    assert "baseline" not in found


def test_a_version_1_baseline_is_refused(tmp_path, one_plan):
    (tmp_path / "b.json").write_text('{"version": 1, "findings": []}', "utf-8")
    result = invoke("check", "plan.yaml", "--baseline", "b.json")
    assert result.exit_code == 2 and "--write-baseline" in result.output


# -- 4. only regular files are read, within the byte limit while reading ------------------------


def test_a_fifo_on_the_command_line_is_refused_at_once(tmp_path):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    proc = cli("check", str(fifo), timeout=30)
    assert proc.returncode == 2 and "inte en vanlig fil" in proc.stdout + proc.stderr


def test_a_device_is_refused_without_reading_it():
    from compliance.errors import InputError
    from compliance.loader import read_text

    with pytest.raises(InputError, match="not a regular file"):
        read_text(Path("/dev/zero"), "/dev/zero")


def test_the_byte_limit_holds_while_reading_a_file_whose_size_lies(tmp_path, monkeypatch):
    from compliance import loader
    from compliance.errors import InputError

    path = tmp_path / "plan.yaml"
    path.write_text("x" * 5000, "utf-8")
    real = os.fstat

    def lying(fd):
        st = real(fd)
        return os.stat_result((st.st_mode, *st[1:6], 0, *st[7:]))  # st_size 0, as /proc reports

    monkeypatch.setattr(loader.os, "fstat", lying)
    with pytest.raises(InputError, match="over the bound of 4096 bytes"):
        loader.read_text(path, "plan.yaml", 4096)
    assert loader.read_text(path, "plan.yaml", 5000) == "x" * 5000  # the bound itself is allowed


# -- 9. supersedes leads only to plan files inside the folders being checked --------------------


@pytest.mark.parametrize("reference", ["{secret}", "../secret.yaml", "../../../../../../../../{secret}",
                                       "/proc/self/status", "/dev/zero"])
def test_supersedes_outside_the_checked_folders_is_refused_unread(tmp_path, monkeypatch, reference):
    from compliance import check as check_mod

    secret = tmp_path / "secret.yaml"
    secret.write_text("plan: {id: hunter2, region: geheim, agreement: gnv-2020}\nsecret_key: hunter2\n", "utf-8")
    (tmp_path / "plans").mkdir()
    reference = reference.format(secret=secret)
    (tmp_path / "plans" / "p.yaml").write_text(
        plan_text().replace("agreement: gnv-2020}", f"agreement: gnv-2020, supersedes: '{reference}'}}"), "utf-8")
    read = []
    real = check_mod.load_plan
    monkeypatch.setattr(check_mod, "load_plan", lambda path, *a: read.append(Path(path).name) or real(path, *a))
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "plans", "--as-of", "2020-04-01", "--format", "json")
    assert result.exit_code == 2
    assert "hunter2" not in result.output and "secret_key" not in result.output and "geheim" not in result.output
    assert read == ["p.yaml"]
    (error,) = json.loads(result.stdout)["errors"]
    assert error["file"] == "plans/p.yaml" and error["field"] == "plan.supersedes" and error["line"] == 1


def test_supersedes_inside_the_tree_but_not_a_plan_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "notes.txt").write_text("plan: {id: x}\n", "utf-8")
    (tmp_path / "plans" / "p.yaml").write_text(
        plan_text().replace("agreement: gnv-2020}", "agreement: gnv-2020, supersedes: notes.txt}"), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "plans", "--format", "json")
    assert result.exit_code == 2 and "inte är en planfil" in result.output


def test_a_named_file_may_revise_a_plan_in_its_own_folder(tmp_path, monkeypatch):
    (tmp_path / "old.yaml").write_text(plan_text("v1", 1266508), "utf-8")
    (tmp_path / "new.yaml").write_text(  # one krona out of the earmarked area: only the old version shows it
        plan_text("v2", 1266507).replace("agreement: gnv-2020}", "agreement: gnv-2020, supersedes: old.yaml}"),
        "utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "new.yaml", "--as-of", "2020-04-01", "--format", "json")
    assert result.exit_code == 1, result.output
    rules = {f["rule"] for f in json.loads(result.stdout)["results"][0]["findings"]}
    assert "GNV-301" in rules


def test_a_plan_folder_with_a_link_leading_out_is_refused(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "p.yaml").write_text(plan_text(), "utf-8")
    (tmp_path / "outside.yaml").write_text("secret_key: hunter2\n", "utf-8")
    (tmp_path / "plans" / "x.yaml").symlink_to(tmp_path / "outside.yaml")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "plans")
    assert result.exit_code == 2 and "plans/x.yaml" in result.output and "hunter2" not in result.output


# -- 10. a revision chain is read once per run ------------------------------------------------


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_each_plan_of_a_chain_is_read_once(tmp_path, monkeypatch, order):
    from compliance import check as check_mod

    n = 40
    for i in range(n):
        head = f"supersedes: v{i - 1:03d}.yaml, " if i else ""
        name = f"v{i:03d}.yaml" if order == "forward" else f"v{n - 1 - i:03d}.yaml"
        text = plan_text(f"v{i}", 1266508).replace("agreement: gnv-2020}", f"{head}agreement: gnv-2020}}")
        if order == "backward":
            text = text.replace(f"supersedes: v{i - 1:03d}.yaml", f"supersedes: v{n - i:03d}.yaml")
        (tmp_path / name).write_text(text, "utf-8")
    reads = []
    real = check_mod.load_plan
    monkeypatch.setattr(check_mod, "load_plan", lambda path, *a: reads.append(Path(path).name) or real(path, *a))
    run = check_mod.Checker().check_files([(p, p.name) for p in sorted(tmp_path.glob("*.yaml"))],
                                          dt.date(2020, 4, 1))
    assert run.errors == [] and len(run.results) == n
    assert sorted(reads) == sorted(p.name for p in tmp_path.glob("*.yaml"))  # each once
    revised = [r for r in run.results if any(f.rule == "GNV-303" for f in r.findings)]
    assert len(revised) == n - 1  # every plan but the first revises its predecessor
