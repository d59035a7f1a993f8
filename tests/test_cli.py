"""The command: exit codes, formats, path filtering, and every fixture in one run.

In-process (``run_main``) except the end-to-end runs through ``python -m incident_kb`` and
the installed console script (``run_cli`` and below)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, KB, REPO, SCHEMA_FILES, Run, run_cli, run_main

FINDING_RE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<field>[^:\n]+): (?P<msg>.+)$")
INVALID = FIXTURES / "invalid"


def parse(out: str) -> list[re.Match[str]]:
    matches = []
    for line in out.splitlines():
        m = FINDING_RE.match(line)
        assert m, f"not path:line: field: message: {line!r}"
        matches.append(m)
    return matches


def test_example_knowledge_base_is_clean() -> None:
    result = run_cli("validate", "--strict", "--as-of", "2026-11-22")
    assert result.code == 0, result.out
    errors = [m for m in parse(result.out) if not m["msg"].startswith(("warning:", "notice:"))]
    assert errors == []
    assert re.search(r"checked \d+ documents: 0 errors, 0 warnings", result.err)


def test_valid_fixtures_exit_0() -> None:
    result = run_main("validate", str(FIXTURES / "valid"), "--strict")
    assert (result.code, result.out) == (0, "")
    assert "checked 6 documents: 0 errors, 0 warnings, 0 notices" in result.err


def _expected() -> list[str]:
    lines = (INVALID / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if line.strip() and not line.startswith("#"))


@pytest.fixture(scope="module")
def invalid_run() -> Run:
    return run_cli("validate", str(INVALID), "--as-of", "2026-11-22")


def test_every_invalid_fixture_in_one_run(invalid_run: Run) -> None:
    assert invalid_run.code == 1
    got = sorted(f"{m['path']}:{m['line']}: {m['field']}" for m in parse(invalid_run.out))
    assert got == _expected()


def test_one_finding_per_invalid_file(invalid_run: Run) -> None:
    paths = [m["path"] for m in parse(invalid_run.out)]
    files = sorted(
        p.relative_to(INVALID).as_posix()
        for p in (INVALID / "docs").rglob("*.md")
        if p.relative_to(INVALID).as_posix()
        not in (
            p.relative_to(FIXTURES / "valid").as_posix()
            for p in (FIXTURES / "valid" / "docs").rglob("*.md")
        )
    )
    assert len(files) >= 40
    assert sorted(paths) == files


@pytest.mark.parametrize("line", _expected())
def test_each_invalid_fixture(line: str, invalid_run: Run) -> None:
    path = line.split(":", 1)[0]
    single = run_main("validate", str(INVALID / path), "--as-of", "2026-11-22")
    assert single.code == 1
    assert [f"{m['path']}:{m['line']}: {m['field']}" for m in parse(single.out)] == [line]


def test_json_and_github_formats(invalid_run: Run) -> None:
    data = json.loads(run_main("validate", str(INVALID), "--format", "json").out)
    assert data["version"] == 1
    assert data["summary"]["error"] == len(_expected())
    first = data["findings"][0]
    assert list(first) == ["path", "line", "field", "level", "rule", "message"]
    github = run_main("validate", str(INVALID), "--format", "github")
    assert github.code == 1
    lines = github.out.splitlines()
    assert len(lines) == len(_expected())
    assert all(
        re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,title=[^:]+::", x) for x in lines
    )


def test_warnings_fail_only_with_strict(kb: KB) -> None:
    kb.postmortem(__body__="## Summary\n\nThe on-call engineer should have noticed.\n")
    plain = run_main("validate", str(kb.root))
    assert plain.code == 0
    assert (
        "docs/postmortems/2025/2025-03-01-outage.md:19: body: warning: blame language" in plain.out
    )
    assert run_main("validate", str(kb.root), "--strict").code == 1


def test_path_filter_reports_only_that_file(kb: KB) -> None:
    kb.postmortem(title="<b>bold</b>")
    kb.write("runbooks/auth/r.md", "---\nid: r\n---\n")
    everything = run_main("validate", str(kb.root))
    assert len(parse(everything.out)) == 5
    only = run_main("validate", str(kb.docs / "runbooks"))
    assert {m["path"] for m in parse(only.out)} == {"docs/runbooks/auth/r.md"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validate", "--format", "xml"], "invalid choice"),
        (["validate", "--as-of", "2025-13-01"], "--as-of"),
        (["validate", "/nonexistent/path"], "no such file"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(args: list[str], fragment: str) -> None:
    result = run_main(*args)
    assert result.code == 2
    assert fragment in result.err


def test_no_knowledge_base_exits_2(tmp_path: Path) -> None:
    result = run_main("validate", cwd=tmp_path)
    assert result.code == 2 and "no knowledge base here" in result.err


def test_bad_configuration_exits_2(kb: KB) -> None:
    (kb.root / "incident-kb.toml").write_text("[runbooks]\nreview_evry_days = 3\n")
    result = run_main("validate", str(kb.root))
    assert result.code == 2
    assert (
        "runbooks.review_evry_days: unknown key (did you mean 'review_every_days'?)" in result.err
    )


def test_source_date_epoch_sets_today(kb: KB) -> None:
    kb.postmortem(severity="SEV-1", status="in-review", resolved_at="2025-03-01T12:00:00Z")
    before = run_main("validate", str(kb.root), env={"SOURCE_DATE_EPOCH": "1740960000"})
    assert "overdue" not in before.out  # 2025-03-03
    after = run_main("validate", str(kb.root), env={"SOURCE_DATE_EPOCH": "1742169600"})
    assert "notice: postmortem overdue by 11 days" in after.out  # 2025-03-17
    assert after.code == 0


def test_schema_command_prints_every_schema() -> None:
    listing = run_main("schema")
    assert listing.out.split() == SCHEMA_FILES
    data = json.loads(run_main("schema", "postmortem").out)
    assert data["title"] == "Postmortem"


def test_repository_schemas_are_the_packaged_ones() -> None:
    assert (REPO / "schemas").resolve() == (
        REPO / "src" / "incident_kb" / "documents" / "schemas"
    ).resolve()


def test_action_items_command_formats_and_exit_codes() -> None:
    text = run_main("action-items", "--as-of", "2026-11-22")
    assert text.code == 0
    assert text.out.splitlines()[-1].endswith("overdue (as of 2026-11-22)")
    overdue = run_main(
        "action-items",
        "--as-of",
        "2026-11-22",
        "--overdue",
        "--format",
        "json",
        "--fail-on-overdue",
    )
    assert overdue.code == 1
    data = json.loads(overdue.out)
    assert data["count"] == data["overdue"] > 0
    assert all(item["state"] == "overdue" for item in data["items"])
    assert list(data["items"][0])[:5] == ["incident", "index", "title", "owner", "due"]
    owner = data["items"][0]["owner"]
    mine = json.loads(
        run_main(
            "action-items",
            "--as-of",
            "2026-11-22",
            "--owner",
            owner,
            "--status",
            "all",
            "--format",
            "json",
        ).out
    )
    assert mine["items"] and {i["owner"] for i in mine["items"]} == {owner}
    csv_out = run_main("action-items", "--as-of", "2026-11-22", "--format", "csv").out
    assert csv_out.splitlines()[0].startswith("incident,title,owner,due,status,state")
    markdown = run_main("action-items", "--as-of", "2026-11-22", "--format", "markdown").out
    assert "| Due | State | Owner | Incident | Action |" in markdown
    early = run_main(
        "action-items", "--as-of", "2024-01-01", "--fail-on-overdue", "--service", "auth"
    )
    assert early.code == 0


def test_stale_command_formats_and_exit_codes() -> None:
    text = run_main("stale", "--as-of", "2026-11-22")
    assert text.code == 1
    assert (
        "docs/runbooks/auth/auth-connection-pool.md:7: auth-connection-pool: review overdue"
        in text.out
    )
    data = json.loads(run_main("stale", "--as-of", "2026-11-22", "--format", "json").out)
    kinds = {r["kind"] for rb in data["stale"] for r in rb["reasons"]}
    assert {"review-overdue", "used-after-review"} <= kinds
    markdown = run_main("stale", "--as-of", "2026-11-22", "--format", "markdown").out
    assert markdown.startswith(f"{len(data['stale'])} stale runbooks as of 2026-11-22.")
    fresh = run_main("stale", "--root", str(FIXTURES / "valid"), "--as-of", "2025-04-01")
    assert fresh.code == 0, fresh.out


def test_reports_refuse_to_pass_over_unreadable_documents(kb: KB) -> None:
    kb.postmortem(
        action_items="\n  - title: Fix\n    owner: bob\n    due: 2020-01-01\n"
        "    status: open\n    kind: detect"
    )
    ok = run_main("--root", str(kb.root), "action-items", "--fail-on-overdue")
    assert ok.code == 1
    kb.write("runbooks/auth/broken.md", "---\nid: broken\ntitle: B\n---\n")
    for args in (["action-items"], ["stale"]):
        result = run_main("--root", str(kb.root), *args)
        assert result.code == 2
        assert "1 document could not be read" in result.err
        assert "docs/runbooks/auth/broken.md" in result.err


def test_action_items_filters_and_csv_safety(kb: KB) -> None:
    kb.postmortem(
        action_items='\n  - title: \'=HYPERLINK("http://evil.example","x")\'\n'
        "    owner: bob\n    due: 2025-03-10\n    status: open\n    kind: detect"
    )
    root = str(kb.root)
    unknown = run_main("--root", root, "action-items", "--service", "nosuch")
    assert unknown.code == 2 and "unknown service 'nosuch'" in unknown.err
    nobody = run_main("--root", root, "action-items", "--owner", "nobody")
    assert nobody.code == 0 and "--owner 'nobody' owns no action item" in nobody.err
    csv_out = run_main("--root", root, "action-items", "--format", "csv", "--as-of", "2025-03-01")
    assert "'=HYPERLINK" in csv_out.out
    today = run_main("--root", root, "action-items", "--as-of", "2025-03-10")
    assert "due today" in today.out
    (kb.root / "incident-kb.toml").write_text("[action_items]\ndue_soon_days = 3\n")
    later = run_main("--root", root, "action-items", "--as-of", "2025-03-01", "--format", "json")
    assert json.loads(later.out)["items"][0]["state"] == "open"


def test_usage_error_end_to_end(tmp_path: Path) -> None:
    result = run_cli("validate", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("incident-kb: no knowledge base here")


def test_installed_console_script() -> None:
    script = Path(sys.executable).parent / ("incident-kb.exe" if os.name == "nt" else "incident-kb")
    if not script.exists():
        pytest.skip("the console script is not installed next to this Python")
    proc = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("incident-kb ")
    assert run_main("--version").out == proc.stdout
