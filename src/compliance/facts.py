"""Plan + agreement pack + as-of date → facts: the quantities rules compare.

Facts are quantities, never verdicts: ``planned``, ``allocation``,
``depreciation_allowed``, ``charged``, ``deadline``, ``submitted``,
``days_late``. The judgement (``charged > depreciation_allowed``) stays in the
rule file. Everything a condition cannot compute (sums, depreciation, which
deadlines have passed as of a date) is derived here, once, in one pass.

A figure that depends on something the pack does not know is left out of the
fact and named in ``unknown`` with the reason; the engine then reports the
rules that read it as *not evaluated*.

What the plan does not state stays absent: a yes/no such as
``additional_resources`` is the plan's own value or nothing, never ``false`` by
default; a rule says ``additional_resources is not true`` when it means "not
stated true"; GNV-205 shows an unstated ``reports_on_request`` as "—", not "nej".
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from . import allocation
from .amounts import format_kr
from .hints import code_hints
from .i18n import Text, say
from .loader import PathT
from .models import Activity, Area, Plan, ReportKind
from .packs import Agreement
from .plans import LoadedPlan

REPORT_KINDS = typing.get_args(ReportKind)


def fact_id(kind: str, *parts: str | int) -> str:
    """A fact's id: its kind, then its parts JSON-encoded.

    Unique by construction: kinds are fixed words without ``:``, and JSON encodes
    a list of strings and integers injectively, so ids built from plan text (an
    area ``"a/b"`` with activity ``"c"`` against area ``"a"`` with ``"b/c"``) never
    meet, whatever separator the text holds.
    """
    return f"{kind}:{json.dumps(list(parts), ensure_ascii=False, separators=(',', ':'))}"


class DuplicateFactError(RuntimeError):
    """Two facts of one plan with one id: a bug in the fact builder, never sent to the engine."""


def check_unique(facts: list[Fact]) -> None:
    seen: set[str] = set()
    for fact in facts:
        if fact.id in seen:
            raise DuplicateFactError(f"two facts with the id {fact.id!r}")
        seen.add(fact.id)


@dataclass
class Fact:
    """One thing a rule reads: its kind, a unique id, where it is in the plan, its fields
    (what the plan does not state is absent) and the fields the pack cannot give, with why.
    How the engine encodes it is :func:`compliance.engine.encode`'s business."""

    kind: str
    id: str
    path: PathT
    data: dict[str, Any]
    unknown: dict[str, Text] = field(default_factory=dict)  # field -> why the pack cannot give it


def _text(value: str | None) -> str | None:
    return value if value else None


def depreciation(
    cost: int, life_years: int, in_service: dt.date, year: int
) -> tuple[int, int]:
    """Straight-line depreciation allowed in ``year``, pro rata from the month in service.

    Returns (whole kronor allowed, months depreciated in the year). Rounded down:
    the grant may carry at most the year's depreciation.
    """
    life_months = life_years * 12
    if in_service.year > year:
        months = 0
    elif in_service.year == year:
        months = 13 - in_service.month
    else:
        before = (year - in_service.year) * 12 - (in_service.month - 1)
        months = max(0, min(12, life_months - before))
    months = min(months, life_months)
    return cost * months // life_months, months


