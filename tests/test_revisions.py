"""Revisions (3xx): real-looking pairs built on the region's 2020 plan."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
REV = "examples/revisions"
BASE = "plans/rjh-gnv-2020.yaml"


@pytest.fixture(autouse=True)
def _root(monkeypatch):
    monkeypatch.chdir(ROOT)


def check(path, *extra):
    result = CliRunner().invoke(main, ["check", path, "--format", "json", "--as-of", "2020-06-30", *extra])
    doc = json.loads(result.stdout)
    return result.exit_code, doc


def revision_findings(path):
    """The examples revise plans/rjh-gnv-2020.yaml: plans/ is checked with them, since a
    revision may only lead into the folders being checked."""
    _, doc = check("plans", path)
    assert doc["errors"] == []
    (result,) = [r for r in doc["results"] if r["file"] == path]
    return [f for f in result["findings"] if f["rule"].startswith("GNV-3")]


def test_moving_between_nara_vard_activities_is_allowed():
    assert revision_findings(f"{REV}/rjh-gnv-2020-v2-nara-vard.yaml") == []


def test_moving_inside_karriartjanster_is_allowed():
    # 001 §2.1.3 forbids moving the earmarked money out, not between the area's own activities
    assert revision_findings(f"{REV}/rjh-gnv-2020-v2-karriar.yaml") == []


def _revise(tmp_path, *replacements):
    # the version revised lies beside the revision: supersedes stays inside the folders checked
    base = (ROOT / BASE).read_text("utf-8")
    (tmp_path / "base.yaml").write_text(base.replace("id: rjh-gnv-2020", "id: rjh-gnv-2020-v1"), "utf-8")
    text = base.replace("  stated_total:", "  supersedes: base.yaml\n  stated_total:", 1)
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "v2.yaml"
    path.write_text(text, "utf-8")
    _, doc = check(str(path))
    return sorted((f["rule"], f["values"].get("area"), f["values"].get("change"), f["values"].get("moved"))
                  for f in doc["results"][0]["findings"] if f["rule"] in ("GNV-301", "GNV-302"))


def test_planning_the_unplanned_remainder_is_no_finding(tmp_path):
    # the fix GNV-105 asks for: vidareutbildning 6 300 000 -> 6 332 542 (its allocation)
    assert _revise(tmp_path, ('amount: "6 300 000 kr"', 'amount: "6 332 542 kr"')) == []


def test_one_krona_out_of_vidareutbildning_is_gnv_301_and_302(tmp_path):
    found = _revise(
        tmp_path,
        ('amount: "6 300 000 kr"', 'amount: "6 299 999 kr"'),
        ('amount: "1 300 000 kr"\n        responsible: HR', 'amount: "1 300 001 kr"\n        responsible: HR'),
    )
    assert found == [
        ("GNV-301", "vidareutbildning", None, 1),
        ("GNV-302", "karriartjanster", 1, None),
        ("GNV-302", "vidareutbildning", -1, None),
    ]


def test_moving_from_nara_vard_to_e_halsa_is_gnv_302_and_no_decision_gnv_303():
    found = revision_findings(f"{REV}/rjh-gnv-2020-v2-e-halsa.yaml")
    assert [(f["rule"], f["values"].get("area"), f["values"].get("change")) for f in found] == [
        ("GNV-302", "nara-vard", -1000000),
        ("GNV-302", "e-halsa", 1000000),
        ("GNV-303", None, None),
    ]


def test_a_chain_is_followed():
    assert revision_findings(f"{REV}/rjh-gnv-2020-v3.yaml") == []


def test_missing_link_in_a_chain_names_both_files(tmp_path):
    for name in ("rjh-gnv-2020-v3.yaml", "rjh-gnv-2020-v2-nara-vard.yaml"):
        shutil.copy(ROOT / REV / name, tmp_path / name)
    v2 = tmp_path / "rjh-gnv-2020-v2-nara-vard.yaml"
    v2.write_text(v2.read_text("utf-8").replace("../../plans/rjh-gnv-2020.yaml", "rjh-gnv-2020.yaml"), "utf-8")
    code, doc = check(str(tmp_path / "rjh-gnv-2020-v3.yaml"))
    assert code == 2
    (error,) = doc["errors"]
    assert error["file"].endswith("rjh-gnv-2020-v2-nara-vard.yaml")
    assert "rjh-gnv-2020.yaml, som inte finns" in error["message"]
    assert error["line"] == 11


def test_a_cycle_is_an_input_error(tmp_path, write):
    head = "plan: {{id: {0}, region: Region Jämtland Härjedalen, agreement: gnv-2020, supersedes: {1}}}\n"
    write(head.format("a", "b.yaml"), "a.yaml")
    write(head.format("b", "a.yaml"), "b.yaml")
    code, doc = check(str(tmp_path / "a.yaml"))
    assert code == 2
    message = doc["errors"][0]["message"]
    assert "går i cirkel" in message and "a.yaml" in message and "b.yaml" in message


def test_another_agreement_cannot_be_revised(tmp_path, write):
    write("plan: {id: a, region: Region Jämtland Härjedalen, agreement: gnv-2022}\n", "a.yaml")
    write("plan: {id: b, region: Region Jämtland Härjedalen, agreement: gnv-2020, supersedes: a.yaml}\n",
          "b.yaml")
    code, doc = check(str(tmp_path / "b.yaml"))
    assert code == 2 and "en annan överenskommelse" in doc["errors"][0]["message"]


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("rjh-gnv-2020-v2-nara-vard.yaml", {}),
        ("rjh-gnv-2020-v2-karriar.yaml", {}),
        ("rjh-gnv-2020-v2-e-halsa.yaml", {"nara-vard": ["GNV-302"], "e-halsa": ["GNV-302"]}),
    ],
)
def test_diff_table(name, forbidden):
    result = CliRunner().invoke(main, ["diff", BASE, f"{REV}/{name}", "--format", "json"])
    assert result.exit_code == (1 if forbidden else 0), result.output  # 1: a move breaks GNV-301/302
    doc = json.loads(result.output)
    marked = {r["activity"] or r["area"]: r["forbidden"] for r in doc["rows"] if r["forbidden"]}
    assert marked == forbidden
    assert sum(r["change"] for r in doc["rows"] if r["activity"] is None) == 0
    moved = [r for r in doc["rows"] if r["change"]]
    assert moved, "every example moves money"
    text = CliRunner().invoke(main, ["diff", BASE, f"{REV}/{name}"]).output
    assert f"{BASE} → {REV}/{name}" in text
    markdown = CliRunner().invoke(main, ["diff", BASE, f"{REV}/{name}", "--format", "markdown"]).output
    assert markdown.count("\n|") == len(doc["rows"]) + 2


def test_diff_judges_as_of_the_date_given_and_lists_rules_by_the_facts_they_read(monkeypatch):
    """No hidden date.today() and no "GNV-3" prefix: the revision rules are those reading revision facts."""
    from compliance.check import Checker

    seen = []
    real = Checker.check_plan

    def spy(self, loaded, as_of, previous=None):
        seen.append(as_of)
        return real(self, loaded, as_of, previous)

    monkeypatch.setattr(Checker, "check_plan", spy)
    result = CliRunner().invoke(main, ["diff", BASE, f"{REV}/rjh-gnv-2020-v2-e-halsa.yaml", "--format", "json",
                                       "--as-of", "2020-06-01"])
    assert result.exit_code == 1, result.output
    assert seen == [dt.date(2020, 6, 1)]
    rules = {line.split(":")[0] for line in json.loads(result.stdout)["findings"]}
    assert rules == {"GNV-302", "GNV-303"}
    bad = CliRunner().invoke(main, ["diff", BASE, BASE, "--as-of", "20200601"])
    assert bad.exit_code == 2 and "är inget datum" in bad.output


def test_the_diff_table_shows_plan_text_as_data():
    """Activity ids, file names and messages are plan text: a ``|`` cannot break the Markdown
    table, an ESC cannot reach the terminal, a message cannot start a CI command."""
    import re

    from compliance.render.diff import render_diff
    from compliance.revisions import Diff, DiffRow

    evil = "x|y\x1b[2J\r\n::error::z @bob"
    d = Diff(f"old{evil}.yaml", f"new{evil}.yaml", [DiffRow("nara-vard", None, None, 5, 6, 1),
                                                    DiffRow("nara-vard", evil, None, 5, 6, 1, ["GNV-301"])],
             [f"::error::{evil}"], 1)
    markdown = render_diff(d, "markdown", "en")
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 3 and all(len(re.findall(r"(?<!\\)\|", row)) == 6 for row in rows)
    assert "@bob" not in markdown and len([h for h in markdown.splitlines() if h.startswith("#")]) == 1
    text = render_diff(d, "text", "en")
    assert not any(line.startswith(("::", "##")) for line in text.splitlines())
    for out in (markdown, text):
        assert "\x1b" not in out and "\r" not in out
