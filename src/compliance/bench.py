"""Benchmark: ``python -m compliance.bench [N …] [--jobs J]``.

Generates N realistic plans (the 2022 agreement's seven areas, about twenty
activities, reports, the economic report, and one plan in ten a revision of
another), then measures in the same run:

(a) parsing them with PyYAML's C loader only,
(b) parsing plus validation (our loader with line numbers, pydantic models),
(c) the full check to JSON (facts, engine, findings, rendering),

and prints plans/s for each, the ratios c/a and c/b, and the peak memory (RSS)
of a fresh process doing (c). Then (w) the first ``--workbooks`` plans as
.xlsx workbooks: our reader plus validation against (b) on their YAML twins,
and the two readers we chose between (python-calamine, openpyxl's read-only
mode) reading every cell. Figures are kept in the README.

``--large N`` instead measures memory per plan: one plan of N activities
(``- {id: a00001, amount: 1234}``, as in issue 16's 1.9 MB plan), checked in a
fresh process per format, against a fresh process that only parses it with
PyYAML's C loader. It prints the peak RSS above the process's own start-up
(interpreter, rule book, compiled rulesets) and that figure per byte of plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

AREAS = {
    "nara-vard": (30593953, ["stod-till-omstallning", "tillganglighet", "kontinuitet", "personcentrering"]),
    "vardens-medarbetare": (24796007, ["kompetensforsorjning", "arbetsplatsen", "framtida-medarbetare"]),
    "vidareutbildning": (5052676, ["vidareutbildning-sjukskoterskor"]),
    "karriartjanster": (1263169, ["karriar-specialistsjukskoterskor"]),
    "e-halsa": (1263169, ["standarder"]),
    "ambulans": (1441061, ["ambulans-utveckling", "responstider", "kompetens-ambulans"]),
    "vfu": (None, ["vfu-platser"]),
}
# each requirement code on an activity of its own area (a code of another area is an input error);
# the ambulance requirement is met by purpose, not by a code
REQUIREMENTS = {"nara-vard": ["fast-lakarkontakt-rutiner", "fast-lakarkontakt-information", "patientkontrakt"]}


def make_plan(i: int, rng: random.Random) -> dict[str, Any]:
    areas = []
    n = 0
    for code, (allocation, purposes) in AREAS.items():
        count = {"nara-vard": 6, "vardens-medarbetare": 5}.get(code, 2)
        acts = []
        budget = allocation or 2_000_000
        for j in range(count):
            amount = budget // count + (rng.randint(-5000, 5000) if j == 0 else 0)
            act: dict[str, Any] = {
                "id": f"{code}-{j}",
                "name": f"Aktivitet {j} inom {code}",
                "amount": f"{amount:,} kr".replace(",", " ") if j % 2 else amount,
                "responsible": rng.choice(["HR-direktör", "FoU-chef", "Primärvårdschef", None]),
                "purpose": rng.choice(purposes),
                "provider": rng.choice(["region", "region", "mixed", "private"]),
                "followup_id": f"NS-{i}-{n}" if rng.random() < 0.9 else None,
            }
            if act["provider"] in ("mixed", "private"):
                act["private_provider"] = {"name": "Vårdcentralen AB", "contract": "care-choice",
                                           "reports_on_request": rng.random() < 0.8}
            if rng.random() < 0.2:
                act["new"] = True
                if rng.random() < 0.7:
                    act["exit_plan"] = {"strategy": "ordinary-budget", "annual_cost": amount // 2}
            if rng.random() < 0.1:
                act["investment"] = {"cost": amount * 4, "useful_life_years": 5,
                                     "in_service": dt.date(2022, rng.randint(1, 12), 1), "charged": amount}
            if code == "vidareutbildning":
                act["additional_resources"] = rng.random() < 0.8
            if j < len(REQUIREMENTS.get(code, [])):
                act["requirement"] = REQUIREMENTS[code][j]
            acts.append({k: v for k, v in act.items() if v is not None})
            n += 1
        area: dict[str, Any] = {"area": code, "responsible": "Beställarchef", "activities": acts}
        if allocation is not None:
            area["allocation"] = allocation
        if rng.random() < 0.7:
            area["private_providers"] = "Privata utförare deltar på lika villkor."
        areas.append(area)
    refs = {"agreement": "S2022/00450", "payment_decision": "S2022/02116"}
    return {
        "plan": {"id": f"plan-{i}", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2022",
                 "responsible": "Chef HOSPA", "decision": {"body": "Regionstyrelsen", "reference": f"RS/{i}/2022",
                                                          "date": dt.date(2022, 3, 1)}},
        "areas": areas,
        "reports": [
            {"kind": "requisition", "submitted": dt.date(2022, 11, rng.randint(1, 30)), "signed_by": "Regiondirektör",
             "references": refs},
            {"kind": "partial-report", "submitted": dt.date(2022, 9, rng.randint(1, 30)), "signed_by": "Regiondirektör",
             "references": refs, "gender_equality": True,
             "contents": ["completed-activities", "planned-activities", "challenges"]},
        ],
        "financials": {"received": 64410035, "cost_items": [{"item": "Personal", "amount": 40000000},
                                                            {"item": "Köpta tjänster", "amount": 23910035}],
                       "total_costs": 63910035, "unspent": 500000,
                       "repaid": {"amount": 500000, "date": dt.date(2023, 3, 20)},
                       "certification": {"by": "Ekonomidirektör", "verdict": "correct"}},
        "indicators": {"named_gp_share": round(rng.uniform(0.4, 0.7), 2)},
    }


def generate(n: int, folder: Path, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    paths: list[Path] = []
    for i in range(n):
        plan = make_plan(i, rng)
        if i % 10 == 9:  # a revision of the previous plan: moves money between two nära vård activities
            prev = paths[-1].name
            plan["plan"]["supersedes"] = prev
            plan["plan"]["id"] = f"plan-{i}-rev"
        path = folder / f"plan-{i:05d}.yaml"
        path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), "utf-8")
        paths.append(path)
    return paths


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def stage_parse(paths: list[Path]) -> float:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    for p in paths:
        yaml.load(p.read_text("utf-8"), Loader=loader)
    return time.perf_counter() - start


def stage_validate(paths: list[Path]) -> float:
    from .plans import load_plan

    start = time.perf_counter()
    for p in paths:
        load_plan(p, p.name)
    return time.perf_counter() - start


def stage_check(paths: list[Path], jobs: int = 1) -> tuple[float, int]:
    """(c): what ``compliance check DIR --format json --output FILE`` does, in this process."""
    from .check import Checker, tuned_gc

    start = time.perf_counter()
    checker = Checker()
    files = [(p, p.name) for p in paths]
    size = 0
    with tempfile.TemporaryFile("w", encoding="utf-8") as sink, tuned_gc():
        checker.run_batch(files, dt.date(2023, 4, 30), "json", sink.write, jobs=jobs)
        size = sink.tell()
    return time.perf_counter() - start, size


def workbook_twins(paths: list[Path], folder: Path) -> list[Path]:
    """The plans as .xlsx workbooks (``compliance convert``), beside their YAML."""
    from .plans import load_plan
    from .workbook_write import build, plan_data

    out = []
    for p in paths:
        target = folder / (p.stem + ".xlsx")
        target.write_bytes(build(plan_data(load_plan(p, p.name).plan), None))
        out.append(target)
    return out


def stage_read_calamine(books: list[Path]) -> float:
    """Every cell of every sheet, with python-calamine (the reader check uses)."""
    import python_calamine

    start = time.perf_counter()
    for p in books:
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - start


def stage_read_openpyxl(books: list[Path]) -> float:
    """Every cell of every sheet, with openpyxl's read-only mode (the alternative measured)."""
    import openpyxl

    start = time.perf_counter()
    for p in books:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()
    return time.perf_counter() - start


