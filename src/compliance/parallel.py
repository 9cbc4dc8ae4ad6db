"""``--jobs N``: a large batch on N processes, with identical, ordered output.

Files are cut into chunks in their given order; each worker process builds its
own :class:`~compliance.check.Checker` (rule book and compiled rulesets) once
and checks whole chunks; results come back in chunk order and are sorted as in
a single process, so the output does not depend on N.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .check import Checker
    from .errors import Issue
    from .findings import PlanResult

_WORKER: Any = None


def _init(make: Callable[..., Any], rules_dir: Path, lang: str, engine: str) -> None:
    """A worker's checker, built by the class the caller's checker is of (passed in, so that
    this module need not import :mod:`compliance.check`, which imports it), on its engine."""
    global _WORKER
    _WORKER = make(rules_dir, lang, engine=engine)


def _chunk(
    args: tuple[list[tuple[Path, str]], dt.date, int, list[Path] | None],
) -> list[PlanResult | list[Issue]]:
    files, as_of, max_bytes, roots = args
    return [_WORKER.check_one(path, display, as_of, max_bytes, roots) for path, display in files]


def check_parallel(
    checker: Checker,
    files: list[tuple[Path, str]],
    as_of: dt.date,
    max_bytes: int,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
    roots: list[Path] | None = None,
) -> Iterator[PlanResult | list[Issue]]:
    size = max(1, min(200, len(files) // (jobs * 4) or 1))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    done = 0
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init,
                             initargs=(type(checker), checker.book.root, checker.lang, checker.engine.engine)) as pool:
        for part in pool.map(_chunk, [(chunk, as_of, max_bytes, roots) for chunk in chunks]):
            yield from part
            done += len(part)
            if progress:
                progress(done, len(files))
