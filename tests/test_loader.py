"""Plan loading: every input error names file, line and field."""

import pytest

from compliance.errors import InputError
from compliance.plans import load_plan

GOOD = """
plan:
  id: p
  region: Region Jämtland Härjedalen
  agreement: gnv-2020
areas:
  - area: nara-vard
    allocation: "18 174 397 kr"
    activities:
      - id: a
        amount: "1,5 mkr"
"""


def error_of(path):
    with pytest.raises(InputError) as info:
        load_plan(path, "plan.yaml")
    return info.value.issues[0]


def test_good_plan_loads_with_lines(write):
    loaded = load_plan(write(GOOD), "plan.yaml")
    assert loaded.plan.areas[0].allocation == 18174397
    assert loaded.plan.areas[0].activities[0].amount == 1500000
    assert loaded.line(("areas", 0, "activities", 0)) == 9
    assert loaded.line(("areas", 0, "allocation")) == 7


def test_unknown_field_has_did_you_mean(write):
    issue = error_of(write(GOOD.replace("        amount:", "        provder: region\n        amount:")))
    assert (issue.line, issue.field) == (10, "areas[0].activities[0].provder")
    assert "did you mean 'provider'" in issue.message


def test_float_amount_is_an_error_with_line(write):
    issue = error_of(write(GOOD.replace('"1,5 mkr"', "1.5")))
    assert (issue.file, issue.line, issue.field) == ("plan.yaml", 10, "areas[0].activities[0].amount")
    assert "decimal" in issue.message


def test_negative_amount(write):
    issue = error_of(write(GOOD.replace('"1,5 mkr"', "-100")))
    assert issue.line == 10 and "negative" in issue.message


def test_duplicate_key(write):
    issue = error_of(write(GOOD.replace("  id: p\n", "  id: p\n  id: q\n")))
    assert issue.line == 3 and "duplicate key 'id' (first given on line 2)" in issue.message


def test_impossible_date(write):
    text = GOOD + "        period: {start: 2020-02-30, end: 2020-12-31}\n"
    issue = error_of(write(text))
    assert issue.line == 11 and "impossible date" in issue.message


def test_value_outside_fixed_codes(write):
    issue = error_of(write(GOOD + "        provider: privat\n"))
    assert issue.field == "areas[0].activities[0].provider"
    assert "'region'" in issue.message and "'private'" in issue.message


def test_missing_required_field(write):
    issue = error_of(write(GOOD.replace("  agreement: gnv-2020\n", "")))
    assert issue.field == "plan.agreement" and "required" in issue.message


def test_empty_file(write):
    assert "empty" in error_of(write("\n\n")).message


def test_top_level_list(write):
    issue = error_of(write("- a\n- b\n"))
    assert issue.line == 1 and "mapping" in issue.message


def test_malformed_yaml(write):
    issue = error_of(write("plan:\n  id: [unclosed\n"))
    assert issue.line is not None and "malformed YAML" in issue.message


def test_invalid_utf8(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"plan:\n  id: \xff\xfe\n")
    issue = error_of(path)
    assert (issue.line, issue.column) == (2, 7) and "UTF-8" in issue.message


def test_alias_bomb_is_refused_quickly(write):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    issue = error_of(write("\n".join(lines) + "\n"))
    assert "alias bomb" in issue.message


def test_absurd_nesting(write):
    issue = error_of(write("a: " + "[" * 200 + "]" * 200 + "\n"))
    assert "nesting" in issue.message


def test_duplicate_activity_id(write):
    text = GOOD + "      - id: a\n        amount: 5\n"
    issue = error_of(write(text))
    assert issue.line == 11 and "used twice" in issue.message


def test_plan_file_is_not_modified(write):
    path = write(GOOD)
    before = path.read_bytes(), path.stat().st_mtime_ns
    load_plan(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
