"""The web application: the page for plan authors and auditors, and the HTTP API.

A thin shell over the library, like ``cli.py``: it reads requests, calls
:class:`~.service.Service` and the renderers, and chooses a status. The page works
without JavaScript (there is none): forms post the files, and the result page
carries the checked files back as base64 fields, so a download in another
format or the other language needs no re-upload and nothing is kept on the server.

Statuses: 200 a report; 400 a request that cannot be read (no file, a bad date or
field); 413 over a limit; 415 not a plan file or not multipart/JSON; 422 plans
with input errors (the body is still the whole report, as the CLI prints it
before exiting 2) or a check past its time limit; 503 when the time limit
passed before a worker thread was free (the server is busy, not the plan). An
unexpected error is a 500 with one line, never a traceback.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

import anyio
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import render
from ..errors import InputError
from ..findings import CheckRun
from ..i18n import UI, other
from ..render.html import context as report_context
from .openapi import openapi
from .service import LANGS, Service, TooSlow, issue_dict
from .uploads import (
    READERS,
    Form,
    Limits,
    RequestError,
    Upload,
    check_files,
    json_plan,
    kept_files,
    read_body,
    read_multipart,
)

log = logging.getLogger("compliance.web")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# No script at all: default-src 'none' forbids it. Styles: our stylesheet, and the
# report's own inline <style> and bar widths allowed by their hashes only.
_CSP = ("default-src 'none'; style-src 'self'{hashes}; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_STYLE_ATTR = re.compile(r' style="([^"<>&]*)"')
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def csp_for(html: str) -> str:
    """A Content-Security-Policy that allows exactly this page's inline styles, by hash."""
    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    blocks = {digest(m) for m in _STYLE_BLOCK.findall(html)}
    attrs = {digest(m) for m in _STYLE_ATTR.findall(html)}
    hashes = "".join(" " + h for h in sorted(blocks | attrs))
    if attrs:
        hashes = " 'unsafe-hashes'" + hashes
    return _CSP.format(hashes=hashes)


class SecurityHeaders:
    """Adds the security headers to every response (a strict CSP unless the response set its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", _CSP.format(hashes="").encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _env() -> Environment:
    return Environment(
        loader=ChoiceLoader([PackageLoader("compliance.web", "templates"),
                             PackageLoader("compliance.render", "templates")]),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _yaml(data: object, flow: bool | None = None) -> str:
    """YAML as the rule docs show it (``compliance rules docs``)."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow).rstrip()


def _lang(value: str | None) -> str:
    if value is None or value == "":
        return "sv"
    if value not in LANGS:
        raise RequestError(400, f"lang must be sv or en, not {value[:20]!r}",
                           f"lang ska vara sv eller en, inte {value[:20]!r}")
    return value


