"""The library's batch entry points (check.py) and the finding factory (evaluation.py), through
Checker and its helpers on small plans: which files a folder yields, duplicate plan ids, the
order and the notes of results, the roots a run restores, not-evaluated messages."""

from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path

import pytest

from compliance.check import (
    Checker,
    collect_paths,
    display_name,
    duplicate_plan_ids,
    supersedes_roots,
    tuned_gc,
)
from compliance.engine import available_engines
from compliance.errors import InputError
from compliance.gate import Gate
from compliance.plans import plan_from_data

REGION = "Region Jämtland Härjedalen"
AS_OF = dt.date(2020, 4, 1)


def plan_text(plan_id: str, amount: int = 1266508) -> str:
    return (f"plan: {{id: {plan_id}, region: {REGION}, agreement: gnv-2020}}\n"
            "areas:\n  - area: karriartjanster\n    allocation: 1266508\n    responsible: HR\n"
            f"    activities:\n      - {{id: a, amount: {amount}, responsible: HR}}\n")


# --- which files a folder yields ---------------------------------------------------------


def test_a_folder_yields_its_plans_but_not_the_gates_hidden_or_lock_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.yaml", "a.yml", "sub/c.YAML", "compliance-waivers.yaml", "compliance-waivers.yml",
                 ".hidden.yaml", ".github/w.yaml", "sub/.x/d.yaml", "~$lock.xlsx", "notes.txt", "e.json"):
        Path("plans", name).parent.mkdir(parents=True, exist_ok=True)
        Path("plans", name).write_text("x", "utf-8")
    Path("plans/folder.yaml").mkdir()  # a folder named like a plan is no plan
    assert [d for _, d in collect_paths(["plans"])] == ["plans/a.yml", "plans/b.yaml", "plans/sub/c.YAML"]
    assert [p for p, _ in collect_paths(["plans"])] == [Path("plans/a.yml"), Path("plans/b.yaml"),
                                                         Path("plans/sub/c.YAML")]
    # a file is taken as given, whatever its name
    assert collect_paths(["plans/notes.txt", "plans"])[0] == (Path("plans/notes.txt"), "plans/notes.txt")


def test_a_folder_without_plans_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    Path("empty/compliance-waivers.yaml").write_text("waivers: []\n", "utf-8")
    with pytest.raises(InputError) as error:
        collect_paths(["empty"])
    (issue,) = error.value.issues
    assert (issue.file, issue.message, issue.says.sv) == (
        "empty", "no plan files (*.yaml, *.yml, *.xlsx) in this folder", "inga planfiler (*.yaml, *.yml, *.xlsx) i mappen")
    # the second folder is empty even though the first is not
    Path("full").mkdir()
    Path("full/p.yaml").write_text("x", "utf-8")
    with pytest.raises(InputError, match="no plan files"):
        collect_paths(["full", "empty"])


def test_a_link_out_of_the_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plans").mkdir()
    Path("secret.yaml").write_text("x", "utf-8")
    Path("plans/p.yaml").symlink_to(tmp_path / "secret.yaml")
    with pytest.raises(InputError) as error:
        collect_paths(["plans"])
    (issue,) = error.value.issues
    assert issue.file == "plans/p.yaml"
    assert issue.message == "a link to a file outside plans; refusing to read it"
    assert issue.says.sv == "en länk till en fil utanför plans; läses inte"
    Path("plans/p.yaml").unlink()
    Path("plans/q.yaml").write_text("x", "utf-8")
    Path("plans/r.yaml").symlink_to(tmp_path / "plans" / "q.yaml")  # a link inside is a plan
    assert [d for _, d in collect_paths(["plans"])] == ["plans/q.yaml", "plans/r.yaml"]


