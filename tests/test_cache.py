"""The validated rule book is cached as JSON keyed by the files' bytes."""

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import packs

ROOT = Path(__file__).resolve().parent.parent


def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    first = packs.load_rulebook.__wrapped__(rules)
    assert len(list((tmp_path / "cache" / "compliance").glob("rulebook-*.json"))) == 1

    def no_yaml(*args, **kwargs):
        raise AssertionError("the rule files were parsed again")

    monkeypatch.setattr(packs, "load_file", no_yaml)
    cached = packs.load_rulebook.__wrapped__(rules)
    # exactly equal, types included: an example's dates come back as dates, not strings
    assert cached.rules == first.rules
    assert cached.agreements == first.agreements
    assert cached.policies == first.policies
    example_dates = [e.plan["plan"]["decision"]["date"] for r in cached.rules for e in r.examples
                     if isinstance(e.plan.get("plan", {}).get("decision"), dict)
                     and "date" in e.plan["plan"]["decision"]]
    assert example_dates and all(type(d) is dt.date for d in example_dates)

    rule = rules / "catalog" / "GNV-104.yaml"
    rule.write_text(rule.read_text("utf-8").replace("severity: warning", "severity: error"), "utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        packs.load_rulebook.__wrapped__(rules)  # a changed file misses the cache


def test_no_cache_when_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    packs.load_rulebook.__wrapped__(ROOT / "rules")
    assert not (tmp_path / "cache").exists()


def test_damaged_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    packs.load_rulebook.__wrapped__(ROOT / "rules")
    (cache,) = (tmp_path / "cache" / "compliance").glob("rulebook-*.json")
    cache.write_text("{not json", "utf-8")
    book = packs.load_rulebook.__wrapped__(ROOT / "rules")
    assert "GNV-101" in book.by_id


def test_rules_docs_check_passes_twice_with_the_cache_on(tmp_path):
    """The first run writes the cache, the second reads it: both must see the same rule book."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "COMPLIANCE_NO_CACHE"}
    env["COMPLIANCE_CACHE_DIR"] = str(tmp_path / "cache")
    cmd = [sys.executable, "-m", "compliance", "rules", "docs", "--check"]
    for run in ("writes the cache", "reads the cache"):
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{run}: {done.stdout}{done.stderr}"
    assert list((tmp_path / "cache" / "compliance").glob("rulebook-*.json"))
