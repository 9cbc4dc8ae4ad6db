"""Rule documentation generated from rule metadata (``compliance rules docs``)."""

from __future__ import annotations

from typing import Any

import yaml

from . import conditions
from .engine import namespace, not_applied_reason
from .i18n import Text, say, words
from .packs import Agreement, Policy, RuleBook
from .render.table import markdown_table
from .rules import Rule
from .texts import Source


def _yaml(data: object, flow: bool | None = None) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow).rstrip()


def rule_markdown(rule: Rule, book: RuleBook, lang: str = "sv", docs: bool = False) -> str:
    """A rule's page in ``lang`` (``rules show``): its title, codes, message and the page's own words.

    ``docs``: the page as ``rules docs`` writes it to docs/rules/: the rule's texts in ``lang``,
    the page's own words in English and the message in both languages (for rule authors)."""
    page = "en" if docs else lang

    def t(sv: str, en: str) -> str:
        return say(sv, en).get(page)

    lines = [f"# {rule.id}: {rule.title.get(lang)}", ""]
    severity = rule.severity if docs else words(page)[rule.severity]
    lines.append(f"- **{t('Allvar', 'Severity')}**: {severity}")
    lines.append(f"- **{t('Läser', 'Reads')}**: " + t("fakta av typen " + " och ".join(f"`{k}`" for k in rule.facts),
                                                      f"{', '.join(rule.facts)} facts"))
    lines += ["", "## " + t("Var den gäller", "Where it applies"), ""]
    lines += applicability(rule, book, page)
    lines += _codes(rule, book, lang)
    lines += ["", "## " + t("Källor", "Sources"), ""]
    for s in rule.source:
        quote = f": «{s.quote}»" if s.quote else ""
        lines.append(f"- {s.document} {s.section}{quote}")
    lines += ["", "## " + t("Villkor", "Condition"), "", "```yaml"]
    if rule.applies_when is not None:
        lines.append(_yaml({"applies_when": rule.applies_when}, flow=False))
    lines.append(_yaml({"when": rule.when}, flow=False))
    lines += ["```", "", "## " + t("Meddelande", "Message"), ""]
    lines += [f"- sv: {rule.message.sv}", f"- en: {rule.message.en}"] if docs else [rule.message.get(lang)]
    lines += ["", "## " + t("Exempel", "Examples"), ""]
    for ex in rule.examples:
        verdict = t("bryter mot regeln", "fails") if ex.expect else t("följer regeln", "passes")
        lines.append(f"### {ex.name} ({verdict}, {t('per', 'as of')} {ex.as_of})")
        lines += ["", "```yaml", _yaml(ex.plan), "```", ""]
        if ex.previous:
            lines += [t("Reviderar:", "Revises:"), "", "```yaml", _yaml(ex.previous), "```", ""]
        for e in ex.expect:
            outcome = e.outcome if docs else words(page)[e.outcome]
            lines.append(f"- {outcome} {t('vid', 'at')} `{e.path}`: {e.values}")
        if ex.expect:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cite(sources: list[Source]) -> str:
    return "; ".join(f"{s.document} {s.section}" + (f" «{s.quote}»" if s.quote else "") for s in sources)


def _figure(value: Any, lang: str) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or say("(inga)", "(none)").get(lang)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_figure(v, lang)}" for k, v in sorted(value.items()))
    return str(value)


