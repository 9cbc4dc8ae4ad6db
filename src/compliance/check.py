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
from typing import Any

from .engine import Engine
from .errors import InputError, Issue
from .evaluation import Evaluator, FindingFactory
from .findings import CheckRun, PlanResult, Tally
from .gate import Gate
from .i18n import say
from .legend import legend
from .loader import MAX_BYTES
from .packs import RULES_DIR, RuleBook, load_rulebook
from .plans import PLAN_SUFFIXES, WORKBOOK_SUFFIXES, LoadedPlan, PlanCache, inside

NOT_PLANS = {"compliance-waivers.yaml", "compliance-waivers.yml"}


def display_name(given: str) -> str:
    """A path as reports name it: relative to the current folder, as given where it lies outside."""
    path = Path(given)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return given
    return given


def supersedes_roots(paths: Iterable[str]) -> list[Path]:
    """Where ``plan.supersedes`` may lead: the folders given, and the folders of the files given."""
    roots = []
    for given in paths:
        path = Path(given)
        roots.append((path if path.is_dir() else path.parent).resolve())
    return roots


def batch_roots(files: Iterable[tuple[Path, str]]) -> list[Path]:
    """The folder tree of a batch when no roots were given: the folders its files lie in."""
    return sorted({path.absolute().parent.resolve() for path, _ in files})


def collect_paths(paths: Iterable[str]) -> list[tuple[Path, str]]:
    """Files named on the command line; a folder means every plan file (*.yaml, *.yml, *.xlsx) under it.

    A file found in a folder that is a link leading out of that folder is an
    input error (a pull request could add ``plans/x.yaml -> /proc/self/environ``).
    """
    out: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in PLAN_SUFFIXES and p.is_file()
            )
            before = len(out)
            root = path.resolve()
            prefix = display_name(given)
            for p in found:
                rel = p.relative_to(path)
                if p.name in NOT_PLANS or p.name.startswith("~$") or any(part.startswith(".") for part in rel.parts):
                    continue  # the gate's own files, hidden ones (.github/…), a spreadsheet's lock file (~$p.xlsx)
                display = str(Path(prefix) / rel)
                if not inside(p.resolve(), [root]):
                    raise InputError.at(display, f"a link to a file outside {given}; refusing to read it",
                                        sv=f"en länk till en fil utanför {given}; läses inte")
                out.append((p, display))
            if len(out) == before:
                # a gate pointed at the wrong folder must not pass by checking nothing
                raise InputError.at(given, "no plan files (*.yaml, *.yml, *.xlsx) in this folder",
                                    sv="inga planfiler (*.yaml, *.yml, *.xlsx) i mappen")
        else:
            out.append((path, display_name(given)))
    return out


def _head_plan_id(text: str) -> str | None:
    """``plan.id`` read from the first events of a document, or None (the check reports why)."""
    import yaml

    from .loader import MAX_DEPTH, _check_depth, _Loader

    depth, key, in_plan = 0, None, False
    try:
        _check_depth(text, "", MAX_DEPTH)  # the parser is slow on absurd nesting: the check refuses it
    except InputError:
        return None
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth == 1 and not isinstance(event, yaml.MappingStartEvent):
                    return None  # a document that is a list has no plan (`- plan` then `- {id: x}`)
                if depth == 2 and key == "plan" and isinstance(event, yaml.MappingStartEvent):
                    in_plan = True
                key = None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                if in_plan and depth < 2:
                    return None
                key = None
            elif isinstance(event, yaml.ScalarEvent):
                # key and value alternate at every level; a collection's start and end forget the key,
                # so only a key of the top level (plan) or the plan's own (id) is ever read
                if key is None:
                    key = event.value
                else:
                    if in_plan and depth == 2 and key == "id":
                        return event.value.strip()
                    key = None
            elif isinstance(event, yaml.AliasEvent):
                key = None
    except yaml.YAMLError:
        return None
    return None


