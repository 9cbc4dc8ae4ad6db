"""The command line: parses options, calls the library, chooses the exit status.

Exit status (shared/docs/cli-contract.md): 0 no failed finding at or above
``--fail-on``; 1 at least one; 2 bad input or usage (also an output that would
replace an input or a special file, and two plans with one id); 130 on SIGINT
and 143 on SIGTERM, with nothing half-written. An unexpected internal error
prints one line and exits 3 (``COMPLIANCE_DEBUG=1`` adds the traceback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import InputError, Issue
from .findings import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, FAIL_ON
from .i18n import say
from .loader import MAX_BYTES
from .output import check_target, input_identities, open_output, write_binary, write_output
from .render import EXTENSIONS, FORMATS, by_extension

EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipe's writer that was cut off
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Usage(click.UsageError):
    """A usage error of ours (exit 2), shown as the tool's other errors are: one line,
    ``fel: …`` / ``error: …`` in the language asked for, not in click's English frame."""

    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        from .i18n import words
        from .render.common import visible

        click.echo(f"{words(self.lang)['error']}: {visible(self.format_message())}", err=True)


def usage(lang: str, sv: str, en: str) -> click.UsageError:
    """A usage error in the language asked for."""
    return Usage(say(sv, en).get(lang), lang)


# click's own usage errors (an unknown option, a missing argument, a value not among the
# choices) are English, from click's gettext catalog: under --lang sv (the default) they are
# said again in Swedish from the exception's fields, or kept in English if click said
# something this list does not know (a click version's new wording is never half translated).
_CLICK_DETAILS = [(re.compile(en), sv) for en, sv in (
    (r"(?P<v>'.*') is not one of (?P<c>.+)\.", "{v} är inte ett av {c}"),
    (r"(?P<v>'.*') is not (?P<c>'.*')\.", "{v} är inte {c}"),
    (r"(?P<v>.+) is not a valid integer( range)?\.", "{v} är inget heltal"),
    (r"(?P<v>.+) is not a valid float( range)?\.", "{v} är inget tal"),
    (r"(?P<v>.+) is not in the range (?P<c>.+)\.", "{v} ligger utanför {c}"),
    (r"(?:File|Directory|Path) (?P<v>'.*') does not exist\.", "{v} finns inte"),
    (r"File (?P<v>'.*') is a directory\.", "{v} är en mapp, inte en fil"),
    (r"Directory (?P<v>'.*') is a file\.", "{v} är en fil, inte en mapp"),
    (r"(?:File|Directory|Path) (?P<v>'.*') is not readable\.", "{v} går inte att läsa"),
)]
_CLICK_MESSAGES = [(re.compile(en), sv) for en, sv in (
    (r"Option (?P<v>'.*') requires (an argument|\d+ arguments)\.", "flaggan {v} behöver ett värde"),
    (r"Option (?P<v>'.*') does not take a value\.", "flaggan {v} tar inget värde"),
    (r"Got unexpected extra arguments? \((?P<v>.*)\)", "oväntade argument: {v}"),
    (r"No such command (?P<v>'.*')\.", "okänt kommando {v}"),
    (r"Missing command\.", "kommando saknas"),
)]


def _swedish(exc: click.UsageError) -> str | None:
    """What click's usage error says, in Swedish, or None where its wording is not known here."""

    def known(patterns: list[tuple[re.Pattern[str], str]], text: str) -> str | None:
        for pattern, sv in patterns:
            if m := pattern.fullmatch(text.strip()):
                return sv.format(**m.groupdict())
        return None

    def meant(possibilities: list[str] | None) -> str:
        return "; menade du " + " eller ".join(map(repr, possibilities)) + "?" if possibilities else ""

    if isinstance(exc, click.NoSuchOption):
        return f"okänd flagga {exc.option_name!r}{meant(exc.possibilities)}"
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)  # click 8.4 and later
    if no_such_command is not None and isinstance(exc, no_such_command):
        return f"okänt kommando {exc.command_name!r}{meant(exc.possibilities)}"
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        kind = "argumentet" if isinstance(exc.param, click.Argument) else "flaggan"
        return f"{kind} {exc.param.get_error_hint(exc.ctx) if exc.ctx else exc.param.name} saknas"
    if isinstance(exc, click.BadParameter):
        detail = known(_CLICK_DETAILS, exc.message)
        hint = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param is not None and exc.ctx else None)
        if detail is None or hint is None:
            return None
        return f"ogiltigt värde för {hint if isinstance(hint, str) else ' / '.join(map(repr, hint))}: {detail}"
    return known(_CLICK_MESSAGES, exc.message)


