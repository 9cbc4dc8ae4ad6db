"""The renderers, field by field, on a run built by hand (no rule book, no checker).

Mutation testing of ``src/compliance/render/`` (``scripts/mutation.sh render``,
docs/mutation-render.md) asked for these: each test pins what one format shows of a
finding, a note, an input error or a waiver warning (SARIF fields, JUnit counts and
attributes, Markdown sections, HTML elements, text lines, escaping, summary counts).
They read structure and values, not whole Swedish sentences.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from compliance import render
from compliance.allocation import AllocationResult
from compliance.errors import Issue
from compliance.findings import CheckRun, Finding, Legend, Location, PlanResult, RuleInfo, SourceRef
from compliance.i18n import say
from compliance.render.allocation import render_allocation
from compliance.render.common import code_md, escape_md, line_start, visible, xml_safe
from compliance.render.diff import render_diff
from compliance.render.sarif import uri as to_uri
from compliance.render.table import markdown_rule, markdown_table, text_table
from compliance.render.text import summary_line
from compliance.revisions import Diff, DiffRow

QUOTED = SourceRef("Överenskommelse A", "§ 3", "ett citat")
PLAIN = SourceRef("Bilaga B", "§ 1")
RULES = {
    "XR-1": RuleInfo("XR-1", "error", "Rule one", (QUOTED,)),
    "XR-2": RuleInfo("XR-2", "warning", "Rule two", (PLAIN, QUOTED)),
    "XR-3": RuleInfo("XR-3", "info", "Rule three", ()),
}
AREAS = {"x-2099": {"xa": "Area A", "xb": "Area B"}}
WAIVER = {"reason": "a reason", "reference": "dnr 7", "approved_by": "Boss", "expires": "2100-01-01"}


def _f(rule, outcome, line, *, area="xa", cell=None, values=None, file="p.yaml", **extra):
    info = RULES[rule]
    return Finding(rule, info.severity, outcome, info.title, f"msg {rule} line {line}", info.sources,
                   Location(file, line, f"areas[0].a{line}", cell), values if values is not None else {"planned": 5},
                   area=area, **extra)


def _one():
    return PlanResult("p.yaml", "p1", "x-2099", "Region X", [
        _f("XR-1", "failed", 3, values={"planned": 1500, "allocation": None, "when": dt.date(2099, 1, 2)}),
        _f("XR-2", "not-evaluated", 4),
        _f("XR-2", "waived", 5, waiver=dict(WAIVER)),
        _f("XR-1", "failed", 6, baselined=True),
        _f("XR-3", "failed", 7, area=None),
        _f("XR-2", "failed", 8, cell="Blad!C8", area="zz"),
    ], ["XR-1", "XR-2", "XR-3"], {"xa": (15, 10), "xb": (5, 10), "xc": (10, 10), "xd": (3, None), "xe": (0, 0)},
        ["first note", "second note"])


def _two():
    return PlanResult("q.yaml", "q1", "x-2099", "Region Y", [], ["XR-1"])


ERRORS = [Issue("bad.yaml", 1, 2, say("trasig", "broken")),
          Issue("book.xlsx", 4, None, say("fel cell", "bad cell"), field="amount", cell="Blad!B4")]
WARNINGS = [Issue("w.yaml", 7, None, say("utgången", "expired")), Issue("v.yaml", None, None, say("ingen rad", "no line"))]


def hand_run(lang="en", results=None, errors=None, warnings=None, baseline_used=True):
    return CheckRun(dt.date(2099, 1, 2), lang, [_one(), _two()] if results is None else results,
                    ERRORS if errors is None else errors, WARNINGS if warnings is None else warnings,
                    baseline_used=baseline_used, legend=Legend(RULES, AREAS))


def clean_run(lang="en"):
    return hand_run(lang, results=[_two()], errors=[], warnings=[], baseline_used=False)


# -- the registry ---------------------------------------------------------------------------------------------

def test_the_registry_names_extensions_media_types_and_downloads():
    assert render.FORMATS == ("text", "json", "html", "markdown", "junit", "sarif")
    assert render.EXTENSIONS == {"text": "txt", "json": "json", "html": "html", "markdown": "md", "junit": "xml",
                                 "sarif": "sarif"}
    assert render.DOWNLOADS == ("html", "markdown", "json", "junit", "sarif")
    assert render.MEDIA_TYPES["sarif"] == "application/sarif+json"
    assert render.MEDIA_TYPES["text"] == "text/plain; charset=utf-8"
    assert {name: render.by_extension(ext) for name, ext in render.EXTENSIONS.items()} == {
        name: name for name in render.FORMATS}
    assert render.by_extension("text") == "text" and render.by_extension("") == "text"
    assert render.by_extension("yaml") is None and render.by_extension("XML") is None
    assert [f for f in render.FORMATS if render.can_stream(f)] == ["text", "json", "sarif"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_streaming_format_writes_what_its_renderer_returns(fmt):
    run = hand_run()
    chunks = []
    render.get_stream(fmt)(run, run.results, chunks.append)
    assert len(chunks) > 2 and "".join(chunks) == render.get(fmt)(run)


# -- SARIF ----------------------------------------------------------------------------------------------------

def _sarif(run):
    doc = json.loads(render.get("sarif")(run))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and doc["version"] == "2.1.0"
    (sarif_run,) = doc["runs"]
    return sarif_run


def test_sarif_rules_carry_titles_sources_and_levels():
    rules = _sarif(hand_run())["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["XR-1", "XR-2", "XR-3"]
    one, two, three = rules
    assert one["name"] == "XR1"
    assert one["shortDescription"] == {"text": "Rule one"}
    assert one["fullDescription"] == {"text": "Rule one. Överenskommelse A § 3: «ett citat»"}
    assert one["help"] == {"text": "Rule one. Överenskommelse A § 3: «ett citat»",
                           "markdown": "**Rule one**\n\nÖverenskommelse A § 3: «ett citat»"}
    assert two["fullDescription"]["text"] == "Rule two. Bilaga B § 1; Överenskommelse A § 3: «ett citat»"
    assert [r["defaultConfiguration"] for r in rules] == [{"level": "error"}, {"level": "warning"},
                                                         {"level": "note"}]
    assert [r["properties"]["severity"] for r in rules] == ["error", "warning", "info"]
    assert two["properties"]["sources"] == [{"document": "Bilaga B", "section": "§ 1"},
                                            {"document": "Överenskommelse A", "section": "§ 3", "quote": "ett citat"}]
    assert three["properties"]["sources"] == [] and three["help"]["markdown"] == "**Rule three**\n\n"


def test_sarif_driver_and_invocation():
    run = _sarif(hand_run())
    driver = run["tool"]["driver"]
    assert driver["name"] == "compliance" and driver["informationUri"].startswith("https://")
    from compliance import __version__
    assert driver["version"] == __version__
    assert run["columnKind"] == "unicodeCodePoints"
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert _sarif(clean_run())["invocations"][0]["executionSuccessful"] is True


def test_sarif_results_level_kind_baseline_and_suppressions():
    results = _sarif(hand_run())["results"]
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results}
    assert [(r["ruleId"], r["ruleIndex"], r["kind"], r["level"], r.get("baselineState"))
            for r in results] == [
        ("XR-1", 0, "fail", "error", "new"),
        ("XR-2", 1, "open", "none", None),
        ("XR-2", 1, "fail", "warning", None),
        ("XR-1", 0, "fail", "error", "unchanged"),
        ("XR-3", 2, "fail", "note", "new"),
        ("XR-2", 1, "fail", "warning", "new"),
    ]
    waived = results[2]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "a reason"}]
    assert waived["properties"]["outcome"] == "waived"
    assert [r for r in results if "suppressions" in r] == [waived]
    first = by_line[3]
    assert first["message"] == {"text": "msg XR-1 line 3"}
    assert first["partialFingerprints"] == {"complianceFinding/v1": "XR-1:areas[0].a3"}
    assert first["properties"] == {"outcome": "failed",
                                   "values": {"planned": 1500, "allocation": None, "when": "2099-01-02"}}
    (location,) = first["locations"]
    assert location == {"physicalLocation": {"artifactLocation": {"uri": "p.yaml"}, "region": {"startLine": 3}},
                        "logicalLocations": [{"fullyQualifiedName": "areas[0].a3"}]}


def test_sarif_without_a_baseline_has_no_baseline_state():
    results = _sarif(hand_run(baseline_used=False))["results"]
    assert [r.get("baselineState") for r in results] == [None, None, None, "unchanged", None, None]


def test_sarif_puts_a_workbook_finding_on_line_1_with_its_cell():
    cell = _sarif(hand_run())["results"][-1]
    assert cell["message"] == {"text": "Blad!C8: msg XR-2 line 8"}
    assert cell["properties"]["cell"] == "Blad!C8"
    (location,) = cell["locations"]
    assert location["message"] == {"text": "Blad!C8"}
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    assert "cell" not in _sarif(hand_run())["results"][0]["properties"]


def test_sarif_a_finding_without_a_path_is_about_the_plan():
    f = _f("XR-1", "failed", 3)
    f = Finding(f.rule, f.severity, f.outcome, f.title, f.message, f.sources, Location("p.yaml", 3, ""), {})
    run = hand_run(results=[PlanResult("p.yaml", "p1", "x-2099", "Region X", [f], ["XR-1"])])
    (result,) = _sarif(run)["results"]
    assert result["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "plan"}]


def test_sarif_notifications_for_input_errors_waiver_warnings_and_notes():
    notifications = _sarif(hand_run())["invocations"][0]["toolExecutionNotifications"]
    assert notifications == [
        {"level": "error", "message": {"text": "broken"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "bad.yaml"}, "region": {"startLine": 1}}}]},
        {"level": "error", "message": {"text": "Blad!B4: bad cell"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "book.xlsx"}, "region": {"startLine": 1}}}]},
        {"level": "warning", "message": {"text": "expired"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "w.yaml"}, "region": {"startLine": 7}}}]},
        {"level": "warning", "message": {"text": "no line"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "v.yaml"}, "region": {"startLine": 1}}}]},
        {"level": "note", "message": {"text": "first note"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "p.yaml"}, "region": {"startLine": 1}}}]},
        {"level": "note", "message": {"text": "second note"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "p.yaml"}, "region": {"startLine": 1}}}]},
    ]
    sv = _sarif(hand_run("sv"))["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in sv[:3]] == ["trasig", "Blad!B4: fel cell", "utgången"]


def test_sarif_with_no_results_is_an_empty_list():
    run = _sarif(clean_run())
    assert run["results"] == [] and [r["id"] for r in run["tool"]["driver"]["rules"]] == ["XR-1"]
    out = render.get("sarif")(clean_run())
    assert '"results": []' in out and out.endswith("}\n")


@pytest.mark.parametrize(("file", "uri"), [
    ("plans/a b.yaml", "plans/a%20b.yaml"),
    ("plans\\win #1?.yaml", "plans/win%20%231%3F.yaml"),
    ("plans/Region Jämtland.yaml", "plans/Region%20J%C3%A4mtland.yaml"),
    ("/abs/x y.yaml", "file:///abs/x%20y.yaml"),
    ("50%.yaml", "50%25.yaml"),
])
def test_sarif_uri(file, uri):
    assert to_uri(file) == uri


def test_sarif_results_are_one_per_line():
    out = render.get("sarif")(hand_run())
    lines = [line for line in out.splitlines() if line.startswith('        {"ruleId"')]
    assert len(lines) == 6
    assert out.index('"results": [\n        {"ruleId"') > 0 and '}\n      ],\n' in out


# -- JUnit ----------------------------------------------------------------------------------------------------

def _junit(run):
    out = render.get("junit")(run)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites') and out.endswith("</testsuites>\n")
    return ET.fromstring(out)


def test_junit_counts_and_attributes():
    root = _junit(hand_run())
    assert root.get("name") == "compliance"
    assert {k: root.get(k) for k in ("tests", "failures", "skipped", "errors")} == {
        "tests": str(3 + 1 + 2 + 2), "failures": str(3 + 2), "skipped": "0", "errors": "2"}
    one, two, errors, waivers = root.findall("testsuite")
    assert {k: one.get(k) for k in ("name", "file", "tests", "failures", "skipped", "errors")} == {
        "name": "p1", "file": "p.yaml", "tests": "3", "failures": "3", "skipped": "0", "errors": "0"}
    assert {k: two.get(k) for k in ("name", "file", "tests", "failures", "skipped", "errors")} == {
        "name": "q1", "file": "q.yaml", "tests": "1", "failures": "0", "skipped": "0", "errors": "0"}
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in one.findall("testcase")] == [
        ("p1", "XR-1", "p.yaml"), ("p1", "XR-2", "p.yaml"), ("p1", "XR-3", "p.yaml")]
    assert [p.attrib for p in one.find("properties")] == [{"name": "note", "value": "first note"},
                                                          {"name": "note", "value": "second note"}]
    assert [p.tag for p in one.find("properties")] == ["property", "property"]
    assert two.find("properties") is None and two.find("testcase").find("failure") is None


def test_junit_failure_lists_failed_findings_and_not_the_baselined_ones():
    one = _junit(hand_run()).find("testsuite")
    xr1, xr2, xr3 = one.findall("testcase")
    failure = xr1.find("failure")
    assert failure.attrib == {"message": "Rule one (1)", "type": "error"}
    assert failure.text == "p.yaml:3 [areas[0].a3] msg XR-1 line 3"
    assert xr1.find("system-out").text == "baseline: p.yaml:6 [areas[0].a6] msg XR-1 line 6"
    assert xr2.find("failure").attrib == {"message": "Rule two (1)", "type": "warning"}
    assert xr2.find("failure").text == "p.yaml:Blad!C8 [areas[0].a8] msg XR-2 line 8"
    assert xr2.find("skipped") is None  # failed wins over not evaluated
    assert xr2.find("system-out").text == "waived: p.yaml:5 [areas[0].a5] msg XR-2 line 5"
    assert xr3.find("failure").attrib == {"message": "Rule three (1)", "type": "info"}


def test_junit_skipped_and_waived_and_baselined_rules():
    run = hand_run(results=[PlanResult("p.yaml", "p1", "x-2099", "Region X", [
        _f("XR-2", "not-evaluated", 4), _f("XR-2", "not-evaluated", 9),
        _f("XR-1", "waived", 5, waiver=dict(WAIVER)), _f("XR-1", "failed", 6, baselined=True),
        _f("XR-1", "failed", 7, baselined=True),
    ], ["XR-1", "XR-2", "XR-3"])], errors=[], warnings=[])
    root = _junit(run)
    assert {k: root.get(k) for k in ("tests", "failures", "skipped", "errors")} == {
        "tests": "3", "failures": "0", "skipped": "1", "errors": "0"}
    (suite,) = root.findall("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "1")
    xr1, xr2, xr3 = suite.findall("testcase")
    assert xr1.find("failure") is None and xr1.find("skipped") is None
    assert xr1.find("system-out").text == ("waived: p.yaml:5 [areas[0].a5] msg XR-1 line 5\nbaseline: "
                                           "p.yaml:6 [areas[0].a6] msg XR-1 line 6\np.yaml:7 [areas[0].a7] msg XR-1 line 7")
    skipped = xr2.find("skipped")
    assert skipped.attrib == {"message": "msg XR-2 line 4"}
    assert skipped.text == "p.yaml:4 [areas[0].a4] msg XR-2 line 4\np.yaml:9 [areas[0].a9] msg XR-2 line 9"
    assert xr2.find("system-out") is None
    assert list(xr3) == []


def test_junit_input_errors_and_waiver_warnings_are_suites_of_their_own():
    root = _junit(hand_run())
    errors, waivers = root.findall("testsuite")[2:]
    assert {k: errors.get(k) for k in ("name", "tests", "failures", "skipped", "errors")} == {
        "name": "input errors", "tests": "2", "failures": "0", "skipped": "0", "errors": "2"}
    assert [c.tag for c in errors] == [c.tag for c in waivers] == ["testcase", "testcase"]
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in errors] == [
        ("input", "bad.yaml", "bad.yaml"), ("input", "book.xlsx", "book.xlsx")]
    assert [c.find("error").attrib for c in errors] == [{"message": "broken"}, {"message": "bad cell"}]
    assert [c.find("error").text for c in errors] == ["bad.yaml:1:2: broken", "book.xlsx:Blad!B4: amount: bad cell"]
    assert {k: waivers.get(k) for k in ("name", "tests", "failures", "skipped", "errors")} == {
        "name": "waivers", "tests": "2", "failures": "2", "skipped": "0", "errors": "0"}
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in waivers] == [
        ("waivers", "w.yaml:7", "w.yaml"), ("waivers", "v.yaml:None", "v.yaml")]
    assert [c.find("failure").attrib for c in waivers] == [{"message": "expired", "type": "warning"},
                                                          {"message": "no line", "type": "warning"}]
    assert [c.find("failure").text for c in waivers] == ["w.yaml:7: expired", "v.yaml: no line"]
    sv = _junit(hand_run("sv")).findall("testsuite")
    assert sv[2][0].find("error").attrib == {"message": "trasig"}
    assert sv[3][0].find("failure").text == "w.yaml:7: utgången"


def test_junit_with_no_errors_or_warnings_has_no_extra_suites():
    root = _junit(clean_run())
    assert [s.get("name") for s in root.findall("testsuite")] == ["q1"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")


def test_junit_shows_control_characters_escaped():
    evil = "p\x1bq\x00"
    run = hand_run(results=[PlanResult("f\x1b.yaml", evil, "x-2099", "Region X", [], ["XR-1"], notes=["n\x07"])],
                   errors=[Issue("e\x1b.yaml", 1, None, say("m\x1b", "m\x1b"))], warnings=[Issue("w\x1b.yaml", 2, None, say("w\x00", "w\x00"))])
    root = _junit(run)
    suite, errors, waivers = root.findall("testsuite")
    assert (suite.get("name"), suite.get("file")) == ("p\\x1bq\\x00", "f\\x1b.yaml")
    assert (suite[1].get("classname"), suite[1].get("file")) == ("p\\x1bq\\x00", "f\\x1b.yaml")
    assert suite.find("properties")[0].get("value") == "n\\x07"
    assert (errors[0].get("name"), errors[0].get("file")) == ("e\\x1b.yaml", "e\\x1b.yaml")
    assert errors[0].find("error").get("message") == "m\\x1b"
    assert errors[0].find("error").text == "e\\x1b.yaml:1: m\\x1b"
    assert (waivers[0].get("name"), waivers[0].get("file")) == ("w\\x1b.yaml:2", "w\\x1b.yaml")
    assert waivers[0].find("failure").get("message") == "w\\x00"
    assert waivers[0].find("failure").text == "w\\x1b.yaml:2: w\\x00"


# -- Markdown -------------------------------------------------------------------------------------------------

def _sections(out):
    """Heading → the lines under it (up to the next heading)."""
    sections, current = {}, None
    for line in out.split("\n"):
        if line.startswith("#"):
            current = line
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def test_markdown_summary_table_counts():
    out = render.get("markdown")(hand_run())
    head = out.split("\n")
    assert head[0] == "## Plans checked against God och nära vård (as of 2099-01-02)"
    assert head[1] == ""
    assert head[2] == "| plans | errors | warnings | info | not evaluated | waived | input errors |"
    assert head[3] == "|---:|---:|---:|---:|---:|---:|---:|"
    # two plans; failed: errors 2 (one baselined), warnings 1, info 1; one not evaluated, one waived; 2 input errors
    assert head[4] == "| 2 | 2 | 1 | 1 | 1 | 1 | 2 |"
    assert head[5] == ""


def test_markdown_plan_sections_rows_and_icons():
    sections = _sections(render.get("markdown")(hand_run()))
    assert list(sections) == ["## Plans checked against God och nära vård (as of 2099-01-02)",
                              "### p1 (x-2099) — `p.yaml`", "### q1 (x-2099) — `q.yaml`", "### ⚠️ waivers",
                              "### input errors"]
    p1 = sections["### p1 (x-2099) — `p.yaml`"]
    assert p1[:6] == ["", "> first note", "", "> second note", "", "| | rule | where | message | source |"]
    assert p1[6] == "|---|---|---|---|---|"
    assert p1[7:13] == [
        "| ❌ error | XR-1 | `p.yaml:3` | msg XR-1 line 3 | Överenskommelse A § 3 |",
        "| ❔ not evaluated | XR-2 | `p.yaml:4` | msg XR-2 line 4 | Bilaga B § 1; Överenskommelse A § 3 |",
        "| 🛈 waived | XR-2 | `p.yaml:5` | msg XR-2 line 5 | Bilaga B § 1; Överenskommelse A § 3 |",
        "| ❌ error (baseline) | XR-1 | `p.yaml:6` | msg XR-1 line 6 | Överenskommelse A § 3 |",
        "| ℹ️ info | XR-3 | `p.yaml:7` | msg XR-3 line 7 |  |",
        "| ⚠️ warning | XR-2 | `p.yaml:Blad!C8` | msg XR-2 line 8 | Bilaga B § 1; Överenskommelse A § 3 |",
    ]
    assert p1[13:] == [""]
    assert sections["### q1 (x-2099) — `q.yaml`"] == ["", "No findings.", ""]
    assert sections["### ⚠️ waivers"] == ["", "- `w.yaml:7: expired`", "- `v.yaml: no line`", ""]
    assert sections["### input errors"] == ["", "- `bad.yaml:1:2: broken`", "- `book.xlsx:Blad!B4: amount: bad cell`",
                                            ""]


def test_markdown_in_swedish_keeps_the_structure_and_counts():
    sv = render.get("markdown")(hand_run("sv"))
    en = render.get("markdown")(hand_run())
    assert sv != en
    sv_lines, en_lines = sv.split("\n"), en.split("\n")
    assert len(sv_lines) == len(en_lines)
    assert sv_lines[4] == en_lines[4] == "| 2 | 2 | 1 | 1 | 1 | 1 | 2 |"
    assert sv_lines[0].startswith("## ") and sv_lines[0].endswith(" 2099-01-02)") and sv_lines[0] != en_lines[0]
    assert sv_lines[2] != en_lines[2] and sv_lines[2].count("|") == 8
    assert "- `w.yaml:7: utgången`" in sv_lines and "- `bad.yaml:1:2: trasig`" in sv_lines
    for a, b in zip(sv_lines, en_lines, strict=True):
        if a.startswith("| ") and "XR-" in a:
            assert a.split(" | ")[1:] == b.split(" | ")[1:] or a.split(" | ")[1:4] == b.split(" | ")[1:4]
            assert a.split(" ")[1] == b.split(" ")[1]  # the icon


def test_markdown_without_warnings_or_errors_has_no_such_sections():
    out = render.get("markdown")(clean_run())
    assert [line for line in out.split("\n") if line.startswith("#")] == [
        "## Plans checked against God och nära vård (as of 2099-01-02)", "### q1 (x-2099) — `q.yaml`"]
    assert out.split("\n")[4] == "| 1 | 0 | 0 | 0 | 0 | 0 | 0 |"
    assert out.endswith("\n\nNo findings.\n")


def test_markdown_escapes_plan_text_and_code_spans():
    run = hand_run(results=[PlanResult("a`b|c.yaml", "p*1_", "x<2099>", "Region X", [], ["XR-1"],
                                       notes=["see @bob at https://x.se"])], errors=[], warnings=[])
    lines = render.get("markdown")(run).split("\n")
    assert "### p\\*1\\_ (x&lt;2099&gt;) — `a'b\\|c.yaml`" in lines
    assert "> see @\u200bbob at https:/\u200b/x.se" in lines


# -- text -----------------------------------------------------------------------------------------------------

def test_text_lines_of_a_plan():
    lines = render.get("text")(hand_run()).split("\n")
    assert lines[:17] == [
        "p.yaml  (p1, x-2099, as of 2099-01-02)",
        "  NOTE: first note",
        "  NOTE: second note",
        "  ERROR      XR-1  p.yaml:3  Rule one",
        "             msg XR-1 line 3",
        "  NOT EVALUATED XR-2  p.yaml:4  Rule two",
        "             msg XR-2 line 4",
        "  WAIVED     XR-2  p.yaml:5  Rule two",
        "             msg XR-2 line 5",
        "             (waived: a reason; dnr 7)",
        "  ERROR      XR-1  p.yaml:6  Rule one",
        "             msg XR-1 line 6",
        "             (baseline)",
        "  INFO       XR-3  p.yaml:7  Rule three",
        "             msg XR-3 line 7",
        "  WARNING    XR-2  p.yaml:Blad!C8  Rule two",
        "             msg XR-2 line 8",
    ]
    assert lines[17:21] == ["", "q.yaml  (q1, x-2099, as of 2099-01-02)", "  no findings", ""]


def test_text_input_errors_warnings_and_summary():
    out = render.get("text")(hand_run())
    tail = out.split("\n")[21:]
    assert tail == [
        "INPUT ERROR: bad.yaml:1:2: broken",
        "INPUT ERROR: book.xlsx:Blad!B4: amount: bad cell",
        "WARNING: w.yaml:7: expired",
        "WARNING: v.yaml: no line",
        "",
        "Summary: 2 plans, 2 errors, 1 warnings, 1 info, 1 not evaluated, 1 waived, 2 input errors",
        "",
    ]
    assert summary_line(hand_run()) == tail[5]


def test_text_of_a_clean_run_ends_with_the_summary_alone():
    out = render.get("text")(clean_run())
    assert out == ("q.yaml  (q1, x-2099, as of 2099-01-02)\n  no findings\n\n"
                   "Summary: 1 plans, 0 errors, 0 warnings, 0 info, 0 not evaluated, 0 waived, 0 input errors\n")
    only_errors = render.get("text")(hand_run(results=[], warnings=[]))
    assert only_errors.split("\n") == ["INPUT ERROR: bad.yaml:1:2: broken",
                                       "INPUT ERROR: book.xlsx:Blad!B4: amount: bad cell", "",
                                       "Summary: 0 plans, 0 errors, 0 warnings, 0 info, 0 not evaluated, 0 waived, "
                                       "2 input errors", ""]


def test_text_in_swedish_has_the_same_lines_and_numbers():
    sv = render.get("text")(hand_run("sv")).split("\n")
    en = render.get("text")(hand_run()).split("\n")
    assert len(sv) == len(en) and sv != en
    assert sv[0].startswith("p.yaml  (p1, x-2099, ") and sv[0].endswith(" 2099-01-02)") and sv[0] != en[0]
    assert [re.findall(r"\d+", line) for line in sv] == [re.findall(r"\d+", line) for line in en]
    assert "trasig" in sv[21] and "utgången" in sv[23]
    assert sv[3].split()[1:] == en[3].split()[1:] and sv[3].split()[0] != en[3].split()[0]
    assert sv[3].split()[0] == sv[3].split()[0].upper()


def test_text_escapes_plan_text_and_ci_commands():
    run = hand_run(results=[PlanResult("::error::f.yaml", "p\x1b", "a\x1b", "R", [
        Finding("XR-1", "error", "failed", "t\x1b", "m\x1b", (), Location("f\x1b", 1, "x"), {},
                waiver={"reason": "r\x1b", "reference": "d\x1b"})], ["XR-1"], notes=["n\x1b"])],
        errors=[Issue("e\x1b", 1, None, say("x\x1b", "x\x1b"))], warnings=[Issue("w\x1b", 1, None, say("y\x1b", "y\x1b"))])
    out = render.get("text")(run)
    assert "\x1b" not in out
    lines = out.split("\n")
    assert lines[0] == "\\x3a:error::f.yaml  (p\\x1b, a\\x1b, as of 2099-01-02)"
    assert lines[1] == "  NOTE: n\\x1b"
    assert lines[2] == "  ERROR      XR-1  f\\x1b:1  t\\x1b"
    assert lines[3] == "             m\\x1b"
    assert lines[4] == "             (waived: r\\x1b; d\\x1b)"
    assert "INPUT ERROR: e\\x1b:1: x\\x1b" in lines and "WARNING: w\\x1b:1: y\\x1b" in lines


# -- JSON -----------------------------------------------------------------------------------------------------

def test_json_document():
    out = render.get("json")(hand_run())
    doc = json.loads(out)
    assert list(doc) == ["as_of", "results", "errors", "warnings", "summary"]
    assert doc["as_of"] == "2099-01-02"
    one, two = doc["results"]
    assert list(one) == ["file", "plan", "agreement", "notes", "findings"]
    assert (one["file"], one["plan"], one["agreement"], one["notes"]) == ("p.yaml", "p1", "x-2099",
                                                                          ["first note", "second note"])
    assert [f["location"]["line"] for f in one["findings"]] == [3, 4, 5, 6, 7, 8]
    assert one["findings"][0] == _one().findings[0].as_dict() | {"values": {"planned": 1500, "allocation": None,
                                                                            "when": "2099-01-02"}}
    assert two == {"file": "q.yaml", "plan": "q1", "agreement": "x-2099", "findings": []}
    assert doc["errors"] == [e.as_dict("en") for e in ERRORS]
    assert doc["warnings"] == [w.as_dict("en") for w in WARNINGS]
    assert doc["summary"] == hand_run().summary()
    assert json.loads(render.get("json")(hand_run("sv")))["errors"][0]["message"] == "trasig"


def test_json_layout_one_finding_a_line():
    out = render.get("json")(hand_run())
    lines = out.split("\n")
    assert lines[:3] == ['{', '  "as_of": "2099-01-02",', '  "results": [']
    assert lines[3].startswith('    {"file": "p.yaml", "plan": "p1", "agreement": "x-2099", "notes": ["first note", '
                               '"second note"], "findings": [')
    assert [line[:16] for line in lines[4:10]] == ['      {"rule": "'] * 6
    assert lines[10] == "    ]},"
    assert lines[11] == '    {"file": "q.yaml", "plan": "q1", "agreement": "x-2099", "findings": []}'
    assert lines[12] == "  ],"
    assert lines[13] == '  "errors": ['
    assert lines[14].startswith('    {"file": "bad.yaml", "line": 1, "column": 2')
    assert out.endswith('}\n') and "é" not in out


def test_json_with_nothing_is_empty_lists():
    out = render.get("json")(hand_run(results=[], errors=[], warnings=[]))
    assert out == ('{\n  "as_of": "2099-01-02",\n  "results": [],\n  "errors": [],\n  "warnings": [],\n'
                   '  "summary": {"plans": 0, "failed": 0, "failed_by_severity": {"error": 0, "warning": 0, '
                   '"info": 0}, "not_evaluated": 0, "waived": 0, "baselined": 0, "errors": 0, "warnings": 0}\n}\n')


def test_json_keeps_non_ascii_as_it_is():
    run = hand_run(results=[PlanResult("å.yaml", "ö", "x-2099", "R", [], [])], errors=[], warnings=[])
    assert '"file": "å.yaml", "plan": "ö"' in render.get("json")(run)


# -- HTML -----------------------------------------------------------------------------------------------------

class _Tree(HTMLParser):
    """Every element as (tag, attributes, its own text), in document order."""

    def __init__(self):
        super().__init__()
        self.elements, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in ("meta", "br", "link"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element[2] += data


def _html(run):
    tree = _Tree()
    tree.feed(render.get("html")(run))
    return tree.elements


def _by_class(elements, tag, css):
    return [e for e in elements if e[0] == tag and css in e[1].get("class", "").split()]


def test_html_summary_cards():
    elements = _html(hand_run())
    cards = [(e[1]["class"], e[2]) for e in _by_class(elements, "div", "card")]
    assert [(css, re.match(r"\d+", text).group()) for css, text in cards] == [
        ("card", "2"), ("card error", "2"), ("card warning", "1"), ("card info", "1"),
        ("card not-evaluated", "1"), ("card waived", "1"), ("card error", "2")]
    assert [text for _, text in cards][:2] == ["2plans", "2errors"]


def test_html_area_bars():
    bars = [(e[1]["class"], e[1]["style"]) for e in _html(hand_run()) if e[0] == "span" and "style" in e[1]]
    # planned 15 of 10 (over, capped at 100 %), 5 of 10, 10 of 10, 3 of none, 0 of 0
    assert bars == [("over", "width: 100%"), ("under", "width: 50%"), ("", "width: 100%"), ("", "width: 100%"),
                    ("", "width: 0%")]
    rows = [e for e in _html(hand_run()) if e[0] == "tr"][1:6]
    assert [r[2].strip() for r in rows] == ["Area A (xa)SEK 15SEK 10", "Area B (xb)SEK 5SEK 10", "xcSEK 10SEK 10",
                                            "xdSEK 3—", "xeSEK 0SEK 0"]
    titles = [e[1]["title"] for e in _by_class(_html(hand_run()), "div", "bar")]
    assert titles[:2] == ["SEK 15 / SEK 10", "SEK 5 / SEK 10"] and titles[3] == "SEK 3 / —"
    sv_rows = [e for e in _html(hand_run("sv")) if e[0] == "tr"][1:3]
    assert [r[2].strip() for r in sv_rows] == ["Area A (xa)15 kr10 kr", "Area B (xb)5 kr10 kr"]


def test_html_area_bars_round_and_cap():
    result = PlanResult("p.yaml", "p1", "x-2099", "R", [], [], {"xa": (1, 3), "xb": (2, 3), "xc": (5, 0)})
    bars = [(e[1]["class"], e[1]["style"]) for e in _html(hand_run(results=[result])) if e[0] == "span"
            and "style" in e[1]]
    assert bars == [("under", "width: 33%"), ("under", "width: 67%"), ("", "width: 100%")]


def test_html_findings_grouped_by_area():
    elements = _html(hand_run())
    section = [e for e in elements if e[0] == "section" and e[1].get("id") == "plan-1"]
    assert len(section) == 1
    groups = [e[2] for e in elements if e[0] == "h3" and e[2] in ("the whole plan", "Area A (xa)", "zz")]
    assert groups == ["the whole plan", "Area A (xa)", "zz"]
    findings = _by_class(elements, "div", "finding")
    assert [f[1]["class"] for f in findings] == ["finding info", "finding error", "finding not-evaluated",
                                                 "finding waived", "finding error", "finding warning"]
    badges = [(b[1]["class"], b[2]) for b in _by_class(elements, "span", "badge")]
    assert badges == [("badge info", "info"), ("badge error", "error"), ("badge not-evaluated", "not evaluated"),
                      ("badge waived", "waived"), ("badge error", "error"), ("badge warning", "warning")]
    wheres = [w[2] for w in _by_class(elements, "div", "where")]
    assert wheres == ["p.yaml:7 · areas[0].a7", "p.yaml:3 · areas[0].a3", "p.yaml:4 · areas[0].a4",
                      "p.yaml:5 · areas[0].a5", "p.yaml:6 · areas[0].a6", "p.yaml:Blad!C8 · areas[0].a8"]
    first_error = findings[1][2]
    assert "Rule one" in first_error and "msg XR-1 line 3" in first_error
    values = [(e[0], e[2]) for e in elements if e[0] in ("dt", "dd")]
    assert values[:4] == [("dt", "planned"), ("dd", "5"), ("dt", "planned"), ("dd", "SEK 1,500")]
    assert ("dt", "allocation") not in values  # a value of None is not shown
    assert ("dt", "when") in values and ("dd", "2099-01-02") in values
    assert "waived: a reason (Boss, dnr 7, → 2100-01-01)" in findings[3][2]
    assert "baseline" in findings[4][2] and "baseline" not in findings[1][2]
    quotes = [e for e in elements if e[0] == "blockquote"]
    assert quotes[0][2] == "ett citat"
    notes = _by_class(elements, "p", "note")
    assert [n[2] for n in notes] == ["note: first note", "note: second note"]


def test_html_matrix_of_plans_and_rules():
    elements = _html(hand_run())
    (matrix,) = _by_class(elements, "table", "matrix")
    assert "Overview plans × rules" in [e[2].split(" (")[0] for e in elements if e[0] == "h3"]
    heads = [e[1]["title"] for e in elements if e[0] == "th" and "title" in e[1]]
    assert heads == ["XR-1", "XR-2", "XR-3"]
    cells = [(e[1].get("class", ""), e[2]) for e in elements if e[0] == "td" and e[1].get("class", "").startswith(
        ("m-", "")) and e in elements[elements.index(matrix):]]
    body = [c for c in cells if c[0] in ("m-error", "m-warning", "m-ne", "")]
    # p1: XR-1 two failed errors, XR-2 one failed warning, XR-3 one failed info; q1: XR-1 applied, others not
    rows = [e[2] for e in elements[elements.index(matrix):] if e[0] == "tr"][1:]
    assert rows[0].startswith("p1 (Region X)p.yaml") and rows[1].startswith("q1 (Region Y)q.yaml")
    tds = [(e[1].get("class"), e[2]) for e in elements[elements.index(matrix):] if e[0] == "td"]
    assert tds[:8] == [(None, "p1 (Region X)p.yaml"), ("m-error", "2"), ("m-warning", "1"), ("m-warning", "1"),
                       (None, "q1 (Region Y)q.yaml"), ("", "·"), ("", ""), ("", "")]
    assert body


def test_html_matrix_marks_not_evaluated_and_waived():
    results = [PlanResult("a.yaml", "a", "x-2099", "R", [_f("XR-2", "not-evaluated", 1)], ["XR-2"]),
               PlanResult("b.yaml", "b", "x-2099", "R", [_f("XR-2", "waived", 1, waiver=dict(WAIVER))], ["XR-2"])]
    elements = _html(hand_run(results=results))
    (matrix,) = _by_class(elements, "table", "matrix")
    tds = [(e[1].get("class"), e[2]) for e in elements[elements.index(matrix):] if e[0] == "td"]
    assert tds == [(None, "a (R)a.yaml"), ("m-ne", "?"), (None, "b (R)b.yaml"), ("m-ne", "w")]


def test_html_one_plan_has_no_matrix():
    elements = _html(clean_run())
    assert _by_class(elements, "table", "matrix") == []
    assert [e[2] for e in elements if e[0] == "p"] == ["No findings."]
    assert [e[1]["id"] for e in elements if e[0] == "section"] == ["summary", "plan-1"]


def test_html_errors_and_warnings_sections():
    elements = _html(hand_run())
    sections = [e[1]["id"] for e in elements if e[0] == "section"]
    assert sections == ["summary", "plan-1", "plan-2", "warnings", "errors"]
    items = [e[2] for e in elements if e[0] == "li"]
    assert items == ["w.yaml:7: expired", "v.yaml: no line", "bad.yaml:1:2: broken",
                     "book.xlsx:Blad!B4: amount: bad cell"]
    sv_items = [e[2] for e in _html(hand_run("sv")) if e[0] == "li"]
    assert sv_items[0] == "w.yaml:7: utgången" and sv_items[2] == "bad.yaml:1:2: trasig"


def test_html_language_and_head():
    out = render.get("html")(hand_run())
    assert out.startswith("<!DOCTYPE html>\n<html lang=\"en\">") and out.endswith("</html>\n")
    assert render.get("html")(hand_run("sv")).startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert render.get("html")(hand_run("de")).startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    from compliance import __version__
    assert f"compliance {__version__}" in out


def test_html_escapes_controls_in_text_but_not_its_own_markup():
    result = PlanResult("f.yaml", "p\x1b<b>", "x-2099", "R", [], [])
    out = render.get("html")(hand_run(results=[result], errors=[], warnings=[]))
    assert "p\\x1b&lt;b&gt;" in out and "\x1b" not in out and "<b>p" not in out
    assert '<span class="file">' in out


# -- escaping helpers -----------------------------------------------------------------------------------------

def test_visible_shows_controls_and_direction_marks_by_code():
    assert visible("a\x00b\x1f\x7f\x9f\u2028\u202e\u2066\ufffe\uffff") == (
        "a\\x00b\\x1f\\x7f\\x9f\\u2028\\u202e\\u2066\\ufffe\\uffff")
    assert visible("é ö ✅ \xa0\u200b") == "é ö ✅ \xa0\u200b"


def test_line_start_escapes_a_ci_command_at_the_start_only():
    assert line_start("::error::x") == "\\x3a:error::x"
    assert line_start("##vso[task]") == "\\x23#vso[task]"
    assert line_start("a ::error::") == "a ::error::" and line_start(":x") == ":x"
    assert line_start("\x1b::") == "\\x1b::"


def test_escape_md_and_code_md():
    assert escape_md("a*b_c`d[e]f|g~h\\i") == "a\\*b\\_c\\`d\\[e\\]f\\|g\\~h\\\\i"
    assert escape_md("<b>&") == "&lt;b&gt;&amp;"
    assert escape_md("@bob www.x.se HTTPS://y") == "@\u200bbob www\u200b.x.se HTTPS:/\u200b/y"
    assert escape_md("\r") == "\\\\x0d"  # shown, then its backslash escaped
    assert code_md("a`b|c\x1b") == "a'b\\|c\\x1b"


def test_xml_safe_escapes_what_xml_forbids_only():
    assert xml_safe("a\x00\x08\x0b\x0c\x0e\x1f\ufffe\t\n\r\x1b\x85") == "a\\x00\\x08\\x0b\\x0c\\x0e\\x1f\\ufffe\t\n\r\\x1b\x85"


# -- tables ---------------------------------------------------------------------------------------------------

def test_tables():
    assert markdown_rule("lrl") == "|---|---:|---|"
    assert markdown_table(["a", "b"], [["1", "2"]]) == ["| a | b |", "|---|---|", "| 1 | 2 |"]
    assert markdown_table(["a", "b"], [["1", "2"]], "rl") == ["| a | b |", "|---:|---|", "| 1 | 2 |"]
    assert text_table(["name", "n", "x"], [["a", "1000", ""], ["bb", "5", "z"]], "lrl") == [
        "name     n  x", "a     1000", "bb       5  z"]
    with pytest.raises(ValueError):  # an alignment that does not fit the columns is a bug, not a guess
        text_table(["a", "b"], [["1", "2"]], "l")


# -- compliance diff --------------------------------------------------------------------------------------------

def _diff():
    return Diff("old.yaml", "new.yaml", [
        DiffRow("xa", None, None, 100, 1150, 1050, ["GNV-301", "GNV-302"]),
        DiffRow("xa", "a*1", "n", 100, 40, -60),
        DiffRow("xb", None, None, 7, 7, 0),
    ], ["::m1", "m2 @x"])


def test_diff_text_columns_and_signs():
    lines = render_diff(_diff(), "text", "sv").split("\n")
    assert lines[0] == "old.yaml → new.yaml" and lines[1] == ""
    head, first, second, third = lines[2:6]
    assert head.split("  ")[0] == "område / aktivitet"
    assert head == "område / aktivitet    före     efter  förändring  otillåten"
    assert first == "xa                  100 kr  1 150 kr   +1 050 kr  GNV-301, GNV-302"
    assert second == "  a*1               100 kr     40 kr      −60 kr"
    assert third == "xb                    7 kr      7 kr           0"
    assert lines[6:] == ["", "\\x3a:m1", "m2 @x", ""]
    en = render_diff(_diff(), "text", "en").split("\n")
    assert en[2].startswith("area / activity  ")
    assert [cell.strip() for cell in en[3].split("  ")[-4:]] == ["SEK 100", "SEK 1,150", "+SEK 1,050", "GNV-301, GNV-302"]
    assert render_diff(_diff(), "text") == render_diff(_diff(), "text", "sv")  # Swedish unless told


def test_diff_signs_a_change_of_one_krona():
    d = Diff("a", "b", [DiffRow("xa", None, None, 1, 2, 1), DiffRow("xb", None, None, 2, 1, -1)], [])
    lines = render_diff(d, "markdown").split("\n")
    assert lines[4:6] == ["| xa | 1 kr | 2 kr | +1 kr |  |", "| xb | 2 kr | 1 kr | −1 kr |  |"]


def test_diff_as_markdown():
    lines = render_diff(_diff(), "markdown", "sv").split("\n")
    assert lines[0] == "### old.yaml → new.yaml" and lines[1] == ""
    assert lines[2] == "| område / aktivitet | före | efter | förändring | otillåten |"
    assert lines[3] == "|---|---:|---:|---:|---|"
    assert lines[4] == "| xa | 100 kr | 1 150 kr | +1 050 kr | GNV-301, GNV-302 |"
    assert lines[5] == "| ↳ a\\*1 | 100 kr | 40 kr | −60 kr |  |"
    assert lines[6] == "| xb | 7 kr | 7 kr | 0 |  |"
    assert lines[7:] == ["", "- ::m1", "- m2 @\u200bx", ""]
    assert render_diff(_diff(), "markdown", "en").split("\n")[2].startswith("| area / activity | before |")


def test_diff_without_messages_ends_with_the_table():
    d = _diff()
    d.messages = []
    assert render_diff(d, "text").split("\n")[-2].startswith("xb ")
    assert render_diff(d, "markdown").split("\n")[-2].startswith("| xb |")


def test_diff_as_json_and_escaped_names():
    assert json.loads(render_diff(_diff(), "json")) == _diff().as_dict()
    assert render_diff(_diff(), "json").endswith("}\n") and '\n  "old"' in render_diff(_diff(), "json")
    d = Diff("::old\x1b", "n\x1b", [DiffRow("a\x1b", None, None, 1, 1, 0)], [])
    assert render_diff(d, "text").split("\n")[0] == "\\x3a:old\\x1b → n\\x1b"
    assert render_diff(d, "text").split("\n")[3].startswith("a\\x1b ")
    assert render_diff(Diff("å", "ö", [], []), "json").startswith('{\n  "old": "å"')


# -- compliance allocation --------------------------------------------------------------------------------------

class _Note:
    def get(self, lang):
        return {"sv": "en anteckning", "en": "a note"}[lang]


def _allocation(lang="en", note=True, municipalities=None):
    return AllocationResult("gnv-x", "model", {"Region A": {"xa": 1000, "xb": 2000000}, "Region B": {"xa": 5}},
                            municipalities or {}, ["xa", "xb", "xc"], _Note() if note else None, lang)


def test_allocation_as_text():
    assert render_allocation(_allocation(), "text").split("\n") == [
        "gnv-x: model",
        "note: a note",
        "",
        "regions      xa         xb      total",
        "Region A  1 000  2 000 000  2 001 000",
        "Region B      5          —          5",
        "total     1 005  2 000 000  2 001 005",
        "",
    ]


def test_allocation_as_markdown_with_municipalities():
    out = render_allocation(_allocation("sv", municipalities={"Län": {"xc": 3, "xa": 1}}), "markdown")
    assert out.split("\n") == [
        "gnv-x: beräkningsmodellen",
        "obs: en anteckning",
        "",
        "| regioner | xa | xb | summa |",
        "|---|---:|---:|---:|",
        "| Region A | 1 000 | 2 000 000 | 2 001 000 |",
        "| Region B | 5 | — | 5 |",
        "| summa | 1 005 | 2 000 000 | 2 001 005 |",
        "",
        "| kommuner per län | xa | xc | summa |",
        "|---|---:|---:|---:|",
        "| Län | 1 | 3 | 4 |",
        "| summa | 1 | 3 | 4 |",
        "",
    ]


def test_allocation_of_municipalities_alone():
    out = render_allocation(AllocationResult("gnv-x", "published table", {}, {"Län": {"xa": 2}}, ["xa"]), "text")
    assert out.split("\n") == ["gnv-x: publicerad tabell", "", "kommuner per län  xa  summa",
                                "Län                2      2", "summa              2      2", ""]


def test_allocation_without_note_or_tables_and_as_json():
    empty = AllocationResult("gnv-x", "unknown", {}, {}, ["xa"], None, "sv")
    assert render_allocation(empty, "text") == "gnv-x: okänd\n"
    assert render_allocation(_allocation(note=False), "text").split("\n")[:2] == ["gnv-x: model", ""]
    out = render_allocation(_allocation(), "json")
    assert json.loads(out) == _allocation().as_dict() and out.endswith("}\n") and '\n  "agreement"' in out
    assert '"Län"' in render_allocation(_allocation(municipalities={"Län": {"xa": 1}}), "json")


# -- the legend a run carries -----------------------------------------------------------------------------------

def test_the_legend_names_every_rule_and_area_in_the_run_language(checker):
    from compliance.legend import legend

    book = checker.book
    titles = {}
    for lang in ("sv", "en"):
        names = legend(book, lang)
        assert sorted(names.rules) == sorted(rule.id for rule in book.rules)
        for rule in book.rules:
            info = names.rules[rule.id]
            assert (info.id, info.severity, info.title) == (rule.id, rule.severity, rule.title.get(lang))
            assert [(s.document, s.section, s.quote) for s in info.sources] == [
                (s.document, s.section, s.quote) for s in rule.source]
        assert sorted(names.areas) == sorted(book.agreements)
        for pid, pack in book.agreements.items():
            assert names.areas[pid] == {code: spec.name.get(lang) for code, spec in pack.areas.items()}
        titles[lang] = {rid: info.title for rid, info in names.rules.items()}
    assert titles["sv"] != titles["en"]
    assert any(s.quote for info in legend(book, "sv").rules.values() for s in info.sources)


def test_markdown_a_clean_plan_first_does_not_end_the_report():
    out = render.get("markdown")(hand_run(results=[_two(), _one()], errors=[], warnings=[]))
    headings = [line for line in out.split("\n") if line.startswith("### ")]
    assert headings == ["### q1 (x-2099) — `q.yaml`", "### p1 (x-2099) — `p.yaml`"]
    assert out.count("| ❌ error") == 2


def test_sarif_suppresses_only_a_waived_finding_and_justifies_with_its_reason():
    findings = [_f("XR-1", "failed", 1, waiver=dict(WAIVER)), _f("XR-1", "waived", 2, waiver={}),
                _f("XR-1", "waived", 3)]
    run = hand_run(results=[PlanResult("p.yaml", "p1", "x-2099", "R", findings, ["XR-1"])], errors=[], warnings=[])
    results = _sarif(run)["results"]
    assert "suppressions" not in results[0]  # a waiver on a finding that still fails suppresses nothing
    assert results[1]["suppressions"] == [{"kind": "external", "status": "accepted", "justification": ""}]
    assert "suppressions" not in results[2]
