"""The site's search: Pagefind by default, Material's on request, and clear errors when
mkdocs.yml and incident-kb.toml disagree. Real builds of a small knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, build_site, run_cli, site_project
from htmltree import load
from incident_kb.site import search
from pagefind_index import bundles, fragments, page_count

VALID = FIXTURES / "valid"


def project(tmp_path: Path, *, engine: str | None = None, plugins: str | None = None) -> Path:
    """The valid fixture as a buildable project, with the search engine and mkdocs.yml
    plugins given (the repository's own otherwise)."""
    toml = tmp_path / "incident-kb.toml"
    text = (VALID / "incident-kb.toml").read_text(encoding="utf-8")
    if engine is not None:
        text += f'\n[search]\nengine = "{engine}"\n'
    toml.write_text(text, encoding="utf-8")
    root = site_project(tmp_path, VALID / "docs", toml)
    if plugins is not None:
        config = root / "mkdocs.yml"
        lines = config.read_text(encoding="utf-8").split("plugins:\n", 1)
        rest = lines[1].split("\n\n", 1)[1]
        config.write_text(f"{lines[0]}plugins:\n{plugins}\n\n{rest}", encoding="utf-8")
    return root


def test_default_is_pagefind_over_each_page_article(tmp_path: Path) -> None:
    root = project(tmp_path)
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)
    found = fragments(site)
    # Every page with an article is indexed once (the 404 page has one too).
    assert page_count(site) == len(found) == len(pages)
    assert bundles(site) == [site / "pagefind"]  # a small site: one bundle
    for fragment in found:
        assert fragment["meta"]["title"], fragment["url"]
        assert "¶" not in fragment["content"]  # permalink marks are left out
    home = load(site / "index.html")
    panel = home.find("div", "md-search")
    assert panel is not None and "data-incident-kb-search" in dict(panel.attrs)
    forms = {form.attr("name") for form in home.find_all("form")}
    assert "incident-kb-search" in forms and "search" not in forms  # Material's script idles
    assert (site / search.SCRIPT_URI).is_file()
    assert not (site / "search" / "search_index.json").exists()


@pytest.mark.parametrize("engine", ["material", None])
def test_a_site_with_its_own_search_keeps_it(tmp_path: Path, engine: str | None) -> None:
    """``material``, or the default ``auto`` where the site lists a search plugin."""
    root = project(tmp_path, engine=engine, plugins="  - search\n  - tags")
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "pagefind").exists()
    assert not (site / search.SCRIPT_URI).exists()
    forms = {form.attr("name") for form in load(site / "index.html").find_all("form")}
    assert "search" in forms and "incident-kb-search" not in forms


@pytest.mark.parametrize(
    ("engine", "plugins", "message"),
    [
        ("pagefind", "  - search\n  - tags", "mkdocs.yml: plugins: remove `search`"),
        ("material", "  - tags", 'search.engine is "material" but mkdocs.yml lists no `search`'),
    ],
)
def test_engine_and_plugins_that_disagree_fail_the_build(
    tmp_path: Path, engine: str | None, plugins: str, message: str
) -> None:
    root = project(tmp_path, engine=engine, plugins=plugins)
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not site.exists()


def test_an_unknown_engine_is_a_configuration_error(tmp_path: Path) -> None:
    root = project(tmp_path, engine="lunr")
    proc = run_cli("validate", cwd=root)
    assert proc.code == 2
    assert "incident-kb.toml: search.engine: must be one of auto, pagefind, material" in proc.err


def test_the_teams_custom_dir_wins_over_our_partials(tmp_path: Path) -> None:
    root = project(tmp_path)
    overrides = root / "overrides" / "partials"
    overrides.mkdir(parents=True)
    theirs = search.THEME_DIR / "partials" / "header.html"
    marked = theirs.read_text(encoding="utf-8").replace(
        '<header class="{{ class }}"', '<header data-team-header class="{{ class }}"'
    )
    (overrides / "header.html").write_text(marked, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "theme:\n  name: material\n", "theme:\n  name: material\n  custom_dir: overrides\n"
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    home = load(site / "index.html")
    header = home.find("header")
    assert header is not None and "data-team-header" in dict(header.attrs)
    assert home.find("div", "md-search") is not None  # our search panel is still included


def test_a_failed_index_fails_with_pagefinds_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty-site"
    empty.mkdir()
    with pytest.raises(search.SearchError, match="no HTML page in"):
        search.index_site(empty)
    no_article = tmp_path / "plain-site"
    no_article.mkdir()
    (no_article / "index.html").write_text("<html><body><p>no article</p></body></html>")
    with pytest.raises(search.SearchError) as failure:
        search.index_site(no_article)
    message = str(failure.value)
    assert message.startswith(f"search: Pagefind could not index {no_article} (exit 1)")
    assert message.count("Pagefind was not able to build an index") == 1
    assert (no_article / "index.html").is_file()  # the page is left as it was


def test_a_large_site_is_indexed_in_bundles_the_browser_merges(tmp_path: Path) -> None:
    """Past pages_per_bundle pages, each bundle holds its share of pages, every page is in
    exactly one, and the same site gives the same bundles."""
    root = project(tmp_path)
    toml = root / "incident-kb.toml"
    toml.write_text(toml.read_text() + "\n[search]\npages_per_bundle = 4\n")
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    pages = sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)
    found = bundles(site)
    assert len(found) == -(-len(pages) // 4) > 1
    assert found[0] == site / "pagefind" and found[1] == site / "pagefind" / "2"
    urls = [fragment["url"] for fragment in fragments(site)]
    assert len(urls) == len(set(urls)) == len(pages) == page_count(site)
    for bundle in found:
        assert (bundle / "pagefind.js").is_file()
    before = {
        p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()
    }
    search.index_site(site, pages_per_bundle=4)
    after = {
        p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()
    }
    assert before == after
    assert not list(tmp_path.glob(".pagefind-*"))  # the folders of links are gone


def test_the_index_is_the_same_for_the_same_site(tmp_path: Path) -> None:
    root = project(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    assert build_site(root, first).returncode == 0
    shutil.copytree(first, second)
    shutil.rmtree(second / "pagefind")
    search.index_site(second)
    a = {
        p.relative_to(first): p.read_bytes() for p in (first / "pagefind").rglob("*") if p.is_file()
    }
    b = {
        p.relative_to(second): p.read_bytes()
        for p in (second / "pagefind").rglob("*")
        if p.is_file()
    }
    assert a == b


def test_a_disabled_search_plugin_is_not_the_sites_search(tmp_path: Path) -> None:
    root = project(tmp_path, plugins="  - search:\n      enabled: false\n  - tags")
    site = tmp_path / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    assert (site / "pagefind").is_dir() and not (site / "search" / "search_index.json").exists()


def test_build_with_a_relative_root(tmp_path: Path) -> None:
    project(tmp_path)
    done = run_cli("build", "--root", "project", "--site-dir", "out", cwd=tmp_path)
    assert done.code == 0, done.err
    assert (tmp_path / "project" / "out" / "index.html").is_file()
