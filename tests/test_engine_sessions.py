"""Choosing the evaluator (``COMPLIANCE_ENGINE``), and the ids durable-rules sees: the facts'
engine ids (positions) and each chunk's session id, whose state message must hash unlike every
engine id of its chunk (engine.py's ``_engine_ids``, ``_sid``, ``DurableRulesets.matches``).

The id table is process-wide and grows once; the tests here start from an empty one, as a
fresh process does."""

import datetime as dt

import pytest

from compliance import engine as E
from compliance.check import Checker
from compliance.errors import InputError
from compliance.facts import Fact
from compliance.i18n import say
from compliance.plans import plan_from_data

# the first session id whose state message hashes like an engine id below 100 000
SID, N = 3104980, 42848


@pytest.fixture
def fresh_ids(monkeypatch):
    """An empty id table, as in a process that has not yet run a plan."""
    monkeypatch.setattr(E, "_ID_HASHES", [])
    monkeypatch.setattr(E, "_ID_HASH_SET", set())


def _facts(count):
    return [Fact("t", f"f{k}", (), {}) for k in range(count)]


# --- choosing the evaluator ----------------------------------------------------------------


def _error(monkeypatch, value):
    monkeypatch.setenv("COMPLIANCE_ENGINE", value)
    with pytest.raises(InputError) as error:
        E.default_engine()
    (issue,) = error.value.issues
    return issue


def test_an_unknown_engine_is_an_error_naming_the_variable_in_both_languages(monkeypatch):
    issue = _error(monkeypatch, " Drools ")
    assert issue.file == "COMPLIANCE_ENGINE"
    assert issue.says == say("'drools' är ingen motor: välj durable, python eller auto",
                             "'drools' is no engine: choose durable, python or auto")


@pytest.mark.parametrize("value", ["python", "Python", "durable", "DURABLE"])
def test_a_named_engine_is_used_where_it_imports(monkeypatch, value):
    monkeypatch.setattr(E, "_dre", object())  # durable-rules imports
    monkeypatch.setenv("COMPLIANCE_ENGINE", value)
    assert E.default_engine() == value.lower()


def test_where_durable_rules_does_not_import_python_is_used_and_durable_is_an_error(monkeypatch):
    monkeypatch.setattr(E, "_dre", None)
    monkeypatch.setattr(E, "DURABLE_IMPORT_ERROR", "ImportError: no C core")
    monkeypatch.setenv("COMPLIANCE_ENGINE", "python")
    assert E.default_engine() == "python"
    issue = _error(monkeypatch, "durable")
    assert issue.file == "COMPLIANCE_ENGINE"
    assert issue.says == say(
        "durable-rules går inte att importera här (ImportError: no C core); använd python eller auto",
        "durable-rules does not import here (ImportError: no C core); use python or auto")


# --- engine ids and session ids, from an empty id table ---------------------------------------


@pytest.mark.parametrize("engine", E.available_engines())
def test_engine_ids_are_positions_and_a_plan_evaluates_from_an_empty_id_table(fresh_ids, engine):
    assert E._engine_ids(_facts(3)) == ["0", "1", "2"]
    plan = {"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
            "areas": [{"area": "karriartjanster", "allocation": 1266508, "responsible": "HR",
                       "activities": [{"id": "a", "amount": 1266509, "responsible": "HR"},
                                      {"id": "b", "amount": 0, "responsible": "HR"}]}]}
    result = Checker(engine=engine).check_plan(plan_from_data(plan), dt.date(2020, 4, 1))
    assert [(f.outcome, f.values["excess"]) for f in result.findings if f.rule == "GNV-102"] == [("failed", 1)]


def test_a_session_id_hashing_like_an_engine_id_of_its_session_is_skipped_from_an_empty_table(fresh_ids):
    assert E.fnv1a_32(f"sid-{SID}") == E.fnv1a_32(str(N))
    assert E._engine_ids(_facts(N + 1))[-1] == str(N)
    assert E._sid(iter([SID, SID + 1]), N + 1) == str(SID + 1)  # "N" is an engine id of the session
    assert E._sid(iter([SID, SID + 1]), N) == str(SID)  # the session's engine ids stop below N


class _Host:
    def get_ruleset(self, name):
        return name


# "sid-3104981" hashes like "42849" in turn
@pytest.mark.parametrize(("last", "sid"), [(N, SID + 1), (N + 1, SID + 2), (N - 1, SID)])
def test_a_chunk_goes_in_under_a_session_id_hashing_unlike_its_engine_ids(fresh_ids, monkeypatch, last, sid):
    """A chunk of a plan's facts: its engine ids end with its largest, ``last``."""
    E._engine_ids(_facts(N + 3))
    seen = []
    monkeypatch.setattr(E, "_durable_matches", lambda ruleset, messages, s: seen.append((ruleset, messages, s)) or [])
    rulesets = E.DurableRulesets()
    rulesets._host, rulesets._sids = _Host(), iter([SID, SID + 1, SID + 2])
    messages = [{"id": str(n), "kind": "t"} for n in range(last - 2, last + 1)]
    assert rulesets.matches("pack", messages) == []
    assert seen == [("pack", messages, str(sid))]
    assert {m["sid"] for m in messages} == {str(sid)}
    assert E.fnv1a_32(f"sid-{sid}") not in {E.fnv1a_32(m["id"]) for m in messages}