class _ClickUsage(Usage):
    """click's usage error in Swedish: our one line, and where to read more."""

    def show(self, file: Any = None) -> None:
        super().show(file)
        if self.ctx is not None:
            click.echo(f"Se '{self.ctx.command_path} --help' för hjälp.", err=True)


def _lang_in(args: list[str]) -> str:
    """The --lang on a command line click could not parse (the last one, as click takes it)."""
    lang = "sv"
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else arg.removeprefix("--lang=")
        if (arg == "--lang" or arg.startswith("--lang=")) and value in ("sv", "en"):
            lang = value
    return lang


def _worded(exc: click.UsageError, args: list[str]) -> click.UsageError:
    if isinstance(exc, Usage) or _lang_in(args) != "sv" or (text := _swedish(exc)) is None:
        return exc
    worded = _ClickUsage(text, "sv")
    worded.ctx = exc.ctx
    return worded


class _Command(click.Command):
    """A command whose click usage errors follow --lang."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _worded(exc, given) from None


class _Group(_Command, click.Group):
    """The command groups: their own usage errors (an unknown command too) and their commands'
    follow --lang."""

    command_class = _Command
    group_class = type  # a subgroup is one of these too

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                           list[str]]:
        given = list(args)
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise _worded(exc, given) from None


def resolve_output(fmt: str | None, output: str | None, lang: str = "sv") -> tuple[str, str | None]:
    """The format and file: ``--output html`` means reports/compliance.html; an
    extension (``.sarif``, ``.xml``…) chooses the format when --format is not given."""
    if output in FORMATS:
        fmt = fmt or output
        return fmt, str(Path("reports") / f"compliance.{EXTENSIONS[output]}")
    if fmt is None and output and output != "-":
        ext = Path(output).suffix.lstrip(".").lower()
        fmt = by_extension(ext)
        if fmt is None:
            *others, last = (f".{e}" for e in EXTENSIONS.values())
            raise usage(lang,
                        f"--output {output}: inget format skriver .{ext}-filer; ange en {', '.join(others)}- eller "
                        f"{last}-fil, eller ge --format",
                        f"--output {output}: no format writes .{ext} files; name a {', '.join(others)} or {last} file, "
                        "or give --format")
    return fmt or "text", output


PROGRESS_FROM = 50  # plans; a smaller batch is over before a bar would help


def progress_bar(total: int) -> Callable[[int, int], None] | None:
    """A progress line on standard error when it is a terminal and the batch is large."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} plans")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def echo_issues(issues: list[Issue], lang: str, warning: bool = False) -> None:
    """Problems with input files on standard error, one line each, in the chosen language."""
    from .i18n import words
    from .render.common import visible

    label = words(lang)["warning" if warning else "error"]
    for issue in issues:
        click.echo(f"{label}: {visible(issue.one_line(lang))}", err=True)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        if not _ISO_DATE.fullmatch(value):  # fromisoformat also takes 20200401 and 2020-W14-3
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        lang = ctx.params.get("lang", "sv") if ctx is not None else "sv"  # --lang is eager: known here
        name = param.opts[0] if param.opts else "--as-of"
        raise usage(lang, f"{name}: {value!r} är inget datum (ÅÅÅÅ-MM-DD)",
                    f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class Terminated(SystemExit):
    """SIGTERM: unwinds like an exception, so a temporary file is removed on the way out."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated(EXIT_TERMINATED)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn input errors into exit 2 and internal errors into one line and exit 3."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = signal.getsignal(signal.SIGTERM)
        try:
            signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread (an embedding application): leave signals alone
            previous = None
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            echo_issues(exc.issues, kwargs.get("lang", "sv"))
            sys.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo(say("avbrutet", "interrupted").get(kwargs.get("lang", "sv")), err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # the reader went away (| head): stop quietly, with the shell's status for SIGPIPE
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("COMPLIANCE_DEBUG"):
                import traceback

                traceback.print_exc()  # the traceback, and still the internal error's status
            said = say(f"internt fel: {type(exc).__name__}: {exc} "
                       "(COMPLIANCE_DEBUG=1 visar spårningen; rapportera gärna felet)",
                       f"internal error: {type(exc).__name__}: {exc} "
                       "(set COMPLIANCE_DEBUG=1 for the traceback, and please report it)")
            click.echo(said.get(kwargs.get("lang", "sv")), err=True)
            sys.exit(EXIT_INTERNAL)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the tool's version and the engine that evaluates the rules here."""
    if not value or ctx.resilient_parsing:
        return
    from . import __version__
    from .engine import describe_engine

    try:
        engine = describe_engine()
    except InputError as exc:
        engine = f"none: {exc}"
    click.echo(f"compliance {__version__} (Python {sys.version.split()[0]}; engine: {engine})")
    ctx.exit(EXIT_CLEAN)


def unknown_agreement(book: Any, agreement_id: str, lang: str) -> click.UsageError:
    from .hints import suggestion

    known = ", ".join(sorted(book.agreements))
    return usage(lang,
                 f"okänd överenskommelse {agreement_id!r}{suggestion(agreement_id, book.agreements).sv}; "
                 f"regelmappen har: {known}",
                 f"unknown agreement {agreement_id!r}{suggestion(agreement_id, book.agreements).en}; "
                 f"the rules folder has: {known}")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and the rule engine in use, and exit.")
def main() -> None:
    """Check regional grant plans against the conditions of the God och nära vård agreements."""
    for stream in (sys.stdout, sys.stderr):
        # PYTHONIOENCODING=latin-1 and the like: show what the encoding lacks as \u escapes, never crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="backslashreplace")


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The rules folder (default: the packs shipped with the tool).",
)
lang_option = click.option(
    "--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
    is_eager=True,  # read before the options whose errors it words, wherever it stands
    help="Language of titles and messages.",
)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format", "fmt",
    type=click.Choice(FORMATS),
    default=None, help="Output format [default: text, or what --output's extension says].",
)
@click.option(
    "--output", default=None,
    help="Write there instead of standard output (whole or not at all). A bare format name "
    "(--output html) writes reports/compliance.<ext>.",
)
@click.option("--as-of", "as_of", callback=_date, default=None,
              help="Judge the plans as they stand on this date (default: today).")