def duplicate_plan_ids(files: list[tuple[Path, str]], max_bytes: int = MAX_BYTES) -> list[Issue]:
    """Two files of one run with one ``plan.id``: baselines and waivers match by plan,
    so a copy could borrow another plan's waivers. Both files are named."""
    from .loader import read_text

    by_id: dict[str, list[tuple[Path, str]]] = {}
    for path, display in files:
        try:
            if path.suffix.lower() in WORKBOOK_SUFFIXES:
                plan_id = _workbook_plan_id(path, display, max_bytes)
            else:
                plan_id = _head_plan_id(read_text(path, display, max_bytes))
        except InputError:
            continue  # reported when the file is checked
        if plan_id:
            by_id.setdefault(plan_id, []).append((path, display))
    issues = []
    for plan_id, entries in by_id.items():
        if len(entries) < 2 or _one_plan(entries, max_bytes):
            continue
        names = [display for _, display in entries]
        for name in names:
            others = ", ".join(n for n in names if n != name)
            issues.append(Issue(name, None, None, say(
                                f"plan.id {plan_id!r} är också id för {others}; plan-id:n är unika i en körning "
                                "(dispenser och baslinjer matchas på plan-id)",
                                f"plan.id {plan_id!r} is also the id of {others}; plan ids are unique in a run "
                                "(waivers and baselines match by plan id)"), "plan.id"))
    return sorted(issues, key=issue_order)


def _workbook_plan_id(path: Path, display: str, max_bytes: int) -> str | None:
    from .workbook import read_workbook

    data, _ = read_workbook(path, display, max_bytes)  # a mapping, with "plan" once the Plan sheet has a field
    value = data.get("plan", {}).get("id")
    return str(value).strip() or None if value is not None else None


