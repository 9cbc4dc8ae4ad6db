"""The API's OpenAPI 3.1 description, served at ``/openapi.json``.

Written out rather than generated: the API is five endpoints, and
``tests/test_web.py`` holds it to the routes the application has and checks the
answers of ``POST /api/check`` against the schemas here.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..render import FORMATS
from .uploads import Limits

_ISSUE = {
    "type": "object",
    "required": ["file", "line", "column", "message"],
    "properties": {
        "file": {"type": ["string", "null"], "description": "the file as sent, or null for the request itself"},
        "line": {"type": ["integer", "null"]},
        "column": {"type": ["integer", "null"]},
        "field": {"type": "string", "description": "the plan field, e.g. areas[0].activities[1].amount"},
        "message": {"type": "string"},
    },
}

_FINDING = {
    "type": "object",
    "required": ["rule", "severity", "outcome", "title", "message", "source", "location", "values"],
    "properties": {
        "rule": {"type": "string", "pattern": "^[A-Z]+-[0-9]{3}$"},
        "severity": {"enum": ["error", "warning", "info"]},
        "outcome": {"enum": ["failed", "not-evaluated", "waived"]},
        "title": {"type": "string"},
        "message": {"type": "string"},
        "source": {"type": ["object", "null"]},
        "location": {
            "type": "object", "required": ["file", "line", "path"],
            "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 1},
                           "path": {"type": "string"}},
        },
        "values": {"type": "object", "description": "amounts are integer kronor"},
    },
}

_REPORT = {
    "type": "object",
    "required": ["as_of", "results", "errors", "summary"],
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "results": {"type": "array", "items": {
            "type": "object", "required": ["file", "plan", "agreement", "findings"],
            "properties": {"file": {"type": "string"}, "plan": {"type": "string"}, "agreement": {"type": "string"},
                           "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}},
        }},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
        "summary": {"type": "object", "additionalProperties": {"type": "integer"}, "properties": {
            "failed_by_severity": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    },
}

_ERRORS = {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}}},
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def openapi(limits: Limits) -> dict[str, Any]:
    fields = {
        "as_of": {"type": "string", "format": "date", "description": "judge the plans as of this date (default today)"},
        "lang": {"enum": ["sv", "en"], "description": "language of titles and messages (default sv)"},
        "format": {"enum": ["json", *(name for name in FORMATS if name != "json")],  # the default first
                   "description": "the report's format (default json: the CLI contract)"},
    }
    query = [{"name": k, "in": "query", "required": False, "schema": v} for k, v in fields.items()]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "compliance",
            "version": __version__,
            "description": "Checks regional grant plans against the conditions of the God och nära vård "
                           "agreements. Uploads are checked and forgotten; nothing is stored.",
        },
        "paths": {
            "/api/check": {"post": {
                "summary": "Check one or more plans",
                "description": (
                    f"Multipart parts named `files` (YAML plans; at most {limits.files} files, "
                    f"{limits.file_bytes} bytes each, {limits.total_bytes} together), or one plan as a JSON body "
                    "(reported as `plan.json`). `supersedes` is resolved only among the files of the request. "
                    "The answer is the JSON of the command line's `--format json`."),
                "parameters": query,
                "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": {
                        "type": "object", "required": ["files"],
                        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                                       **fields}}},
                    "application/json": {"schema": {"type": "object",
                                                    "description": "a plan (see `compliance schema`)"}},
                }},
                "responses": {
                    "200": {"description": "the report: every plan could be read",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                    "400": _error("the request cannot be read (no file, a bad date, a bad file name)"),
                    "413": _error("over a limit (file size, number of files, total)"),
                    "415": _error("not multipart/form-data or JSON, or a file the checker does not read"),
                    "503": _error("the time limit passed before the check got its turn: the server is busy"),
                    "422": {"description": "some plans have input errors (listed under `errors` with file, line, "
                                           "column and field; the other plans are still checked); or the check "
                                           "passed its time limit",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                },
            }},
            "/api/rules": {"get": {
                "summary": "The rule catalog",
                "responses": {"200": {"description": "every rule: id, severity, title, sources, the agreements it "
                                                     "applies to", "content": {"application/json": {}}}},
            }},
            "/api/rules/{rule_id}": {"get": {
                "summary": "One rule with its condition, message and examples",
                "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the rule", "content": {"application/json": {}}},
                              "404": _error("no such rule")},
            }},
            "/healthz": {"get": {
                "summary": "Liveness: the rule book is loaded",
                "responses": {"200": {"description": "ok", "content": {"application/json": {}}}},
            }},
            "/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
            }},
        },
        "components": {"schemas": {"Issue": _ISSUE, "Finding": _FINDING, "Report": _REPORT, "Errors": _ERRORS}},
    }