def _figures(rule: Rule, pack: Agreement, policy: Policy | None, lang: str) -> list[str]:
    """The pack figures a rule's condition names, with their values (and sources where the pack has them)."""

    def t(sv: str, en: str) -> str:
        return say(sv, en).get(lang)

    ns = namespace(pack, policy)
    out: list[str] = []
    conds = [c for c in (rule.guard, rule.condition) if c is not None]
    for ref in dict.fromkeys(r for c in conds for r in conditions.pack_refs(c)):
        try:
            value: Any = conditions.lookup(ns, ref.path, ref.text())
        except conditions.Missing as missing:
            why = missing.reason.get(lang) if isinstance(missing.reason, Text) else t("okänd", "unknown")
            out.append(f"`{ref.text()}` = {t('okänd', 'unknown')} ({why})")
            continue
        except conditions.ConditionError:
            continue
        if ref.key == "area":
            value = {k: v for k, v in value.items()} if isinstance(value, dict) else value
        out.append(f"`{ref.text()}` = {_figure(value, lang)}")
    read = conditions.fields(rule.condition)
    if "requirement" in rule.facts:  # GNV-211: the year's required efforts, by code or by purpose
        for code, req in sorted(pack.requirements.items()):
            how = (t(f"syfte {', '.join(req.purposes)}", f"purpose {', '.join(req.purposes)}")
                   if req.by == "purpose" else t("kod", "code"))
            out.append(f"{code} ({req.area}, {t('efter', 'by')} {how}; {req.source.document} {req.source.section})")
    if read & {"gp_shortfall", "gp_implied_share"}:  # GNV-212: the earmark inside an area
        for name, mark in sorted(pack.earmarks.items()):
            by = t(f"i {mark.area} efter befolkning", f"in {mark.area} by population")
            out.append(f"{name}: {mark.amount} kr {by} ({_cite([mark.source])})")
    if "contents_missing" in read:  # GNV-410, GNV-414: the contents the year asks of a report
        for c in conds:
            for name, kind in _selectors(c):
                wanted = {"partial-report": pack.partial_report_contents,
                          "final-report": pack.final_report_contents}.get(kind, [])
                if name == "document" and kind in ("partial-report", "final-report"):
                    listed = _figure(wanted, lang) if wanted is not None else t("okänt", "unknown")
                    out.append(f"{kind} " + t(f"innehåll: {listed}", f"contents: {listed}"))
    if read & {"allocation_tolerance", "ceiling"}:  # GNV-101, GNV-415: the region totals, rounding, bounds
        source = pack.model.source if pack.model else pack.region_table.source if pack.region_table else None
        if source is not None:
            where = f"{source.document} {source.section}"
            out.append(t(f"regionernas summor: {where}, inom {pack.published_rounding} kr",
                         f"region totals: {where}, within {pack.published_rounding} kr"))
        for region, bound in sorted(pack.region_bounds.items()):
            out.append(f"{region}: {t('högst', 'at most')} {bound.at_most} kr ({_cite([bound.source])})")
    # the document or indicator a rule is about: its deadline or target, with the source
    for c in conds:
        for name, kind in _selectors(c):
            item: Any = (pack.documents.get(kind) if name == "document" else
                         pack.targets.get(kind) if name == "indicator" else None)
            if item is None:
                continue
            figure = getattr(item, "deadline", None) if name == "document" else getattr(item, "value", None)
            where = f" ({item.source.document} {item.source.section})" if item.source else ""
            if figure is None and item.missing is not None:
                out.append(f"{kind}: {t('okänd', 'unknown')} ({item.missing.get(lang)})")
            else:
                out.append(f"{kind}: {figure}{where}")
    return out


def _selectors(cond: conditions.Cond) -> list[tuple[str, str]]:
    if isinstance(cond, conditions.All | conditions.AnyOf):
        return [s for c in cond.items for s in _selectors(c)]
    if (isinstance(cond, conditions.Compare) and cond.op == "==" and cond.field in ("document", "indicator")
            and isinstance(cond.operand, conditions.Const)):
        return [(cond.field, str(cond.operand.value))]
    if (isinstance(cond, conditions.Member) and not cond.negate and cond.field in ("document", "indicator")
            and isinstance(cond.items, conditions.Const)):
        return [(cond.field, str(v)) for v in cond.items.value]
    return []