@lang_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Lowest severity of a failed finding that makes the exit status 1.")
@rules_option
@click.option("--max-bytes", type=click.IntRange(1), default=MAX_BYTES, show_default=True,
              help="Refuse plan files larger than this.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Check a large batch on this many processes (same output).")
@click.option("--waivers", "waivers_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Waivers (dispens) file [default: compliance-waivers.yaml beside the plans, if present].")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fail only on findings not recorded in this baseline.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Record today's failed findings (rule, plan, path) in this file.")
@_guard
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    as_of: dt.date,
    lang: str,
    fail_on: str,
    rules_dir: Path | None,
    max_bytes: int,
    jobs: int,
    waivers_file: Path | None,
    baseline_file: Path | None,
    write_baseline_file: Path | None,
) -> None:
    """Check plan files (a folder means every *.yaml/*.yml under it)."""
    from .check import Checker, collect_paths, duplicate_plan_ids, supersedes_roots, tuned_gc
    from .gate import Gate
    from .packs import RULES_DIR
    from .waivers import default_waivers
    from .waivers import write_baseline as record_baseline

    fmt, output = resolve_output(fmt, output, lang)
    files = collect_paths(paths)
    waivers_path = waivers_file or default_waivers(list(paths))
    # before any work: never write over an input, a folder or a special file
    inputs = input_identities([p for p, _ in files] + [rules_dir or RULES_DIR] + [
        p for p in (waivers_path, baseline_file) if p is not None])
    bare_format = output is not None and Path(output).parent == Path("reports") and output.endswith(
        tuple(f"compliance.{ext}" for ext in EXTENSIONS.values()))
    check_target(output, inputs, create_parent=bare_format)
    if write_baseline_file is not None:
        check_target(str(write_baseline_file), inputs, option="--write-baseline")
        if output not in (None, "-") and Path(output).absolute() == write_baseline_file.absolute():
            raise usage(lang, "--output och --write-baseline anger samma fil",
                        "--output and --write-baseline name the same file")
    duplicates = duplicate_plan_ids(files, max_bytes)
    if duplicates:
        raise InputError(duplicates)
    checker = Checker(rules_dir, lang, roots=supersedes_roots(paths))
    gate = Gate.for_paths(paths, as_of, waivers=waivers_path, baseline=baseline_file, fail_on=fail_on,
                          record=write_baseline_file is not None)
    with open_output(output, create_parent=bare_format) as write, tuned_gc():
        run = checker.run_batch(files, as_of, fmt, write, max_bytes=max_bytes, jobs=jobs,
                                progress=progress_bar(len(files)), gate=gate)
    if fmt != "text" or output not in (None, "-"):  # text on standard output already shows them
        echo_issues(run.warnings, lang, warning=True)
        echo_issues(run.errors, lang)
    if output is not None:  # the report went to a file: the log still gets this run's counts
        from .render.text import summary_line

        click.echo(f"{output}: {summary_line(run)}", err=True)
    if write_baseline_file is not None and gate.recorded is not None and not run.errors:
        # recorded only from a complete run: a plan that could not be read would be missing from it
        record_baseline(gate.recorded, write_baseline_file)
    sys.exit(run.exit_status)