def workbook_table(paths: list[Path], folder: Path) -> None:
    """(w) a workbook plan against its YAML twin: our reader + validation on each, and the raw readers."""
    books = workbook_twins(paths, folder)
    n = len(books)
    yaml_b = stage_validate(paths)
    xlsx_b = stage_validate(books)
    cal = stage_read_calamine(books)
    opx = stage_read_openpyxl(books)
    print()
    print(f"workbooks: {n} of the plans as .xlsx (compliance convert), read + validated against their YAML twins")
    print(f"{'N':>6} {'YAML (b)/s':>11} {'XLSX (b)/s':>11} {'XLSX/YAML':>10} {'calamine raw/s':>15} "
          f"{'openpyxl ro raw/s':>18} {'openpyxl/calamine':>18}")
    print(f"{n:>6} {_rate(n, yaml_b):>11.0f} {_rate(n, xlsx_b):>11.0f} {xlsx_b / yaml_b:>10.2f} "
          f"{_rate(n, cal):>15.0f} {_rate(n, opx):>18.0f} {opx / cal:>18.2f}")


def _child(folder: str, n: int, jobs: int) -> None:
    paths = sorted(Path(folder).glob("plan-*.yaml"))[:n]
    seconds, size = stage_check(paths, jobs)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_kib": peak_kib}))


