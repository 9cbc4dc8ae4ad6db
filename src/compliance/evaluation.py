"""One plan checked in two steps: the evaluator (a loaded plan → the engine's matches)
and the finding factory (a match → a :class:`~compliance.findings.Finding`).

The evaluator finds the plan's agreement pack and its region's pack, derives the
plan's facts and runs the engine. The finding factory gives each match its rule's
title and sources, the values the rule shows, the place in the plan, and the
message, whose ``{pack.…}`` figures come from the namespace the engine compiled the
rule's conditions with (:meth:`~compliance.engine.Engine.namespace`): a message
shows what a condition reads. Batches, waivers and baselines are
:mod:`compliance.check`'s business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .engine import Engine, Match
from .errors import InputError
from .facts import Fact, build_facts
from .findings import Finding, Legend, Location
from .hints import check_requirements, suggestion
from .i18n import say
from .loader import format_path
from .packs import Agreement, Policy, RuleBook
from .plans import LoadedPlan
from .rules import render


@dataclass(frozen=True)
class Evaluation:
    """A plan evaluated: its packs, its facts and what the engine matched."""

    loaded: LoadedPlan
    pack: Agreement
    policy: Policy | None
    facts: list[Fact]
    matches: list[Match]


class Evaluator:
    """A loaded plan → the engine's matches, against a rule book's packs."""

    def __init__(self, book: RuleBook, engine: Engine) -> None:
        self.book = book
        self.engine = engine

    def evaluate(self, loaded: LoadedPlan, as_of: dt.date, previous: LoadedPlan | None = None) -> Evaluation:
        header = loaded.plan.plan
        pack = self.book.agreement(header.agreement)
        if pack is None:
            line, column = loaded.locs.line_of(("plan", "agreement"))
            known = ", ".join(sorted(self.book.agreements))
            hint = suggestion(header.agreement, self.book.agreements)
            raise InputError.at(
                loaded.file,
                f"unknown agreement {header.agreement!r}{hint.en}; the rules folder has: {known}",
                line,
                column,
                "plan.agreement",
                sv=f"okänd överenskommelse {header.agreement!r}{hint.sv}; regelmappen har: {known}",
                cell=loaded.locs.cell_of(("plan", "agreement")),
            )
        policy = self.book.policy(header.region)
        check_requirements(loaded, pack)
        facts = build_facts(loaded, pack, as_of, previous)
        return Evaluation(loaded, pack, policy, facts, self.engine.run(pack, facts, policy))


class FindingFactory:
    """A match → a finding in one language: message, location, values."""

    def __init__(self, book: RuleBook, engine: Engine, lang: str, legend: Legend) -> None:
        self.book = book
        self.engine = engine
        self.lang = lang
        self.legend = legend  # each rule's title and sources in ``lang``, as the reports name them

    def findings(self, evaluation: Evaluation) -> list[Finding]:
        """Every match of an evaluation as a finding, in report order."""
        namespace = self.engine.namespace(evaluation.pack, evaluation.policy)
        return sorted(
            (self.finding(evaluation.loaded, match, namespace) for match in evaluation.matches),
            key=Finding.sort_key,
        )

    def finding(self, loaded: LoadedPlan, match: Match, namespace: dict[str, Any]) -> Finding:
        rule, info = self.book.by_id[match.rule_id], self.legend.rules[match.rule_id]
        fact = match.fact
        data = fact.data
        # a rule its year does not apply is reported on the plan: the plan's fields are not its values
        about_plan = fact.kind in rule.facts
        values = {k: data[k] for k in rule.values if k in data} if about_plan else {}
        if match.outcome == "not-evaluated":
            reasons = "; ".join(dict.fromkeys(r.get(self.lang) for r in match.reasons))
            message = say(f"ej bedömd: {reasons}", f"not evaluated: {reasons}").get(self.lang)
            values = {k: v for k, v in values.items() if v is not None}
        else:
            message = render(rule.message.get(self.lang), values, namespace, self.lang)
        return Finding(
            rule=match.rule_id,
            severity=rule.severity,
            outcome=match.outcome,
            title=info.title,
            message=message,
            sources=info.sources,
            location=Location(loaded.file, loaded.line(fact.path), format_path(fact.path),
                              loaded.locs.cell_of(fact.path)),
            values=values,
            area=data.get("area"),
            activity=data.get("activity"),
            subject=fact.id,
        )

