"""The ``pack.…`` names a rule may read (engine.py's ``namespace``), each from the pack of the
shipped rules folder: what a condition reading it compiles to, what a message naming it reads,
and, where the pack cannot give the figure, the reason a rule reading it is not evaluated.

Each test computes the namespace itself (``namespace()``, or a fresh :class:`Engine`): an
Engine compiles a pack once, so a test reading a shared Checker's namespace would never see it
computed again (and mutmut would not credit it to ``namespace``)."""

import datetime as dt

import pytest

from compliance import conditions as C
from compliance import engine as E
from compliance.facts import Fact
from compliance.i18n import say
from compliance.packs import Target
from compliance.rules import render

JH, VB = "Region Jämtland Härjedalen", "Region Västerbotten"  # with a regional pack; without one
PROVIDERS = {"$or": [{"f": "mixed"}, {"f": "private"}]}
NEVER = {"$and": [{"$ex": {"f": 1}}, {"$nex": {"f": 1}}]}  # ``f in []``: holds on no fact
AREAS_2022 = ["ambulans", "e-halsa", "karriartjanster", "nara-vard", "vardens-medarbetare", "vfu", "vidareutbildning"]


def _ns(checker, agreement, region, pack=None):
    book = checker.book
    consequences = {name for p in book.agreements.values() for name in p.consequences}
    return E.namespace(pack or book.agreement(agreement), book.policy(region), consequences)


def _one_of(values):
    return {"$or": [{"f": v} for v in values]}


@pytest.mark.parametrize(("agreement", "region", "clause", "compiled"), [
    ("gnv-2022", JH, "f == pack.id", {"f": "gnv-2022"}),
    ("gnv-2022", JH, "f == pack.year", {"f": 2022}),
    ("gnv-2022", JH, "f >= pack.year_start", {"$gte": {"f": dt.date(2022, 1, 1).toordinal()}}),
    ("gnv-2022", JH, "f > pack.year_end", {"$gt": {"f": dt.date(2022, 12, 31).toordinal()}}),
    ("gnv-2022", JH, "f in pack.area_codes", _one_of(AREAS_2022)),
    ("gnv-2022", JH, "f in pack.earmarked_areas", _one_of(["karriartjanster", "vidareutbildning"])),
    ("gnv-2022", JH, "f < pack.targets.named_gp_share", {"$lt": {"f": 0.55}}),
    ("gnv-2022", JH, "f != pack.policy.followup_system", {"$neq": {"f": "Stratsys Nationella satsningar"}}),
    # GNV-206: the agreement's areas (Nära vård), and every area where the region's pack says so
    ("gnv-2022", VB, "f in pack.private_provider_areas", _one_of(["nara-vard"])),
    ("gnv-2022", JH, "f in pack.private_provider_areas", _one_of(AREAS_2022)),
    # GNV-205's halves: the contract where the year's agreement requires it (2022, not 2020),
    # reporting on request where the region's pack requires it (Jämtland Härjedalen's)
    ("gnv-2022", VB, "f in pack.private_contract_from", PROVIDERS),
    ("gnv-2020", JH, "f in pack.private_contract_from", NEVER),
    ("gnv-2022", JH, "f in pack.private_reports_from", PROVIDERS),
    ("gnv-2022", VB, "f in pack.private_reports_from", NEVER),
])
def test_a_condition_reading_a_pack_name_compiles_to_the_packs_figure(checker, agreement, region, clause, compiled):
    assert E._compile(C.parse_clause(clause), _ns(checker, agreement, region)) == compiled


def test_the_private_provider_areas_of_an_all_areas_region_are_the_agreements_and_every_area(checker):
    """The union of the agreement's list and the year's areas: an area the agreement names
    beyond its own areas stays in it."""
    pack = checker.book.agreement("gnv-2022")
    pack = pack.model_copy(update={"private_provider_areas": ["nara-vard", "tandvard"]})
    assert _ns(checker, "gnv-2022", JH, pack)["private_provider_areas"] == sorted([*AREAS_2022, "tandvard"])
    assert _ns(checker, "gnv-2022", VB, pack)["private_provider_areas"] == ["nara-vard", "tandvard"]


