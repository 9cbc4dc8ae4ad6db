"""Writing plan workbooks: ``compliance convert`` (YAML ↔ XLSX) and ``compliance init --format xlsx``.

The layout is :data:`compliance.workbook.SHEETS`, the one the reader reads. A
template has the region's allocation per area filled in from the pack, drop-down
lists (data validation) for the codes of that agreement year, per-area sums as
formulas, the column meanings as header comments and on a help sheet, and frozen
header rows. openpyxl writes it (it writes data validation and comments;
python-calamine, which reads, does not write).

Text is always written as text, never as a formula, so a plan name that starts
with ``=`` cannot become one. The written file is byte-stable: fixed timestamps
in the document properties and the zip entries.
"""

from __future__ import annotations

import datetime as dt
import io
import typing
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import InputError
from .i18n import BilingualError, say
from .workbook import (
    ACTIVITIES,
    AREAS,
    CODES_SHEET,
    FIELD_HEADINGS,
    HELP_SHEET,
    SHEETS,
    Column,
    Sheet,
    column_letter,
)

if TYPE_CHECKING:
    from .models import Plan
    from .packs import Agreement

TEMPLATE_ROWS = 300  # rows of an activity table that carry the drop-down lists
FIXED_TIME = dt.datetime(2020, 1, 1)
HEADER_FILL = "DDE7F0"
YES, NO = "ja", "nej"


def _literal_values(path: tuple[str, ...], model: Any) -> list[str] | None:
    """The allowed values of a Literal field of the plan models (provider, contract, strategy, kind…)."""
    from pydantic import BaseModel

    current: Any = model
    for part in path:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = info.annotation
        for _ in range(4):  # unwrap Optional / list / Annotated
            args = typing.get_args(current)
            origin = typing.get_origin(current)
            if origin is typing.Literal:
                return [str(a) for a in args]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                current = models[0]
                break
            literal = [a for a in args if typing.get_origin(a) is typing.Literal]
            if literal:
                return [str(a) for a in typing.get_args(literal[0])]
            inner = [a for a in args if a is not type(None)]
            if not inner:
                break
            current = inner[0]
    return None


def _model_for(sheet: Sheet) -> Any:
    from . import models

    return {"plan": models.Plan, "areas": models.Area, "activities": models.Activity, "reports": models.Report,
            "financials": models.Plan, "cost_items": models.CostItem}[sheet.key]


# -- plan data → rows ----------------------------------------------------------------


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "bool":
        return YES if value else NO
    if column.kind in ("list", "codes"):
        for item in value:
            if ";" in item or "\n" in item or "\r" in item:
                raise BilingualError(say(
                    f"{'.'.join(column.path)}: {item!r} innehåller ';' eller en radbrytning, som skiljer "
                    "posterna i en listcell åt",
                    f"{'.'.join(column.path)}: {item!r} holds ';' or a line break, which separate "
                    "the items of a list cell"))
        return "; ".join(value) if value else None
    return value


def _row_values(sheet: Sheet, obj: dict[str, Any]) -> list[Any]:
    out = []
    for col in sheet.columns:
        value = _get(obj, col.path)
        if col.required and value == "":
            raise BilingualError(say(
                f"{sheet.sv}: en tom {col.sv!r}, som en cell inte kan skilja från en som saknas "
                "(och den måste anges)",
                f"{sheet.sv}: an empty {col.en!r}, which a cell cannot tell from a missing one "
                "(and it is required)"))
        if col.path == ("gender_equality",) and isinstance(value, dict):
            value = None  # an exemption goes in the next column
        out.append(_cell_value(col, value))
    return out


# -- openpyxl ------------------------------------------------------------------------


