"""Hostile plans, round two (issue 16): plan text from a pull request must never
crash the engine, pass the gate, read the host or lose a file."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import engine as engine_mod
from compliance import facts as facts_mod
from compliance.plans import plan_from_data

ROOT = Path(__file__).resolve().parent.parent
REGION = "Region Jämtland Härjedalen"


def cli(*args, cwd=None, **kw):
    return subprocess.run([sys.executable, "-m", "compliance.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, **kw)


# -- 1. fact ids unique by construction -------------------------------------------------------

COLLIDING_OLD = f"""\
plan: {{id: p, region: {REGION}, agreement: gnv-2020}}
areas:
  - area: "karriartjanster/x"
    activities:
      - {{id: y, amount: 100}}
  - area: karriartjanster
    activities:
      - {{id: x/y, amount: 200}}
"""
COLLIDING_NEW = COLLIDING_OLD.replace("agreement: gnv-2020}", "agreement: gnv-2020, supersedes: old.yaml}").replace(
    "amount: 100", "amount: 150").replace("amount: 200", "amount: 150")


def test_joined_area_and_activity_ids_do_not_crash_the_engine(tmp_path):
    """Area "karriartjanster/x" + activity "y" and area "karriartjanster" + activity "x/y"
    once gave one fact id: SIGSEGV or free(): invalid size in 4 of 5 runs."""
    (tmp_path / "old.yaml").write_text(COLLIDING_OLD, "utf-8")
    (tmp_path / "new.yaml").write_text(COLLIDING_NEW, "utf-8")
    for _ in range(2):
        proc = cli("check", "new.yaml", "--as-of", "2020-04-01", "--format", "json", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr[-500:]
        doc = json.loads(proc.stdout)
        moved = sorted((f["values"]["area"], f["values"].get("activity") or "", f["values"]["change"])
                       for f in doc["results"][0]["findings"] if f["rule"] in ("GNV-301", "GNV-302"))
        assert moved == [("karriartjanster", "", -50), ("karriartjanster", "x/y", -50),
                         ("karriartjanster/x", "", 50)]
    proc = cli("diff", "old.yaml", "new.yaml", "--format", "json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-500:]
    rows = {(r["area"], r["activity"]): r["forbidden"] for r in json.loads(proc.stdout)["rows"]}
    assert rows[("karriartjanster", "x/y")] == ["GNV-301"]
    assert rows[("karriartjanster/x", "y")] == []  # not earmarked as karriartjanster: the ids never mixed


def test_fact_ids_never_join_plan_text_with_a_separator():
    assert facts_mod.fact_id("revision-activity", "a/b", "c") != facts_mod.fact_id("revision-activity", "a", "b/c")
    assert facts_mod.fact_id("revision-activity", 'a","b', "c") != facts_mod.fact_id("revision-activity", "a", 'b","c')
    assert facts_mod.fact_id("activity", "areas", 1) != facts_mod.fact_id("activity", "areas", "1")


def _fact(i, fid):
    return facts_mod.Fact("activity", fid, ("areas", i), {"amount": 1})


def test_two_facts_with_one_id_never_reach_the_engine(checker):
    pack = checker.book.agreement("gnv-2020")
    with pytest.raises(facts_mod.DuplicateFactError, match="two facts with the id"):
        checker.engine.run(pack, [_fact(0, "activity:x"), _fact(1, "activity:x")])
    with pytest.raises(facts_mod.DuplicateFactError):
        facts_mod.check_unique([_fact(0, "a"), _fact(1, "b"), _fact(2, "a")])
    facts_mod.check_unique([_fact(0, "a"), _fact(1, "b")])


def test_the_engine_sees_positions_not_plan_text(checker, monkeypatch):
    """The ids the C engine keys messages by are positions, whatever the plan says."""
    seen = []
    real = engine_mod._engine_ids

    def spy(facts):
        ids = real(facts)
        seen.append(ids)
        return ids

    monkeypatch.setattr(engine_mod, "_engine_ids", spy)
    loaded = plan_from_data({"plan": {"id": "p", "region": REGION, "agreement": "gnv-2020"},
                             "areas": [{"area": "nara-vard/x", "activities": [{"id": "y/z", "amount": 1}]}]})
    checker.check_plan(loaded, dt.date(2020, 4, 1))
    assert seen and seen[0] == [str(n) for n in range(len(seen[0]))]


def test_fnv1a_matches_the_c_engine_and_position_ids_hash_apart():
    # FNV-1a 32-bit reference vectors, and a non-ASCII byte as the C core's signed char sees it
    assert engine_mod.fnv1a_32("") == 0x811C9DC5
    assert engine_mod.fnv1a_32("a") == 0xE40C292C
    assert engine_mod.fnv1a_32("foobar") == 0xBF9CF968
    assert engine_mod.fnv1a_32("é") != engine_mod.fnv1a_32("\u00e8")
    hashes = {engine_mod.fnv1a_32(str(n)) for n in range(120_000)}
    assert len(hashes) == 120_000
