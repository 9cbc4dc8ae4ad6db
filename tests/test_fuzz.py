"""Property-based tests: generated plans, valid and broken, never crash the checker,
and every finding has a location.

A few hundred examples in CI; more on demand:
``HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_fuzz.py``.
"""

import datetime as dt
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

AREAS = ["nara-vard", "resursforstarkning", "barnhalsovard", "vardens-medarbetare", "vidareutbildning",
         "karriartjanster", "e-halsa", "vfu", "ambulans", "okant-omrade"]
PURPOSES = ["stod-till-omstallning", "kontinuitet", "standarder", "vfu-platser", "ambulans-utveckling", "annat"]
REGIONS = ["Region Jämtland Härjedalen", "Region Gotland", "Region Atlantis"]
DATES = st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31))
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
AMOUNT = st.one_of(st.integers(0, 3_000_000_000), st.integers(0, 99_999_999).map(lambda n: f"{n:,} kr".replace(",", " ")))


def maybe(strategy):
    return st.one_of(st.none(), strategy)


def drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


activity = st.builds(
    lambda i, amount, resp, purpose, provider, new, exit_plan, inv, pp, unassigned, period, req: drop_none({
        "id": f"a{i}", "amount": amount, "responsible": resp, "purpose": purpose, "provider": provider,
        "new": new, "exit_plan": exit_plan, "investment": inv, "private_provider": pp,
        "unassigned": unassigned, "period": period, "requirement": req}),
    st.integers(0, 10**6), AMOUNT, maybe(TEXT), maybe(st.sampled_from(PURPOSES)),
    maybe(st.sampled_from(["region", "municipality", "private", "mixed"])), maybe(st.booleans()),
    maybe(st.builds(lambda s, c: drop_none({"strategy": s, "annual_cost": c}),
                    maybe(st.sampled_from(["ordinary-budget", "replaces", "wind-down"])), maybe(AMOUNT))),
    maybe(st.builds(lambda c, life, d, ch: drop_none({"cost": c, "useful_life_years": life, "in_service": d,
                                                      "charged": ch}),
                    AMOUNT, st.integers(1, 40), DATES, maybe(AMOUNT))),
    maybe(st.builds(lambda n, c, r: drop_none({"name": n, "contract": c, "reports_on_request": r}),
                    maybe(TEXT), maybe(st.sampled_from(["care-choice", "lov", "lou"])), maybe(st.booleans()))),
    st.booleans(),
    maybe(st.tuples(DATES, DATES).map(lambda t: {"start": min(t), "end": max(t)})),
    maybe(st.sampled_from(["patientkontrakt", "ambulans-utveckling", "x"])),
)

area = st.builds(
    lambda code, alloc, resp, pp, total, acts: drop_none({
        "area": code, "allocation": alloc, "responsible": resp, "private_providers": pp,
        "stated_total": total, "activities": acts}),
    st.sampled_from(AREAS), maybe(AMOUNT), maybe(TEXT), maybe(TEXT), maybe(AMOUNT), st.lists(activity, max_size=4),
)

report = st.builds(
    lambda kind, sub, rec, signed, refs, gender, contents: drop_none({
        "kind": kind, "submitted": sub, "recipients": rec, "signed_by": signed, "references": refs,
        "gender_equality": gender, "contents": contents}),
    st.sampled_from(["requisition", "partial-report", "final-report", "financial-report",
                     "patient-contract-plan", "vfu-report"]),
    maybe(DATES), st.lists(st.sampled_from(["Socialstyrelsen", "SKR", "Kammarkollegiet"]), max_size=2),
    maybe(TEXT), maybe(st.builds(lambda a, p: drop_none({"agreement": a, "payment_decision": p}), maybe(TEXT), maybe(TEXT))),
    maybe(st.one_of(st.booleans(), st.builds(lambda r: {"exempt_reason": r}, TEXT.filter(str.strip)))),
    maybe(st.lists(st.sampled_from(["completed-activities", "planned-activities", "challenges"]), unique=True)),
)