@main.group()
def rules() -> None:
    """The rule catalog: list, show, test, docs, coverage."""


@rules.command("list")
@rules_option
@lang_option
@_guard
def rules_list(rules_dir: Path | None, lang: str) -> None:
    """Every rule with its severity, title and source."""
    from .i18n import words
    from .packs import RULES_DIR, load_rulebook

    book = load_rulebook(rules_dir or RULES_DIR)
    w = words(lang)
    for rule in book.rules:
        src = "; ".join(s.cite() for s in rule.source)
        click.echo(f"{rule.id}  {w[rule.severity]:<8} {rule.title.get(lang)}  [{src}]")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@lang_option
@_guard
def rules_show(rule_id: str, rules_dir: Path | None, lang: str) -> None:
    """One rule: severity, sources with quotes, condition, examples."""
    from .docs import rule_markdown
    from .packs import RULES_DIR, load_rulebook

    book = load_rulebook(rules_dir or RULES_DIR)
    rule = book.by_id.get(rule_id.upper())
    if rule is None:
        from .hints import suggestion

        raise usage(lang, f"ingen regel {rule_id!r}{suggestion(rule_id, book.by_id).sv}; "
                    "se 'compliance rules list'",
                    f"no rule {rule_id!r}{suggestion(rule_id, book.by_id).en}; see 'compliance rules list'")
    click.echo(rule_markdown(rule, book, lang), nl=False)


@rules.command("test")
@rules_option
@_guard
def rules_test(rules_dir: Path | None) -> None:
    """Run every rule's examples (like `conftest verify`): exit 1 if one does not hold."""
    from .ruletest import run_examples

    outcomes = run_examples(rules_dir)
    failed = [o for o in outcomes if not o.ok]
    for o in outcomes:
        click.echo(f"{'ok  ' if o.ok else 'FAIL'} {o.rule}  {o.example}")
        if not o.ok:
            click.echo(f"     {o.detail}")
    click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@rules.command("coverage")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--agreement", "agreement_id", default=None,
              help="Only the sources of this agreement year (and the regions' own conditions).")
@rules_option
@lang_option
@_guard
def rules_coverage(fmt: str, agreement_id: str | None, rules_dir: Path | None, lang: str) -> None:
    """The obligations each source states for regions: the rules that check each, or why none can."""
    from .coverage import coverage, load_obligations, render
    from .packs import RULES_DIR, load_rulebook

    book = load_rulebook(rules_dir or RULES_DIR)
    if agreement_id is not None and book.agreement(agreement_id) is None:
        raise unknown_agreement(book, agreement_id, lang)
    sources = load_obligations(book.root)
    if not sources:
        raise usage(lang, f"regelmappen {book.root} har ingen obligations/-lista",
                    f"the rules folder {book.root} has no obligations/ list")
    click.echo(render(coverage(book, sources, agreement_id, lang), fmt, lang), nl=False)


