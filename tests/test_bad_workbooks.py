"""Bad workbooks: each class gets a clear input error naming the cell (exit 2, never a
traceback, never a silent wrong number), or is read where its meaning is plain."""

import datetime as dt
import io
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment

from compliance.cli import main
from compliance.errors import InputError
from compliance.plans import load_plan
from tests.test_workbook import ACTIVITY_ROWS, good_sheets


def activities(**cells):
    """ACTIVITY_ROWS with cells replaced: ``D3=1.5`` style keys (column letter, row)."""
    rows = [list(r) for r in ACTIVITY_ROWS]
    for ref, value in cells.items():
        col, row = ord(ref[0]) - 65, int(ref[1:]) - 1
        rows[row][col] = value
    return good_sheets(Aktiviteter=rows)


def issues(path):
    with pytest.raises(InputError) as info:
        load_plan(path, path.name)
    return info.value.issues


def one(path):
    (issue,) = issues(path)
    return issue


def cli_check(path):
    """The command line: exit 2, the problem on standard error, no traceback."""
    result = CliRunner().invoke(main, ["check", path.name, "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    return result.output


def rezip(path, change):
    """Rewrite the zip's parts through ``change(name, data) -> data | None`` (None drops the part)."""
    with zipfile.ZipFile(path) as src:
        parts = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            data = change(name, data)
            if data is not None:
                dst.writestr(name, data)
    return path


# -- read where the meaning is plain ---------------------------------------------------


def test_numbers_stored_as_text_and_whole_floats_are_read(book):
    sheets = activities(D2="1500000", D3=1500000.0)
    sheets["Plan"] = sheets["Plan"] + [["Andel med namngiven fast läkarkontakt", "0,48"]]
    sheets["Aktiviteter"][0].append("Investering: livslängd (år)")
    sheets["Aktiviteter"][0] += ["Investering: kostnad", "Investering: i bruk från"]
    sheets["Aktiviteter"][1] += ["5", 100, "2020-07-01"]  # a number and an ISO date typed as text
    plan = load_plan(book(sheets), "plan.xlsx").plan
    first, second = plan.areas[0].activities
    assert (first.amount, second.amount) == (1500000, 1500000)
    assert (first.investment.useful_life_years, first.investment.in_service) == (5, dt.date(2020, 7, 1))
    assert plan.indicators.named_gp_share == 0.48


def test_a_formula_with_its_cached_value_is_read(book):
    path = book(activities(D2="=1000000*1"))

    def cache(name, data):
        return data.replace(b"<f>1000000*1</f><v />", b"<f>1000000*1</f><v>1000000</v>") if "sheet3" in name else data

    rezip(path, cache)
    assert load_plan(path, "plan.xlsx").plan.areas[0].activities[0].amount == 1000000


# -- refused, with the cell ---------------------------------------------------------


def test_float_amount_is_refused_at_its_cell(book):
    issue = one(book(activities(D2=1500000.5)))
    assert (issue.cell, issue.field) == ("Aktiviteter!D2", "areas[0].activities[0].amount")
    assert "1500000.5 is a decimal number" in issue.message


def test_formula_without_a_cached_value_is_refused(book):
    path = book(activities(D3="=1000000*0.3"))  # openpyxl, like any program, writes no cached value
    issue = one(path)
    assert issue.cell == "Aktiviteter!D3"
    assert "a formula without a calculated value" in issue.message and "open and save" in issue.message
    assert "plan.xlsx:Aktiviteter!D3: a formula without a calculated value" in cli_check(path)


def test_formula_referring_to_another_workbook_is_refused(book):
    path = book(activities(D2="=[1]Blad1!A1"))

    def cache(name, data):
        return data.replace(b"<v />", b"<v>99</v>") if "sheet3" in name else data

    rezip(path, cache)
    issue = one(path)
    assert issue.cell == "Aktiviteter!D2" and "refers to another workbook" in issue.message


def test_merged_cells_are_refused(book):
    issue = one(book(edit=lambda wb: wb["Aktiviteter"].merge_cells("E2:E3")))
    assert issue.cell == "Aktiviteter!E2" and "merged cells E2:E3" in issue.message


def test_hidden_rows_and_columns_are_refused(book):
    def hide(wb):
        wb["Aktiviteter"].row_dimensions[3].hidden = True

    issue = one(book(edit=hide))
    assert issue.cell == "Aktiviteter!A3" and "row 3 is hidden" in issue.message

    def hide_column(wb):
        wb["Aktiviteter"].column_dimensions["D"].hidden = True

    found = issues(book(edit=hide_column, name="col.xlsx"))
    assert [i.cell for i in found] == ["Aktiviteter!D2", "Aktiviteter!D3"]
    assert "column D is hidden" in found[0].message


def test_a_hidden_row_without_values_is_harmless(book):
    def hide(wb):
        wb["Aktiviteter"].row_dimensions[10].hidden = True

    assert len(load_plan(book(edit=hide), "plan.xlsx").plan.areas[0].activities) == 2


def test_hidden_sheet_is_refused(book):
    def hide(wb):
        wb["Områden"].sheet_state = "hidden"

    issue = one(book(edit=hide))
    assert issue.cell == "Områden!A1" and "is hidden" in issue.message


def test_extra_sheet_is_refused_with_the_known_ones(book):
    sheets = good_sheets(Anteckningar=[["Egna anteckningar"]], Aktiviteterna=[["x"]])
    found = issues(book(sheets))
    messages = {i.cell: i.message for i in found}
    assert "unknown sheet 'Anteckningar'" in messages["Anteckningar!A1"]
    assert "Plan, Områden, Aktiviteter" in messages["Anteckningar!A1"]
    assert "did you mean 'Aktiviteter'?" in messages["Aktiviteterna!A1"]


def test_renamed_and_missing_columns(book):
    rows = [list(r) for r in ACTIVITY_ROWS]
    rows[0][3] = "Beloppet"  # renamed: amount is required, so both are said
    rows[0][4] = "Ansvarigt"
    found = issues(book(good_sheets(Aktiviteter=rows)))
    by_cell = {i.cell: i.message for i in found}
    assert by_cell["Aktiviteter!D1"] == "unknown column 'Beloppet'; did you mean 'Belopp'?"
    assert by_cell["Aktiviteter!E1"] == "unknown column 'Ansvarigt'; did you mean 'Ansvarig'?"
    assert by_cell["Aktiviteter!A1"] == "the sheet has no column 'Belopp' (amount), which is required"


def test_a_value_under_no_heading_is_refused(book):
    rows = [list(r) for r in ACTIVITY_ROWS]
    rows[1].append("stray")
    issue = one(book(good_sheets(Aktiviteter=rows)))
    assert issue.cell == "Aktiviteter!I2" and "a column without a heading" in issue.message


def test_date_typed_as_text_is_refused_unless_iso(book):
    rows = [list(r) + [None] for r in ACTIVITY_ROWS]
    rows[0][-1] = "Period från"
    rows[1][-1] = "28/9 2020"
    rows[0].append("Period till")
    rows[1].append(dt.date(2020, 12, 31))
    issue = one(book(good_sheets(Aktiviteter=rows)))
    assert issue.cell == "Aktiviteter!I2"
    assert "'28/9 2020' is a date typed as text that is not YYYY-MM-DD" in issue.message


def test_number_where_a_date_belongs_is_refused(book):
    sheets = good_sheets()
    sheets["Plan"] = sheets["Plan"] + [["Beslutsdatum", 43921]]  # a date serial in a cell not formatted as a date
    issue = one(book(sheets))
    assert issue.cell == "Plan!B6" and "is a number, not a date" in issue.message


def test_activity_of_an_area_without_a_row(book):
    issue = one(book(activities(A3="nara-vard")))
    assert issue.cell == "Aktiviteter!A3"
    assert issue.message == "the area 'nara-vard' has no row on the sheet Områden (it has: karriartjanster)"


def test_duplicate_activity_id_names_the_first_cell(book):
    issue = one(book(activities(B3="a1")))
    assert issue.cell == "Aktiviteter!B3"
    assert "(first on cell Aktiviteter!B2)" in issue.message


def test_encrypted_workbook_is_refused(book, tmp_path):
    path = tmp_path / "secret.xlsx"  # Excel saves a password-protected workbook as an OLE2 container
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage")
    issue = one(path)
    assert issue.cell is None and "encrypted (password-protected)" in issue.message
    assert "secret.xlsx: an encrypted (password-protected) workbook" in cli_check(path)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + bytes(40)], ids=["empty", "text", "cut"])