def test_paths_are_shown_relative_to_the_current_folder_as_given_outside(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plans").mkdir()
    Path("plans/p.yaml").write_text("x", "utf-8")
    assert display_name(str(tmp_path / "plans" / "p.yaml")) == "plans/p.yaml"
    assert display_name("plans/p.yaml") == "plans/p.yaml"
    assert display_name("/elsewhere/p.yaml") == "/elsewhere/p.yaml"
    assert [d for _, d in collect_paths([str(tmp_path / "plans")])] == ["plans/p.yaml"]
    assert supersedes_roots(["plans", "plans/p.yaml"]) == [tmp_path / "plans", tmp_path / "plans"]


# --- duplicate plan ids --------------------------------------------------------------------


def _ids(tmp_path: Path, *texts: str) -> list[tuple[str, str]]:
    files = []
    for n, text in enumerate(texts):
        path = tmp_path / f"p{n}.yaml"
        path.write_text(text, "utf-8")
        files.append((path, f"p{n}.yaml"))
    return [(i.file, i.message) for i in duplicate_plan_ids(files)]


def test_two_files_with_one_plan_id_are_both_named(tmp_path):
    for name, plan_id in (("b.yaml", "x"), ("a.yaml", "x"), ("c.yaml", "y")):
        (tmp_path / name).write_text(plan_text(plan_id), "utf-8")
    issues = duplicate_plan_ids([(tmp_path / n, n) for n in ("b.yaml", "a.yaml", "c.yaml")])
    assert [(i.file, i.line, i.column, i.field) for i in issues] == [
        ("a.yaml", None, None, "plan.id"), ("b.yaml", None, None, "plan.id")]
    assert issues[0].message == ("plan.id 'x' is also the id of b.yaml; plan ids are unique in a run "
                                 "(waivers and baselines match by plan id)")
    assert issues[0].says.sv == ("plan.id 'x' är också id för b.yaml; plan-id:n är unika i en körning "
                            "(dispenser och baslinjer matchas på plan-id)")
    assert issues[1].message.startswith("plan.id 'x' is also the id of a.yaml;")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("plan: {id: x}\n", "plan: {id: x}\n", True),
        ("plan: {id: '  x '}\n", "plan:\n  id: x\n", True),  # stripped
        ("plan: {region: {id: y}, id: x}\n", "plan: {id: x}\n", True),  # a nested mapping closes first
        ("plan: {agreement: id, id: x}\n", "plan: {id: x}\n", True),  # a value 'id' is no key
        ("plan: {tags: [id, x], id: x}\n", "plan: {id: x}\n", True),
        ("other: 1\nplan: {id: x}\n", "plan: {id: x}\n", True),
        ("id: x\nplan: {id: z}\n", "plan: {id: x}\n", False),  # a top-level id is not the plan's
        ("plan: {meta: {id: x}}\n", "plan: {id: x}\n", False),  # nor one nested in the plan
        ("plan: {region: r}\nid: x\n", "plan: {id: x}\n", False),  # nor one after the plan closed
        ("plan: [id, x]\n", "plan: {id: x}\n", False),
        ("x: {plan: {id: x}}\n", "plan: {id: x}\n", False),
        ("- plan\n- {id: x}\n", "plan: {id: x}\n", False),  # a list is no plan, though it reads alike
        ("[plan, {id: x}]\n", "plan: {id: x}\n", False),
        ("a: &a {id: x}\nplan: {region: *a, id: x}\n", "plan: {id: x}\n", True),
        ("plan: {region: {a: b], id: x}\n", "plan: {id: x}\n", False),  # not YAML: reported when checked
        ("plan: {id: ''}\n", "plan: {id: ''}\n", False),  # no id
        # nested past the loader's bound: refused before parsing, though the id comes first
        ("plan: {id: x}\nd: " + "[" * 1100 + "]" * 1100 + "\n", "plan: {id: x}\n", False),
    ],
)
def test_the_plan_id_read_from_a_files_head(tmp_path, first, second, same):
    issues = _ids(tmp_path, first, second)
    assert bool(issues) is same, issues
    if same:
        assert [file for file, _ in issues] == ["p0.yaml", "p1.yaml"]
        assert issues[0][1].startswith("plan.id 'x' is also the id of p1.yaml")


def test_the_plan_id_is_read_by_the_checks_own_parser(tmp_path):
    """A tab after a colon: libyaml, which the check parses with, reads it; PyYAML's pure-Python
    parser refuses it. The head is read as the check reads the file: a plan the check reads
    with id x shares x with another."""
    from compliance.plans import load_plan

    tabbed = f"plan:\n  region:\t{REGION}\n  id: x\n  agreement: gnv-2020\nareas: []\n"
    issues = _ids(tmp_path, tabbed, plan_text("x"))
    try:
        read = load_plan(tmp_path / "p0.yaml", "p0.yaml").plan.plan.id
    except InputError:  # PyYAML without libyaml: neither reads the file
        read = None
    assert [file for file, _ in issues] == (["p0.yaml", "p1.yaml"] if read == "x" else [])


