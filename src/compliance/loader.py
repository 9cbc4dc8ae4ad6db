"""YAML with line numbers, duplicate-key rejection and bounds.

PyYAML composes the node graph (with the C composer when present); this module
turns it into plain Python values itself, so that it can

* remember the line and column of every key and item (``Locations``),
* reject duplicate keys (PyYAML silently keeps the last one),
* bound alias expansion, nesting depth and file size, so a hostile file
  answers within seconds and bounded memory, and
* report every failure as an :class:`~compliance.errors.InputError` naming the
  file, line and column.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .i18n import say

try:  # the C loader is several times faster; fall back silently when absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathT = tuple[str | int, ...]

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000  # at least; a larger file may hold one node per two bytes of its text (see load_text)
MAX_DEPTH = 64


def format_path(path: PathT) -> str:
    """``("areas", 3, "activities", 1)`` → ``areas[3].activities[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Locations:
    """Line and column (1-based) of every key and sequence item of a document.

    Kept as the composed node graph and looked up on demand: a plan has hundreds
    of keys but a finding or an error needs a handful of lines, so building a
    path → mark table for every key was wasted work (measured: a fifth of the
    loader's time).
    """

    file: str
    root: yaml.Node | None = None

    def line_of(self, path: PathT) -> tuple[int, int]:
        """The mark of ``path``'s key (or item), or of its nearest ancestor that has one."""
        node = self.root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                        mark, node = key_node.start_mark, value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)

    def cell_of(self, path: PathT) -> str | None:
        """A workbook's cell of ``path`` (``Aktiviteter!C12``); YAML has none."""
        return None

    def where(self, path: PathT, lang: str = "en") -> str:
        """Where ``path`` is, for a message: ``line 12`` or ``cell Aktiviteter!C12``."""
        cell = self.cell_of(path)
        if cell is not None:
            return f"cell {cell}"
        line = self.line_of(path)[0]
        return say(f"rad {line}", f"line {line}").get(lang)


_STR = "tag:yaml.org,2002:str"
_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
MAX_NUMBER_CHARS = 100


