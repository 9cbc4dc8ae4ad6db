"""What the checker checks, and what it does not: the obligations each source states.

``rules/obligations/<document>.yaml`` lists, per source document, the
obligations that source states for regions (its "ska" sentences, and the few
conditions the rules rest on), each with its section and a short verbatim
Swedish quote, mapped to the rules that check it, or to the reason none can:

* ``skr``: it is SKR's task (or the state's, or the municipalities'), not the region's;
* ``not-in-plan``: a region's duty that no plan file shows;
* ``judgement``: visible in a plan, but only a person can judge it;
* ``no-figure``: a rule could check it, but no source gives the figure it needs.

A rule may check part of an obligation; ``note`` then says what is left to a
person. ``compliance rules coverage`` and ``docs/coverage.md`` show the list
per source and year, so an auditor knows what must still be checked by hand.
The files are data, like rule files, and never read by the rule loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import InputError
from .i18n import BilingualError, Text, say
from .loader import load_file
from .packs import RuleBook
from .plans import validate

FOLDER = "obligations"

Reason = Literal["skr", "not-in-plan", "judgement", "no-figure"]
REASONS: dict[str, Text] = {
    "skr": Text(sv="SKR:s, statens eller kommunernas uppgift, inte regionens",
                en="SKR's, the state's or the municipalities' task, not the region's"),
    "not-in-plan": Text(sv="syns inte i en plan", en="not visible in a plan"),
    "judgement": Text(sv="bedöms av en person", en="judged by a person"),
    "no-figure": Text(sv="ingen källa ger siffran", en="no source gives the figure"),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Obligation(_Model):
    id: str = Field(pattern=r"^[0-9]{3}-[a-z0-9.-]+$")
    section: str
    quote: str = Field(min_length=10)
    says: Text
    scope: Literal["agreement", "regional"] = "agreement"
    rules: list[str] = Field(default_factory=list)
    reason: Reason | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _checked_or_why_not(self) -> Obligation:
        if not self.rules and self.reason is None:
            raise BilingualError(say(f"{self.id}: ange reglerna som prövar den, eller skälet att ingen kan (reason:)",
                                     f"{self.id}: name the rules that check it, or the reason none can (reason:)"))
        if self.rules and self.reason is not None and self.note is None:
            raise BilingualError(say(f"{self.id}: en delvis prövad skyldighet anger i note vad som lämnas åt en person",
                                     f"{self.id}: a partly checked obligation says in note what is left to a person"))
        return self


class SourceObligations(_Model):
    document: str = Field(pattern=r"^[0-9]{3}$")
    title: Text
    agreements: list[str] = Field(min_length=1)  # the packs whose year this source speaks for
    region: str | None = None  # a region's own decision: its regional obligations bind that region
    obligations: list[Obligation] = Field(min_length=1)
    file: str = ""

    @model_validator(mode="after")
    def _ids(self) -> SourceObligations:
        seen: set[str] = set()
        for ob in self.obligations:
            if not ob.id.startswith(self.document + "-"):
                raise BilingualError(say(
                    f"skyldighetens id {ob.id!r} börjar inte med sitt dokument {self.document!r}",
                    f"obligation id {ob.id!r} does not start with its document {self.document!r}"))
            if ob.id in seen:
                raise BilingualError(say(f"skyldighetens id {ob.id!r} används två gånger",
                                         f"obligation id {ob.id!r} is used twice"))
            seen.add(ob.id)
            if ob.scope == "regional" and self.region is None:
                raise BilingualError(say(f"{ob.id} är regional men källan namnger ingen region",
                                         f"{ob.id} is regional but the source names no region"))
        return self


def obligation_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / FOLDER).glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_obligations(root: Path) -> list[SourceObligations]:
    """Every obligations file of a rules folder, validated; sorted by document."""
    out: list[SourceObligations] = []
    for path in obligation_files(root):
        display = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
        data, locs = load_file(path, display)
        if isinstance(data, dict):
            data = {**data, "file": display}
        out.append(validate(data, locs, SourceObligations))
    documents = [s.document for s in out]
    for doc in documents:
        if documents.count(doc) > 1:
            raise InputError.at(str(root / FOLDER), f"document {doc} has more than one obligations file",
                                sv=f"dokument {doc} har mer än en fil med skyldigheter")
    return sorted(out, key=lambda s: s.document)


def not_applied(book: RuleBook, pack_id: str, rule_id: str, lang: str) -> str | None:
    """Why the agreement pack does not apply the rule for its year, or None when it does."""
    from .engine import not_applied_reason

    pack = book.agreement(pack_id)
    if pack is None:
        return say("inget sådant överenskommelsepaket", "no such agreement pack").get(lang)
    if rule_id in pack.applies:
        return None
    if rule_id in pack.excluded_rules:
        return not_applied_reason(pack, rule_id).get(lang)
    regions = sorted(p.region for p in book.policies.values() if rule_id in p.applies)
    if regions:
        return say(f"bara som en regions eget villkor ({', '.join(regions)})",
                   f"only as a region's own condition ({', '.join(regions)})").get(lang)
    return say("paketet nämner den inte", "the pack does not name it").get(lang)


def _rule_entry(book: RuleBook, source: SourceObligations, ob: Obligation, rule_id: str,
                lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": rule_id, "known": rule_id in book.by_id, "not_applied": {}}
    if not entry["known"]:
        return entry
    if ob.scope == "agreement":
        entry["not_applied"] = {
            pack: why for pack in source.agreements if (why := not_applied(book, pack, rule_id, lang)) is not None
        }
    else:  # the region's own condition: its regional pack, or an agreement year, applies the rule
        policy = book.policy(source.region or "")
        regional = policy is not None and rule_id in policy.applies
        if not regional and not any(rule_id in p.applies for p in book.agreements.values()):
            name = policy.id if policy else (source.region or "")
            entry["not_applied"] = {name: say("det regionala paketet tillämpar den inte",
                                              "the regional pack does not apply it").get(lang)}
    return entry


def coverage(book: RuleBook, sources: list[SourceObligations], agreement: str | None, lang: str) -> dict[str, Any]:
    """The coverage report as plain data (the JSON shape; text and Markdown render it)."""
    out_sources = []
    totals = {"obligations": 0, "checked": 0, "partly": 0, "unchecked": 0}
    for source in sources:
        if agreement is not None and agreement not in source.agreements and source.region is None:
            continue
        obligations = []
        counts = {"obligations": 0, "checked": 0, "partly": 0, "unchecked": 0}
        for ob in source.obligations:
            if agreement is not None and ob.scope == "agreement" and agreement not in source.agreements:
                continue
            status = "unchecked" if not ob.rules else ("partly" if ob.reason else "checked")
            for tally in (totals, counts):
                tally["obligations"] += 1
                tally[status] += 1
            obligations.append({
                "id": ob.id,
                "section": ob.section,
                "quote": ob.quote,
                "says": ob.says.get(lang),
                "scope": ob.scope,
                "status": status,
                "rules": [_rule_entry(book, source, ob, r, lang) for r in ob.rules],
                "reason": ob.reason,
                "reason_text": REASONS[ob.reason].get(lang) if ob.reason else None,
                "note": ob.note.get(lang) if ob.note else None,
            })
        if obligations:
            out_sources.append({
                "document": source.document,
                "title": source.title.get(lang),
                "agreements": source.agreements,
                "region": source.region,
                "summary": counts,
                "obligations": obligations,
            })
    return {"agreement": agreement, "sources": out_sources, "summary": totals}


_T = {
    "sv": {
        "years": "gäller", "regional": "regionens eget villkor, varje år", "checked": "kontrolleras av",
        "unchecked": "kontrolleras inte", "left": "kvar", "not_applied": "tillämpas inte i",
        "unknown": "finns inte i regelboken", "summary": "Sammanfattning",
        "counts": "{obligations} åtaganden: {checked} kontrolleras av regler, {partly} delvis, {unchecked} inte",
        "title": "Vad kontrollen täcker",
        "intro": "Åtagandena som varje källa ställer på regionerna, med regeln som kontrollerar dem "
        "eller skälet till att ingen regel kan göra det. Det som inte kontrolleras får en revisor "
        "granska för hand.",
    },
    "en": {
        "years": "applies to", "regional": "the region's own condition, every year", "checked": "checked by",
        "unchecked": "not checked", "left": "left", "not_applied": "not applied in",
        "unknown": "not in the rule book", "summary": "Summary",
        "counts": "{obligations} obligations: {checked} checked by rules, {partly} partly, {unchecked} not",
        "title": "What the checker covers",
        "intro": "The obligations each source states for regions, with the rule that checks each, "
        "or the reason no rule can. What is not checked, an auditor checks by hand.",
    },
}


def _rules_text(rules: list[dict[str, Any]], t: dict[str, str], code: bool) -> str:
    parts = []
    for r in rules:
        name = f"`{r['id']}`" if code else r["id"]
        extra = []
        if not r["known"]:
            extra.append(t["unknown"])
        for pack, why in r["not_applied"].items():
            extra.append(f"{t['not_applied']} {pack}: {why}")
        parts.append(name + (f" ({'; '.join(extra)})" if extra else ""))
    return ", ".join(parts)


def _scope_text(source: dict[str, Any], ob: dict[str, Any], t: dict[str, str]) -> str:
    if ob["scope"] == "regional":
        return f"{source['region']}: {t['regional']}"
    return ", ".join(source["agreements"])


def render_text(report: dict[str, Any], lang: str) -> str:
    t = _T[lang]
    lines: list[str] = []
    for source in report["sources"]:
        lines.append(f"{source['document']}  {source['title']}  [{t['years']} {', '.join(source['agreements'])}]")
        width = min(16, max(len(ob["section"]) for ob in source["obligations"]))
        pad = " " * (width + 3)
        for ob in source["obligations"]:
            lines.append(f"  {ob['section']:<{width}} {ob['says']}  [{_scope_text(source, ob, t)}]")
            lines.append(f"{pad}«{ob['quote']}»")
            if ob["rules"]:
                lines.append(f"{pad}{t['checked']}: {_rules_text(ob['rules'], t, code=False)}")
            if ob["reason"]:
                label = t["left"] if ob["rules"] else t["unchecked"]
                note = f": {ob['note']}" if ob["note"] else ""
                lines.append(f"{pad}{label} ({ob['reason_text']}){note}")
            elif ob["note"]:
                lines.append(f"{pad}{ob['note']}")
        lines.append("  " + t["counts"].format(**source["summary"]))
        lines.append("")
    lines.append(f"{t['summary']}: " + t["counts"].format(**report["summary"]))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict[str, Any], lang: str) -> str:
    t = _T[lang]
    lines = [f"# {t['title']}", "", t["intro"], ""]
    head = say("| källa | gäller | åtaganden | kontrolleras | delvis | inte |",
               "| source | applies to | obligations | checked | partly | not |").get(lang)
    lines += [head, "|---|---|---|---|---|---|"]
    for source in report["sources"]:
        c = source["summary"]
        years = ", ".join(source["agreements"]) + (f"; {source['region']}" if source["region"] else "")
        lines.append(f"| {source['document']} | {years} | {c['obligations']} | {c['checked']} | {c['partly']} "
                     f"| {c['unchecked']} |")
    lines.append("")
    for source in report["sources"]:
        lines += [f"## {source['document']}: {_cell(source['title'])}", "",
                  f"{t['years'][0].upper() + t['years'][1:]}: {', '.join(source['agreements'])}"
                  + (f"; {source['region']}" if source["region"] else ""), ""]
        head = say("| avsnitt | citat | åtagande | regler | kvar / skäl |",
                   "| section | quote | obligation | rules | left / reason |").get(lang)
        lines += [head, "|---|---|---|---|---|"]
        for ob in source["obligations"]:
            says = ob["says"] + (f" ({t['regional']})" if ob["scope"] == "regional" else "")
            rules = _rules_text(ob["rules"], t, code=True) or "—"
            why = ""
            if ob["reason"]:
                why = ob["reason_text"] + (f": {ob['note']}" if ob["note"] else "")
            elif ob["note"]:
                why = ob["note"]
            lines.append(f"| {ob['section']} | «{_cell(ob['quote'])}» | {_cell(says)} | {_cell(rules)} | "
                         f"{_cell(why) or '—'} |")
        lines.append("")
    lines.append(f"{t['summary']}: " + t["counts"].format(**report["summary"]) + ".")
    return "\n".join(lines) + "\n"


def render(report: dict[str, Any], fmt: str, lang: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(report, lang)
    return render_text(report, lang)


def page(book: RuleBook) -> str:
    """docs/coverage.md: every source and year, in Swedish and English."""
    sources = load_obligations(book.root)
    sv = render_markdown(coverage(book, sources, None, "sv"), "sv")
    en = render_markdown(coverage(book, sources, None, "en"), "en")
    note = "Generated by `compliance rules docs` from `rules/obligations/`; do not edit."
    sv = sv.replace("\n\n", f"\n\n{note}\n\n", 1)
    return sv + "\n---\n\n" + en