@pytest.mark.parametrize(("agreement", "sv", "en"), [
    ("gnv-2022", "Frist. Rätten till bidraget förfaller om rekvisitionen inte inkommit i tid. (003 §10.1)",
     "Due. The right to the grant lapses if the requisition is not received in time. (003 §10.1)"),
    ("gnv-2023", "Frist.", "Due."),  # 2023's sources state no consequence: the name reads as nothing
])
def test_a_message_reads_the_consequence_its_years_source_states_or_nothing(checker, agreement, sv, en):
    ns = _ns(checker, agreement, VB)
    assert render("Frist.{pack.consequence.requisition}", {}, ns, "sv") == sv
    assert render("Due.{pack.consequence.requisition}", {}, ns, "en") == en


# --- a figure the pack cannot give: the rule reading it is not evaluated, with the reason --------


def _not_evaluated(checker, rule_id, when, pack, region, fact, engine="python"):
    """The reasons of the one match of ``rule_id`` (its condition replaced by ``when``) on ``fact``."""
    rule = checker.book.by_id[rule_id].model_copy(update={"when": when, "applies_when": None})
    pack = pack.model_copy(update={"applies": {**pack.applies, rule_id: rule.source},
                                   "excluded_rules": {k: v for k, v in pack.excluded_rules.items() if k != rule_id}})
    (match,) = E.Engine([rule], engine).run(pack, [fact], checker.book.policy(region))
    assert (match.rule_id, match.outcome, match.fact) == (rule_id, "not-evaluated", fact)
    return match.reasons


INDICATOR = Fact("indicator", "i", ("indicators", "named_gp_share"), {"indicator": "named_gp_share", "value": 0.4})


def test_a_target_the_pack_leaves_null_gives_the_packs_reason(checker):
    pack = checker.book.agreement("gnv-2020")
    assert _not_evaluated(checker, "GNV-501", "value < pack.targets.named_gp_share", pack, JH, INDICATOR) == (
        say("ingen källa anger ett mål för 2020 för andelen med namngiven fast läkarkontakt",
            "no seed gives a 2020 target for the share with a named regular GP"),
    )


def test_a_null_target_without_a_reason_is_said_to_be_missing_from_the_pack(checker):
    pack = checker.book.agreement("gnv-2022")
    pack = pack.model_copy(update={"targets": {**pack.targets, "named_gp_share": Target()}})
    assert _not_evaluated(checker, "GNV-501", "value < pack.targets.named_gp_share", pack, JH, INDICATOR) == (
        say("gnv-2022 anger inget mål named_gp_share", "gnv-2022 gives no target named_gp_share"),
    )
    # the other targets are there
    ns = _ns(checker, "gnv-2022", JH, pack)
    assert ns["targets"] == {"named_gp_share": None, "nursing_home_gp_share": 0.8,
                             "continuity_index_change": 0.2, "continuity_index_total_change": 0.2}


@pytest.mark.parametrize("engine", E.available_engines())
def test_the_rules_after_one_reading_a_null_figure_are_evaluated(checker, engine):
    book = checker.book
    rules = [book.by_id["GNV-501"].model_copy(update={"when": "value < pack.targets.named_gp_share"}),
             book.by_id["GNV-502"].model_copy(update={"applies_when": None, "when": "value < 1"})]
    pack = book.agreement("gnv-2020")
    pack = pack.model_copy(update={"applies": {**pack.applies, **{r.id: r.source for r in rules}},
                                   "excluded_rules": {k: v for k, v in pack.excluded_rules.items()
                                                      if k not in ("GNV-501", "GNV-502")}})
    matches = E.Engine(rules, engine).run(pack, [INDICATOR], book.policy(JH))
    assert [(m.rule_id, m.outcome, m.fact.id) for m in matches] == [("GNV-501", "not-evaluated", "i"),
                                                                    ("GNV-502", "failed", "i")]


