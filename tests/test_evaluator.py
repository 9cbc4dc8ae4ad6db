"""The built-in evaluator's contract (engine.py's ``predicate`` and ``compare``): durable-rules'
JSON ruleset language, the subset the compiler writes, decided as the C core's
``reduceProperties`` decides it. tests/test_operators.py holds both evaluators to each
clause; these pin the corners a clause reaches only through the wire encoding: absent
fields, booleans against numbers, numbers against strings, dates as day numbers, and
everything the evaluator refuses to read."""

import datetime as dt

import pytest

from compliance import engine as E

OPS = ("$lt", "$lte", "$gt", "$gte", "$eq", "$neq")


# --- compare ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "holds"),
    [
        (4, 5, {"$lt", "$lte", "$neq"}),
        (5, 5, {"$lte", "$gte", "$eq"}),
        (6, 5, {"$gt", "$gte", "$neq"}),
        (-1, 0, {"$lt", "$lte", "$neq"}),
        (2.5, 2, {"$gt", "$gte", "$neq"}),
        (2, 2.0, {"$lte", "$gte", "$eq"}),
        # booleans are 0 and 1 against numbers
        (True, 1, {"$lte", "$gte", "$eq"}),
        (False, 0, {"$lte", "$gte", "$eq"}),
        (True, 0, {"$gt", "$gte", "$neq"}),
        (False, 1, {"$lt", "$lte", "$neq"}),
        (True, False, {"$gt", "$gte", "$neq"}),
        # strings compare as strings: "10" before "9"
        ("a", "b", {"$lt", "$lte", "$neq"}),
        ("b", "b", {"$lte", "$gte", "$eq"}),
        ("10", "9", {"$lt", "$lte", "$neq"}),
        # a number against a string: its printed form
        (5, "5", {"$lte", "$gte", "$eq"}),
        ("5", 5, {"$lte", "$gte", "$eq"}),
        (10, "9", {"$lt", "$lte", "$neq"}),
        ("9", 10, {"$gt", "$gte", "$neq"}),
        (2.5, "2.500000", {"$lte", "$gte", "$eq"}),  # C's %f
        (2.5, "2.5", {"$gt", "$gte", "$neq"}),
        (5.0, "5", {"$gt", "$gte", "$neq"}),
        (True, "true", {"$lte", "$gte", "$eq"}),
        (False, "false", {"$lte", "$gte", "$eq"}),
        ("true", True, {"$lte", "$gte", "$eq"}),
        (True, "True", {"$gt", "$gte", "$neq"}),  # "true" sorts after "True"
        (True, "1", {"$gt", "$gte", "$neq"}),
    ],
)
def test_compare_decides_every_operator(left, right, holds):
    assert {op for op in OPS if E.compare(op, left, right) is True} == holds
    assert {op for op in OPS if E.compare(op, left, right) is False} == set(OPS) - holds


def test_compare_with_nil():
    # nil against nil is equal and nothing else
    assert {op for op in OPS if E.compare(op, None, None)} == {"$eq"}
    # a value against nil differs (the only thing that holds); nil against a value holds nothing
    for value in (0, 5, "", "x", False, True):
        assert {op for op in OPS if E.compare(op, value, None)} == {"$neq"}, value
        assert {op for op in OPS if E.compare(op, None, value)} == set(), value


def test_printed_is_how_the_c_core_prints_a_scalar():
    assert E._printed(True) == "true"
    assert E._printed(False) == "false"
    assert E._printed(1.5) == "1.500000"
    assert E._printed(-2.0) == "-2.000000"
    assert E._printed(7) == "7"
    assert E._printed("x") == "x"


def test_dates_compare_as_day_numbers():
    due = dt.date(2022, 12, 31)
    message = {"id": "0", "d": E._const(dt.date(2023, 1, 1))}
    assert E.predicate({"$gt": {"d": E._const(due)}})(message) is True
    assert E.predicate({"$gt": {"d": E._const(due + dt.timedelta(days=1))}})(message) is False
    assert E._const(due) == due.toordinal()
    assert E._const(dt.datetime(2022, 12, 31, 12)) == due.toordinal()  # a datetime is a date
    assert E._const("2022-12-31") == "2022-12-31"
    assert E._const(7) == 7


# --- predicate --------------------------------------------------------------------------


