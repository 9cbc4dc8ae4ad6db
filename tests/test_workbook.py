"""Plans from workbooks: read like YAML, every finding and input error with its sheet and cell."""

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from compliance.cli import main
from compliance.errors import InputError
from compliance.plans import load_plan

AS_OF = dt.date(2020, 4, 1)

PLAN_ROWS = [
    ["Fält", "Värde"],
    ["Plan-id", "p"],
    ["Region", "Region Jämtland Härjedalen"],
    ["Överenskommelse", "gnv-2020"],
    ["Sammanhållet ansvar", "Chef HOSPA"],
]
AREA_ROWS = [
    ["Område", "Tilldelning", "Sammanhållet ansvar", "Privata utförares deltagande"],
    ["karriartjanster", 1266508, "Chef", "Lika villkor"],
]
ACTIVITY_ROWS = [
    ["Område", "Id", "Namn", "Belopp", "Ansvarig", "Syfte", "Utförare", "Uppföljnings-id"],
    ["karriartjanster", "a1", "Karriärvägar", 1000000.0, "HR", "karriar-specialistsjukskoterskor", "region", "NS-1"],
    ["karriartjanster", "a2", "Fler", "300 000 kr", None, "karriar-specialistsjukskoterskor", "region", "NS-2"],
]


def make_book(path, sheets, edit=None):
    """A workbook with one sheet per entry (rows of values from A1), optionally edited before saving."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if edit:
        edit(wb)
    wb.save(path)
    return path


def good_sheets(**changes):
    sheets = {"Plan": PLAN_ROWS, "Områden": AREA_ROWS, "Aktiviteter": ACTIVITY_ROWS}
    sheets.update(changes)
    return sheets


def issues_of(path):
    with pytest.raises(InputError) as info:
        load_plan(path, path.name)
    return info.value.issues


def test_workbook_reads_as_the_plan_format(book):
    loaded = load_plan(book(), "plan.xlsx")
    plan = loaded.plan
    assert plan.plan.id == "p" and plan.plan.agreement == "gnv-2020"
    (area,) = plan.areas
    assert (area.area, area.allocation, area.private_providers) == ("karriartjanster", 1266508, "Lika villkor")
    assert [(a.id, a.amount, a.responsible) for a in area.activities] == [
        ("a1", 1000000, "HR"), ("a2", 300000, None)]
    assert isinstance(area.activities[0].amount, int)
    assert loaded.locs.cell_of(("areas", 0, "activities", 1, "amount")) == "Aktiviteter!D3"
    assert loaded.locs.cell_of(("areas", 0, "activities", 1, "responsible")) == "Aktiviteter!E3"  # blank: its cell
    assert loaded.locs.cell_of(("areas", 0, "activities", 1)) == "Aktiviteter!A3"
    assert loaded.locs.cell_of(("areas", 0, "allocation")) == "Områden!B2"
    assert loaded.locs.cell_of(("plan", "region")) == "Plan!B3"
    assert loaded.line(("areas", 0, "activities", 1, "amount")) == 3  # the cell's row


def test_finding_names_the_cell_in_every_format(book, checker):
    path = book()
    text = CliRunner().invoke(main, ["check", "plan.xlsx", "--as-of", "2020-04-01", "--lang", "en"])
    assert text.exit_code == 1, text.output
    # 1 300 000 planned against 1 266 508: GNV-102 on the area's row; a2 has no responsible: GNV-201 on its row
    assert "GNV-102  plan.xlsx:Områden!A2" in text.output
    assert "GNV-201  plan.xlsx:Aktiviteter!A3" in text.output
    run = checker.check_paths([str(path.name)], AS_OF)
    findings = {f.rule: f for f in run.findings()}
    assert findings["GNV-102"].values["excess"] == 33492
    assert findings["GNV-201"].location.cell == "Aktiviteter!A3"
    out = CliRunner().invoke(main, ["check", "plan.xlsx", "--as-of", "2020-04-01", "--format", "json"])
    doc = json.loads(out.output)
    locs = {f["rule"]: f["location"] for f in doc["results"][0]["findings"]}
    assert locs["GNV-201"] == {"file": "plan.xlsx", "line": 3, "cell": "Aktiviteter!A3", "path": "areas[0].activities[1]"}
    assert list(locs["GNV-201"]) == ["file", "line", "cell", "path"]  # the cell next to the line
    for fmt in ("markdown", "junit", "html"):
        out = CliRunner().invoke(main, ["check", "plan.xlsx", "--as-of", "2020-04-01", "--format", fmt])
        assert "plan.xlsx:Aktiviteter!A3" in out.output, fmt
        assert "plan.xlsx:3" not in out.output, fmt  # never the bare row as if it were a line
    out = CliRunner().invoke(main, ["check", "plan.xlsx", "--as-of", "2020-04-01", "--format", "sarif"])
    results = json.loads(out.output)["runs"][0]["results"]
    gnv201 = next(r for r in results if r["ruleId"] == "GNV-201")
    assert gnv201["message"]["text"].startswith("Aktiviteter!A3: ")
    assert gnv201["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert gnv201["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "plan.xlsx"
    assert gnv201["properties"]["cell"] == "Aktiviteter!A3"
    assert gnv201["locations"][0]["message"] == {"text": "Aktiviteter!A3"}


def test_yaml_locations_have_no_cell(write, checker):
    path = write("""
        plan: {id: p, region: Region Jämtland Härjedalen, agreement: gnv-2020}
        areas:
          - area: karriartjanster
            activities:
              - {id: a, amount: 5}
        """)
    run = checker.check_paths([str(path)], AS_OF)
    assert all(f.location.cell is None and "cell" not in f.location.as_dict() for f in run.findings())


def test_input_error_names_sheet_and_cell(book):
    rows = [list(r) for r in ACTIVITY_ROWS]
    rows[2][3] = 1500000.5
    path = book(good_sheets(Aktiviteter=rows))
    (issue,) = issues_of(path)
    assert (issue.cell, issue.line, issue.column, issue.field) == ("Aktiviteter!D3", 3, 4, "areas[0].activities[1].amount")
    assert issue.one_line() == ("plan.xlsx:Aktiviteter!D3: areas[0].activities[1].amount: 1500000.5 is a decimal "
                                "number; write whole kronor as an integer (18174397) or a Swedish-style string "
                                '("18 174 397 kr", "1,5 mkr")')
    result = CliRunner().invoke(main, ["check", "plan.xlsx", "--format", "json"])
    assert result.exit_code == 2
    (error,) = json.loads(result.stdout)["errors"]
    assert error["cell"] == "Aktiviteter!D3" and error["line"] == 3


def test_english_headings_and_sheet_names(book):
    sheets = {
        "Plan": [["field", "value"], ["id", "p"], ["region", "Region Gotland"], ["agreement", "gnv-2020"]],
        "Areas": [["area", "allocation"], ["e-halsa", "1,5 mkr"]],
        "Activities": [["area", "id", "amount", "exit_plan.strategy", "new"], ["e-halsa", "x", 7, "wind-down", "yes"]],
    }
    plan = load_plan(book(sheets), "plan.xlsx").plan
    act = plan.areas[0].activities[0]
    assert (plan.areas[0].allocation, act.amount, act.exit_plan.strategy, act.new) == (1500000, 7, "wind-down", True)


def test_dates_booleans_lists_and_exemptions(book):
    sheets = good_sheets(
        Aktiviteter=[
            ["Område", "Id", "Belopp", "Ny", "Period från", "Period till", "Investering: livslängd (år)",
             "Investering: kostnad", "Investering: i bruk från"],
            ["karriartjanster", "a", 1, "nej", dt.date(2020, 1, 1), "2020-12-31", "5", 500, dt.datetime(2020, 7, 1)],
        ],
        Rapporter=[
            ["Typ", "Inskickad", "Mottagare", "Jämställdhet", "Jämställdhet: undantag (skäl)", "Innehåll"],
            ["partial-report", dt.date(2020, 9, 28), "Socialstyrelsen; SKR", None, "Inga personuppgifter",
             "completed-activities, challenges"],
            ["final-report", dt.date(2021, 3, 1), None, True, None, None],
        ],
    )
    plan = load_plan(book(sheets), "plan.xlsx").plan
    act = plan.areas[0].activities[0]
    assert act.new is False
    assert (act.period.start, act.period.end) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert (act.investment.useful_life_years, act.investment.in_service) == (5, dt.date(2020, 7, 1))
    first, second = plan.reports
    assert first.recipients == ["Socialstyrelsen", "SKR"]
    assert first.gender_equality.exempt_reason == "Inga personuppgifter"
    assert first.contents == ["completed-activities", "challenges"]
    assert second.gender_equality is True and second.contents is None


def test_folder_check_picks_up_workbooks(book, tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    make_book(folder / "a.xlsx", good_sheets())
    (folder / "~$a.xlsx").write_bytes(b"lock")  # a spreadsheet program's lock file is not a plan
    result = CliRunner().invoke(main, ["check", "plans", "--as-of", "2020-04-01", "--format", "json"])
    doc = json.loads(result.stdout)
    assert [r["file"] for r in doc["results"]] == ["plans/a.xlsx"] and doc["errors"] == []


def _leaves(model, prefix=()):
    """Every field path of the plan models that holds a value (not a model or a list of models)."""
    import typing

    from pydantic import BaseModel

    for name, info in model.model_fields.items():
        args = [info.annotation, *typing.get_args(info.annotation)]
        for arg in list(args):
            args += typing.get_args(arg)
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if nested and not any(a is bool for a in args):
            yield from _leaves(nested[0], (*prefix, name))
        else:
            yield (*prefix, name)


def test_the_layout_holds_every_field_of_the_plan_format():
    """A field added to the plan format without a column would be lost by convert: say which."""
    from compliance import models
    from compliance.workbook import ACTIVITIES, AREAS, COST_ITEMS, FINANCIALS, PLAN, REPORTS

    covered = {c.path for c in PLAN.columns + FINANCIALS.columns}
    covered |= {("areas", *c.path) for c in AREAS.columns}
    covered |= {("areas", "activities", *c.path) for c in ACTIVITIES.columns if c.path != ("area",)}
    covered |= {("reports", *c.path) for c in REPORTS.columns}
    covered |= {("financials", "cost_items", *c.path) for c in COST_ITEMS.columns}
    fields = set(_leaves(models.Plan))
    fields.add(("reports", "gender_equality", "exempt_reason"))  # bool or an exemption: two columns
    assert fields - covered == set()
    assert covered - fields == set()


def test_pre_commit_hook_takes_workbooks_but_not_lock_files():
    import re
    from pathlib import Path

    import yaml

    (hook,) = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text("utf-8"))
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def taken(path):
        return bool(files.search(path)) and not exclude.search(path)

    assert taken("plans/rjh-2022.xlsx") and taken("plans/rjh-2022.yaml")
    assert not taken("plans/~$rjh-2022.xlsx") and not taken("plans/notes.txt")


def test_unknown_agreement_names_its_cell(book):
    rows = [list(r) for r in PLAN_ROWS]
    rows[3][1] = "gnv-2019"
    result = CliRunner().invoke(main, ["check", str(book(good_sheets(Plan=rows)).name), "--lang", "en"])
    assert result.exit_code == 2
    assert "plan.xlsx:Plan!B4: plan.agreement: unknown agreement 'gnv-2019'" in result.output


def test_a_workbook_revision_of_a_yaml_plan(tmp_path, checker):
    """supersedes works across formats: the e-hälsa revision as a workbook, the decided plan as YAML."""
    import shutil
    from pathlib import Path

    from compliance.workbook_write import convert

    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "plans" / "rjh-gnv-2020.yaml", tmp_path)
    src = tmp_path / "v2.yaml"  # beside the plan it revises: a revision is read only among the plans checked
    text = (root / "examples" / "revisions" / "rjh-gnv-2020-v2-e-halsa.yaml").read_text("utf-8")
    src.write_text(text.replace("supersedes: ../../plans/rjh-gnv-2020.yaml", "supersedes: rjh-gnv-2020.yaml"), "utf-8")
    book = src.with_suffix(".xlsx")
    book.write_bytes(convert(src, book, checker.book.agreement))
    as_of = dt.date(2021, 4, 30)

    def findings(path):
        run = checker.check_paths([str(path)], as_of)
        assert not run.errors, [e.one_line() for e in run.errors]
        return sorted((f.rule, f.location.path, f.message) for f in run.findings())

    from_book = findings(book)
    assert any(rule.startswith("GNV-3") for rule, _, _ in from_book)  # the revision rules ran
    assert from_book == findings(src)


def test_plan_ids_are_unique_across_formats_but_a_twin_is_one_plan(tmp_path, monkeypatch, checker):
    """A workbook with another plan's id is refused, naming both (waivers and baselines match by
    id); a YAML plan and its workbook twin holding the same plan are one plan in two formats."""
    import shutil
    from pathlib import Path

    from compliance.workbook_write import convert

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "plans"
    folder.mkdir()
    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "plans" / "rjh-gnv-2023.yaml", folder / "p.yaml")
    (folder / "p.xlsx").write_bytes(convert(folder / "p.yaml", folder / "p.xlsx", checker.book.agreement))
    twins = CliRunner().invoke(main, ["check", "plans", "--as-of", "2023-04-04", "--format", "json"])
    assert twins.exit_code == 0, twins.output  # warnings only, and no duplicate id
    assert [r["file"] for r in json.loads(twins.stdout)["results"]] == ["plans/p.xlsx", "plans/p.yaml"]
    changed = (folder / "p.yaml").read_text("utf-8").replace("Regionstyrelsen", "Regionfullmäktige")
    assert changed != (folder / "p.yaml").read_text("utf-8")
    (folder / "q.yaml").write_text(changed, "utf-8")
    (folder / "q.xlsx").write_bytes(convert(folder / "q.yaml", folder / "q.xlsx", checker.book.agreement))
    (folder / "q.yaml").unlink()
    copy = CliRunner().invoke(main, ["check", "plans", "--as-of", "2023-04-04", "--lang", "en"])
    assert copy.exit_code == 2
    assert "plans/q.xlsx: plan.id: plan.id 'rjh-gnv-2023' is also the id of plans/p.xlsx, plans/p.yaml" in copy.output