@pytest.mark.parametrize("engine", E.available_engines())
def test_the_regions_followup_system_without_a_regional_pack_is_not_evaluated_naming_why(checker, engine):
    """An agreement's rule reading a regional figure, for a region without a regional pack."""
    activity = Fact("activity", "a", ("areas", 0, "activities", 0), {"activity": "a", "followup_system": "Excel"})
    reasons = _not_evaluated(checker, "GNV-207", "followup_system != pack.policy.followup_system",
                             checker.book.agreement("gnv-2022"), VB, activity, engine)
    assert reasons == (say("regelmappen har inget regionalt villkorspaket (policy.yaml) för regionen",
                           "no regional pack (policy.yaml) for the region in the rules folder"),)


# --- a rule its year does not apply --------------------------------------------------------


def test_the_reason_a_year_does_not_apply_a_rule_names_the_year_and_the_packs_reason(checker):
    pack = checker.book.agreement("gnv-2020")
    assert E.not_applied_reason(pack, "GNV-104") == say(
        "ingen källa för 2020 anger detta villkor (återbetalningen av oplanerade medel står i 003 §10.1 (2022); "
        "ingen källa för 2020 anger den)",
        "no source of 2020 states this condition (the repayment of unplanned funds is 003 §10.1 (2022); "
        "no 2020 source states it)",
    )
    # a reason given as one plain text: the English names it, the Swedish does not guess a translation
    plain = pack.model_copy(update={"excluded_rules": {**pack.excluded_rules, "GNV-104": "see 003 §10.1"}})
    assert E.not_applied_reason(plain, "GNV-104") == say(
        "ingen källa för 2020 anger detta villkor", "no source of 2020 states this condition (see 003 §10.1)")


# --- keyed lists, and the names in a condition's errors -----------------------------------------


@pytest.mark.parametrize("clause", ["f in pack.purposes[area]", "f not in pack.purposes[area]"])
def test_a_keyed_list_over_an_empty_mapping_compiles_to_a_clause_that_never_holds(clause):
    """As for an area the mapping lacks: neither ``in`` nor ``not in`` holds (and no empty ``$or``
    reaches durable-rules)."""
    cond = E._compile(C.parse_clause(clause), {"purposes": {}})
    assert cond == NEVER
    test = E.predicate(cond)
    assert [test(m) for m in ({"area": "vfu", "f": "x"}, {"f": "x"}, {"area": "vfu"})] == [False, False, False]


def test_a_list_name_the_pack_lacks_is_named_in_the_error_and_a_null_one_is_missing():
    ns = {"purposes": {"vfu": ["x"]}, "targets": {"share": None}, "_missing": {}}
    with pytest.raises(C.ConditionError) as error:
        E._compile(C.parse_clause("f in pack.nothing"), ns)
    assert error.value.text == say("pack.nothing: paketet har ingen siffra 'nothing'",
                                   "pack.nothing: the pack has no figure 'nothing'")
    with pytest.raises(C.ConditionError) as error:
        E._compile(C.parse_clause("f not in pack.nothing[area]"), ns)
    assert error.value.text.en == "pack.nothing[area]: the pack has no figure 'nothing'"
    with pytest.raises(C.Missing) as missing:
        E._compile(C.parse_clause("f in pack.targets.share"), ns)
    assert missing.value.ref == "pack.targets.share"


# --- a rule over several fact kinds ------------------------------------------------------------


@pytest.mark.parametrize("engine", E.available_engines())
def test_a_rule_over_two_fact_kinds_matches_a_fact_of_either(checker, engine):
    rule = checker.book.by_id["GNV-301"].model_copy(update={"applies_when": None, "when": "moved > 0"})
    assert rule.facts == ("revision-area", "revision-activity")
    facts = [Fact("revision-area", "ra", ("areas", 0), {"moved": 5}),
             Fact("revision-activity", "rb", ("areas", 0, "activities", 0), {"moved": 5}),
             Fact("revision-activity", "rc", ("areas", 0, "activities", 1), {"moved": 0})]
    matches = E.Engine([rule], engine).run(checker.book.agreement("gnv-2020"), facts, checker.book.policy(JH))
    assert [(m.rule_id, m.outcome, m.fact.id) for m in matches] == [("GNV-301", "failed", "ra"),
                                                                    ("GNV-301", "failed", "rb")]