def test_predicate_reads_and_or_and_presence():
    m = {"id": "0", "kind": "t", "f": 0, "g": False}
    assert E.predicate({"$and": [{"kind": "t"}, {"f": 0}]})(m) is True
    assert E.predicate({"$and": [{"kind": "t"}, {"f": 1}]})(m) is False
    assert E.predicate({"$and": [{"f": 1}, {"kind": "t"}]})(m) is False
    assert E.predicate({"$and": []})(m) is True
    assert E.predicate({"$or": [{"f": 1}, {"kind": "t"}]})(m) is True
    assert E.predicate({"$or": [{"kind": "t"}, {"f": 1}]})(m) is True
    assert E.predicate({"$or": [{"f": 1}, {"kind": "u"}]})(m) is False
    assert E.predicate({"$or": []})(m) is False
    # a present field is present whatever its value (0, false)
    assert E.predicate({"$ex": {"f": 1}})(m) is True
    assert E.predicate({"$ex": {"g": 1}})(m) is True
    assert E.predicate({"$ex": {"h": 1}})(m) is False
    assert E.predicate({"$nex": {"f": 1}})(m) is False
    assert E.predicate({"$nex": {"h": 1}})(m) is True


@pytest.mark.parametrize("op", ["$lt", "$lte", "$gt", "$gte", "$neq"])
def test_predicate_comparisons_and_absent_fields(op):
    five = {"id": "0", "f": 5, "g": 5, "h": 6}
    expect = E.compare(op, 5, 5)
    assert E.predicate({op: {"f": 5}})(five) is expect
    assert E.predicate({op: {"f": 6}})(five) is E.compare(op, 5, 6)
    assert E.predicate({op: {"f": {"$m": "g"}}})(five) is expect
    assert E.predicate({op: {"f": {"$m": "h"}}})(five) is E.compare(op, 5, 6)
    assert E.predicate({op: {"h": {"$m": "f"}}})(five) is E.compare(op, 6, 5)
    # a missing field satisfies no comparison, $neq included, on either side
    assert E.predicate({op: {"x": 5}})(five) is False
    assert E.predicate({op: {"f": {"$m": "x"}}})(five) is False
    assert E.predicate({op: {"x": {"$m": "f"}}})(five) is False


def test_predicate_equality_is_a_bare_field():
    m = {"id": "0", "f": 5, "g": 5, "h": 6, "s": "x"}
    assert E.predicate({"f": 5})(m) is True
    assert E.predicate({"f": 6})(m) is False
    assert E.predicate({"s": "x"})(m) is True
    assert E.predicate({"f": {"$m": "g"}})(m) is True
    assert E.predicate({"f": {"$m": "h"}})(m) is False
    assert E.predicate({"x": 5})(m) is False
    assert E.predicate({"f": {"$m": "x"}})(m) is False


@pytest.mark.parametrize(
    "cond",
    [
        [],
        "f",
        {},
        {"f": 1, "g": 2},
        {"$ex": {"f": 1, "g": 1}},
        {"$nex": {}},
        {"$ex": "f"},
        {"$in": {"f": [1]}},
        {"$eq": {"f": 1}},  # equality is written as a bare field
        {"$lt": 5},
        {"$lt": {}},
        {"$gt": {"f": 1, "g": 2}},
        {"f": {"$m": "g", "x": 1}},
        {"f": {"$x": "g"}},
        {"$lt": {"f": {"g": 1}}},
        {"f": [1, 2]},
        {"$neq": {"f": [1]}},
        {"$and": [{"f": 1}, {"$bad": {"f": 1}}]},
        {"$or": [{"$lt": 5}]},
    ],
)
def test_predicate_refuses_what_the_compiler_never_writes(cond):
    with pytest.raises(E.EngineError, match="unsupported"):
        E.predicate(cond)


def test_printed_infinity_is_cs():
    assert E._printed(float("inf")) == "inf"
    assert E._printed(float("-inf")) == "-inf"
    assert E.compare("$eq", float("inf"), "inf") is True


# --- compiling a pack: the bound on one branch ----------------------------------------------


def _rules_where_gnv_102_reads(tmp_path, clauses: int, applies_when: str = ""):
    """The rule book with GNV-102's condition an all: of ``clauses`` comparisons on ``planned``
    (and ``applies_when``, if given)."""
    import shutil
    from pathlib import Path

    rules = tmp_path / f"rules{clauses}"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    path = rules / "catalog" / "GNV-102.yaml"
    when = "when:\n  all:\n" + "".join(f"    - planned > {n}\n" for n in range(clauses))
    if applies_when:
        when = f"applies_when: {applies_when}\n{when}"
    path.write_text(path.read_text("utf-8").replace("when: planned > allocation\n", when), "utf-8")
    return rules


