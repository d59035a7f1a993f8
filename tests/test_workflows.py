"""The GitHub Actions workflows are well-formed and hardened: the structure GitHub requires,
checked here because no workflow linter can be installed from the package registries we use,
and the security rules every workflow follows:

- no permissions at the top level, and each job asks only for what it needs;
- ``pages: write`` and ``id-token: write`` only on the job that deploys to Pages;
- every checkout leaves no credentials behind (``persist-credentials: false``);
- every job has a ``timeout-minutes``;
- every action is pinned to a full commit SHA, with its release tag in a trailing comment;
- no ``${{ }}`` expression inside a ``run:`` script (values go through ``env:``);
- the stale-runbooks workflow only edits or closes the issue it opened itself.

Each rule is a function that takes a parsed workflow (or its text) and returns the problems it
finds, so the tests below can also show that a broken copy of a workflow is caught.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOW_DIR = REPO / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
STALE = WORKFLOW_DIR / "stale-runbooks.yml"
PAGES = WORKFLOW_DIR / "pages.yml"
CI = WORKFLOW_DIR / "ci.yml"
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

#: What each job may do with the GITHUB_TOKEN, and nothing more.
JOB_PERMISSIONS = {
    "ci.yml": {"validate-and-build": {"contents": "read"}},
    "pages.yml": {
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
    },
    "stale-runbooks.yml": {"report": {"contents": "read", "issues": "write"}},
}
#: Allowed at the top level of a workflow: nothing, or reading the repository.
TOP_LEVEL_PERMISSIONS: list[dict[str, str]] = [{}, {"contents": "read"}]
#: Scopes that can publish the site or mint an OIDC token: only for the Pages deploy job.
DEPLOY_SCOPES = {"pages", "id-token"}
DEPLOY_ACTION = "actions/deploy-pages"
MAX_TIMEOUT_MINUTES = 60

#: `uses: owner/repo[/path]@<40 hex> # vX[.Y[.Z]]`, the whole line.
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})"
    r"\s+#\s+(?P<tag>v\d+(?:\.\d+){0,2})\s*$"
)
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:")

#: The stale workflow's own marks on the issue it opens.
STALE_LABEL = "stale-runbooks"
BOT_AUTHOR = "app/github-actions"  # how gh names github-actions[bot]


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # YAML 1.1 reads the key "on" as True; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(data: dict[Any, Any]) -> Iterator[tuple[str, dict[Any, Any]]]:
    for name, job in data["jobs"].items():
        for step in job.get("steps") or []:
            yield name, step


def action(step: dict[Any, Any]) -> str:
    """The action a step uses, without its version: "actions/checkout"."""
    return str(step.get("uses", "")).split("@", 1)[0]


# The rules. Each returns a list of problems; an empty list means the workflow follows it.


def permission_problems(data: dict[Any, Any], expected: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    top = data.get("permissions")
    if top not in TOP_LEVEL_PERMISSIONS:
        problems.append(f"top-level permissions {top!r}: use {{}} or contents: read only")
    if set(data["jobs"]) != set(expected):
        problems.append(f"jobs {sorted(data['jobs'])} but permissions for {sorted(expected)}")
    for name, job in data["jobs"].items():
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            problems.append(f"{name}: no permissions block of its own (got {granted!r})")
            continue
        for scope, level in granted.items():
            if scope not in PERMISSIONS or level not in ("read", "write", "none"):
                problems.append(f"{name}: unknown permission {scope}: {level}")
        if name in expected and granted != expected[name]:
            problems.append(f"{name}: permissions {granted} but needs exactly {expected[name]}")
    return problems


def deploy_scope_problems(data: dict[Any, Any]) -> list[str]:
    problems = []
    if DEPLOY_SCOPES & set(data.get("permissions") or {}):
        problems.append("pages/id-token granted at the top level, to every job")
    for name, job in data["jobs"].items():
        scopes = DEPLOY_SCOPES & set(job.get("permissions") or {})
        deploys = any(action(s) == DEPLOY_ACTION for s in job.get("steps") or [])
        if scopes and not deploys:
            problems.append(f"{name}: {sorted(scopes)} on a job that does not deploy Pages")
    return problems


def checkout_problems(data: dict[Any, Any]) -> list[str]:
    return [
        f"{name}: checkout without persist-credentials: false"
        for name, step in steps(data)
        if action(step) == "actions/checkout"
        and (step.get("with") or {}).get("persist-credentials") is not False
    ]


def timeout_problems(data: dict[Any, Any]) -> list[str]:
    problems = []
    for name, job in data["jobs"].items():
        minutes = job.get("timeout-minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            problems.append(f"{name}: no timeout-minutes")
        elif not 0 < minutes <= MAX_TIMEOUT_MINUTES:
            problems.append(f"{name}: timeout-minutes {minutes} outside 1-{MAX_TIMEOUT_MINUTES}")
    return problems


def pin_problems(text: str, data: dict[Any, Any]) -> list[str]:
    """Every `uses:` line pins a full commit SHA and names its tag in a comment."""
    problems = []
    lines = [line for line in text.splitlines() if USES_LINE.match(line)]
    for line in lines:
        if not PINNED_USES.match(line):
            problems.append(f"not pinned to a SHA with a '# vX.Y.Z' comment: {line.strip()}")
    parsed = [step["uses"] for _, step in steps(data) if "uses" in step]
    if len(lines) != len(parsed):
        problems.append(f"{len(parsed)} steps use actions but {len(lines)} plain `uses:` lines")
    return problems


def expression_problems(data: dict[Any, Any]) -> list[str]:
    return [
        f"{name}: ${{{{ }}}} inside run: {step.get('name') or step['run'][:40]!r}"
        for name, step in steps(data)
        if "${{" in str(step.get("run", ""))
    ]


def issue_step(data: dict[Any, Any]) -> dict[Any, Any]:
    (step,) = [s for _, s in steps(data) if "gh issue" in str(s.get("run", ""))]
    return step


def stale_issue_problems(data: dict[Any, Any]) -> list[str]:
    """The stale workflow finds its issue by its own label and author, and labels what it opens."""
    step = issue_step(data)
    run = " ".join(str(step["run"]).replace("\\\n", " ").split())
    env = step.get("env") or {}
    problems = []
    if env.get("LABEL") != STALE_LABEL:
        problems.append(f"LABEL is {env.get('LABEL')!r}, not {STALE_LABEL!r}")
    lists = re.findall(r"gh issue list [^|]*", run)
    if len(lists) != 1:
        problems.append(f"{len(lists)} `gh issue list` commands: the issue must be found once")
    for found in lists:
        if '--label "$LABEL"' not in found:
            problems.append("`gh issue list` does not filter on the workflow's label")
        if f"--author {BOT_AUTHOR}" not in found:
            problems.append(f"`gh issue list` does not filter on --author {BOT_AUTHOR}")
        if "author" not in found or "labels" not in found:
            problems.append("`gh issue list` does not return author and labels to check")
    if f'.author.login == "{BOT_AUTHOR}"' not in run:
        problems.append("the issue's author is not checked on what gh returns")
    if "any(.labels[]; .name == $wanted)" not in run:
        problems.append("the issue's label is not checked on what gh returns")
    for verb in re.findall(r"gh issue (edit|close|comment|reopen|delete|lock)\s+(\S+)", run):
        if verb[1] != '"$number"':
            problems.append(f"gh issue {verb[0]} on {verb[1]}, not on the issue found")
    creates = re.findall(r"gh issue create [^;\n]*?--body-file", run)
    if not creates or any('--label "$LABEL"' not in c for c in creates):
        problems.append("`gh issue create` does not set the workflow's label")
    if not re.search(r'gh label create "\$LABEL" [^;]*--force', run):
        problems.append("the label is not created (or kept) before the issue is opened")
    elif run.index("gh label create") > run.index("gh issue create"):
        problems.append("the label is created after the issue that needs it")
    return problems


Rule = Callable[[str, dict[Any, Any], str], list[str]]
RULES: dict[str, Rule] = {
    "permissions": lambda text, data, name: permission_problems(data, JOB_PERMISSIONS[name]),
    "deploy scopes": lambda text, data, name: deploy_scope_problems(data),
    "checkout": lambda text, data, name: checkout_problems(data),
    "timeouts": lambda text, data, name: timeout_problems(data),
    "pins": lambda text, data, name: pin_problems(text, data),
    "expressions": lambda text, data, name: expression_problems(data),
}


def broken_copy(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of a workflow with one change, to show that a rule catches it."""
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {source.name}: update the negative test"
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def problems_in(path: Path, rule: str) -> list[str]:
    return RULES[rule](path.read_text(encoding="utf-8"), load(path), path.name)


