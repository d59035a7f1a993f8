"""The knowledge base's part in a MkDocs build, driven by the thin hooks in ``hooks/``.

One ``Site`` lives as long as the hook module (across ``mkdocs serve`` rebuilds); every
build starts from ``on_files``, which checks every file under docs/ and loads and validates
every document once, logs each finding through ``mkdocs.plugins.incident_kb`` (so
``--strict`` counts warnings and errors), drops what must not be published, and adds the
generated pages with ``File.generated``. Every Markdown page reaches MkDocs through
``File.content_string`` with a front-matter block that we wrote, so front-matter from a pull
request is never parsed by MkDocs' own loader or printed by the theme unescaped; and every
page's HTML passes the sanitiser in ``on_page_content`` before the theme wraps it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from . import (
    alerting,
    api,
    insights,
    links,
    logsafety,
    sanitise,
    schema,
    search,
    statuspage,
    timeutil,
)
from .charts import Chart
from .config import Config, ConfigError
from .config import load as load_config
from .escaping import html_text
from .findings import Finding, Level
from .loading import PageText, kind_of
from .model import Document, KnowledgeBase, Postmortem, Runbook, Service, title_of
from .pagemeta import OrdinaryPage
from .render import Renderer, environment
from .validate import check

log = logging.getLogger("mkdocs.plugins.incident_kb")

CSS_URI = "assets/incident-kb.css"
STATUS_CSS_URI = "assets/status.css"
#: Markdown extensions the generated Markdown relies on.
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables")
_LOG_LEVEL = {
    Level.ERROR: logging.ERROR,
    Level.WARNING: logging.WARNING,
    Level.NOTICE: logging.INFO,
}


@dataclass
class _Build:
    """Everything one build knows: the renderer and documents by source path."""

    renderer: Renderer
    documents: dict[str, Document]
    texts: dict[str, PageText]
    pages: dict[str, OrdinaryPage]
    generated: dict[str, str]


class Site:
    """Hands MkDocs events to the package; all state is rebuilt by every ``on_files``."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.build: _Build | None = None
        self._charts: list[Chart] = []
        self._insights: dict[str, str] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        logsafety.install()
        root = Path(config.config_file_path).parent
        try:
            self.config = load_config(root)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        if Path(config.docs_dir).resolve() != self.config.docs_dir.resolve():
            raise PluginError(
                f"incident-kb reads documents from {self.config.docs_dir} but MkDocs builds "
                f"{config.docs_dir}: set the same docs_dir in incident-kb.toml and mkdocs.yml"
            )
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for uri in (CSS_URI, STATUS_CSS_URI):
            if uri not in config.extra_css:
                config.extra_css.append(uri)
        self._configure_search(config)
        # mkdocs serve rebuilds when these change too, not only docs_dir and mkdocs.yml.
        for path in (root / "incident-kb.toml", root / "templates" / "site"):
            if path.exists() and str(path) not in config.watch:
                config.watch.append(str(path))
        return config

    def _configure_search(self, config: MkDocsConfig) -> None:
        """Put our search panel in Material's header, or check that Material's is there."""
        assert self.config is not None
        has_material_search = "material/search" in config.plugins
        if self.config.search_engine == "material":
            if not has_material_search:
                raise PluginError(
                    'incident-kb.toml: search.engine is "material" but mkdocs.yml lists no '
                    "`search` plugin: add it under plugins, or use the Pagefind search"
                )
            return
        if has_material_search:
            raise PluginError(
                "mkdocs.yml: plugins: remove `search`: the site's search is Pagefind "
                '(incident-kb.toml search.engine = "pagefind", the default); set '
                'engine = "material" to keep Material\'s own search instead'
            )
        if config.theme.name != "material":
            raise PluginError(
                f"incident-kb's search needs the material theme, not {config.theme.name!r}: "
                'set theme.name to material, or incident-kb.toml search.engine = "material"'
            )
        theme_dir = str(search.THEME_DIR)
        if theme_dir not in config.theme.dirs:  # after the team's custom_dir, before Material
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
        if search.SCRIPT_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(search.SCRIPT_URI)

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Index the written site for the Pagefind search."""
        if self.config is None or self.config.search_engine != "pagefind":
            return
        try:
            search.index_site(
                Path(config.site_dir), pages_per_bundle=self.config.search_pages_per_bundle
            )
        except search.SearchError as exc:
            raise PluginError(str(exc)) from None

    def _docs_rel(self, path: str) -> str:
        assert self.config is not None
        prefix = self.config.relative(self.config.docs_dir).rstrip("/") + "/"
        return path[len(prefix) :] if path.startswith(prefix) else path

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.config is None:  # pragma: no cover - MkDocs always calls on_config first
            raise PluginError("incident-kb: on_files before on_config")
        today = timeutil.today(None)
        theme_files = [str(uri) for uri in (*config.extra_css, *config.extra_javascript)]
        try:
            result = check(self.config, today, theme_files)
        except ConfigError as exc:  # e.g. [alerts] rules matching too many files
            raise PluginError(str(exc)) from None
        for finding in result.findings:
            log.log(_LOG_LEVEL[finding.level], finding.format())
        # MkDocs follows links; what the docs tree check refused, and everything MkDocs
        # found below a refused folder (a link to one), is not published.
        docs = os.path.abspath(config.docs_dir)  # noqa: PTH100 - keeps links, as MkDocs does
        for file in list(files):
            from_docs = file.src_dir is not None and os.path.abspath(file.src_dir) == docs  # noqa: PTH100
            if from_docs and _under(file.src_uri, result.tree.refused):
                files.remove(file)

        documents: dict[str, Document] = {}
        for doc in (*result.kb.identified(), *([result.kb.policy] if result.kb.policy else [])):
            documents[self._docs_rel(doc.source.path)] = doc
        override = self.config.root / "templates" / "site"
        renderer = Renderer(
            result.kb,
            self.config,
            today,
            lambda doc: self._docs_rel(doc.source.path),
            environment(override if override.is_dir() else None),
        )
        texts = {self._docs_rel(path): text for path, text in result.texts.items()}
        pages = {self._docs_rel(path): page for path, page in result.pages.items()}
        self._set_sources(files, documents, texts, pages)

        # Documents stay out of the automatic navigation, so that a page's size does not grow
        # with the number of documents; the generated index pages list them.
        for file in files:
            if kind_of(file.src_uri, self.config) in ("postmortem", "runbook", "service"):
                file.inclusion = InclusionLevel.NOT_IN_NAV

        generated: dict[str, Callable[[str], str]] = {
            f"{self.config.postmortems}/index.md": renderer.postmortems_index,
            f"{self.config.runbooks}/index.md": renderer.runbooks_index,
            f"{self.config.services}/index.md": renderer.services_index,
            "action-items.md": renderer.action_items_page,
            f"{self.config.runbooks}/stale.md": renderer.stale_page,
            "tags.md": lambda _src: renderer.tags_page(),
            "metrics.md": lambda src: self._metrics_page(renderer, src),
        }
        kb_config = self.config
        generated["status/index.md"] = lambda src: statuspage.status_page_markdown(
            result.kb, kb_config, today, renderer.env, lambda pm: renderer.link(src, pm)
        )
        try:
            coverage = alerting.configured_coverage(self.config, result.kb)
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        if coverage is not None:
            generated["alerts/index.md"] = lambda src: alerting.coverage_page(
                coverage, lambda rb: renderer.link(src, rb), renderer.env
            )
        else:
            generated["alerts/index.md"] = lambda _src: renderer.env.get_template(
                "alerts-unconfigured.md.j2"
            ).render()
        contents: dict[str, str] = {}
        taken = {file.dest_uri: file.src_uri for file in files}
        for uri, render in generated.items():
            page = File.generated(config, uri, content="")
            if page.dest_uri in taken:
                # A page of the team's own (index.md, README.md, or a same-named .md) wins,
                # but never silently: it could stand in for the status page or an index.
                log.warning(
                    "%s replaces the generated page %s (rename it, or remove it to get the "
                    "generated one back)",
                    self.config.relative(self.config.docs_dir / taken[page.dest_uri]),
                    uri,
                )
                continue
            contents[uri] = render(uri)
            files.append(File.generated(config, uri, content=contents[uri]))
        self._add_api_files(files, config, result.kb, today, taken)
        self._add_charts(files, config, renderer, taken)

        def postmortem_href(pm: Postmortem) -> str:
            file = files.get_file_from_path(self._docs_rel(pm.source.path))
            return f"../{file.url}" if file is not None else ""

        if "status/feed.xml" not in taken:
            feed = statuspage.feed_xml(
                result.kb, today, postmortem_href, title=f"{config.site_name}: status"
            )
            files.append(File.generated(config, "status/feed.xml", content=feed))
        # Our own assets and schemas: the docs tree check refuses a file of the team's at
        # these paths, so these are the ones published.
        package = resources.files("incident_kb")
        assets = [CSS_URI, STATUS_CSS_URI]
        if self.config.search_engine == "pagefind":
            assets.append(search.SCRIPT_URI)
        for uri in assets:
            files.append(File.generated(config, uri, content=package.joinpath(uri).read_bytes()))
        for name in schema.schema_names():
            content = package.joinpath("schemas", name).read_bytes()
            files.append(File.generated(config, f"schemas/{name}", content=content))
        self.build = _Build(renderer, documents, texts, pages, contents)
        return files

    def _set_sources(
        self,
        files: Files,
        documents: dict[str, Document],
        texts: dict[str, PageText],
        pages: dict[str, OrdinaryPage],
    ) -> None:
        """Every Markdown page's source as MkDocs will read it: the body, after a
        front-matter block written here, so that no front-matter from a pull request is
        parsed by MkDocs' own loader or printed by the theme unescaped."""
        for file in files.documentation_pages():
            src = file.src_uri
            if file.generated_by is not None:
                continue
            meta: dict[str, Any] = {}
            if (page := pages.get(src)) is not None:
                meta, body = dict(page.meta), page.body
            elif src in texts or src in documents:
                doc, text = documents.get(src), texts.get(src)
                title = title_of(doc) if doc is not None else (text.title if text else None)
                if title:
                    meta["title"] = html_text(" ".join(title.split()))
                if isinstance(doc, Postmortem) and doc.tags:
                    meta["tags"] = [html_text(tag) for tag in doc.tags]
                body = text.body if text is not None else _UNREAD
            else:
                body = _UNREAD  # a page the checks could not read: the log says why
            source_path = file.abs_src_path
            file.content_string = "---\n" + json.dumps(meta, sort_keys=True) + "\n---\n\n" + body
            # The content is ours; the path stays for plugins that ask git about the file.
            file.abs_src_path = source_path

    def _chart_uri(self, page_src: str) -> Callable[[str], str]:
        return lambda name: links.relative(page_src, f"charts/{name}")

    def _metrics_page(self, renderer: Renderer, page_src: str) -> str:
        assert self.config is not None
        text, charts = insights.metrics_markdown(
            renderer.kb,
            self.config,
            renderer.today,
            renderer.env,
            lambda doc, text=None: renderer.link(page_src, doc, text),
            self._chart_uri(page_src),
        )
        self._charts.extend(charts)
        return text

    def _add_charts(
        self, files: Files, config: MkDocsConfig, renderer: Renderer, taken: dict[str, str]
    ) -> None:
        """Every service page's insight section is rendered here, once per build, so that
        its charts can be added as files; ``on_page_markdown`` appends the section."""
        assert self.config is not None
        self._insights = {}
        for service in renderer.kb.services:
            page_src = renderer.src_uri(service)
            text, charts = insights.service_insights_markdown(
                renderer.kb,
                service,
                self.config,
                renderer.today,
                renderer.env,
                lambda doc, text=None, src=page_src: renderer.link(src, doc, text),
                self._chart_uri(page_src),
            )
            self._insights[page_src] = text
            self._charts.extend(charts)
        for chart in self._charts:
            for name, svg in chart.files().items():
                uri = f"charts/{name}"
                if uri not in taken:
                    files.append(File.generated(config, uri, content=svg))
        self._charts = []

    def _add_api_files(
        self,
        files: Files,
        config: MkDocsConfig,
        kb: KnowledgeBase,
        today: date,
        taken: dict[str, str],
    ) -> None:
        """``api/*.json``, with every page URL as MkDocs serves it (``File.url``)."""
        assert self.config is not None

        def url_of(doc: Document) -> str:
            file = files.get_file_from_path(self._docs_rel(doc.source.path))
            return file.url if file is not None else ""

        for name, text in api.files(kb, self.config, today, url_of).items():
            uri = f"api/{name}"
            if uri in taken:
                log.info(
                    "%s is the team's own file: the generated %s is not added", taken[uri], uri
                )
                continue
            files.append(File.generated(config, uri, content=text))

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig) -> str:
        if self.build is None:
            return markdown
        src = page.file.src_uri
        renderer = self.build.renderer
        doc = self.build.documents.get(src)
        if isinstance(doc, Postmortem):
            markdown = renderer.postmortem_page(doc, markdown)
        elif isinstance(doc, Runbook):
            markdown = renderer.runbook_page(doc, markdown)
        elif isinstance(doc, Service):
            markdown = renderer.service_page(doc, markdown) + self._insights.get(src, "")
        return renderer.wikilinks(markdown, src)

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig) -> str:
        """Every page's content, ours and the team's, through the sanitiser before the
        theme wraps it; what it removes is an ``unsafe-html`` error naming the file."""
        if self.build is None or self.config is None:
            return sanitise.sanitise(html)
        cleaned = sanitise.clean(html)
        src = page.file.src_uri
        if cleaned.removed:
            if page.file.generated_by is not None:
                shown, source, first = f"(generated page) {src}", "", 1
            else:
                shown = self.config.relative(self.config.docs_dir / src)
                source, first = self._source_of(src)
            for removal in cleaned.removed:
                finding = Finding(
                    shown,
                    sanitise.locate(source, removal.needle, first),
                    "body",
                    f"removed from the published page: {removal.describe()}; HTML that can "
                    "run script, load from elsewhere or change the page around it is not "
                    "published (put examples in code blocks)",
                    self.config.level("unsafe-html"),
                    "unsafe-html",
                )
                log.log(_LOG_LEVEL[finding.level], finding.format())
        _safe_title_and_toc(page)
        return _restore_search_weight(cleaned.html, self.build.documents.get(src))

    def _source_of(self, src: str) -> tuple[str, int]:
        assert self.build is not None
        if (page := self.build.pages.get(src)) is not None:
            return page.body, page.body_line
        doc = self.build.documents.get(src)
        text = self.build.texts.get(src)
        if text is not None:
            return text.body, doc.source.body_line if doc is not None else 1
        return "", 1