@pytest.mark.parametrize("engine_name", E.available_engines())
def test_a_branch_of_more_than_max_expressions_comparisons_is_a_rule_pack_error(tmp_path, engine_name):
    """A branch is the fact's kind, one 'known' test per field the rule reads, and its clauses:
    GNV-102 reading ``planned`` holds MAX_EXPRESSIONS with MAX_EXPRESSIONS - 2 clauses."""
    from compliance.check import Checker
    from compliance.errors import InputError
    from compliance.plans import plan_from_data

    plan = {"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
            "areas": [{"area": "karriartjanster", "allocation": 10,
                       "activities": [{"id": "a", "amount": 1000, "responsible": "HR"}]}]}
    at_bound = Checker(_rules_where_gnv_102_reads(tmp_path, E.MAX_EXPRESSIONS - 2), engine=engine_name)
    result = at_bound.check_plan(plan_from_data(plan), dt.date(2020, 4, 1))
    assert [f.outcome for f in result.findings if f.rule == "GNV-102"] == ["failed"]
    past = Checker(_rules_where_gnv_102_reads(tmp_path, E.MAX_EXPRESSIONS - 1), engine=engine_name)
    with pytest.raises(InputError) as error:
        past.check_plan(plan_from_data(plan), dt.date(2020, 4, 1))
    (issue,) = error.value.issues
    assert issue.file.endswith("GNV-102.yaml")
    assert issue.message == (f"GNV-102 compiles to {E.MAX_EXPRESSIONS + 1} comparisons in one branch; "
                             f"durable-rules allows {E.MAX_EXPRESSIONS}: split it with any:")
    assert issue.says.sv == (f"GNV-102 kompileras till {E.MAX_EXPRESSIONS + 1} jämförelser i en gren; "
                             f"durable-rules tillåter {E.MAX_EXPRESSIONS}: dela den med any:")



def _compile_error(rules, engine_name="python", pack_id="gnv-2020"):
    """The rule-pack error compiling ``pack_id`` with ``rules`` raises, or None."""
    from compliance.check import Checker
    from compliance.errors import InputError

    checker = Checker(rules, engine=engine_name)
    pack = checker.book.agreement(pack_id)
    try:
        checker.engine.compile(pack, checker.book.policy("Region Jämtland Härjedalen"))
    except InputError as exc:
        (issue,) = exc.issues
        return issue
    return None


