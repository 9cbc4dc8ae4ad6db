"""The HTML report of the example plans in a real browser (headless Chromium).

Skips where no Chromium is installed; `.ci/run` installs Debian's `chromium`.
Leaves a screenshot in reports/ (reports/example-report.png is the README's).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent
BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine (.ci/run installs Debian's chromium)"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]


def chromium(tmp_path, *args, timeout=90):
    profile = tmp_path / "profile"
    cmd = [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "report.html"
    os.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "plans", "--as-of", "2021-04-30", "--output", str(out)])
    assert result.exit_code == 1, result.output
    return out


def test_report_renders_the_findings(report, tmp_path):
    proc = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert dom.count('class="finding ') == report.read_text("utf-8").count('class="finding ')
    for text in ("GNV-102", "33 492 kr", "001 §2.1.3", "plans/rjh-gnv-2020.yaml:146", "ej bedömd"):
        assert text in dom
    assert "Översikt planer × regler" in dom  # two plans: the matrix is there


def test_screenshot_and_a4_print(report, tmp_path):
    shot = ROOT / "reports" / "report.png"
    shot.parent.mkdir(exist_ok=True)
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,1600", report.as_uri())
    assert proc.returncode == 0 and shot.stat().st_size > 10000, proc.stderr[-2000:]
    pdf = tmp_path / "report.pdf"
    proc = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri())
    assert proc.returncode == 0 and pdf.exists(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data))
    assert boxes and all(abs(float(w) - 595.92) < 2 and abs(float(h) - 842.88) < 2 for w, h in boxes), boxes
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 3
