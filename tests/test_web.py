"""`compliance serve`: the HTTP API and the page, through Starlette's test client.

The answers are held to what the command line says for the same files: the web
is a shell over the same library, so `POST /api/check` must give the CLI's JSON
byte for byte.
"""

import asyncio
import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[test,web]')")
httpx = pytest.importorskip("httpx2", reason="the test extra's httpx2 is not installed")

from starlette.testclient import TestClient  # noqa: E402

from compliance.cli import main  # noqa: E402
from compliance.web.app import create_app  # noqa: E402
from compliance.web.uploads import Limits  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
REVISIONS = ROOT / "examples" / "revisions"
SMALL = Limits(file_bytes=200_000, files=5, total_bytes=400_000, seconds=30)


@pytest.fixture(scope="module")
def app():
    return create_app(limits=SMALL)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def plan_files(*paths):
    return [("files", (p.name, p.read_bytes(), "application/yaml")) for p in paths]


def cli(cwd, *args):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def issues(response):
    return [e for e in response.json()["errors"]]


# -- the API ---------------------------------------------------------------------------


def test_api_check_gives_the_clis_json_byte_for_byte(client):
    names = ["rjh-gnv-2020.yaml", "rjh-gnv-2023.yaml"]
    r = client.post("/api/check", files=plan_files(*(PLANS / n for n in names)), data={"as_of": "2021-04-30"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    expected = cli(PLANS, *names, "--as-of", "2021-04-30", "--format", "json")
    assert expected.exit_code == 1
    assert r.text == expected.stdout
    doc = r.json()
    excess = [f["values"]["excess"] for f in doc["results"][0]["findings"] if f["rule"] == "GNV-102"]
    assert excess == [33492]  # the allocation to the krona, as an integer


def test_api_check_in_english_and_other_formats(client):
    r = client.post("/api/check?lang=en&as_of=2020-04-01&format=sarif", files=plan_files(PLANS / "rjh-gnv-2020.yaml"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/sarif+json"
    expected = cli(PLANS, "rjh-gnv-2020.yaml", "--as-of", "2020-04-01", "--format", "sarif", "--lang", "en")
    assert r.text == expected.stdout
    r = client.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"lang": "en", "as_of": "2020-04-01"})
    assert r.text == cli(PLANS, "rjh-gnv-2020.yaml", "--as-of", "2020-04-01", "--format", "json", "--lang", "en").stdout
    assert r.json()["results"][0]["findings"][0]["title"] == "Area planned above its allocation"


def test_api_check_takes_a_json_plan_as_the_body_with_its_lines(client):
    data = yaml.safe_load((PLANS / "rjh-gnv-2020.yaml").read_text("utf-8"))
    body = json.dumps(data, ensure_ascii=False, indent="\t", default=str)  # tabs: JSON whitespace, not YAML's
    r = client.post("/api/check?as_of=2020-04-01", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    via_upload = client.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2020-04-01"})
    got, want = r.json()["results"][0], via_upload.json()["results"][0]
    assert got["file"] == "plan.json"
    strip = [(f["rule"], f["outcome"], f["message"], f["values"], f["location"]["path"]) for f in got["findings"]]
    assert strip == [(f["rule"], f["outcome"], f["message"], f["values"], f["location"]["path"]) for f in want["findings"]]
    lines = body.splitlines()
    for f in got["findings"]:  # each finding points at a line of the JSON that was sent
        assert 1 <= f["location"]["line"] <= len(lines)
    finding = next(f for f in got["findings"] if f["rule"] == "GNV-102")
    assert '"area": "karriartjanster"' in lines[finding["location"]["line"] - 1] or \
        "karriartjanster" in "".join(lines[finding["location"]["line"] - 3:finding["location"]["line"] + 3])


def test_a_body_that_is_not_json_names_line_and_column(client):
    r = client.post("/api/check", content=b'{"plan": {\n  "id": }', headers={"content-type": "application/json"})
    assert r.status_code == 400
    [err] = issues(r)
    assert err["file"] == "plan.json" and "line 2, column 9" in err["message"] or "rad 2, kolumn 9" in err["message"]


def test_input_errors_are_422_with_file_line_field_and_the_good_plans_still_checked(client, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("plan: {id: b, region: R, agreement: gnv-2020}\nareas:\n  - area: nara-vard\n"
                      "    activities:\n      - {id: a, amount: 1.5}\n", "utf-8")
    r = client.post("/api/check", files=plan_files(broken, PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2020-04-01"})
    assert r.status_code == 422
    doc = r.json()
    assert [x["file"] for x in doc["results"]] == ["rjh-gnv-2020.yaml"]
    [err] = doc["errors"]
    assert (err["file"], err["line"], err["field"]) == ("broken.yaml", 5, "areas[0].activities[0].amount")
    assert "1.5 är ett decimaltal" in err["message"]
    cli_run = cli(tmp_path, "broken.yaml", "--format", "json", "--as-of", "2020-04-01")
    assert cli_run.exit_code == 2 and json.loads(cli_run.stdout)["errors"] == [err]


@pytest.mark.parametrize("case, status, words", [
    ("no files", 400, "ingen planfil"),
    ("bad date", 400, "inte ett datum"),
    ("bad lang", 400, "lang ska vara"),
    ("bad format", 400, "format ska vara"),
    ("not multipart", 415, "multipart/form-data"),
    ("wrong extension", 415, "inte en planfil"),
    ("too many files", 413, "mer än 5 filer"),
    ("file too big", 413, "över gränsen 200000"),
    ("too big together", 413, "tillsammans"),
    ("too big together while streaming", 413, "filerna är över gränsen 400000 byte tillsammans"),
    ("declared too big", 413, "över gränsen"),
    ("same name twice", 400, "samma namn"),
    ("name is a path", 200, None),
    ("hidden name", 400, "oanvändbart filnamn"),
    ("name one byte over the limit", 400, "oanvändbart filnamn"),
    ("name at the limit", 200, None),
    ("broken multipart", 400, "multipart"),
])
def test_bad_requests_get_4xx_json_naming_the_problem(client, case, status, words):
    plan = (PLANS / "rjh-gnv-2020.yaml").read_bytes()
    kwargs = {"files": [("files", ("p.yaml", plan))]}
    if case == "no files":
        kwargs = {"data": {"as_of": "2020-04-01"}, "files": [("other", ("", b""))]}
    elif case == "bad date":
        kwargs["data"] = {"as_of": "2020-13-01"}
    elif case == "bad lang":
        kwargs["data"] = {"lang": "de"}
    elif case == "bad format":
        kwargs["data"] = {"format": "pdf"}
    elif case == "not multipart":
        kwargs = {"content": plan, "headers": {"content-type": "text/plain"}}
    elif case == "wrong extension":
        kwargs = {"files": [("files", ("plan.exe", plan))]}
    elif case == "too many files":
        kwargs = {"files": [("files", (f"p{i}.yaml", plan)) for i in range(6)]}
    elif case == "file too big":
        kwargs = {"files": [("files", ("big.yaml", plan + b"#" * 200_000))]}
    elif case == "too big together":
        kwargs = {"files": [("files", (f"p{i}.yaml", plan + b"#" * (150_000 - len(plan)))) for i in range(3)]}
    elif case == "too big together while streaming":  # refused before the body's limit, as the files arrive
        kwargs = {"files": [("files", (f"p{i}.yaml", plan + b"#" * (190_000 - len(plan)))) for i in range(3)]}
    elif case == "declared too big":
        kwargs = {"content": b"x", "headers": {"content-type": "multipart/form-data; boundary=x",
                                                "content-length": str(10**9)}}
    elif case == "same name twice":
        kwargs = {"files": [("files", ("p.yaml", plan)), ("files", ("P.yaml", plan))]}
    elif case == "name is a path":
        kwargs = {"files": [("files", ("../../etc/p.yaml", plan))], "data": {"as_of": "2020-04-01"}}
    elif case == "name one byte over the limit":
        kwargs = {"files": [("files", ("ö" * 98 + ".yaml", plan))]}  # 201 bytes of UTF-8
    elif case == "name at the limit":
        kwargs = {"files": [("files", ("ö" * 97 + "a.yaml", plan))], "data": {"as_of": "2020-04-01"}}  # 200
    elif case == "hidden name":
        kwargs = {"files": [("files", (".p.yaml", plan))]}
    elif case == "broken multipart":
        kwargs = {"content": b"--x\r\nContent-Disposition: form-data\r\n\r\nzz\r\n--x--\r\n",
                  "headers": {"content-type": "multipart/form-data; boundary=x"}}
    r = client.post("/api/check", **kwargs)
    assert r.status_code == status, r.text[:500]
    assert "Traceback" not in r.text
    if words is None:
        name = "ö" * 97 + "a.yaml" if case == "name at the limit" else "p.yaml"
        assert r.json()["results"][0]["file"] == name  # only the name is kept, never the folders
    else:
        assert any(words in e["message"] for e in issues(r)), r.text


def test_supersedes_is_resolved_among_the_files_of_the_request(client, tmp_path):
    """The revision examples sent together with the plan they revise give what the CLI gives on the same files."""
    flat = tmp_path / "flat"
    flat.mkdir()
    sent = [PLANS / "rjh-gnv-2020.yaml", *sorted(REVISIONS.glob("*.yaml"))]
    for p in sent:
        (flat / p.name).write_text(p.read_text("utf-8").replace("supersedes: ../../plans/", "supersedes: "), "utf-8")
    r = client.post("/api/check", files=plan_files(*(flat / p.name for p in sent)), data={"as_of": "2021-04-30"})
    expected = cli(flat, *sorted(p.name for p in sent), "--as-of", "2021-04-30", "--format", "json")
    assert r.status_code == 200 and r.text == expected.stdout
    assert any(f["rule"].startswith("GNV-3") for res in r.json()["results"] for f in res["findings"])
    # the example as it is names ../../plans/…: not among the request's files, whatever the server holds there
    alone = client.post("/api/check", files=plan_files(REVISIONS / "rjh-gnv-2020-v2-karriar.yaml"))
    assert alone.status_code == 422
    [err] = issues(alone)
    assert (err["file"], err["field"]) == ("rjh-gnv-2020-v2-karriar.yaml", "plan.supersedes")
    assert err["message"] == ("reviderar ../../plans/rjh-gnv-2020.yaml, som ligger utanför mapparna som granskas; "
                              "en revision ska vara en planfil bland dem (den läses inte)")


def test_supersedes_never_reaches_the_servers_files(client, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((PLANS / "rjh-gnv-2020.yaml").read_text("utf-8"), "utf-8")
    base = (PLANS / "rjh-gnv-2020.yaml").read_text("utf-8")
    for target in (str(outside), "../" * 12 + str(outside).lstrip("/"), "/etc/passwd", "missing.yaml"):
        text = base.replace("plan:\n", f"plan:\n  supersedes: {json.dumps(target)}\n", 1)
        assert "supersedes" in text
        r = client.post("/api/check", files=[("files", ("v2.yaml", text.encode()))], data={"as_of": "2021-04-30"})
        assert r.status_code == 422, r.text[:300]
        [err] = issues(r)
        assert err["field"] == "plan.supersedes"
        if target == "missing.yaml":  # inside the request's folder, and not there
            assert err["message"] == "reviderar missing.yaml, som inte finns"
        else:
            assert "som ligger utanför mapparna som granskas" in err["message"] and "(den läses inte)" in err["message"]
        assert "compliance-upload-" not in r.text  # the request's own folder is never named


def test_uploads_live_in_a_temporary_folder_removed_after_the_request(client, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []
    real = Path.write_bytes

    def spy(self, data):
        seen.append(self)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", spy)
    ok = client.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2020-04-01"})
    bad = client.post("/api/check", files=[("files", ("x.yaml", b"\x00\x01"))])
    assert (ok.status_code, bad.status_code) == (200, 422)
    assert seen and all(p.parent.parent == tmp_path and p.parent.name.startswith("compliance-upload-") for p in seen)
    assert list(tmp_path.iterdir()) == []  # removed, whatever the outcome


def test_rules_api(client):
    r = client.get("/api/rules")
    rules = r.json()["rules"]
    assert len(rules) == len(list((ROOT / "rules" / "catalog").glob("*.yaml")))
    gnv102 = next(x for x in rules if x["id"] == "GNV-102")
    assert gnv102["severity"] == "error" and gnv102["sources"][0]["document"] and gnv102["applies_to"]
    one = client.get("/api/rules/gnv-102").json()
    assert one["id"] == "GNV-102" and len(one["examples"]) >= 2 and "when" in one and "file" not in one
    assert client.get("/api/rules/GNV-999").status_code == 404


def test_healthz_and_openapi_describe_the_api(client, app):
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    api_routes = {r.path for r in app.routes if r.path.startswith("/api/") or r.path in ("/healthz", "/openapi.json")}
    assert set(spec["paths"]) == api_routes
    import jsonschema

    def validate(doc, name):
        schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        jsonschema.validate(doc, schema)

    ok = client.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2023.yaml"), data={"as_of": "2023-04-04"})
    validate(ok.json(), "Report")
    bad = client.post("/api/check", data={"as_of": "x"}, files=[("files", ("a.yaml", b"plan: 1"))])
    validate(bad.json(), "Errors")
    with pytest.raises(jsonschema.ValidationError):
        validate({"errors": [{"message": 1}]}, "Errors")


# -- the page ----------------------------------------------------------------------------


def test_every_response_has_the_security_headers(client):
    answers = [client.get("/"), client.get("/rules"), client.get("/nope"), client.get("/healthz"),
               client.post("/api/check", data={}), client.post("/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"))]
    for r in answers:
        h = r.headers
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer"
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src" not in csp  # no script of any kind
        assert "<script" not in r.text.lower()


def test_the_csp_allows_exactly_the_reports_inline_styles(client):
    r = client.post("/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2021-04-30"})
    csp = r.headers["content-security-policy"]
    styles = re.findall(r"<style>(.*?)</style>", r.text, re.S) + re.findall(r' style="([^"]*)"', r.text)
    assert styles
    for s in styles:
        digest = base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert len(re.findall(r"'sha256-", csp)) == len(set(styles))


def test_the_page_checks_uploads_and_links_each_finding_to_its_rule(client):
    index = client.get("/")
    assert index.status_code == 200 and 'enctype="multipart/form-data"' in index.text and 'lang="sv"' in index.text
    r = client.post("/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2021-04-30"})
    assert r.status_code == 200
    page = r.text
    report = cli(PLANS, "rjh-gnv-2020.yaml", "--as-of", "2021-04-30", "--format", "html").stdout
    assert page.count('class="finding ') == report.count('class="finding ') > 20
    assert '<a class="rule" href="/rules/GNV-102?lang=sv">GNV-102</a>' in page
    assert "33 492 kr" in page and "Karriärvägar" in page or "karriartjanster" in page
    kept = re.findall(r'name="kept_data" value="([^"]+)"', page)
    assert [base64.b64decode(k) for k in kept][:1] == [(PLANS / "rjh-gnv-2020.yaml").read_bytes()]


def test_downloads_and_language_from_the_result_page_without_uploading_again(client):
    page = client.post("/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2021-04-30"}).text
    form = dict(re.findall(r'name="(as_of|kept_name|kept_data)" value="([^"]*)"', page))
    for fmt, ext in (("sarif", "sarif"), ("junit", "xml"), ("markdown", "md"), ("json", "json"), ("html", "html")):
        r = client.post("/check", files=[("unused", ("", b""))], data={**form, "format": fmt, "lang": "en"})
        assert r.status_code == 200
        assert r.headers["content-disposition"] == f'attachment; filename="compliance.{ext}"'
        expected = cli(PLANS, "rjh-gnv-2020.yaml", "--as-of", "2021-04-30", "--format", fmt, "--lang", "en").stdout
        assert r.text == expected
    english = client.post("/check", files=[("unused", ("", b""))], data={**form, "format": "page", "lang": "en"})
    assert 'lang="en"' in english.text and "not evaluated" in english.text and "ej bedömd" not in english.text


def test_page_errors_are_html_in_the_chosen_language(client):
    r = client.post("/check", files=[("files", ("x.txt", b"plan: 1"))], data={"lang": "en"})
    assert r.status_code == 415 and r.headers["content-type"].startswith("text/html")
    assert "not a plan file" in r.text and "<script" not in r.text
    assert 'href="/?lang=sv" lang="sv" id="switch-lang"' in r.text  # not back to POST /check
    r = client.post("/check", files=[("files", ("x.yaml", b"plan: [unclosed"))], data={"as_of": "2020-04-01"})
    assert r.status_code == 200 and "x.yaml:2:1" in r.text and "felaktig YAML" in r.text  # the report lists it


def test_plan_text_is_escaped_on_the_page(client):
    base = (PLANS / "rjh-gnv-2020.yaml").read_text("utf-8")
    evil = re.sub(r"\n  region: [^\n]*", '\n  region: "<script>alert(1)</script>\\" onmouseover=\\"x"', base, count=1)
    assert "<script>" in evil
    r = client.post("/check", files=[("files", ("<i>x.yaml", evil.encode()))], data={"as_of": "2020-04-01"})
    assert r.status_code == 200
    assert "<script>" not in r.text and "<i>x" not in r.text and '" onmouseover' not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "&lt;i&gt;x.yaml" in r.text


def test_rule_pages_and_the_catalog(client):
    catalog = client.get("/rules?lang=en")
    assert catalog.status_code == 200 and catalog.text.count('href="/rules/GNV-') >= 30
    page = client.get("/rules/GNV-102")
    rule = yaml.safe_load((ROOT / "rules" / "catalog" / "GNV-102.yaml").read_text("utf-8"))
    assert rule["source"][0]["quote"].split()[0] in page.text
    assert "gnv-2020" in page.text and page.text.count('class="example"') == len(rule["examples"])
    assert client.get("/rules/NOPE-1").status_code == 404


def test_template_download_for_a_region_and_year(client):
    from compliance.loader import load_text

    r = client.get("/template", params={"agreement": "gnv-2022", "region": "Region Gotland"})
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="region-gotland-gnv-2022.yaml"'
    data, _ = load_text(r.text, "t.yaml")
    assert data["plan"]["region"] == "Region Gotland" and data["plan"]["agreement"] == "gnv-2022"
    assert data["areas"][0] == {"area": "nara-vard", "allocation": 14140838, "responsible": None,
                                "private_providers": None, "activities": []}
    assert r.text == CliRunner().invoke(main, ["init", "--region", "Region Gotland", "--agreement", "gnv-2022"]).stdout
    assert client.get("/template", params={"agreement": "gnv-1999", "region": "X"}).status_code == 400
    assert client.get("/template", params={"agreement": "gnv-2020", "region": "X\nplan: evil"}).status_code == 400


# -- concurrency -------------------------------------------------------------------------


def test_many_simultaneous_checks_each_give_the_result_they_give_alone(app, tmp_path):
    from compliance.bench import generate

    generate(6, tmp_path)
    plans = [PLANS / "rjh-gnv-2020.yaml", PLANS / "rjh-gnv-2023.yaml", *sorted(tmp_path.glob("*.yaml"))[:6]]
    jobs = [(p, lang, as_of) for p in plans for lang, as_of in (("sv", "2021-04-30"), ("en", "2023-06-30"))]

    async def one(client, job):
        path, lang, as_of = job
        r = await client.post("/api/check", files=plan_files(path), data={"as_of": as_of, "lang": lang})
        return r.status_code, r.text

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            alone = [await one(c, job) for job in jobs]
            together = await asyncio.gather(*(one(c, job) for job in jobs * 3))
        return alone, together

    alone, together = asyncio.run(main())
    assert all(status == 200 for status, _ in alone)
    assert len({text for _, text in alone}) == len(jobs)  # every job differs from the others
    assert list(together) == alone * 3


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "pip install '.[web]'" in result.output and "Traceback" not in result.output
    assert "not from PyPI" in result.output  # another package holds the name there


def test_the_rule_folder_is_only_read_from_the_rules_option(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    app = create_app(rules)
    with TestClient(app) as c:
        assert c.get("/healthz").json()["rules"] == len(list((rules / "catalog").glob("*.yaml")))


def test_an_internal_error_is_one_line_never_a_traceback(monkeypatch):
    from compliance.web.service import Service

    def broken(*args, **kwargs):
        raise RuntimeError("boom at /secret/path")

    app = create_app(limits=SMALL)
    monkeypatch.setattr(Service, "check", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        api = c.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"))
        page = c.post("/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"))
    assert api.status_code == page.status_code == 500
    assert api.json() == {"errors": [{"file": None, "line": None, "column": None, "message": "internal error"}]}
    for r in (api, page):
        assert "Traceback" not in r.text and "boom" not in r.text and "/secret" not in r.text
        assert "default-src 'none'" in r.headers["content-security-policy"]


def test_compliance_serve_starts_listens_on_localhost_and_stops_on_sigint(tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "compliance.cli", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["status"] == "ok"
        try:  # this machine's outward address (a UDP "connect" sends nothing)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.connect(("192.0.2.1", 9))
                outward = u.getsockname()[0]
        except OSError:
            outward = None
        if outward and not outward.startswith("127."):
            with socket.socket() as s:  # the server is not reachable there
                assert s.connect_ex((outward, port)) != 0
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err
    assert f"http://127.0.0.1:{port}/" in err


def test_two_plans_with_one_id_are_refused_before_any_check_as_the_cli_does(client, tmp_path):
    base = (PLANS / "rjh-gnv-2020.yaml").read_bytes()
    r = client.post("/api/check", files=[("files", ("a.yaml", base)), ("files", ("b.yaml", base))])
    assert r.status_code == 422
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_bytes(base)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["check", "a.yaml", "b.yaml"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    from compliance.check import duplicate_plan_ids

    expected = duplicate_plan_ids([(tmp_path / "a.yaml", "a.yaml"), (tmp_path / "b.yaml", "b.yaml")])
    assert len(expected) == 2 and issues(r) == [i.as_dict("sv") for i in expected]
    assert all(i.one_line("sv") in result.output for i in expected)  # what the CLI prints


def test_no_request_sees_another_requests_plans_even_in_a_reused_folder(client, tmp_path, monkeypatch):
    """Plans read are cached per run by path: a long-lived server takes a fresh cache per request,
    so a folder name the system hands out again cannot bring back an earlier upload."""
    fixed = tmp_path / "compliance-upload-same"

    def same_folder(suffix=None, prefix=None, dir=None):
        fixed.mkdir()
        return str(fixed)

    monkeypatch.setattr(tempfile, "mkdtemp", same_folder)
    first = (PLANS / "rjh-gnv-2020.yaml").read_bytes()
    second = (PLANS / "rjh-gnv-2023.yaml").read_bytes()
    one = client.post("/api/check", files=[("files", ("plan.yaml", first))], data={"as_of": "2023-06-30"})
    two = client.post("/api/check", files=[("files", ("plan.yaml", second))], data={"as_of": "2023-06-30"})
    assert one.json()["results"][0]["plan"] == "rjh-gnv-2020"
    assert two.json()["results"][0]["plan"] == "rjh-gnv-2023"
    assert not fixed.exists()


def test_every_call_into_durable_rules_holds_the_engine_lock(monkeypatch, tmp_path):
    """The design the concurrency test relies on: threads meet in durable-rules' C core one at a time."""
    from compliance import engine

    if engine.default_engine() != "durable":
        pytest.skip(f"the checks here use the built-in evaluator ({engine.DURABLE_IMPORT_ERROR or 'chosen'})")
    calls = []
    real_matches, real_host = engine._durable_matches, engine._quiet_host

    def matches(*args, **kwargs):
        calls.append(("matches", engine._LOCK._is_owned()))
        return real_matches(*args, **kwargs)

    def host():
        calls.append(("host", engine._LOCK._is_owned()))
        return real_host()

    monkeypatch.setattr(engine, "_durable_matches", matches)
    monkeypatch.setattr(engine, "_quiet_host", host)
    with TestClient(create_app(limits=SMALL)) as c:  # a new app compiles (registers) its rulesets anew
        r = c.post("/api/check", files=plan_files(PLANS / "rjh-gnv-2020.yaml"), data={"as_of": "2020-04-01"})
    assert r.status_code == 200
    assert {name for name, _ in calls} == {"matches", "host"} and all(held for _, held in calls), calls


def test_workbook_plans_are_checked_as_the_cli_checks_them(client, tmp_path):
    converted = CliRunner().invoke(main, ["convert", str(PLANS / "rjh-gnv-2020.yaml"), str(tmp_path / "rjh.xlsx")])
    assert converted.exit_code == 0, converted.output
    workbook = tmp_path / "rjh.xlsx"
    r = client.post("/api/check", files=plan_files(workbook), data={"as_of": "2021-04-30"})
    expected = cli(tmp_path, "rjh.xlsx", "--as-of", "2021-04-30", "--format", "json")
    assert r.status_code == 200 and r.text == expected.stdout
    gnv102 = next(f for f in r.json()["results"][0]["findings"] if f["rule"] == "GNV-102")
    assert gnv102["values"]["excess"] == 33492 and gnv102["location"]["cell"].startswith("Områden!")
    page = client.post("/check", files=plan_files(workbook), data={"as_of": "2021-04-30"})
    assert page.status_code == 200 and page.text.count('class="finding ') == expected.stdout.count('"rule": ')


def test_template_download_as_a_workbook(client, tmp_path):
    from compliance.plans import load_plan

    r = client.get("/template", params={"agreement": "gnv-2022", "region": "Region Gotland", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"] == 'attachment; filename="region-gotland-gnv-2022.xlsx"'
    done = CliRunner().invoke(main, ["init", "--region", "Region Gotland", "--agreement", "gnv-2022",
                                     "--format", "xlsx", "--output", str(tmp_path / "cli.xlsx")])
    assert done.exit_code == 0, done.output
    assert r.content == (tmp_path / "cli.xlsx").read_bytes()
    (tmp_path / "web.xlsx").write_bytes(r.content)
    plan = load_plan(tmp_path / "web.xlsx", "web.xlsx").plan
    assert plan.plan.region == "Region Gotland" and plan.areas[0].allocation == 14140838
    assert client.get("/template", params={"agreement": "gnv-2022", "region": "Region Gotland",
                                           "format": "ods"}).status_code == 400