def test_corrupt_workbook_is_refused(tmp_path, monkeypatch, content):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    assert "not a readable .xlsx workbook" in one(path).message
    assert "broken.xlsx: not a readable .xlsx workbook" in cli_check(path)


def test_damaged_sheet_part_is_refused(book):
    path = rezip(book(), lambda name, data: data[: len(data) // 2] if name.endswith("sheet3.xml") else data)
    found = issues(path)
    assert found and all("cannot read" in i.message or "not a readable" in i.message for i in found)
    cli_check(path)


def test_a_workbook_over_the_byte_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused on its size, never parsed
    issue = one(path)
    assert issue.message == "the file is 52428800 bytes, over the bound of 2097152 bytes (--max-bytes)"
    assert "huge.xlsx: the file is 52428800 bytes" in cli_check(path)


def test_a_zip_bomb_is_refused_on_its_unpacked_size(book):
    path = rezip(book(), lambda name, data: data + b" " * (4 * 1024 * 1024) if name == "docProps/app.xml" else data)
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError) as info:
        load_plan(path, "plan.xlsx", max_bytes=100_000)  # parts may unpack to 32 × 100 000 bytes
    (issue,) = info.value.issues
    assert "unpacks to" in issue.message and "over the bound of 3200000 bytes (32 × --max-bytes)" in issue.message
    assert load_plan(path, "plan.xlsx", max_bytes=200_000).plan.plan.id == "p"  # under 32 × 200 000: read


def test_macro_enabled_workbooks_are_refused_never_run(book, tmp_path):
    xlsm = book(name="plan.xlsm")
    assert "a macro-enabled workbook (.xlsm): macros are never run" in one(xlsm).message
    renamed = rezip(book(name="renamed.xlsx"), lambda name, data: data)
    with zipfile.ZipFile(renamed, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    assert "holds macros (vbaProject.bin)" in one(renamed).message
    assert "renamed.xlsx: the workbook holds macros" in cli_check(renamed)


def test_comments_and_styles_do_not_matter(book):
    def decorate(wb):
        wb["Aktiviteter"]["D2"].comment = Comment("kontrollera beloppet", "Revisor")
        wb["Aktiviteter"]["D2"].number_format = "#,##0 kr"

    assert load_plan(book(edit=decorate), "plan.xlsx").plan.areas[0].activities[0].amount == 1000000


def test_a_plan_file_is_never_modified(book):
    path = book(activities(D2=1500000.5))
    before = path.read_bytes()
    cli_check(path)
    assert path.read_bytes() == before


def test_every_problem_of_a_workbook_is_said_at_once(book):
    rows = [list(r) for r in ACTIVITY_ROWS]
    rows[1][3] = 1500000.5
    rows[2][6] = "privat"
    found = issues(book(good_sheets(Aktiviteter=rows)))
    assert [i.cell for i in found] == ["Aktiviteter!D2", "Aktiviteter!G3"]


def test_workbook_bytes_without_a_workbook_part(tmp_path):
    path = tmp_path / "odd.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    path.write_bytes(buffer.getvalue())
    assert "not a readable .xlsx workbook" in one(path).message


def test_a_formula_whose_saved_result_is_empty_text_is_blank(book):
    """A spreadsheet saves =IF(…;"";…) that gives "" as t="str" with an empty value: blank, not uncached."""
    path = book(activities(E3='=IF(TRUE,"","x")'))

    def saved_by_a_spreadsheet(name, data):
        return data.replace(b'<c r="E3"><f>', b'<c r="E3" t="str"><f>') if "sheet3" in name else data

    rezip(path, saved_by_a_spreadsheet)
    assert load_plan(path, "plan.xlsx").plan.areas[0].activities[1].responsible is None
    # the same cell as a program writes it (no type, no value) is refused
    assert one(book(activities(E3='=IF(TRUE,"","x")'), name="raw.xlsx")).cell == "Aktiviteter!E3"


def test_many_problems_are_counted_past_fifty(book):
    rows = [["Område", "Id", "Belopp", "Period från"]] + [["karriartjanster", f"a{i}", 1, "28/9"] for i in range(80)]
    found = issues(book(good_sheets(Aktiviteter=rows)))
    assert len(found) == 51
    assert [i.cell for i in found[:2]] == ["Aktiviteter!D2", "Aktiviteter!D3"]
    assert found[-1].message == "… and 30 more problems of the same kinds; correct these first"
