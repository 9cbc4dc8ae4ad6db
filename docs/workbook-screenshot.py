"""Make docs/workbook-*.png: the `compliance init --format xlsx` template, partly filled, as
LibreOffice shows it (sums computed). Needs LibreOffice and poppler-utils:

    apt-get install -y libreoffice-calc poppler-utils
    python docs/workbook-screenshot.py

Only the two sheets shown are printed (the others hidden in this copy, which is no plan).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.properties import PageSetupProperties

DOCS = Path(__file__).resolve().parent
ACTIVITIES = [
    ["nara-vard", "hemmonitorering", "Hemmonitorering", 5000000, "Hälso- och sjukvårdsdirektör",
     "stod-till-omstallning", "region", "ja", "ordinary-budget"],
    ["nara-vard", "fast-lakarkontakt", "Rutiner för fast läkarkontakt", 2500000, "Primärvårdschef", "kontinuitet",
     "mixed", "nej"],
    ["nara-vard", "patientkontrakt", "Patientkontrakt", 1500000, "Primärvårdschef", "personcentrering", "region",
     "nej"],
    ["vardens-medarbetare", "kompetens", "Kompetensförsörjning", 9000000, "HR-direktör", "kompetensforsorjning",
     "region", "nej"],
    ["e-halsa", "standarder", "Gemensamma standarder", 1263169, "Digitaliseringschef", "standarder", "region", "nej"],
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "template.xlsx"
        subprocess.run([sys.executable, "-m", "compliance", "init", "--region", "Region Jämtland Härjedalen",
                        "--agreement", "gnv-2022", "--output", str(book)], check=True)
        wb = openpyxl.load_workbook(book)
        acts, areas = wb["Aktiviteter"], wb["Områden"]
        for r, row in enumerate(ACTIVITIES, 2):
            for c, value in enumerate(row, 1):
                acts.cell(row=r, column=c).value = value
        areas["C2"], areas["D2"] = "Beställarchef", "Privata vårdcentraler deltar på lika villkor."
        for ws, area in ((areas, "A1:G9"), (acts, "A1:I7")):
            ws.print_area = area
            ws.page_setup.orientation = "landscape"
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
            ws.print_options.headings = ws.print_options.gridLines = True
        for name in wb.sheetnames:
            if name not in ("Områden", "Aktiviteter"):
                wb[name].sheet_state = "hidden"
        wb.active = 1
        shot = work / "shot.xlsx"
        wb.save(shot)
        soffice = shutil.which("soffice") or "libreoffice"
        subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to",
                        "pdf", "--outdir", str(work), str(shot)], check=True, capture_output=True, timeout=180)
        for page, name, height in ((1, "workbook-areas", 230), (2, "workbook-activities", 170)):
            subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                            "-x", "100", "-y", "140", "-W", "1460", "-H", str(height), str(work / "shot.pdf"),
                            str(DOCS / name)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
