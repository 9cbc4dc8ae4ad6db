from __future__ import annotations

import datetime as dt
import os
import tempfile
import textwrap
from pathlib import Path

import pytest

# The rule-book cache goes to a temporary folder, never the user's home (set at import,
# before collection loads any rule book).
os.environ.setdefault("COMPLIANCE_CACHE_DIR", tempfile.mkdtemp(prefix="compliance-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def checker():
    from compliance.check import Checker

    return Checker()


@pytest.fixture
def write(tmp_path):
    """Write a dedented YAML text to a file and return its path."""

    def _write(text: str, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def seed(name: str) -> Path:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({path} is absent)")
    return path


AS_OF = dt.date(2020, 4, 1)


@pytest.fixture
def book(tmp_path, monkeypatch):
    """Build a workbook plan in tmp_path (the current folder for the test) from sheets of rows:
    ``book(sheets=None, edit=None, name="plan.xlsx")``, the good plan of tests/test_workbook.py by default."""
    from tests.test_workbook import good_sheets, make_book

    monkeypatch.chdir(tmp_path)

    def _book(sheets=None, edit=None, name="plan.xlsx"):
        return make_book(tmp_path / name, sheets or good_sheets(), edit)

    return _book