def large_plan(n: int) -> str:
    """One plan of ``n`` activities in one area, each over nothing in particular (three findings each)."""
    acts = "".join(f"      - {{id: a{i:05d}, amount: {1000 + i % 9000}}}\n" for i in range(n))
    return ("plan: {id: big, region: Region Jämtland Härjedalen, agreement: gnv-2022}\n"
            "areas:\n  - area: nara-vard\n    activities:\n" + acts)


def _child_large(path: str, fmt: str) -> None:
    def rss() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if fmt == "parse":
        base = rss()
        yaml.load(Path(path).read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        print(json.dumps({"base_kib": base, "peak_kib": rss(), "bytes": 0, "seconds": 0}))
        return
    from .check import Checker, tuned_gc

    checker = Checker()
    checker.engine.compile(checker.book.agreements["gnv-2022"])
    base = rss()
    start = time.perf_counter()
    with tempfile.TemporaryFile("w", encoding="utf-8") as sink, tuned_gc():
        checker.run_batch([(Path(path), "big.yaml")], dt.date(2022, 6, 1), fmt, sink.write, max_bytes=10**8)
        size = sink.tell()
    print(json.dumps({"base_kib": base, "peak_kib": rss(), "bytes": size, "seconds": time.perf_counter() - start}))


def bench_large(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(large_plan(n), "utf-8")
        plan_bytes = path.stat().st_size
        print(f"one plan of {n} activities, {plan_bytes / 2**20:.1f} MiB")
        print(f"{'format':>8} {'seconds':>8} {'output MiB':>11} {'peak MiB':>9} {'above start MiB':>16} "
              f"{'per plan byte':>14}")
        for fmt in ("parse", "text", "json", "sarif", "markdown", "junit", "html"):
            proc = subprocess.run([sys.executable, "-m", "compliance.bench", "--child-large", str(path), fmt],
                                  capture_output=True, text=True, check=True)
            got = json.loads(proc.stdout)
            above = (got["peak_kib"] - got["base_kib"]) * 1024
            print(f"{fmt:>8} {got['seconds']:>8.1f} {got['bytes'] / 2**20:>11.1f} {got['peak_kib'] / 1024:>9.0f} "
                  f"{above / 2**20:>16.0f} {above / plan_bytes:>14.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compliance.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 10000])
    parser.add_argument("--jobs", type=int, default=1, help="processes for the full check (c)")
    parser.add_argument("--workbooks", type=int, default=200,
                        help="how many plans to also read as .xlsx workbooks (0: none)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--large", type=int, help="memory per plan: one plan of this many activities")
    parser.add_argument("--child-large", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_large:
        _child_large(*args.child_large)
        return 0
    if args.large:
        bench_large(args.large)
        return 0
    if args.child:
        _child(args.child, args.sizes[0], args.jobs)
        return 0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"PyYAML C loader: {hasattr(yaml, 'CSafeLoader')}")
    print(f"{'N':>6} {'(a) parse/s':>12} {'(b) +valid/s':>13} {'(c) check/s':>12} {'c/a':>6} {'c/b':>6} "
          f"{'peak MiB (c)':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(max(args.sizes), folder)
        for n in args.sizes:
            subset = paths[:n]
            a = stage_parse(subset)
            b = stage_validate(subset)
            proc = subprocess.run([sys.executable, "-m", "compliance.bench", str(n), "--child", tmp,
                                   "--jobs", str(args.jobs)], capture_output=True, text=True, check=True)
            child = json.loads(proc.stdout)
            c = child["seconds"]
            print(f"{n:>6} {_rate(n, a):>12.0f} {_rate(n, b):>13.0f} {_rate(n, c):>12.0f} {c / a:>6.2f} "
                  f"{c / b:>6.2f} {child['peak_kib'] / 1024:>13.1f}")
        if args.workbooks > 0:
            books = folder / "workbooks"
            books.mkdir()
            workbook_table(paths[: args.workbooks], books)
    return 0


if __name__ == "__main__":
    sys.exit(main())
