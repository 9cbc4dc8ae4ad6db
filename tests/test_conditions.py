"""The condition language of rule files, clause by clause: what each form parses to,
what it refuses, which fields and pack figures it reads (found by mutation testing,
scripts/mutation.sh; engine tests run the parsed trees)."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance import conditions as C


@pytest.mark.parametrize(("text", "tree"), [
    ("planned > allocation", C.Compare("planned", ">", C.FieldRef("allocation"))),
    ("planned >= 5", C.Compare("planned", ">=", C.Const(5))),
    ("planned < -5", C.Compare("planned", "<", C.Const(-5))),
    ("planned <= 0", C.Compare("planned", "<=", C.Const(0))),
    ("area == 'nara-vard'", C.Compare("area", "==", C.Const("nara-vard"))),
    ('area == "nara vard"', C.Compare("area", "==", C.Const("nara vard"))),
    ("area == ''", C.Compare("area", "==", C.Const(""))),
    ("new != true", C.Compare("new", "!=", C.Const(True))),
    ("new == false", C.Compare("new", "==", C.Const(False))),
    ("name == null", C.Compare("name", "==", C.Const(None))),
    ("as_of > 2022-09-30", C.Compare("as_of", ">", C.Const(dt.date(2022, 9, 30)))),
    ("value < pack.targets.named_gp_share", C.Compare("value", "<", C.PackRef(("targets", "named_gp_share")))),
    ("x == pack.a-b.c_1", C.Compare("x", "==", C.PackRef(("a-b", "c_1")))),
    ("  planned   >   allocation  ", C.Compare("planned", ">", C.FieldRef("allocation"))),
    ("planned>allocation", C.Compare("planned", ">", C.FieldRef("allocation"))),
    ("responsible is missing", C.Exists("responsible", False)),
    ("responsible is present", C.Exists("responsible", True)),
    ("responsible  is   missing", C.Exists("responsible", False)),
    ("provider in ['private', 'mixed']", C.Member("provider", False, C.Const(("private", "mixed")))),
    ("provider not in ['private']", C.Member("provider", True, C.Const(("private",)))),
    ("provider not  in []", C.Member("provider", True, C.Const(()))),
    ("n in [1, -2, true, null, 2020-01-01]",
     C.Member("n", False, C.Const((1, -2, True, None, dt.date(2020, 1, 1))))),
    ("area not in pack.area_codes", C.Member("area", True, C.PackRef(("area_codes",)))),
    ("purpose not in pack.purposes[area]", C.Member("purpose", True, C.PackRef(("purposes",), "area"))),
])
def test_each_clause_form_parses_to_its_tree(text, tree):
    assert C.parse_clause(text) == tree
    assert C.parse(text) == tree


@pytest.mark.parametrize("text", [
    "planned >> allocation", "planned > ", "Planned > 1", "planned > 1.5", "planned = 1", "is missing",
    "responsible is absent", "provider in private", "provider in [private]", "x in ['a', b]",
    "value < pack.", "x > 'a", "1 > x", "planned > allocation extra", "",
])
def test_what_is_not_a_clause_is_refused_with_examples(text):
    with pytest.raises(C.ConditionError) as err:
        C.parse_clause(text)
    message = str(err.value)
    assert "'planned > allocation'" in message or "is not a literal value" in message


def test_a_non_literal_in_a_list_is_named():
    with pytest.raises(C.ConditionError, match=r"'b' in .* is not a literal value"):
        C.parse_clause("x in ['a', b]")


def test_conditions_nest_as_lists_all_and_any():
    a, b = C.Exists("a", True), C.Exists("b", False)
    assert C.parse(["a is present", "b is missing"]) == C.All((a, b))
    assert C.parse({"all": ["a is present", "b is missing"]}) == C.All((a, b))
    assert C.parse({"any": ["a is present", "b is missing"]}) == C.AnyOf((a, b))
    assert C.parse({"any": [{"all": ["a is present"]}, "b is missing"]}) == C.AnyOf((C.All((a,)), b))
    assert C.parse([]) == C.All(())


@pytest.mark.parametrize("spec", [
    {"all": []}, {"any": []}, {"some": ["a is present"]}, {"all": "a is present"},
    {"all": ["a is present"], "any": ["b is present"]}, 5, None, True,
])
def test_other_shapes_are_refused(spec):
    with pytest.raises(C.ConditionError, match="a condition is a clause, a list of clauses"):
        C.parse(spec)


def test_fields_are_every_fact_field_read_including_keys_of_pack_lookups():
    cond = C.parse({"any": [
        "planned > allocation", "responsible is missing", "purpose not in pack.purposes[area]",
        {"all": ["x == pack.y", "z in ['a']", "w < pack.t[k]"]},
    ]})
    assert C.fields(cond) == {"planned", "allocation", "responsible", "purpose", "area", "x", "z", "w", "k"}
    assert C.fields(C.parse("a > 1")) == {"a"}
    assert C.fields(C.parse("a not in pack.codes")) == {"a"}


def test_pack_refs_are_every_pack_figure_named_in_order():
    cond = C.parse([
        "a < pack.targets.x", "b is present", "c not in pack.purposes[area]", {"any": ["d == 1", "e in pack.codes"]},
    ])
    assert [r.text() for r in C.pack_refs(cond)] == ["pack.targets.x", "pack.purposes[area]", "pack.codes"]
    assert C.pack_refs(C.parse("a in ['x']")) == []
    assert C.pack_refs(C.parse("a > b")) == []


def test_lookup_finds_a_figure_or_says_which_part_is_missing():
    ns = {"targets": {"x": 0.5, "y": None}, "codes": ["a"], "_missing": {"targets.y": "no source"}}
    assert C.lookup(ns, ("targets", "x"), "pack.targets.x") == 0.5
    assert C.lookup(ns, ("codes",), "pack.codes") == ["a"]
    with pytest.raises(C.ConditionError, match=r"^pack.targets.z: the pack has no figure 'z'$"):
        C.lookup(ns, ("targets", "z"), "pack.targets.z")
    with pytest.raises(C.ConditionError, match="the pack has no figure 'x'"):
        C.lookup(ns, ("codes", "x"), "pack.codes.x")  # a list has no parts
    with pytest.raises(C.Missing) as missing:
        C.lookup(ns, ("targets", "y"), "pack.targets.y")
    assert missing.value.ref == "pack.targets.y" and missing.value.reason == "no source"
    assert str(missing.value) == "pack.targets.y"
    with pytest.raises(C.Missing) as missing:
        C.lookup({"y": None}, ("y",), "pack.y")
    assert missing.value.reason is None


def test_a_pack_ref_reads_back_as_written():
    assert C.PackRef(("targets", "x")).text() == "pack.targets.x"
    assert C.PackRef(("purposes",), "area").text() == "pack.purposes[area]"


def test_an_unreadable_clause_is_told_what_a_clause_looks_like():
    with pytest.raises(C.ConditionError) as err:
        C.parse_clause("planned >> allocation")
    assert str(err.value) == (
        "cannot read the clause 'planned >> allocation'; write e.g. 'planned > allocation', "
        "'responsible is missing' or \"provider in ['private', 'mixed']\""
    )
    assert err.value.text.sv == (
        "villkoret 'planned >> allocation' går inte att läsa; skriv t.ex. 'planned > allocation', "
        "'responsible is missing' eller \"provider in ['private', 'mixed']\""
    )
