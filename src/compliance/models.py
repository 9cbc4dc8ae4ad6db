"""The plan format (``shared/docs/plan-format.md``) as pydantic v2 models.

Every model forbids unknown fields, so a typo is an input error with a
did-you-mean, never a silently dropped field. Fields that rules check are
optional: their absence is that rule's finding, not an input error.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator

from .amounts import parse_amount
from .i18n import BilingualError, say

AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": r"^\s*\d[\d\s\u00a0_]*(,\d+)?\s*(kr|kronor|sek|mkr|tkr|miljoner( kronor)?)?\s*$"},
    ],
    "description": "Hela kronor: heltal eller svensk sträng (\"18 174 397 kr\", \"1,5 mkr\") / "
    "whole kronor: an integer or a Swedish-style string",
}
Amount = Annotated[int, BeforeValidator(parse_amount), WithJsonSchema(AMOUNT_SCHEMA)]
Share = Annotated[float, Field(ge=0, le=1)]
Text = Annotated[str, Field(max_length=10_000)]

Provider = Literal["region", "municipality", "private", "mixed"]
Contract = Literal["care-choice", "lov", "lou"]
Strategy = Literal["ordinary-budget", "replaces", "wind-down"]
ReportKind = Literal[
    "requisition",
    "partial-report",
    "final-report",
    "financial-report",
    "patient-contract-plan",
    "vfu-report",
]
Verdict = Literal["correct", "incorrect"]
# report contents (plan format): the partial report's (GNV-410) and the final report's (GNV-414)
Content = Literal[
    "completed-activities",
    "planned-activities",
    "challenges",
    "results",
    "use-of-funds",
    "collaboration",
    "avoidable-inpatient-care",
    "primary-care-resourcing",
    "at-st-dimensioning",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _no_datetime(value: object) -> object:
    if isinstance(value, dt.datetime):
        raise BilingualError(say("ett datum skrivs ÅÅÅÅ-MM-DD, utan klockslag",
                                 "a date is written YYYY-MM-DD, without a time"))
    return value


Date = Annotated[dt.date, BeforeValidator(_no_datetime)]


class Decision(_Model):
    body: Text | None = None
    reference: Text | None = None
    date: Date | None = None


class PlanHeader(_Model):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    title: Text | None = None
    region: Annotated[str, Field(min_length=1, max_length=200)]
    agreement: Annotated[str, Field(min_length=1, max_length=100)]
    responsible: Text | None = None
    decision: Decision | None = None
    supersedes: Text | None = None
    stated_total: Amount | None = None


class ExitPlan(_Model):
    strategy: Strategy | None = None
    annual_cost: Amount | None = None
    description: Text | None = None


class Period(_Model):
    start: Date
    end: Date

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: object) -> dt.date:
        start = getattr(info, "data", {}).get("start")
        if start is not None and end < start:
            raise BilingualError(say(f"perioden slutar ({end}) innan den börjar ({start})",
                                     f"the period ends ({end}) before it starts ({start})"))
        return end


class Investment(_Model):
    cost: Amount
    useful_life_years: Annotated[int, Field(ge=1, le=100, strict=True)]
    in_service: Date
    charged: Amount | None = None


class PrivateProvider(_Model):
    name: Text | None = None
    contract: Contract | None = None
    reports_on_request: bool | None = None


class Activity(_Model):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    name: Text | None = None
    amount: Amount
    responsible: Text | None = None
    purpose: Text | None = None
    provider: Provider | None = None
    new: bool | None = None
    exit_plan: ExitPlan | None = None
    followup_id: Text | None = None
    period: Period | None = None
    investment: Investment | None = None
    private_provider: PrivateProvider | None = None
    additional_resources: bool | None = None
    unassigned: bool = False
    requirement: Text | list[Text] | None = None  # one code of the pack, or a list of them (GNV-211)


class Area(_Model):
    area: Annotated[str, Field(min_length=1, max_length=100)]
    allocation: Amount | None = None
    responsible: Text | None = None
    private_providers: Text | None = None
    stated_total: Amount | None = None
    activities: list[Activity] = Field(default_factory=list)


class References(_Model):
    agreement: Text | None = None
    payment_decision: Text | None = None


class GenderExemption(_Model):
    exempt_reason: Text


class Report(_Model):
    kind: ReportKind
    submitted: Date | None = None
    recipients: list[Text] = Field(default_factory=list)
    signed_by: Text | None = None
    references: References | None = None
    gender_equality: bool | GenderExemption | None = None
    contents: list[Content] | None = None
    requested: Amount | None = None  # requisition only: the amount asked for (GNV-415)


class CostItem(_Model):
    item: Text
    amount: Amount


class Repayment(_Model):
    amount: Amount
    date: Date | None = None


class Certification(_Model):
    by: Text | None = None
    verdict: Verdict | None = None
    deviations: Text | None = None
    measures: Text | None = None


class Financials(_Model):
    received: Amount | None = None
    period: Period | None = None  # the period the economic report covers (GNV-415)
    cost_items: list[CostItem] = Field(default_factory=list)
    total_costs: Amount | None = None
    unspent: Amount | None = None
    repaid: Repayment | None = None
    certification: Certification | None = None


class Indicators(_Model):
    named_gp_share: Share | None = None
    nursing_home_gp_share: Share | None = None
    continuity_index_change: Annotated[float, Field(ge=-1, le=10)] | None = None  # to doctors
    continuity_index_total_change: Annotated[float, Field(ge=-1, le=10)] | None = None  # the patient's total contacts


class Plan(_Model):
    """One plan file: how a region distributes one agreement year's funds."""

    plan: PlanHeader
    areas: list[Area] = Field(default_factory=list)
    reports: list[Report] = Field(default_factory=list)
    financials: Financials | None = None
    indicators: Indicators | None = None
