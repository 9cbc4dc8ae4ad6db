"""The renderers take a run and nothing else, and one registry lists the formats.

A run built by hand, with rules and areas no rules folder has, renders in every
format: what a report shows of the rule book (titles, severities, sources, area
names) comes from the run's legend. The CLI's ``--format`` choices, its
``--output`` extensions and the web's formats are the registry's.
"""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest

from compliance import render
from compliance.errors import Issue
from compliance.findings import CheckRun, Finding, Legend, Location, PlanResult, RuleInfo, SourceRef
from compliance.i18n import say

# no rules folder has these: a renderer that looked them up in a rule book would fail
SRC = SourceRef("Påhittad överenskommelse", "§ 99", "ett påhittat citat")
RULES = {
    "XR-1": RuleInfo("XR-1", "error", "Påhittad regel ett", (SRC,)),
    "XR-2": RuleInfo("XR-2", "warning", "Påhittad regel två", (SourceRef("Bilaga X", "§ 1"),)),
}
ROOT = Path(__file__).resolve().parent.parent
AREAS = {"x-2099": {"xa": "Ett påhittat område"}}


def _finding(rule, outcome, line, **extra):
    info = RULES[rule]
    return Finding(rule, info.severity, outcome, info.title, f"meddelande {rule} rad {line}", info.sources,
                   Location("p.yaml", line, f"areas[0].x{line}"), {"planned": 5}, area="xa", **extra)


def hand_run(legend=True):
    one = PlanResult("p.yaml", "p1", "x-2099", "Region X", [
        _finding("XR-1", "failed", 3),
        _finding("XR-2", "not-evaluated", 4),
        _finding("XR-2", "waived", 5, waiver={"reason": "skäl", "reference": "dnr 1"}),
        _finding("XR-1", "failed", 6, baselined=True),
    ], ["XR-1", "XR-2"], {"xa": (5, 10)}, ["en anteckning"])
    two = PlanResult("q.yaml", "q1", "x-2099", "Region X", [], ["XR-1"])
    return CheckRun(dt.date(2099, 1, 2), "sv", [one, two], [Issue("bad.yaml", 1, 2, say("trasig", "broken"))],
                    [Issue("w.yaml", 7, None, say("utgången", "expired"))], baseline_used=True,
                    legend=Legend(RULES, AREAS) if legend else Legend())


@pytest.mark.parametrize("fmt", render.FORMATS)
def test_every_format_renders_a_run_built_by_hand_with_no_rule_book(fmt):
    out = render.get(fmt)(hand_run())
    assert "meddelande XR-1 rad 3" in out
    if fmt != "sarif":  # SARIF names files, not plans
        assert "p1" in out and "q1" in out
    if fmt == "sarif":
        driver = json.loads(out)["runs"][0]["tool"]["driver"]
        assert [r["shortDescription"]["text"] for r in driver["rules"]] == ["Påhittad regel ett",
                                                                            "Påhittad regel två"]
        assert driver["rules"][0]["properties"]["sources"] == [
            {"document": "Påhittad överenskommelse", "section": "§ 99", "quote": "ett påhittat citat"}]
        assert driver["rules"][1]["defaultConfiguration"] == {"level": "warning"}
    if fmt == "junit":
        failure = ET.fromstring(out).find(".//testcase[@name='XR-1']/failure")
        assert (failure.get("message"), failure.get("type")) == ("Påhittad regel ett (1)", "error")
    if fmt == "html":
        assert "Ett påhittat område (xa)" in out


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_a_rule_the_legend_lacks_is_a_bug_not_a_guess(fmt):
    with pytest.raises(KeyError):
        render.get(fmt)(hand_run(legend=False))


def test_html_shows_an_area_the_legend_lacks_by_its_code():
    out = render.get("html")(hand_run(legend=False))
    assert "Ett påhittat område" not in out and ">xa<" in out


def test_the_registry_is_every_format_the_cli_and_the_web_offer(monkeypatch):
    from compliance.cli import check, resolve_output

    choice = next(p for p in check.params if p.name == "fmt").type
    assert isinstance(choice, click.Choice) and tuple(choice.choices) == tuple(render.REGISTRY)
    for name, entry in render.REGISTRY.items():
        assert resolve_output(None, name) == (name, f"reports/compliance.{entry.extension}")
        for ext in (entry.extension, *entry.also):
            assert resolve_output(None, f"out/r.{ext}" if ext else "out/r") == (name, f"out/r.{ext}" if ext else "out/r")
        module = render._module(name)
        assert hasattr(module, "stream" if entry.streams else "render"), name
    with pytest.raises(click.UsageError, match=r"name a \.txt, \.json, \.html, \.md, \.xml or \.sarif file"):
        resolve_output(None, "r.csv", "en")
    with pytest.raises(click.UsageError, match=r"ange en \.txt, \.json, \.html, \.md, \.xml- eller \.sarif-fil"):
        resolve_output(None, "r.csv")


def test_the_web_answers_in_every_registry_format_with_its_media_type():
    pytest.importorskip("starlette", reason="the web extra is not installed")
    pytest.importorskip("httpx2", reason="the test extra's httpx2 is not installed")
    from starlette.testclient import TestClient

    from compliance.web import app, openapi
    from compliance.web.uploads import Limits

    assert not hasattr(app, "MEDIA") and not hasattr(app, "DOWNLOADS")  # no second list beside the registry
    plan = [("files", ("p.yaml", (ROOT / "plans" / "rjh-gnv-2020.yaml").read_bytes(), "application/yaml"))]
    with TestClient(app.create_app()) as client:
        for name, entry in render.REGISTRY.items():
            r = client.post(f"/api/check?as_of=2021-04-30&format={name}", files=plan)
            assert (r.status_code, r.headers["content-type"]) == (200, entry.media_type), name
            r = client.post("/check", files=plan, data={"as_of": "2021-04-30", "format": name})
            assert r.headers["content-disposition"] == f'attachment; filename="compliance.{entry.extension}"'
        form = client.get("/").text.split("</fieldset>")[0]  # the check's form (the template's follows)
        buttons = client.post("/check", files=plan, data={"as_of": "2021-04-30", "format": "page"}).text
    assert re.findall(r'name="format" value="([a-z]+)"', form) == ["page", *render.DOWNLOADS]
    assert re.findall(r'id="download-([a-z]+)"', buttons) == list(render.DOWNLOADS)
    assert set(render.DOWNLOADS) <= set(render.REGISTRY)
    fields = openapi.openapi(Limits())["paths"]["/api/check"]["post"]["parameters"]
    assert sorted(next(p["schema"]["enum"] for p in fields if p["name"] == "format")) == sorted(render.REGISTRY)


def test_a_text_table_pads_each_column_to_its_widest_cell_and_ends_no_line_with_spaces():
    from compliance.render.table import text_table

    lines = text_table(["a", "amount", "note"], [["long name", "5", ""], ["b", "1 000", "x"]], "lrl")
    assert lines == ["a          amount  note", "long name       5", "b           1 000  x"]


def test_a_markdown_table_aligns_amounts_right():
    from compliance.render.table import markdown_table

    assert markdown_table(["a", "b"], [["1", "2"]], "lr") == ["| a | b |", "|---|---:|", "| 1 | 2 |"]
    assert markdown_table(["a", "b"], [])[1] == "|---|---|"


def test_diff_and_allocation_tables_are_written_by_the_renderers_only():
    """revisions.py and allocation.py compute; render/ writes (issue 15: tables in one place)."""
    from compliance import allocation, revisions

    assert not [n for n in dir(revisions) + dir(allocation) if n.startswith("render")]