def _as_of(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RequestError(400, f"as_of {value[:30]!r} is not a date (YYYY-MM-DD)",
                           f"as_of {value[:30]!r} är inte ett datum (ÅÅÅÅ-MM-DD)") from None


def _format(value: str | None, default: str, allowed: tuple[str, ...]) -> str:
    value = value or default
    if value not in allowed:
        raise RequestError(400, f"format must be one of {', '.join(allowed)}",
                           f"format ska vara ett av {', '.join(allowed)}")
    return value


def _too_big(request: Request, limit: int) -> None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise RequestError(413, f"the request is {length} bytes, over the limit of {limit}",
                           f"begäran är {length} byte, över gränsen {limit}")


class Web:
    """The routes, holding the service and the templates."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.book = service.book
        self.limits = service.limits
        self.env = _env()
        self.css = (Path(__file__).parent / "static" / "web.css").read_bytes()  # the one static file
        # checks running at once: they are CPU-bound (one GIL), so a few suffice; the rest wait their turn
        self.slots = threading.BoundedSemaphore(self.limits.checks)

    # -- helpers ------------------------------------------------------------------
    def page(self, template: str, lang: str, status: int = 200, **values: Any) -> Response:
        values.setdefault("switch_href", f"?lang={other(lang)}")
        html = self.env.get_template(template).render(
            lang=lang, u=UI[lang], other_lang=other(lang), **values
        ) + "\n"
        return Response(html, status, media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": csp_for(html)})

    def refuse(self, exc: RequestError | InputError, lang: str, api: bool) -> Response:
        status = exc.status if isinstance(exc, RequestError) else 422
        if api:
            return JSONResponse({"errors": [issue_dict(i, lang) for i in exc.issues]}, status)
        lines = [i.one_line(lang).removeprefix(": ") for i in exc.issues]
        return self.page("error.html.j2", lang, status, errors=lines, switch_href=f"/?lang={other(lang)}")

    async def check(self, uploads: list[Upload], as_of: dt.date, lang: str) -> CheckRun:
        """The check on a worker thread, answered within the time limit whatever happens there.

        The service itself stops between files once the limit has passed; a file
        already being checked finishes on its thread (its folder is removed then),
        but the request does not wait for it: 422 if its check had started, 503 if
        it was still waiting for a worker thread (the server is busy, not the plan).
        """
        started, abandoned = threading.Event(), threading.Event()

        def work() -> CheckRun | None:
            with self.slots:  # held until the check really ends, even if the request stopped waiting
                if abandoned.is_set():
                    return None  # answered 503 already: nobody wants this check
                started.set()
                return self.service.check(uploads, as_of, lang)

        try:
            with anyio.fail_after(self.limits.seconds):
                run = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
                assert run is not None
                return run
        except TimeoutError:
            abandoned.set()
            if not started.is_set():
                raise RequestError(503, "the server is busy; try again in a moment",
                                   "servern är upptagen; försök igen om en stund") from None
            raise TooSlow(422, f"the check did not finish within its time limit of {self.limits.seconds:g} s; "
                               "send fewer or smaller files",
                          f"granskningen blev inte klar inom tidsgränsen {self.limits.seconds:g} s; "
                          "skicka färre eller mindre filer") from None

    def _uploads(self, form: Form) -> list[Upload]:
        kept = kept_files(form.fields.get("kept_name", []), form.fields.get("kept_data", []))
        return check_files(form.files + kept, self.limits)

    async def _form(self, request: Request) -> Form:
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            raise RequestError(415, "send the plans as multipart/form-data (parts named 'files')",
                               "skicka planerna som multipart/form-data (delar med namnet 'files')")
        _too_big(request, self.limits.body_bytes)
        return await read_multipart(ctype, request.stream(), self.limits)

    # -- the page -----------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        lang = request.query_params.get("lang", "sv")
        lang = lang if lang in LANGS else "sv"
        regions: set[str] = set()
        for pack in self.book.agreements.values():
            if pack.model is not None:
                regions |= set(pack.model.population)
            elif pack.region_table is not None:
                regions |= set(pack.region_table.rows)
        mib = 1024 * 1024
        return self.page(
            "index.html.j2", lang, active="check", today=dt.date.today().isoformat(), formats=render.DOWNLOADS,
            extensions=[e for e in READERS if e not in (".yaml", ".yml")],
            agreements=[{"id": a.id, "title": a.title.get(lang)} for a in sorted(
                self.book.agreements.values(), key=lambda a: a.id)],
            regions=sorted(regions),
            limits_text=UI[lang]["limits"].format(
                files=self.limits.files, file_mb=round(self.limits.file_bytes / mib, 1),
                total_mb=round(self.limits.total_bytes / mib, 1)),
        )

    async def check_page(self, request: Request) -> Response:
        lang = "sv"
        try:
            form = await self._form(request)
            lang = _lang(form.get("lang"))
            as_of = _as_of(form.get("as_of"))
            fmt = _format(form.get("format"), "page", ("page", *render.FORMATS))
            uploads = self._uploads(form)
            run = await self.check(uploads, as_of, lang)
        except (RequestError, InputError) as exc:
            return self.refuse(exc, lang, api=False)
        if fmt != "page":
            return self.attachment(run, fmt)
        kept = [{"name": up.name, "data": base64.b64encode(up.data).decode("ascii")} for up in uploads]
        values = report_context(run)
        values.update(
            u=UI[lang], other_lang=other(lang), switch_form=True, kept=kept,
            as_of=as_of.isoformat(), formats=render.DOWNLOADS, active="check", rule_href=f"/rules/{{id}}?lang={lang}",
        )
        html = self.env.get_template("result.html.j2").render(**values) + "\n"
        return Response(html, 200, media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": csp_for(html)})

    def attachment(self, run: Any, fmt: str) -> Response:
        text = render.get(fmt)(run)
        name = f"compliance.{render.EXTENSIONS[fmt]}"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        if fmt == "html":
            headers["content-security-policy"] = csp_for(text)
        return Response(text, 200, media_type=render.MEDIA_TYPES[fmt], headers=headers)

    async def template(self, request: Request) -> Response:
        from ..skeleton import skeleton

        q = request.query_params
        lang = q.get("lang", "sv") if q.get("lang") in LANGS else "sv"
        agreement, region = q.get("agreement", ""), q.get("region", "")
        pack = self.book.agreement(agreement)
        try:
            fmt = _format(q.get("format"), "yaml", ("yaml", "xlsx"))
            if pack is None:
                raise RequestError(400, f"unknown agreement {agreement[:40]!r}",
                                   f"okänd överenskommelse {agreement[:40]!r}")
            if not region.strip() or len(region) > 100 or not region.isprintable():
                raise RequestError(400, "name a region (one line of text)", "ange en region (en rad text)")
            if fmt == "xlsx":
                from ..workbook_write import template

                content: str | bytes = template(pack, region)
            else:
                content = skeleton(pack, region, lang=lang)
        except (RequestError, InputError) as exc:
            return self.refuse(exc, lang, api=False)
        slug = re.sub(r"[^a-z0-9]+", "-", region.lower().translate(str.maketrans("åäöé", "aaoe"))).strip("-")
        name = f"{slug or 'plan'}-{pack.id}.{fmt}"
        media = XLSX if fmt == "xlsx" else "application/yaml; charset=utf-8"
        return Response(content, 200, media_type=media,
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    def _rule_view(self, rule: Any, lang: str) -> dict[str, Any]:
        packs = self.book.agreements
        return {
            "id": rule.id, "severity": rule.severity, "title": rule.title.get(lang),
            "sources": [s.cite() for s in rule.source],
            "applies": [p for p in sorted(packs) if rule.id not in packs[p].excluded_rules],
        }

    async def rules_page(self, request: Request) -> Response:
        lang = request.query_params.get("lang", "sv")
        lang = lang if lang in LANGS else "sv"
        return self.page("rules.html.j2", lang, active="rules",
                         rules=[self._rule_view(r, lang) for r in self.book.rules])

    async def rule_page(self, request: Request) -> Response:
        lang = request.query_params.get("lang", "sv")
        lang = lang if lang in LANGS else "sv"
        rule = self.book.by_id.get(str(request.path_params["rule_id"]).upper())
        if rule is None:
            return self.page("error.html.j2", lang, 404, errors=[UI[lang]["not_found"]])
        view = self._rule_view(rule, lang)
        packs = self.book.agreements
        view.update(
            sources=rule.source, message=rule.message.get(lang),
            excluded=[f"{p} ({packs[p].excluded_rules[rule.id]})" for p in sorted(packs)
                      if rule.id in packs[p].excluded_rules],
            condition=_yaml({k: v for k, v in (("applies_when", rule.applies_when), ("when", rule.when))
                             if v is not None}, flow=False),
            examples=[{"name": ex.name, "as_of": ex.as_of.isoformat(), "fails": bool(ex.expect),
                       "plan": _yaml(ex.plan, flow=False),
                       "previous": _yaml(ex.previous, flow=False) if ex.previous else None,
                       "expect": [f"{e.outcome} {e.path or ''} {json.dumps(e.values, ensure_ascii=False)}"
                                  for e in ex.expect]}
                      for ex in rule.examples],
        )
        return self.page("rule.html.j2", lang, active="rules", r=view)

    async def static(self, request: Request) -> Response:
        return Response(self.css, media_type="text/css; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    # -- the API ------------------------------------------------------------------
    async def api_check(self, request: Request) -> Response:
        lang = "sv"
        try:
            ctype = request.headers.get("content-type", "").lower()
            if ctype.startswith("application/json"):
                lang = _lang(request.query_params.get("lang"))
                as_of = _as_of(request.query_params.get("as_of"))
                fmt = _format(request.query_params.get("format"), "json", render.FORMATS)
                _too_big(request, self.limits.file_bytes)
                uploads = [json_plan(await read_body(request.stream(), self.limits.file_bytes), self.limits)]
            else:
                form = await self._form(request)
                lang = _lang(form.get("lang") or request.query_params.get("lang"))
                as_of = _as_of(form.get("as_of") or request.query_params.get("as_of"))
                fmt = _format(form.get("format") or request.query_params.get("format"), "json", render.FORMATS)
                uploads = check_files(form.files, self.limits)
            run = await self.check(uploads, as_of, lang)
        except (RequestError, InputError) as exc:
            return self.refuse(exc, lang, api=True)
        text = render.get(fmt)(run)
        return Response(text, 422 if run.errors else 200, media_type=render.MEDIA_TYPES[fmt])

    async def api_rules(self, request: Request) -> Response:
        out = []
        for rule in self.book.rules:
            view = self._rule_view(rule, "sv")
            out.append({"id": rule.id, "severity": rule.severity, "title": rule.title.model_dump(),
                        "sources": [s.model_dump() for s in rule.source], "applies_to": view["applies"]})
        return JSONResponse({"rules": out})

    async def api_rule(self, request: Request) -> Response:
        rule = self.book.by_id.get(str(request.path_params["rule_id"]).upper())
        if rule is None:
            return JSONResponse({"errors": [{"file": None, "line": None, "column": None,
                                             "message": "no such rule"}]}, 404)
        data = rule.model_dump(mode="json", exclude={"file"})
        packs = self.book.agreements
        data["applies_to"] = [p for p in sorted(packs) if rule.id not in packs[p].excluded_rules]
        return JSONResponse(data)

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "rules": len(self.book.rules),
                             "agreements": sorted(self.book.agreements)})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi(self.limits))


def create_app(rules_dir: Path | None = None, limits: Limits | None = None) -> Starlette:
    """The application; the rule book is loaded and compiled here, before the first request."""
    web = Web(Service(rules_dir, limits))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if not isinstance(exc, HTTPException):
            log.error("internal error: %s: %s", type(exc).__name__, exc)
        message = "internal error" if status == 500 else (exc.detail if isinstance(exc, HTTPException) else "")
        if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json"):
            response: Response = JSONResponse(
                {"errors": [{"file": None, "line": None, "column": None, "message": message}]}, status)
        else:
            lang = request.query_params.get("lang", "sv")
            lang = lang if lang in LANGS else "sv"
            response = web.page("error.html.j2", lang, status,
                                errors=[UI[lang]["not_found"] if status == 404 else message])
        # a 500 is answered outside the middleware stack: give it the headers here
        for key, value in SECURITY_HEADERS:
            response.headers.setdefault(key.decode(), value.decode())
        response.headers.setdefault("content-security-policy", _CSP.format(hashes=""))
        response.headers.setdefault("cache-control", "no-store")
        return response

    routes = [
        Route("/", web.index, methods=["GET"]),
        Route("/check", web.check_page, methods=["POST"]),
        Route("/template", web.template, methods=["GET"]),
        Route("/rules", web.rules_page, methods=["GET"]),
        Route("/rules/{rule_id}", web.rule_page, methods=["GET"]),
        Route("/static/web.css", web.static, methods=["GET"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET"]),
        Route("/api/check", web.api_check, methods=["POST"]),
        Route("/api/rules", web.api_rules, methods=["GET"]),
        Route("/api/rules/{rule_id}", web.api_rule, methods=["GET"]),
        Route("/healthz", web.healthz, methods=["GET"]),
        Route("/openapi.json", web.openapi, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: http_error})
    app.add_middleware(SecurityHeaders)
    return app
