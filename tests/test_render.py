"""Every format carries every finding with its location; golden files keep output stable.

Regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 python -m pytest tests/test_render.py``.
"""

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance import render
from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = dt.date(2021, 4, 30)
# the YAML plans (their workbook twins beside them render cells: tests/test_workbook.py)
INPUTS = ["plans/rjh-gnv-2020.yaml", "plans/rjh-gnv-2023.yaml", "examples/revisions/rjh-gnv-2020-v2-karriar.yaml"]

HOSTILE = """
plan:
  id: "p&<x>"
  region: Region Jämtland Härjedalen
  agreement: gnv-2020
areas:
  - area: resursforstarkning
    allocation: 18997627
    activities:
      - id: "a<script>alert('x')</script>"
        amount: 1000
        responsible: "Chef <b>&amp; \\"bold\\"</b>"
        provider: private
        private_provider: {name: "<img src=x onerror=alert(1)> & \\"Co\\" AB"}
"""


@pytest.fixture(scope="module")
def run(checker):
    os.chdir(ROOT)
    return checker.check_paths(INPUTS, AS_OF)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit", "sarif", "html"])
def test_golden(run, checker, fmt):
    out = render.get(fmt)(run)
    path = GOLDEN / f"report.{render.EXTENSIONS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out, "utf-8")
    assert out == path.read_text("utf-8"), f"{path.name} differs; rerun with UPDATE_GOLDEN=1 if intended"


def _locations(fmt, out):
    if fmt == "json":
        return {(f["location"]["file"], f["location"]["line"]) for r in json.loads(out)["results"]
                for f in r["findings"]}
    if fmt == "sarif":
        return {(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
                for res in json.loads(out)["runs"][0]["results"] for loc in res["locations"]}
    if fmt == "junit":
        root = ET.fromstring(out)
        found = set()
        for node in root.iter():
            if node.tag in ("failure", "skipped") and node.text:
                for line in node.text.splitlines():
                    file, lineno = line.split(" ", 1)[0].rsplit(":", 1)
                    found.add((file, int(lineno)))
        return found
    return None


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown", "html", "text"])
def test_every_finding_with_its_location(run, checker, fmt):
    out = render.get(fmt)(run)
    expected = {(f.location.file, f.location.line) for f in run.findings()}
    assert expected
    located = _locations(fmt, out)
    if located is not None:
        assert located == expected
    else:
        for file, line in expected:
            assert f"{file}:{line}" in out


def test_sarif_shape(run, checker):
    doc = json.loads(render.get("sarif")(run))
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted({rid for r in run.results for rid in r.rules_applied})
    assert "GNV-301" in ids
    assert all(r["help"]["text"] and r["properties"]["sources"] for r in driver["rules"])
    results = doc["runs"][0]["results"]
    levels = {(r["ruleId"], r["kind"], r["level"]) for r in results}
    assert ("GNV-102", "fail", "error") in levels and ("GNV-105", "fail", "warning") in levels
    assert ("GNV-104", "open", "none") in levels  # no 2020 source states it
    assert ("GNV-401", "open", "none") in levels
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_junit_shape(run, checker):
    root = ET.fromstring(render.get("junit")(run))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.plan for r in run.results]
    first = suites[0]
    names = [c.get("name") for c in first.findall("testcase")]
    assert names == sorted(run.results[0].rules_applied)
    failed = {c.get("name") for c in first.findall("testcase") if c.find("failure") is not None}
    skipped = {c.get("name") for c in first.findall("testcase") if c.find("skipped") is not None}
    assert {"GNV-102", "GNV-402"} <= failed and {"GNV-401", "GNV-404"} <= skipped
    assert all(c.get("classname") == run.results[0].plan for c in first.findall("testcase"))


def test_plan_text_is_escaped_everywhere(write, checker):
    path = write(HOSTILE, "hostile.yaml")
    hostile = checker.check_files([(path, "hostile.yaml")], AS_OF)
    assert any(f.rule == "GNV-205" for f in hostile.findings())
    html = render.get("html")(hostile)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    markdown = render.get("markdown")(hostile)
    assert "<img" not in markdown and "<script>" not in markdown
    ET.fromstring(render.get("junit")(hostile))  # well-formed
    sarif = json.loads(render.get("sarif")(hostile))
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert any("<img src=x" in m for m in messages)  # JSON carries the text as data
    json.loads(render.get("json")(hostile))


def test_output_file_is_written_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()  # a missing folder is exit 2 before any check (tests/test_hostile.py)
    result = CliRunner().invoke(main, ["check", "plans", "--as-of", "2020-04-01", "--output", str(target)])
    assert result.exit_code == 1
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"  # format from the extension
    assert [p.name for p in target.parent.iterdir()] == ["report.sarif"]  # no temporary file left


def test_output_format_name_goes_to_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").symlink_to(ROOT / "plans")
    result = CliRunner().invoke(main, ["check", "plans", "--as-of", "2020-04-01", "--output", "junit"])
    assert result.exit_code == 1
    ET.fromstring((tmp_path / "reports" / "compliance.xml").read_text("utf-8"))


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    from compliance import cli

    target = tmp_path / "report.json"
    target.write_text("old", "utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cli.os, "replace", boom)
    with pytest.raises(OSError):
        cli.write_output("new text", str(target))
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