def test_every_shared_id_is_found_past_unreadable_files_and_ids_of_one_file(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"\xff\xfe" + plan_text("x").encode("utf-16-le"))
    for name, plan_id in (("y.yaml", "y"), ("x1.yaml", "x"), ("x2.yaml", "x")):
        (tmp_path / name).write_text(plan_text(plan_id), "utf-8")
    files = [(tmp_path / n, n) for n in ("bad.yaml", "y.yaml", "x1.yaml", "x2.yaml")]
    assert [i.file for i in duplicate_plan_ids(files)] == ["x1.yaml", "x2.yaml"]


def test_plan_heads_are_read_within_max_bytes(tmp_path):
    files = []
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(plan_text("x"), "utf-8")
        files.append((tmp_path / name, name))
    size = (tmp_path / "a.yaml").stat().st_size
    assert [i.file for i in duplicate_plan_ids(files, max_bytes=size)] == ["a.yaml", "b.yaml"]
    assert duplicate_plan_ids(files, max_bytes=size - 1) == []  # too large: reported when checked


def test_an_unreadable_file_is_left_to_the_check(tmp_path):
    (tmp_path / "a.yaml").write_text(plan_text("x"), "utf-8")
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe" + plan_text("x").encode("utf-16-le"))
    files = [(tmp_path / "a.yaml", "a.yaml"), (tmp_path / "b.yaml", "b.yaml"), (tmp_path / "c.yaml", "c.yaml")]
    assert duplicate_plan_ids(files) == []
    assert duplicate_plan_ids(files, max_bytes=10) == []


# --- Checker --------------------------------------------------------------------------------


def test_a_region_without_its_own_pack_gets_a_note_in_its_language():
    data = {"plan": {"id": "p", "region": "Region Gotland", "agreement": "gnv-2020"},
            "areas": [{"area": "karriartjanster", "activities": [{"id": "a", "amount": 1}]}]}
    en = Checker(lang="en").check_plan(plan_from_data(data), AS_OF)
    assert en.notes == ["No regional conditions were found for Region Gotland: the plan is checked "
                        "against the agreement alone"]
    sv = Checker(lang="sv").check_plan(plan_from_data(data), AS_OF)
    assert sv.notes == ["Inga regionala villkor finns för Region Gotland: planen prövas bara mot överenskommelsen"]
    data["plan"]["region"] = REGION
    assert Checker(lang="en").check_plan(plan_from_data(data), AS_OF).notes == []


def test_check_plan_gives_the_planned_amount_and_allocation_by_area(checker):
    data = {"plan": {"id": "p", "region": REGION, "agreement": "gnv-2020"},
            "areas": [{"area": "karriartjanster", "allocation": 10,
                       "activities": [{"id": "a", "amount": 4}, {"id": "b", "amount": 3}]},
                      {"area": "vfu", "activities": [{"id": "c", "amount": 5}]}]}
    result = checker.check_plan(plan_from_data(data, "p.yaml"), AS_OF)
    assert result.planned_by_area["karriartjanster"] == (7, 10)
    assert result.planned_by_area["vfu"][0] == 5
    assert (result.file, result.plan, result.agreement, result.region) == ("p.yaml", "p", "gnv-2020", REGION)
    assert result.rules_applied == checker.engine.rules_applied(checker.book.agreement("gnv-2020"),
                                                                checker.book.policy(REGION))