class _Book:
    """An openpyxl workbook being written in the plan layout."""

    def __init__(self, lang_help: str = "sv") -> None:
        from openpyxl import Workbook

        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.sheets: dict[str, Any] = {}
        self.help_lang = lang_help
        self.floats: dict[bytes, bytes] = {}  # openpyxl's 16 digits → the float's exact repr

    def text(self, ws: Any, row: int, col: int, value: Any, number_format: str | None = None) -> Any:
        cell = ws.cell(row=row, column=col)
        if value is None:
            return cell
        if isinstance(value, str):
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            bad = ILLEGAL_CHARACTERS_RE.search(value)
            if bad:
                raise BilingualError(say(f"styrtecknet {bad.group()!r} kan inte lagras i en arbetsbok",
                                         f"the control character {bad.group()!r} cannot be stored in a workbook"))
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the text starts with
        elif isinstance(value, dt.date):
            cell.value = value
            cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = value
            if isinstance(value, float) and float(f"{value:.16g}") != value:
                self.floats[f"<v>{value:.16g}</v>".encode()] = f"<v>{value!r}</v>".encode()
            if number_format:
                cell.number_format = number_format
        return cell

    def header(self, ws: Any, headings: list[tuple[str, str]], widths: list[int]) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Font, PatternFill

        bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
        for c, ((heading, help_text), width) in enumerate(zip(headings, widths, strict=True), 1):
            cell = self.text(ws, 1, c, heading)
            cell.font, cell.fill = bold, fill
            if help_text:
                cell.comment = Comment(help_text, "compliance", width=260, height=90)
            ws.column_dimensions[column_letter(c - 1)].width = width
        ws.freeze_panes = "A2"

    def table(self, sheet: Sheet, rows: Iterable[list[Any]]) -> Any:
        ws = self.wb.create_sheet(sheet.sv)
        self.sheets[sheet.key] = ws
        headings = [(col.sv, _help(col, self.help_lang)) for col in sheet.columns]
        headings += [(d.sv, d.help_sv if self.help_lang == "sv" else d.help_en) for d in sheet.derived]
        widths = [_width(col) for col in sheet.columns] + [18 for _ in sheet.derived]
        self.header(ws, headings, widths)
        for r, values in enumerate(rows, 2):
            for c, (col, value) in enumerate(zip(sheet.columns, values, strict=True), 1):
                self.text(ws, r, c, value, "#,##0" if col.kind == "amount" else None)
        return ws

    def fields(self, sheet: Sheet, values: dict[tuple[str, ...], Any]) -> Any:
        ws = self.wb.create_sheet(sheet.sv)
        self.sheets[sheet.key] = ws
        self.header(ws, [(h, "") for h in FIELD_HEADINGS], [44, 40, 60])
        for r, col in enumerate(sheet.columns, 2):
            self.text(ws, r, 1, col.sv)
            self.text(ws, r, 2, _cell_value(col, values.get(col.path)), "#,##0" if col.kind == "amount" else None)
            self.text(ws, r, 3, _help(col, self.help_lang) or None)
        return ws

    def save(self) -> bytes:
        props = self.wb.properties
        props.creator = "compliance"
        props.created = props.modified = FIXED_TIME
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return _stable_zip(buffer.getvalue(), self.floats)


def _help(col: Column, lang: str) -> str:
    text = col.help_sv if lang == "sv" else col.help_en
    return f"{col.en}: {text}" if text else col.en


def _width(col: Column) -> int:
    return {"amount": 16, "date": 13, "bool": 10, "code": 22}.get(col.kind, 28)


def _stable_zip(data: bytes, floats: dict[bytes, bytes]) -> bytes:
    """The same workbook, with fixed timestamps (the same plan gives the same bytes),
    and every float written in full: openpyxl writes 16 significant digits, which
    does not always give the same float back."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            elif floats and info.filename.startswith("xl/worksheets/"):
                for short, full in floats.items():
                    body = body.replace(short, full)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def _list_validation(ws: Any, formula: str, column: int, rows: int, prompt: str, row: int | None = None) -> None:
    """A drop-down list on a column's ``rows`` data rows (or on one cell, ``row``)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    dv.error = prompt
    dv.errorTitle = "compliance"
    dv.showErrorMessage = True
    letter = column_letter(column - 1)
    dv.add(f"{letter}{row}" if row is not None else f"{letter}2:{letter}{rows + 1}")
    ws.add_data_validation(dv)


