"""Writing reports and files: to standard output, or whole or not at all.

A file is only ever written as a new regular file renamed over a regular file
(or over nothing): :func:`check_target` refuses, before any work, a target that
is a folder, a link, a device or pipe, a YAML file, an input of the run, or in
a folder that does not exist, and :func:`open_output` checks again just before
the rename. The file gets the permissions the umask gives a new file; an
interrupted run (SIGINT, SIGTERM) removes its temporary file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import InputError

STDOUT = "-"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def input_identities(paths: Iterable[Path]) -> set[tuple[int, int]]:
    """Device and inode of every input that exists (a folder stands for every file under it)."""
    out: set[tuple[int, int]] = set()
    for path in paths:
        if path.is_dir():
            for sub in path.rglob("*"):
                ident = _identity(sub)
                if ident is not None:
                    out.add(ident)
        else:
            ident = _identity(path)
            if ident is not None:
                out.add(ident)
    return out


def check_target(
    output: str | None,
    inputs: set[tuple[int, int]] | None = None,
    *,
    option: str = "--output",
    create_parent: bool = False,
    replace_plan: bool = False,
) -> None:
    """Refuse an output that is not a new or regular file in an existing folder.

    Raises :class:`InputError` (exit status 2) naming the option and the path.
    """
    if output is None or output == STDOUT:
        return
    if not output.strip():
        raise InputError.at(option, "an empty file name; give a file, or - for standard output",
                            sv="ett tomt filnamn; ange en fil, eller - för standard ut")
    target = Path(output)
    try:
        st: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError.at(output, f"{option}: cannot use this path: {exc.strerror}",
                            sv=f"{option}: sökvägen går inte att använda: {exc.strerror}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InputError.at(output, f"{option}: is a folder; name a file in it",
                                sv=f"{option}: är en mapp; ange en fil i den")
        if not stat.S_ISREG(st.st_mode):
            link = stat.S_ISLNK(st.st_mode)
            kind = "a symbolic link" if link else "a device, pipe or socket"
            kind_sv = "en symbolisk länk" if link else "en enhet, rörledning eller sockel"
            raise InputError.at(output, f"{option}: is {kind}, not a regular file; a report replaces only "
                                "regular files", sv=f"{option}: är {kind_sv}, inte en vanlig fil; en rapport "
                                "ersätter bara vanliga filer")
        if inputs and (st.st_dev, st.st_ino) in inputs:
            raise InputError.at(output, f"{option}: is an input of this run; a report never replaces one",
                                sv=f"{option}: är indata i den här körningen; en rapport ersätter aldrig indata")
        from .plans import PLAN_SUFFIXES  # loaded already by any command that reads plans

        if target.suffix.lower() in PLAN_SUFFIXES and not replace_plan:
            raise InputError.at(output, f"{option}: is a plan file (YAML or a workbook); a report never replaces one",
                                sv=f"{option}: är en planfil (YAML eller arbetsbok); en rapport ersätter aldrig en")
    parent = target.parent
    if not parent.is_dir() and not create_parent:
        what, what_sv = ("is not a folder", "är ingen mapp") if parent.exists() else ("does not exist", "finns inte")
        raise InputError.at(output, f"{option}: the folder {parent} {what}", sv=f"{option}: mappen {parent} {what_sv}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stdout_writer() -> Callable[[str], Any]:
    stream = sys.stdout
    if stream is None or getattr(stream, "closed", False):
        raise InputError.at("-", "standard output is closed; give --output FILE",
                            sv="standard ut är stängd; ange --output FIL")

    def write(text: str) -> None:
        try:
            stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:  # closed or full: never lose the report without a word
            raise InputError.at("-", f"cannot write to standard output: {exc.strerror or exc}",
                                sv=f"går inte att skriva till standard ut: {exc.strerror or exc}") from None

    return write


@contextlib.contextmanager
def open_output(
    output: str | None, create_parent: bool = True, replace_plan: bool = False
) -> Iterator[Callable[[str], Any]]:
    """Write in pieces to standard output, or to a file that appears whole or not at all."""
    if output is None or output == STDOUT:
        write = _stdout_writer()
        yield write
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise InputError.at("-", f"cannot write to standard output: {exc.strerror or exc}",
                                sv=f"går inte att skriva till standard ut: {exc.strerror or exc}") from None
        return
    with _new_file(output, create_parent, replace_plan, binary=False) as fh:
        yield fh.write


@contextlib.contextmanager
def _new_file(output: str, create_parent: bool, replace_plan: bool, binary: bool) -> Iterator[Any]:
    """A temporary file beside ``output``, renamed over it when the block ends: whole or not at all."""
    import tempfile  # only when writing a file: it is not cheap to import

    check_target(output, create_parent=create_parent, replace_plan=replace_plan)
    target = Path(output)
    if create_parent:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as a new file would be; mkstemp makes it 0600
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            yield fh
        # still a regular file (or nothing): never rename over anything else
        check_target(output, replace_plan=replace_plan)
        os.replace(tmp, target)
    except BaseException:  # SIGINT, SIGTERM (SystemExit) and errors alike leave nothing behind
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(text: str, output: str | None, create_parent: bool = True, replace_plan: bool = False) -> None:
    """Standard output, or a file written whole or not at all (temporary file, then rename).

    ``replace_plan``: the file may replace a plan file (``convert --force``); a report never does."""
    with open_output(output, create_parent, replace_plan) as write:
        write(text)


def write_binary(data: bytes, output: str, create_parent: bool = False, replace_plan: bool = False) -> None:
    """A binary file (a workbook), written whole or not at all, checked and permissioned as a report is."""
    with _new_file(output, create_parent, replace_plan, binary=True) as fh:
        fh.write(data)