def applicability(rule: Rule, book: RuleBook, lang: str = "en") -> list[str]:
    """Per agreement pack and regional pack: does the rule apply, on which source, with which figures."""

    def t(sv: str, en: str) -> str:
        return say(sv, en).get(lang)

    rows = []
    policies = sorted(book.policies.values(), key=lambda p: p.id)
    for pid in sorted(book.agreements):
        pack = book.agreements[pid]
        if rule.id in pack.applies:
            state, why = t("ja", "yes"), _cite(pack.applies[rule.id])
        elif rule.id in pack.excluded_rules:
            state, why = words(lang)["not-evaluated"], not_applied_reason(pack, rule.id).get(lang)
        else:
            state, why = (t("bara där ett regionalt paket tillämpar den", "only where a regional pack applies it"),
                          t("en regions eget villkor", "a region's own condition"))
        figures = _figures(rule, pack, None, lang) if rule.id in pack.applies else []
        rows.append([pid, state, _md(why), _md("; ".join(figures)) or "—"])
    for policy in policies:
        if rule.id in policy.applies:
            pack = book.agreements[sorted(book.agreements)[-1]]
            figures = [f for f in _figures(rule, pack, policy, lang) if "policy" in f or "private" in f]
            if "pack.policy.followup_system" in rule.message.sv:
                figures.append(t("uppföljningssystem", "follow-up system") + f": {policy.followup_system}")
            rows.append([f"{policy.id} ({policy.region})", t("ja, varje år", "yes, every year"),
                         _md(_cite(policy.applies[rule.id])), _md("; ".join(figures)) or "—"])
    return markdown_table([t("paket", "pack"), t("gäller", "applies"), t("källa eller skäl", "source or reason"),
                           t("siffror som används där", "figures used there")], rows)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _codes(rule: Rule, book: RuleBook, lang: str) -> list[str]:
    """The codes a plan may write, per agreement year, for a rule about wrong codes."""
    if "allowed_codes" not in rule.values:
        return []
    lines = ["", "## " + say("Tillåtna koder per år", "Allowed codes per year").get(lang), ""]
    for pack in (book.agreements[k] for k in sorted(book.agreements)):
        if "activity" in rule.facts:
            lines.append(f"- **{pack.id}** ({say('syften per område', 'purposes per area').get(lang)}):")
            lines += [f"  - `{code}`: {', '.join(f'`{p}`' for p in spec.purposes) or '—'}"
                      for code, spec in sorted(pack.areas.items())]
        else:
            lines.append(f"- **{pack.id}** ({say('områden', 'areas').get(lang)}): "
                         + ", ".join(f"`{code}`" for code in sorted(pack.areas)))
            table = pack.region_table
            regions = sorted(pack.model.population if pack.model else table.rows if table else [])
            if regions:
                label = say("regioner", "regions").get(lang)
                if pack.model is None and table is not None and not table.complete:
                    label += say(" (tabellen är ofullständig)", " (the table is incomplete)").get(lang)
                lines.append(f"  - {label}: {', '.join(regions)}")
    return lines


def generate(book: RuleBook) -> dict[str, str]:
    """File name → Markdown text, for every rule and an index."""
    pages = {f"{rule.id}.md": rule_markdown(rule, book, "sv", docs=True) for rule in book.rules}
    index = ["# Rules", "", "Generated by `compliance rules docs` from the rule files; do not edit.", ""]
    if (book.root / "obligations").is_dir():
        index += ["What each source asks of regions, and which rule checks it or why none can: "
                  "[coverage](../coverage.md) (`compliance rules coverage`).", ""]
    index += markdown_table(["id", "severity", "title", "sources"], [
        [f"[{rule.id}]({rule.id}.md)", rule.severity, f"{rule.title.sv} / {rule.title.en}",
         "; ".join(f"{s.document} {s.section}" for s in rule.source)]
        for rule in book.rules
    ])
    pages["README.md"] = "\n".join(index) + "\n"
    return pages