_UNREAD = "This document could not be read; the build log says why.\n"


def _under(rel: str, refused: frozenset[str]) -> bool:
    """``rel`` is refused, or lies in a refused folder."""
    parts = rel.split("/")
    return any("/".join(parts[: i + 1]) in refused for i in range(len(parts)))


def _safe_title_and_toc(page: Page) -> None:
    """What the theme prints around the content, made inert: a page without a title in its
    front-matter is titled by its first heading or its file name, which Material prints with
    ``striptags`` (entities become markup again) or raw; so every page gets an escaped title
    in its meta. Table-of-contents ids are printed into ``href`` unescaped: one that is not
    a slug points nowhere instead."""
    if "title" not in page.meta and page.title:
        plain = html.unescape(_TAG_RE.sub("", page.title))
        page.meta["title"] = html_text(" ".join(plain.split()))
    stack = list(page.toc)
    while stack:
        link = stack.pop()
        if not sanitise.safe_id(link.id):
            link.id = sanitise.made_safe_id(link.id)
        stack.extend(link.children)


_TAG_RE = re.compile(r"<[^>]*>")


def _restore_search_weight(html: str, doc: Document | None) -> str:
    """The sanitiser drops every ``data-pagefind-*`` attribute, ours too; the postmortem
    card's id gets its search weight back, on the one element our template writes."""
    if not isinstance(doc, Postmortem):
        return html
    ours = f'<span class="ikb-id">{html_text(doc.id)}</span>'
    weighted = f'<span class="ikb-id" data-pagefind-weight="10">{html_text(doc.id)}</span>'
    return html.replace(ours, weighted, 1)
