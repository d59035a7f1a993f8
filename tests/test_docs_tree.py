"""Every file under docs/ is checked: links, file types, our own paths, names, and ordinary
pages' front-matter; and no log line of a build can forge a CI workflow command."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE_TODAY, FIXTURES, build_site, run_main, site_project
from htmltree import parse
from incident_kb.checks.validate import check
from incident_kb.core import logsafety
from incident_kb.core.config import load
from incident_kb.core.findings import Findings, Level, printable
from incident_kb.documents import docstree
from incident_kb.documents.pagemeta import read_page

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


@pytest.mark.parametrize(
    "name",
    [
        "a\nb.md",
        "x\r.png",
        "tab\there.txt",
        "rtl\u202egnp.md",
        "<img src=x onerror=alert(1)>.md",
        "\\evil.example.md",
        "caf\udce9.md",  # a Latin-1 byte: not UTF-8
        "a&lt;b.md",
        'quote".md',
    ],
)
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
        "tags: ['<img src=x onerror=z>', ok]\nhide: [toc, everything, [navigation]]\n"
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
        "docs/page.md:5: hide[2]: must be one of feedback, footer, navigation, path, tags, toc",
        "docs/page.md:6: search.boost: search may set exclude (true or false) and boost (0 to 10)",
        "docs/page.md:7: template: warning: not passed to the theme: pages may set title, "
        "description, subtitle, tags, hide, search, status",
        "docs/page.md:8: custom: warning: not passed to the theme: pages may set title, "
        "description, subtitle, tags, hide, search, status",
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
    ours = (
        Path(__file__).parent.parent
        / "src"
        / "incident_kb"
        / "site"
        / "assets"
        / "incident-kb-search.js"
    )
    assert (site / "assets" / "incident-kb-search.js").read_bytes() == ours.read_bytes()
    assert (site / "assets" / "javascripts").is_dir(), "the theme's own files were dropped"


def test_what_the_theme_prints_around_content_is_inert(tmp_path: Path) -> None:
    """Titles from headings and file names, table-of-contents ids, theme element ids and
    tooltip titles: the places outside the content where a page's words land."""
    root = site_project(tmp_path, VALID / "docs", VALID / "incident-kb.toml")
    pages = root / "docs" / "pages"
    pages.mkdir()
    (pages / "toc.md").write_text(
        '# Toc\n\n<h2 markdown id=\'x"/autofocus/onfocus="alert(1)"/x="\'>Background</h2>\n',
        encoding="utf-8",
    )
    (pages / "title.md").write_text(
        "# &lt;/title&gt;&lt;img src=x onerror=alert(2)&gt;\n\ntext\n", encoding="utf-8"
    )
    (pages / "clobber.md").write_text(
        '# Clobber\n\n<div id="__config">{"base": "../evil/"}</div>\n\n'
        '<span title="&lt;img src=x onerror=alert(3)&gt;">tip</span>\n',
        encoding="utf-8",
    )
    site = tmp_path / "site"
    proc = build_site(root, site, strict=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    for name in ("toc", "title", "clobber"):
        tree = parse((site / "pages" / name / "index.html").read_text(encoding="utf-8"))
        for element in tree.iter():
            handlers = [a for a, _ in element.attrs if a.startswith("on")]
            assert not handlers, (name, element.tag, element.attrs)
            assert (element.tag, element.attr("src")) != ("img", "x"), (name, element.attrs)
    clobber = (site / "pages" / "clobber" / "index.html").read_text(encoding="utf-8")
    assert clobber.count('id="__config"') == 1  # the theme's own, not the page's
    title = (site / "pages" / "title" / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;/title&gt;&lt;img src=x onerror=alert(2)&gt; - " in title
    for name in ("toc", "clobber"):
        assert f"docs/pages/{name}.md:" in proc.stderr, proc.stderr
    assert "unsafe-html" not in proc.stderr  # findings carry no rule id, only the message
    assert proc.stderr.count("removed from the published page") >= 3


def test_a_huge_body_does_not_stall_the_checks(project: Path) -> None:
    runbook = project / "docs" / "runbooks" / "auth" / "auth-db-pool.md"
    runbook.write_text(
        runbook.read_text(encoding="utf-8") + "{" * 400_000 + "\n" + "<a " * 100_000 + "\n",
        encoding="utf-8",
    )
    result = check(load(project), EXAMPLE_TODAY)  # linear scans: this returns at once
    assert not result.failed(strict=True), result.findings


def test_legacy_workflow_commands_are_broken_too() -> None:
    assert "##[" not in logsafety.neutral("a ##[error]forged")
    assert printable("x ##[add-mask]y") == "x #\u200b#[add-mask]y"


def test_a_long_link_reference_is_refused_before_it_multiplies(project: Path) -> None:
    runbook = project / "docs" / "runbooks" / "auth" / "auth-db-pool.md"
    text = runbook.read_text(encoding="utf-8")
    text += "\n[x]: http://e/" + "a" * 20_000 + "\n\n" + "[a][x] " * 2_000 + "\n"
    runbook.write_text(text, encoding="utf-8")
    where = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("[x]:")]
    result = check(load(project), EXAMPLE_TODAY)
    (finding,) = [f for f in result.findings if f.rule == "oversized"]
    assert [finding.line] == where, finding
    assert finding.message.startswith("a link reference of 20009 characters; the limit is 2000")
    assert finding.level is Level.ERROR


def test_configuration_values_cannot_forge_commands_in_the_command_output(project: Path) -> None:
    (project / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (project / "incident-kb.toml").write_text(
        'docs_dir = "docs\\n::warning file=docs/index.md,line=1::Approved\\n##[error]x"\n',
        encoding="utf-8",
    )
    for fmt in ("text", "json", "github"):
        result = run_main("validate", "--format", fmt, str(project))
        assert result.code == 2, result
        lines = (result.out + result.err).splitlines()
        assert lines and not [line for line in lines if line.lstrip().startswith("::")], lines
        assert "##[" not in result.out + result.err
