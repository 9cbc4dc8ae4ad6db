"""Revisions: following ``plan.supersedes`` and the reallocation table (``compliance diff``;
:mod:`compliance.render.diff` writes it)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, Issue
from .facts import revision_facts
from .i18n import say
from .loader import MAX_BYTES
from .plans import LoadedPlan, PlanCache, inside

if TYPE_CHECKING:
    from .check import Checker


def _display(base: str, relative: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(base), relative))


def load_previous(
    loaded: LoadedPlan,
    max_bytes: int = MAX_BYTES,
    roots: list[Path] | None = None,
    cache: PlanCache | None = None,
) -> LoadedPlan | None:
    """The version ``loaded`` revises, after following the whole chain.

    A missing file, a cycle, a version of another agreement or region, or a
    reference that leaves ``roots`` (the folders being checked; by default the
    plan's own folder) or is not a regular plan file is an input error that names
    both files; a file outside is never opened. With a ``cache`` (one per run),
    each plan of a chain is read and its chain verified once, not once per plan
    that follows it.
    """
    if not loaded.plan.plan.supersedes:
        return None
    cache = cache if cache is not None else PlanCache()
    base = loaded.path if loaded.path is not None else Path(loaded.file)
    allowed = roots if roots is not None else [base.resolve().parent]
    seen = {base.resolve()}
    chain = [loaded.file]
    walked = [base.resolve()]
    current, first = loaded, None
    header = loaded.plan.plan
    verdict = (header.agreement, header.region, *allowed)
    while current.plan.plan.supersedes:
        relative = current.plan.plan.supersedes
        current_path = current.path if current.path is not None else Path(current.file)
        target = current_path.parent / relative
        display = _display(current.file, relative)
        line, column = current.locs.line_of(("plan", "supersedes"))

        def fail(en: str, sv: str) -> InputError:
            return InputError.at(current.file, en, line, column, "plan.supersedes",  # noqa: B023
                                cell=current.locs.cell_of(("plan", "supersedes")), sv=sv)  # noqa: B023

        resolved = target.resolve()
        if not inside(resolved, allowed):
            raise fail(f"supersedes {display}, which is outside the folders being checked; a revision must be "
                       "a plan file among them (it is not read)",
                       f"reviderar {display}, som ligger utanför mapparna som granskas; en revision ska vara "
                       "en planfil bland dem (den läses inte)")
        try:
            st = os.stat(resolved)
        except OSError:
            raise fail(f"supersedes {display}, which does not exist", f"reviderar {display}, som inte finns") from None
        if not stat.S_ISREG(st.st_mode) or resolved.suffix.lower() not in (".yaml", ".yml", ".xlsx"):
            raise fail(f"supersedes {display}, which is not a plan file (*.yaml, *.yml, *.xlsx); it is not read",
                       f"reviderar {display}, som inte är en planfil (*.yaml, *.yml, *.xlsx); den läses inte")
        if resolved in seen:
            trail = " → ".join([*chain, display])
            raise fail(
                f"revision cycle: {current.file} supersedes {display}, which is already in the chain ({trail})",
                f"revideringarna går i cirkel: {current.file} reviderar {display}, "
                f"som redan finns i kedjan ({trail})",
            )
        seen.add(resolved)
        chain.append(display)
        walked.append(resolved)
        previous = cache.load(target, display, max_bytes)
        for key in ("agreement", "region"):
            if getattr(previous.plan.plan, key) != getattr(header, key):
                raise InputError.at(
                    loaded.file,
                    f"revises {display}, a plan of another {key} "
                    f"({getattr(previous.plan.plan, key)!r}, not {getattr(header, key)!r})",
                    line, column, "plan.supersedes", cell=current.locs.cell_of(("plan", "supersedes")),
                    sv=f"reviderar {display}, en plan för en annan "
                    f"{'överenskommelse' if key == 'agreement' else 'region'} "
                    f"({getattr(previous.plan.plan, key)!r}, inte {getattr(header, key)!r})",
                )
        first = first or previous
        current = previous
        if cache.chains.get(resolved) == verdict:
            break  # the rest of the chain was verified, for this agreement and region, earlier in the run
    for path in walked:
        cache.chains[path] = verdict
    return first


@dataclass
class DiffRow:
    area: str
    activity: str | None
    name: str | None
    before: int
    after: int
    change: int
    forbidden: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "activity": self.activity, "name": self.name, "before": self.before,
                "after": self.after, "change": self.change, "forbidden": self.forbidden}


@dataclass
class Diff:
    old: str
    new: str
    rows: list[DiffRow]
    messages: list[str]
    failed_errors: int = 0  # error-severity revision findings: the exit status of `compliance diff`

    def as_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "rows": [r.as_dict() for r in self.rows],
                "findings": self.messages}


REVISION_KINDS = frozenset({"revision", "revision-area", "revision-activity"})


def diff(checker: Checker, old: LoadedPlan, new: LoadedPlan, as_of: dt.date) -> Diff:
    """Per area and activity: before, after, change, and the revision rules a move breaks
    (the rules that read revision facts), judged as of ``as_of``."""
    pack = checker.book.agreement(new.plan.plan.agreement)
    if pack is None:
        raise InputError.at(new.file, f"unknown agreement {new.plan.plan.agreement!r}",
                            sv=f"okänd överenskommelse {new.plan.plan.agreement!r}")
    result = checker.check_plan(new, as_of, previous=old)
    revision = [f for f in result.findings if REVISION_KINDS.intersection(checker.book.by_id[f.rule].facts)]
    broken: dict[str, list[str]] = {}
    for finding in revision:
        if finding.subject:
            broken.setdefault(finding.subject, []).append(finding.rule)
    rows: list[DiffRow] = []
    for fact in revision_facts(new, old, pack):
        if fact.kind == "revision":
            continue
        d = fact.data
        rows.append(DiffRow(d["area"], d.get("activity"), d.get("name"), d["before"], d["after"],
                            d["change"], sorted(broken.get(fact.id, []))))
    rows.sort(key=lambda r: (r.area, r.activity is not None, r.activity or ""))
    errors = sum(1 for f in revision if f.outcome == "failed" and f.severity == "error")
    return Diff(old.file, new.file, rows, [f"{f.rule}: {f.message}" for f in revision], errors)


def related(old: LoadedPlan, new: LoadedPlan) -> Issue | None:
    """Whether ``compliance diff OLD NEW`` compares two versions of one plan.

    Another agreement (year) or region is an input error naming both files; another
    plan id is allowed (a revision may take a new id) but is said, unless NEW's
    ``plan.supersedes`` names OLD.
    """
    a, b = old.plan.plan, new.plan.plan
    for key, sv in (("agreement", "överenskommelse"), ("region", "region")):
        if getattr(a, key) != getattr(b, key):
            line, column = new.locs.line_of(("plan", key))
            raise InputError.at(
                new.file,
                f"{new.file} and {old.file} are plans of another {key} ({getattr(b, key)!r}, {getattr(a, key)!r}): "
                "not two versions of one plan",
                line, column, f"plan.{key}",
                sv=f"{new.file} och {old.file} är planer för olika {sv} ({getattr(b, key)!r}, "
                f"{getattr(a, key)!r}): inte två versioner av en plan",
            )
    if a.id == b.id:
        return None
    if b.supersedes and new.path is not None and old.path is not None:
        try:
            if (new.path.parent / b.supersedes).resolve() == old.path.resolve():
                return None
        except OSError:
            pass
    line, column = new.locs.line_of(("plan", "id"))
    return Issue(new.file, line, column, say(
                 f"planen {b.id!r} anger inte {old.file} i plan.supersedes och har ett annat id än "
                 f"{a.id!r}: är de versioner av en plan?",
                 f"plan {b.id!r} does not name {old.file} in plan.supersedes and has another id than "
                 f"{a.id!r}: are these versions of one plan?"), "plan.id")
