"""Shared test helpers: a knowledge-base builder in tmp_path and two CLI runners, one
in-process (fast: most tests) and one a real subprocess (end to end)."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from unittest import mock

import markdown  # type: ignore[import-untyped]  # Markdown ships no type information
import pytest

from incident_kb.cli import main as incident_kb_cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
EXAMPLE_TODAY = date(2026, 11, 22)
EXAMPLE_EPOCH = "1795305600"
#: Every JSON Schema the package ships (and the site publishes under /schemas/).
SCHEMA_FILES = [
    "api-action-items.schema.json",
    "api-incidents.schema.json",
    "api-runbooks.schema.json",
    "api-services.schema.json",
    "api-status.schema.json",
    "common.schema.json",
    "postmortem.schema.json",
    "runbook.schema.json",
    "service.schema.json",
    "severity-policy.schema.json",
]  # 2026-11-22T00:00:00Z: the example's "today" in builds


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real command in a subprocess, as a user or CI would."""
    full_env = {k: v for k, v in os.environ.items() if k != "INCIDENT_KB_DEBUG"}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "incident_kb", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_main(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    handler: Callable[[argparse.Namespace], int] | None = None,
) -> Run:
    """Run the command in this process (``cli.main``), as :func:`run_cli` does in a
    subprocess: same folder (``cwd``, default the repository), environment changes, exit
    status and output. ``handler`` replaces the parsed command's handler (to inject fakes)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        environ = stack.enter_context(mock.patch.dict(os.environ, env or {}))
        environ.pop("INCIDENT_KB_DEBUG", None)
        stack.enter_context(contextlib.chdir(cwd or REPO))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            if handler is None:
                code = incident_kb_cli.main(list(args))
            else:
                parsed = incident_kb_cli._parser().parse_args(list(args))
                parsed.handler = handler
                code = incident_kb_cli.dispatch(parsed)
        except SystemExit as exc:  # argparse: --help, --version and usage errors
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    result = Run(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out, result.out
    return result


def markdown_html(source: str, extensions: Sequence[str]) -> str:
    """Python-Markdown's HTML for ``source`` with these extensions, as a page would get it."""
    html: str = markdown.markdown(source, extensions=list(extensions))
    return html


POLICY = """\
---
levels:
  - id: SEV-1
    name: Critical
    summary: Everything is down
    response_minutes: 5
    status_update_minutes: 30
    postmortem_required: true
    postmortem_due_days: 5
  - id: SEV-2
    name: Major
    summary: A major feature is down
    response_minutes: 15
    status_update_minutes: 60
    postmortem_required: true
    postmortem_due_days: 7
  - id: SEV-3
    name: Minor
    summary: Degraded with a workaround
    response_minutes: 60
    status_update_minutes: 240
    postmortem_required: false
    postmortem_due_days: 14
error_budget:
  warn_at_pct: 80
  freeze_at_pct: 100
  postmortem_if_consumed_pct: 20
---

# Severity policy
"""

SERVICE = """\
---
id: {id}
name: {name}
owner: team-{id}
tier: 1
slo:
  availability: 99.9
  window_days: 28
components: [{components}]
---

# {name}
"""


class KB:
    """A throw-away knowledge base under tmp_path with a policy and two services."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        (root / "incident-kb.toml").write_text("", encoding="utf-8")
        self.write("policies/severity.md", POLICY)
        self.write("services/auth.md", SERVICE.format(id="auth", name="Auth", components="Login"))
        self.write("services/api.md", SERVICE.format(id="api", name="API", components="REST API"))

    def write(self, rel: str, text: str) -> Path:
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def postmortem(self, rel: str = "postmortems/2025/2025-03-01-outage.md", **fields: str) -> Path:
        """A valid draft postmortem; keyword arguments replace or add top-level lines."""
        base = {
            "id": "INC-2025-001",
            "title": "Outage",
            "status": "draft",
            "severity": "SEV-3",
            "services": "[auth]",
            "started_at": "2025-03-01T10:00:00Z",
            "detected_at": "2025-03-01T10:05:00Z",
            "detection": "alert",
            "roles": "\n  incident_commander: alice",
            "impact": "\n  summary: Some logins failed\n  users_affected_pct: 5",
        }
        body = fields.pop("__body__", "## Summary\n\nText.\n")
        base.update(fields)
        lines = [
            f"{k}: {v}" if not v.startswith("\n") else f"{k}:{v}"
            for k, v in base.items()
            if v != "<omit>"
        ]
        text = "---\n" + "\n".join(lines)
        return self.write(rel, text + "\n---\n\n" + body)


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    return KB(tmp_path)


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


HOOK = REPO / "hooks" / "incident_kb_site.py"


def site_project(tmp_path: Path, docs: Path, toml: Path | None = None) -> Path:
    """A buildable copy in tmp_path: ``docs`` plus the repository's mkdocs.yml, hooks by
    absolute path, and incident-kb.toml (the repository's, with its alert rules, unless
    ``toml`` is given)."""
    root = tmp_path / "project"
    shutil.copytree(docs, root / "docs", symlinks=False)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("hooks/incident_kb_site.py", str(HOOK))
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    shutil.copy(toml or REPO / "incident-kb.toml", root / "incident-kb.toml")
    if toml is None:  # the repository's configuration names the example's alert rules
        shutil.copytree(REPO / "alerting", root / "alerting")
    return root


def build_site(
    root: Path,
    site_dir: Path,
    *,
    strict: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of a project as a user runs it; never raises on a failed build."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EXAMPLE_EPOCH}
    full_env.update(env or {})
    args = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-f",
        str(root / "mkdocs.yml"),
        "--site-dir",
        str(site_dir),
    ]
    if strict:
        args.append("--strict")
    return subprocess.run(
        args, cwd=root, capture_output=True, text=True, env=full_env, timeout=900, check=False
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )
