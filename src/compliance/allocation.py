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

from fractions import Fraction
from typing import Any

from .packs import Agreement


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
    """What each region receives per area, by the model; {} when the pack has no model."""
    if pack.model is None:
        return {}
    population = population if population is not None else pack.model.population
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


def region_allocation(pack: Agreement, region: str) -> tuple[dict[str, int | None], str | None]:
    """What the agreement gives ``region`` per area, and why figures are missing.

    From the model when the pack has its inputs, else from a published table;
    an area whose figure neither gives maps to ``None``.
    """
    if pack.model is not None:
        table = regional(pack)
        if region not in table:
            return {code: None for code in pack.areas}, (
                f"{region!r} is not among the regions of the {pack.id} model"
            )
        row: dict[str, int | None] = {code: table[region].get(code) for code in pack.areas}
        missing = [code for code, v in row.items() if v is None]
        reason = (
            f"{pack.id} gives no regional figure for {', '.join(missing)} "
            "(distributed by another key than population)"
            if missing
            else None
        )
        return row, reason
    if pack.region_table is not None and region in pack.region_table.rows:
        published = pack.region_table.rows[region]
        return {code: published.get(code) for code in pack.areas}, None
    reason = pack.allocation_missing or (
        pack.region_table.missing if pack.region_table else None
    ) or f"{pack.id} has neither a region table nor the allocation model's inputs"
    return {code: None for code in pack.areas}, reason


def load_population(data: Any) -> tuple[dict[str, int] | None, dict[str, dict[str, int]] | None]:
    """A ``--population`` file's regions and counties (either may be absent)."""
    regions = data.get("regions")
    counties = data.get("counties")
    return regions, counties