def _number_validation(ws: Any, col: Column, column: int, rows: int, row: int | None) -> None:
    """Amounts as whole kronor, a life in years, dates as dates: a spreadsheet refuses text there,
    so the per-area sums count every amount (SUMIF skips an amount typed as "2 500 000 kr")."""
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter(column - 1)
    if col.kind == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1")
        dv.error, fmt = "Ett datum, t.ex. 2022-03-31", "yyyy-mm-dd"
    elif col.kind == "int":
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2="100")
        dv.error, fmt = "Ett helt antal år, 1–100", "0"
    else:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        dv.error, fmt = "Hela kronor, ett tal utan decimaler", "#,##0"
    dv.errorTitle, dv.showErrorMessage, dv.allow_blank = "compliance", True, True
    dv.add(f"{letter}{row}" if row is not None else f"{letter}2:{letter}{rows + 1}")
    ws.add_data_validation(dv)
    for r in [row] if row is not None else range(2, rows + 2):
        ws.cell(row=r, column=column).number_format = fmt


def _validations(book: _Book, pack: Agreement | None, rows: int) -> None:
    """Drop-down lists: fixed values inline, the year's codes from the Koder sheet."""
    codes: dict[str, list[str]] = {}
    if pack is not None:
        codes["area"] = list(pack.areas)
        codes["purpose"] = sorted({p for spec in pack.areas.values() for p in spec.purposes})
        codes["requirement"] = sorted(c for c, r in pack.requirements.items() if r.by == "code")
    ranges: dict[str, str] = {}
    if codes:
        ws = book.wb.create_sheet(CODES_SHEET[0])
        book.header(ws, [("Områdeskoder", ""), ("Syfteskoder", ""), ("Kravkoder", "")], [24, 32, 32])
        for c, key in enumerate(("area", "purpose", "requirement"), 1):
            for r, code in enumerate(codes[key], 2):
                book.text(ws, r, c, code)
            if codes[key]:
                letter = column_letter(c - 1)
                ranges[key] = f"{CODES_SHEET[0]}!${letter}$2:${letter}${len(codes[key]) + 1}"
    from . import models

    for sheet in SHEETS:
        ws = book.sheets.get(sheet.key)
        if ws is None:
            continue
        for i, col in enumerate(sheet.columns):
            if col.kind in ("amount", "int", "date"):
                _number_validation(ws, col, i + 1 if sheet.table else 2, rows if sheet.table else 0,
                                   None if sheet.table else i + 2)
                continue
            if col.kind == "bool":
                values: list[str] | str | None = [YES, NO]
            elif col.path in (("area",), ("purpose",), ("requirement",)):
                values = ranges.get(col.path[0])
            elif col.path == ("plan", "agreement"):
                values = [pack.id] if pack is not None else None
            elif col.kind == "code":
                values = _literal_values(col.path, models.Plan if not sheet.table else _model_for(sheet))
            else:
                values = None
            if not values:
                continue
            formula = values if isinstance(values, str) else '"' + ",".join(values) + '"'
            hint = f"en kod ur bladet {CODES_SHEET[0]}" if isinstance(values, str) else ", ".join(values)
            if sheet.table:
                _list_validation(ws, formula, i + 1, rows, hint)
            else:
                _list_validation(ws, formula, 2, 0, hint, row=i + 2)


