"""Loading plan files: YAML with locations → validated :class:`Plan`.

Validation errors from pydantic are turned into issues that name the file,
the line and column of the offending key, the field path, and what to do
(the allowed values, or the nearest known field for a typo).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError, Issue
from .i18n import BilingualError, say
from .loader import MAX_BYTES, Locations, PathT, format_path, load_file, shorten
from .models import Plan

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # read by compliance.workbook (an .xlsm only to refuse it clearly)
PLAN_SUFFIXES = (".yaml", ".yml", *WORKBOOK_SUFFIXES)  # an .xlsm is picked up to be refused, never skipped


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with where it came from."""

    plan: Plan
    file: str
    locs: Locations
    path: Path | None = None

    def line(self, path: PathT) -> int:
        return self.locs.line_of(path)[0]


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes and element types inside an annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        candidates = [c for c in _unwrap(field.annotation) if isinstance(c, type)]
        models = [c for c in candidates if issubclass(c, BaseModel)]
        current = models[0] if models else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """The data path of a pydantic error location.

    pydantic puts union-member and validator tags (``GenderExemption``,
    ``function-after[…]``) between the data keys; walking the data keeps only
    the parts that are keys or indices there (and a last, missing field).
    """
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            out.append(part)
            current = current[part]
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(current, dict):
            out.append(part)  # a required field that is absent
    return tuple(out)


# pydantic error types → what a plan author reads in Swedish (English keeps pydantic's text)
_SV_TYPES = {
    "int_type": "ska vara ett heltal", "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal", "float_parsing": "ska vara ett tal",
    "bool_type": "ska vara true eller false", "bool_parsing": "ska vara true eller false",
    "string_type": "ska vara text", "list_type": "ska vara en lista (- …)",
    "dict_type": "ska vara en mappning (nyckel: värde)", "model_type": "ska vara en mappning (nyckel: värde)",
    "model_attributes_type": "ska vara en mappning (nyckel: värde)",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)", "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "ska vara ett datum utan klockslag",
    "string_too_short": "får inte vara tom", "string_too_long": "är för lång",
    "greater_than_equal": "är för litet", "less_than_equal": "är för stort",
    "string_pattern_mismatch": "har fel form",
}


def _as_written(value: Any) -> str:
    """A value as the plan's YAML wrote it: ``true``, ``false``, ``null``, never Python's ``True``/``None``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return shorten(value)  # a hostile value can be megabytes


def _message(err: dict[str, Any], model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str, str]:
    """The issue's text in English and Swedish."""
    kind = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        known = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if close:
            return (f"unknown field {key!r}; did you mean {close[0]!r}?",
                    f"okänt fält {key!r}; menar du {close[0]!r}?")
        listed = ", ".join(known)
        return (f"unknown field {key!r}" + (f" (known fields: {listed})" if known else ""),
                f"okänt fält {key!r}" + (f" (kända fält: {listed})" if known else ""))
    if kind == "missing":
        return "is required", "måste anges"
    if kind == "literal_error":
        from .hints import suggestion

        expected = err.get("ctx", {}).get("expected", "")
        allowed = re.findall(r"'([^']*)'", expected)
        hint = suggestion(got, allowed) if isinstance(got, str) else say("", "")
        en_hint, sv_hint = hint.en, hint.sv
        return (f"{_as_written(got)} is not one of the allowed values: {expected}{en_hint}",
                f"{_as_written(got)} är inte ett av de tillåtna värdena: "
                f"{expected.replace(' or ', ' eller ')}{sv_hint}")
    if kind == "value_error":
        error = err.get("ctx", {}).get("error")
        text = str(error) if error is not None else err["msg"]
        said = error.text if isinstance(error, BilingualError) else None
        return text, said.sv if said is not None else text
    msg = err["msg"]
    suffix = f" (got {_as_written(got)})" if "input" in err and not isinstance(got, dict | list) else ""
    sv_suffix = f" (fick {_as_written(got)})" if suffix else ""
    sv = _SV_TYPES.get(kind)
    return msg + suffix, (sv + sv_suffix) if sv else msg + suffix


def validation_issues(
    exc: ValidationError, model: type[BaseModel], locs: Locations, data: Any = None
) -> list[Issue]:
    issues: dict[tuple[str | int, ...], Issue] = {}
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]), data)
        if loc in issues:  # one issue per field: union members repeat the same complaint
            continue
        line, column = locs.line_of(loc)
        en, sv = _message(dict(err), model, loc)
        issues[loc] = Issue(locs.file, line, column, say(sv, en), format_path(loc) or None, locs.cell_of(loc))
    return sorted(issues.values(), key=lambda i: (i.line or 0, i.column or 0, i.field or ""))


