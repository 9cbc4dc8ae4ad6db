"""Writing reports and files: to standard output, or whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click


@contextlib.contextmanager
def open_output(output: str | None) -> Iterator[Callable[[str], Any]]:
    """Write in pieces to standard output, or to a file that appears whole or not at all."""
    if output is None or output == "-":
        yield lambda text: click.echo(text, nl=False)
        return
    import tempfile  # only when writing a file: it is not cheap to import

    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh.write
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(text: str, output: str | None) -> None:
    """Standard output, or a file written whole or not at all (temporary file, then rename)."""
    with open_output(output) as write:
        write(text)


def write_binary(data: bytes, output: str) -> None:
    """A binary file (a workbook), written whole or not at all."""
    import tempfile

    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
