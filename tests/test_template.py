"""`compliance init --format xlsx`: a template a plan author fills in and checks."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from compliance.allocation import region_allocation
from compliance.cli import main
from compliance.workbook import ACTIVITIES, AREAS, PLAN, SHEETS

REGION = "Region Gotland"


@pytest.fixture
def template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022",
                                       "--format", "xlsx", "--output", "gotland.xlsx"])
    assert result.exit_code == 0, result.output
    return tmp_path / "gotland.xlsx"


def headings(ws):
    return {cell.value: cell.column for cell in ws[1] if cell.value}


def column_of(sheet, path):
    return next(c.sv for c in sheet.columns if c.path == tuple(path.split(".")))


def fill(path, pack):
    """What a plan author does: responsibles, and activities that use each area's allocation to the krona."""
    wb = openpyxl.load_workbook(path)
    plan = wb[PLAN.sv]
    for row in plan.iter_rows(min_row=2):
        if row[0].value == column_of(PLAN, "plan.responsible"):
            row[1].value = "Hälso- och sjukvårdsdirektör"
    areas, acts = wb[AREAS.sv], wb[ACTIVITIES.sv]
    a_cols, act_cols = headings(areas), headings(acts)
    r, n = 2, 0
    for row in areas.iter_rows(min_row=2):
        code = row[a_cols["Område"] - 1].value
        allocation = row[a_cols["Tilldelning"] - 1].value
        if not code:
            continue
        row[a_cols["Sammanhållet ansvar"] - 1].value = "Områdeschef"
        row[a_cols["Privata utförares deltagande"] - 1].value = "Privata utförare deltar på lika villkor."
        if allocation is None:
            continue  # VFU: no seed gives a region's share, so nothing to plan yet
        purposes = pack.areas[code].purposes
        required = [c for c, q in pack.requirements.items() if q.by == "code" and q.area == code]
        count = max(len(purposes), len(required))
        for i in range(count):
            n += 1
            values = {
                "Område": code, "Id": f"akt-{n}", "Namn": f"Aktivitet {n}",
                "Belopp": allocation // count + (allocation % count if i == 0 else 0),
                "Ansvarig": "Verksamhetschef", "Syfte": purposes[i % len(purposes)], "Utförare": "region",
                "Ny": "nej", "Uppföljnings-id": f"NS-{n}",
                "Tillkommande resurser": "ja" if code == "vidareutbildning" else None,
                "Krav (kod)": required[i] if i < len(required) else None,
            }
            for heading, value in values.items():
                acts.cell(row=r, column=act_cols[heading]).value = value
            r += 1
    wb.save(path)
    return n


def test_filled_template_checks_clean(template, checker):
    pack = checker.book.agreement("gnv-2022")
    assert fill(template, pack) >= len(pack.areas)
    run = checker.check_paths([str(template)], dt.date(2022, 3, 1))
    assert [e.one_line() for e in run.errors] == []
    (result,) = run.results
    assert [f"{f.rule} {f.location.where()}" for f in result.findings if f.outcome == "failed"] == []
    planned = {area: planned for area, (planned, _) in result.planned_by_area.items()}
    allocation, _ = region_allocation(pack, REGION)
    assert planned == {code: amount or 0 for code, amount in allocation.items()}  # to the krona
    cli = CliRunner().invoke(main, ["check", "gotland.xlsx", "--as-of", "2022-03-01", "--fail-on", "info"])
    assert cli.exit_code == 0, cli.output


def test_unfilled_template_says_what_is_missing_by_cell(template, checker):
    run = checker.check_paths([str(template)], dt.date(2022, 3, 1))
    assert run.errors == []
    failed = {(f.rule, f.location.cell) for f in run.findings() if f.outcome == "failed"}
    # Region Gotland has no regional pack: the seed region's own GNV-208 does not apply to it
    assert not any(rule == "GNV-208" for rule, _ in failed)
    # a required effort applies where the plan plans its area's funds: an empty template plans none
    assert not any(rule == "GNV-211" for rule, _ in failed)
    assert ("GNV-104", "Områden!A2") in failed  # nära vård: the allocation not planned