def shorten(value: Any, limit: int = 40) -> str:
    """A value for a message: its repr, cut to ``limit`` characters (a hostile value can be megabytes)."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
_SCALARS = _Loader.yaml_constructors if hasattr(_Loader, "yaml_constructors") else {}
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _YamlDataBuilder:
    """Plain Python data (dicts, lists, scalars) from a YAML node tree, within the size and depth limits."""

    def __init__(self, file: str, max_nodes: int, max_depth: int) -> None:
        self.file = file
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, message: str, path: PathT, sv: str) -> InputError:
        mark = node.start_mark
        return InputError.at(
            self.file, message, mark.line + 1, mark.column + 1, format_path(path) or None, sv=sv
        )

    def build(self, node: yaml.Node, path: PathT, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self.fail(
                node,
                f"document expands to more than {self.max_nodes} nodes "
                "(an alias bomb?); refusing to expand it",
                path,
                f"dokumentet växer till mer än {self.max_nodes} noder (en aliasbomb?); expanderas inte",
            )
        if depth > self.max_depth:
            raise self.fail(node, f"nesting deeper than {self.max_depth} levels", path,
                            f"nästlat djupare än {self.max_depth} nivåer")
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._scalar(node, path)
        if node.tag not in _COLLECTION_TAGS:
            raise self.fail(node, f"unsupported YAML tag {node.tag}", path, f"YAML-taggen {node.tag} stöds inte")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        out = []
        for i, item in enumerate(node.value):
            if isinstance(item, yaml.ScalarNode) and item.tag == _STR:
                self.nodes += 1
                out.append(item.value)
            else:
                out.append(self.build(item, path + (i,), depth + 1))
        return out

    def _mapping(self, node: yaml.MappingNode, path: PathT, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain word, not a list or mapping", path,
                                "en nyckel ska vara ett ord, inte en lista eller mappning")
            if key_node.tag == _STR:
                key = key_node.value
            else:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys (<<) are not supported", path,
                                    "sammanslagningsnycklar (<<) stöds inte")
                value = self._scalar(key_node, path)
                key = str(value).lower() if isinstance(value, bool) else str(value)
            if key in out:
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key_node.value)
                raise self.fail(
                    key_node,
                    f"duplicate key {key!r} (first given on line {first.start_mark.line + 1})",
                    path + (key,),
                    f"nyckeln {key!r} förekommer två gånger (första gången på rad {first.start_mark.line + 1})",
                )
            if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _STR:
                self.nodes += 1
                out[key] = value_node.value
            else:
                out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def _yaml11_number(self, node: yaml.Node, text: str, path: PathT) -> None:
        """Refuse YAML 1.1's other number forms: an author writing 0777 or 190:20:30 does
        not mean 511 or 685 230 kr. Decimal integers (with ``_``) and floats stay."""
        if ":" in text:
            raise self.fail(node, f"{shorten(text)} is a base-60 number in YAML 1.1; write the figure in digits, "
                            "or quote it if it is text", path,
                            f"{shorten(text)} är ett sexagesimalt tal i YAML 1.1; skriv talet med siffror, "
                            "eller citattecken om det är text")
        if node.tag == "tag:yaml.org,2002:int" and not _DECIMAL.fullmatch(text):
            raise self.fail(node, f"{shorten(text)} is not a decimal number (YAML 1.1 reads a leading 0 as octal, "
                            "0x as hexadecimal); write it without the leading zero, or quote it if it is text", path,
                            f"{shorten(text)} är inte ett decimaltal (YAML 1.1 läser en inledande 0 som oktalt, "
                            "0x som hexadecimalt); skriv det utan inledande nolla, eller med citattecken om det "
                            "är text")

    def _scalar(self, node: yaml.Node, path: PathT) -> Any:
        tag = node.tag
        text = node.value
        if tag not in _CORE_TAGS:
            # YAML's core schema only: !!binary, !!omap, !!set, !!python/… are refused
            raise self.fail(node, f"unsupported YAML tag {tag}", path, f"YAML-taggen {tag} stöds inte")
        if tag in _NUMBER_TAGS and len(text) > MAX_NUMBER_CHARS:
            # Python refuses int() past 4 300 digits with a hint to raise the limit; no
            # figure in a plan comes near this many digits anyway
            raise self.fail(node, f"a number of {len(text)} characters ({shorten(text)}); no figure in a plan "
                            f"has more than {MAX_NUMBER_CHARS}", path,
                            f"ett tal med {len(text)} tecken ({shorten(text)}); inget tal i en plan har fler "
                            f"än {MAX_NUMBER_CHARS}")
        if tag == "tag:yaml.org,2002:int" and text.isdigit() and (text[0] != "0" or text == "0"):
            return int(text)  # plain decimal
        if tag in _NUMBER_TAGS:
            self._yaml11_number(node, text, path)
        ctor = _SCALARS.get(tag) or yaml.constructor.SafeConstructor.yaml_constructors.get(tag)
        if ctor is None:
            raise self.fail(node, f"unsupported YAML tag {tag}", path, f"YAML-taggen {tag} stöds inte")
        try:
            value = ctor(self.constructor, node)
        except (ValueError, OverflowError) as exc:
            if tag == "tag:yaml.org,2002:timestamp":
                raise self.fail(node, f"impossible date {shorten(node.value)} ({exc})", path,
                                f"omöjligt datum {shorten(node.value)} ({exc})") from None
            raise self.fail(node, f"cannot read {shorten(node.value)}: {exc}", path,
                            f"kan inte läsa {shorten(node.value)}: {exc}") from None
        except yaml.YAMLError as exc:
            raise self.fail(node, f"cannot read value: {exc}", path, f"värdet går inte att läsa: {exc}") from None
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0) and value.tzinfo is None:
                return value.date()
            return value
        return value


SAFE_BOUND = 1000  # PyYAML's C composer recurses per level and overflows the C stack near 10^5
_DEEP_INDENT = re.compile(rf"^ {{{SAFE_BOUND // 2},}}", re.M)


def _nesting_bound(text: str) -> int:
    """A cheap upper bound on nesting depth: indentation, flow brackets still open,
    and compact block entries (``- - -``) on each line."""
    bound = flow = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        opens = stripped.count("[") + stripped.count("{")
        bound = max(bound, len(line) - len(stripped) + flow + opens + stripped.count("- ") + 1)
        flow = max(0, flow + opens - stripped.count("]") - stripped.count("}"))
    return bound


def _check_depth(text: str, file: str, max_depth: int) -> None:
    """Refuse absurd nesting before composing: the C composer would crash on it."""
    quick = text.count("[") + text.count("{") + text.count("- ")
    if quick < SAFE_BOUND // 2 and not _DEEP_INDENT.search(text):
        return  # the bound cannot exceed SAFE_BOUND: skip the per-line scan
    if _nesting_bound(text) <= SAFE_BOUND:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    mark = event.start_mark
                    raise InputError.at(file, f"nesting deeper than {max_depth} levels",
                                        mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                        sv=f"nästlat djupare än {max_depth} nivåer")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own bound (PyYAML 6.0.4's wheels) may come first
            mark = getattr(exc, "problem_mark", None)
            raise InputError.at(file, f"nesting deeper than {max_depth} levels",
                                mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                sv=f"nästlat djupare än {max_depth} nivåer") from None
        return  # compose reports the syntax error with its line


def load_text(
    text: str,
    file: str,
    *,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> tuple[Any, Locations]:
    """Parse one YAML document from ``text``; return its value and locations."""
    if not text.strip():
        raise InputError.at(file, "the file is empty", 1, 1, sv="filen är tom")
    _check_depth(text, file, max_depth)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if "another document" in problem:
            problem = "a plan file holds a single YAML document, but a second one starts here (---)"
            raise InputError.at(file, problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                                sv="en planfil innehåller ett enda YAML-dokument, men här börjar ett andra (---)"
                                ) from None
        if mark is None:
            raise InputError.at(file, f"malformed YAML: {problem}", sv=f"felaktig YAML: {problem}") from None
        raise InputError.at(
            file, f"malformed YAML: {problem}", mark.line + 1, mark.column + 1, sv=f"felaktig YAML: {problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.at(file, f"malformed YAML: {exc}", sv=f"felaktig YAML: {exc}") from None
    except RecursionError:
        raise InputError.at(file, f"nesting deeper than {max_depth} levels",
                            sv=f"nästlat djupare än {max_depth} nivåer") from None
    if node is None:
        raise InputError.at(file, "the file holds no YAML document", 1, 1, sv="filen innehåller inget YAML-dokument")
    # Without aliases every node takes at least two bytes of text ("a," in a flow list),
    # so more nodes than half the text's length can only come from alias expansion: a
    # bound that refuses a billion laughs but not a legitimate 100 000-activity plan.
    builder = _YamlDataBuilder(file, max(max_nodes, len(text) // 2), max_depth)
    try:
        value = builder.build(node, (), 0)
    except RecursionError:
        raise InputError.at(file, f"nesting deeper than {max_depth} levels",
                            sv=f"nästlat djupare än {max_depth} nivåer") from None
    return value, Locations(file, node)


def read_text(path: Path, display: str, max_bytes: int = MAX_BYTES) -> str:
    """Read a regular file as strict UTF-8 within a size bound; never modifies it.

    Only regular files are read: a FIFO would block and a device (``/dev/zero``)
    never ends, so the file is opened without blocking and refused unless its
    open descriptor is a regular file. The bound is enforced while reading, not
    taken from ``st_size`` (which a file in /proc reports as 0).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError.at(display, "no such file", sv="filen finns inte") from None
    except IsADirectoryError:
        raise InputError.at(display, "is a folder, not a file", sv="är en mapp, inte en fil") from None
    except OSError as exc:
        raise InputError.at(display, f"cannot read the file: {exc.strerror}",
                            sv=f"filen går inte att läsa: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError.at(display, "is a folder, not a file", sv="är en mapp, inte en fil")
        if not stat.S_ISREG(st.st_mode):
            raise InputError.at(display, "not a regular file (a device, pipe or socket); refusing to read it",
                                sv="inte en vanlig fil (en enhet, rörledning eller sockel); läses inte")
        over = InputError.at(
            display, f"the file is over the bound of {max_bytes} bytes (--max-bytes)",
            sv=f"filen är över gränsen {max_bytes} byte (--max-bytes)",
        )
        if st.st_size > max_bytes:
            raise InputError.at(
                display, f"the file is {st.st_size} bytes, over the bound of {max_bytes} bytes (--max-bytes)",
                sv=f"filen är {st.st_size} byte, över gränsen {max_bytes} byte (--max-bytes)",
            )
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > max_bytes:
                raise over
        data = b"".join(chunks)
    except OSError as exc:
        raise InputError.at(display, f"cannot read the file: {exc.strerror}",
                            sv=f"filen går inte att läsa: {exc.strerror}") from None
    finally:
        os.close(fd)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        raise InputError.at(display, "binary content (a NUL byte); a plan is UTF-8 text", line,
                            sv="binärt innehåll (en NUL-byte); en plan är UTF-8-text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError.at(
            display, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, column,
            sv=f"inte giltig UTF-8 (byte 0x{data[exc.start]:02x})",
        ) from None
    return text.removeprefix("\ufeff")


def load_file(
    path: Path, display: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[Any, Locations]:
    display = display if display is not None else str(path)
    return load_text(read_text(path, display, max_bytes), display)