def validate(data: Any, locs: Locations, model: type[BaseModel]) -> Any:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise InputError.at(
            locs.file, f"the top level must be a mapping (plan:, areas:, …), not {kind}", 1, 1,
            sv="översta nivån ska vara en mappning (plan:, areas:, …), inte "
            + ("en lista" if kind == "a list" else kind),
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_issues(exc, model, locs, data)) from None


def _check_plan(loaded: LoadedPlan) -> None:
    seen: dict[str, tuple[str | int, ...]] = {}
    for a, area in enumerate(loaded.plan.areas):
        for i, activity in enumerate(area.activities):
            path = ("areas", a, "activities", i, "id")
            if activity.id in seen:
                first_en = loaded.locs.where(seen[activity.id])
                first_sv = loaded.locs.where(seen[activity.id], "sv")
                line, column = loaded.locs.line_of(path)
                raise InputError.at(
                    loaded.file,
                    f"activity id {activity.id!r} is used twice (first on {first_en}); "
                    "ids are unique within a plan",
                    line,
                    column,
                    format_path(path),
                    sv=f"aktivitets-id {activity.id!r} används två gånger (första gången på {first_sv}); "
                    "id:n är unika i en plan",
                    cell=loaded.locs.cell_of(path),
                )
            seen[activity.id] = path


def load_plan(path: Path, display: str | None = None, max_bytes: int = MAX_BYTES) -> LoadedPlan:
    """Read and validate one plan file (YAML, or an .xlsx workbook). Raises :class:`InputError`."""
    display = display if display is not None else str(path)
    locs: Locations
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook import read_workbook  # only a workbook pays for importing the reader

        data, locs = read_workbook(path, display, max_bytes)
    else:
        data, locs = load_file(path, display, max_bytes)
    loaded = LoadedPlan(validate(data, locs, Plan), display, locs, path)
    _check_plan(loaded)
    return loaded


def plan_from_data(data: Any, display: str = "<example>") -> LoadedPlan:
    """Validate an in-memory mapping (rule examples); locations are approximate."""
    locs = Locations(display)
    loaded = LoadedPlan(validate(data, locs, Plan), display, locs)
    _check_plan(loaded)
    return loaded


def inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


class PlanCache:
    """Plans read in this run, by real path, so a revision chain is read and
    validated once per run, not once per plan that follows it (a 1 000-plan
    chain took 185 s). Bounded in memory: a read plan (node graph for lines, models)
    takes up to about 100 times its bytes (``python -m compliance.bench --large``),
    so the cache holds up to 128 MiB by that estimate, about 200 plans of 6 KB,
    and the least recently used go first."""

    PER_BYTE = 100

    def __init__(self, budget: int = 128 * 1024 * 1024) -> None:
        self.budget = budget
        self.used = 0
        self.entries: dict[Path, tuple[int, LoadedPlan | InputError]] = {}
        self.chains: dict[Path, tuple[Any, ...]] = {}  # revisions.load_previous's verdicts

    def load(self, path: Path, display: str, max_bytes: int = MAX_BYTES) -> LoadedPlan:
        try:
            key = path.resolve()
        except OSError:
            key = path.absolute()
        hit = self.entries.get(key)
        if hit is None:
            try:
                value: LoadedPlan | InputError = load_plan(path, display, max_bytes)
            except InputError as exc:
                value = exc
            size = _size_of(path) * self.PER_BYTE if isinstance(value, LoadedPlan) else 256
            self._keep(key, size, value)
        else:
            value = hit[1]
            self.entries[key] = self.entries.pop(key)  # most recently used last
        if isinstance(value, InputError):
            if value.issues and value.issues[0].file != display:
                raise InputError([dataclasses.replace(i, file=display) for i in value.issues])
            raise value
        return value if value.file == display else dataclasses.replace(value, file=display)

    def _keep(self, key: Path, size: int, value: LoadedPlan | InputError) -> None:
        self.entries[key] = (size, value)
        self.used += size
        while self.used > self.budget and self.entries:
            old = next(iter(self.entries))
            self.used -= self.entries.pop(old)[0]


def _size_of(path: Path) -> int:
    try:
        return max(256, path.stat().st_size)
    except OSError:
        return 256
