"""The hooks with real MkDocs objects: config, Files, Page, through MkDocs' own plugin calls."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files, InclusionLevel, get_files
from mkdocs.structure.pages import Page

from conftest import EXAMPLE_EPOCH, FIXTURES, SCHEMA_FILES, site_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EXAMPLE_EPOCH)
    return site_project(tmp_path, FIXTURES / "valid" / "docs")


def start(root: Path) -> tuple[MkDocsConfig, Files]:
    config = load_config(str(root / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    return config, files


def page(config: MkDocsConfig, files: Files, uri: str) -> Page:
    file = files.get_file_from_path(uri)
    assert file is not None, uri
    result = Page(None, file, config)
    result.read_source(config)
    assert result.markdown is not None
    result.markdown = config.plugins.on_page_markdown(
        result.markdown, page=result, config=config, files=files
    )
    return result


def test_on_config_adds_what_generated_markdown_needs(project: Path) -> None:
    config = load_config(str(project / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    assert "md_in_html" in config.markdown_extensions
    assert "assets/incident-kb.css" in config.extra_css


def test_on_files_adds_generated_pages_and_keeps_documents_out_of_nav(project: Path) -> None:
    _config, files = start(project)
    generated = sorted(
        f.src_uri for f in files if f.generated_by and not f.src_uri.startswith("charts/")
    )
    charts = sorted(f.src_uri for f in files if f.src_uri.startswith("charts/"))
    assert charts and all(c.endswith(("-light.svg", "-dark.svg")) for c in charts)
    assert {c.replace("-light.svg", "") for c in charts if c.endswith("-light.svg")} == {
        c.replace("-dark.svg", "") for c in charts if c.endswith("-dark.svg")
    }
    assert generated == sorted(
        [
            *(f"schemas/{name}" for name in SCHEMA_FILES),
            "action-items.md",
            "alerts/index.md",
            "api/action-items.json",
            "api/incidents.json",
            "api/runbooks.json",
            "api/services.json",
            "api/status.json",
            "assets/incident-kb-search.js",
            "assets/incident-kb.css",
            "assets/status.css",
            "metrics.md",
            "postmortems/index.md",
            "runbooks/index.md",
            "runbooks/stale.md",
            "services/index.md",
            "status/feed.xml",
            "status/index.md",
            "tags.md",
        ]
    )
    for uri in (
        "postmortems/2025/2025-03-01-login-errors-after-deploy.md",
        "runbooks/auth/auth-db-pool.md",
        "services/auth.md",
    ):
        file = files.get_file_from_path(uri)
        assert file is not None and file.inclusion is InclusionLevel.NOT_IN_NAV
    index = files.get_file_from_path("postmortems/index.md")
    assert index is not None
    assert index.inclusion in (InclusionLevel.UNDEFINED, InclusionLevel.INCLUDED)  # in the nav
    assert "[INC-2025-007 · Login errors after auth deploy]" in index.content_string


def test_a_file_in_docs_wins_over_a_generated_page(project: Path) -> None:
    (project / "docs" / "runbooks" / "index.md").write_text("# Our own runbook index\n")
    _config, files = start(project)
    index = files.get_file_from_path("runbooks/index.md")
    assert index is not None and not index.generated_by
    # MkDocs reads it after a front-matter block the build wrote (the page has none).
    assert index.content_string == "---\n{}\n---\n\n# Our own runbook index\n"


def test_pages_get_cards_links_and_safe_meta(project: Path) -> None:
    config, files = start(project)
    pm = page(config, files, "postmortems/2025/2025-03-01-login-errors-after-deploy.md")
    assert pm.meta == {"title": "Login errors after auth deploy", "tags": ["deploy", "database"]}
    assert pm.markdown is not None
    assert '<div class="ikb-card ikb-postmortem" markdown>' in pm.markdown
    assert (
        "[Auth database connection pool exhausted](../../runbooks/auth/auth-db-pool.md)"
        in pm.markdown
    )
    assert "Inline code such as `[[NOT-A-LINK]]` is not a link." in pm.markdown
    runbook = page(config, files, "runbooks/auth/auth-db-pool.md")
    assert runbook.markdown is not None
    assert runbook.markdown.startswith("# Auth database connection pool exhausted\n\n!!! success")
    assert "- 2025-03-01 · [INC-2025-007 · Login errors after auth deploy]" in runbook.markdown
    assert 'if [[ -n "$POD" ]]' in runbook.markdown  # shell code is left alone


def test_front_matter_never_reaches_mkdocs(project: Path) -> None:
    hostile = project / "docs" / "postmortems" / "2025" / "2025-03-02-bad.md"
    hostile.write_text(
        '---\ntitle: "x</title><script>alert(1)</script>"\ntemplate: redirect.html\n'
        "location: javascript:alert(1)\n---\n\nBody\n"
    )
    config, files = start(project)
    bad = page(config, files, "postmortems/2025/2025-03-02-bad.md")
    assert bad.meta == {"title": "x&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"}
    assert bad.markdown == "Body\n"


def test_findings_are_logged_for_strict_builds(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = project / "docs" / "services" / "api.md"
    target.write_text(target.read_text().replace("tier: 2", "tier: 9"))
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.incident_kb"):
        start(project)
    records = [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "mkdocs.plugins.incident_kb"
    ]
    assert records == [
        (logging.ERROR, "docs/services/api.md:5: tier: must be between 1 and 4, not 9")
    ]


def test_every_build_reloads(project: Path) -> None:
    """mkdocs serve calls on_files again with the same hook module: nothing may be cached."""
    config, files = start(project)
    target = project / "docs" / "services" / "api.md"
    target.write_text(target.read_text().replace("name: Public API", "name: Partner API"))
    files = config.plugins.on_files(get_files(config), config=config)
    index = files.get_file_from_path("services/index.md")
    assert index is not None and "[Partner API](api.md)" in index.content_string


def test_mismatched_docs_dir_is_refused(project: Path) -> None:
    (project / "incident-kb.toml").write_text('docs_dir = "elsewhere"\n')
    (project / "elsewhere").mkdir()
    config = load_config(str(project / "mkdocs.yml"))
    with pytest.raises(PluginError, match=r"differs from mkdocs\.yml's docs_dir"):
        config.plugins.on_config(config)


def test_file_names_cannot_break_out_of_links(project: Path) -> None:
    runbooks = project / "docs" / "runbooks" / "auth"
    (runbooks / "auth-db-pool.md").rename(runbooks / "a) ](x) [y=1] (b.md")
    _config, files = start(project)
    index = files.get_file_from_path("runbooks/index.md")
    assert index is not None
    assert "(auth/a%29%20%5D%28x%29%20%5By%3D1%5D%20%28b.md)" in index.content_string
    # A name with markup in it is not published at all.
    (runbooks / "a) ](x) [y=1] (b.md").rename(runbooks / "<img src=x onerror=alert(1)>.md")
    _config, files = start(project)
    assert not [f for f in files if "onerror" in f.src_uri]


def test_a_teams_own_landing_page_wins_with_a_warning(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (project / "docs" / "postmortems" / "README.md").write_text("# Our incidents\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.incident_kb"):
        _config, files = start(project)
    assert "docs/postmortems/README.md replaces the generated page postmortems/index.md" in (
        caplog.text
    )
    pages = [f for f in files if f.dest_uri == "postmortems/index.html"]
    assert [(f.src_uri, bool(f.generated_by)) for f in pages] == [("postmortems/README.md", False)]


def test_serve_watches_the_configuration_and_templates(project: Path) -> None:
    (project / "templates" / "site").mkdir(parents=True)
    config = load_config(str(project / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    assert str(project / "incident-kb.toml") in config.watch
    assert str(project / "templates" / "site") in config.watch


def test_a_template_in_the_repository_overrides_the_package(project: Path) -> None:
    (project / "templates" / "site").mkdir(parents=True)
    (project / "templates" / "site" / "tags.md.j2").write_text("# Labels\n\n{{ '<b>' }}\n")
    _config, files = start(project)
    tags = files.get_file_from_path("tags.md")
    assert tags is not None and tags.content_string == "# Labels\n\n&#60;b&#62;\n"


def test_api_files_are_added_and_cannot_be_replaced(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _config, files = start(project)
    generated = sorted(f.src_uri for f in files if f.src_uri.startswith("api/"))
    assert generated == [
        "api/action-items.json",
        "api/incidents.json",
        "api/runbooks.json",
        "api/services.json",
        "api/status.json",
    ]
    (project / "docs" / "api").mkdir()
    (project / "docs" / "api" / "status.json").write_text('{"spoofed": true}\n')
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.incident_kb"):
        _config, files = start(project)
    status = [f for f in files if f.dest_uri == "api/status.json"]
    assert [bool(f.generated_by) for f in status] == [True]
    assert "spoofed" not in status[0].content_string
    assert "docs/api/status.json:1: (file): 'api/status.json' is a path the build writes" in (
        caplog.text
    )


def test_api_urls_follow_use_directory_urls(project: Path) -> None:
    config_file = project / "mkdocs.yml"
    config_file.write_text(config_file.read_text() + "use_directory_urls: false\n")
    _config, files = start(project)
    services = files.get_file_from_path("api/services.json")
    assert services is not None
    urls = [s["url"] for s in json.loads(services.content_string)["services"]]
    assert urls and all(u.startswith("services/") and u.endswith(".html") for u in urls)
