"""Agreement packs, the regional policy pack and rule files: data, loaded and validated.

A rules folder holds

* ``<id>/agreement.yaml``: one agreement year's figures (areas, amounts,
  the region table or the allocation model's inputs, deadlines, targets),
  each with the seed and section it comes from; a figure no seed gives is
  ``null`` with the reason in ``missing``;
* ``policy.yaml`` (anywhere, one per region): a regional pack, the region's
  own conditions (which rules apply to that region's plans, with their source)
  and their parameters (e.g. the follow-up system's name);
* every other ``*.yaml``: one rule each (see :mod:`compliance.rules`),
  except under ``obligations/``, the coverage list (see :mod:`compliance.coverage`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.resources
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .errors import InputError
from .i18n import Text as Text  # Text, say and Source are imported from here too
from .i18n import say as say
from .loader import load_file
from .plans import validate
from .rules import Rule, load_rule
from .texts import Source as Source


def _shipped_rules() -> Path:
    """The rule catalog and agreement packs shipped with the tool.

    An installed wheel or sdist carries the repository's top-level ``rules/`` as
    package data (``compliance/shipped_rules``, found through
    :mod:`importlib.resources`); an editable install or a checkout reads
    ``rules/`` beside ``src/``.
    """
    packaged = importlib.resources.files("compliance") / "shipped_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent.parent / "rules"
    return checkout if checkout.is_dir() else Path(str(packaged))


RULES_DIR = _shipped_rules()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaSpec(_Model):
    name: Text
    national_amount: int | None = None
    earmarked: bool = False
    purposes: list[str] = Field(default_factory=list)
    allocated_by: Literal["population", "population-plus-base", "unknown"] = "population"
    base_per_region: int = 0
    source: Source
    missing: Text | None = None


class RegionTable(_Model):
    """A published table of what regions receive per area (when the model's inputs are unknown)."""

    complete: bool
    source: Source
    rows: dict[str, dict[str, int]]
    missing: Text | None = None


class County(_Model):
    population: int
    individuals: int


class Municipal(_Model):
    amounts: dict[str, int]
    counties: dict[str, County]
    source: Source


class AllocationInputs(_Model):
    """The allocation model's inputs (003 §9)."""

    census_date: dt.date
    source: Source
    population: dict[str, int]
    municipal: Municipal | None = None


class Document(_Model):
    deadline: dt.date | None = None
    recipients: list[str] = Field(default_factory=list)
    required_when_planned: str | None = None  # an area code: required only when it is planned
    source: Source | None = None
    missing: Text | None = None


class Target(_Model):
    value: float | None = None
    source: Source | None = None
    missing: Text | None = None


class Requirement(_Model):
    """An effort the agreement year requires in one area, where the plan plans that area's funds.

    Met by an activity of the area carrying the code in ``requirement`` (``by: code``), or
    by any activity of the area with one of ``purposes`` (``by: purpose``).
    """

    name: Text
    area: str
    by: Literal["code", "purpose"] = "code"
    purposes: list[str] = Field(default_factory=list)
    source: Source


class Bound(_Model):
    """A figure a source gives only as a bound ("knappt 75,5 mkr", 000): the allocation is at most this."""

    at_most: int
    source: Source


class Consequence(_Model):
    """What the year's own source says follows when a condition is broken (messages quote it)."""

    text: Text
    source: Source


class Earmark(_Model):
    """Money a source sets aside inside an area for one effort, with no per-region figure (003 §2.2)."""

    amount: int
    area: str
    requirement_prefix: str  # activities carrying a requirement code with this prefix are its activities
    source: Source


class Agreement(_Model):
    id: str
    title: Text
    year: int
    sources: list[Source]
    # the seeds that speak for this year: a rule applies only with a source among them
    year_documents: list[str] = Field(default_factory=list)
    # rule id -> the sources of this year that state its condition
    applies: dict[str, list[Source]] = Field(default_factory=dict)
    # GNV-101's tolerance where the region's total comes from the model, not the published table
    published_rounding: int = 0
    region_bounds: dict[str, Bound] = Field(default_factory=dict)
    private_provider_areas: list[str] = Field(default_factory=list)  # GNV-206 (the agreement's half)
    private_contract_required: bool = False  # GNV-205 (the agreement's half)
    # name -> what this year's source says follows ({pack.consequence.<name>} in messages)
    consequences: dict[str, Consequence] = Field(default_factory=dict)
    earmarks: dict[str, Earmark] = Field(default_factory=dict)  # GNV-212
    areas: dict[str, AreaSpec]
    region_table: RegionTable | None = None
    model: AllocationInputs | None = None
    allocation_missing: Text | None = None
    documents: dict[str, Document]
    requirements: dict[str, Requirement] = Field(default_factory=dict)
    targets: dict[str, Target] = Field(default_factory=dict)
    partial_report_contents: list[str] | None = None  # GNV-410
    final_report_contents: list[str] | None = None  # GNV-414
    excluded_rules: dict[str, Text | str] = Field(default_factory=dict)  # rule id -> why its year has no source
    notes: list[str] = Field(default_factory=list)

    _derived: dict[str, tuple[Any, Any]] = PrivateAttr(default_factory=dict)

    def derived(self, name: str, sources: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A figure computed once from ``sources`` (parts of this frozen pack) and kept with the pack.

        Kept only while each source is the very object it was computed from: a copy of the
        pack with a part replaced (``model_copy(update=…)`` copies private state) computes anew.
        """
        kept = self._derived.get(name)
        same = kept is not None and len(kept[0]) == len(sources) and all(
            a is b for a, b in zip(kept[0], sources, strict=True))
        if kept is None or not same:
            kept = self._derived[name] = (sources, compute())
        return kept[1]

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


class Policy(_Model):
    """A regional pack: a region's own conditions (001 §2.1.5) and their parameters.

    Its rules apply to every plan of that region, in any agreement year.
    """

    id: str
    title: Text
    region: str
    followup_system: str
    source: Source
    applies: dict[str, list[Source]] = Field(default_factory=dict)
    private_providers_all_areas: bool = False  # GNV-206 for every area, not only the agreement's
    private_reports_on_request: bool = False  # GNV-205's reporting half


class RuleBook:
    """Everything in one rules folder, loaded once per process and validated."""

    def __init__(
        self,
        root: Path,
        agreements: dict[str, Agreement],
        policies: dict[str, Policy],
        rules: list[Any],
    ) -> None:
        self.root = root
        self.agreements = agreements
        self.policies = policies  # region name -> its regional pack
        self.rules = rules
        self.by_id = {rule.id: rule for rule in rules}

    def agreement(self, agreement_id: str) -> Agreement | None:
        return self.agreements.get(agreement_id)

    def policy(self, region: str) -> Policy | None:
        """The regional pack of ``region``, if the rules folder has one."""
        return self.policies.get(region)

    def regional_rules(self) -> set[str]:
        return {rid for policy in self.policies.values() for rid in policy.applies}


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _rule_files(root: Path) -> list[Path]:
    """Packs, policies and rules; ``obligations/`` is the coverage list (:mod:`compliance.coverage`)."""
    return [
        p for p in sorted(root.rglob("*.y*ml"))
        if p.suffix in (".yaml", ".yml") and not p.name.startswith("_")
        and p.relative_to(root).parts[0] != "obligations"
    ]


def _cache_dir() -> Path | None:
    if os.environ.get("COMPLIANCE_NO_CACHE"):
        return None
    base = os.environ.get("COMPLIANCE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "compliance" if base else Path.home() / ".cache" / "compliance"


def _digest(root: Path, files: list[Path]) -> str:
    from . import __version__, factschema

    # the fact schema too: rule files are checked against it when read, not when read back from here
    h = hashlib.sha256(f"compliance {__version__} rule-book cache 2 {factschema.fingerprint()}\n".encode())
    for path in files:
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


_DATE = "__date__"


def _tag_dates(value: Any) -> Any:
    """JSON has no dates: a date anywhere in the rule book (an example plan's dates too)
    is stored tagged, so the book read back equals the book parsed from the files."""
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _untag_dates(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj:
        return dt.date.fromisoformat(obj[_DATE])
    return obj


def _from_cache(path: Path, root: Path) -> RuleBook | None:
    """A rule book validated earlier from the very same files, as JSON (never pickle)."""
    try:
        data = json.loads(path.read_text("utf-8"), object_hook=_untag_dates)
        agreements = {k: Agreement.model_validate(v) for k, v in data["agreements"].items()}
        policies = {k: Policy.model_validate(v) for k, v in data["policies"].items()}
        rules = [Rule.model_validate(r) for r in data["rules"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, stale format or damaged: load from the files
    return RuleBook(root, agreements, policies, rules)


def _to_cache(path: Path, book: RuleBook) -> None:
    from .output import write_output

    doc = {
        "agreements": {k: a.model_dump() for k, a in book.agreements.items()},
        "policies": {k: p.model_dump() for k, p in book.policies.items()},
        "rules": [r.model_dump() for r in book.rules],
    }
    try:
        write_output(json.dumps(doc, ensure_ascii=False, default=_tag_dates), str(path))
    except (OSError, TypeError):
        return  # a read-only home or a full disk only costs the next run its speed


@functools.lru_cache(maxsize=8)
def load_rulebook(root: Path = RULES_DIR) -> RuleBook:
    """Load and validate a rules folder. Raises :class:`InputError` naming file and line.

    The validated result is cached as JSON under ``~/.cache/compliance`` (or
    ``$COMPLIANCE_CACHE_DIR``), keyed by a hash of every file's path and bytes and
    the tool's version, so a changed rule is always read anew; parsing the rule
    files was a sixth of a cold single-plan check. ``COMPLIANCE_NO_CACHE=1`` turns
    it off.
    """
    root = Path(root)
    if not root.is_dir():
        shipped = root == RULES_DIR
        hint, hint_sv = (
            ("; the rules shipped with the tool are missing from this installation (reinstall it)",
             "; reglerna som följer med verktyget saknas i den här installationen (installera om det)")
            if shipped else ("", "")
        )
        raise InputError.at(
            str(root), f"no such rules folder{hint}; point at one with --rules DIR (a folder holding "
            "<agreement>/agreement.yaml and the rule files)",
            sv=f"regelmappen finns inte{hint_sv}; ange en med --rules MAPP (en mapp med "
            "<agreement>/agreement.yaml och regelfilerna)",
        )
    files = _rule_files(root)
    folder = _cache_dir()
    cache = folder / f"rulebook-{_digest(root, files)[:40]}.json" if folder else None
    if cache is not None and cache.is_file():
        book = _from_cache(cache, root)
        if book is not None:
            return book
    book = _load_files(root, files)
    if cache is not None:
        _to_cache(cache, book)
    return book


def _load_files(root: Path, files: list[Path]) -> RuleBook:

    agreements: dict[str, Agreement] = {}
    policies: dict[str, Policy] = {}
    rules: dict[str, Any] = {}
    for path in files:
        display = _display(path, root)
        data, locs = load_file(path, display)
        if path.name == "agreement.yaml":
            pack = validate(data, locs, Agreement)
            if pack.id != path.parent.name:
                raise InputError.at(
                    display, f"pack id {pack.id!r} differs from its folder {path.parent.name!r}", 1,
                    sv=f"paketets id {pack.id!r} skiljer sig från dess mapp {path.parent.name!r}",
                )
            agreements[pack.id] = pack
        elif path.name == "policy.yaml":
            policy: Policy = validate(data, locs, Policy)
            if policy.region in policies:
                raise InputError.at(
                    display, f"a second regional pack for {policy.region} (also {policies[policy.region].id})", 1,
                    sv=f"ett andra regionalt paket för {policy.region} (också {policies[policy.region].id})",
                )
            policies[policy.region] = policy
        else:
            rule = load_rule(data, locs)
            if rule.id in rules:
                raise InputError.at(
                    display, f"rule {rule.id} is defined twice (also in {rules[rule.id].file})", 1,
                    sv=f"regeln {rule.id} definieras två gånger (också i {rules[rule.id].file})",
                )
            rules[rule.id] = rule
    if not agreements:
        raise InputError.at(str(root), "the rules folder holds no agreement pack (*/agreement.yaml)",
                            sv="regelmappen innehåller inget överenskommelsepaket (*/agreement.yaml)")
    regional = {rid for policy in policies.values() for rid in policy.applies}
    for policy in policies.values():
        for rule_id in policy.applies:
            if rule_id not in rules:
                raise InputError.at(f"{policy.id}/policy.yaml", f"applies names unknown rule {rule_id}",
                                    sv=f"applies namnger den okända regeln {rule_id}")
    for pack in agreements.values():
        where = f"{pack.id}/agreement.yaml"
        for rule_id in [*pack.excluded_rules, *pack.applies]:
            if rule_id not in rules:
                raise InputError.at(where, f"names unknown rule {rule_id}", sv=f"namnger den okända regeln {rule_id}")
        for rule_id, sources in pack.applies.items():
            if rule_id in pack.excluded_rules:
                raise InputError.at(where, f"{rule_id} is both applied and excluded",
                                    sv=f"{rule_id} står både under applies och excluded_rules")
            other = [s.document for s in sources if pack.year_documents and s.document not in pack.year_documents]
            if not sources or other:
                raise InputError.at(
                    where,
                    f"applies {rule_id} with no source of {pack.year} "
                    f"(its year's documents: {', '.join(pack.year_documents) or 'none listed'}; "
                    f"given: {', '.join(s.document for s in sources) or 'none'})",
                    sv=f"tillämpar {rule_id} utan källa från {pack.year} "
                    f"(årets dokument: {', '.join(pack.year_documents) or 'inga angivna'}; "
                    f"angivna: {', '.join(s.document for s in sources) or 'inga'})",
                )
        for rule_id in rules:
            if rule_id not in pack.applies and rule_id not in pack.excluded_rules and rule_id not in regional:
                raise InputError.at(
                    where,
                    f"says nothing of {rule_id}: list it under applies (with this year's source) "
                    "or excluded_rules (with the reason)",
                    sv=f"säger inget om {rule_id}: lista den under applies (med årets källa) "
                    "eller excluded_rules (med skälet)",
                )
    return RuleBook(root, agreements, policies, [rules[k] for k in sorted(rules)])