# Structure.


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
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    text = path.read_text(encoding="utf-8")
    assert text.count("${{") == text.count("}}"), "unbalanced ${{ }} expressions"


def test_every_workflow_has_its_permissions_listed() -> None:
    assert {p.name for p in WORKFLOWS} == set(JOB_PERMISSIONS)


# The hardening rules, on every workflow.


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_hardened(path: Path, rule: str) -> None:
    assert problems_in(path, rule) == []


def test_same_action_is_pinned_the_same_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := PINNED_USES.match(line):
                pins.setdefault(match["action"], set()).add((match["sha"], match["tag"]))
    assert pins, "no pinned actions found"
    assert {a: p for a, p in pins.items() if len(p) > 1} == {}


def test_only_the_deploy_job_may_publish() -> None:
    data = load(PAGES)
    assert data["permissions"] in TOP_LEVEL_PERMISSIONS
    granted = {name: job["permissions"] for name, job in data["jobs"].items()}
    assert granted["build"] == {"contents": "read"}
    assert granted["deploy"] == {"pages": "write", "id-token": "write"}
    assert [action(s) for s in data["jobs"]["deploy"]["steps"]] == [DEPLOY_ACTION]


def test_stale_issue_is_found_by_label_and_author() -> None:
    assert stale_issue_problems(load(STALE)) == []


