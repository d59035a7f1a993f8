"""One real strict build of the example knowledge base, parsed as HTML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import EXAMPLE_TODAY, REPO
from incident_kb.config import load
from incident_kb.validate import check


class _Titles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1 and data.strip():
            self.h1.append(data.strip())


def test_example_builds_strictly_without_warnings(tmp_path: Path) -> None:
    work = tmp_path / "kb"
    shutil.copytree(REPO / "docs", work / "docs")
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copy(REPO / "incident-kb.toml", work / "incident-kb.toml")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795305600"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr

    schemas = sorted(p.name for p in (tmp_path / "site" / "schemas").glob("*.json"))
    assert schemas == [
        "common.schema.json",
        "postmortem.schema.json",
        "runbook.schema.json",
        "service.schema.json",
        "severity-policy.schema.json",
    ]

    result = check(load(REPO), EXAMPLE_TODAY)
    for pm in result.kb.postmortems:
        rel = Path(pm.source.path).relative_to("docs").with_suffix("")
        page = tmp_path / "site" / rel / "index.html"
        assert page.is_file(), page
        parser = _Titles()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.h1, f"{page} has no heading"
