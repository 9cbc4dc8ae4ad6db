"""Checking uploaded plans: the library, a temporary folder, a time limit.

No check logic lives here: the uploads are written into a temporary folder of
the request's own (removed when the check is done, whatever happens), checked by
a :meth:`~compliance.check.Checker.for_run` of the shared checker with that
folder as the only root ``supersedes`` may lead to and a plan cache of its own,
and rendered by the renderers in :mod:`compliance.render`.

Concurrency: one :class:`Checker` per language serves every request; the engine
serialises its calls into durable-rules' C core behind one lock (see
:mod:`compliance.engine`), so simultaneous checks never share a session's state,
and :func:`check` is safe to call from many threads at once.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from ..check import Checker, duplicate_plan_ids
from ..errors import InputError, Issue
from ..findings import CheckRun
from ..packs import RuleBook
from .uploads import Limits, RequestError, Upload

LANGS = ("sv", "en")


class TooSlow(RequestError):
    """The check passed its time limit (checked between plans; one plan is bounded by the size limits)."""


class Service:
    """The rule book and one checker per language, for the life of the server."""

    def __init__(self, rules_dir: Path | None = None, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.checkers = {lang: Checker(rules_dir, lang) for lang in LANGS}
        self.book: RuleBook = self.checkers["sv"].book
        policies = [None, *{p.id: p for p in self.book.policies.values()}.values()]
        for checker in self.checkers.values():  # compile every pack now, not in the first request
            for pack in self.book.agreements.values():
                for policy in policies:
                    checker.engine.compile(pack, policy)

    def check(self, uploads: list[Upload], as_of: dt.date, lang: str) -> CheckRun:
        """Check one request's files (already named safely and within the limits).

        Raises :class:`TooSlow` when the time limit passes before the last plan.
        """
        checker = self.checkers[lang if lang in LANGS else "sv"]
        deadline = time.monotonic() + self.limits.seconds

        def in_time(done: int, total: int) -> None:
            if done < total and time.monotonic() > deadline:
                raise TooSlow(
                    422,
                    f"the check passed its time limit of {self.limits.seconds:g} s after {done} of {total} "
                    "files; send fewer or smaller files",
                    f"granskningen passerade tidsgränsen {self.limits.seconds:g} s efter {done} av {total} "
                    "filer; skicka färre eller mindre filer",
                )

        with tempfile.TemporaryDirectory(prefix="compliance-upload-") as tmp:
            folder = Path(tmp).resolve()
            files = []
            for up in uploads:
                path = folder / up.name
                path.write_bytes(up.data)
                files.append((path, up.name))
            duplicates = duplicate_plan_ids(files, self.limits.file_bytes) if len(files) > 1 else []
            if duplicates:  # as the CLI: before any check (waivers and baselines match by plan id)
                raise InputError(duplicates)
            # supersedes may lead only to this request's files; plans read are forgotten with the run
            run = checker.for_run(roots=[folder])
            return run.check_files(files, as_of, self.limits.file_bytes, progress=in_time)


def issue_dict(issue: Issue, lang: str) -> dict[str, object]:
    """An issue as the CLI's JSON has it (``file`` null for the request as a whole)."""
    out = issue.as_dict(lang)
    if not issue.file:
        out["file"] = None
    return out