@rules.command("docs")
@click.option("--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs/rules"), show_default=True)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if the docs are stale.")
@rules_option
@_guard
def rules_docs(out_dir: Path, check_only: bool, rules_dir: Path | None) -> None:
    """Generate rule documentation from rule metadata, the coverage page beside it
    (OUTPUT/../coverage.md) from the obligations list, and the fact schema's page
    (OUTPUT/../facts.md: every field rules may read)."""
    from .coverage import load_obligations
    from .coverage import page as coverage_page
    from .docs import generate
    from .factschema import page as facts_page
    from .packs import RULES_DIR, load_rulebook

    book = load_rulebook(rules_dir or RULES_DIR)
    pages = {out_dir / name: text for name, text in generate(book).items()}
    pages[out_dir.parent / "facts.md"] = facts_page()
    if load_obligations(book.root):
        pages[out_dir.parent / "coverage.md"] = coverage_page(book)
    stale = [path for path, text in pages.items()
             if not path.exists() or path.read_text("utf-8") != text]
    if check_only:
        if not out_dir.is_dir():  # not "40 stale pages": there are no docs here to compare with
            raise InputError.at(str(out_dir), "no such folder to check; run from the repository that keeps "
                                "the rule pages, or name them with --output DIR",
                                sv="mappen finns inte att jämföra med; kör från förrådet som har regelsidorna, "
                                "eller ange dem med --output MAPP")
        for path in stale:
            click.echo(f"stale: {path}")
        sys.exit(EXIT_FINDINGS if stale else EXIT_CLEAN)
    for path in stale:
        write_output(pages[path], str(path))
    click.echo(f"{len(pages)} pages, {len(stale)} written ({out_dir}, {out_dir.parent / 'coverage.md'}, "
               f"{out_dir.parent / 'facts.md'})")


@main.command()
@click.argument("agreement")
@click.option("--region", default=None, help="Only this region (and its county's municipalities).")
@click.option("--population", "population_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="YAML with other population figures (regions: and/or counties:).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--output", default=None, help="Write there instead of standard output.")
@lang_option
@rules_option
@_guard
def allocation(
    agreement: str,
    region: str | None,
    population_file: Path | None,
    fmt: str,
    output: str | None,
    lang: str,
    rules_dir: Path | None,
) -> None:
    """What each region (and each county's municipalities) receives under AGREEMENT."""
    from .allocation import compute
    from .packs import RULES_DIR, load_rulebook
    from .render.allocation import render_allocation

    book = load_rulebook(rules_dir or RULES_DIR)
    pack = book.agreement(agreement)
    if pack is None:
        raise unknown_agreement(book, agreement, lang)
    result = compute(pack, population_file, region, lang)
    write_output(render_allocation(result, fmt), output, create_parent=False)


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--output", default=None, help="Write there instead of standard output (whole or not at all).")
@click.option("--as-of", "as_of", callback=_date, default=None,
              help="Judge the revision as of this date (YYYY-MM-DD); default: today.")
@lang_option
@rules_option
@_guard
def diff(old: Path, new: Path, fmt: str, output: str | None, as_of: dt.date, lang: str,
         rules_dir: Path | None) -> None:
    """The reallocation table between two versions of a plan, and the moves the agreement forbids.

    Exit status 1 when a move breaks an error-severity rule (GNV-301, GNV-302), 2 when
    the two files are not versions of one plan (another agreement or region).
    """
    from .check import Checker, display_name
    from .i18n import words
    from .plans import load_plan
    from .render.common import visible
    from .render.diff import render_diff
    from .revisions import diff as make_diff
    from .revisions import related

    check_target(output, input_identities([old, new]))
    checker = Checker(rules_dir, lang)
    before = load_plan(old, display_name(str(old)))
    after = load_plan(new, display_name(str(new)))
    note = related(before, after)
    if note:
        click.echo(f"{words(lang)['warning']}: {visible(note.text(lang))}", err=True)
    result = make_diff(checker, before, after, as_of)
    write_output(render_diff(result, fmt, lang), output, create_parent=False)
    sys.exit(EXIT_FINDINGS if result.failed_errors else EXIT_CLEAN)


@main.command()
@click.option("--region", required=True, help="The region, as the agreement pack names it.")
@click.option("--agreement", "agreement_id", required=True, help="An agreement pack, e.g. gnv-2022.")
@click.option("--id", "plan_id", default=None, help="The plan id [default: from region and agreement].")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default=None,
              help="yaml, or xlsx: a workbook template with drop-down lists and per-area sums "
              "[default: from --output's extension, else yaml].")