class PlanFactBuilder:
    """The facts of one plan (its header, areas, activities, reports, documents, financials,
    requirements and indicators) against an agreement pack, as of a date."""

    def __init__(self, loaded: LoadedPlan, pack: Agreement, as_of: dt.date) -> None:
        self.plan: Plan = loaded.plan
        self.pack = pack
        self.as_of = as_of
        self.facts: list[Fact] = []
        self.planned_by_area: dict[str, int] = {}
        for area in self.plan.areas:
            total = sum(a.amount for a in area.activities)
            self.planned_by_area[area.area] = self.planned_by_area.get(area.area, 0) + total
        self.row, self.row_missing = allocation.region_allocation(pack, self.plan.plan.region)

    def add(self, kind: str, path: PathT, data: dict[str, Any], unknown: dict[str, Text] | None = None) -> None:
        data.update(code_hints(kind, data, self.pack))  # shown in findings about a wrong code, never compared
        self.facts.append(Fact(kind, fact_id(kind, *path), path, data, unknown or {}))

    def has(self, key: str) -> bool:
        return key in self.plan.model_fields_set

    # -- the region's total ------------------------------------------------------
    def region_total(self, amount: int) -> tuple[int, int, str] | Text:
        """What ``amount`` (VFU money apart) is compared with: (allocation, tolerance, source), or why not.

        The published table (2020: 001 §2), or the model, whose total the published Bilaga 4 may
        exceed by the pack's rounding (1 kr); or a source's bound ("knappt 75,5 mkr", 000), which
        decides only for an amount above it.
        """
        pack = self.pack
        outside = {code for code, spec in pack.areas.items() if spec.allocated_by == "unknown"}
        inside = {code: v for code, v in self.row.items() if code not in outside}
        bound = pack.region_bounds.get(self.plan.plan.region)
        if inside and all(v is not None for v in inside.values()):
            # the figures are the model's, or else the published table's (allocation.region_allocation)
            cited = pack.model if pack.model is not None else pack.region_table
            assert cited is not None
            tolerance = pack.published_rounding if pack.model is not None else 0
            return sum(v for v in inside.values() if v is not None), tolerance, cited.source.cite()
        if bound is not None and amount > bound.at_most:
            return bound.at_most, 0, f"{bound.source.cite()}: «{bound.source.quote}»"
        reason = self.row_missing or say(
            f"{pack.id} saknar en del av regionens tilldelning", f"{pack.id} lacks part of the region's allocation"
        )
        if bound is not None:
            reason = say(
                f"{reason.sv}; beloppet ligger inte över gränsen {format_kr(bound.at_most, 'sv')} "
                f"({bound.source.cite()}), så regeln kan inte avgöras",
                f"{reason.en}; the amount is not above the bound of {format_kr(bound.at_most, 'en')} "
                f"({bound.source.cite()}), so the rule cannot be decided",
            )
        return reason

    def gp_earmark(self, data: dict[str, Any], unknown: dict[str, Text]) -> None:
        """GNV-212: the named-GP activities against the region's implied share of the 200 mkr (003 §2.2)."""
        earmark = self.pack.earmarks.get("fast-lakarkontakt")
        if earmark is None:
            return
        planned = 0
        for area in self.plan.areas:
            if area.area != earmark.area:
                continue
            for act in area.activities:
                codes = act.requirement if isinstance(act.requirement, list) else [act.requirement]
                if not act.unassigned and any(c and c.startswith(earmark.requirement_prefix) for c in codes):
                    planned += act.amount
        data["gp_area_planned"] = self.planned_by_area.get(earmark.area, 0)
        data["gp_planned"] = planned
        population = self.pack.model.population if self.pack.model else {}
        region = self.plan.plan.region
        if region in population:
            weights = {name: Fraction(earmark.amount * n, sum(population.values())) for name, n in population.items()}
            data["gp_implied_share"] = allocation.largest_remainder(earmark.amount, weights)[region]
            data["gp_shortfall"] = data["gp_implied_share"] - planned
        else:
            unknown["gp_implied_share"] = unknown["gp_shortfall"] = say(
                f"{region} finns inte i {self.pack.id}s befolkningsunderlag",
                f"{region} is not in the {self.pack.id} population figures",
            )

    # -- plan ------------------------------------------------------------------
    def plan_fact(self) -> None:
        header = self.plan.plan
        pack = self.pack
        # money outside the regional total (VFU: by VFU weeks added, 003 §9, not in Bilaga 4)
        outside = {code for code, spec in pack.areas.items() if spec.allocated_by == "unknown"}
        planned = sum(v for code, v in self.planned_by_area.items() if code not in outside)
        unknown: dict[str, Text] = {}
        data: dict[str, Any] = {
            "plan": header.id,
            "scope": header.id,
            "region": header.region,
            "agreement": header.agreement,
            "planned": planned,
            "planned_outside_total": sum(v for code, v in self.planned_by_area.items() if code in outside),
            "responsible": _text(header.responsible),
            "stated_total": header.stated_total,
            "parts_total": sum(a.allocation or 0 for a in self.plan.areas),
        }
        total = self.region_total(planned)
        if isinstance(total, Text):
            for key in ("allocation", "excess", "allocation_tolerance"):
                unknown[key] = total
        else:
            allocated, tolerance, source = total
            data.update(allocation=allocated, excess=planned - allocated, allocation_tolerance=tolerance,
                        allocation_source=source)
        self.gp_earmark(data, unknown)
        pack = self.pack
        if pack.model is not None:
            data["region_in_table"] = header.region in pack.model.population
        elif pack.region_table is not None and (
            header.region in pack.region_table.rows or pack.region_table.complete
        ):
            data["region_in_table"] = header.region in pack.region_table.rows
        else:
            unknown["region_in_table"] = (
                pack.allocation_missing
                or (pack.region_table.missing if pack.region_table else None)
                or say(f"{pack.id} anger inte vilka regioner som får medel",
                       f"{pack.id} does not list the regions it funds")
            )
        self.add("plan", ("plan",), data, unknown)

    # -- areas and activities --------------------------------------------------
    def area_fact(self, index: int, area: Area) -> None:
        spec = self.pack.areas.get(area.area)
        planned = sum(a.amount for a in area.activities)
        data: dict[str, Any] = {
            "area": area.area,
            "scope": area.area,
            "allocation": area.allocation,
            "planned": planned,
            "earmarked": spec.earmarked if spec else None,
            "stated_total": area.stated_total,
            "parts_total": planned,
            "responsible": _text(area.responsible),
            "private_providers": _text(area.private_providers),
            "agreement": self.pack.id,
        }
        unknown: dict[str, Text] = {}
        if area.allocation is not None:
            data["excess"] = planned - area.allocation
            data["unplanned"] = area.allocation - planned
        if spec is not None:
            agreed = self.row.get(area.area)
            if agreed is None:
                reason = spec.missing or self.row_missing or say(
                    f"{self.pack.id} ger ingen siffra för {area.area}",
                    f"{self.pack.id} gives no figure for {area.area}",
                )
                unknown["agreement_allocation"] = unknown["allocation_diff"] = reason
            else:
                data["agreement_allocation"] = agreed
                if area.allocation is not None:
                    data["allocation_diff"] = abs(area.allocation - agreed)
        self.add("area", ("areas", index), data, unknown)

    def activity_fact(self, a_index: int, area: Area, i: int, act: Activity) -> None:
        pack = self.pack
        period = act.period
        data: dict[str, Any] = {
            "activity": act.id,
            "name": act.name,
            "area": area.area,
            "amount": act.amount,
            "unassigned": act.unassigned,
            "responsible": _text(act.responsible),
            "purpose": _text(act.purpose),
            "provider": act.provider,
            "new": act.new,
            "followup_id": _text(act.followup_id),
            "period_start": period.start if period else pack.year_start,
            "period_end": period.end if period else pack.year_end,
            "additional_resources": act.additional_resources,  # as stated: None when the plan does not say
            "agreement_year": pack.year,
            "requirement": ", ".join(act.requirement) if isinstance(act.requirement, list)
            else _text(act.requirement),
        }
        if act.exit_plan is not None:
            data["exit_strategy"] = act.exit_plan.strategy
            data["exit_annual_cost"] = act.exit_plan.annual_cost
        if act.investment is not None:
            inv = act.investment
            allowed, months = depreciation(inv.cost, inv.useful_life_years, inv.in_service, pack.year)
            charged = inv.charged if inv.charged is not None else act.amount
            data.update(
                investment_cost=inv.cost,
                useful_life_years=inv.useful_life_years,
                in_service=inv.in_service,
                charged=charged,
                depreciation_allowed=allowed,
                depreciation_months=months,
                depreciation_excess=charged - allowed,
            )
        if act.private_provider is not None:
            pp = act.private_provider
            data["private_provider"] = _text(pp.name)
            data["contract"] = pp.contract
            data["reports_on_request"] = pp.reports_on_request  # as stated; absent when the plan does not say
        self.add("activity", ("areas", a_index, "activities", i), data)

    # -- reports and documents ---------------------------------------------------
    def report_facts(self) -> None:
        reports = self.plan.reports
        for kind, doc in sorted(self.pack.documents.items()):
            if kind not in REPORT_KINDS:
                continue
            indexed = [(i, r) for i, r in enumerate(reports) if r.kind == kind]
            done = [(i, r) for i, r in indexed if r.submitted is not None and r.submitted <= self.as_of]
            done.sort(key=lambda ir: (ir[1].submitted, ir[0]))
            required = True
            if doc.required_when_planned is not None:
                required = self.planned_by_area.get(doc.required_when_planned, 0) > 0
            data: dict[str, Any] = {"document": kind, "required": required, "as_of": self.as_of}
            unknown: dict[str, Text] = {}
            if done:
                data["submitted"] = done[0][1].submitted
                given = [r for _, r in done if r.recipients]
                if given and doc.recipients:
                    sent = {name.casefold() for _, r in done for name in r.recipients}
                    lacking = [name for name in doc.recipients if name.casefold() not in sent]
                    data["missing_recipients"] = len(lacking)
                    data["missing_recipient_names"] = lacking
            if doc.deadline is None:
                # lateness is measured from the deadline: unknown with it
                unknown["deadline"] = unknown["days_late"] = doc.missing or say(
                    f"{self.pack.id} anger ingen sista dag för {kind}", f"{self.pack.id} gives no deadline for {kind}"
                )
            else:
                data["deadline"] = doc.deadline
                data["recipients"] = doc.recipients
                end = data.get("submitted", self.as_of)
                data["days_late"] = max(0, (end - doc.deadline).days)
            if done:
                path: PathT = ("reports", done[0][0])
            elif indexed:
                path = ("reports", indexed[0][0])
            else:
                path = ("reports",) if self.has("reports") else ("plan",)
            self.facts.append(Fact("report", fact_id("report", kind), path, data, unknown))

    def document_facts(self) -> None:
        # what the pack requires of a report's contents (None: it does not say); other kinds require nothing
        required_contents = {"partial-report": self.pack.partial_report_contents,
                             "final-report": self.pack.final_report_contents}
        what = {"partial-report": say("en delredovisning", "a partial report"),
                "final-report": say("en slutredovisning", "a final report")}
        for i, report in enumerate(self.plan.reports):
            if report.submitted is None or report.submitted > self.as_of:
                continue  # not sent yet, as of the evaluation date
            refs = report.references
            gender = report.gender_equality
            data: dict[str, Any] = {
                "document": report.kind,
                "submitted": report.submitted,
                "signed_by": _text(report.signed_by),
                "ref_agreement": _text(refs.agreement) if refs else None,
                "ref_payment": _text(refs.payment_decision) if refs else None,
                # as stated: an exemption says no analysis is made (its reason below); None when not stated
                "gender_equality": gender if isinstance(gender, bool) or gender is None else False,
                "gender_exempt_reason": getattr(gender, "exempt_reason", None) or None,
            }
            unknown: dict[str, Text] = {}
            if report.kind == "requisition" and report.requested is not None:
                self.ceiling(data, unknown, report.requested)
            contents = required_contents.get(report.kind, [])
            if contents is None:
                unknown["contents_missing"] = say(
                    f"{self.pack.id} anger inte vad {what[report.kind].sv} ska innehålla",
                    f"{self.pack.id} does not list what {what[report.kind].en} must contain",
                )
            else:
                have = set(report.contents or [])
                lacking = [c for c in contents if c not in have]
                data["contents_missing"] = len(lacking)
                data["contents_missing_list"] = lacking
            self.add("document", ("reports", i), data, unknown)

    def financial_fact(self) -> None:
        fin = self.plan.financials
        if fin is None:
            return
        doc = self.pack.documents.get("repayment")
        data: dict[str, Any] = {
            "received": fin.received,
            "total_costs": fin.total_costs,
            "unspent": fin.unspent,
            "as_of": self.as_of,
        }
        unknown: dict[str, Text] = {}
        if fin.cost_items:
            data["cost_items_total"] = sum(c.amount for c in fin.cost_items)
        if fin.received is not None and fin.total_costs is not None:
            data["unspent_computed"] = fin.received - fin.total_costs
        data["document"] = "financial-report"
        if fin.period is not None:
            data["period_start"], data["period_end"] = fin.period.start, fin.period.end
        data["agreement_year"] = self.pack.year
        if fin.received is not None:
            self.ceiling(data, unknown, fin.received)
        cert = fin.certification
        data["certified_by"] = _text(cert.by) if cert else None
        data["verdict"] = cert.verdict if cert else None
        data["deviations"] = _text(cert.deviations) if cert else None
        data["measures"] = _text(cert.measures) if cert else None
        if doc is None or doc.deadline is None:
            unknown["repayment_deadline"] = (
                doc.missing if doc and doc.missing
                else say(f"{self.pack.id} anger ingen sista dag för återbetalning",
                         f"{self.pack.id} gives no repayment deadline")
            )
        else:
            deadline = doc.deadline
            data["repayment_deadline"] = deadline
            repaid = 0
            paid = fin.repaid
            if paid is not None and paid.date is not None and paid.date <= min(self.as_of, deadline):
                repaid = paid.amount
            data["repaid"] = repaid
            if "unspent_computed" in data:
                data["shortfall"] = max(0, data["unspent_computed"] - repaid)
        self.add("financials", ("financials",), data, unknown)

    def ceiling(self, data: dict[str, Any], unknown: dict[str, Text], amount: int) -> None:
        """GNV-415: the most a requisition may ask for, or an economic report state as received:
        the region's total (and its rounding), plus the VFU money the plan plans, which no seed
        gives per region (003 §9)."""
        outside = sum(v for code, v in self.planned_by_area.items()
                      if code in self.pack.areas and self.pack.areas[code].allocated_by == "unknown")
        data["amount"] = amount
        total = self.region_total(amount - outside)
        if isinstance(total, Text):
            unknown["ceiling"] = total
            return
        allocated, tolerance, source = total
        data.update(ceiling=allocated + tolerance + outside, allocation=allocated, allocation_source=source,
                    vfu_planned=outside)

    def requirement_facts(self) -> None:
        for code, req in sorted(self.pack.requirements.items()):
            # a requirement applies where the plan plans its area's funds
            required = self.planned_by_area.get(req.area, 0) > 0
            index = next((a for a, area in enumerate(self.plan.areas) if area.area == req.area), None)
            where: PathT = ("areas", index) if index is not None else ("areas",) if self.has("areas") else ("plan",)
            count = 0
            for area in self.plan.areas:
                if area.area != req.area:
                    continue
                for act in area.activities:
                    if act.unassigned:
                        continue  # a placeholder meets no requirement
                    codes = act.requirement if isinstance(act.requirement, list) else [act.requirement]
                    if (code in codes) if req.by == "code" else (act.purpose in req.purposes):
                        count += 1
            self.facts.append(
                Fact(
                    "requirement",
                    fact_id("requirement", code),
                    where,
                    {"requirement": code, "area": req.area, "required": required, "activities": count,
                     "requirement_name": req.name.sv, "requirement_source": req.source.cite(),
                     "met_by_field": "requirement" if req.by == "code" else "purpose",
                     "met_by": [code] if req.by == "code" else list(req.purposes)},
                )
            )

    def indicator_facts(self) -> None:
        ind = self.plan.indicators
        if ind is None:
            return
        for name, target in sorted(self.pack.targets.items()):
            value = getattr(ind, name, None)
            if value is None:
                continue
            unknown: dict[str, Text] = {}
            data: dict[str, Any] = {"indicator": name, "value": value, "as_of": self.as_of}
            if target.value is None:
                unknown["target"] = target.missing or say(
                    f"{self.pack.id} anger inget mål för {name}", f"{self.pack.id} gives no target for {name}"
                )
            else:
                data["target"] = target.value
                data["shortfall"] = round(target.value - value, 4)
            self.add("indicator", ("indicators", name), data, unknown)

    def build(self) -> list[Fact]:
        self.plan_fact()
        for a, area in enumerate(self.plan.areas):
            self.area_fact(a, area)
            for i, act in enumerate(area.activities):
                self.activity_fact(a, area, i, act)
        self.report_facts()
        self.document_facts()
        self.financial_fact()
        self.requirement_facts()
        self.indicator_facts()
        return self.facts


