"""The validated rule book is cached as JSON keyed by the files' bytes."""

import shutil
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
    assert [r.model_dump(mode="json") for r in cached.rules] == [r.model_dump(mode="json") for r in first.rules]
    assert [r.id for r in cached.rules] == [r.id for r in first.rules]
    assert cached.by_id["GNV-204"].condition == first.by_id["GNV-204"].condition
    assert cached.agreements["gnv-2022"] == first.agreements["gnv-2022"]

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
