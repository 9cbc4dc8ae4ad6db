"""Large batches: --jobs gives the same output; the progress bar only at a terminal."""

import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from compliance import cli
from compliance.bench import generate
from compliance.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_jobs_give_identical_ordered_output(tmp_path, monkeypatch):
    folder = tmp_path / "batch"
    folder.mkdir()
    generate(24, folder, seed=7)
    shutil.copy(ROOT / "plans" / "rjh-gnv-2020.yaml", folder / "a-real.yaml")
    (folder / "broken.yaml").write_text("plan: [\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("json", "sarif", "junit"):
            result = CliRunner().invoke(main, ["check", "batch", "--as-of", "2023-04-30", "--format", fmt,
                                               "--jobs", jobs])
            assert result.exit_code == 2  # the broken file
            outputs[(jobs, fmt)] = result.stdout
    for fmt in ("json", "sarif", "junit"):
        assert outputs[("1", fmt)] == outputs[("2", fmt)]
    doc = json.loads(outputs[("1", "json")])
    files = [r["file"] for r in doc["results"]]
    assert files == sorted(files) and len(files) == 25
    assert doc["errors"][0]["file"] == "batch/broken.yaml"


def test_progress_bar_only_for_large_batches_at_a_terminal(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    assert cli.progress_bar(10_000) is None  # not a terminal
    tty = Tty()
    monkeypatch.setattr(cli.sys, "stderr", tty)
    assert cli.progress_bar(10) is None  # too small to need one
    show = cli.progress_bar(100)
    show(50, 100)
    show(100, 100)
    assert "50/100 plans" in tty.getvalue() and tty.getvalue().endswith("100/100 plans\n")


def test_streamed_and_kept_results_render_the_same(checker, monkeypatch):
    """JSON and text are streamed plan by plan; the kept-results path gives the same bytes."""
    import datetime as dt

    from compliance import render
    from compliance.check import collect_paths

    monkeypatch.chdir(ROOT)
    files = collect_paths(["plans", "examples/revisions"])
    kept = checker.check_files(files, dt.date(2021, 4, 30))
    for fmt in ("json", "text"):
        chunks: list[str] = []
        checker.run_batch(files, dt.date(2021, 4, 30), fmt, chunks.append)
        assert "".join(chunks) == render.get(fmt)(kept)