def test_a_batch_is_in_name_order_with_progress_and_sorted_unique_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.yaml", "a.yaml"):
        Path(name).write_text(plan_text(name[0]), "utf-8")
    Path("z.yaml").write_text("plan: [\n", "utf-8")
    Path("y.yaml").write_text("- 1\n", "utf-8")
    files = [(Path(n), n) for n in ("z.yaml", "b.yaml", "y.yaml", "a.yaml")]
    seen = []
    checker = Checker(lang="en")
    run = checker.check_files(files, AS_OF, progress=lambda n, total: seen.append((n, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [r.file for r in run.results] == ["a.yaml", "b.yaml"]
    assert [e.file for e in run.errors] == ["y.yaml", "z.yaml"]
    assert run.errors == sorted(set(run.errors), key=lambda i: (i.file, i.line or 0, i.column or 0, i.message))
    assert run.exit_status == 2
    assert [type(o).__name__ for o in checker.iter_files(files, AS_OF)] == ["PlanResult", "PlanResult",
                                                                              "list", "list"]


def test_check_paths_restores_the_checkers_roots(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plans").mkdir()
    Path("plans/p.yaml").write_text(plan_text("p", 1266509), "utf-8")
    checker = Checker(lang="en")
    run = checker.check_paths(["plans"], AS_OF)
    assert checker.roots is None
    assert "GNV-102" in [f.rule for f in run.findings() if f.outcome == "failed"]
    assert run.exit_status == 1
    checker.roots = [tmp_path]
    checker.check_paths(["plans"], AS_OF, gate=Gate(fail_on="never"))
    assert checker.roots == [tmp_path]


def test_a_run_of_one_checker_shares_the_rules_not_the_plans(checker, tmp_path):
    run = checker.for_run([tmp_path])
    assert run.roots == [tmp_path] and run.book is checker.book and run.engine is checker.engine
    assert run.plans is not checker.plans and checker.roots is None


def test_tuned_gc_restores_the_collector():
    before = gc.get_threshold()
    with tuned_gc():
        assert gc.get_threshold() == (50_000, 50, 100)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), tuned_gc():
        raise RuntimeError
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


# --- the evaluator and the finding factory ---------------------------------------------------


def test_an_unknown_agreement_names_its_line_and_the_known_ones(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(f"plan:\n  id: p\n  region: {REGION}\n  agreement: gnv-2021\nareas: []\n", "utf-8")
    result = Checker(lang="en").check_one(path, "p.yaml", AS_OF)
    assert isinstance(result, list)
    (issue,) = result
    assert (issue.file, issue.line, issue.column, issue.field) == ("p.yaml", 4, 3, "plan.agreement")
    assert issue.message.startswith("unknown agreement 'gnv-2021'")
    assert issue.message.endswith("; the rules folder has: gnv-2020, gnv-2022, gnv-2023")
    assert issue.says.sv.startswith("okänd överenskommelse 'gnv-2021'")
    assert issue.says.sv.endswith("; regelmappen har: gnv-2020, gnv-2022, gnv-2023")


@pytest.mark.parametrize(("lang", "prefix"), [("en", "not evaluated: "), ("sv", "ej bedömd: ")])
def test_a_rule_not_evaluated_says_why_once_in_its_language(lang, prefix):
    """gnv-2023 gives no area allocations: GNV-103 is not evaluated on each area, with the
    pack's reason once however many fields it lacks, and no values the plan does not state."""
    checker = Checker(lang=lang)
    data = {"plan": {"id": "p", "region": REGION, "agreement": "gnv-2023"},
            "areas": [{"area": "karriartjanster", "activities": [{"id": "a", "amount": 4}]}]}
    result = checker.check_plan(plan_from_data(data), dt.date(2024, 6, 1))
    (finding,) = [f for f in result.findings if f.rule == "GNV-103"]
    assert finding.outcome == "not-evaluated"
    assert finding.message.startswith(prefix)
    reasons = finding.message[len(prefix):].split("; ")
    assert reasons and len(reasons) == len(set(reasons))
    assert None not in finding.values.values()
    assert finding.title == checker.book.by_id["GNV-103"].title.get(lang)
    assert finding.area == "karriartjanster" and finding.location.path == "areas[0]"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_rule_its_year_does_not_state_is_reported_on_the_plan_without_the_plans_fields(lang):
    """gnv-2020 states no repayment of unplanned funds: GNV-104 (an area rule) is not evaluated
    on the plan, with the year's reason in the run's language and none of the plan's figures
    (the plan's planned and allocation are not the area's values the rule shows)."""
    checker = Checker(lang=lang)
    data = {"plan": {"id": "p", "region": REGION, "agreement": "gnv-2020"},
            "areas": [{"area": "karriartjanster", "allocation": 1266508,
                       "activities": [{"id": "a", "amount": 1266508}]}]}
    loaded = plan_from_data(data)
    evaluation = checker.evaluator.evaluate(loaded, AS_OF)
    (match,) = [m for m in evaluation.matches if m.rule_id == "GNV-104"]
    assert match.fact.kind == "plan" and {"planned", "allocation"} <= set(match.fact.data)
    (why,) = match.reasons
    (finding,) = [f for f in checker.factory.findings(evaluation) if f.rule == "GNV-104"]
    assert finding.outcome == "not-evaluated" and finding.values == {}
    assert finding.location.path == "plan"
    prefix = "not evaluated: " if lang == "en" else "ej bedömd: "
    assert finding.message == prefix + why.get(lang)
    assert why.en.startswith("no source of 2020 states this condition (") and why.sv != why.en


def test_a_not_evaluated_finding_names_each_distinct_reason_once_in_order():
    from compliance.engine import Match
    from compliance.i18n import say

    checker = Checker(lang="en")
    data = {"plan": {"id": "p", "region": REGION, "agreement": "gnv-2023"},
            "areas": [{"area": "karriartjanster", "activities": [{"id": "a", "amount": 4}]}]}
    evaluation = checker.evaluator.evaluate(plan_from_data(data), dt.date(2024, 6, 1))
    (area,) = [f for f in evaluation.facts if f.kind == "area"]
    first, second = say("första", "first"), say("andra", "second")
    match = Match("GNV-103", "not-evaluated", area, (first, second, first))
    namespace = checker.engine.namespace(evaluation.pack, evaluation.policy)
    finding = checker.factory.finding(evaluation.loaded, match, namespace)
    assert finding.message == "not evaluated: first; second"


def test_a_finding_names_the_fact_it_is_about_so_a_diff_marks_its_row(checker):
    """`compliance diff` marks the areas a move breaks by the findings' subjects (the facts' ids)."""
    from compliance.plans import load_plan
    from compliance.revisions import diff

    root = Path(__file__).resolve().parent.parent
    old = load_plan(root / "plans" / "rjh-gnv-2020.yaml", "old.yaml")
    new = load_plan(root / "examples" / "revisions" / "rjh-gnv-2020-v2-e-halsa.yaml", "new.yaml")
    rows = diff(checker, old, new, AS_OF).rows
    assert {r.activity or r.area: r.forbidden for r in rows if r.forbidden} == {
        "nara-vard": ["GNV-302"], "e-halsa": ["GNV-302"]}


def test_a_workbook_plans_findings_name_their_sheet_and_cell(checker):
    root = Path(__file__).resolve().parent.parent
    result = checker.check_one(root / "plans" / "rjh-gnv-2020.xlsx", "p.xlsx", AS_OF)
    assert not isinstance(result, list) and result.findings
    sheet = {"plan": "Plan!", "areas": "Områden!", "activities": "Aktiviteter!"}
    for f in result.findings:
        last = f.location.path.rsplit(".", 1)[-1].split("[")[0]
        assert f.location.cell is not None and f.location.cell.startswith(sheet[last]), f
    cells = {(f.rule, f.location.path): f.location.cell for f in result.findings}
    assert cells[("GNV-102", "areas[5]")] == "Områden!A7" and cells[("GNV-104", "plan")] == "Plan!A1"


def test_a_finding_cites_its_rules_sources_document_section_and_quote(checker):
    result = checker.check_one(Path(__file__).resolve().parent.parent / "plans" / "rjh-gnv-2020.xlsx",
                               "p.xlsx", AS_OF)
    assert not isinstance(result, list)
    (first, *_) = [f for f in result.findings if f.rule == "GNV-102"]
    cited = [(s.document, s.section, s.quote) for s in first.sources]
    assert cited == [(s.document, s.section, s.quote) for s in checker.book.by_id["GNV-102"].source]
    assert [c[:2] for c in cited] == [("003", "§8"), ("001", "§2.1.3")] and all(c[2] for c in cited)


def test_an_unknown_agreement_suggests_the_near_one_in_each_language_and_names_its_cell(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(Path(__file__).resolve().parent.parent / "plans" / "rjh-gnv-2020.xlsx")
    assert book["Plan"]["A5"].value == "Överenskommelse"
    book["Plan"]["B5"] = "GNV-2020"
    book.save(tmp_path / "p.xlsx")
    result = Checker(lang="en").check_one(tmp_path / "p.xlsx", "p.xlsx", AS_OF)
    assert isinstance(result, list)
    (issue,) = result
    assert (issue.file, issue.cell, issue.field) == ("p.xlsx", "Plan!B5", "plan.agreement")
    assert issue.says.en == ("unknown agreement 'GNV-2020'; did you mean 'gnv-2020'?; "
                             "the rules folder has: gnv-2020, gnv-2022, gnv-2023")
    assert issue.says.sv == ("okänd överenskommelse 'GNV-2020'; menar du 'gnv-2020'?; "
                             "regelmappen har: gnv-2020, gnv-2022, gnv-2023")


# --- workbooks in a batch, error order, roots --------------------------------------------------


def _workbook(tmp_path: Path, name: str, plan_id: object, amount: int | None = None) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(Path(__file__).resolve().parent.parent / "plans" / "rjh-gnv-2020.xlsx")
    assert book["Plan"]["A2"].value == "Plan-id"
    book["Plan"]["B2"] = plan_id
    if amount is not None:
        assert book["Aktiviteter"]["D2"].value is not None
        book["Aktiviteter"]["D2"] = amount
    book.save(tmp_path / name)
    return tmp_path / name


def test_a_workbooks_plan_id_counts_for_duplicates_but_its_yaml_twin_does_not(tmp_path):
    root = Path(__file__).resolve().parent.parent
    twin = [(root / "plans" / "rjh-gnv-2020.yaml", "p.yaml"), (root / "plans" / "rjh-gnv-2020.xlsx", "p.xlsx")]
    assert duplicate_plan_ids(twin) == []  # one plan in two formats
    upper = _workbook(tmp_path, "P.XLSX", "rjh-gnv-2020")
    assert duplicate_plan_ids([twin[0], (upper, "P.XLSX")]) == []  # the suffix in any case
    other = _workbook(tmp_path, "o.xlsx", "  x ", amount=1)
    (tmp_path / "x.yaml").write_text(plan_text("x"), "utf-8")
    issues = duplicate_plan_ids([(other, "o.xlsx"), (tmp_path / "x.yaml", "x.yaml")])
    assert [(i.file, i.message.split(";")[0]) for i in issues] == [
        ("o.xlsx", "plan.id 'x' is also the id of x.yaml"), ("x.yaml", "plan.id 'x' is also the id of o.xlsx")]
    assert duplicate_plan_ids([(other, "o.xlsx"), (tmp_path / "x.yaml", "x.yaml")], max_bytes=1000) == []
    blank = [(_workbook(tmp_path, f"{n}.xlsx", None, amount=n), f"{n}.xlsx") for n in (1, 2)]
    assert duplicate_plan_ids(blank) == []  # no id is no shared id (the check reports it)


def test_errors_are_ordered_by_file_line_and_column_before_message():
    from compliance.check import issue_order
    from compliance.errors import Issue
    from compliance.i18n import say

    issues = [Issue("f", 10, 1, say("a", "a")), Issue("f", 2, 9, say("c", "c")), Issue("f", 2, 3, say("d", "d")),
              Issue("f", None, None, say("z", "z")), Issue("e", 99, 9, say("z", "z")),
              Issue("f", 1, None, say("a", "a")), Issue("f", 2, None, say("z", "z")), Issue("f", 2, 1, say("a", "a"))]
    ordered = sorted(issues, key=issue_order)  # no line or column: before line 1, column 1
    assert [(i.file, i.line, i.column) for i in ordered] == [
        ("e", 99, 9), ("f", None, None), ("f", 1, None), ("f", 2, None), ("f", 2, 1), ("f", 2, 3), ("f", 2, 9), ("f", 10, 1)]


def test_a_run_of_one_checker_checks_plans(checker, tmp_path):
    (tmp_path / "p.yaml").write_text(plan_text("p", 1266509), "utf-8")
    result = checker.for_run().check_one(tmp_path / "p.yaml", "p.yaml", AS_OF)
    assert not isinstance(result, list) and "GNV-102" in [f.rule for f in result.findings]


def test_check_paths_lets_supersedes_lead_inside_the_paths_given_or_the_checkers_roots(tmp_path, monkeypatch):
    """Without roots, a plan may supersede one anywhere in the folders given (not only its own
    folder); a checker's own roots replace the paths given."""
    monkeypatch.chdir(tmp_path)
    Path("plans/new").mkdir(parents=True)
    Path("plans/.archive").mkdir()  # hidden: not in the batch, so not one of the batch's folders
    Path("plans/.archive/old.yaml").write_text(plan_text("old"), "utf-8")
    Path("plans/new/new.yaml").write_text(plan_text("new").replace(
        "agreement: gnv-2020}", "agreement: gnv-2020, supersedes: ../.archive/old.yaml}"), "utf-8")
    quiet = Gate(fail_on="never")
    assert Checker(lang="en").check_paths(["plans"], AS_OF, gate=quiet).errors == []
    run = Checker(lang="en", roots=[tmp_path / "plans" / "new"]).check_paths(["plans"], AS_OF, gate=quiet)
    assert [e.file for e in run.errors] == ["plans/new/new.yaml"]


def test_twins_over_the_default_bound_are_one_plan_within_the_bound_given(tmp_path):
    from compliance.loader import MAX_BYTES

    root = Path(__file__).resolve().parent.parent
    big = tmp_path / "p.yaml"
    big.write_text((root / "plans" / "rjh-gnv-2020.yaml").read_text("utf-8") + "# " + "x" * MAX_BYTES + "\n",
                   "utf-8")
    twin = [(big, "p.yaml"), (root / "plans" / "rjh-gnv-2020.xlsx", "p.xlsx")]
    assert duplicate_plan_ids(twin, max_bytes=2 * MAX_BYTES) == []


def test_a_workbook_whose_plan_sheet_is_empty_has_no_id(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(Path(__file__).resolve().parent.parent / "plans" / "rjh-gnv-2020.xlsx")
    for row in book["Plan"].iter_rows():
        for cell in row:
            cell.value = None
    book.save(tmp_path / "e1.xlsx")
    book.save(tmp_path / "e2.xlsx")
    assert duplicate_plan_ids([(tmp_path / "e1.xlsx", "e1.xlsx"), (tmp_path / "e2.xlsx", "e2.xlsx")]) == []


# --- a checker's defaults, one file, a batch's order, roots, plan cache, processes and streaming ------------


def test_a_checker_speaks_swedish_unless_told_and_uses_the_engine_named(checker, tmp_path):
    (tmp_path / "p.yaml").write_text(plan_text("p"), "utf-8")
    assert checker.check_files([(tmp_path / "p.yaml", "p.yaml")], AS_OF).lang == "sv"
    assert Checker(engine="python").engine.engine == "python"
    with pytest.raises(InputError, match="'nope' is not available here"):
        Checker(engine="nope")


def test_one_file_is_read_within_max_bytes(checker, tmp_path):
    (tmp_path / "p.yaml").write_text(plan_text("p"), "utf-8")
    size = (tmp_path / "p.yaml").stat().st_size
    assert not isinstance(checker.for_run().check_one(tmp_path / "p.yaml", "p.yaml", AS_OF, max_bytes=size), list)
    issues = checker.for_run().check_one(tmp_path / "p.yaml", "p.yaml", AS_OF, max_bytes=size - 1)
    assert isinstance(issues, list)
    assert [(i.file, i.message) for i in issues] == [
        ("p.yaml", f"the file is {size} bytes, over the bound of {size - 1} bytes (--max-bytes)")]


def test_a_batch_is_in_order_of_the_names_shown_not_of_the_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("plans/a").mkdir(parents=True)
    Path("plans/a/b.yaml").write_text(plan_text("ab"), "utf-8")
    Path("plans/a-b.yaml").write_text(plan_text("a-b"), "utf-8")
    files = collect_paths(["plans"])
    assert [d for _, d in files] == ["plans/a/b.yaml", "plans/a-b.yaml"]  # as paths: 'a' before 'a-b.yaml'
    run = Checker(lang="en").check_files(files, AS_OF)
    assert [r.file for r in run.results] == ["plans/a-b.yaml", "plans/a/b.yaml"]  # as text: '-' before '/'


def _revision_in_another_folder(tmp_path, monkeypatch):
    """new/new.yaml revises old/old.yaml (the current folder is tmp_path)."""
    monkeypatch.chdir(tmp_path)
    for folder in ("old", "new"):
        Path(folder).mkdir()
    Path("old/old.yaml").write_text(plan_text("old"), "utf-8")
    Path("new/new.yaml").write_text(plan_text("new").replace(
        "agreement: gnv-2020}", "agreement: gnv-2020, supersedes: ../old/old.yaml}"), "utf-8")


def test_a_batch_lets_a_revision_lead_into_its_folders_and_reads_each_plan_once(tmp_path, monkeypatch):
    """Without roots, a plan may supersede one in any folder of the batch (not outside it), and
    the plan it revises is read once: as its previous version and as a plan of the batch."""
    from compliance import plans

    _revision_in_another_folder(tmp_path, monkeypatch)
    reads: list[str] = []
    load_plan = plans.load_plan
    monkeypatch.setattr(plans, "load_plan", lambda path, *args: reads.append(path.resolve().name) or load_plan(path, *args))
    files = [(Path("old/old.yaml"), "old/old.yaml"), (Path("new/new.yaml"), "new/new.yaml")]
    run = Checker(lang="en").check_files(files, AS_OF)
    assert run.errors == [] and [r.file for r in run.results] == ["new/new.yaml", "old/old.yaml"]
    assert sorted(reads) == ["new.yaml", "old.yaml"]
    alone = Checker(lang="en").check_files(files[1:], AS_OF)  # old/ is not a folder of this batch
    assert [(e.file, e.field) for e in alone.errors] == [("new/new.yaml", "plan.supersedes")]


class WhereChecked(Checker):
    """Notes on each result the process that checked it (``--jobs`` workers are of the checker's class)."""

    def check_one(self, path, display, as_of, max_bytes=None, roots=None):  # type: ignore[override]
        result = super().check_one(path, display, as_of, max_bytes or 10**7, roots)
        if not isinstance(result, list):
            result.notes.append(f"engine {self.engine.engine}")
            result.notes.append(f"pid {os.getpid()}")
        return result


def test_jobs_check_two_files_or_more_on_processes_and_one_or_jobs_1_here(tmp_path):
    here = f"pid {os.getpid()}"
    files = []
    for name, amount in (("a.yaml", 1266509), ("b.yaml", 1266508)):
        (tmp_path / name).write_text(plan_text(name[0], amount), "utf-8")
        files.append((tmp_path / name, name))
    checker = WhereChecked(lang="en")

    def where(results):
        return [r.notes[-1] == here for r in results]

    alone = list(checker.iter_files(files, AS_OF))
    assert where(alone) == [True, True]  # one process unless asked
    assert where(checker.iter_files(files, AS_OF, jobs=1)) == [True, True]
    assert where(checker.iter_files(files[:1], AS_OF, jobs=2)) == [True]  # one file: no processes to start
    apart = list(checker.iter_files(files, AS_OF, jobs=2))
    assert where(apart) == [False, False]
    assert [(r.file, r.findings) for r in apart] == [(r.file, r.findings) for r in alone]
    assert where(checker.check_files(files, AS_OF).results) == [True, True]
    assert where(checker.run_batch(files, AS_OF, "junit", lambda _: None).results) == [True, True]
    for engine in available_engines():  # the workers evaluate on the engine the checker was given
        apart = list(WhereChecked(lang="en", engine=engine).iter_files(files, AS_OF, jobs=2))
        assert where(apart) == [False, False] and {r.notes[-2] for r in apart} == {f"engine {engine}"}


def test_a_batch_on_processes_keeps_its_bound_progress_and_folders(tmp_path, monkeypatch):
    """``--jobs``: the workers read within the bound given, progress is reported per plan, and a
    revision may lead into the batch's folders as in one process."""
    _revision_in_another_folder(tmp_path, monkeypatch)
    Path("new/other.yaml").write_text(plan_text("other"), "utf-8")
    files = [(Path(f), f) for f in ("old/old.yaml", "new/new.yaml", "new/other.yaml")]
    seen: list[tuple[int, int]] = []
    results = list(Checker(lang="en").iter_files(files, AS_OF, jobs=2, progress=lambda n, t: seen.append((n, t))))
    assert [r.file for r in results if not isinstance(r, list)] == ["new/new.yaml", "new/other.yaml", "old/old.yaml"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    apart = list(Checker(lang="en").iter_files(files[1:], AS_OF, jobs=2))  # old/ is no folder of this batch
    assert [[(i.file, i.field) for i in r] for r in apart if isinstance(r, list)] == [[("new/new.yaml", "plan.supersedes")]]
    bounded = list(Checker(lang="en").iter_files(files, AS_OF, max_bytes=64, jobs=2))
    assert all(isinstance(r, list) and "64" in r[0].message for r in bounded), bounded


def test_a_streamed_batch_is_written_as_plans_are_checked_and_keeps_only_counts(checker, tmp_path):
    files = []
    for name, amount in (("a.yaml", 1266509), ("b.yaml", 1266508)):
        (tmp_path / name).write_text(plan_text(name[0], amount), "utf-8")
        files.append((tmp_path / name, name))
    events: list[str] = []
    run = checker.run_batch(files, AS_OF, "json", lambda _: events.append("write"),
                            progress=lambda n, total: events.append(f"checked {n}/{total}"))
    first, second = events.index("checked 1/2"), events.index("checked 2/2")
    assert "write" in events[first:second] and events[-1] == "write"
    kept = checker.check_files(files, AS_OF)
    assert kept.tally is None and [r.file for r in kept.results] == ["a.yaml", "b.yaml"]
    assert run.results == [] and run.counts() == kept.counts() and run.counts().plans == 2
    assert "GNV-102" in [f.rule for f in kept.results[0].findings if f.outcome == "failed"]
    junit = checker.run_batch(files, AS_OF, "junit", lambda _: None)  # not streamed: results kept
    assert [r.file for r in junit.results] == ["a.yaml", "b.yaml"] and junit.tally is None
    failed = kept.counts().failed
    dropped = kept.results.pop(0)  # a caller's selection of a kept run: its counts follow
    assert kept.counts().plans == 1
    assert kept.counts().failed == failed - len([f for f in dropped.findings if f.outcome == "failed"]) < failed
