"""`compliance serve` in a real browser: Playwright driving the system's Chromium.

uvicorn serves the application on 127.0.0.1 in a thread; Chromium (Debian's, as
.ci/run installs it; Playwright never downloads one) uploads the example plans,
reads the findings, switches language and downloads the SARIF. Skips with a
reason where there is no Chromium or no Playwright.
"""

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[test,web]')")
uvicorn = pytest.importorskip("uvicorn", reason="the web extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")

from compliance.cli import main  # noqa: E402
from compliance.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]
AS_OF = "2021-04-30"
NAMES = ["rjh-gnv-2020.yaml", "rjh-gnv-2023.yaml"]


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("profile")
    with sync_api.sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                str(profile), executable_path=BROWSER, headless=True, args=FLAGS, accept_downloads=True,
                env={"HOME": str(profile)}, timeout=60_000,
            )
        except sync_api.Error as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"Chromium at {BROWSER} cannot be driven by Playwright here: {str(exc)[:300]}")
        yield context
        context.close()


def cli_report(fmt, lang="sv"):
    import os

    old = os.getcwd()
    os.chdir(PLANS)
    try:
        return CliRunner().invoke(main, ["check", *NAMES, "--as-of", AS_OF, "--format", fmt, "--lang", lang]).stdout
    finally:
        os.chdir(old)


def test_upload_read_switch_language_and_download_sarif(server, browser, tmp_path):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: problems.append(f"off-site request {r.url}")
            if not r.url.startswith(server) else None)
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Granska planer mot God och nära vård"

    # upload both example plans, pick the date, submit with the keyboard
    page.set_input_files("#files", [str(PLANS / n) for n in NAMES])
    page.fill("#as_of", AS_OF)
    page.locator("#check").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = cli_report("html")
    findings = page.locator(".finding")
    assert findings.count() == report.count('class="finding ') > 40
    text = page.locator("body").inner_text()
    for words in ("GNV-102", "33 492 kr", "rjh-gnv-2020.yaml:146", "ej bedömd", "Översikt planer × regler"):
        assert words in text
    # the report's styles apply under the page's CSP (its hashes), and the rule ids link to the catalog
    badge = page.locator(".badge.error").first
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    link = page.locator("a.rule", has_text="GNV-102").first
    assert link.get_attribute("href") == "/rules/GNV-102?lang=sv"
    shot = ROOT / "reports" / "web-page.png"  # reports/example-web-page.png in the README is a copy
    shot.parent.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 1400})
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # the other language, without choosing the files again
    with page.expect_navigation():
        page.click("#switch-lang")
    assert page.locator("html").get_attribute("lang") == "en"
    text = page.locator("body").inner_text()
    assert "not evaluated" in text and "ej bedömd" not in text
    assert page.locator(".finding").count() == findings.count()

    # the SARIF download: valid SARIF 2.1.0, the CLI's bytes
    with page.expect_download() as info:
        page.click("#download-sarif")
    download = info.value
    assert download.suggested_filename == "compliance.sarif"
    saved = tmp_path / "compliance.sarif"
    download.save_as(saved)
    raw = saved.read_text("utf-8")
    assert raw == cli_report("sarif", "en")
    doc = json.loads(raw)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    ids = [r["id"] for r in driver["rules"]]
    results = doc["runs"][0]["results"]
    assert ids == sorted(ids) and "GNV-102" in ids
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == set(NAMES)
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
    levels = {(r["ruleId"], r["kind"], r["level"]) for r in results}
    assert ("GNV-102", "fail", "error") in levels and ("GNV-401", "open", "none") in levels

    # following a finding's rule link shows the rule with its source
    page.goto(server + "/rules/GNV-102?lang=en")
    assert page.locator("h1").inner_text().startswith("GNV-102")
    assert page.locator(".example").count() >= 2
    assert problems == []  # no CSP violation, no request off the server, no error


def test_keyboard_reaches_every_control_of_the_form(server, browser):
    page = browser.new_page()
    page.goto(server + "/?lang=en")
    reached = []
    for _ in range(25):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))
    for control in ("files", "as_of", "format", "check", "agreement", "region", "switch-lang"):
        assert control in reached, reached
