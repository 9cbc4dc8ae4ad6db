"""``compliance init``: a new plan skeleton with the region's allocation per area."""

from __future__ import annotations

from .allocation import region_allocation
from .amounts import format_kr
from .errors import InputError
from .hints import suggestion
from .i18n import say
from .packs import Agreement


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_region(pack: Agreement, region: str) -> None:
    """Refuse a region the pack does not fund (where the pack knows them all)."""
    known_regions: set[str] = set()
    if pack.model is not None:
        known_regions = set(pack.model.population)
    elif pack.region_table is not None:
        known_regions = set(pack.region_table.rows)
    complete = pack.model is not None or (pack.region_table is not None and pack.region_table.complete)
    if known_regions and region not in known_regions and complete:
        regions = ", ".join(sorted(known_regions))
        raise InputError.at("--region", f"{region!r} is not among the regions {pack.id} funds"
                            f"{suggestion(region, known_regions).en}; they are: {regions}",
                            sv=f"{region!r} finns inte bland regionerna {pack.id} ger medel till"
                            f"{suggestion(region, known_regions).sv}; de är: {regions}")


def skeleton(pack: Agreement, region: str, plan_id: str | None = None, lang: str = "sv") -> str:
    """A new plan in YAML: the keys and codes of the plan format, the comments in ``lang``."""

    def t(sv: str, en: str) -> str:
        return say(sv, en).get(lang)

    check_region(pack, region)
    row, missing = region_allocation(pack, region)
    title = f"Fördelning {pack.title.sv.split('.')[0]}, {region}"
    slug = plan_id or f"{region.lower().replace(' ', '-')}-{pack.id}"
    lines = [
        "# yaml-language-server: $schema=plan.schema.json",
        t("# (skriv schemat bredvid planen med `compliance schema --output plan.schema.json`)",
          "# (write the schema beside the plan with `compliance schema --output plan.schema.json`)"),
        t(f"# Planstomme för {region}, {pack.id}, skriven av `compliance init`.",
          f"# Plan skeleton for {region}, {pack.id}, written by `compliance init`."),
        t("# Fyll i aktiviteterna; `compliance check` säger vad som fortfarande saknas.",
          "# Fill in the activities; `compliance check` says what is still missing."),
        "plan:",
        f"  id: {_quote(slug)}",
        f"  title: {_quote(title)}",
        f"  region: {_quote(region)}",
        f"  agreement: {pack.id}",
        "  responsible: null                 # " + t("sammanhållet ansvar för hela planen (GNV-208)",
                                                      "\"Sammanhållet ansvar\" for the whole plan (GNV-208)"),
        "  decision: {body: null, reference: null, date: null}",
    ]
    total = sum(v for v in row.values() if v is not None)
    if all(v is not None for v in row.values()):
        lines.append(f"  stated_total: {total}            # {format_kr(total)}")
    if missing:
        lines.append(f"  # {t('inte ifyllt', 'not filled in')}: {missing.get(lang)}")
    lines.append("")
    lines.append("areas:")
    for code, spec in pack.areas.items():
        amount = row.get(code)
        lines.append(f"  - area: {code}                  # {spec.name.sv}")
        if amount is not None:
            lines.append(f"    allocation: {amount}          # {format_kr(amount)} ({pack.id})")
        else:
            lines.append("    # allocation: " + t("okänd för den här regionen i paketet",
                                                "unknown for this region in the pack"))
        lines.append("    responsible: null")
        lines.append("    private_providers: null          # " + t("hur privata utförare deltar (GNV-206)",
                                                                   "how private providers take part (GNV-206)"))
        lines.append(f"    activities: []                   # {t('syften', 'purposes')}: {', '.join(spec.purposes)}")
    return "\n".join(lines) + "\n"
