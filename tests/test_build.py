"""Reproducible output and the atomic site swap."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE_EPOCH, FIXTURES, REPO, build_site, run_cli, site_project
from incident_kb.site import publish


def digest(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _reversed_copy(source: Path, target: Path) -> None:
    """Copy a tree creating entries in reverse order, so directory order differs."""
    target.mkdir(parents=True)
    for entry in sorted(source.iterdir(), reverse=True):
        if entry.is_dir():
            _reversed_copy(entry, target / entry.name)
        else:
            shutil.copy2(entry, target / entry.name)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first = site_project(tmp_path / "a", REPO / "docs")
    second = site_project(tmp_path / "b", FIXTURES / "valid" / "docs")
    shutil.rmtree(second / "docs")
    _reversed_copy(REPO / "docs", second / "docs")
    one = build_site(first, tmp_path / "site-a", env={"PYTHONHASHSEED": "1"})
    two = build_site(second, tmp_path / "site-b", env={"PYTHONHASHSEED": "4242"})
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    a, b = digest(tmp_path / "site-a"), digest(tmp_path / "site-b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_failed_build_keeps_the_previous_site(tmp_path: Path) -> None:
    project = site_project(tmp_path, FIXTURES / "valid" / "docs")
    env = {"SOURCE_DATE_EPOCH": EXAMPLE_EPOCH}
    good = run_cli("build", "--root", str(project), env=env)
    assert good.code == 0, good.err
    site = project / "site"
    before = digest(site)
    assert "index.html" in before

    service = project / "docs" / "services" / "api.md"
    service.write_text(service.read_text().replace("tier: 2", "tier: 7"))
    bad = run_cli("build", "--root", str(project), env=env)
    assert bad.code == 1
    assert "docs/services/api.md:5: tier: must be between 1 and 4, not 7" in bad.err
    assert "is unchanged" in bad.err
    assert digest(site) == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []

    service.write_text(service.read_text().replace("tier: 7", "tier: 3"))
    assert run_cli("build", "--root", str(project), env=env).code == 0
    assert digest(site) != before


def test_a_warning_fails_a_strict_build(tmp_path: Path) -> None:
    project = site_project(tmp_path, FIXTURES / "valid" / "docs")
    pm = next((project / "docs" / "postmortems").rglob("2025-03-01-*.md"))
    pm.write_text(
        pm.read_text().replace("The rollback took", "Someone should have rolled back; it took")
    )
    strict = run_cli("build", "--root", str(project))
    assert strict.code == 1 and "warning: blame language" in strict.err
    assert run_cli("build", "--root", str(project), "--no-strict").code == 0


def test_the_site_is_readable_and_a_symlinked_site_is_followed(tmp_path: Path) -> None:
    project = site_project(tmp_path, FIXTURES / "valid" / "docs")
    real = tmp_path / "www"
    real.mkdir()
    (real / "old.html").write_text("old")
    (project / "site").symlink_to(real, target_is_directory=True)
    result = run_cli("build", "--root", str(project), env={"SOURCE_DATE_EPOCH": EXAMPLE_EPOCH})
    assert result.code == 0, result.err
    assert (project / "site").is_symlink()
    assert (real / "index.html").is_file() and not (real / "old.html").exists()
    assert real.stat().st_mode & 0o005 == 0o005  # others may read and enter
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_failed_swap_restores_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    staging = tmp_path / ".site-new"
    staging.mkdir()
    (staging / "index.html").write_text("new")
    real_rename = Path.rename

    def flaky(self: Path, target: str | Path) -> Path:
        if self == staging:
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)  # the two-rename path
    monkeypatch.setattr(Path, "rename", flaky)
    with pytest.raises(OSError, match="disk full"):
        publish._swap_in(staging, site)
    monkeypatch.undo()
    assert (site / "index.html").read_text() == "old"
    assert (staging / "index.html").read_text() == "new"
