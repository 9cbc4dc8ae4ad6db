"""Checking plans: the library entry point the CLI is a thin shell around.

    from compliance.check import Checker
    run = Checker().check_paths(["plans/"], as_of=date(2020, 4, 1))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .engine import Engine, Hit
from .errors import InputError, Issue
from .facts import Fact, build_facts
from .findings import CheckRun, Finding, Location, PlanResult, SourceRef
from .loader import MAX_BYTES, format_path
from .packs import RULES_DIR, RuleBook, load_rulebook
from .plans import LoadedPlan, load_plan
from .revisions import load_previous
from .rules import Rule, render


def collect_paths(paths: Iterable[str]) -> list[tuple[Path, str]]:
    """Files named on the command line; a folder means every *.yaml/*.yml under it."""
    out: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            for p in found:
                if p.name == "compliance-waivers.yaml":
                    continue
                rel = p.relative_to(path)
                out.append((p, str(Path(given) / rel)))
        else:
            out.append((path, given))
    return out


class Checker:
    """Holds a rule book and its compiled rulesets for a whole batch."""

    def __init__(self, rules_dir: Path | None = None, lang: str = "sv") -> None:
        self.book: RuleBook = load_rulebook(Path(rules_dir) if rules_dir else RULES_DIR)
        self.engine = Engine(self.book.rules, self.book.policy)
        self.lang = lang

    # -- one plan --------------------------------------------------------------
    def check_plan(
        self, loaded: LoadedPlan, as_of: dt.date, previous: LoadedPlan | None = None
    ) -> PlanResult:
        header = loaded.plan.plan
        pack = self.book.agreement(header.agreement)
        if pack is None:
            line, column = loaded.locs.line_of(("plan", "agreement"))
            known = ", ".join(sorted(self.book.agreements))
            raise InputError.at(
                loaded.file,
                f"unknown agreement {header.agreement!r}; the rules folder has: {known}",
                line,
                column,
                "plan.agreement",
            )
        facts = build_facts(loaded, pack, as_of, previous)
        hits = self.engine.run(pack, facts)
        by_id = {f.id: f for f in facts}
        findings = sorted(
            (self._finding(loaded, hit, by_id, pack.id) for hit in hits),
            key=Finding.sort_key,
        )
        compiled = self.engine.compile(pack)
        return PlanResult(
            file=loaded.file,
            plan=header.id,
            agreement=header.agreement,
            region=header.region,
            findings=findings,
            rules_applied=list(compiled.rule_ids),
            planned_by_area={
                f.data["area"]: (f.data["planned"], f.data.get("allocation"))
                for f in facts
                if f.kind == "area"
            },
        )

    def _finding(
        self, loaded: LoadedPlan, hit: Hit, facts: dict[str, Fact], pack_id: str
    ) -> Finding:
        rule_id, outcome, fact_id, static_reason = hit
        rule: Rule = self.book.by_id[rule_id]
        fact = facts[fact_id]
        values = {k: fact.data.get(k) for k in rule.values if k in fact.data}
        ns_values = self._pack_values(pack_id)
        if outcome == "not-evaluated":
            reads = self.engine.compile(self.book.agreements[pack_id]).reads[rule_id]
            reasons = static_reason or "; ".join(
                dict.fromkeys(fact.unknown[f] for f in reads if f in fact.unknown)
            )
            message = (
                f"not evaluated: {reasons}"
                if self.lang == "en"
                else f"ej bedömd: {reasons}"
            )
            values = {k: v for k, v in values.items() if v is not None}
        else:
            message = render(rule.message.get(self.lang), values, ns_values, self.lang)
        line = loaded.line(fact.path) if fact.path else 1
        return Finding(
            rule=rule.id,
            severity=rule.severity,
            outcome=outcome,
            title=rule.title.get(self.lang),
            message=message,
            sources=tuple(SourceRef(s.document, s.section, s.quote) for s in rule.source),
            location=Location(loaded.file, line, format_path(fact.path)),
            values=values,
            area=fact.data.get("area"),
            activity=fact.data.get("activity"),
            subject=fact.id,
        )

    def _pack_values(self, pack_id: str) -> dict[str, Any]:
        policy = self.book.policy
        return {"policy.followup_system": policy.followup_system if policy else None}

    # -- many plans --------------------------------------------------------------
    def check_files(
        self,
        files: list[tuple[Path, str]],
        as_of: dt.date,
        max_bytes: int = MAX_BYTES,
    ) -> CheckRun:
        results: list[PlanResult] = []
        errors: list[Issue] = []
        for path, display in files:
            try:
                loaded = load_plan(path, display, max_bytes)
                previous = load_previous(loaded, max_bytes)
                results.append(self.check_plan(loaded, as_of, previous))
            except InputError as exc:
                errors.extend(exc.issues)
        results.sort(key=lambda r: (r.file, r.plan))
        errors.sort(key=lambda i: (i.file, i.line or 0, i.column or 0, i.message))
        return CheckRun(as_of, self.lang, results, errors)

    def check_paths(self, paths: Iterable[str], as_of: dt.date) -> CheckRun:
        return self.check_files(collect_paths(paths), as_of)
