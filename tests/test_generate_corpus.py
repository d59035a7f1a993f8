"""scripts/generate_corpus.py and its package, scripts/corpusgen: a valid, deterministic
benchmark corpus, a safe --out, vocabulary data that is checked, one source of randomness
and front-matter the strict reader takes as written."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import re
import shutil
import string
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from conftest import REPO, run_cli
from incident_kb.documents import yamlsafe

SCRIPTS = REPO / "scripts"
SCRIPT = SCRIPTS / "generate_corpus.py"
PACKAGE = SCRIPTS / "corpusgen"
SMALL = 60

if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
gc = importlib.import_module("corpusgen")
choices_module = importlib.import_module("corpusgen.choices")
corpus_module = importlib.import_module("corpusgen.corpus")
frontmatter = importlib.import_module("corpusgen.frontmatter")
vocabulary = importlib.import_module("corpusgen.vocabulary")


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


def test_the_script_loaded_by_path_is_the_package() -> None:
    """Code that loads scripts/generate_corpus.py by path gets the package's generate."""
    spec = importlib.util.spec_from_file_location("generate_corpus_by_path", SCRIPT)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate is gc.generate
    assert module.CorpusError is gc.CorpusError


# -- one source of randomness ----------------------------------------------------------------


def test_only_the_choices_module_uses_random() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree_ = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree_)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree_)
            if isinstance(node, ast.ImportFrom)
        }
        assert ("random" in imported) == (path.name == "choices.py"), path.name
    script = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from) random\b", script, re.MULTILINE)


def test_choices_are_reproducible_and_derived_streams_independent() -> None:
    make = choices_module.Choices

    def draws(c: Any) -> list[object]:
        return [
            c.pick("abcdef"),
            c.weighted("xyz", (1, 0, 5)),
            c.between(1, 100),
            round(c.real(0, 1), 9),
            c.chance(0.5),
            c.sample(range(50), 3),
            c.shuffled(range(8)),
            c.sample("ab", 5),
        ]

    assert draws(make(7)) == draws(make(7))
    assert draws(make(7)) != draws(make(8))
    root = make(7)
    first = draws(root.derive("incident", 3))
    draws(root)  # drawing from the root does not move a derived stream
    assert draws(root.derive("incident", 3)) == first
    assert draws(root.derive("incident", 4)) != first
    assert sorted(make(1).sample("ab", 5)) == ["a", "b"]
    assert make(1).weighted("xyz", (0, 0, 1)) == "z"


# -- vocabulary data --------------------------------------------------------------------------