# Each rule catches a broken copy of a workflow.

BROKEN = [
    ("permissions", CI, "permissions: {}", "permissions: write-all"),
    ("permissions", CI, "permissions: {}", "permissions:\n  contents: write"),
    ("permissions", CI, "    permissions:\n      contents: read\n", ""),
    ("permissions", STALE, "      issues: write\n", ""),
    ("permissions", STALE, "      issues: write\n", "      issues: write\n      actions: write\n"),
    ("permissions", PAGES, "      contents: read\n", "      contents: write\n"),
    ("deploy scopes", PAGES, "permissions: {}", "permissions:\n  pages: write"),
    (
        "deploy scopes",
        PAGES,
        "      contents: read\n",
        "      contents: read\n      pages: write\n",
    ),
    (
        "deploy scopes",
        STALE,
        "      issues: write\n",
        "      issues: write\n      id-token: write\n",
    ),
    ("checkout", CI, "          persist-credentials: false\n", ""),
    ("checkout", PAGES, "persist-credentials: false", "persist-credentials: true"),
    ("checkout", STALE, "persist-credentials: false", 'persist-credentials: "false"'),
    ("timeouts", CI, "    timeout-minutes: 30\n", ""),
    ("timeouts", PAGES, "    timeout-minutes: 10\n", ""),
    ("timeouts", STALE, "timeout-minutes: 15", "timeout-minutes: 600"),
    ("pins", CI, "@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0", "@v4"),
    ("pins", CI, "@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0", "@v4 # v4.4.0"),
    ("pins", PAGES, "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5", "d6db9016 # v4.0.5"),
    ("pins", PAGES, "56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1", "56afc609" * 5),
    ("pins", STALE, " # v5.6.0", ""),
    ("pins", STALE, " # v5.6.0", " # latest"),
    (
        "pins",
        STALE,
        "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0\n"
        "        with:\n"
        "          persist-credentials: false\n",
        "      - {uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262,"
        " with: {persist-credentials: false}}\n",
    ),
    (
        "expressions",
        CI,
        "        run: make test",
        '        run: make test TITLE="${{ github.event.pull_request.title }}"',
    ),
    ("expressions", STALE, '"$STALE" = "true"', '"${{ steps.report.outputs.stale }}" = "true"'),
]


@pytest.mark.parametrize(
    ("rule", "source", "old", "new"),
    BROKEN,
    ids=[f"{rule}-{source.stem}-{i}" for i, (rule, source, _, _) in enumerate(BROKEN)],
)
def test_rule_catches_a_broken_workflow(
    tmp_path: Path, rule: str, source: Path, old: str, new: str
) -> None:
    assert problems_in(broken_copy(tmp_path, source, old, new), rule), (rule, old, new)


BROKEN_STALE = [
    ("LABEL: stale-runbooks", "LABEL: stale"),
    (" --author app/github-actions", ""),
    ("--author app/github-actions", "--author github-actions"),
    ('--label "$LABEL" --author', "--author"),
    ("--json number,author,labels", "--json number"),
    ('select(.author.login == "app/github-actions"', 'select(.title == "Stale runbooks"'),
    ("| select(any(.labels[]; .name == $wanted))", ""),
    ('gh issue edit "$number"', "gh issue edit 1"),
    ('gh issue close "$number"', 'gh issue close "$(gh issue list -q .[0].number)"'),
    ('--title "$title" --label "$LABEL"', '--title "$title"'),
    ('gh label create "$LABEL" --force', 'gh label create "$LABEL"'),
]


