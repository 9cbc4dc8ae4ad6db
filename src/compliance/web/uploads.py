"""What one request sent: plan files and form fields, read within limits.

A multipart body is parsed as it streams in (python-multipart), and parsing
stops with :class:`RequestError` (413) the moment a file, the number of files or
the whole body passes its limit, so a huge upload costs the server nothing
beyond the limit. Files stay in memory here; :mod:`.service` writes them into a
temporary folder of the request's own for the check, and removes it.

Which files are plans is decided by their extension, as the library decides it
(:data:`compliance.plans.PLAN_SUFFIXES`: YAML and ``.xlsx`` workbooks, and
``.xlsm`` only to be refused with a reason); a new reader added there is taken
here with no change.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..errors import Issue
from ..i18n import say
from ..loader import MAX_BYTES
from ..plans import PLAN_SUFFIXES

# the extensions of plan files, as collect_paths picks them from a folder
READERS: tuple[str, ...] = PLAN_SUFFIXES
JSON_NAME = "plan.json"  # the name a JSON plan sent as the request body is reported under
MAX_NAME = 200  # bytes of UTF-8: every file system takes 255
FIELD_BYTES = 1024  # as_of, lang, format: short words


@dataclass(frozen=True)
class Limits:
    """Upload limits and the time one check may take."""

    file_bytes: int = MAX_BYTES
    files: int = 20
    total_bytes: int = 10 * 1024 * 1024
    seconds: float = 30.0
    checks: int = 4  # checks running at once (the others wait, within their time limit)

    @property
    def body_bytes(self) -> int:
        """The largest request body: every file base64-encoded (the page's re-post), plus headers."""
        return self.total_bytes * 4 // 3 + 64 * 1024 + self.files * 2 * 1024


class RequestError(Exception):
    """A request the service refuses as a whole: an HTTP status and the issues to show."""

    def __init__(self, status: int, message: str, sv: str, file: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.issues = [Issue(file or "", None, None, say(sv, message))]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None


def safe_name(raw: str) -> str:
    """The file's own name, as a plan will be reported under: no folders, no control
    characters, an extension the service reads. Raises :class:`RequestError`."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not name or name.startswith(".") or len(name.encode("utf-8")) > MAX_NAME or any(
        unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name
    ):
        shown = json.dumps(raw[:MAX_NAME], ensure_ascii=True)
        raise RequestError(400, f"unusable file name {shown}", f"oanvändbart filnamn {shown}")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in READERS:
        known = ", ".join(sorted(READERS))
        raise RequestError(415, f"not a plan file the checker reads ({known})",
                           f"inte en planfil som granskningen läser ({known})", name)
    return name


def check_files(files: list[Upload], limits: Limits) -> list[Upload]:
    """The request's plan files, named safely and within the limits. Raises :class:`RequestError`."""
    if not files:
        raise RequestError(400, "no plan file was sent (multipart parts named 'files')",
                           "ingen planfil skickades (multipart-delar med namnet 'files')")
    if len(files) > limits.files:
        raise RequestError(413, f"{len(files)} files; at most {limits.files} in one request",
                           f"{len(files)} filer; högst {limits.files} i en begäran")
    seen: set[str] = set()
    out = []
    for up in files:
        name = safe_name(up.name)
        if name.casefold() in seen:
            raise RequestError(400, "two files with this name in one request",
                               "två filer med samma namn i en begäran", name)
        seen.add(name.casefold())
        if len(up.data) > limits.file_bytes:
            raise RequestError(413, f"the file is {len(up.data)} bytes, over the limit of {limits.file_bytes}",
                               f"filen är {len(up.data)} byte, över gränsen {limits.file_bytes}", name)
        out.append(Upload(name, up.data))
    total = sum(len(up.data) for up in out)
    if total > limits.total_bytes:
        raise RequestError(413, f"the files are {total} bytes together, over the limit of {limits.total_bytes}",
                           f"filerna är {total} byte tillsammans, över gränsen {limits.total_bytes}")
    return out


def json_plan(body: bytes, limits: Limits) -> Upload:
    """A plan sent as a JSON body, as a file the YAML reader takes with its lines.

    It must be JSON (checked first, so an error names line and column); JSON's
    tabs, which can only be whitespace between tokens, become spaces for YAML.
    """
    if len(body) > limits.file_bytes:
        raise RequestError(413, f"the plan is {len(body)} bytes, over the limit of {limits.file_bytes}",
                           f"planen är {len(body)} byte, över gränsen {limits.file_bytes}", JSON_NAME)
    try:
        text = body.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"not UTF-8 (byte {exc.start})", f"inte UTF-8 (byte {exc.start})",
                           JSON_NAME) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise RequestError(400, f"not JSON: {exc.msg} ({where})",
                           f"inte JSON: {exc.msg} (rad {exc.lineno}, kolumn {exc.colno})", JSON_NAME) from None
    return Upload(JSON_NAME, text.replace("\t", " ").encode("utf-8"))


def kept_files(names: list[str], datas: list[str]) -> list[Upload]:
    """Files the result page carried back as base64 form fields (for a download or
    the other language without choosing them again)."""
    if len(names) != len(datas):
        raise RequestError(400, "kept files and names do not pair up", "sparade filer och namn går inte ihop")
    out = []
    for name, data in zip(names, datas, strict=True):
        try:
            out.append(Upload(name, base64.b64decode(data, validate=True)))
        except (binascii.Error, ValueError):
            raise RequestError(400, "a kept file is not base64", "en sparad fil är inte base64", name) from None
    return out


class _Parser:
    """python-multipart callbacks that keep parts in memory within the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.form = Form()
        self.total = 0
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.filename: str | None = None
        self.data = bytearray()
        self.files = 0

    def on_part_begin(self) -> None:
        self.disposition, self.name, self.filename, self.data = b"", "", None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]
        if len(self.header_value) > 4096:
            raise RequestError(400, "a multipart header is too long", "ett multipart-huvud är för långt")

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise RequestError(400, "a multipart part has no name", "en multipart-del saknar namn")
        self.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options and self.name == "files":
            raise RequestError(400, "a part named 'files' has no filename; send each plan as a file",
                               "en del med namnet 'files' saknar filnamn; skicka varje plan som en fil")
        if b"filename" in options:
            self.filename = options[b"filename"].decode("utf-8", "replace")
            self.files += 1
            if self.files > self.limits.files:
                raise RequestError(413, f"more than {self.limits.files} files in one request",
                                   f"mer än {self.limits.files} filer i en begäran")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.data += data[start:end]
        size = len(self.data)
        if self.filename is not None or self.name == "kept_data":
            # the files' bytes together (kept files are base64: 4 characters for 3 bytes)
            self.total += (end - start) * (3 if self.filename is None else 4)
            if self.total > self.limits.total_bytes * 4:
                raise RequestError(413, f"the files are over the limit of {self.limits.total_bytes} bytes together",
                                   f"filerna är över gränsen {self.limits.total_bytes} byte tillsammans")
        if self.filename is not None and size > self.limits.file_bytes:
            raise RequestError(413, f"the file is over the limit of {self.limits.file_bytes} bytes",
                               f"filen är över gränsen {self.limits.file_bytes} byte", self.filename)
        if self.filename is None and self.name not in ("kept_data", "kept_name") and size > FIELD_BYTES:
            raise RequestError(413, f"the form field {self.name!r} is too long",
                               f"formulärfältet {self.name!r} är för långt")

    def on_part_end(self) -> None:
        if self.filename is not None:
            if self.filename or self.data:  # a browser sends an empty part for an empty file input
                self.form.files.append(Upload(self.filename, bytes(self.data)))
            return
        try:
            value = self.data.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError(400, f"the form field {self.name!r} is not UTF-8",
                               f"formulärfältet {self.name!r} är inte UTF-8") from None
        self.form.fields.setdefault(self.name, []).append(value)


async def read_multipart(content_type: str, stream: AsyncIterator[bytes], limits: Limits) -> Form:
    """Parse a multipart/form-data body as it streams in. Raises :class:`RequestError`."""
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise RequestError(400, "multipart without a boundary", "multipart utan gräns (boundary)")
    state = _Parser(limits)
    callbacks = {name: getattr(state, name) for name in (
        "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
        "on_header_end", "on_headers_finished")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in stream:
            total += len(chunk)
            if total > limits.body_bytes:
                raise RequestError(413, f"the request is over the limit of {limits.body_bytes} bytes",
                                   f"begäran är över gränsen {limits.body_bytes} byte")
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise RequestError(400, "malformed multipart body", "felaktig multipart-kropp") from None
    return state.form


async def read_body(stream: AsyncIterator[bytes], limit: int) -> bytes:
    """A whole (non-multipart) body, refused past ``limit`` bytes."""
    chunks = bytearray()
    async for chunk in stream:
        chunks += chunk
        if len(chunks) > limit:
            raise RequestError(413, f"the request is over the limit of {limit} bytes",
                               f"begäran är över gränsen {limit} byte")
    return bytes(chunks)