def _one_plan(entries: list[tuple[Path, str]], max_bytes: int) -> bool:
    """Files that hold one plan in two formats (a YAML plan and its workbook twin, equal as
    data): not two plans with one id, since neither can borrow what the other does not hold."""
    if not any(path.suffix.lower() in WORKBOOK_SUFFIXES for path, _ in entries):
        return False
    from .plans import load_plan
    from .workbook_write import canonical

    try:
        plans = [canonical(load_plan(path, display, max_bytes).plan) for path, display in entries]
    except InputError:
        return False
    return all(p == plans[0] for p in plans[1:])


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

    def __init__(
        self, rules_dir: Path | None = None, lang: str = "sv", roots: list[Path] | None = None,
        engine: str | None = None,
    ) -> None:
        self.book: RuleBook = load_rulebook(Path(rules_dir) if rules_dir else RULES_DIR)
        consequences = {name for pack in self.book.agreements.values() for name in pack.consequences}
        self.engine = Engine(self.book.rules, engine, consequences)
        self.evaluator = Evaluator(self.book, self.engine)
        self.lang = lang
        self.legend = legend(self.book, lang)  # built once: the finding factory and every run's reports share it
        self.factory = FindingFactory(self.book, self.engine, lang, self.legend)
        # where plan.supersedes may lead (None: each plan's own folder), and the plans read so far
        self.roots = roots
        self.plans = PlanCache()
        self._regional = self.book.regional_rules()

    def for_run(self, roots: list[Path] | None = None) -> Checker:
        """A checker for one run that shares this one's rule book and compiled rulesets
        but has its own plan cache and ``roots``: a long-lived server takes one per
        request, so no request ever sees (or keeps) another's plans."""
        import copy

        run = copy.copy(self)
        run.roots = roots
        run.plans = PlanCache()
        return run

    # -- one plan --------------------------------------------------------------
    def check_plan(
        self, loaded: LoadedPlan, as_of: dt.date, previous: LoadedPlan | None = None
    ) -> PlanResult:
        evaluation = self.evaluator.evaluate(loaded, as_of, previous)
        header = loaded.plan.plan
        notes = []
        if evaluation.policy is None and self._regional:
            notes.append(say(
                f"Inga regionala villkor finns för {header.region}: planen prövas bara mot överenskommelsen",
                f"No regional conditions were found for {header.region}: the plan is checked "
                "against the agreement alone",
            ).get(self.lang))
        return PlanResult(
            file=loaded.file,
            plan=header.id,
            agreement=header.agreement,
            region=header.region,
            findings=self.factory.findings(evaluation),
            rules_applied=self.engine.rules_applied(evaluation.pack, evaluation.policy),
            planned_by_area={
                f.data["area"]: (f.data["planned"], f.data.get("allocation"))
                for f in evaluation.facts
                if f.kind == "area"
            },
            notes=notes,
        )

    # -- many plans --------------------------------------------------------------
    def check_one(
        self, path: Path, display: str, as_of: dt.date, max_bytes: int = MAX_BYTES,
        roots: list[Path] | None = None,
    ) -> PlanResult | list[Issue]:
        """One file: its result, or the issues that make it unreadable.

        ``plan.supersedes`` may lead inside ``roots`` (default: this checker's, else the file's folder).
        """
        try:
            loaded = self.plans.load(path, display, max_bytes)
            previous = None
            if loaded.plan.plan.supersedes:
                from .revisions import load_previous

                previous = load_previous(loaded, max_bytes, roots or self.roots, self.plans)
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
    ) -> Iterator[PlanResult | list[Issue]]:
        """Each file's outcome in order of its name, on ``jobs`` processes when asked.

        A generator: a caller that renders as it goes holds one plan at a time,
        so a batch of any size checks in the memory of one plan.
        """
        files = sorted(files, key=lambda f: f[1])
        roots = self.roots if self.roots is not None else batch_roots(files)
        if jobs > 1 and len(files) > 1:
            from .parallel import check_parallel

            yield from check_parallel(self, files, as_of, max_bytes, jobs, progress, roots)
            return
        for n, (path, display) in enumerate(files, 1):
            yield self.check_one(path, display, as_of, max_bytes, roots)
            if progress:
                progress(n, len(files))

    def check_files(
        self,
        files: list[tuple[Path, str]],
        as_of: dt.date,
        max_bytes: int = MAX_BYTES,
        jobs: int = 1,
        progress: Callable[[int, int], None] | None = None,
        gate: Gate | None = None,
    ) -> CheckRun:
        """Check a batch and keep every result (see :meth:`run_batch` to stream);
        ``gate`` applies waivers and a baseline as ``compliance check`` does."""
        run = self._new_run(as_of, gate)
        run.results.extend(self._results(run, files, max_bytes, jobs, progress, gate))
        return run

    def _new_run(self, as_of: dt.date, gate: Gate | None, streaming: bool = False) -> CheckRun:
        run = CheckRun(as_of, self.lang, [], [], tally=Tally() if streaming else None,
                       legend=self.legend)
        if gate is not None:
            gate.start(run)
        return run

    def _results(
        self,
        run: CheckRun,
        files: list[tuple[Path, str]],
        max_bytes: int,
        jobs: int,
        progress: Callable[[int, int], None] | None,
        gate: Gate | None = None,
    ) -> Iterator[PlanResult]:
        """The batch's results as they come; unreadable files go to ``run.errors``.

        The gate (waivers, baseline, recording) sees each result on the way and a
        streaming run's counts are kept; errors are sorted and waiver warnings added at the end.
        """
        for outcome in self.iter_files(files, run.as_of, max_bytes, jobs, progress):
            if not isinstance(outcome, PlanResult):
                run.errors.extend(outcome)
                continue
            if gate is not None:
                gate.admit(outcome)
            if run.tally is not None:
                run.tally.add(outcome)
            yield outcome
        run.errors[:] = sorted(dict.fromkeys(run.errors), key=issue_order)
        if gate is not None:
            gate.finish(run)

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
        gate: Gate | None = None,
    ) -> CheckRun:
        """Check a batch and render it in ``fmt`` through ``write``.

        Formats that allow it (JSON, text) are written plan by plan as plans are
        checked, keeping only counts, so memory stays flat however large the
        batch; the others are rendered from the kept results. Returns the run
        (errors, warnings, counts, :attr:`CheckRun.exit_status`).
        """
        from . import render

        streaming = render.can_stream(fmt)
        run = self._new_run(as_of, gate, streaming)
        results = self._results(run, files, max_bytes, jobs, progress, gate)
        if streaming:
            render.get_stream(fmt)(run, results, write)
        else:
            run.results.extend(results)
            write(render.get(fmt)(run))
        return run

    def check_paths(self, paths: Iterable[str], as_of: dt.date, gate: Gate | None = None) -> CheckRun:
        """What ``compliance check PATHS --as-of AS_OF`` finds: folders are searched for plans,
        ``plan.supersedes`` may lead inside the paths given, and without ``gate`` the
        command's default one applies (``compliance-waivers.yaml`` beside the plans, if
        present; failing on errors). Pass ``Gate()`` for no waivers at all."""
        paths = list(paths)
        if gate is None:
            gate = Gate.for_paths(paths, as_of)
        roots, self.roots = self.roots, self.roots if self.roots is not None else supersedes_roots(paths)
        try:
            return self.check_files(collect_paths(paths), as_of, gate=gate)
        finally:
            self.roots = roots