@click.option("--output", default=None, help="Write the skeleton there (never over an existing file).")
@rules_option
@lang_option
@_guard
def init(region: str, agreement_id: str, plan_id: str | None, fmt: str | None, output: str | None,
         rules_dir: Path | None, lang: str) -> None:
    """Write a new plan skeleton with the region's allocation per area filled in from the pack."""
    from .packs import RULES_DIR, load_rulebook
    from .skeleton import skeleton

    book = load_rulebook(rules_dir or RULES_DIR)
    pack = book.agreement(agreement_id)
    if pack is None:
        raise unknown_agreement(book, agreement_id, lang)
    if output and Path(output).exists():
        raise usage(lang, f"{output} finns redan; en planfil skrivs aldrig över",
                    f"{output} exists; a plan file is never overwritten")
    if fmt is None:
        fmt = "xlsx" if output and Path(output).suffix.lower() == ".xlsx" else "yaml"
    if fmt == "xlsx":
        from .workbook_write import template

        if not output or Path(output).suffix.lower() != ".xlsx":
            raise usage(lang, "--format xlsx skriver en arbetsbok: ge --output FIL.xlsx",
                    "--format xlsx writes a workbook: give --output FILE.xlsx")
        write_binary(template(pack, region, plan_id), output)
        return
    write_output(skeleton(pack, region, plan_id, lang), output, create_parent=False)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace TARGET if it exists (never SOURCE).")
@click.option("--max-bytes", type=click.IntRange(1), default=MAX_BYTES, show_default=True,
              help="Refuse a SOURCE larger than this.")
@lang_option
@rules_option
@_guard
def convert(source: Path, target: Path, force: bool, max_bytes: int, lang: str, rules_dir: Path | None) -> None:
    """Convert a plan between YAML and an .xlsx workbook, losslessly (SOURCE is never modified)."""
    from .packs import RULES_DIR, load_rulebook
    from .workbook_write import convert as run_convert

    if target.exists() and target.resolve() == source.resolve():
        raise usage(lang, "målfilen (TARGET) är källfilen; en planfil ändras aldrig",
                    "TARGET is SOURCE; a plan file is never modified")
    if target.exists() and not force:
        raise usage(lang, f"{target} finns redan; ge --force för att ersätta den",
                    f"{target} exists; give --force to replace it")
    book = load_rulebook(rules_dir or RULES_DIR)
    content = run_convert(source, target, book.agreement, max_bytes)
    if isinstance(content, bytes):
        write_binary(content, str(target), replace_plan=force)
    else:
        write_output(content, str(target), create_parent=False, replace_plan=force)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (localhost only unless told otherwise).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@rules_option
@click.option("--max-bytes", type=click.IntRange(1), default=MAX_BYTES, show_default=True,
              help="Refuse uploaded plan files larger than this.")
@click.option("--max-files", type=click.IntRange(1), default=20, show_default=True,
              help="Refuse requests with more files than this.")
@click.option("--max-total-bytes", type=click.IntRange(1), default=10 * 1024 * 1024, show_default=True,
              help="Refuse requests whose files are larger than this together.")
@click.option("--time-limit", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds within which a request is answered (422 past it, or 503 if it never got to run).")
@click.option("--max-checks", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Checks running at once; the others wait their turn within their time limit.")
@_guard
def serve(host: str, port: int, rules_dir: Path | None, max_bytes: int, max_files: int, max_total_bytes: int,
          time_limit: float, max_checks: int) -> None:
    """The web page and HTTP API (needs the web extra: pip install '.[web]' in a clone of compliance)."""
    try:
        import uvicorn

        from .web.app import create_app
        from .web.uploads import Limits
    except ImportError as exc:
        click.echo(f"compliance serve needs the web extra, which is not installed (no module {exc.name!r}): "
                   "install compliance with it from its repository, e.g. pip install '.[web]' in a clone, "
                   "or pip install 'compliance[web] @ git+<your copy's URL>' (not from PyPI: another package has "
                   "the name there)", err=True)
        sys.exit(EXIT_INPUT)
    app = create_app(rules_dir, Limits(max_bytes, max_files, max_total_bytes, time_limit, max_checks))
    click.echo(f"compliance serve: http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="warning")


@main.command()
@click.option("--output", default=None, help="Write there instead of standard output.")
@_guard
def schema(output: str | None) -> None:
    """The JSON Schema of the plan format, for editors (yaml-language-server)."""
    import json

    from .schema import plan_schema

    write_output(json.dumps(plan_schema(), ensure_ascii=False, indent=2) + "\n", output, create_parent=False)


if __name__ == "__main__":  # pragma: no cover
    main()