def test_template_has_allocations_dropdowns_sums_help_and_frozen_headers(template, checker):
    pack = checker.book.agreement("gnv-2022")
    wb = openpyxl.load_workbook(template)
    areas = wb[AREAS.sv]
    allocation, _ = region_allocation(pack, REGION)
    rows = {r[0].value: r[1].value for r in areas.iter_rows(min_row=2, max_col=2) if r[0].value}
    assert rows == allocation
    assert rows["nara-vard"] == 14140838  # the pack's figure for Gotland, to the krona
    # the per-area sum: SUMIF over the activities' area and amount columns
    planned = areas.cell(row=2, column=len(AREAS.columns) + 1).value
    assert planned == '=IF($A2="","",SUMIF(Aktiviteter!$A:$A,$A2,Aktiviteter!$D:$D))'
    assert areas.cell(row=2, column=len(AREAS.columns) + 2).value == '=IF(OR($A2="",B2=""),"",B2-F2)'
    acts = wb[ACTIVITIES.sv]
    cols = headings(acts)
    lists = {}
    for dv in acts.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            lists[rng.min_col] = (dv.type, dv.formula1, rng.max_row)
    codes = wb["Koder"]
    purposes = [c.value for c in codes["B"][1:] if c.value]
    assert sorted(purposes) == sorted({p for a in pack.areas.values() for p in a.purposes})
    assert [c.value for c in codes["A"][1:] if c.value] == list(pack.areas)
    assert lists[cols["Område"]][:2] == ("list", f"Koder!$A$2:$A${len(pack.areas) + 1}")
    assert lists[cols["Syfte"]][:2] == ("list", f"Koder!$B$2:$B${len(purposes) + 1}")
    assert lists[cols["Krav (kod)"]][0] == "list" and lists[cols["Krav (kod)"]][1].startswith("Koder!$C$2")
    assert lists[cols["Utförare"]][:2] == ("list", '"region,municipality,private,mixed"')
    assert lists[cols["Avslut: strategi"]][:2] == ("list", '"ordinary-budget,replaces,wind-down"')
    assert lists[cols["Privat utförare: avtal"]][:2] == ("list", '"care-choice,lov,lou"')
    assert lists[cols["Ny"]][:2] == ("list", '"ja,nej"')
    assert lists[cols["Belopp"]][:2] == ("whole", "0")  # a number, so the per-area SUMIF counts every amount
    assert lists[cols["Period från"]][0] == "date"
    assert acts.cell(row=2, column=cols["Belopp"]).number_format == "#,##0"
    assert lists[cols["Område"]][2] >= 300  # room for a region's activities
    for sheet in SHEETS:
        assert wb[sheet.sv].freeze_panes == "A2", sheet.sv
    amount = acts.cell(row=1, column=cols["Belopp"])
    assert amount.comment is not None and "amount" in amount.comment.text
    help_text = " ".join(str(c.value) for row in wb["Hjälp"].iter_rows() for c in row if c.value)
    for sheet in SHEETS:
        for col in sheet.columns:
            assert col.sv in help_text and col.en in help_text


def test_init_xlsx_needs_an_xlsx_output_and_never_overwrites(template):
    runner = CliRunner()
    again = runner.invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022", "--output", "gotland.xlsx"])
    assert again.exit_code == 2 and "en planfil skrivs aldrig över" in again.output
    again = runner.invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022", "--output", "gotland.xlsx",
                                 "--lang", "en"])
    assert again.exit_code == 2 and "never overwritten" in again.output
    no_file = runner.invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022", "--format", "xlsx",
                                   "--lang", "en"])
    assert no_file.exit_code == 2 and "--output FILE.xlsx" in no_file.output


def test_a_spreadsheet_program_computes_the_sums_and_saves_what_we_read(template, checker, tmp_path):
    """The real workflow: LibreOffice opens the filled template, computes the per-area sums
    and saves it; the saved workbook reads as the same plan, and the sums add up."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc)")
    import python_calamine

    from compliance.plans import load_plan

    fill(template, checker.book.agreement("gnv-2022"))
    out = tmp_path / "saved"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--calc",
                    "--convert-to", "xlsx", "--outdir", str(out), str(template)],
                   check=True, capture_output=True, timeout=180)
    saved = out / template.name
    plan = load_plan(saved, "saved.xlsx").plan
    assert plan == load_plan(template, "gotland.xlsx").plan
    rows = python_calamine.CalamineWorkbook.from_path(str(saved)).get_sheet_by_name(AREAS.sv).to_python()
    planned_col = len(AREAS.columns)
    sums = {r[0]: (r[planned_col], r[planned_col + 1]) for r in rows[1:] if r[0]}
    for area in plan.areas:
        planned = sum(a.amount for a in area.activities)
        left = "" if area.allocation is None else area.allocation - planned
        assert sums[area.area] == (planned, left), area.area


def test_init_takes_the_format_from_the_output(template):
    import zipfile

    result = CliRunner().invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022", "--output", "b.xlsx"])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile("b.xlsx")
    yaml_out = CliRunner().invoke(main, ["init", "--region", REGION, "--agreement", "gnv-2022", "--output", "b.yaml"])
    assert yaml_out.exit_code == 0 and Path("b.yaml").read_text("utf-8").startswith("# yaml-language-server")