def _sums(book: _Book, rows: int) -> None:
    """Områden's derived columns: what the activities of the area plan, and what is left."""
    ws = book.sheets["areas"]
    acts = {col.path: i for i, col in enumerate(ACTIVITIES.columns)}
    area_col = column_letter(acts[("area",)])
    amount_col = column_letter(acts[("amount",)])
    own = {col.path: i for i, col in enumerate(AREAS.columns)}
    first_derived = len(AREAS.columns)
    planned = column_letter(first_derived)
    allocation = column_letter(own[("allocation",)])
    code = column_letter(own[("area",)])
    sheet = ACTIVITIES.sv
    for r in range(2, rows + 2):
        ws.cell(row=r, column=first_derived + 1).value = (
            f'=IF(${code}{r}="","",SUMIF({sheet}!${area_col}:${area_col},${code}{r},{sheet}!${amount_col}:${amount_col}))'
        )
        ws.cell(row=r, column=first_derived + 1).number_format = "#,##0"
        ws.cell(row=r, column=first_derived + 2).value = (
            f'=IF(OR(${code}{r}="",{allocation}{r}=""),"",{allocation}{r}-{planned}{r})'
        )
        ws.cell(row=r, column=first_derived + 2).number_format = "#,##0"


def _help_sheet(book: _Book) -> None:
    ws = book.wb.create_sheet(HELP_SHEET[0])
    book.header(ws, [("Blad", ""), ("Kolumn / fält", ""), ("Fältnamn (engelska)", ""), ("Förklaring", "")],
                [14, 40, 40, 70])
    r = 2
    intro = [
        "Fyll i bladen Plan, Områden och Aktiviteter; Rapporter, Ekonomi och Kostnader när året går.",
        "Belopp i hela kronor (tal eller \"1 500 000 kr\"), datum som datum, ja/nej i ja/nej-kolumnerna.",
        "Kontrollera med: compliance check plan.xlsx  (fel och varningar anger blad och cell).",
    ]
    for line in intro:
        book.text(ws, r, 4, line)
        r += 1
    r += 1
    for sheet in SHEETS:
        for col in sheet.columns:
            book.text(ws, r, 1, sheet.sv)
            book.text(ws, r, 2, col.sv)
            book.text(ws, r, 3, col.en)
            book.text(ws, r, 4, (col.help_sv + ("; krävs" if col.required else "")).lstrip("; ") or None)
            r += 1
        for d in sheet.derived:
            book.text(ws, r, 1, sheet.sv)
            book.text(ws, r, 2, d.sv)
            book.text(ws, r, 3, d.en)
            book.text(ws, r, 4, d.help_sv)
            r += 1


def _plan_fields(data: dict[str, Any], sheet: Sheet) -> dict[tuple[str, ...], Any]:
    return {col.path: _get(data, col.path) for col in sheet.columns}


def build(data: dict[str, Any], pack: Agreement | None, rows: int | None = None) -> bytes:
    """A plan workbook for plan data (``Plan.model_dump()`` shape); ``rows`` blank rows carry the drop-downs."""
    book = _Book()
    areas = data.get("areas") or []
    codes = [a.get("area") for a in areas]
    dup = next((c for c in codes if codes.count(c) > 1), None)
    if dup is not None:
        raise BilingualError(say(
            f"två områden med koden {dup!r}: en arbetsbok knyter aktiviteter till sitt område med koden",
            f"two areas with the code {dup!r}: a workbook links activities to their area by code"))
    activities = [dict(act, area=a.get("area")) for a in areas for act in a.get("activities") or []]
    reports = data.get("reports") or []
    items = (data.get("financials") or {}).get("cost_items") or []
    size = max(rows or 0, len(activities), len(reports), len(items), len(areas))
    for sheet in SHEETS:
        if sheet.key == "plan" or sheet.key == "financials":
            book.fields(sheet, _plan_fields(data, sheet))
        elif sheet.key == "areas":
            book.table(sheet, [_row_values(sheet, a) for a in areas])
        elif sheet.key == "activities":
            book.table(sheet, [_row_values(sheet, a) for a in activities])
        elif sheet.key == "reports":
            rows_out = []
            for rep in reports:
                values = _row_values(sheet, rep)
                gender = rep.get("gender_equality")
                index = [c.path for c in sheet.columns].index(("gender_equality", "exempt_reason"))
                values[index] = gender.get("exempt_reason") if isinstance(gender, dict) else None
                rows_out.append(values)
            book.table(sheet, rows_out)
        elif sheet.key == "cost_items":
            book.table(sheet, [_row_values(sheet, i) for i in items])
    _sums(book, max(size, len(areas) + 10))
    _validations(book, pack, max(size, 1) + (rows or 50))
    _help_sheet(book)
    return book.save()