def test_the_branch_and_pack_bounds_hold_exactly(tmp_path):
    """A rule may hold MAX_BRANCHES branches and not one more; a pack compiles to at most
    MAX_RULESET_RULES durable rules (each branch, each rule's not-evaluated one, the catch-all)."""
    from compliance.check import Checker
    from tests.test_hostile import _rules_with

    assert _compile_error(_rules_with(tmp_path / "a", [E.MAX_BRANCHES])) is None
    issue = _compile_error(_rules_with(tmp_path / "b", [E.MAX_BRANCHES + 1]))
    assert issue is not None and issue.file.endswith("GNV-900.yaml")
    assert issue.message == (
        f"GNV-900 has {E.MAX_BRANCHES + 1} branches (any:, or a keyed 'in'); a rule may hold at most "
        f"{E.MAX_BRANCHES}: durable-rules stops compiling a pack past {E.MAX_RULESET_RULES + 12} rules")
    assert issue.says.sv == (
        f"GNV-900 har {E.MAX_BRANCHES + 1} grenar (any:, eller ett nycklat 'in'); en regel får ha högst "
        f"{E.MAX_BRANCHES}: durable-rules slutar kompilera ett paket efter {E.MAX_RULESET_RULES + 12} regler")
    # the pack's own rules, then GNV-900 … GNV-90k filling it to the bound exactly, then one more branch
    checker = Checker(engine="python")
    base = len(checker.engine.compile(checker.book.agreement("gnv-2020"),
                                      checker.book.policy("Region Jämtland Härjedalen")).actions)
    room = E.MAX_RULESET_RULES - 1 - base  # the catch-all takes one
    full = [E.MAX_BRANCHES] * (room // (E.MAX_BRANCHES + 1))
    full.append(room - len(full) * (E.MAX_BRANCHES + 1) - 1)
    assert _compile_error(_rules_with(tmp_path / "c", full)) is None
    issue = _compile_error(_rules_with(tmp_path / "d", [*full[:-1], full[-1] + 1]))
    last = f"GNV-9{len(full) - 1:02d}"
    assert issue is not None and issue.file.endswith(f"{last}.yaml")
    assert issue.message == (
        f"{last} takes the pack's rules to {E.MAX_RULESET_RULES + 1} durable rules (a rule per branch of "
        f"any:); a pack may compile to at most {E.MAX_RULESET_RULES}: durable-rules stops compiling past "
        f"{E.MAX_RULESET_RULES + 12}")
    assert issue.says.sv == (
        f"{last} för paketets regler till {E.MAX_RULESET_RULES + 1} durable-regler (en regel per gren av "
        f"any:); ett paket får kompileras till högst {E.MAX_RULESET_RULES}: durable-rules slutar kompilera efter "
        f"{E.MAX_RULESET_RULES + 12}")


def test_an_is_not_in_applies_when_counts_as_its_two_comparisons(tmp_path):
    """``applies_when`` is not split into branches: ``earmarked is not false`` stays one ``$or``
    (absent, or true) in every branch and counts as both its comparisons. With the kind and a
    'known' test for each of ``earmarked`` and ``planned``, MAX_EXPRESSIONS - 5 clauses fill the
    branch exactly; one more is past the bound."""
    from compliance.check import Checker
    from compliance.errors import InputError
    from compliance.plans import plan_from_data

    plan = plan_from_data(
        {"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
         "areas": [{"area": "karriartjanster", "allocation": 10,  # earmarked in gnv-2020
                    "activities": [{"id": "a", "amount": 1000, "responsible": "HR"}]}]})
    guard = "earmarked is not false"
    at_bound = Checker(_rules_where_gnv_102_reads(tmp_path, E.MAX_EXPRESSIONS - 5, guard), engine="python")
    result = at_bound.check_plan(plan, dt.date(2020, 4, 1))
    assert [f.outcome for f in result.findings if f.rule == "GNV-102"] == ["failed"]
    past = Checker(_rules_where_gnv_102_reads(tmp_path, E.MAX_EXPRESSIONS - 4, guard), engine="python")
    with pytest.raises(InputError) as error:
        past.check_plan(plan, dt.date(2020, 4, 1))
    (issue,) = error.value.issues
    assert issue.file.endswith("GNV-102.yaml")
    assert issue.message.startswith(f"GNV-102 compiles to {E.MAX_EXPRESSIONS + 1} comparisons in one branch; ")


def test_a_message_naming_a_nested_figure_the_pack_lacks_names_it_in_both_languages(tmp_path):
    from tests.test_messages import _rules_with_message

    checker_rules = _rules_with_message(tmp_path, " {pack.targets.nosuch}")
    issue = _compile_error(checker_rules, pack_id="gnv-2022")
    assert issue is not None and issue.file.endswith("GNV-501.yaml")
    assert issue.message == "GNV-501 with gnv-2022: {pack.targets.nosuch}: the pack has no figure 'nosuch'"
    assert issue.says.sv == "GNV-501 med gnv-2022: {pack.targets.nosuch}: paketet har ingen siffra 'nosuch'"


@pytest.mark.parametrize("engine_name", E.available_engines())
def test_a_condition_on_a_figure_the_pack_lacks_is_not_evaluated_with_the_packs_reason(tmp_path, engine_name):
    """GNV-501 reading the target from the pack, for every indicator: where gnv-2022 states no
    target, each indicator is not evaluated, with the reason the pack gives, and the rules after
    it are checked as before; where it states one, both indicators below it fail."""
    import shutil
    from pathlib import Path

    from compliance.check import Checker
    from compliance.plans import plan_from_data

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    rule = rules / "catalog" / "GNV-501.yaml"
    text = rule.read_text("utf-8")
    reads = "applies_when: \"indicator == 'named_gp_share'\"\n"
    assert "when: [value < target, " in text and reads in text
    text = text.replace(reads, "").replace("when: [value < target, ", "when: [value < pack.targets.named_gp_share, ")
    rule.write_text(text, "utf-8")
    plan = plan_from_data({"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2022"},
                           "indicators": {"named_gp_share": 0.48, "nursing_home_gp_share": 0.5}})

    def gnv_501(rules_dir):
        checker = Checker(rules_dir, engine=engine_name, lang="en")
        result = checker.check_plan(plan, dt.date(2023, 1, 1))  # the day after gnv-2022's year
        applied = checker.engine.rules_applied(checker.book.agreement("gnv-2022"),
                                               checker.book.policy("Region Jämtland Härjedalen"))
        return [(f.outcome, f.message) for f in result.findings if f.rule == "GNV-501"], applied

    stating, applied = gnv_501(rules)
    assert [outcome for outcome, _ in stating] == ["failed", "failed"]
    shutil.copytree(rules, tmp_path / "lacking")
    pack = tmp_path / "lacking" / "gnv-2022" / "agreement.yaml"
    text = pack.read_text("utf-8")
    stated = "  named_gp_share:\n    value: 0.55\n"
    assert stated in text
    pack.write_text(text.replace(stated, "  named_gp_share:\n    missing: {sv: inget mål i år, en: no target this year}\n"),
                    "utf-8")
    lacking, applied_lacking = gnv_501(tmp_path / "lacking")
    assert [outcome for outcome, _ in lacking] == ["not-evaluated", "not-evaluated"]
    assert all("no target this year" in message for _, message in lacking), lacking
    assert applied_lacking == applied and applied.index("GNV-501") < len(applied) - 1


