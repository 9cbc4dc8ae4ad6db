"""The allocation model of the 2022 agreement (003 §9), in whole kronor.

* Regional funds per area in proportion to population on the census date.
* Ambulance funds: a base amount per region, the rest by population.
* Municipal funds per county: half by population, half by the number of
  individuals given municipal health care.

Quotas are exact fractions; each column is rounded with the largest-remainder
method so that it adds up exactly to the national amount. Ties in the
remainder go to the name that sorts first, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError
from .i18n import Text, say
from .loader import load_file
from .packs import Agreement, County
from .plans import validate


def largest_remainder(total: int, quotas: dict[str, Fraction]) -> dict[str, int]:
    """Round exact quotas (summing to ``total``) to integers that sum to ``total``."""
    floors = {name: int(q) for name, q in quotas.items()}  # quotas are non-negative
    left = total - sum(floors.values())
    order = sorted(quotas, key=lambda name: (-(quotas[name] - floors[name]), name))
    for name in order[:left]:
        floors[name] += 1
    return floors


def _by_weight(amount: int, weights: dict[str, int]) -> dict[str, Fraction]:
    whole = sum(weights.values())
    return {name: Fraction(amount * w, whole) for name, w in weights.items()}


def regional(pack: Agreement, population: dict[str, int] | None = None) -> dict[str, dict[str, int]]:
    """What each region receives per area, by the model; {} when the pack has no model.

    The pack's own result is computed once and kept on the pack (packs are
    immutable), not in a process-wide table keyed by object identity.
    """
    model = pack.model
    if model is None:
        return {}
    if population is None:
        return pack.derived("regional_allocation", (model, pack.areas), lambda: _regional(pack, model.population))
    return _regional(pack, population)


def _regional(pack: Agreement, population: dict[str, int]) -> dict[str, dict[str, int]]:
    regions = sorted(population)
    out: dict[str, dict[str, int]] = {name: {} for name in regions}
    for code, area in pack.areas.items():
        if area.national_amount is None or area.allocated_by == "unknown":
            continue
        base = area.base_per_region if area.allocated_by == "population-plus-base" else 0
        rest = area.national_amount - base * len(regions)
        column = largest_remainder(rest, _by_weight(rest, population))
        for name in regions:
            out[name][code] = column[name] + base
    return out


def municipal(
    pack: Agreement, counties: dict[str, dict[str, int]] | None = None
) -> dict[str, dict[str, int]]:
    """What the municipalities of each county receive per area; {} without municipal inputs."""
    if pack.model is None or pack.model.municipal is None:
        return {}
    muni = pack.model.municipal
    figures = counties or {
        name: {"population": c.population, "individuals": c.individuals}
        for name, c in muni.counties.items()
    }
    pop = {name: f["population"] for name, f in figures.items()}
    ind = {name: f["individuals"] for name, f in figures.items()}
    out: dict[str, dict[str, int]] = {name: {} for name in sorted(figures)}
    for code, amount in muni.amounts.items():
        half = Fraction(amount, 2)
        quotas = {
            name: half * Fraction(pop[name], sum(pop.values()))
            + half * Fraction(ind[name], sum(ind.values()))
            for name in figures
        }
        for name, value in largest_remainder(amount, quotas).items():
            out[name][code] = value
    return out


def region_allocation(pack: Agreement, region: str) -> tuple[dict[str, int | None], Text | None]:
    """What the agreement gives ``region`` per area, and why figures are missing.

    From the model when the pack has its inputs, else from a published table;
    an area whose figure neither gives maps to ``None``.
    """
    if pack.model is not None:
        table = regional(pack)
        if region not in table:
            return {code: None for code in pack.areas}, say(
                f"{region!r} finns inte bland regionerna i {pack.id}s beräkningsmodell",
                f"{region!r} is not among the regions of the {pack.id} model",
            )
        row: dict[str, int | None] = {code: table[region].get(code) for code in pack.areas}
        missing = [code for code, v in row.items() if v is None]
        reason = (
            say(
                f"{pack.id} ger ingen regional siffra för {', '.join(missing)} "
                "(fördelas efter annan nyckel än befolkning)",
                f"{pack.id} gives no regional figure for {', '.join(missing)} "
                "(distributed by another key than population)",
            )
            if missing
            else None
        )
        return row, reason
    if pack.region_table is not None and region in pack.region_table.rows:
        published = pack.region_table.rows[region]
        return {code: published.get(code) for code in pack.areas}, None
    reason = pack.allocation_missing or (
        pack.region_table.missing if pack.region_table else None
    ) or say(
        f"{pack.id} har varken regiontabell eller beräkningsmodellens underlag",
        f"{pack.id} has neither a region table nor the allocation model's inputs",
    )
    return {code: None for code in pack.areas}, reason


class _Population(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # only for --population

    regions: dict[str, Annotated[int, Field(ge=0, strict=True)]] | None = None
    counties: dict[str, County] | None = None


def load_population(path: Path, pack: Agreement) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The pack's model inputs with a ``--population`` file's figures laid over them.

    The file has the pack's shape (``regions: {NAME: population}``,
    ``counties: {NAME: {population: N, individuals: N}}``); either may be left
    out, and any name it leaves out keeps the pack's figure.
    """
    if pack.model is None:
        raise InputError.at(
            str(path),
            f"{pack.id} has no allocation model to run on other figures "
            f"({pack.allocation_missing.en if pack.allocation_missing else 'it holds only a published table'})",
            sv=f"{pack.id} har ingen fördelningsmodell att räkna med andra siffror "
            f"({pack.allocation_missing.sv if pack.allocation_missing else 'den har bara en publicerad tabell'})",
        )
    data, locs = load_file(path, str(path))
    given: _Population = validate(data, locs, _Population)
    regions = dict(pack.model.population)
    regions.update(given.regions or {})
    muni = pack.model.municipal
    counties = {name: c.model_dump() for name, c in muni.counties.items()} if muni else {}
    for name, county in (given.counties or {}).items():
        counties[name] = county.model_dump()
    return regions, counties


