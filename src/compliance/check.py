"""Checking plans: the library entry point the CLI is a thin shell around.

    from compliance.check import Checker
    run = Checker().check_paths(["plans/"], as_of=date(2020, 4, 1))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import Engine, Hit
from .errors import InputError, Issue
from .facts import Fact, build_facts
from .findings import CheckRun, Finding, Location, PlanResult, SourceRef, Tally
from .loader import MAX_BYTES, format_path
from .packs import RULES_DIR, RuleBook, load_rulebook
from .plans import LoadedPlan, load_plan
from .rules import Rule, render

if TYPE_CHECKING:
    from .waivers import WaiverState


NOT_PLANS = {"compliance-waivers.yaml", "compliance-waivers.yml"}


def collect_paths(paths: Iterable[str]) -> list[tuple[Path, str]]:
    """Files named on the command line; a folder means every *.yaml/*.yml under it."""
    out: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            before = len(out)
            for p in found:
                rel = p.relative_to(path)
                if p.name in NOT_PLANS or any(part.startswith(".") for part in rel.parts):
                    continue  # the gate's own files, and hidden ones (.pre-commit-config.yaml, .github/…)
                out.append((p, str(Path(given) / rel)))
            if len(out) == before:
                # a gate pointed at the wrong folder must not pass by checking nothing
                raise InputError.at(given, "no plan files (*.yaml, *.yml) in this folder",
                                    sv="inga planfiler (*.yaml, *.yml) i mappen")
        else:
            out.append((path, given))
    return out


def issue_order(issue: Issue) -> tuple[str, int, int, str]:
    return (issue.file, issue.line or 0, issue.column or 0, issue.message)


@contextlib.contextmanager
def tuned_gc() -> Iterator[None]:
    """Around a batch: the rule book and compiled rulesets live for the whole run,
    a plan's parse tree for a few milliseconds. Freezing the first and collecting
    the young generation less often measured about 15 % faster; the previous
    settings come back afterwards."""
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


class Checker:
    """Holds a rule book and its compiled rulesets for a whole batch."""

    def __init__(self, rules_dir: Path | None = None, lang: str = "sv", engine: str | None = None) -> None:
        self.book: RuleBook = load_rulebook(Path(rules_dir) if rules_dir else RULES_DIR)
        self.engine = Engine(self.book.rules, self.book.policy, engine)
        self.lang = lang
        self._views: dict[str, tuple[Rule, str, tuple[SourceRef, ...]]] = {}
        policy = self.book.policy
        self._pack_values: dict[str, Any] = {
            "policy.followup_system": policy.followup_system if policy else None
        }

    # -- one plan --------------------------------------------------------------
    def check_plan(
        self, loaded: LoadedPlan, as_of: dt.date, previous: LoadedPlan | None = None
    ) -> PlanResult:
        header = loaded.plan.plan
        pack = self.book.agreement(header.agreement)
        if pack is None:
            line, column = loaded.locs.line_of(("plan", "agreement"))
            known = ", ".join(sorted(self.book.agreements))
            raise InputError.at(
                loaded.file,
                f"unknown agreement {header.agreement!r}; the rules folder has: {known}",
                line,
                column,
                "plan.agreement",
                sv=f"okänd överenskommelse {header.agreement!r}; regelmappen har: {known}",
            )
        facts = build_facts(loaded, pack, as_of, previous)
        hits = self.engine.run(pack, facts)
        by_id = {f.id: f for f in facts}
        findings = sorted(
            (self._finding(loaded, hit, by_id, pack.id) for hit in hits),
            key=Finding.sort_key,
        )
        compiled = self.engine.compile(pack)
        return PlanResult(
            file=loaded.file,
            plan=header.id,
            agreement=header.agreement,
            region=header.region,
            findings=findings,
            rules_applied=list(compiled.rule_ids),
            planned_by_area={
                f.data["area"]: (f.data["planned"], f.data.get("allocation"))
                for f in facts
                if f.kind == "area"
            },
        )

    def _finding(
        self, loaded: LoadedPlan, hit: Hit, facts: dict[str, Fact], pack_id: str
    ) -> Finding:
        rule_id, outcome, fact_id, static_reason = hit
        rule, title, sources = self._rule_view(rule_id)
        fact = facts[fact_id]
        data = fact.data
        values = {k: data[k] for k in rule.values if k in data}
        if outcome == "not-evaluated":
            reads = self.engine.compile(self.book.agreements[pack_id]).reads[rule_id]
            why = [static_reason] if static_reason else [fact.unknown[f] for f in reads if f in fact.unknown]
            reasons = "; ".join(dict.fromkeys(r.get(self.lang) for r in why))
            message = f"not evaluated: {reasons}" if self.lang == "en" else f"ej bedömd: {reasons}"
            values = {k: v for k, v in values.items() if v is not None}
        else:
            message = render(rule.message.get(self.lang), values, self._pack_values, self.lang)
        return Finding(
            rule=rule_id,
            severity=rule.severity,
            outcome=outcome,
            title=title,
            message=message,
            sources=sources,
            location=Location(loaded.file, loaded.line(fact.path), format_path(fact.path)),
            values=values,
            area=data.get("area"),
            activity=data.get("activity"),
            subject=fact.id,
        )

    def _rule_view(self, rule_id: str) -> tuple[Rule, str, tuple[SourceRef, ...]]:
        """A rule with its title and sources in this checker's language, built once."""
        view = self._views.get(rule_id)
        if view is None:
            rule = self.book.by_id[rule_id]
            sources = tuple(SourceRef(s.document, s.section, s.quote) for s in rule.source)
            view = self._views[rule_id] = (rule, rule.title.get(self.lang), sources)
        return view

    # -- many plans --------------------------------------------------------------
    def check_one(
        self, path: Path, display: str, as_of: dt.date, max_bytes: int = MAX_BYTES, within: Path | None = None
    ) -> PlanResult | list[Issue]:
        """One file: its result, or the issues that make it unreadable.

        ``within``: look for the versions ``supersedes`` names only in that folder
        (see :func:`~compliance.revisions.load_previous`).
        """
        try:
            loaded = load_plan(path, display, max_bytes)
            previous = None
            if loaded.plan.plan.supersedes:
                from .revisions import load_previous

                previous = load_previous(loaded, max_bytes, within)
            return self.check_plan(loaded, as_of, previous)
        except InputError as exc:
            return exc.issues

    def iter_files(
        self,
        files: list[tuple[Path, str]],
        as_of: dt.date,
        max_bytes: int = MAX_BYTES,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        within: Path | None = None,
    ) -> Iterator[PlanResult | list[Issue]]:
        """Each file's outcome in order of its name, on ``jobs`` processes when asked.

        A generator: a caller that renders as it goes holds one plan at a time,
        so a batch of any size checks in the memory of one plan.
        """
        files = sorted(files, key=lambda f: f[1])
        if jobs > 1 and len(files) > 1 and within is None:
            from .parallel import check_parallel

            yield from check_parallel(self, files, as_of, max_bytes, jobs, progress)
            return
        for n, (path, display) in enumerate(files, 1):
            yield self.check_one(path, display, as_of, max_bytes, within)
            if progress:
                progress(n, len(files))

    def check_files(
        self,
        files: list[tuple[Path, str]],
        as_of: dt.date,
        max_bytes: int = MAX_BYTES,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        within: Path | None = None,
    ) -> CheckRun:
        """Check a batch and keep every result (see :meth:`run_batch` to stream)."""
        run = CheckRun(as_of, self.lang, [], [])
        run.results.extend(self._results(run, files, max_bytes, jobs, progress, within=within))
        return run

    def _results(
        self,
        run: CheckRun,
        files: list[tuple[Path, str]],
        max_bytes: int,
        jobs: int,
        progress: Callable[[int, int], None] | None,
        waivers: WaiverState | None = None,
        baseline: set[tuple[str, str, str]] | None = None,
        recorded: set[tuple[str, str, str]] | None = None,
        within: Path | None = None,
    ) -> Iterator[PlanResult]:
        """The batch's results as they come; unreadable files go to ``run.errors``.

        Waivers and the baseline are applied to each result on the way,
        ``recorded`` collects the keys for ``--write-baseline``, and a streaming
        run's counts are kept; errors are sorted and waiver warnings added at the end.
        """
        from .waivers import apply_baseline, baseline_keys

        for outcome in self.iter_files(files, run.as_of, max_bytes, jobs, progress, within):
            if not isinstance(outcome, PlanResult):
                run.errors.extend(outcome)
                continue
            if waivers is not None:
                waivers.apply(outcome)
            if baseline is not None:
                apply_baseline(outcome, baseline)
            if recorded is not None:
                recorded.update(baseline_keys(outcome))
            if run.tally is not None:
                run.tally.add(outcome)
            yield outcome
        run.errors[:] = sorted(dict.fromkeys(run.errors), key=issue_order)
        if waivers is not None:
            waivers.finish(run)

    def run_batch(
        self,
        files: list[tuple[Path, str]],
        as_of: dt.date,
        fmt: str,
        write: Callable[[str], Any],
        *,
        max_bytes: int = MAX_BYTES,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        waivers: WaiverState | None = None,
        baseline: set[tuple[str, str, str]] | None = None,
        recorded: set[tuple[str, str, str]] | None = None,
    ) -> CheckRun:
        """Check a batch and render it in ``fmt`` through ``write``.

        Formats that allow it (JSON, text) are written plan by plan as plans are
        checked, keeping only counts, so memory stays flat however large the
        batch; the others are rendered from the kept results. Returns the run
        (errors, warnings, counts) for the exit status.
        """
        from . import render

        streaming = render.can_stream(fmt)
        run = CheckRun(as_of, self.lang, [], [], tally=Tally() if streaming else None)
        results = self._results(run, files, max_bytes, jobs, progress, waivers, baseline, recorded)
        if streaming:
            render.get_stream(fmt)(run, results, self.book, write)
        else:
            run.results.extend(results)
            write(render.get(fmt)(run, self.book))
        return run

    def check_paths(self, paths: Iterable[str], as_of: dt.date) -> CheckRun:
        return self.check_files(collect_paths(paths), as_of)