def test_an_engine_reports_a_rule_its_year_excludes_on_the_plan_even_alone():
    """The rule's not-evaluated match is on the plan fact: the plan is sent to the engine
    though no applied rule reads a plan fact."""
    from compliance.check import Checker
    from compliance.facts import build_facts
    from compliance.plans import plan_from_data

    book = Checker(engine="python").book
    pack = book.agreement("gnv-2020")
    assert "GNV-501" in pack.excluded_rules and book.by_id["GNV-501"].facts == ("indicator",)
    plan = plan_from_data({"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
                           "indicators": {"named_gp_share": 0.48}})
    facts = build_facts(plan, pack, dt.date(2021, 1, 1))
    for name in E.available_engines():
        (match,) = E.Engine([book.by_id["GNV-501"]], name).run(pack, facts)
        assert (match.rule_id, match.outcome, match.fact.kind) == ("GNV-501", "not-evaluated", "plan")
        assert match.reasons[0].en.startswith("no source of 2020 states this condition")


# --- one compiled ruleset per pack, and the evaluator the engine was asked for ----------------


def _engine_and_pack(name: str):
    from compliance.check import Checker

    book = Checker(engine="python").book
    consequences = {c for pack in book.agreements.values() for c in pack.consequences}
    return (E.Engine(book.rules, name, consequences), book.agreement("gnv-2020"),
            book.policy("Region Jämtland Härjedalen"))


@pytest.mark.parametrize("engine_name", E.available_engines())
def test_a_pack_is_compiled_once_per_engine(engine_name):
    engine, pack, policy = _engine_and_pack(engine_name)
    first = engine.compile(pack, policy)
    assert engine.compile(pack, policy) is first
    assert engine.compile(pack) is engine.compile(pack) is not first  # without the region's pack: another


@pytest.mark.parametrize("policy_id", ["region-x", "XXXX", ""])
def test_a_regional_pack_is_never_taken_for_none_whatever_its_id(policy_id):
    """Compiled without a region's pack, then with one: two rulesets, the regional rules
    (GNV-207) only in the second, whatever the regional pack's id."""
    engine, pack, policy = _engine_and_pack("python")
    without = engine.compile(pack)
    regional = engine.compile(pack, policy.model_copy(update={"id": policy_id}))
    assert "GNV-207" in regional.rule_ids and "GNV-207" not in without.rule_ids


@pytest.mark.parametrize("engine_name", E.available_engines())
def test_two_threads_compiling_one_pack_get_one_ruleset(engine_name, monkeypatch):
    """Both threads miss the compiled pack and queue for the lock: the second to get it
    finds the first's ruleset instead of compiling (and registering) the pack again."""
    import threading

    engine, pack, policy = _engine_and_pack(engine_name)
    lock = threading.RLock()
    queued = threading.Semaphore(0)

    class Queue:  # the engine's lock, telling when a thread has come to it
        def __enter__(self):
            queued.release()
            lock.acquire()

        def __exit__(self, *exc):
            lock.release()

    monkeypatch.setattr(E, "_LOCK", Queue())
    got = []
    threads = [threading.Thread(target=lambda: got.append(engine.compile(pack, policy))) for _ in range(2)]
    with lock:
        for thread in threads:
            thread.start()
        queued.acquire()
        queued.acquire()  # both passed the first look-up, and both missed
    for thread in threads:
        thread.join(30)
    assert len(got) == 2 and got[0] is got[1]