plan = st.builds(
    lambda agreement, region, resp, supersedes_total, areas, reports, fin, ind: drop_none({
        "plan": drop_none({"id": "p", "region": region, "agreement": agreement, "responsible": resp,
                           "stated_total": supersedes_total}),
        "areas": [dict(a, activities=[dict(x, id=f"{i}-{j}-{x['id']}") for j, x in enumerate(a.get("activities", []))])
                  for i, a in enumerate(areas)],
        "reports": reports, "financials": fin, "indicators": ind}),
    st.sampled_from(["gnv-2020", "gnv-2022", "gnv-2023"]), st.sampled_from(REGIONS), maybe(TEXT), maybe(AMOUNT),
    st.lists(area, max_size=5), st.lists(report, max_size=4),
    maybe(st.builds(lambda r, items, t, u, rep, cert: drop_none({
        "received": r, "cost_items": items, "total_costs": t, "unspent": u, "repaid": rep, "certification": cert}),
        maybe(AMOUNT), st.lists(st.builds(lambda a: {"item": "x", "amount": a}, AMOUNT), max_size=3), maybe(AMOUNT),
        maybe(AMOUNT), maybe(st.builds(lambda a, d: drop_none({"amount": a, "date": d}), AMOUNT, maybe(DATES))),
        maybe(st.builds(lambda b, v: drop_none({"by": b, "verdict": v}), maybe(TEXT),
                        maybe(st.sampled_from(["correct", "incorrect"])))))),
    maybe(st.builds(lambda a, b, c: drop_none({"named_gp_share": a, "nursing_home_gp_share": b,
                                               "continuity_index_change": c}),
                    maybe(st.floats(0, 1)), maybe(st.floats(0, 1)), maybe(st.floats(-1, 2)))),
)


def _check(checker, tmp_path, text_or_bytes, as_of):
    path = tmp_path / "gen.yaml"
    if isinstance(text_or_bytes, bytes):
        path.write_bytes(text_or_bytes)
    else:
        path.write_text(text_or_bytes, "utf-8")
    run = checker.check_files([(path, "gen.yaml")], as_of)
    for f in run.findings():
        assert f.location.file == "gen.yaml" and f.location.line >= 1, f
        assert f.outcome in ("failed", "not-evaluated")
    for issue in run.errors:
        assert issue.file == "gen.yaml" and issue.message
    return run


@given(plan, DATES)
def test_generated_plans_never_crash_and_findings_have_locations(checker, tmp_path, data, as_of):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    run = _check(checker, tmp_path, text, as_of)
    assert len(run.results) + len({e.file for e in run.errors}) == 1


@given(plan, st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.binary(max_size=8)), min_size=1,
                      max_size=4), DATES)