@pytest.mark.parametrize(("old", "new"), BROKEN_STALE)
def test_stale_rule_catches_a_broken_workflow(tmp_path: Path, old: str, new: str) -> None:
    assert stale_issue_problems(load(broken_copy(tmp_path, STALE, old, new)))


# The stale workflow's issue step, run against a stand-in for gh that returns every open
# issue as if the search ignored the filters: only the workflow's own issue is ever changed.

FAKE_GH = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
if [ "$1 $2" = "issue list" ]; then cat "$FAKE_GH_ISSUES"; fi
"""
OURS = {
    "number": 3,
    "title": "Stale runbooks",
    "author": {"is_bot": True, "login": BOT_AUTHOR},
    "labels": [{"name": STALE_LABEL}],
}
SOMEONE_ELSES = {
    "number": 9,
    "title": "Stale runbooks",
    "author": {"is_bot": False, "login": "alice", "id": "U_1", "name": "Alice"},
    "labels": [{"name": STALE_LABEL}],
}
OTHER_BOT_ISSUE = {
    "number": 5,
    "title": "Stale runbooks",
    "author": {"is_bot": True, "login": BOT_AUTHOR},
    "labels": [{"name": "dependencies"}],
}


def run_issue_step(tmp_path: Path, stale: str, issues: list[dict[str, Any]]) -> list[str]:
    step = issue_step(load(STALE))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text(FAKE_GH, encoding="utf-8")
    fake.chmod(0o755)
    (tmp_path / "issues.json").write_text(json.dumps(issues), encoding="utf-8")
    (tmp_path / "stale.md").write_text("report\n", encoding="utf-8")
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {k: str(v) for k, v in step["env"].items() if "${{" not in str(v)}
    env.update(
        STALE=stale,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        RUNNER_TEMP=str(tmp_path),
        FAKE_GH_LOG=str(tmp_path / "gh.log"),
        FAKE_GH_ISSUES=str(tmp_path / "issues.json"),
    )
    # GitHub runs a `run:` script without a `shell:` as `bash -e {0}`.
    proc = subprocess.run(
        ["bash", "-e", str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    log = tmp_path / "gh.log"
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert calls and calls[0].startswith("issue list"), calls
    assert f"--label {STALE_LABEL} --author {BOT_AUTHOR}" in calls[0]
    return calls[1:]


needs_shell = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("jq") is None, reason="needs bash and jq"
)


@needs_shell
@pytest.mark.parametrize(
    ("stale", "issues", "expected"),
    [
        ("true", [SOMEONE_ELSES, OTHER_BOT_ISSUE, OURS], ["issue edit"]),
        ("false", [SOMEONE_ELSES, OTHER_BOT_ISSUE, OURS], ["issue close"]),
        ("true", [SOMEONE_ELSES, OTHER_BOT_ISSUE], ["label create", "issue create"]),
        ("true", [], ["label create", "issue create"]),
        ("false", [SOMEONE_ELSES, OTHER_BOT_ISSUE], []),
        ("false", [], []),
    ],
    ids=["edit-ours", "close-ours", "open-beside-others", "open", "leave-others", "nothing"],
)
def test_stale_issue_step_touches_only_its_own_issue(
    tmp_path: Path, stale: str, issues: list[dict[str, Any]], expected: list[str]
) -> None:
    calls = run_issue_step(tmp_path, stale, issues)
    assert [" ".join(c.split()[:2]) for c in calls] == expected, calls
    for call in calls:
        if call.startswith(("issue edit", "issue close")):
            assert call.split()[2] == str(OURS["number"]), call
    for call in calls:
        if call.startswith(("issue create", "label create")):
            assert f"{STALE_LABEL} " in call, call


def test_stale_workflow_uses_only_its_own_token() -> None:
    data = load(STALE)
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}
    assert data["permissions"] == {}
    assert data["jobs"]["report"]["permissions"] == {"contents": "read", "issues": "write"}
    text = STALE.read_text(encoding="utf-8")
    assert "${{ github.token }}" in text and "secrets." not in text
    assert "incident-kb stale --format markdown" in text


def test_pages_workflow_uses_the_official_actions() -> None:
    data = load(PAGES)
    uses = [s.get("uses", "") for job in data["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    runs = " ".join(s.get("run", "") for job in data["jobs"].values() for s in job["steps"])
    assert "incident-kb build" in runs and "validate --strict" in runs


def test_ci_still_runs_the_checks() -> None:
    runs = [s.get("run", "") for _, s in steps(load(CI))]
    assert "make test" in runs
    assert any("incident-kb validate --strict" in r for r in runs)
    assert any("incident-kb build" in r for r in runs)
