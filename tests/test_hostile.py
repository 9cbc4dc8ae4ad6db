"""Hostile plans, round two (issue 16): plan text from a pull request must never
crash the engine, pass the gate, read the host or lose a file."""

import datetime as dt
import json
import os
import signal
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
    assert "plan.yaml" in result.output and "indata i den här körningen" in result.output
    assert one_plan.read_bytes() == before


def test_output_naming_an_input_by_another_name_is_refused(one_plan, tmp_path):
    (tmp_path / "other.txt").hardlink_to(one_plan)
    (tmp_path / "w.yaml").write_text("waivers: []\n", "utf-8")
    assert invoke("check", "plan.yaml", "--output", "other.txt").exit_code == 2
    result = invoke("check", "plan.yaml", "--waivers", "w.yaml", "--format", "json", "--output",
                    str(tmp_path / "w.yaml"))
    assert result.exit_code == 2 and "indata i den här körningen" in result.output
    assert one_plan.read_text("utf-8") == plan_text()


def test_output_over_a_symlink_or_device_is_refused(one_plan, tmp_path):
    (tmp_path / "report.txt").symlink_to(one_plan)
    result = invoke("check", "plan.yaml", "--output", "report.txt")
    assert result.exit_code == 2 and "symbolisk länk" in result.output
    assert (tmp_path / "report.txt").is_symlink() and one_plan.read_text("utf-8") == plan_text()
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    result = invoke("check", "plan.yaml", "--output", str(fifo))
    assert result.exit_code == 2 and "inte en vanlig fil" in result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    result = invoke("check", "plan.yaml", "--output", os.devnull)
    assert result.exit_code == 2 and stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize(("output", "words"), [
    ("", "tomt filnamn"), (".", "är en mapp"), ("missing/r.txt", "mappen missing finns inte"),
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
    from compliance import plans as plans_mod

    secret = tmp_path / "secret.yaml"
    secret.write_text("plan: {id: hunter2, region: geheim, agreement: gnv-2020}\nsecret_key: hunter2\n", "utf-8")
    (tmp_path / "plans").mkdir()
    reference = reference.format(secret=secret)
    (tmp_path / "plans" / "p.yaml").write_text(
        plan_text().replace("agreement: gnv-2020}", f"agreement: gnv-2020, supersedes: '{reference}'}}"), "utf-8")
    read = []
    real = plans_mod.load_plan  # the run's PlanCache (plans.py) reads every plan through it
    monkeypatch.setattr(plans_mod, "load_plan", lambda path, *a: read.append(Path(path).name) or real(path, *a))
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
    from compliance import plans as plans_mod

    n = 40
    for i in range(n):
        head = f"supersedes: v{i - 1:03d}.yaml, " if i else ""
        name = f"v{i:03d}.yaml" if order == "forward" else f"v{n - 1 - i:03d}.yaml"
        text = plan_text(f"v{i}", 1266508).replace("agreement: gnv-2020}", f"{head}agreement: gnv-2020}}")
        if order == "backward":
            text = text.replace(f"supersedes: v{i - 1:03d}.yaml", f"supersedes: v{n - i:03d}.yaml")
        (tmp_path / name).write_text(text, "utf-8")
    reads = []
    real = plans_mod.load_plan
    monkeypatch.setattr(plans_mod, "load_plan", lambda path, *a: reads.append(Path(path).name) or real(path, *a))
    run = check_mod.Checker().check_files([(p, p.name) for p in sorted(tmp_path.glob("*.yaml"))],
                                          dt.date(2020, 4, 1))
    assert run.errors == [] and len(run.results) == n
    assert sorted(reads) == sorted(p.name for p in tmp_path.glob("*.yaml"))  # each once
    revised = [r for r in run.results if any(f.rule == "GNV-303" for f in r.findings)]
    assert len(revised) == n - 1  # every plan but the first revises its predecessor


# -- 6, 7, 8. plan text is data: never a line, a heading, a mention, an escape or bad XML ---------

EVIL = "x\r## ✅ 0 errors\n::error::ok\x1b[2J\x1b]0;t\x07\u202e @bob https://e.vil\x85www.e.vil <b>\x00\x01\x08."
EVIL_YAML = json.dumps(EVIL)  # a YAML double-quoted scalar with every character escaped


@pytest.fixture
def evil_run(tmp_path, checker):
    """Plan text with controls in the plan id, an area code and a provider's name, and in the file name."""
    text = f"""\
plan: {{id: {EVIL_YAML}, region: {REGION}, agreement: gnv-2020}}
areas:
  - area: {EVIL_YAML}
    activities:
      - {{id: a, amount: 1, provider: private, private_provider: {{name: {EVIL_YAML}}}}}
"""
    name = "evil\r\n::error::x\x1b[31m.yaml"
    path = tmp_path / "plan.yaml"
    path.write_text(text, "utf-8")
    run = checker.check_files([(path, name)], dt.date(2020, 4, 1))
    assert run.errors == [] and run.results[0].plan == EVIL
    assert any(EVIL in f.message for f in run.findings())
    return run


def test_text_output_escapes_controls_so_nothing_fakes_a_line(evil_run, checker):
    from compliance import render

    out = render.get("text")(evil_run)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\x0d" in out and "\\u202e" in out
    for line in out.splitlines():
        assert not line.startswith(("::error::", "## "))


def test_markdown_neutralises_lines_mentions_links_and_html(evil_run, checker):
    from compliance import render

    out = render.get("markdown")(evil_run)
    assert "\r" not in out and "\x1b" not in out
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert len(headings) == 2 and not any("0 errors" in h.split("—")[0] and h.startswith("## ✅") for h in headings)
    assert "@bob" not in out and "https://e.vil" not in out and "www.e.vil" not in out
    assert "<b>" not in out and "&lt;b&gt;" in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(line.endswith("|") for line in rows)  # no cell broke out of the table


def test_junit_is_well_formed_with_xml_invalid_characters(evil_run, checker):
    import xml.parsers.expat
    from xml.etree import ElementTree as ET

    from compliance import render

    out = render.get("junit")(evil_run)
    xml.parsers.expat.ParserCreate().Parse(out.encode("utf-8"), True)  # what CI's uploader uses
    root = ET.fromstring(out)
    assert root.find("testsuite").get("name") == EVIL.replace("\r", "\\x0d").replace("\n", "\\x0a").replace(
        "\x1b", "\\x1b").replace("\x07", "\\x07").replace("\u202e", "\\u202e").replace("\x00", "\\x00").replace(
        "\x01", "\\x01").replace("\x08", "\\x08").replace("\x85", "\\x85")


def test_html_shows_controls_escaped(evil_run, checker):
    from compliance import render

    out = render.get("html")(evil_run)
    assert "\x1b" not in out and "\x00" not in out and "\\x1b[2J" in out and "&lt;b&gt;\\x00" in out


def test_input_errors_on_standard_error_show_controls_escaped(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: {id: p, region: R, agreement: gnv-2020}\n" + json.dumps("k\x1b[2J\r::error::") + ": 1\n",
                   "utf-8")
    proc = cli("check", str(bad), "--format", "json")
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr and "::error::" in proc.stderr
    assert all(not line.startswith("::error::") for line in proc.stderr.splitlines())


# -- minor items: each a line of the CLI contract -----------------------------------------------


def _interrupt_after_writing(monkeypatch, exc_or_signal):
    from compliance import check as check_mod

    real = check_mod.Checker.run_batch

    def run_batch(self, files, as_of, fmt, write, **kw):
        write("half a report")
        if isinstance(exc_or_signal, int):
            os.kill(os.getpid(), exc_or_signal)
        raise exc_or_signal

    monkeypatch.setattr(check_mod.Checker, "run_batch", run_batch)
    return real


@pytest.mark.parametrize(("interrupt", "status"), [(KeyboardInterrupt(), 130), (signal.SIGTERM, 143)])
def test_interrupted_run_exits_128_plus_signal_and_leaves_no_file(one_plan, monkeypatch, interrupt, status):
    _interrupt_after_writing(monkeypatch, interrupt)
    (one_plan.parent / "r.txt").write_text("the old report", "utf-8")
    result = invoke("check", "plan.yaml", "--output", "r.txt")
    assert result.exit_code == status
    if status == 130:
        assert result.output.strip().endswith("avbrutet")  # in the language asked for (sv by default)
    assert sorted(p.name for p in one_plan.parent.iterdir()) == ["plan.yaml", "r.txt"]  # no temporary file
    assert (one_plan.parent / "r.txt").read_text("utf-8") == "the old report"
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, signal.default_int_handler) or callable(
        signal.getsignal(signal.SIGTERM))


def test_a_closed_standard_output_is_an_error_not_a_silent_loss(one_plan):
    proc = subprocess.run(["bash", "-c", f"'{sys.executable}' -m compliance.cli check plan.yaml >&-"],
                          cwd=one_plan.parent, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "standard ut är stängd" in proc.stderr


def test_an_encoding_without_the_characters_never_ends_mid_output(one_plan):
    (one_plan.parent / "plan.yaml").write_text(plan_text("p→q"), "utf-8")
    proc = subprocess.run([sys.executable, "-m", "compliance.cli", "check", "plan.yaml", "--as-of", "2020-04-01"],
                          cwd=one_plan.parent, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("latin-1")
    assert "p\\u2192q" in out and "Sammanfattning: 1 planer, 2 fel" in out and "bedömt per" in out


def test_debug_shows_the_traceback_and_keeps_the_internal_status(one_plan, monkeypatch):
    from compliance import check as check_mod

    def boom(*a, **k):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(check_mod.Checker, "run_batch", boom)
    monkeypatch.setenv("COMPLIANCE_DEBUG", "1")
    result = invoke("check", "plan.yaml")
    assert result.exit_code == 3 and "Traceback" in result.output and "kaputt" in result.output


@pytest.mark.parametrize("date", ["20200401", "2020-W14-3", "2020-4-1", "2020-04-01T00:00"])
def test_as_of_takes_only_yyyy_mm_dd(one_plan, date):
    result = invoke("check", "plan.yaml", "--as-of", date)
    assert result.exit_code == 2 and "är inget datum (ÅÅÅÅ-MM-DD)" in result.output
    for order in (["--lang", "en", "--as-of", date], ["--as-of", date, "--lang", "en"]):
        result = invoke("check", "plan.yaml", *order)  # --lang is known wherever it stands
        assert result.exit_code == 2 and "is not a date (YYYY-MM-DD)" in result.output, order


def test_absolute_paths_in_the_current_folder_are_named_relative(one_plan):
    result = invoke("check", str(one_plan), "--as-of", "2020-04-01", "--format", "sarif")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in json.loads(result.stdout)["runs"][0]["results"] for loc in res["locations"]}
    assert uris == {"plan.yaml"}


# -- 5. absurdly long numbers are one file's input error, the batch goes on ---------------------


def test_a_4301_digit_integer_or_a_huge_amount_string_is_exit_2_for_that_file_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(plan_text("a").replace("amount: 1266509", "amount: 1" + "0" * 4301), "utf-8")
    (tmp_path / "b.yaml").write_text(plan_text("b").replace("amount: 1266509", f'amount: "{"9" * 200_000}"'),
                                     "utf-8")
    (tmp_path / "c.yaml").write_text(plan_text("c").replace("}\nareas", "}\nextra: 0x" + "f" * 4400 + "\nareas"),
                                     "utf-8")
    (tmp_path / "good.yaml").write_text(plan_text("good"), "utf-8")
    result = invoke("check", ".", "--as-of", "2020-04-01", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)  # whole, valid JSON
    assert [r["file"] for r in doc["results"]] == ["good.yaml"]
    assert any(f["rule"] == "GNV-102" for f in doc["results"][0]["findings"])
    errors = {e["file"]: e for e in doc["errors"]}
    assert set(errors) == {"a.yaml", "b.yaml", "c.yaml"}
    assert errors["a.yaml"]["line"] == 7 and "4302" in errors["a.yaml"]["message"]
    assert "200000 siffror" in errors["b.yaml"]["message"]
    assert all(len(e["message"]) < 300 for e in doc["errors"])  # the value is shown cut short
    assert "set_int_max_str_digits" not in result.output


# -- minor: YAML 1.1 number forms, non-core tags, a legitimate large plan ------------------------


@pytest.mark.parametrize(("value", "words"), [
    ("0777", "inte ett decimaltal"), ("190:20:30", "sexagesimalt"), ("0x1F", "inte ett decimaltal"),
    ("0b101", "inte ett decimaltal"), ("!!binary aGVsbG8=", "YAML-taggen tag:yaml.org,2002:binary stöds inte"),
])
def test_yaml_1_1_forms_and_non_core_tags_are_refused(one_plan, value, words):
    one_plan.write_text(plan_text().replace("amount: 1266509", f"amount: {value}"), "utf-8")
    result = invoke("check", "plan.yaml", "--as-of", "2020-04-01")
    assert result.exit_code == 2 and words in result.output and "plan.yaml:7:" in result.output


@pytest.mark.parametrize(("value", "kronor"), [("1_266_509", 1266509), ("'0777'", 777), ("+1266509", 1266509)])
def test_decimal_forms_are_still_amounts(checker, tmp_path, value, kronor):
    path = tmp_path / "plan.yaml"
    path.write_text(plan_text().replace("amount: 1266509", f"amount: {value}"), "utf-8")
    from compliance.plans import load_plan

    assert load_plan(path).plan.areas[0].activities[0].amount == kronor


def test_a_large_plan_is_not_taken_for_an_alias_bomb():
    """The node bound grows with the text (one node per two bytes), so a legitimate
    plan of any size within --max-bytes loads; here at a scale of 1/100 (the
    benchmark loads a 100 000-activity plan) against a bound of 2 000 nodes."""
    from compliance.errors import InputError
    from compliance.loader import load_text

    acts = "".join(f"      - {{id: a{i}, amount: 1}}\n" for i in range(1000))
    text = plan_text().split("    activities:\n")[0] + "    activities:\n" + acts
    value, _ = load_text(text, "big.yaml", max_nodes=2000)  # 3 000+ nodes
    assert len(value["areas"][0]["activities"]) == 1000
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdef", "bcdefg", strict=True))
    with pytest.raises(InputError, match="aliasbomb|alias bomb"):
        load_text(bomb, "bomb.yaml", max_nodes=2000)


# -- 12. a rule the engine could not compile in time is a rule-pack error -----------------------


def _rules_with(tmp_path, branches_per_rule):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    base = (rules / "catalog" / "GNV-102.yaml").read_text("utf-8")
    for i, n in enumerate(branches_per_rule):
        when = "when:\n  any:\n" + "".join(f"    - planned == {b}\n" for b in range(n))
        text = base.replace("id: GNV-102", f"id: GNV-9{i:02d}").replace("when: planned > allocation\n", when)
        (rules / "catalog" / f"GNV-9{i:02d}.yaml").write_text(text, "utf-8")
    for pack in rules.glob("*/agreement.yaml"):  # every pack says whether a rule applies: these do, as GNV-102
        lines = pack.read_text("utf-8").splitlines(keepends=True)
        at = next(n for n, line in enumerate(lines) if line.startswith("  GNV-102: "))
        lines[at + 1:at + 1] = [lines[at].replace("GNV-102", f"GNV-9{i:02d}") for i in range(len(branches_per_rule))]
        pack.write_text("".join(lines), "utf-8")
    return rules


def test_a_rule_with_550_branches_is_a_rule_pack_error_not_a_hang(tmp_path, one_plan):
    rules = _rules_with(tmp_path, [550])
    proc = cli("check", "plan.yaml", "--rules", str(rules), "--as-of", "2020-04-01", cwd=one_plan.parent, timeout=60)
    assert proc.returncode == 2, proc.stderr[-500:]
    out = proc.stdout + proc.stderr
    assert "catalog/GNV-900.yaml" in out and "550 grenar" in out and f"högst {engine_mod.MAX_BRANCHES}" in out


def test_a_pack_whose_rules_compile_past_the_bound_names_the_rule_that_crosses_it(tmp_path, one_plan):
    rules = _rules_with(tmp_path, [100] * 5)  # each within the rule bound, together past the pack's
    result = invoke("check", "plan.yaml", "--rules", str(rules), "--as-of", "2020-04-01")
    assert result.exit_code == 2
    assert "catalog/GNV-904.yaml" in result.output and f"högst {engine_mod.MAX_RULESET_RULES}" in result.output


def test_a_rule_at_the_branch_bound_compiles_and_fires(tmp_path, one_plan):
    rules = _rules_with(tmp_path, [engine_mod.MAX_BRANCHES])
    one_plan.write_text(plan_text(amount=engine_mod.MAX_BRANCHES - 1), "utf-8")
    result = invoke("check", "plan.yaml", "--rules", str(rules), "--as-of", "2020-04-01", "--format", "json")
    assert result.exit_code == 1, result.output
    assert any(f["rule"] == "GNV-900" for f in json.loads(result.stdout)["results"][0]["findings"])


# -- 11. a large plan: the engine takes its facts in chunks, with the same findings ---------------


def test_a_plan_with_more_facts_than_a_chunk_gets_every_finding(checker):
    n = engine_mod.CHUNK + 150
    acts = [{"id": f"a{i}", "amount": 1} for i in range(n)]
    loaded = plan_from_data({"plan": {"id": "big", "region": REGION, "agreement": "gnv-2022"},
                             "areas": [{"area": "nara-vard", "activities": acts}]})
    result = checker.check_plan(loaded, dt.date(2022, 6, 1))
    per_activity = [f for f in result.findings if f.rule == "GNV-207"]  # no follow-up registration
    assert sorted(f.activity for f in per_activity) == sorted(f"a{i}" for i in range(n))
    assert {f.location.path for f in per_activity} == {f"areas[0].activities[{i}]" for i in range(n)}


# -- minor: diff says when it compares unrelated plans, exits 1 on a forbidden move, has --output --


def test_diff_of_another_year_or_region_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(plan_text("a"), "utf-8")
    (tmp_path / "b.yaml").write_text(plan_text("a").replace("gnv-2020", "gnv-2022"), "utf-8")
    (tmp_path / "c.yaml").write_text(plan_text("a").replace(REGION, "Region Gotland"), "utf-8")
    for other, words in (("b.yaml", "olika överenskommelse"), ("c.yaml", "olika region")):
        result = invoke("diff", "a.yaml", other)
        assert result.exit_code == 2 and words in result.output and f"{other}:1:" in result.output


def test_diff_names_another_plan_id_and_exits_1_on_a_forbidden_move(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(plan_text("a", 1000), "utf-8")
    (tmp_path / "b.yaml").write_text(plan_text("b", 999), "utf-8")
    result = invoke("diff", "a.yaml", "b.yaml", "--output", "d.md", "--format", "markdown")
    assert result.exit_code == 1  # one krona out of karriärtjänster, an earmarked area: GNV-301, an error
    assert "anger inte a.yaml i plan.supersedes" in result.output
    assert "GNV-301" in (tmp_path / "d.md").read_text("utf-8")
    (tmp_path / "b.yaml").write_text(
        plan_text("b", 1000).replace("agreement: gnv-2020}", "agreement: gnv-2020, supersedes: a.yaml}"), "utf-8")
    result = invoke("diff", "a.yaml", "b.yaml")
    assert result.exit_code == 0 and "supersedes" not in result.output
    assert invoke("diff", "a.yaml", "b.yaml", "--output", "a.yaml").exit_code == 2
    assert (tmp_path / "a.yaml").read_text("utf-8") == plan_text("a", 1000)


def test_sarif_uris_are_percent_encoded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "mina planer #1"
    folder.mkdir()
    (folder / "plan 100%?.yaml").write_text(plan_text(), "utf-8")
    result = invoke("check", "mina planer #1", "--as-of", "2020-04-01", "--format", "sarif")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in json.loads(result.stdout)["runs"][0]["results"] for loc in res["locations"]}
    assert uris == {"mina%20planer%20%231/plan%20100%25%3F.yaml"}
    from compliance.render.sarif import uri

    assert uri("/abs/p å.yaml") == "file:///abs/p%20%C3%A5.yaml" and uri("a\\b.yaml") == "a/b.yaml"


def test_json_summary_splits_failed_findings_by_severity(one_plan):
    result = invoke("check", "plan.yaml", "--as-of", "2020-04-01", "--format", "json")
    doc = json.loads(result.stdout)
    summary = doc["summary"]
    findings = [f for r in doc["results"] for f in r["findings"] if f["outcome"] == "failed"]
    assert summary["failed_by_severity"] == {sev: sum(1 for f in findings if f["severity"] == sev)
                                             for sev in ("error", "warning", "info")}
    assert summary["failed"] == len(findings) and summary["failed_by_severity"]["error"] >= 1
    assert summary["errors"] == 0 and summary["warnings"] == 0  # input problems, not findings


def test_a_file_name_never_starts_a_ci_command_in_text_output(tmp_path, checker):
    from compliance import render

    path = tmp_path / "plan.yaml"
    path.write_text(plan_text(), "utf-8")
    for name, shown in (("::error::x.yaml", "\\x3a:error::x.yaml"), ("##vso[task.complete]", "\\x23#vso[")):
        run = checker.check_files([(path, name)], dt.date(2020, 4, 1))
        out = render.get("text")(run)
        assert not any(line.startswith(("::", "##")) for line in out.splitlines())
        assert out.startswith(shown)


def test_a_workbook_written_by_convert_follows_the_umask_and_never_replaces_a_plan(one_plan, tmp_path):
    old = os.umask(0o027)
    try:
        assert invoke("convert", "plan.yaml", "plan.xlsx").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "plan.xlsx").stat().st_mode) == 0o640  # not mkstemp's 0600
    before = (tmp_path / "plan.xlsx").read_bytes()
    refused = invoke("convert", "plan.yaml", "plan.xlsx")  # without --force an existing workbook stays
    assert refused.exit_code == 2 and (tmp_path / "plan.xlsx").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