def _texts(value: object) -> Iterator[str]:
    """Every string inside a vocabulary value."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            yield from _texts(getattr(value, spec.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)


def _slots(texts: Iterator[str]) -> set[str]:
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_template_names_only_slots_the_generator_fills() -> None:
    vocab = vocabulary.load()
    choices = choices_module.Choices(1)
    facts = corpus_module.plan(30, 1, gc.DEFAULT_END, vocab, choices)
    filled = set(facts.incidents[0].slots)
    # Set while a postmortem is rendered, for the templates of one section or line.
    filled |= {"mitigation", "mitigation_lower", "done_text", "ts", "alert", "status"}
    filled |= {"recurrence_link", "related_links", "done", "total", "action_kinds"}
    filled |= {"title", "state", "due_long", "reason"}
    postmortem_prose = [vocab.triggers, vocab.symptoms, vocab.postmortem, vocab.status_page]
    assert _slots(_texts(postmortem_prose)) <= filled
    assert _slots(_texts(vocab.situations)) <= {"id", "name", "a_name"}
    service_slots = {"id", "pods_min", "pods_max", "db_link", "components", "incidents"}
    assert _slots(_texts(vocab.service_pages)) <= service_slots
    assert _slots(_texts(vocab.severities)) == set()


def test_vocabulary_is_data_and_every_file_is_used() -> None:
    data = PACKAGE / "data"
    names = {spec.name for spec in dataclasses.fields(vocabulary.Vocabulary)}
    assert {p.stem for p in data.glob("*.yaml")} == names
    for path in data.glob("*.yaml"):
        assert yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    vocab = vocabulary.load()
    assert len(vocab.triggers) >= 15 and len(vocab.situations.situations) >= 10
    assert len(vocab.services.services) == 40 and len(vocab.people) > 60
    # The prose is not in the code any more.
    code = "".join(p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py"))
    for text in (vocab.triggers[0].causes[0], vocab.postmortem.went_well[0], "aaron"):
        assert text[:40] not in code


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("people.yaml", lambda d: {"people": d}, "people.yaml: expected a list"),
        ("services.yaml", lambda d: {**d, "extra": 1}, "services.yaml: unknown key 'extra'"),
        (
            "severities.yaml",
            lambda d: {**d, "levels": [{**d["levels"][0], "weight": "six"}]},
            "severities.yaml.levels[0].weight: expected int, found str",
        ),
        (
            "triggers.yaml",
            lambda d: [{**d[0], "symptoms": ["itchy"]}, *d[1:]],
            "triggers.yaml: deploy: unknown symptom 'itchy'",
        ),
        (
            "status_page.yaml",
            lambda d: {k: v for k, v in d.items() if k != "monitoring"},
            "status_page.yaml: missing 'monitoring'",
        ),
    ],
)
def test_a_broken_data_file_fails_with_its_file_and_key(
    tmp_path: Path, file: str, change: Any, message: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(PACKAGE / "data", data)
    path = data / file
    path.write_text(yaml.safe_dump(change(yaml.safe_load(path.read_text()))), encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError) as caught:
        vocabulary.load(data)
    assert message in str(caught.value)


# -- front-matter ----------------------------------------------------------------------------


def test_front_matter_is_dumped_for_the_strict_reader() -> None:
    moment = datetime(2025, 11, 15, 14, 18, tzinfo=UTC)
    data = {
        "id": "INC-2025-001",
        "started_at": moment,
        "resolved_at": moment,  # the same object twice: written twice, never as an alias
        "due": date(2025, 11, 20),
        "services": ["auth", "edge"],
        "none": [],
        "ambiguous": ["1e3", "no", "null", "true", "12:30", "0755", "1.5", "-", "a: b", "#x"],
        "number": 12.5,
        "whole": frontmatter.number(99.0),
        "flag": False,
        "long": "word " * 60 + "end",
        "nested": {"updates": [{"at": moment, "message": 'It\'s fine: "quoted" é'}]},
    }
    text = frontmatter.dump(data)
    assert "started_at: 2025-11-15T14:18:00Z\n" in text
    assert "resolved_at: 2025-11-15T14:18:00Z\n" in text
    assert "due: 2025-11-20\n" in text
    assert "services: [auth, edge]\n" in text and "none: []\n" in text
    assert "whole: 99\n" in text and "flag: false\n" in text
    assert "&" not in text and "*" not in text
    assert len(text.splitlines()) == 15  # one line per value: nothing folded
    value, problems = yamlsafe.load(text, 1)
    assert problems == []
    expected = {
        **data,
        "started_at": "2025-11-15T14:18:00Z",
        "resolved_at": "2025-11-15T14:18:00Z",
        "due": "2025-11-20",
        "nested": {"updates": [{**data["nested"]["updates"][0], "at": "2025-11-15T14:18:00Z"}]},
    }
    assert yamlsafe.plain(value) == expected
    # PyYAML's own reading (YAML 1.1) agrees on every string.
    assert yaml.safe_load(text)["ambiguous"] == data["ambiguous"]
    with pytest.raises(ValueError, match="UTC"):
        frontmatter.dump({"at": datetime(2025, 1, 1, 12, 0)})
    with pytest.raises(TypeError):
        frontmatter.dump({"at": object()})


def test_generated_front_matter_is_plain_and_strict(corpus: Path) -> None:
    stamp = re.compile(r"^\s*(?:- )?\w+_at: (.*)$|^\s*(?:- )?at: (.*)$", re.MULTILINE)
    day = re.compile(r"^\s*(?:- )?(?:due|completed_on|last_reviewed): (.*)$", re.MULTILINE)
    for path in sorted((corpus / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        head = text.split("---\n", 2)[1]
        for match in stamp.finditer(head):
            value = match.group(1) or match.group(2)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), (path, value)
        for match in day.finditer(head):
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", match.group(1)), (path, match.group(1))
        _, problems = yamlsafe.load(head, 2)
        assert problems == [], path
