"""Every file under docs/ is checked: links, file types, our own paths, names, and ordinary
pages' front-matter; and no log line of a build can forge a CI workflow command."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE_TODAY, FIXTURES, build_site, site_project
from incident_kb import docstree, logsafety
from incident_kb.config import load
from incident_kb.findings import Findings, Level
from incident_kb.pagemeta import read_page
from incident_kb.validate import check

VALID = FIXTURES / "valid"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(VALID / "docs", root / "docs")
    shutil.copy(VALID / "incident-kb.toml", root / "incident-kb.toml")
    return root


def _scan(root: Path, theme_files: tuple[str, ...] = ()) -> tuple[docstree.Tree, Findings]:
    findings = Findings()
    tree = docstree.scan(load(root), findings, theme_files)
    return tree, findings


def _by_path(findings: Findings) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in findings:
        out.setdefault(finding.path, []).append(f"{finding.rule}: {finding.message}")
    return out


def test_the_valid_fixture_has_nothing_to_refuse(project: Path) -> None:
    tree, findings = _scan(project)
    assert list(findings) == []
    assert tree.refused == frozenset()
    assert tree.pages == ("index.md",)


def test_links_are_refused_wherever_they_point(project: Path, tmp_path: Path) -> None:
    docs = project / "docs"
    outside = tmp_path / "secret.txt"
    outside.write_text("token\n", encoding="utf-8")
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    (docs / "env.txt").symlink_to("/proc/self/environ")
    (docs / "gitconfig.txt").symlink_to("../.git/config")
    (docs / "inside.md").symlink_to("index.md")  # even one that stays inside docs/
    (docs / "folder").symlink_to(tmp_path)
    (docs / "secret.txt").symlink_to(outside)
    tree, findings = _scan(project)
    found = _by_path(findings)
    for name in ("passwd.txt", "env.txt", "gitconfig.txt", "inside.md", "folder", "secret.txt"):
        assert name in tree.refused
        (message,) = found[f"docs/{name}"]
        assert message.startswith("symlink: a symbolic link"), message
    assert all(finding.level is Level.ERROR for finding in findings)
    assert "inside.md" not in tree.pages


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("evil.html", False),
        ("evil.htm", False),
        ("evil.svg", False),
        ("evil.xhtml", False),
        ("evil.xml", False),
        ("x.js", False),
        ("x.css", False),
        ("Makefile", False),
        ("photo.PNG", True),
        ("report.pdf", True),
        ("data.csv", True),
        ("notes.txt", True),
    ],
)
def test_only_inert_file_types_are_published(project: Path, name: str, allowed: bool) -> None:
    (project / "docs" / "files").mkdir()
    (project / "docs" / "files" / name).write_bytes(b"<script>alert(1)</script>")
    tree, findings = _scan(project)
    assert (f"files/{name}" in tree.files) is allowed
    assert (f"files/{name}" in tree.refused) is not allowed
    assert bool(list(findings)) is not allowed


def test_theme_files_named_in_mkdocs_yml_are_published(project: Path) -> None:
    (project / "docs" / "css").mkdir()
    (project / "docs" / "css" / "brand.css").write_text("a{}", encoding="utf-8")
    (project / "docs" / "css" / "other.css").write_text("a{}", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: x\nextra_css: [css/brand.css]\nextra_javascript:\n  - path: js/a.js\n",
        encoding="utf-8",
    )
    assert docstree.mkdocs_theme_files(project) == ("css/brand.css", "js/a.js")
    tree, findings = _scan(project, docstree.mkdocs_theme_files(project))
    assert "css/brand.css" in tree.files
    assert tree.refused == {"css/other.css"}
    (message,) = _by_path(findings)["docs/css/other.css"]
    assert "extra_css" in message


@pytest.mark.parametrize(
    "rel",
    [
        "assets/incident-kb-search.js",
        "assets/incident-kb.css",
        "status/feed.xml",
        "api/incidents.json",
        "charts/x.png",
        "schemas/postmortem.schema.json",
        "pagefind/pagefind-entry.json",
    ],
)
def test_our_own_paths_cannot_be_shadowed(project: Path, rel: str) -> None:
    path = project / "docs" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}", encoding="utf-8")
    tree, findings = _scan(project)
    assert tree.refused == {rel}
    (message,) = _by_path(findings)[f"docs/{rel}"]
    assert "a path the build writes itself" in message


@pytest.mark.parametrize("name", ["a\nb.md", "x\r.png", "tab\there.txt", "rtl\u202egnp.md"])
def test_names_with_control_characters_are_refused(project: Path, name: str) -> None:
    (project / "docs" / name).write_text("# x\n", encoding="utf-8")
    tree, findings = _scan(project)
    assert tree.refused == {name}
    (finding,) = list(findings)
    assert finding.rule == "unsafe-name"
    assert "\n" not in finding.format() and "\r" not in finding.format()


def test_validate_reports_the_docs_tree_with_the_documents(project: Path) -> None:
    (project / "docs" / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (project / "docs" / "passwd.txt").symlink_to("/etc/passwd")
    result = check(load(project), EXAMPLE_TODAY)
    assert result.failed()
    assert {f.path for f in result.findings} == {"docs/evil.html", "docs/passwd.txt"}
    assert result.tree.refused == {"evil.html", "passwd.txt"}


# -- ordinary pages' front-matter ---------------------------------------------------------


def _page(tmp_path: Path, text: str) -> tuple[dict[str, object] | None, list[str]]:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    findings = Findings()
    page = read_page(path, "docs/page.md", findings)
    return (page.meta if page else None), [f.format() for f in findings]


def test_page_meta_is_escaped_and_limited_to_known_keys(tmp_path: Path) -> None:
    meta, problems = _page(
        tmp_path,
        "---\ntitle: '</title><script>x</script>'\ndescription: '\"><script>y</script>'\n"
        "tags: ['<img src=x onerror=z>', ok]\nhide: [toc, everything]\n"
        "search: {exclude: true, boost: 99}\ntemplate: ../../etc/passwd\ncustom: 1\n---\n# Body\n",
    )
    assert meta == {
        "title": "&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;",
        "description": "&quot;&gt;&lt;script&gt;y&lt;/script&gt;",
        "tags": ["&lt;img src=x onerror=z&gt;", "ok"],
        "hide": ["toc"],
        "search": {"exclude": True},
    }
    assert problems == [
        "docs/page.md:5: hide[1]: must be one of feedback, footer, navigation, path, tags, toc",
        "docs/page.md:6: search.boost: search may set exclude (true or false) and boost (0 to 10)",
        "docs/page.md:7: template: must name an .html template of the theme",
        "docs/page.md:8: custom: warning: not passed to the theme: pages may set title, "
        "description, subtitle, tags, hide, search, template, icon, status",
    ]


def test_page_front_matter_goes_through_the_strict_loader(tmp_path: Path) -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    meta, problems = _page(tmp_path, bomb + "description: *j\n---\nbody\n")
    assert meta == {}
    assert problems and all("alias" in p or "anchor" in p for p in problems), problems


def test_a_page_without_front_matter_is_just_its_body(tmp_path: Path) -> None:
    meta, problems = _page(tmp_path, "Title: looks like metadata\n\n# Body\n")
    assert meta == {} and problems == []


# -- log lines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("a\n::warning file=x::forged", "a\\n:\u200b:warning file=x:\u200b:forged"),
        ("::add-mask::secret", ":\u200b:add-mask:\u200b:secret"),
        (":::", ":\u200b:\u200b:"),
        ("plain text", "plain text"),
        ("\x1b[31mred\r", "\\x1b[31mred\\r"),
    ],
)
def test_neutral_makes_one_line_without_commands(message: str, expected: str) -> None:
    assert logsafety.neutral(message) == expected
    assert "::" not in logsafety.neutral(message)


def test_filter_rewrites_records_of_child_loggers(caplog: pytest.LogCaptureFixture) -> None:
    logsafety.install()
    handler = logging.getLogger().handlers[-1] if logging.getLogger().handlers else None
    assert handler is None or logsafety._FILTER in handler.filters
    record = logging.LogRecord("mkdocs.structure.pages", logging.WARNING, "x", 1,
                               "Doc file '%s' has a link", ("a\n::error::b",), None)  # fmt: skip
    assert logsafety._FILTER.filter(record)
    assert record.getMessage() == "Doc file 'a\\n:\u200b:error:\u200b:b' has a link"


def test_build_log_cannot_forge_workflow_commands(tmp_path: Path) -> None:
    root = site_project(tmp_path, VALID / "docs", VALID / "incident-kb.toml")
    docs = root / "docs"
    (docs / "notes\n::warning file=x.py,line=1::forged\n::add-mask::tok.md").write_text(
        "# notes\n", encoding="utf-8"
    )
    (docs / "links.md").write_text(
        "# Links\n\n[x](missing%0A::error::forged.md)\n", encoding="utf-8"
    )
    proc = build_site(root, tmp_path / "site", strict=False)
    lines = (proc.stdout + proc.stderr).splitlines()
    assert lines, "the build said nothing"
    assert not [line for line in lines if line.lstrip().startswith("::")], lines
    assert any("unsafe-name" in line or "control" in line for line in lines), lines
    assert "Traceback" not in proc.stderr
    published = {p.name for p in (tmp_path / "site").rglob("*")}
    assert not any("\n" in name for name in published)


def test_nothing_in_the_site_comes_through_a_link(tmp_path: Path) -> None:
    root = site_project(tmp_path, VALID / "docs", VALID / "incident-kb.toml")
    docs = root / "docs"
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    (docs / "linked").symlink_to(docs / "runbooks")
    (docs / "assets").mkdir()
    (docs / "assets" / "incident-kb-search.js").write_text("alert(1)", encoding="utf-8")
    site = tmp_path / "site"
    proc = build_site(root, site, strict=True)
    assert proc.returncode != 0
    for rel in ("passwd.txt", "linked"):
        assert not (site / rel).exists() and not os.path.lexists(site / rel)
    assert "docs/passwd.txt:1: (file): a symbolic link" in proc.stderr
    ours = Path(__file__).parent.parent / "src" / "incident_kb" / "assets" / "incident-kb-search.js"
    assert (site / "assets" / "incident-kb-search.js").read_bytes() == ours.read_bytes()
    assert (site / "assets" / "javascripts").is_dir(), "the theme's own files were dropped"
