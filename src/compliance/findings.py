"""Findings and results: plain data that every renderer takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import Issue

OUTCOMES = ("failed", "not-evaluated", "waived")


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    path: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path}


@dataclass(frozen=True)
class SourceRef:
    document: str
    section: str
    quote: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section}


@dataclass(frozen=True)
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
            "values": {k: json_value(v) for k, v in self.values.items()},
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "plan": self.plan,
            "agreement": self.agreement,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class CheckRun:
    as_of: dt.date
    lang: str
    results: list[PlanResult]
    errors: list[Issue]
    warnings: list[Issue] = field(default_factory=list)  # about the gate's own files (waivers)

    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def summary(self) -> dict[str, int]:
        all_findings = self.findings()
        return {
            "plans": len(self.results),
            "failed": sum(1 for f in all_findings if f.outcome == "failed"),
            "not_evaluated": sum(1 for f in all_findings if f.outcome == "not-evaluated"),
            "waived": sum(1 for f in all_findings if f.outcome == "waived"),
            "baselined": sum(1 for f in all_findings if f.baselined),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }
