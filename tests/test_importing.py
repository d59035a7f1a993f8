"""``incident-kb import runbooks``: derived front-matter, bodies byte for byte, never
overwriting, and output that validates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from commands import command
from conftest import KB, run_main
from incident_kb.checks.validate import check
from incident_kb.cli import importing
from incident_kb.core.config import load as load_config


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("AlertmanagerFailedReload", "alertmanager-failed-reload"),
        ("KubeAPIDown", "kube-api-down"),
        ("NodeRAIDDegraded", "node-raid-degraded"),
        ("TargetDown", "target-down"),
        ("HTTPErrors5xx", "http-errors5xx"),
        ("disk_full", "disk-full"),
        ("high-cpu", "high-cpu"),
        ("Café Down", "cafe-down"),
    ],
)
def test_runbook_id(stem: str, expected: str) -> None:
    assert importing.runbook_id(stem) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TargetDown", True),
        ("KubeAPIDown", True),
        ("Node_Down", False),
        ("Overview", False),
        ("README", False),
        ("high-cpu", False),
        ("HighCPU usage", False),
    ],
)
def test_looks_like_alert(text: str, expected: bool) -> None:
    assert importing.looks_like_alert(text) is expected


def test_first_heading_and_alert_from_heading() -> None:
    assert importing.first_heading("```\n# not\n```\n\n## `HighCPU` firing ##\n# later\n") == (
        "`HighCPU` firing"
    )
    assert importing.first_heading("Disk full\n=========\n\ntext\n") == "Disk full"
    assert importing.first_heading("text only\n\n---\n") is None
    assert importing.first_heading("#\n\n## Real\n") == "Real"
    assert importing.alert_from_heading("`HighCPU` firing") == "HighCPU"
    assert importing.alert_from_heading("Alert: DiskFull") == "DiskFull"
    assert importing.alert_from_heading("[HighCPU](x)") == "HighCPU"
    assert importing.alert_from_heading("Disk is full") is None
    assert importing.alert_from_heading("DiskFull or DiskSlow") is None
    assert importing.plain_heading("**Bold** `code` [link](u) <b>x</b>") == "Bold code link x"


@pytest.fixture
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("incoming")
    (folder / "HighCPU.md").write_bytes(b"# HighCPU\n\n## Meaning\n\nCPU is high.\n")
    (folder / "disk-full.md").write_bytes(b"Disk is full\n============\n\nSteps.")
    (folder / "queue-lag.md").write_bytes(b"# Alert `QueueLagHigh` firing\r\n\r\nDrain it.\r\n")
    (folder / "NoHeading.md").write_bytes(b"\xef\xbb\xbfJust text, no heading.\n")
    (folder / "README.md").write_bytes(b"# Index\n")
    (folder / "has-meta.md").write_bytes(b"---\nid: x\n---\n\n# Has meta\n")
    (folder / "latin1.md").write_bytes(b"# Caf\xe9\n")
    (folder / "unclosed.md").write_bytes(b"---\ntitle: x\n\n# Unclosed\n")
    (folder / "notes.txt").write_bytes(b"not markdown\n")
    return folder


def test_import_derives_writes_and_validates(kb: KB, source: Path) -> None:
    dates = {"HighCPU.md": date(2025, 5, 1)}
    result = command(
        "--root",
        str(kb.root),
        "import",
        "runbooks",
        str(source),
        "--service",
        "auth",
        "--owner",
        "team-identity",
        "--severity",
        "SEV-3",
        "--as-of",
        "2025-06-01",
        git=lambda path: dates.get(path.name),
    )
    out = result.out
    assert result.code == 1, out  # two files were skipped
    folder = kb.docs / "runbooks" / "auth"

    high = (folder / "high-cpu.md").read_bytes()
    assert high == (
        b"---\nid: high-cpu\ntitle: HighCPU\nservices: [auth]\nowner: team-identity\n"
        b"alerts: [HighCPU]\nlast_reviewed: 2025-05-01\nseverity: SEV-3\n---\n\n"
        + (source / "HighCPU.md").read_bytes()
    )
    disk = (folder / "disk-full.md").read_bytes()
    assert disk.endswith((source / "disk-full.md").read_bytes())
    assert b'title: "Disk is full"\n' in disk and b"alerts:" not in disk
    assert b"last_reviewed: 2025-06-01\n" in disk
    queue = (folder / "queue-lag.md").read_bytes()
    assert queue.endswith((source / "queue-lag.md").read_bytes())
    assert b"\r\nalerts: [QueueLagHigh]\r\n" in queue and b"\r\n---\r\n\r\n# Alert" in queue
    assert b'title: "Alert QueueLagHigh firing"\r\n' in queue
    plain = (folder / "no-heading.md").read_bytes()
    assert plain.endswith(b"\n---\n\nJust text, no heading.\n")  # the BOM is dropped
    assert b'title: "No Heading"\n' in plain and b"alerts: [NoHeading]\n" in plain
    assert not (folder / "readme.md").exists() and not (folder / "has-meta.md").exists()
    assert sorted(p.name for p in folder.iterdir()) == [
        "disk-full.md",
        "high-cpu.md",
        "no-heading.md",
        "queue-lag.md",
    ]

    lines = out.splitlines()
    assert (
        "wrote docs/runbooks/auth/high-cpu.md from "
        + str(source / "HighCPU.md")
        + (" (alerts: HighCPU)")
        in lines
    )
    assert any(
        line.endswith(
            "disk-full.md: could not derive alerts: neither the file name (disk-full) "
            "nor the first heading names an alert: add alerts: [...] by hand"
        )
        for line in lines
    )
    assert any("disk-full.md: could not derive last_reviewed:" in line for line in lines)
    assert any("NoHeading.md: could not derive title: no heading" in line for line in lines)
    assert any("NoHeading.md: the UTF-8 byte-order mark was dropped" in line for line in lines)
    assert any(line.endswith("README.md: ignored: an index page, not a runbook") for line in lines)
    assert any(
        line.endswith("has-meta.md: skipped: already has front-matter: copy it by hand")
        for line in lines
    )
    assert any(line.endswith("latin1.md: skipped: line 1: not valid UTF-8") for line in lines)
    assert any(
        line.endswith(
            "unclosed.md: skipped: starts like front-matter (front-matter opened with '---' on "
            "line 1 is never closed): fix or remove the first line"
        )
        for line in lines
    )
    assert lines[-1] == "imported 4 of 8 files: 3 skipped, 1 ignored, 5 fields not derived"

    check = run_main("validate", str(kb.root), "--strict", "--as-of", "2025-06-01")
    assert (check.code, check.out) == (0, ""), check.out


def test_import_never_overwrites(kb: KB, source: Path) -> None:
    args = ["--root", str(kb.root), "import", "runbooks", str(source)]
    args += ["--service", "auth", "--owner", "o", "--reviewed", "2025-01-01"]
    command(*args, "--as-of", "2025-06-01")
    folder = kb.docs / "runbooks" / "auth"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = command(*args, "--as-of", "2025-06-01")
    assert result.code == 1
    out = result.out
    assert "skipped: id high-cpu is taken by docs/runbooks/auth/high-cpu.md" in out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_file_in_the_way_is_not_overwritten(kb: KB, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "TargetDown.md").write_text("# TargetDown\n", encoding="utf-8")
    kb.write("runbooks/api/target-down.md", "placeholder, not a runbook\n")
    config = load_config(kb.root)
    result = importing.import_runbooks(
        config,
        check(config, date(2025, 6, 1)).kb,
        importing.Request(folder, "api", "o", date(2025, 6, 1), reviewed=date(2025, 1, 1)),
    )
    assert [(o.status, o.notes) for o in result.outcomes] == [
        ("skipped", ("docs/runbooks/api/target-down.md exists: nothing overwritten",))
    ]
    assert (kb.docs / "runbooks/api/target-down.md").read_text() == "placeholder, not a runbook\n"


def test_url_template_line_and_check(kb: KB, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("in")
    (folder / "TargetDown.md").write_text("# TargetDown\n", encoding="utf-8")
    (folder / "disk.md").write_text("# `DiskFull`\n", encoding="utf-8")
    template = "https://git.example.com/runbooks/{alert}.md"
    result = command(
        "--root",
        str(kb.root),
        "import",
        "runbooks",
        str(folder),
        "--service",
        "api",
        "--owner",
        "o",
        "--reviewed",
        "2025-01-01",
        "--url-template",
        template,
    )
    out = result.out
    assert result.code == 1  # disk.md was published as .../disk.md, which names no alert
    assert f'url_templates = ["{template}"]' in out.splitlines()
    assert (
        f"url-template: {folder / 'disk.md'}: https://git.example.com/runbooks/disk.md (where it "
        "was published) does not map to runbook disk: no runbook lists the alert disk"
    ) in out.splitlines()
    assert "TargetDown.md:" not in out.replace("(alerts: TargetDown)", "")


def test_usage_errors(kb: KB, source: Path) -> None:
    base = ["--root", str(kb.root), "import", "runbooks"]
    owner = ["--owner", "o"]
    assert command(*base, str(source / "nope"), "--service", "auth", *owner).code == 2
    result = command(*base, str(source), "--service", "nope", *owner)
    assert result.code == 2
    assert "unknown service 'nope' (known: api, auth)" in result.err
    assert command(*base, str(source), "--service", "auth", *owner, "--severity", "X").code == 2
    assert command(*base, str(source), "--service", "auth", "--owner", "bad owner").code == 2
    assert command(*base, str(source), "--service", "auth", *owner, "--url-template", "x").code == 2
    assert (
        command(*base, str(source), "--service", "auth", *owner, "--reviewed", "2025-13-01").code
        == 2
    )
    assert command(*base, str(source), "--service", "auth").code == 2
    empty = source / "empty"
    empty.mkdir()
    assert command(*base, str(empty), "--service", "auth", *owner).code == 2
    assert not (kb.docs / "runbooks").exists()


def test_git_date_without_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No git on PATH (or no repository): no date, no failure."""
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "x.md").write_text("# x\n", encoding="utf-8")
    assert importing.git_date(tmp_path / "x.md") is None