def plan_data(plan: Plan) -> dict[str, Any]:
    """A validated plan as plain data (amounts as integers, dates as dates), without defaults."""
    data: dict[str, Any] = plan.model_dump(mode="python", exclude_defaults=True)
    return data


def canonical(plan: Plan) -> Any:
    """A plan as data, with what no cell can tell apart made one: an empty text
    (also as a list item), an empty list and a group of empty fields
    (``exit_plan: {}``) are all "not given". A round trip through a workbook
    keeps this exactly."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: clean(v) for k, v in value.items()}
            return out if any(v is not None for v in out.values()) else None
        if isinstance(value, list):
            items = [item for item in map(clean, value) if item is not None]
            return items or None
        if value == "":
            return None
        return value

    return clean(plan.model_dump(mode="python"))


def template(pack: Agreement, region: str, plan_id: str | None = None) -> bytes:
    """``compliance init --format xlsx``: the region's allocation per area filled in, the rest to fill."""
    from .allocation import region_allocation
    from .skeleton import check_region

    check_region(pack, region)
    row, _missing = region_allocation(pack, region)
    slug = plan_id or f"{region.lower().replace(' ', '-')}-{pack.id}"
    title = f"Fördelning {pack.title.sv.split('.')[0]}, {region}"
    total = sum(v for v in row.values() if v is not None)
    header: dict[str, Any] = {"id": slug, "title": title, "region": region, "agreement": pack.id}
    if row and all(v is not None for v in row.values()):
        header["stated_total"] = total
    areas = []
    for code in pack.areas:
        area: dict[str, Any] = {"area": code}
        if row.get(code) is not None:
            area["allocation"] = row[code]
        areas.append(area)
    return build({"plan": header, "areas": areas}, pack, rows=TEMPLATE_ROWS)


# -- convert -------------------------------------------------------------------------


def yaml_text(plan: Plan, source: str) -> str:
    """A plan as YAML in the plan format, the order of its fields kept."""
    body = yaml.safe_dump(plan_data(plan), allow_unicode=True, sort_keys=False, width=100)
    return (f"# yaml-language-server: $schema=plan.schema.json\n"
            f"# Converted from {Path(source).name} by `compliance convert`.\n" + body)


def convert(src: Path, dst: Path, book_pack: Any = None, max_bytes: int | None = None) -> bytes | str:
    """Read ``src`` (YAML or XLSX) and return ``dst``'s content in the other format."""
    from .loader import MAX_BYTES
    from .plans import WORKBOOK_SUFFIXES, load_plan

    loaded = load_plan(src, str(src), max_bytes or MAX_BYTES)
    if dst.suffix.lower() in WORKBOOK_SUFFIXES:
        if dst.suffix.lower() != ".xlsx":
            raise InputError.at(str(dst), "a plan workbook is written as .xlsx (never with macros)",
                                sv="en planarbetsbok skrivs som .xlsx (aldrig med makron)")
        pack = book_pack(loaded.plan.plan.agreement) if book_pack else None
        try:
            return build(plan_data(loaded.plan), pack)
        except ValueError as exc:
            # ours say why in both languages; anything else is openpyxl's own (English) words
            en, sv = (exc.text.en, exc.text.sv) if isinstance(exc, BilingualError) else (str(exc), str(exc))
            raise InputError.at(str(src), f"cannot be written as a workbook: {en}",
                                sv=f"kan inte skrivas som arbetsbok: {sv}") from None
    if dst.suffix.lower() in (".yaml", ".yml"):
        return yaml_text(loaded.plan, str(src))
    raise InputError.at(str(dst), "convert writes .yaml, .yml or .xlsx", sv="convert skriver .yaml, .yml eller .xlsx")
