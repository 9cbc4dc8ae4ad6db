"""Findings and results: plain data that every renderer takes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Issue


@dataclass(frozen=True, slots=True)  # slots: a large plan has hundreds of thousands of findings
class Location:
    file: str
    line: int  # for a workbook: the row of the cell
    path: str
    cell: str | None = None  # a workbook's sheet and cell, ``Aktiviteter!C12``

    def where(self) -> str:
        """``plans/p.yaml:118``, or ``plans/p.xlsx:Aktiviteter!C12`` for a workbook."""
        return f"{self.file}:{self.cell}" if self.cell is not None else f"{self.file}:{self.line}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.cell is not None:
            out["cell"] = self.cell
        out["path"] = self.path
        return out


@dataclass(frozen=True)
class SourceRef:
    document: str
    section: str
    quote: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    outcome: str
    title: str
    message: str
    sources: tuple[SourceRef, ...]
    location: Location
    values: dict[str, Any]
    area: str | None = None
    activity: str | None = None
    waiver: dict[str, Any] | None = None
    subject: str | None = None  # the fact it is about (not rendered)
    baselined: bool = False  # recorded in the --baseline file: shown, but does not fail the gate

    def sort_key(self) -> tuple[Any, ...]:
        return (self.location.file, self.rule, self.location.line, self.location.path, self.message)

    def json_values(self) -> dict[str, Any]:
        return {k: json_value(v) for k, v in self.values.items()}

    def as_dict(self) -> dict[str, Any]:
        src = self.sources[0] if self.sources else None
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "outcome": self.outcome,
            "title": self.title,
            "message": self.message,
            "source": src.as_dict() if src else None,
            "location": self.location.as_dict(),
            "values": self.json_values(),
        }
        if self.waiver is not None:
            out["waiver"] = self.waiver
        if self.baselined:
            out["baseline"] = True
        return out


def json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


@dataclass
class PlanResult:
    file: str
    plan: str
    agreement: str
    region: str
    findings: list[Finding]
    rules_applied: list[str]
    planned_by_area: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a reader must know about the whole check



@dataclass(frozen=True)
class RuleInfo:
    """A rule as a report describes it, in the run's language (SARIF's rule list, JUnit's failures)."""

    id: str
    severity: str
    title: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Legend:
    """What a report names but no finding carries, in the run's language: each rule's title,
    severity and sources, and each agreement's area names (code → name). Plain data, so a
    renderer needs the run alone, never the rule book (:func:`compliance.legend.legend` fills it)."""

    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    areas: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # agreement → area code → name

    def area_name(self, agreement: str, code: str) -> str | None:
        return self.areas.get(agreement, {}).get(code)


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
FAIL_ON = ("error", "warning", "info", "never")  # --fail-on: the lowest severity that fails the gate, or never

# Exit statuses (docs/cli-contract): what a run means for a CI gate.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


@dataclass
class Tally:
    """Counts kept as results stream past, so a batch's summary needs no findings in memory."""

    plans: int = 0
    failed: int = 0
    not_evaluated: int = 0
    waived: int = 0
    baselined: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    gate: int = -1  # the highest severity rank of a failed finding outside the baseline

    def add(self, result: PlanResult) -> None:
        self.plans += 1
        for f in result.findings:
            if f.outcome == "failed":
                self.failed += 1
                self.by_severity[f.severity] += 1
                if f.baselined:
                    self.baselined += 1
                else:
                    self.gate = max(self.gate, SEVERITY_RANK[f.severity])
            elif f.outcome == "not-evaluated":
                self.not_evaluated += 1
            elif f.outcome == "waived":
                self.waived += 1


@dataclass
class CheckRun:
    as_of: dt.date
    lang: str
    results: list[PlanResult]
    errors: list[Issue]
    warnings: list[Issue] = field(default_factory=list)  # about the gate's own files (waivers)
    tally: Tally | None = None  # set when results were streamed instead of kept
    baseline_used: bool = False  # a --baseline was given: every failed finding is new or unchanged
    fail_on: str = "error"  # the lowest severity of a failed finding (outside the baseline) that fails the run
    recording_baseline: bool = False  # --write-baseline: the run records its findings instead of gating on them
    legend: Legend = field(default_factory=Legend)  # the rules' and areas' names the renderers show

    @property
    def exit_status(self) -> int:
        """The run as a CI gate sees it: 2 when a file could not be checked (a gate must
        never pass by checking less), 0 when the run only records a baseline, 1 when a
        failed finding at or above ``fail_on`` is neither waived nor in the baseline, or
        when a waiver warning is raised and ``fail_on`` reaches warnings; else 0."""
        if self.errors:
            return EXIT_INPUT
        if self.recording_baseline or self.fail_on == "never":
            return EXIT_CLEAN
        floor = SEVERITY_RANK[self.fail_on]
        if self.counts().gate >= floor:
            return EXIT_FINDINGS
        if self.warnings and floor <= SEVERITY_RANK["warning"]:
            return EXIT_FINDINGS
        return EXIT_CLEAN

    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def counts(self) -> Tally:
        if self.tally is not None:
            return self.tally
        tally = Tally()
        for result in self.results:
            tally.add(result)
        return tally

    def summary(self) -> dict[str, Any]:
        """Counts for the JSON summary. ``failed`` counts failed findings of every severity
        (split in ``failed_by_severity``); ``errors`` are input
        errors (files that could not be checked) and ``warnings`` are about the gate's own
        files (waivers), never findings."""
        t = self.counts()
        return {
            "plans": t.plans,
            "failed": t.failed,
            "failed_by_severity": dict(t.by_severity),
            "not_evaluated": t.not_evaluated,
            "waived": t.waived,
            "baselined": t.baselined,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }
