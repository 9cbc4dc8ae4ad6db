"""Every rule's own examples: failing ones give exactly the expected findings
(values checked), passing ones none. The same runner backs `compliance rules test`."""

import pytest

from compliance.ruletest import check_example, example_cases

CASES = example_cases()


@pytest.mark.parametrize(("rule", "example"), [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_rule_example(checker, rule, example):
    outcome = check_example(checker, rule, example)
    assert outcome.ok, outcome.detail


def test_every_rule_has_failing_and_passing_examples(checker):
    catalog = {f"GNV-{n}" for n in [*range(101, 109), *range(201, 213), 301, 302, 303, *range(401, 416), 501, 502, 503]}
    assert {rule.id for rule in checker.book.rules} == catalog
    for rule in checker.book.rules:
        failing = [f for e in rule.examples for f in e.expect if f.outcome == "failed"]
        assert failing and any(f.values for f in failing), f"{rule.id}: no failing example checks values"
        assert any(not e.expect for e in rule.examples), rule.id


def test_a_wrong_expectation_is_caught(checker):
    """The example runner itself can fail: change one expected value."""
    rule = checker.book.by_id["GNV-102"]
    failing = next(e for e in rule.examples if e.expect)
    wrong = failing.model_copy(
        update={"expect": [failing.expect[0].model_copy(update={"values": {"excess": 1}})]}
    )
    assert not check_example(checker, rule, wrong).ok
