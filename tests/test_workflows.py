"""The GitHub Actions workflows are well-formed: the structure GitHub requires, checked here
because no workflow linter can be installed from the package registries we use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
TRIGGERS = {
    "push",
    "pull_request",
    "schedule",
    "workflow_dispatch",
    "workflow_call",
    "release",
    "issues",
    "pull_request_target",
    "merge_group",
}
PERMISSIONS = {
    "actions",
    "checks",
    "contents",
    "deployments",
    "id-token",
    "issues",
    "discussions",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
    "attestations",
}
JOB_KEYS = {
    "name",
    "runs-on",
    "steps",
    "needs",
    "if",
    "environment",
    "permissions",
    "env",
    "concurrency",
    "outputs",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "defaults",
    "container",
    "services",
}
STEP_KEYS = {
    "id",
    "name",
    "uses",
    "run",
    "with",
    "env",
    "if",
    "shell",
    "working-directory",
    "continue-on-error",
    "timeout-minutes",
}
CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # YAML 1.1 reads the key "on" as True; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_structure(path: Path) -> None:
    data = load(path)
    assert set(data) <= {"name", "on", "permissions", "concurrency", "env", "jobs"}, path.name
    triggers = data["on"]
    assert set(triggers) <= TRIGGERS, triggers
    for entry in triggers.get("schedule") or []:
        fields = entry["cron"].split()
        assert len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields), entry
    for scope, level in (data.get("permissions") or {}).items():
        assert scope in PERMISSIONS and level in ("read", "write", "none"), (scope, level)
    jobs = data["jobs"]
    assert jobs
    for name, job in jobs.items():
        assert set(job) <= JOB_KEYS, (name, set(job) - JOB_KEYS)
        assert "runs-on" in job and job["steps"], name
        for need in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert need in jobs, (name, need)
        for step in job["steps"]:
            assert set(step) <= STEP_KEYS, (name, step)
            assert ("uses" in step) != ("run" in step), (name, step)
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
    text = path.read_text(encoding="utf-8")
    assert text.count("${{") == text.count("}}"), "unbalanced ${{ }} expressions"


def test_stale_workflow_uses_only_its_own_token() -> None:
    data = load(REPO / ".github" / "workflows" / "stale-runbooks.yml")
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    assert data["permissions"] == {"contents": "read", "issues": "write"}
    text = (REPO / ".github" / "workflows" / "stale-runbooks.yml").read_text(encoding="utf-8")
    assert "${{ github.token }}" in text and "secrets." not in text
    assert "incident-kb stale --format markdown" in text


def test_pages_workflow_uses_the_official_actions() -> None:
    data = load(REPO / ".github" / "workflows" / "pages.yml")
    uses = [s.get("uses", "") for job in data["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    runs = " ".join(s.get("run", "") for job in data["jobs"].values() for s in job["steps"])
    assert "incident-kb build" in runs and "validate --strict" in runs