def _over_by_one_kr():
    from compliance.facts import build_facts
    from compliance.plans import plan_from_data

    engine, pack, policy = _engine_and_pack("python")
    plan = plan_from_data({"plan": {"id": "p", "region": "Region Jämtland Härjedalen", "agreement": "gnv-2020"},
                           "areas": [{"area": "karriartjanster", "allocation": 1266508,
                                      "activities": [{"id": "a", "amount": 1266509, "responsible": "HR"}]}]})
    return engine, pack, policy, build_facts(plan, pack, dt.date(2020, 4, 1))


def test_the_python_engine_needs_no_durable_rules(monkeypatch):
    engine, pack, policy, facts = _over_by_one_kr()
    monkeypatch.setattr(E, "_dre", None)  # where durable-rules does not import
    monkeypatch.setattr(E, "_durable", None)
    matches = E.Engine(engine.rules, "python", engine.consequences).run(pack, facts, policy)
    assert ("GNV-102", "failed", "karriartjanster") in {(m.rule_id, m.outcome, m.fact.data.get("area")) for m in matches}


@pytest.mark.skipif("durable" not in E.available_engines(), reason="durable-rules does not import here")
def test_the_durable_engine_evaluates_in_durable_rules(monkeypatch):
    engine, pack, policy, facts = _over_by_one_kr()

    def built_in(cond):
        raise AssertionError("the built-in evaluator compiled a condition for the durable engine")

    monkeypatch.setattr(E, "predicate", built_in)
    matches = E.Engine(engine.rules, "durable", engine.consequences).run(pack, facts, policy)
    assert ("GNV-102", "failed", "karriartjanster") in {(m.rule_id, m.outcome, m.fact.data.get("area")) for m in matches}


# --- choosing the evaluator, and durable-rules' message keys ----------------------------------


def test_the_engine_is_named_in_any_case_and_spacing(monkeypatch):
    monkeypatch.setenv("COMPLIANCE_ENGINE", " Python ")
    assert E.default_engine() == "python"
    monkeypatch.setenv("COMPLIANCE_ENGINE", "AUTO")
    assert E.default_engine() == ("durable" if "durable" in E.available_engines() else "python")
    monkeypatch.setenv("COMPLIANCE_ENGINE", "")
    monkeypatch.setattr(E, "_dre", None)  # where durable-rules does not import
    assert E.default_engine() == "python" and E.available_engines() == ("python",)
    monkeypatch.setenv("COMPLIANCE_ENGINE", "drools")
    with pytest.raises(E.InputError, match="'drools' is no engine: choose durable, python or auto"):
        E.default_engine()


def _reference_fnv1a_32(text: str) -> int:
    """FNV-1a over C's signed chars, as unsigned 32-bit arithmetic: a byte above 127 is
    sign-extended (0xFFFFFFxx) before the xor."""
    h = 2166136261
    for byte in text.encode("utf-8"):
        h = ((h ^ (0xFFFFFF00 | byte if byte > 127 else byte)) * 16777619) % 2**32
    return h


@pytest.mark.parametrize("text", ["", "a", "foobar", "0", "1999", "sid-17", "é", "Jämtland ÅÄÖ", "\x7f\x80"])
def test_fnv1a_32_is_the_c_engines_message_key(text):
    assert E.fnv1a_32(text) == _reference_fnv1a_32(text)
    if text in ("", "a", "foobar"):  # the published FNV-1a test vectors (ASCII: signedness does not show)
        assert E.fnv1a_32(text) == {"": 0x811C9DC5, "a": 0xE40C292C, "foobar": 0xBF9CF968}[text]


def test_a_session_id_never_hashes_like_an_engine_id_of_its_session():
    """The session's state message ``sid-<sid>`` and the facts ``"0"``…: one hash would meet in
    durable-rules' C heap. A session id whose hash is an engine id's below ``count`` is skipped."""
    sid, n = 3104980, 42848  # the first session id whose message hashes like an engine id below 100 000
    assert E.fnv1a_32(f"sid-{sid}") == E.fnv1a_32(str(n))
    E._engine_ids([E.Fact("t", f"f{k}", (), {}) for k in range(n + 1)])  # the shared table reaches n
    assert E._sid(iter([sid, sid + 1]), n + 1) == str(sid + 1)  # "n" is in this session: skipped
    assert E._sid(iter([sid, sid + 1]), n) == str(sid)  # the session's ids stop below n
    assert E._sid(iter([sid + 1]), n + 1) == str(sid + 1)
