"""Waivers (dispens) and baselines for CI gates on plan repositories.

A waiver names a rule, a scope (a plan, optionally an area and an activity), a
reason, who approved it, the decision's reference (diarienummer) and an expiry
date. A matched finding gets outcome ``waived`` and still shows in every
report; an expired or unused waiver is itself a warning.

A baseline records findings keyed by rule, plan and path (not line, so edits
above a finding do not break it); with ``--baseline`` only new findings fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Issue
from .findings import CheckRun, Finding, PlanResult
from .i18n import say
from .loader import Locations, load_file
from .plans import validate

DEFAULT_WAIVERS = "compliance-waivers.yaml"


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    rule: Annotated[str, Field(pattern=r"^[A-Z]+-\d{3}$")]
    plan: Annotated[str, Field(min_length=1)]
    area: str | None = None
    activity: str | None = None
    reason: Annotated[str, Field(min_length=1)]
    approved_by: Annotated[str, Field(min_length=1)]
    reference: Annotated[str, Field(min_length=1)]
    expires: dt.date


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    waivers: list[Waiver]


@dataclass(frozen=True)
class LoadedWaivers:
    file: str
    waivers: list[Waiver]
    locs: Locations

    def line(self, index: int) -> int:
        return self.locs.line_of(("waivers", index))[0]


def load_waivers(path: Path, display: str | None = None) -> LoadedWaivers:
    display = display or str(path)
    data, locs = load_file(path, display)
    parsed: WaiverFile = validate(data, locs, WaiverFile)
    return LoadedWaivers(display, list(parsed.waivers), locs)


def default_waivers(paths: list[str]) -> Path | None:
    """``compliance-waivers.yaml`` beside the plans (in a folder given, or beside a file
    given), else in the current folder (a plan repository's root, where hooks run)."""
    folders = [Path(g) if Path(g).is_dir() else Path(g).parent for g in paths] + [Path(".")]
    for folder in folders:
        candidate = folder / DEFAULT_WAIVERS
        if candidate.is_file():
            return candidate
    return None


def _matches(w: Waiver, plan: str, f: Finding) -> bool:
    if w.rule != f.rule or w.plan != plan:
        return False
    if w.area is not None and w.area != f.area:
        return False
    return w.activity is None or w.activity == f.activity


class WaiverState:
    """Applies waivers to results as they stream past, then reports expired and unused ones."""

    def __init__(self, loaded: LoadedWaivers, as_of: dt.date) -> None:
        self.loaded = loaded
        self.as_of = as_of
        self.used: set[int] = set()

    def apply(self, result: PlanResult) -> None:
        loaded, new = self.loaded, []
        for f in result.findings:
            hit = None
            if f.outcome == "failed":
                for i, w in enumerate(loaded.waivers):
                    if _matches(w, result.plan, f):
                        self.used.add(i)
                        if w.expires >= self.as_of:  # an expired one is reported in finish()
                            hit = (i, w)
                            break
            if hit is None:
                new.append(f)
                continue
            i, w = hit
            info = {"reason": w.reason, "approved_by": w.approved_by, "reference": w.reference,
                    "expires": w.expires.isoformat(), "file": loaded.file, "line": loaded.line(i)}
            new.append(dataclasses.replace(f, outcome="waived", waiver=info))
        result.findings = new

    def finish(self, run: CheckRun) -> None:
        for i, w in enumerate(self.loaded.waivers):
            line = self.loaded.line(i)
            if w.expires < self.as_of:
                run.warnings.append(Issue(self.loaded.file, line, None, say(
                    f"dispensen för {w.rule} på {w.plan} gick ut {w.expires} ({w.reference}); "
                    "förnya den eller åtgärda fyndet",
                    f"waiver for {w.rule} on {w.plan} expired on {w.expires} "
                    f"({w.reference}); renew it or fix the finding")))
            elif i not in self.used:
                run.warnings.append(Issue(self.loaded.file, line, None, say(
                    f"dispensen för {w.rule} på {w.plan} matchar inget fynd; ta bort den",
                    f"waiver for {w.rule} on {w.plan} matches no finding; remove it")))


# -- baselines ---------------------------------------------------------------------------
#
# A key is (rule, plan id, file, path): the file too, so a new plan that copies an
# existing plan's id never has its findings taken as "known" (issue 16).

BaselineKey = tuple[str, str, str, str]
BASELINE_VERSION = 2


def baseline_key(plan: str, f: Finding) -> BaselineKey:
    return (f.rule, plan, f.location.file, f.location.path)


def baseline_keys(result: PlanResult) -> set[BaselineKey]:
    return {baseline_key(result.plan, f) for f in result.findings if f.outcome == "failed"}


def write_baseline(keys: set[BaselineKey], path: Path) -> None:
    from .output import write_output

    doc = {"version": BASELINE_VERSION,
           "findings": [{"rule": k[0], "plan": k[1], "file": k[2], "path": k[3]} for k in sorted(keys)]}
    write_output(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", str(path), create_parent=False)


def load_baseline(path: Path) -> set[BaselineKey]:
    from .loader import read_text

    display = str(path)
    try:
        doc: Any = json.loads(read_text(path, display))
    except json.JSONDecodeError as exc:
        raise InputError.at(display, f"not a baseline (JSON): {exc.msg}", exc.lineno, exc.colno,
                            sv=f"ingen baslinje (JSON): {exc.msg}") from None
    except ValueError as exc:  # a number past Python's digit limit
        raise InputError.at(display, f"not a baseline: {exc}", sv=f"ingen baslinje: {exc}") from None
    if isinstance(doc, dict) and doc.get("version") == 1:
        raise InputError.at(display, "a version-1 baseline does not record each finding's file, so a copy of a "
                            "plan could pass as known; record it again with --write-baseline",
                            sv="en baslinje av version 1 anger inte varje fynds fil, så en kopia av en plan kan "
                            "passera som känd; spara den igen med --write-baseline")
    if (not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION
            or not isinstance(doc.get("findings"), list)):
        raise InputError.at(display, "not a compliance baseline (expected {\"version\": 2, \"findings\": [...]})",
                            sv="ingen baslinje för compliance (väntade {\"version\": 2, \"findings\": [...]})")
    keys = set()
    for entry in doc["findings"]:
        if not isinstance(entry, dict) or not {"rule", "plan", "file", "path"} <= set(entry):
            raise InputError.at(display, f"baseline entry {str(entry)[:200]} lacks rule, plan, file or path",
                                sv=f"posten {str(entry)[:200]} i baslinjen saknar rule, plan, file eller path")
        keys.add((str(entry["rule"]), str(entry["plan"]), str(entry["file"]), str(entry["path"])))
    return keys


def apply_baseline(result: PlanResult, keys: set[BaselineKey]) -> None:
    result.findings = [
        dataclasses.replace(f, baselined=True)
        if f.outcome == "failed" and baseline_key(result.plan, f) in keys else f
        for f in result.findings
    ]
