"""Running rules' own examples: every failing example must give exactly the
expected findings of its rule, with their values; every passing one none.

Used by the test suite and by ``compliance rules test [--rules DIR]``, so a
region that writes its own pack tests it the way ``conftest verify`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .check import Checker
from .errors import InputError
from .findings import Finding, json_value
from .plans import plan_from_data
from .rules import Example, ExpectedFinding, Rule


@dataclass(frozen=True)
class ExampleOutcome:
    rule: str
    example: str
    ok: bool
    detail: str = ""


def _matches(expected: ExpectedFinding, finding: Finding) -> bool:
    if expected.outcome != finding.outcome:
        return False
    if expected.path is not None and expected.path != finding.location.path:
        return False
    actual = finding.json_values()
    return all(actual.get(k) == json_value(v) for k, v in expected.values.items())


def _describe(findings: list[Finding]) -> str:
    if not findings:
        return "no finding"
    return "; ".join(
        f"{f.outcome} at {f.location.path} {f.json_values()}"
        for f in findings
    )


def check_example(checker: Checker, rule: Rule, example: Example) -> ExampleOutcome:
    name = f"{rule.id} example {example.name!r}"
    try:
        loaded = plan_from_data(example.plan, name)
        previous = plan_from_data(example.previous, f"{name} (previous)") if example.previous else None
        result = checker.check_plan(loaded, example.as_of, previous=previous)
    except InputError as exc:
        return ExampleOutcome(rule.id, example.name, False, f"the example is not a valid plan: {exc}")
    got = [f for f in result.findings if f.rule == rule.id]
    unmatched = list(got)
    missing: list[ExpectedFinding] = []
    for expected in example.expect:
        hit = next((f for f in unmatched if _matches(expected, f)), None)
        if hit is None:
            missing.append(expected)
        else:
            unmatched.remove(hit)
    if not missing and not unmatched:
        return ExampleOutcome(rule.id, example.name, True)
    detail: list[str] = []
    if missing:
        detail.append(
            "expected but not found: "
            + "; ".join(f"{e.outcome} at {e.path} {e.values}" for e in missing)
        )
    if unmatched:
        detail.append("found but not expected: " + _describe(unmatched))
    return ExampleOutcome(rule.id, example.name, False, " | ".join(detail))


def run_examples(rules_dir: Path | None = None, only: list[str] | None = None) -> list[ExampleOutcome]:
    checker = Checker(rules_dir, lang="sv")
    out: list[ExampleOutcome] = []
    for rule in checker.book.rules:
        if only and rule.id not in only:
            continue
        for example in rule.examples:
            out.append(check_example(checker, rule, example))
    return out


def example_cases(rules_dir: Path | None = None) -> list[tuple[str, Any]]:
    """(id, (rule, example)) pairs for pytest parametrisation."""
    checker = Checker(rules_dir, lang="sv")
    return [
        (f"{rule.id}-{i}", (rule, example))
        for rule in checker.book.rules
        for i, example in enumerate(rule.examples)
    ]