@dataclass
class AllocationResult:
    agreement: str
    method: str  # "model", "published table" or "unknown"
    regions: dict[str, dict[str, int]]
    municipalities: dict[str, dict[str, int]]
    areas: list[str]
    note: Text | None = None
    lang: str = "sv"

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "method": self.method,
            "regions": self.regions,
            "municipalities": self.municipalities,
            **({"note": self.note.get(self.lang)} if self.note else {}),
        }


def _county_of(region: str, counties: dict[str, Any]) -> str | None:
    name = region.removeprefix("Region ").casefold()
    for county in counties:
        if county.casefold() == name or county.casefold().removesuffix(" län") == name.removesuffix(" län"):
            return county
        if county.casefold().replace("län", "").strip() == name.replace("län", "").strip():
            return county
    if region == "Västra Götalandsregionen":
        return next((c for c in counties if c.casefold().startswith("västra g")), None)
    return None


def compute(
    pack: Agreement, population_file: Path | None = None, region: str | None = None, lang: str = "sv"
) -> AllocationResult:
    """The ``allocation`` command's result: the model's, or the published table where that is all."""
    areas = list(pack.areas)
    if pack.model is not None:
        if population_file is not None:
            regions_in, counties_in = load_population(population_file, pack)
            regions = regional(pack, regions_in)
            munis = municipal(pack, counties_in)
        else:
            regions, munis = regional(pack), municipal(pack)
        unknown = [c for c, a in pack.areas.items() if a.allocated_by == "unknown"]
        why = [w for w in (pack.areas[c].missing for c in unknown) if w is not None]
        note = say(
            f"{', '.join(unknown)}: fördelas inte efter befolkning ({'; '.join(w.sv for w in why)})",
            f"{', '.join(unknown)}: not distributed by population ({'; '.join(w.en for w in why)})",
        ) if unknown else None
        result = AllocationResult(pack.id, "model", regions, munis, areas, note)
    elif pack.region_table is not None:
        if population_file is not None:
            load_population(population_file, pack)  # raises: no model to run
        rows = {name: dict(row) for name, row in sorted(pack.region_table.rows.items())}
        result = AllocationResult(pack.id, "published table", rows, {}, areas, pack.region_table.missing)
    else:
        if population_file is not None:
            load_population(population_file, pack)
        result = AllocationResult(pack.id, "unknown", {}, {}, areas, pack.allocation_missing)
    result.lang = lang
    if region is not None and result.method != "unknown":  # unknown: no region's figure is known, the note says why
        if region not in result.regions:
            from .hints import suggestion

            raise InputError.at("--region", f"{region!r} is not among the regions of {pack.id}"
                                + suggestion(region, result.regions).en,
                                sv=f"{region!r} finns inte bland regionerna i {pack.id}"
                                + suggestion(region, result.regions).sv)
        county = _county_of(region, result.municipalities)
        result.regions = {region: result.regions[region]}
        result.municipalities = {county: result.municipalities[county]} if county else {}
    return result
