"""The benchmark harness runs end to end at a tiny size, so that it cannot rot between real
runs. Nothing here asserts a time: only that every figure is measured and written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

BENCH = REPO / "bench" / "run.py"


@pytest.mark.browser
def test_bench_measures_every_figure_at_a_tiny_size(tmp_path: Path) -> None:
    from browserkit import chromium_path

    chromium_path()  # skips (or fails in CI) with the reason when there is no browser
    readme = tmp_path / "README.md"
    readme.write_text("# Bench\n\n<!-- results:start -->\nold\n<!-- results:end -->\nAfter.\n")
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            *(sys.executable, str(BENCH), "--sizes", "12 24", "--runs", "1"),
            *("--out", str(out), "--readme", str(readme), "--work", str(tmp_path / "work")),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [r["n"] for r in report["results"]] == [12, 24]
    for result in report["results"]:
        assert result["documents"]["postmortems"] == result["n"]
        assert result["documents"]["services"] == 6
        for figure in ("validate", "floor", "build", "pagefind", "bare_build"):
            assert result[figure]["seconds"] > 0
            assert len(result[figure]["samples_seconds"]) == 1
        assert result["build"]["peak_rss_bytes"] > 10_000_000
        assert result["validate"]["documents_per_second"] > 0
        sizes = result["sizes"]
        assert 0 < sizes["postmortem_page_median_bytes"] <= sizes["postmortem_page_max_bytes"]
        assert sizes["pagefind_index_bytes"] > 0 and sizes["material_index_bytes"] > 0
        for engine in ("pagefind", "material"):
            search = result["search"][engine]
            assert search["seconds"] > 0 and search["downloaded_bytes"] > 0
            assert search["first_result"]
    assert {goal["goal"] for goal in report["goals"]} >= {"validate", "peak build memory"}
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Bench\n") and text.endswith("<!-- results:end -->\nAfter.\n")
    assert "old" not in text
    assert "| N = 12 | N = 24 |" in text
    assert "first result after typing (Pagefind)" in text
    assert not (tmp_path / "work" / "kb-12").exists()  # scratch corpora are removed


def test_bench_refuses_bad_arguments_before_any_work(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    for args, message in (
        (["--sizes", "ten"], "--sizes: whole numbers above 0"),
        (["--runs", "0"], "--runs: at least 1"),
        (["--readme", str(tmp_path / "missing.md")], "--readme: no file"),
    ):
        proc = subprocess.run(
            [sys.executable, str(BENCH), *args, "--out", str(tmp_path / "r.json")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.json").exists()
