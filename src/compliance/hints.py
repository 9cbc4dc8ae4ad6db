"""Did-you-mean for codes and region names, and values written as a Swede reads them.

Plan authors type ``tillgänglighet`` for ``tillganglighet``, ``nära-vård`` for
``nara-vard`` and ``Västerbotten`` for ``Region Västerbotten``: a suggestion folds
case, å/ä/ö (and é, ü), and spaces, hyphens and underscores before comparing,
so those are found whatever their edit distance; what folding does not find,
:func:`difflib.get_close_matches` may.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .amounts import format_kr
from .errors import InputError, Issue
from .i18n import Text, say
from .loader import PathT, format_path

if TYPE_CHECKING:
    from .packs import Agreement, Requirement
    from .plans import LoadedPlan

_LETTERS = str.maketrans("åäöéèüáà", "aaoeeuaa")
_AFFIXES = re.compile(r"^region-|-region$|-lans?$")


def fold(text: str) -> str:
    """``"Nära vård"``, ``"nära-vård"``, ``"NARA_VARD"`` → ``"nara-vard"``."""
    return re.sub(r"[\s_\-]+", "-", text.strip().casefold().translate(_LETTERS)).strip("-")


def did_you_mean(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``value`` most likely meant, or None. Never ``value`` itself."""
    options = sorted({c for c in candidates if c != value})
    folded = fold(value)
    for candidate in options:
        if fold(candidate) == folded:
            return candidate
    # "Västerbotten" for "Region Västerbotten", "Jönköping" for "Region Jönköpings län"
    bare = _AFFIXES.sub("", folded)
    matches = [c for c in options if bare and _AFFIXES.sub("", fold(c)) in (bare, bare + "s")]
    if len(matches) == 1:
        return matches[0]
    by_fold = {fold(c): c for c in options}
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.75)
    return by_fold[close[0]] if close else None


def suggestion(value: str, candidates: Iterable[str]) -> Text:
    """``"; menar du 'x'?"`` / ``"; did you mean 'x'?"``, or empty in both languages."""
    close = did_you_mean(value, candidates)
    if close is None:
        return say("", "")
    return say(f"; menar du {close!r}?", f"; did you mean {close!r}?")


def yes_no(value: bool, lang: str) -> str:
    return (say("ja", "yes") if value else say("nej", "no")).get(lang)


def show(value: Any, lang: str) -> str:
    """A value in a message or report: ``ja``/``nej`` (yes/no) for booleans, kronor for amounts
    of 1 000 and more, lists joined with commas; never Python's ``True``/``None``."""
    if isinstance(value, bool):
        return yes_no(value, lang)
    if value is None:
        return "—"
    if isinstance(value, int):
        return format_kr(value, lang) if abs(value) >= 1000 else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(show(v, lang) for v in value)
    return str(value)


def code_hints(kind: str, data: dict[str, Any], pack: Agreement) -> dict[str, Any]:
    """What a finding about a wrong code shows: the codes the year allows (``allowed_codes``)
    and the one most likely meant (``suggestion``). Empty where the code is right."""
    out: dict[str, Any] = {}
    if kind == "plan":
        regions: Iterable[str] = ()
        if pack.model is not None:
            regions = pack.model.population
        elif pack.region_table is not None:
            regions = pack.region_table.rows
        region = data.get("region")
        if regions and isinstance(region, str) and region not in regions:
            out["suggestion"] = did_you_mean(region, regions)
    elif kind == "area" and data.get("area") not in pack.areas:
        out["allowed_codes"] = sorted(pack.areas)
        out["suggestion"] = did_you_mean(str(data.get("area")), pack.areas)
    elif kind == "activity" and (spec := pack.areas.get(str(data.get("area")))) is not None:
        purpose = data.get("purpose")
        if purpose not in spec.purposes:
            out["allowed_codes"] = list(spec.purposes)
            if isinstance(purpose, str):
                out["suggestion"] = did_you_mean(purpose, spec.purposes)
    return {k: v for k, v in out.items() if v}


def requirement_area(req: Requirement) -> str | None:
    """The area whose activities may carry the code: ``area``, else ``required_when_planned``."""
    return getattr(req, "area", None) or getattr(req, "required_when_planned", None)


def check_requirements(loaded: LoadedPlan, pack: Agreement) -> None:
    """Requirement codes are checked when the plan is read (plan-format.md): a code the
    year does not have, or one on an activity of another area than the code's, is an input
    error naming the codes that area has. Raises :class:`InputError` with every such code."""
    issues: list[Issue] = []
    for a, area in enumerate(loaded.plan.areas):
        codes_of_year = {c: r for c, r in pack.requirements.items() if getattr(r, "by", "code") == "code"}
        own = sorted(c for c, r in codes_of_year.items() if requirement_area(r) == area.area)
        for i, act in enumerate(area.activities):
            raw = act.requirement
            codes: list[tuple[PathT, Any]] = []
            base: PathT = ("areas", a, "activities", i, "requirement")
            if isinstance(raw, list | tuple):
                codes = [((*base, k), c) for k, c in enumerate(raw)]
            elif raw is not None:
                codes = [(base, raw)]
            for path, code in codes:
                req = codes_of_year.get(code)  # a requirement met by purpose has no code to write
                if req is None:
                    hint = suggestion(str(code), own or codes_of_year)
                    hint_en, hint_sv = hint.en, hint.sv
                    en = f"{code!r} is not a requirement code of {pack.id}{hint_en}"
                    sv = f"{code!r} är ingen kravkod i {pack.id}{hint_sv}"
                elif area.area in pack.areas and requirement_area(req) not in (None, area.area):
                    en = f"{code!r} belongs to the area {requirement_area(req)}, not {area.area}"
                    sv = f"{code!r} hör till området {requirement_area(req)}, inte {area.area}"
                else:
                    continue
                if own:
                    en += f"; the area {area.area} has: {', '.join(own)}"
                    sv += f"; området {area.area} har: {', '.join(own)}"
                else:
                    en += f"; the area {area.area} has no requirement codes in {pack.id}"
                    sv += f"; området {area.area} har inga kravkoder i {pack.id}"
                line, column = loaded.locs.line_of(path)
                issues.append(Issue(loaded.file, line, column, say(sv, en), format_path(path),
                                    loaded.locs.cell_of(path)))
    if issues:
        raise InputError(issues)
