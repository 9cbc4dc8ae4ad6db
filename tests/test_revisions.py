"""Revisions (3xx): real-looking pairs built on the region's 2020 plan."""

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


def test_moving_inside_karriartjanster_is_gnv_301():
    found = revision_findings(f"{REV}/rjh-gnv-2020-v2-karriar.yaml")
    assert [(f["rule"], f["values"]["activity"], f["values"]["change"]) for f in found] == [
        ("GNV-301", "karriarvagar-sjukskoterskor", -100000),
        ("GNV-301", "mentorskap-specialistsjukskoterskor", 100000),
    ]
    assert all(f["values"]["previous"] == BASE for f in found)
    assert found[0]["values"]["before"] == 1300000 and found[0]["values"]["after"] == 1200000
    assert "1 300 000 kr" in found[0]["message"] and BASE in found[0]["message"]


def test_any_amount_moved_inside_vidareutbildning_is_gnv_301(tmp_path):
    base = (ROOT / BASE).read_text("utf-8")
    (tmp_path / "base.yaml").write_text(base.replace("id: rjh-gnv-2020", "id: rjh-gnv-2020-v1"), "utf-8")
    text = base.replace('amount: "6 300 000 kr"', 'amount: "6 299 999 kr"').replace(
        "  stated_total:", "  supersedes: base.yaml\n  stated_total:", 1
    ).replace('amount: "1 300 000 kr"\n        responsible: HR', 'amount: "1 300 001 kr"\n        responsible: HR')
    path = tmp_path / "v2.yaml"
    path.write_text(text, "utf-8")
    _, doc = check(str(path))
    rules = sorted((f["rule"], f["values"].get("area"), f["values"].get("change"))
                   for f in doc["results"][0]["findings"] if f["rule"] in ("GNV-301", "GNV-302"))
    assert ("GNV-301", "vidareutbildning", -1) in rules and ("GNV-301", "karriartjanster", 1) in rules
    assert ("GNV-302", "vidareutbildning", -1) in rules


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
        ("rjh-gnv-2020-v2-karriar.yaml", {"karriarvagar-sjukskoterskor": ["GNV-301"],
                                          "mentorskap-specialistsjukskoterskor": ["GNV-301"]}),
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
