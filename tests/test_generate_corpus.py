"""scripts/generate_corpus.py: a valid, deterministic benchmark corpus, and a safe --out."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from conftest import REPO, run_cli

SCRIPT = REPO / "scripts" / "generate_corpus.py"
SMALL = 60


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


gc = _load()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """(front-matter, body) of a generated document."""
    _, yaml_text, body = path.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(yaml_text)
    assert isinstance(data, dict)
    return data, body


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "kb"
    gc.generate(SMALL, 1, out)
    return out


def test_small_corpus_validates_strictly_without_warnings(corpus: Path) -> None:
    result = run_cli("validate", "--strict", "--as-of", "2026-11-22", cwd=corpus)
    assert result.code == 0, result.out + result.err
    assert re.search(r"checked \d+ documents: 0 errors, 0 warnings", result.err), result.err
    assert [line for line in result.out.splitlines() if ": notice: " not in line] == []


def test_counts(corpus: Path) -> None:
    docs = corpus / "docs"
    assert len(list((docs / "postmortems").rglob("*.md"))) == SMALL
    assert len(list((docs / "runbooks").rglob("*.md"))) == SMALL // 5
    assert len(list((docs / "services").glob("*.md"))) == 6


@pytest.mark.parametrize(("n", "runbooks", "services"), [(1, 1, 6), (4, 1, 6), (700, 140, 7)])
def test_counts_follow_n(tmp_path: Path, n: int, runbooks: int, services: int) -> None:
    summary = gc.generate(n, 3, tmp_path / "kb")
    assert (summary.postmortems, summary.runbooks, summary.services) == (n, runbooks, services)
    docs = tmp_path / "kb" / "docs"
    assert len(list((docs / "postmortems").rglob("*.md"))) == n
    assert len(list((docs / "runbooks").rglob("*.md"))) == runbooks
    assert len(list((docs / "services").glob("*.md"))) == services
    assert summary.files == len(tree(tmp_path / "kb"))


def test_every_postmortem_has_the_documented_shape(corpus: Path) -> None:
    config = tomllib.loads((REPO / "incident-kb.toml").read_text(encoding="utf-8"))
    sections = config["postmortems"]["required_sections"]
    end = date(2026, 11, 1)
    ids = set()
    for path in sorted((corpus / "docs" / "postmortems").rglob("*.md")):
        data, body = front_matter(path)
        assert 3 * 1024 <= len(body.encode("utf-8")) <= 8000, path
        assert 3 <= len(data["action_items"]) <= 8, path
        assert 2 <= len(data["status_page"]["updates"]) <= 6, path
        for name in sections:
            assert f"\n## {name}\n" in body, (path, name)
        assert "<" not in body, path
        started = data["started_at"]  # PyYAML reads timestamps as datetimes
        day = started[:10] if isinstance(started, str) else started.date().isoformat()
        assert re.fullmatch(rf"INC-{day[:4]}-\d{{3,}}", str(data["id"]))
        assert path.name.startswith(day) and path.parent.name == day[:4]
        assert date.fromisoformat(day) <= end
        ids.add(data["id"])
    assert len(ids) == SMALL


def test_project_files_come_from_the_repository(corpus: Path) -> None:
    assert (corpus / "mkdocs.yml").read_bytes() == (REPO / "mkdocs.yml").read_bytes()
    hook = corpus / "hooks" / "incident_kb_site.py"
    assert hook.read_bytes() == (REPO / "hooks" / "incident_kb_site.py").read_bytes()
    config = tomllib.loads((corpus / "incident-kb.toml").read_text(encoding="utf-8"))
    assert config["alerts"]["rules"] == []
    # The build publishes the package's schemas itself; docs/ holds none of its own.
    assert not (corpus / "docs" / "schemas").exists()
    for name in ("index.md", "policies/severity.md"):
        assert (corpus / "docs" / name).is_file()


def test_same_seed_gives_identical_trees(tmp_path: Path, corpus: Path) -> None:
    gc.generate(SMALL, 1, tmp_path / "again")
    assert tree(tmp_path / "again") == tree(corpus)


def test_different_seed_or_end_gives_different_content(tmp_path: Path, corpus: Path) -> None:
    gc.generate(SMALL, 2, tmp_path / "other")
    first, second = tree(corpus), tree(tmp_path / "other")
    posts = [k for k in first if k.startswith("docs/postmortems/")]
    assert posts != [k for k in second if k.startswith("docs/postmortems/")]
    gc.generate(SMALL, 1, tmp_path / "later", end=date(2027, 3, 1))
    assert tree(tmp_path / "later") != first


def test_refuses_a_foreign_folder_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "docs").mkdir(parents=True)
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    (out / "docs" / "index.md").write_text("# Mine\n", encoding="utf-8")
    before = tree(out)
    with pytest.raises(gc.CorpusError, match="refusing to overwrite"):
        gc.generate(5, 1, out)
    assert tree(out) == before
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "5", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "refusing to overwrite" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(out) == before


def test_refuses_a_file_as_out(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(gc.CorpusError, match="not a folder"):
        gc.generate(5, 1, target)
    assert target.read_text(encoding="utf-8") == "x"


def test_replaces_its_own_earlier_output_wholesale(tmp_path: Path) -> None:
    out = tmp_path / "kb"
    gc.generate(20, 4, out)
    (out / "docs" / "stray.md").write_text("left over\n", encoding="utf-8")
    gc.generate(10, 5, out)
    gc.generate(10, 5, tmp_path / "fresh")
    assert tree(out) == tree(tmp_path / "fresh")


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "kb"
    args = [sys.executable, str(SCRIPT), "12", "--seed", "3", "--out", str(out)]
    proc = subprocess.run([*args, "--end", "2026-06-30"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 12 postmortems, 2 runbooks and 6 services" in proc.stdout
    assert (out / "docs" / "postmortems").is_dir()
    for bad in (["0"], ["5", "--end", "2026-02-30"], ["5", "--seed", "x"], ["5"]):
        extra = [] if bad == ["5"] else ["--out", str(tmp_path / "unused")]
        proc = subprocess.run(
            [sys.executable, str(SCRIPT), *bad, *extra], capture_output=True, text=True
        )
        assert proc.returncode == 2, (bad, proc.stderr)
        assert "usage:" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "unused").exists()