def test_broken_plans_give_input_errors_not_crashes(checker, tmp_path, data, edits, as_of):
    raw = bytearray(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8"))
    for pos, cut, insert in edits:
        pos = pos % (len(raw) + 1)
        raw[pos:pos + cut] = insert
    run = _check(checker, tmp_path, bytes(raw), as_of)
    assert len(run.results) + len(run.errors) >= 1


# -- issue 16: fact-id collisions, control characters everywhere, output paths ------------------

FEW = settings(max_examples=max(25, settings.default.max_examples // 5))
SEPARATED = st.text(st.sampled_from(["/", ":", ".", "[", "]", '"', ",", "\\", "a", "b"]), min_size=1, max_size=6)
CONTROLS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
                   max_size=12).map(lambda t: t + "\x1b[2J\r\n\x07\x85\u202e")


@FEW
@given(st.lists(st.tuples(SEPARATED, SEPARATED, st.integers(0, 3)), min_size=1, max_size=8), DATES)
def test_area_and_activity_ids_that_join_alike_never_reach_the_engine_as_one_fact(checker, pairs, as_of):
    """Areas and activity ids made of separators ("a/b" + "c" against "a" + "b/c"), in a plan
    and the version it revises: the C engine would corrupt its heap on one fact id twice."""
    from compliance.facts import build_facts
    from compliance.plans import plan_from_data

    kept = list({act: (code, act, amount) for code, act, amount in reversed(pairs)}.values())  # ids unique

    def version(shift):
        areas: dict[str, list] = {}
        for n, (code, act, amount) in enumerate(kept):
            areas.setdefault(code, []).append({"id": act, "amount": amount + shift * (n % 2)})
        return {"plan": {"id": "p", "region": REGIONS[0], "agreement": "gnv-2020"},
                "areas": [{"area": code, "activities": acts} for code, acts in areas.items()]}

    old, new = plan_from_data(version(0)), plan_from_data(version(1))
    pack = checker.book.agreement("gnv-2020")
    facts = build_facts(new, pack, as_of, previous=old)
    assert len({f.id for f in facts}) == len(facts)
    keys = {(f.data["area"], f.data["activity"]) for f in facts if f.kind == "revision-activity"}
    assert keys == {(code, act) for code, act, _ in kept}
    result = checker.check_plan(new, as_of, previous=old)
    assert all(f.location.line >= 1 for f in result.findings)


@FEW
@given(CONTROLS, CONTROLS, CONTROLS, CONTROLS, st.sampled_from(["text", "markdown", "junit", "html"]))
def test_control_characters_in_every_text_field_and_file_name_stay_data(checker, tmp_path, plan_id, area, name,
                                                                         file_name, fmt):
    import json
    import xml.parsers.expat

    from compliance import render

    text = yaml.safe_dump({
        "plan": {"id": plan_id, "region": REGIONS[0], "agreement": "gnv-2020", "responsible": name},
        "areas": [{"area": area, "responsible": name, "private_providers": name, "activities": [
            {"id": "a", "name": name, "amount": 5, "responsible": name, "provider": "private",
             "private_provider": {"name": name}}]}],
    }, allow_unicode=True)
    path = tmp_path / "gen.yaml"
    path.write_text(text, "utf-8")
    run = checker.check_files([(path, file_name)], dt.date(2020, 4, 1))
    out = render.get(fmt)(run)
    allowed = {"\n"}
    bad = {c for c in out if (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029\u202e") and c not in allowed}
    assert not bad, (fmt, bad)
    if fmt == "junit":
        xml.parsers.expat.ParserCreate().Parse(out.encode("utf-8"), True)
    if fmt == "text":
        for line in out.splitlines():
            assert not line.startswith(("::", "##")), line  # plan text never starts a CI command
    if fmt == "markdown":  # the report's own heading and tables start every line; plan text never does
        headings = [line for line in out.splitlines() if line.startswith("#")]
        assert len(headings) == 1 + len(run.results) + bool(run.errors) + bool(run.warnings), headings
        assert all(line.startswith(("#", "|", "- ")) or not line or line[0].isalpha() for line in out.splitlines())
    json.loads(render.get("json")(run))


OUTPUT_KINDS = ["missing", "report", "folder", "link", "fifo", "the plan", "a yaml file", "missing folder", "empty"]


@FEW
@given(st.sampled_from(OUTPUT_KINDS), st.text(st.characters(whitelist_categories=("L", "N"),
                                                            whitelist_characters=" -_#%"), min_size=1, max_size=12))
def test_output_paths_are_written_only_as_regular_files_never_over_an_input(tmp_path_factory, kind, stem):
    from compliance.errors import InputError
    from compliance.output import check_target, input_identities, write_output

    folder = tmp_path_factory.mktemp("out")
    plan = folder / "plan.yaml"
    plan.write_text("plan: {id: p}\n", "utf-8")
    target = folder / f"{stem}.txt"
    if kind == "report":
        target.write_text("old", "utf-8")
    elif kind == "folder":
        target.mkdir()
    elif kind == "link":
        target.symlink_to(plan)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "the plan":
        target = plan
    elif kind == "a yaml file":
        target = folder / f"{stem}.yaml"
        target.write_text("x: 1\n", "utf-8")
    elif kind == "missing folder":
        target = folder / stem / "r.txt"
    name = "" if kind == "empty" else str(target)
    try:
        check_target(name, input_identities([plan]))
    except InputError as exc:
        assert kind not in ("missing", "report"), exc
    else:
        assert kind in ("missing", "report")
        write_output("report\n", name, create_parent=False)
        assert target.read_text("utf-8") == "report\n" and not target.is_symlink()
    assert plan.read_text("utf-8") == "plan: {id: p}\n"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temporary file
