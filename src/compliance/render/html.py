"""``--format html``: one self-contained, printable report for auditors.

A summary first (counts, planned against allocated per area, and a plans ×
rules matrix when there are several plans), then per plan the findings grouped
by area, each with title, message, values, the source section and its Swedish
quote, and file:line. jinja2 with autoescaping; inline CSS; no network.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..amounts import format_kr
from ..findings import CheckRun, Finding, PlanResult, json_value
from ..hints import show
from ..i18n import WORDS
from .common import counts, visible


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}``: plain text shows its control characters escaped (markup from the
    template itself, a ``Markup``, is left alone); autoescaping then escapes it."""
    return visible(value) if type(value) is str else value


_ENV = Environment(
    loader=PackageLoader("compliance.render", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_finalize,
)


def _value(value: Any, lang: str) -> str:
    return show(json_value(value), lang)


def _finding(f: Finding, lang: str) -> dict[str, Any]:
    w = WORDS[lang]
    css = f.severity if f.outcome == "failed" else f.outcome
    return {
        "css": css,
        "label": w[f.severity] if f.outcome == "failed" else w[f.outcome],
        "rule": f.rule,
        "title": f.title,
        "message": f.message,
        "vals": [(k, _value(v, lang)) for k, v in f.values.items() if v is not None],
        "waiver": f.waiver,
        "baselined": f.baselined,
        "srcs": f.sources,
        "where": f.location.where(),
        "path": f.location.path,
    }


def _area_name(run: CheckRun, agreement: str, code: str) -> str:
    """``Nära vård/primärvård (nara-vard)``: the pack's name for an area, with its code."""
    name = run.legend.area_name(agreement, code)
    return f"{name} ({code})" if name is not None else code


def _areas(run: CheckRun, result: PlanResult, lang: str) -> list[dict[str, Any]]:
    out = []
    for area, (planned, allocation) in result.planned_by_area.items():
        if allocation:
            width = min(100, round(100 * planned / allocation))
            state = "over" if planned > allocation else ("under" if planned < allocation else "")
        else:
            width, state = (100 if planned else 0), ""
        out.append({
            "area": _area_name(run, result.agreement, area),
            "planned_text": format_kr(planned, lang),
            "allocation_text": format_kr(allocation, lang) if allocation is not None else "—",
            "width": width,
            "state": state,
        })
    return out


def _groups(run: CheckRun, result: PlanResult, lang: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in result.findings:
        groups.setdefault(f.area or "", []).append(_finding(f, lang))
    ordered = sorted(groups, key=lambda a: (a != "", a))
    return [
        {"title": _area_name(run, result.agreement, a) if a else WORDS[lang]["no_area"], "findings": groups[a]}
        for a in ordered
    ]


def _matrix(run: CheckRun) -> dict[str, Any] | None:
    if len(run.results) < 2:
        return None
    rules = sorted({f.rule for f in run.findings()})
    rows = []
    for result in run.results:
        cells = []
        for rid in rules:
            found = [f for f in result.findings if f.rule == rid]
            failed = [f for f in found if f.outcome == "failed"]
            if failed:
                css = "m-error" if failed[0].severity == "error" else "m-warning"
                cells.append({"text": str(len(failed)), "css": css})
            elif found:
                cells.append({"text": "?" if found[0].outcome == "not-evaluated" else "w", "css": "m-ne"})
            else:
                cells.append({"text": "·" if rid in result.rules_applied else "", "css": ""})
        rows.append({"plan": f"{result.plan} ({result.region})", "file": result.file, "cells": cells})
    return {"rules": rules, "rows": rows}


def context(run: CheckRun) -> dict[str, Any]:
    """What ``report.html.j2`` shows; the web page extends that template with the same values."""
    lang = "en" if run.lang == "en" else "sv"
    plans = [{"result": r, "areas": _areas(run, r, lang), "groups": _groups(run, r, lang)} for r in run.results]
    return dict(
        lang=lang,
        w=WORDS[lang],
        as_of=run.as_of.isoformat(),
        version=__version__,
        c=counts(run),
        plans=plans,
        matrix=_matrix(run),
        errors=[issue.one_line(lang) for issue in run.errors],
        warnings=[issue.one_line(lang) for issue in run.warnings],
    )


def render(run: CheckRun) -> str:
    return _ENV.get_template("report.html.j2").render(**context(run)) + "\n"
