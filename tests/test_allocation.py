"""The allocation model (003 §9) against the published results, parsed from the
seed itself (Bilaga 3 and 4), never copied into the tests."""

import json
from fractions import Fraction

import pytest
from click.testing import CliRunner

from compliance import allocation
from compliance.cli import main
from tests.conftest import seed

REGION_COLS = ["nara-vard", "vardens-medarbetare", "vidareutbildning", "karriartjanster", "e-halsa", "ambulans"]
MUNI_COLS = ["nara-vard", "vardens-medarbetare", "vidareutbildning"]


def _num(cell: str) -> int:
    return int(cell.replace(" ", "").replace("\u00a0", ""))


def _table(title: str, first_col: int):
    lines = seed("003_70cb43397f8409c6.txt").read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"**{title}"))
    rows = {}
    for line in lines[start + 1:]:
        if line.startswith("**Bilaga") and rows:
            break
        cells = line.split("\t")
        if len(cells) < 5 or "<b>" in line or not cells[1].replace(" ", "").isdigit():
            continue
        rows[cells[0]] = [_num(c) for c in cells[first_col:]]
    return rows


@pytest.fixture(scope="module")
def pack(checker):
    return checker.book.agreement("gnv-2022")


def test_regions_equal_bilaga_4_cell_by_cell(pack):
    published = _table("Bilaga 4", 2)
    assert len(published) == 21
    computed = allocation.regional(pack)
    assert set(computed) == set(published)
    for region, cells in published.items():
        row = computed[region]
        for code, value in zip(REGION_COLS, cells, strict=False):
            assert abs(row[code] - value) <= 1, (region, code, row[code], value)
        assert abs(sum(row[c] for c in REGION_COLS) - cells[len(REGION_COLS)]) <= 1, region


def test_municipalities_equal_bilaga_3_cell_by_cell(pack):
    published = _table("Bilaga 3", 5)
    assert len(published) == 21
    computed = allocation.municipal(pack)
    assert set(computed) == set(published)
    for county, cells in published.items():
        for code, value in zip(MUNI_COLS, cells, strict=False):
            assert abs(computed[county][code] - value) <= 1, (county, code)


def test_every_column_adds_up_exactly(pack):
    regions = allocation.regional(pack)
    for code in REGION_COLS:
        assert sum(row[code] for row in regions.values()) == pack.areas[code].national_amount
    munis = allocation.municipal(pack)
    for code, amount in pack.model.municipal.amounts.items():
        assert sum(row[code] for row in munis.values()) == amount


def test_ambulance_base_amount(pack):
    regions = allocation.regional(pack)
    assert min(row["ambulans"] for row in regions.values()) > 500000


def test_largest_remainder_keeps_the_total():
    quotas = {"a": Fraction(10, 3), "b": Fraction(10, 3), "c": Fraction(10, 3)}
    assert allocation.largest_remainder(10, quotas) == {"a": 4, "b": 3, "c": 3}


def test_population_file_gives_the_models_result_for_those_figures(tmp_path, pack):
    doubled = pack.model.population["Region Gotland"] * 2
    path = tmp_path / "pop.yaml"
    path.write_text(f"regions:\n  Region Gotland: {doubled}\n", "utf-8")
    result = CliRunner().invoke(main, ["allocation", "gnv-2022", "--population", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    regions = doc["regions"]
    population = dict(pack.model.population, **{"Region Gotland": doubled})
    share = Fraction(2422000000 * doubled, sum(population.values()))
    assert abs(regions["Region Gotland"]["nara-vard"] - share) < 1
    assert sum(r["nara-vard"] for r in regions.values()) == 2422000000
    base = CliRunner().invoke(main, ["allocation", "gnv-2022", "--format", "json"])
    assert json.loads(base.output)["municipalities"] == doc["municipalities"]  # counties kept


def test_population_file_errors(tmp_path):
    bad = tmp_path / "pop.yaml"
    bad.write_text("regions:\n  Region Gotland: 1.5\n", "utf-8")
    result = CliRunner().invoke(main, ["allocation", "gnv-2022", "--population", str(bad)])
    assert result.exit_code == 2 and f"{bad}:2:" in result.output
    result = CliRunner().invoke(main, ["allocation", "gnv-2023", "--population", str(bad)])
    assert result.exit_code == 2 and "ingen fördelningsmodell" in result.output


def test_2020_published_row_and_2023_unknown():
    r2020 = json.loads(CliRunner().invoke(main, ["allocation", "gnv-2020", "--format", "json"]).output)
    assert r2020["method"] == "published table"
    assert sum(r2020["regions"]["Region Jämtland Härjedalen"].values()) == 71862709
    r2023 = json.loads(CliRunner().invoke(main, ["allocation", "gnv-2023", "--format", "json"]).output)
    assert r2023["method"] == "unknown" and r2023["regions"] == {} and "2023" in r2023["note"]


def test_region_filter_and_markdown():
    out = CliRunner().invoke(
        main, ["allocation", "gnv-2022", "--region", "Region Jämtland Härjedalen", "--format", "markdown"]
    ).output
    assert "| Region Jämtland Härjedalen | 30 593 953 |" in out
    assert "| Jämtland Härjedalen | 10 399 676 |" in out
    assert CliRunner().invoke(main, ["allocation", "gnv-1999"]).exit_code == 2


def test_the_model_result_is_kept_with_its_pack_not_by_object_identity():
    from compliance import allocation
    from compliance.packs import RULES_DIR, load_rulebook

    pack = load_rulebook(RULES_DIR).agreement("gnv-2022")
    first = allocation.regional(pack)
    assert allocation.regional(pack) is first  # computed once for this pack
    other = pack.model_copy(update={"model": pack.model.model_copy(
        update={"population": {**pack.model.population, "Region Gotland": pack.model.population["Region Gotland"] * 2}})})
    doubled = allocation.regional(other)
    assert doubled is not first and doubled["Region Gotland"]["nara-vard"] > first["Region Gotland"]["nara-vard"]
    assert not hasattr(allocation, "_REGIONAL")


def test_a_region_of_a_year_without_a_table_is_answered_with_the_reason_not_denied():
    """No seed gives 2023's regional table: asking for Region Jämtland Härjedalen must not say the region
    is not among 2023's regions (it is funded; its figure is what is unknown)."""
    result = CliRunner().invoke(main, ["allocation", "gnv-2023", "--region", "Region Jämtland Härjedalen",
                                       "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["method"] == "unknown" and doc["regions"] == {}
    assert "knappt 75,5 mkr" in doc["note"] and "Region Jämtland Härjedalen" in doc["note"]
    # a year with a table still refuses a region it does not have, with a did-you-mean
    wrong = CliRunner().invoke(main, ["allocation", "gnv-2022", "--region", "Region Jämtland", "--lang", "en"])
    assert wrong.exit_code == 2 and "is not among the regions of gnv-2022" in wrong.output
