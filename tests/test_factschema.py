"""The fact schema (factschema.py) is what facts.py emits, and rule files are held to it.

The schema is checked against the facts built from every rule example, the example
plans at several dates, and generated plans (the engine-equivalence corpus): no
declared field is never emitted, no emitted field is undeclared, every value has
its declared type, and a field is absent (or unknown to the pack) only where the
schema says it may be. A rule file naming a field its fact kinds lack is refused.
"""

from __future__ import annotations

import collections
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compliance import factschema
from compliance.check import Checker
from compliance.cli import main
from compliance.errors import InputError
from compliance.facts import Fact, build_facts
from compliance.hints import check_requirements
from compliance.plans import LoadedPlan, load_plan, plan_from_data
from compliance.revisions import load_previous
from tests.test_engine_equivalence import AS_OF_DATES, ROOT, _plan_files, example_cases, generated_cases

GENERATED = 600

# a wrong area code and a wrong purpose close to right ones (the did-you-mean fields),
# revising a version without the wrong area (a revision of an area the pack lacks)
MISSPELT = {
    "plan": {"id": "misspelt", "region": "Region Jamtland Harjedalen", "agreement": "gnv-2022"},
    "areas": [
        {"area": "nara-vaard", "activities": [{"id": "a", "amount": 1}]},
        {"area": "nara-vard", "activities": [{"id": "b", "amount": 1, "purpose": "tillganglighett"}]},
    ],
}
MISSPELT_BEFORE = {"plan": MISSPELT["plan"], "areas": MISSPELT["areas"][1:]}
# a requisition of a region whose 2023 allocation no source gives: its ceiling is unknown
UNKNOWN_CEILING = {
    "plan": {"id": "ceiling", "region": "Region Västerbotten", "agreement": "gnv-2023"},
    "areas": [{"area": "nara-vard", "activities": [{"id": "a", "amount": 1}]}],
    "reports": [{"kind": "requisition", "submitted": dt.date(2023, 3, 1), "requested": 5}],
}


def _facts(checker: Checker, loaded: LoadedPlan, previous: LoadedPlan | None, as_of: dt.date) -> list[Fact]:
    pack = checker.book.agreement(loaded.plan.plan.agreement)
    if pack is None:
        return []
    try:
        check_requirements(loaded, pack)
    except InputError:
        return []
    return build_facts(loaded, pack, as_of, previous)


@pytest.fixture(scope="module")
def corpus() -> list[Fact]:
    checker = Checker(lang="en")
    facts: list[Fact] = []
    cases = [*example_cases(), *generated_cases(GENERATED), ("misspelt", MISSPELT, MISSPELT_BEFORE, dt.date(2022, 4, 1)),
             ("ceiling", UNKNOWN_CEILING, None, dt.date(2023, 4, 1))]
    for name, plan, previous, as_of in cases:
        try:
            loaded = plan_from_data(plan, name)
            before = plan_from_data(previous, f"{name} (previous)") if previous else None
        except InputError:
            continue
        facts += _facts(checker, loaded, before, as_of)
    for path in _plan_files():
        loaded = load_plan(path, str(path.relative_to(ROOT)))
        before = load_previous(loaded, roots=[ROOT]) if loaded.plan.plan.supersedes else None
        for as_of in AS_OF_DATES:
            facts += _facts(checker, loaded, before, as_of)
    return facts


def test_every_emitted_field_is_declared_with_its_type_and_absence(corpus):
    wrong: set[str] = set()
    for fact in corpus:
        kind = factschema.KINDS[fact.kind]
        for name, value in fact.data.items():
            spec = kind.field(name)
            if spec is None:
                wrong.add(f"{fact.kind}.{name}: emitted by facts.py, not declared in factschema.py")
            elif value is None and spec.absent is None:
                wrong.add(f"{fact.kind}.{name}: None, declared always present")
            elif value is not None and not spec.accepts(value):
                wrong.add(f"{fact.kind}.{name}: {type(value).__name__}, declared {spec.type}")
        for name in fact.unknown:
            spec = kind.field(name)
            if spec is None or not spec.unknown:
                wrong.add(f"{fact.kind}.{name}: unknown to the pack, not declared as possibly unknown")
        for spec in kind.fields:
            if spec.absent is None and spec.name not in fact.data and spec.name not in fact.unknown:
                wrong.add(f"{fact.kind}.{spec.name}: missing, declared always present")
    assert not wrong, sorted(wrong)


def test_every_declared_field_is_emitted_and_every_declared_absence_happens(corpus):
    """No dead declarations: each field has a value somewhere, each field declared as
    possibly absent is absent somewhere, each possibly unknown one is unknown somewhere."""
    given: dict[str, set[str]] = collections.defaultdict(set)
    absent: dict[str, set[str]] = collections.defaultdict(set)
    unknown: dict[str, set[str]] = collections.defaultdict(set)
    for fact in corpus:
        given[fact.kind] |= {k for k, v in fact.data.items() if v is not None}
        unknown[fact.kind] |= set(fact.unknown)
        absent[fact.kind] |= {f.name for f in factschema.KINDS[fact.kind].fields
                              if fact.data.get(f.name) is None}
    assert set(given) == set(factschema.KINDS)
    missing = []
    for kind in factschema.KINDS.values():
        for spec in kind.fields:
            if spec.name not in given[kind.name]:
                missing.append(f"{kind.name}.{spec.name}: never emitted")
            if spec.absent is not None and spec.name not in absent[kind.name]:
                missing.append(f"{kind.name}.{spec.name}: declared possibly absent, never absent")
            if spec.unknown and spec.name not in unknown[kind.name]:
                missing.append(f"{kind.name}.{spec.name}: declared possibly unknown, never unknown")
    assert not missing, missing


