"""Plans from spreadsheets: an ``.xlsx`` workbook → the plan data the YAML loader gives.

The layout (one sheet per table of the plan format; Swedish headings, the
plan-format field names accepted as English headings) is :data:`SHEETS`, shared
with the writer (:mod:`compliance.workbook_write`). Every value read keeps its
cell, so an input error or a finding names ``plan.xlsx:Aktiviteter!C12``.

Reading: the cell values come from python-calamine (Rust, no macros, no
external links: measured several times faster than openpyxl's read-only mode,
see ``python -m compliance.bench``); what calamine does not say (hidden rows and
columns, a formula without a cached value, a formula that refers to another
workbook) comes from one pass over the sheet's XML. Before any of that the file
is bounded: its size (``--max-bytes``), the unpacked size of its parts, an
encrypted or old-format file (an OLE2 container), a macro project.

What a cell holds is read by its column's kind; where the meaning is plain it
is read (``1500000.0`` is 1 500 000 kr, ``"1 500 000 kr"`` too, a number stored
as text, an ISO date typed as text), and otherwise it is an input error naming
the cell (``1500000.5``, ``28/9 2020``, a number where a date belongs).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .errors import InputError, Issue
from .i18n import say
from .loader import MAX_BYTES, Locations, PathT, format_path

SUFFIXES = (".xlsx", ".xlsm")
MAX_ISSUES = 50  # a workbook's problems said at once; past that, a count
UNPACKED_FACTOR = 32  # the parts of a workbook may unpack to at most this many times --max-bytes
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# -- the layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table sheet, or one row of a field/value sheet."""

    path: tuple[str, ...]  # within the row's object (table) or the plan (field/value sheet)
    sv: str  # the Swedish heading
    kind: str  # text | code | amount | int | float | date | bool | list | codes
    help_sv: str = ""
    help_en: str = ""
    required: bool = False

    @property
    def en(self) -> str:
        """The English heading: the plan-format field name, as in YAML."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Derived:
    """A column the template computes (a formula); never read."""

    sv: str
    en: str
    help_sv: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Sheet:
    key: str  # plan | areas | activities | reports | financials | cost_items
    sv: str
    en: str
    columns: tuple[Column, ...]
    table: bool = True  # a table (one row each) or a field/value sheet
    derived: tuple[Derived, ...] = ()

    def names(self) -> set[str]:
        return {self.sv.casefold(), self.en.casefold()}


def C(path: str, sv: str, kind: str = "text", help_sv: str = "", help_en: str = "", required: bool = False) -> Column:
    return Column(tuple(path.split(".")), sv, kind, help_sv, help_en, required)


PLAN = Sheet("plan", "Plan", "Plan", (
    C("plan.id", "Plan-id", required=True, help_sv="Unikt id för planen", help_en="unique id of the plan"),
    C("plan.title", "Titel"),
    C("plan.region", "Region", required=True, help_sv="Som överenskommelsen namnger regionen",
      help_en="as the agreement names the region"),
    C("plan.agreement", "Överenskommelse", "code", required=True, help_sv="t.ex. gnv-2022",
      help_en="e.g. gnv-2022"),
    C("plan.responsible", "Sammanhållet ansvar", help_sv="Ansvarig för hela satsningen (GNV-208)",
      help_en="overall responsible (GNV-208)"),
    C("plan.decision.body", "Beslutande organ", help_sv="t.ex. Regionstyrelsen", help_en="e.g. Regionstyrelsen"),
    C("plan.decision.reference", "Diarienummer", help_sv="Beslutets diarienummer",
      help_en="the decision's reference"),
    C("plan.decision.date", "Beslutsdatum", "date"),
    C("plan.supersedes", "Reviderar", help_sv="Filen med versionen som denna reviderar (relativ sökväg)",
      help_en="the file of the version this one revises (relative path)"),
    C("plan.stated_total", "Angiven totalsumma", "amount", help_sv="Summan av tilldelningarna, som planen anger den",
      help_en="the sum of the allocations, as stated (GNV-106)"),
    C("indicators.named_gp_share", "Andel med namngiven fast läkarkontakt", "float",
      help_sv="Andel 0–1", help_en="a share 0–1"),
    C("indicators.nursing_home_gp_share", "Andel särskilt boende med fast läkarkontakt", "float",
      help_sv="Andel 0–1", help_en="a share 0–1"),
    C("indicators.continuity_index_change", "Förändring kontinuitetsindex", "float",
      help_sv="Förändring av kontinuitetsindex (läkare)", help_en="change of the continuity index (doctors)"),
    C("indicators.continuity_index_total_change", "Förändring kontinuitetsindex, alla kontakter", "float",
      help_sv="Förändring av kontinuitetsindex för patientens samtliga kontakter",
      help_en="change of the continuity index of the patient's total contacts"),
), table=False)

AREAS = Sheet("areas", "Områden", "Areas", (
    C("area", "Område", "code", required=True, help_sv="Områdeskod ur överenskommelsen",
      help_en="an area code of the agreement"),
    C("allocation", "Tilldelning", "amount", help_sv="Vad regionen får för området (kr)",
      help_en="what the region receives for the area (kr)"),
    C("responsible", "Sammanhållet ansvar", help_sv="Ansvarig för området (GNV-208)", help_en="GNV-208"),
    C("private_providers", "Privata utförares deltagande", help_sv="Hur privata utförare deltar (GNV-206)",
      help_en="how private providers take part (GNV-206)"),
    C("stated_total", "Angiven summa", "amount", help_sv="Summan av aktiviteterna, som planen anger den (GNV-106)",
      help_en="the sum of the activities, as stated (GNV-106)"),
), derived=(
    Derived("Planerat (summa)", "planned", "Summan av områdets aktiviteter (formel; läses inte)",
            "the sum of the area's activities (a formula; not read)"),
    Derived("Kvar att fördela", "remaining", "Tilldelning minus planerat (formel; läses inte)",
            "allocation minus planned (a formula; not read)"),
))

ACTIVITIES = Sheet("activities", "Aktiviteter", "Activities", (
    C("area", "Område", "code", required=True, help_sv="Områdeskod; en rad på bladet Områden",
      help_en="area code; a row of the Areas sheet"),
    C("id", "Id", required=True, help_sv="Unikt i planen", help_en="unique within the plan"),
    C("name", "Namn"),
    C("amount", "Belopp", "amount", required=True, help_sv="Hela kronor", help_en="whole kronor"),
    C("responsible", "Ansvarig", help_sv="GNV-201", help_en="GNV-201"),
    C("purpose", "Syfte", "code", help_sv="Syfteskod som området tillåter (GNV-202)",
      help_en="a purpose code the area allows (GNV-202)"),
    C("provider", "Utförare", "code", help_sv="region, municipality, private eller mixed",
      help_en="region, municipality, private or mixed"),
    C("new", "Ny", "bool", help_sv="Ny aktivitet eller utvecklingsprojekt (GNV-203)",
      help_en="a new activity or development project (GNV-203)"),
    C("exit_plan.strategy", "Avslut: strategi", "code", help_sv="ordinary-budget, replaces eller wind-down",
      help_en="ordinary-budget, replaces or wind-down"),
    C("exit_plan.annual_cost", "Avslut: årlig kostnad", "amount", help_sv="Årlig kostnad när bidraget upphör",
      help_en="yearly cost once the grant ends"),
    C("exit_plan.description", "Avslut: beskrivning"),
    C("followup_id", "Uppföljnings-id", help_sv="Registrering i uppföljningssystemet (GNV-207)",
      help_en="registration in the follow-up system (GNV-207)"),
    C("period.start", "Period från", "date", help_sv="GNV-210", help_en="GNV-210"),
    C("period.end", "Period till", "date", help_sv="GNV-210", help_en="GNV-210"),
    C("investment.cost", "Investering: kostnad", "amount", help_sv="GNV-204", help_en="GNV-204"),
    C("investment.useful_life_years", "Investering: livslängd (år)", "int"),
    C("investment.in_service", "Investering: i bruk från", "date"),
    C("investment.charged", "Investering: belastar bidraget", "amount",
      help_sv="Vad bidraget belastas i år", help_en="what the grant is charged this year"),
    C("private_provider.name", "Privat utförare: namn", help_sv="GNV-205", help_en="GNV-205"),
    C("private_provider.contract", "Privat utförare: avtal", "code", help_sv="care-choice, lov eller lou",
      help_en="care-choice, lov or lou"),
    C("private_provider.reports_on_request", "Privat utförare: rapporterar på begäran", "bool"),
    C("additional_resources", "Tillkommande resurser", "bool", help_sv="Endast specialistsjuksköterskemedel (GNV-209)",
      help_en="specialist-nurse funds only (GNV-209)"),
    C("unassigned", "Ofördelat", "bool", help_sv="ja för en rad ännu ej fördelade medel (GNV-107)",
      help_en="yes for an 'Ofördelat' placeholder (GNV-107)"),
    C("requirement", "Krav (kod)", "code", help_sv="Kod för en obligatorisk insats som aktiviteten uppfyller (GNV-211)",
      help_en="a required-activity code this activity fulfils (GNV-211)"),
))

REPORTS = Sheet("reports", "Rapporter", "Reports", (
    C("kind", "Typ", "code", required=True,
      help_sv="requisition, partial-report, final-report, financial-report, patient-contract-plan, vfu-report",
      help_en="requisition, partial-report, final-report, financial-report, patient-contract-plan, vfu-report"),
    C("submitted", "Inskickad", "date"),
    C("recipients", "Mottagare", "list", help_sv="Flera skiljs med semikolon", help_en="several separated by ;"),
    C("signed_by", "Undertecknad av", help_sv="GNV-407", help_en="GNV-407"),
    C("references.agreement", "Ref. överenskommelse", help_sv="GNV-408", help_en="GNV-408"),
    C("references.payment_decision", "Ref. utbetalningsbeslut", help_sv="GNV-408", help_en="GNV-408"),
    C("gender_equality", "Jämställdhet", "bool", help_sv="ja/nej (GNV-409)", help_en="yes/no (GNV-409)"),
    C("gender_equality.exempt_reason", "Jämställdhet: undantag (skäl)",
      help_sv="Skälet, i stället för ja/nej", help_en="the reason for an exemption, instead of yes/no"),
    C("contents", "Innehåll", "codes", help_sv="Innehållskoder, skilda med kommatecken (GNV-410, GNV-414)",
      help_en="content codes separated by commas (GNV-410, GNV-414)"),
    C("requested", "Rekvirerat belopp", "amount", help_sv="Bara rekvisition (GNV-415)",
      help_en="requisition only (GNV-415)"),
))

FINANCIALS = Sheet("financials", "Ekonomi", "Financials", (
    C("financials.received", "Erhållet belopp", "amount"),
    C("financials.total_costs", "Totala kostnader", "amount"),
    C("financials.period.start", "Period från", "date", help_sv="Redovisningens period (GNV-415)",
      help_en="the period the report covers (GNV-415)"),
    C("financials.period.end", "Period till", "date"),
    C("financials.unspent", "Ej förbrukat", "amount", help_sv="Erhållet minus kostnader (GNV-413)",
      help_en="received − total costs (GNV-413)"),
    C("financials.repaid.amount", "Återbetalt belopp", "amount", help_sv="GNV-405", help_en="GNV-405"),
    C("financials.repaid.date", "Återbetalningsdatum", "date"),
    C("financials.certification.by", "Intygat av", help_sv="GNV-406", help_en="GNV-406"),
    C("financials.certification.verdict", "Bedömning", "code", help_sv="correct eller incorrect",
      help_en="correct or incorrect"),
    C("financials.certification.deviations", "Avvikelser"),
    C("financials.certification.measures", "Åtgärder"),
), table=False)

COST_ITEMS = Sheet("cost_items", "Kostnader", "Cost items", (
    C("item", "Kostnadspost", required=True),
    C("amount", "Belopp", "amount", required=True),
))

SHEETS: tuple[Sheet, ...] = (PLAN, AREAS, ACTIVITIES, REPORTS, FINANCIALS, COST_ITEMS)
HELP_SHEET = ("Hjälp", "Help")
CODES_SHEET = ("Koder", "Codes")
IGNORED_SHEETS = {n.casefold() for n in HELP_SHEET + CODES_SHEET}
FIELD_HEADINGS = ("Fält", "Värde", "Förklaring")  # a field/value sheet's three columns
FIELD_HEADINGS_EN = ("field", "value", "help")


# -- locations -----------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(sheet: str, row: int, col: int) -> str:
    """``Aktiviteter!C12`` from a 0-based row and column; a sheet name that needs it is quoted."""
    name = sheet if re.fullmatch(r"[^\W\d]\w*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{column_letter(col)}{row + 1}"


@dataclass
class CellLocations(Locations):
    """Where each value of a workbook plan came from: the cell of every path.

    ``line_of`` answers the cell's row and column (1-based), so code written for
    YAML locations keeps working; ``cell_of`` answers ``Aktiviteter!C12``.
    """

    cells: dict[PathT, tuple[str, int, int]] = field(default_factory=dict)

    def _find(self, path: PathT) -> tuple[str, int, int] | None:
        for end in range(len(path), -1, -1):
            found = self.cells.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def line_of(self, path: PathT) -> tuple[int, int]:
        found = self._find(path)
        return (found[1] + 1, found[2] + 1) if found else (1, 1)

    def cell_of(self, path: PathT) -> str | None:
        found = self._find(path)
        return cell_ref(*found) if found else None


# -- the container -------------------------------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_REF = re.compile(r"([A-Z]+)(\d+)")
_EXTERNAL = re.compile(r"\[\d+\]")
_HIDDEN = re.compile(rb"""\bhidden=["'](?:1|true)["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" …/>, <x:f>; not <formula1> (data validation)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class SheetXml:
    """What the sheet's XML says that calamine does not."""

    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: set[int] = field(default_factory=set)
    uncached: set[tuple[int, int]] = field(default_factory=set)  # formulas without a cached value
    external: set[tuple[int, int]] = field(default_factory=set)  # formulas that refer to another workbook


def _scan_sheet(data: bytes) -> SheetXml:
    out = SheetXml()
    if not _HIDDEN.search(data) and not _FORMULA.search(data):
        return out  # the common case: nothing to look for
    for _, elem in ET.iterparse(io.BytesIO(data), events=("end",)):
        tag = elem.tag.rsplit("}", 1)[-1]
        if tag == "row":
            if elem.get("hidden") in ("1", "true") and elem.get("r"):
                out.hidden_rows.add(int(elem.get("r", "0")) - 1)
            elem.clear()
        elif tag == "col":
            if elem.get("hidden") in ("1", "true"):
                lo, hi = int(elem.get("min", "1")), int(elem.get("max", "1"))
                out.hidden_cols.update(range(lo - 1, min(hi, lo + 16384)))
        elif tag == "c":
            formula = value = None
            for child in elem:
                ctag = child.tag.rsplit("}", 1)[-1]
                if ctag == "f":
                    formula = child.text or ""
                elif ctag == "v":
                    value = child.text or ""
                elif ctag == "is":
                    value = "".join(child.itertext())
            match = _REF.fullmatch(elem.get("r", ""))
            if formula is not None and match:
                pos = (int(match.group(2)) - 1, _col_index(match.group(1)))
                # no value, or an empty one that is not a string: what a program writes, never a spreadsheet
                # (a formula whose result is "" is saved as t="str" with an empty <v>)
                if value is None or (value == "" and elem.get("t") not in ("str", "s", "inlineStr")):
                    out.uncached.add(pos)
                if _EXTERNAL.search(formula):
                    out.external.add(pos)
    return out


def _issue(file: str, en: str, sv: str, cell: tuple[str, int, int] | None = None, fld: str | None = None) -> Issue:
    if cell is None:
        return Issue(file, None, None, say(sv, en), fld)
    sheet, row, col = cell
    return Issue(file, row + 1, col + 1, say(sv, en), fld, cell_ref(sheet, row, col))


def _open_container(path: Path, display: str, max_bytes: int) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """The file's bytes, sheet name → part name, and sheet name → visibility; refuses what must not be read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError.at(display, "no such file", sv="filen finns inte") from None
    except OSError as exc:
        raise InputError.at(display, f"cannot read the file: {exc.strerror}",
                            sv=f"filen går inte att läsa: {exc.strerror}") from None
    if path.is_dir():
        raise InputError.at(display, "is a folder, not a file", sv="är en mapp, inte en fil")
    if size > max_bytes:
        raise InputError.at(
            display, f"the file is {size} bytes, over the bound of {max_bytes} bytes (--max-bytes)",
            sv=f"filen är {size} byte, över gränsen {max_bytes} byte (--max-bytes)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.at(display, f"cannot read the file: {exc.strerror}",
                            sv=f"filen går inte att läsa: {exc.strerror}") from None
    if data.startswith(OLE2_MAGIC):
        raise InputError.at(
            display,
            "an encrypted (password-protected) workbook or an old .xls file; "
            "save it as an .xlsx workbook without a password",
            sv="en krypterad (lösenordsskyddad) arbetsbok eller en gammal .xls-fil; "
            "spara den som .xlsx utan lösenord",
        )
    if path.suffix.lower() == ".xlsm":
        raise InputError.at(
            display, "a macro-enabled workbook (.xlsm): macros are never run; save the plan as .xlsx",
            sv="en arbetsbok med makron (.xlsm): makron körs aldrig; spara planen som .xlsx",
        )
    corrupt_en = "not a readable .xlsx workbook (the file is damaged or of another kind)"
    corrupt_sv = "inte en läsbar .xlsx-arbetsbok (filen är skadad eller av annat slag)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            unpacked = sum(i.file_size for i in infos)
            bound = UNPACKED_FACTOR * max_bytes
            if unpacked > bound:
                raise InputError.at(
                    display, f"the workbook unpacks to {unpacked} bytes, over the bound of {bound} bytes "
                    f"({UNPACKED_FACTOR} × --max-bytes)",
                    sv=f"arbetsboken packas upp till {unpacked} byte, över gränsen {bound} byte "
                    f"({UNPACKED_FACTOR} × --max-bytes)",
                )
            names = {i.filename for i in infos}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise InputError.at(
                    display, "the workbook holds macros (vbaProject.bin): macros are never run; "
                    "save the plan as an .xlsx workbook without macros",
                    sv="arbetsboken innehåller makron (vbaProject.bin): makron körs aldrig; "
                    "spara planen som .xlsx utan makron",
                )
            if "xl/workbook.xml" not in names:
                raise InputError.at(display, corrupt_en, sv=corrupt_sv)
            book = ET.fromstring(zf.read("xl/workbook.xml"))
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = ET.fromstring(zf.read(rels_name)) if rels_name in names else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ET.ParseError, KeyError, EOFError, ValueError):
        raise InputError.at(display, corrupt_en, sv=corrupt_sv) from None
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.findall("rel:Relationship", _NS):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id", "")] = target
    parts: dict[str, str] = {}
    states: dict[str, str] = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        name = sheet.get("name", "")
        parts[name] = targets.get(sheet.get(f"{{{_NS['r']}}}id", ""), "")
        states[name] = sheet.get("state", "visible")
    return data, parts, states


# -- reading cells -------------------------------------------------------------------

_BOOLS = {"ja": True, "nej": False, "yes": True, "no": False, "true": True, "false": False,
          "sant": True, "falskt": False, "sann": True, "falsk": False}
_DECIMAL = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_SPLIT_TEXT = re.compile(r"\s*[;\n]\s*")
_SPLIT_CODES = re.compile(r"\s*[;,\n]\s*")


class CellError(Exception):
    def __init__(self, en: str, sv: str) -> None:
        super().__init__(en)
        self.en, self.sv = en, sv


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def read_cell(kind: str, value: Any) -> Any:
    """A cell's value as the plan format's field of ``kind`` takes it (or as given, for the model to judge)."""
    if isinstance(value, str):
        value = value.strip()
    if kind == "amount":
        if isinstance(value, float):
            return _whole(value)  # 1500000.5 goes on to the model, which names it a decimal number
        return value
    if kind == "int":
        if isinstance(value, float):
            return _whole(value)
        if isinstance(value, str) and value.isdigit():
            return int(value)  # a number stored as text
        return value
    if kind == "float":
        if isinstance(value, str) and _DECIMAL.match(value):
            return float(value.replace(",", "."))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CellError(f"{value!r} is not a number", f"{value!r} är inte ett tal")
        return float(value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time(0) else value  # the model refuses a time of day
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise CellError(
                    f"{value!r} is a date typed as text that is not YYYY-MM-DD; enter a date (or 2020-09-28)",
                    f"{value!r} är ett datum skrivet som text men inte ÅÅÅÅ-MM-DD; skriv ett datum (eller 2020-09-28)",
                ) from None
        if isinstance(value, dt.time | dt.timedelta):
            raise CellError("a time, not a date", "en tid, inte ett datum")
        raise CellError(f"{value!r} is a number, not a date; format the cell as a date",
                        f"{value!r} är ett tal, inte ett datum; formatera cellen som datum")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.casefold() in _BOOLS:
            return _BOOLS[value.casefold()]
        raise CellError(f"{value!r} is not yes or no (ja/nej)", f"{value!r} är inte ja eller nej")
    if isinstance(value, bool):
        raise CellError(f"{str(value).upper()} (true/false) where text belongs",
                        f"{'SANT' if value else 'FALSKT'} (sant/falskt) där text ska stå")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(f"a date or time ({value}) where text belongs; format the cell as text",
                        f"ett datum eller en tid ({value}) där text ska stå; formatera cellen som text")
    if isinstance(value, float):
        value = str(_whole(value))  # an id or a code typed as a number
    if kind == "list":
        return [part for part in _SPLIT_TEXT.split(value) if part]
    if kind == "codes":
        return [part for part in _SPLIT_CODES.split(value) if part]
    return value


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def _heading_match(text: str, options: dict[str, Any]) -> Any:
    return options.get(" ".join(text.split()).casefold())


def _suggest(text: str, known: list[str]) -> str:
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
    return close[0] if close else ""


@dataclass
class _Reader:
    file: str
    issues: list[Issue] = field(default_factory=list)
    cells: dict[PathT, tuple[str, int, int]] = field(default_factory=dict)

    def fail(self, en: str, sv: str, cell: tuple[str, int, int] | None = None, path: PathT = ()) -> None:
        self.issues.append(_issue(self.file, en, sv, cell, format_path(path) or None))

    def value(self, column: Column, raw: Any, cell: tuple[str, int, int], path: PathT) -> Any:
        try:
            return read_cell(column.kind, raw)
        except CellError as exc:
            self.fail(exc.en, exc.sv, cell, path)
            return None


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> bool:
    """Set a nested value; False where a parent already holds a value that is not a mapping."""
    for part in path[:-1]:
        nxt = target.setdefault(part, {})
        if not isinstance(nxt, dict):
            return False
        target = nxt
    if isinstance(target.get(path[-1]), dict):
        return False
    target[path[-1]] = value
    return True


def read_workbook(
    path: Path, display: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[dict[str, Any], CellLocations]:
    """Read a plan workbook into the plan format's data, with the cell of every value."""
    import python_calamine

    display = display if display is not None else str(path)
    data, parts, states = _open_container(path, display, max_bytes)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types and Rust panics
        raise InputError.at(display, f"not a readable .xlsx workbook ({type(exc).__name__})",
                            sv=f"inte en läsbar .xlsx-arbetsbok ({type(exc).__name__})") from None
    reader = _Reader(display)
    by_name: dict[str, Sheet] = {}
    for spec in SHEETS:
        for n in spec.names():
            by_name[n] = spec
    found: dict[str, str] = {}  # spec key → the sheet's name in the workbook
    for name in book.sheet_names:
        folded = " ".join(name.split()).casefold()
        if folded in IGNORED_SHEETS:
            continue
        match = by_name.get(folded)
        if match is None:
            known = [s.sv for s in SHEETS]
            hint = _suggest(name, known + [s.en for s in SHEETS])
            tail_en = f"; did you mean {hint!r}?" if hint else f" (a plan workbook has: {', '.join(known)})"
            tail_sv = f"; menar du {hint!r}?" if hint else f" (en planarbetsbok har: {', '.join(known)})"
            reader.fail(f"unknown sheet {name!r}{tail_en}; move what it holds to the plan's sheets, or delete it",
                        f"okänt blad {name!r}{tail_sv}; flytta innehållet till planens blad eller ta bort det",
                        (name, 0, 0))
            continue
        spec = match
        if spec.key in found:
            reader.fail(f"two sheets for the same table: {found[spec.key]!r} and {name!r}",
                        f"två blad för samma tabell: {found[spec.key]!r} och {name!r}", (name, 0, 0))
            continue
        found[spec.key] = name
        if states.get(name, "visible") != "visible":
            reader.fail(f"the sheet {name!r} is hidden; show it (a plan is read as a person sees it)",
                        f"bladet {name!r} är dolt; visa det (en plan läses som en människa ser den)", (name, 0, 0))
    if "plan" not in found:
        reader.fail("no sheet 'Plan' (the plan's id, region and agreement)",
                    "inget blad 'Plan' (planens id, region och överenskommelse)")
    out: dict[str, Any] = {}
    tables: dict[str, list[tuple[dict[str, Any], int, tuple[str, int, int] | None]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for spec in SHEETS:
            if spec.key not in found:
                continue
            name = found[spec.key]
            try:
                xml = _scan_sheet(zf.read(parts[name])) if parts.get(name) else SheetXml()
                sheet_obj = book.get_sheet_by_name(name)
                rows = sheet_obj.to_python(skip_empty_area=False)
                merged = sheet_obj.merged_cell_ranges or []
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged part: one clear error, never a traceback
                reader.fail(f"cannot read the sheet ({type(exc).__name__})",
                            f"kan inte läsa bladet ({type(exc).__name__})", (name, 0, 0))
                continue
            for (r0, c0), (r1, c1) in merged:
                reader.fail(
                    f"merged cells {cell_ref(name, r0, c0).split('!')[1]}:{column_letter(c1)}{r1 + 1}; "
                    "unmerge them (a value belongs to one cell)",
                    f"sammanfogade celler {cell_ref(name, r0, c0).split('!')[1]}:{column_letter(c1)}{r1 + 1}; "
                    "dela upp dem (ett värde hör till en cell)", (name, r0, c0))
            if spec.table:
                tables[spec.key] = _read_table(reader, spec, name, rows, xml)
            else:
                _read_fields(reader, spec, name, rows, xml, out)
    if reader.issues:
        by_place = sorted(reader.issues, key=lambda i: ((i.cell or "").split("!")[0], i.line or 0, i.column or 0))
        if len(by_place) > MAX_ISSUES:
            more = len(by_place) - MAX_ISSUES
            by_place = by_place[:MAX_ISSUES] + [_issue(
                display, f"… and {more} more problems of the same kinds; correct these first",
                f"… och {more} problem till av samma slag; rätta dessa först")]
        raise InputError(by_place)
    _assemble(reader, out, tables, found)
    if reader.issues:
        raise InputError(reader.issues)
    locs = CellLocations(display)
    locs.cells = reader.cells
    return out, locs


def _check_cell(reader: _Reader, xml: SheetXml, name: str, r: int, c: int, path: PathT) -> bool:
    """False (with an issue) where the cell's value cannot be trusted."""
    if (r, c) in xml.external:
        reader.fail("a formula that refers to another workbook; links are never followed: type the value in",
                    "en formel som hänvisar till en annan arbetsbok; länkar följs aldrig: skriv in värdet",
                    (name, r, c), path)
        return False
    if (r, c) in xml.uncached:
        reader.fail("a formula without a calculated value (written by a program, never opened and saved in a "
                    "spreadsheet); open and save the workbook, or type the value in",
                    "en formel utan beräknat värde (skriven av ett program, aldrig öppnad och sparad i ett "
                    "kalkylprogram); öppna och spara arbetsboken, eller skriv in värdet",
                    (name, r, c), path)
        return False
    return True


def _hidden(reader: _Reader, xml: SheetXml, name: str, r: int, c: int | None = None) -> bool:
    if r in xml.hidden_rows:
        reader.fail(f"row {r + 1} is hidden and holds values; show it or delete it (a plan is read as a person "
                    "sees it)",
                    f"rad {r + 1} är dold och innehåller värden; visa eller ta bort den (en plan läses som en "
                    "människa ser den)", (name, r, 0))
        return True
    if c is not None and c in xml.hidden_cols:
        reader.fail(f"column {column_letter(c)} is hidden and holds values; show it or delete it",
                    f"kolumn {column_letter(c)} är dold och innehåller värden; visa eller ta bort den",
                    (name, r, c))
        return True
    return False


def _header(rows: list[list[Any]]) -> int | None:
    for r, row in enumerate(rows):
        if any(not _blank(v) for v in row):
            return r
    return None


def _read_table(
    reader: _Reader, spec: Sheet, name: str, rows: list[list[Any]], xml: SheetXml
) -> list[tuple[dict[str, Any], int, tuple[str, int, int] | None]]:
    """One object per filled row, with its row number; headings map columns to fields."""
    head = _header(rows)
    if head is None:
        return []
    options: dict[str, Any] = {}
    for col in spec.columns:
        options[" ".join(col.sv.split()).casefold()] = col
        options[col.en.casefold()] = col
    for d in spec.derived:
        options[d.sv.casefold()] = d
        options[d.en.casefold()] = d
    columns: dict[int, Column] = {}
    skip: set[int] = set()
    seen: dict[Column, int] = {}
    for c, heading in enumerate(rows[head]):
        if _blank(heading):
            continue
        text = str(heading).strip()
        match = _heading_match(text, options)
        if isinstance(match, Derived):
            skip.add(c)
            continue
        if match is None:
            hint = _suggest(text, [col.sv for col in spec.columns] + [col.en for col in spec.columns])
            reader.fail(
                f"unknown column {text!r}" + (f"; did you mean {hint!r}?" if hint else
                                               f" (the sheet's columns: {', '.join(c.sv for c in spec.columns)})"),
                f"okänd kolumn {text!r}" + (f"; menar du {hint!r}?" if hint else
                                             f" (bladets kolumner: {', '.join(c.sv for c in spec.columns)})"),
                (name, head, c))
            skip.add(c)
            continue
        if match in seen:
            reader.fail(f"the column {text!r} is given twice (first in {column_letter(seen[match])})",
                        f"kolumnen {text!r} finns två gånger (första i {column_letter(seen[match])})",
                        (name, head, c))
            skip.add(c)
            continue
        seen[match] = c
        columns[c] = match
    for col in spec.columns:
        if col.required and col not in seen:
            reader.fail(f"the sheet has no column {col.sv!r} ({col.en}), which is required",
                        f"bladet saknar kolumnen {col.sv!r} ({col.en}), som krävs", (name, head, 0))
    out: list[tuple[dict[str, Any], int, tuple[str, int, int] | None]] = []
    for r in range(head + 1, len(rows)):
        row = rows[r]
        filled = [c for c, v in enumerate(row) if c not in skip and (not _blank(v) or (r, c) in xml.uncached)]
        if not filled:
            continue  # a blank row, or one with only the template's sums
        if _hidden(reader, xml, name, r):
            continue
        obj: dict[str, Any] = {}
        cells: dict[tuple[str, ...], tuple[str, int, int]] = {}
        for c in filled:
            if c in skip:
                continue
            if c not in columns:
                reader.fail("a value in a column without a heading; give the column a heading or clear it",
                            "ett värde i en kolumn utan rubrik; ge kolumnen en rubrik eller töm den", (name, r, c))
                continue
            col = columns[c]
            if _hidden(reader, xml, name, r, c):
                continue
            if not _check_cell(reader, xml, name, r, c, ()):
                continue
            value = reader.value(col, row[c], (name, r, c), ())
            if value is None or value == []:
                continue
            if not _put(obj, col.path, value):
                reader.fail(f"{col.sv!r} and the column before it say different things; fill in one of them",
                            f"{col.sv!r} och kolumnen före säger olika saker; fyll i en av dem", (name, r, c))
        for c, col in columns.items():
            cells[col.path] = (name, r, c)
            for k in range(1, len(col.path)):  # a group (exit_plan, period…) points at its first column
                cells.setdefault(col.path[:k], (name, r, c))
        first = min(columns) if columns else 0
        out.append((obj, r, (name, r, first)))
        obj["__cells__"] = cells
    return out


def _read_fields(
    reader: _Reader, spec: Sheet, name: str, rows: list[list[Any]], xml: SheetXml, out: dict[str, Any]
) -> None:
    """A field/value sheet: a field name in column A, its value in B, help in C."""
    head = _header(rows)
    if head is None:
        return
    options: dict[str, Column] = {}
    for col in spec.columns:
        options[" ".join(col.sv.split()).casefold()] = col
        options[col.en.casefold()] = col
        options[".".join(col.path[1:]).casefold()] = col  # `id` for plan.id, `received` for financials.received
    start = head
    first = rows[head]
    if first and isinstance(first[0], str) and first[0].strip().casefold() in ("fält", "field"):
        start = head + 1  # the headings row
    seen: dict[Column, int] = {}
    for r in range(start, len(rows)):
        row = rows[r]
        filled = [c for c, v in enumerate(row) if not _blank(v) or (r, c) in xml.uncached]
        if not filled:
            continue
        label = row[0] if row else None
        value_filled = len(row) > 1 and (not _blank(row[1]) or (r, 1) in xml.uncached)
        if _blank(label):
            if value_filled or any(c > 2 for c in filled):
                reader.fail("a value without a field name in column A", "ett värde utan fältnamn i kolumn A",
                            (name, r, 0))
            continue
        if _hidden(reader, xml, name, r):
            continue
        text = str(label).strip()
        col = _heading_match(text, options)  # type: ignore[arg-type]
        if col is None:
            hint = _suggest(text, [c.sv for c in spec.columns] + [c.en for c in spec.columns])
            reader.fail(f"unknown field {text!r}" + (f"; did you mean {hint!r}?" if hint else ""),
                        f"okänt fält {text!r}" + (f"; menar du {hint!r}?" if hint else ""), (name, r, 0))
            continue
        if col in seen:
            reader.fail(f"the field {text!r} is given twice (first on row {seen[col] + 1})",
                        f"fältet {text!r} anges två gånger (första på rad {seen[col] + 1})", (name, r, 0))
            continue
        seen[col] = r
        reader.cells[col.path] = (name, r, 1)
        for k in range(1, len(col.path)):
            reader.cells.setdefault(col.path[:k], (name, r, 1) if k > 1 else (name, 0, 0))
        for c in filled:
            if c > 2:
                reader.fail("a value beyond the columns Field, Value, Help", "ett värde utanför kolumnerna Fält, "
                            "Värde, Förklaring", (name, r, c))
        if not value_filled or _hidden(reader, xml, name, r, 1):
            continue
        if not _check_cell(reader, xml, name, r, 1, col.path):
            continue
        value = reader.value(col, row[1], (name, r, 1), col.path)
        if value is None or value == []:
            continue
        _put(out, col.path, value)


def _assemble(
    reader: _Reader,
    out: dict[str, Any],
    tables: dict[str, list[tuple[dict[str, Any], int, tuple[str, int, int] | None]]],
    found: dict[str, str],
) -> None:
    """Nest the tables: activities under their area (by code, in row order), reports, cost items."""
    cells = reader.cells
    for key, top in (("plan", ("plan",)), ("areas", ("areas",)), ("reports", ("reports",))):
        if key in found:
            cells.setdefault(top, (found[key], 0, 0))
    if "financials" in found:
        cells.setdefault(("financials",), (found["financials"], 0, 0))
    areas: list[dict[str, Any]] = []
    by_code: dict[str, int] = {}
    for obj, _r, first in tables.get("areas", []):
        own = obj.pop("__cells__")
        index = len(areas)
        code = obj.get("area")
        if isinstance(code, str):
            if code in by_code:
                reader.fail(f"the area {code!r} has two rows (first on row {_row_of(cells, by_code[code])}); "
                            "activities name their area by its code",
                            f"området {code!r} har två rader (första på rad {_row_of(cells, by_code[code])}); "
                            "aktiviteterna anger sitt område med koden", own.get(("area",)))
                continue
            by_code[code] = index
        obj["activities"] = []
        areas.append(obj)
        _own_cells(cells, ("areas", index), own, first)
    for obj, _r, first in tables.get("activities", []):
        own = obj.pop("__cells__")
        code = obj.pop("area", None)
        if not isinstance(code, str) or code not in by_code:
            where = own.get(("area",)) or first
            known = ", ".join(by_code) or "(none)"
            if code is None:
                reader.fail("the activity names no area (column Område)", "aktiviteten anger inget område "
                            "(kolumnen Område)", where)
            else:
                reader.fail(f"the area {code!r} has no row on the sheet Områden (it has: {known})",
                            f"området {code!r} har ingen rad på bladet Områden (där finns: {known})", where)
            continue
        a = by_code[code]
        index = len(areas[a]["activities"])
        areas[a]["activities"].append(obj)
        _own_cells(cells, ("areas", a, "activities", index), own, first)
    if areas or "areas" in found:
        out["areas"] = areas
    reports: list[dict[str, Any]] = []
    for obj, _r, first in tables.get("reports", []):
        own = obj.pop("__cells__")
        _own_cells(cells, ("reports", len(reports)), own, first)
        reports.append(obj)
    if reports:
        out["reports"] = reports
    items: list[dict[str, Any]] = []
    for obj, _r, first in tables.get("cost_items", []):
        own = obj.pop("__cells__")
        _own_cells(cells, ("financials", "cost_items", len(items)), own, first)
        items.append(obj)
    if items:
        out.setdefault("financials", {})["cost_items"] = items
        cells.setdefault(("financials", "cost_items"), (found["cost_items"], 0, 0))


def _row_of(cells: dict[PathT, tuple[str, int, int]], index: int) -> int:
    found = cells.get(("areas", index))
    return found[1] + 1 if found else 0


def _own_cells(
    cells: dict[PathT, tuple[str, int, int]], prefix: PathT, own: dict[tuple[str, ...], tuple[str, int, int]],
    first: tuple[str, int, int] | None,
) -> None:
    if first is not None:
        cells[prefix] = first
    for path, where in own.items():
        cells[prefix + path] = where