def _amounts(plan: Plan) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    areas: dict[str, int] = {}
    activities: dict[tuple[str, str], int] = {}
    for area in plan.areas:
        areas[area.area] = areas.get(area.area, 0)
        for act in area.activities:
            areas[area.area] += act.amount
            activities[(area.area, act.id)] = act.amount  # an activity id is unique within a plan (plans._check_plan)
    return areas, activities


def revision_facts(loaded: LoadedPlan, previous: LoadedPlan, pack: Agreement) -> list[Fact]:
    """Per area and activity: before, after and change between a plan and the version it revises."""
    plan, old = loaded.plan, previous.plan
    before_areas, before_acts = _amounts(old)
    after_areas, after_acts = _amounts(plan)
    area_index = {area.area: a for a, area in enumerate(plan.areas)}
    act_index = {
        (area.area, act.id): (a, i)
        for a, area in enumerate(plan.areas)
        for i, act in enumerate(area.activities)
    }
    names = {(area.area, act.id): act.name for p in (old, plan) for area in p.areas for act in area.activities}
    purposes = {(area.area, act.id): act.purpose for area in plan.areas for act in area.activities if act.purpose}
    facts: list[Fact] = []
    decision = plan.plan.decision
    facts.append(
        Fact(
            "revision",
            fact_id("revision"),
            ("plan",),
            {
                "previous": previous.file,
                "decision_body": _text(decision.body) if decision else None,
                "decision_reference": _text(decision.reference) if decision else None,
                "decision_date": decision.date if decision else None,
            },
        )
    )

    def earmarked(code: str) -> bool | None:
        spec = pack.areas.get(code)
        return spec.earmarked if spec else None

    codes = sorted(set(before_areas) | set(after_areas))
    changes = {code: after_areas.get(code, 0) - before_areas.get(code, 0) for code in codes}
    for code in codes:
        before, after = before_areas.get(code, 0), after_areas.get(code, 0)
        path: PathT = ("areas", area_index[code]) if code in area_index else ("areas",)
        others = [change for other, change in changes.items() if other != code]
        facts.append(
            Fact(
                "revision-area",
                fact_id("revision-area", code),
                path,
                {"area": code, "before": before, "after": after, "change": after - before,
                 "earmarked": earmarked(code), "previous": previous.file,
                 # what the other areas gained and lost: a fall here against a rise there is a move
                 "subject": code, "moved": max(0, before - after),
                 "rise_elsewhere": sum(c for c in others if c > 0),
                 "fall_elsewhere": -sum(c for c in others if c < 0)},
            )
        )
    for key in sorted(set(before_acts) | set(after_acts)):
        code, act_id = key
        before, after = before_acts.get(key, 0), after_acts.get(key, 0)
        if key in act_index:
            a, i = act_index[key]
            path = ("areas", a, "activities", i)
        else:
            path = ("areas", area_index[code]) if code in area_index else ("areas",)
        facts.append(
            Fact(
                "revision-activity",
                fact_id("revision-activity", code, act_id),
                path,
                {"area": code, "activity": act_id, "name": names.get(key), "before": before,
                 "after": after, "change": after - before, "earmarked": earmarked(code),
                 "purpose": purposes.get(key), "previous": previous.file,
                 "subject": f"{code}/{act_id}", "moved": max(0, after - before)},
            )
        )
    return facts


def build_facts(
    loaded: LoadedPlan, pack: Agreement, as_of: dt.date, previous: LoadedPlan | None = None
) -> list[Fact]:
    """Derive every fact the rules read from one plan (and the version it revises)."""
    facts = PlanFactBuilder(loaded, pack, as_of).build()
    if previous is not None:
        facts.extend(revision_facts(loaded, previous, pack))
    check_unique(facts)
    return facts