def test_the_rule_kinds_are_the_schemas():
    from compliance.rules import FACT_KINDS

    assert set(FACT_KINDS) == set(factschema.KINDS)


def test_every_shipped_rule_names_only_declared_fields():
    from compliance.packs import RULES_DIR, _load_files, _rule_files
    from compliance.rules import field_problems

    book = _load_files(RULES_DIR, _rule_files(RULES_DIR))  # not the cache: the files themselves
    assert len(book.rules) >= 30
    assert {rule.id: field_problems(rule) for rule in book.rules if field_problems(rule)} == {}


def _pack_with(tmp_path: Path, rule_id: str, old: str, new: str) -> tuple[Path, int]:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rule = rules / "catalog" / f"{rule_id}.yaml"
    text = rule.read_text("utf-8")
    assert old in text
    text = text.replace(old, new)
    rule.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if new.splitlines()[-1] in row)
    return rules, line


def _refused(rules: Path, lang: str = "en") -> str:
    result = CliRunner().invoke(main, ["check", str(ROOT / "plans"), "--rules", str(rules), "--lang", lang])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_misspelt_field_in_when_is_refused_with_the_suggestion(tmp_path):
    rules, line = _pack_with(tmp_path, "GNV-104", "when: planned < allocation", "when: planned < allocaton")
    out = _refused(rules)
    assert f"catalog/GNV-104.yaml:{line}:" in out
    assert "unknown field 'allocaton'" in out and "did you mean 'allocation'?" in out
    out = _refused(rules, "sv")  # the default: a rule author reads it in Swedish too
    assert f"catalog/GNV-104.yaml:{line}:" in out
    assert "okänt fält 'allocaton'" in out and "menar du 'allocation'?" in out


def test_a_misspelt_field_deep_in_an_any_is_refused_on_its_own_line(tmp_path):
    rules, line = _pack_with(tmp_path, "GNV-301", "moved > 0, purpose is present",
                             "moved > 0, purpos is present")
    out = _refused(rules)
    assert f"catalog/GNV-301.yaml:{line}:" in out and "when.any[1].all[2]" in out
    assert "did you mean 'purpose'?" in out


def test_a_misspelt_guard_and_value_are_refused(tmp_path):
    rules, line = _pack_with(tmp_path, "GNV-209", "area == 'vidareutbildning'", "areas == 'vidareutbildning'")
    out = _refused(rules)
    assert f"catalog/GNV-209.yaml:{line}:" in out and "applies_when[1]" in out and "'area'" in out
    rules2, line2 = _pack_with(tmp_path / "v", "GNV-209", "values: [activity, area, amount]",
                               "values: [activity, area, amount, amout]")
    out = _refused(rules2)
    assert f"catalog/GNV-209.yaml:{line2}:" in out and "values[3]" in out and "did you mean 'amount'?" in out


def test_a_field_of_another_kind_is_refused(tmp_path):
    """`days_late` is a report's: an activity rule reading it would never fire."""
    rules, _ = _pack_with(tmp_path, "GNV-209", "when: additional_resources is not true", "when: days_late > 0")
    assert "unknown field 'days_late': activity facts have no such field" in _refused(rules)


def test_a_condition_on_a_list_field_is_refused(tmp_path):
    """Lists are never sent to the engine: a comparison with one would never hold."""
    rules, _ = _pack_with(tmp_path, "GNV-209", "when: additional_resources is not true", "when: allowed_codes is present")
    assert "'allowed_codes' is a list, shown in messages only" in _refused(rules)
    assert "'allowed_codes' är en lista, som bara visas i meddelanden" in _refused(rules, "sv")


def test_the_facts_page_lists_every_kind_and_field():
    page = factschema.page()
    for kind in factschema.KINDS.values():
        assert f"## {kind.name}\n" in page
        for spec in kind.fields:
            assert f"| `{spec.name}` | {spec.type} |" in page
    assert (ROOT / "docs" / "facts.md").read_text("utf-8") == page


def test_rules_docs_check_notices_a_stale_facts_page(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    shutil.copytree(ROOT / "docs" / "rules", tmp_path / "docs" / "rules")
    shutil.copy(ROOT / "docs" / "coverage.md", tmp_path / "docs" / "coverage.md")
    (tmp_path / "docs" / "facts.md").write_text(factschema.page().replace("| `planned` |", "| `plan` |"), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["rules", "docs", "--check", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 1 and result.output.strip().endswith("facts.md"), result.output
    result = CliRunner().invoke(main, ["rules", "docs", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0 and (tmp_path / "docs" / "facts.md").read_text("utf-8") == factschema.page()


def test_fingerprint_follows_the_schema(monkeypatch):
    before = factschema.fingerprint()
    spec = factschema.KINDS["plan"]
    changed: Any = factschema.FactKind(spec.name, spec.about, spec.fields[:-1])
    monkeypatch.setitem(factschema.KINDS, "plan", changed)
    assert factschema.fingerprint() != before
