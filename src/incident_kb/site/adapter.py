"""The knowledge base's part in a MkDocs build: MkDocs events in, the package's answers out.

``on_files`` runs the checks and computes the facts once per build (``mkdocs serve``
included), logs every finding through ``mkdocs.plugins.incident_kb`` (so ``--strict``
counts them), drops what must not be published, and hands (facts, templates, links) to
``pages.generate``; its Markdown reaches MkDocs through ``File.content_string`` and
``File.generated``. Every page's HTML passes the sanitiser in ``on_page_content``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from incident_kb.core import logsafety, timeutil
from incident_kb.core.config import Config, ConfigError
from incident_kb.core.config import load as load_config
from incident_kb.core.findings import Level
from incident_kb.documents.model import Document
from incident_kb.figures.facts import Facts, analyse
from incident_kb.site import mkdocs_pages, sanitise, search
from incident_kb.site.pages import Links, generate
from incident_kb.site.render import environment

log = logging.getLogger("mkdocs.plugins.incident_kb")
#: The Markdown extensions the generated Markdown relies on.
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables")
_LOG_LEVEL = {
    Level.ERROR: logging.ERROR,
    Level.WARNING: logging.WARNING,
    Level.NOTICE: logging.INFO,
}


@dataclass(frozen=True)
class _Build:
    """What one build knows after ``on_files``: its facts and the team's pages."""

    facts: Facts
    sources: mkdocs_pages.Sources


class Site:
    """Hands MkDocs events to the package; per-build state is one ``_Build``."""

    def __init__(self) -> None:
        self.config: Config | None = None
        self.build: _Build | None = None
        #: The search the site gets ("pagefind" or "material"), decided in on_config.
        self.engine = "pagefind"
        #: The plugin's ``external_fonts`` option: keep the theme's web fonts.
        self.external_fonts = False

    def on_config(self, config: MkDocsConfig, root: Path | None = None) -> MkDocsConfig:
        """``root``: the knowledge base's root (default: the folder of mkdocs.yml)."""
        logsafety.install()
        root = root if root is not None else Path(config.config_file_path).parent
        try:
            self.config = load_config(root)
            self.engine, warnings = search.configure(config, self.config.search_engine)
        except (ConfigError, search.SearchError) as exc:
            raise PluginError(str(exc)) from None
        for warning in warnings:
            log.warning(warning)
        if config.theme.name == "material" and not self.external_fonts:
            config.theme["font"] = False  # the site loads nothing from outside itself
        if Path(config.docs_dir).resolve() != self.config.docs_dir.resolve():
            raise PluginError(
                f"incident-kb reads documents from {self.config.docs_dir} but MkDocs builds "
                f"{config.docs_dir}: set the same docs_dir in incident-kb.toml and mkdocs.yml"
            )
        config.markdown_extensions += [
            e for e in REQUIRED_EXTENSIONS if e not in config.markdown_extensions
        ]
        config.extra_css += [uri for uri in mkdocs_pages.ASSETS if uri not in config.extra_css]
        # mkdocs serve rebuilds when these change too, not only docs_dir and mkdocs.yml.
        for path in (root / "incident-kb.toml", root / "templates" / "site"):
            if path.exists() and str(path) not in config.watch:
                config.watch.append(str(path))
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        kb_config = self.config
        if kb_config is None:  # pragma: no cover - MkDocs always calls on_config first
            raise PluginError("incident-kb: on_files before on_config")
        theme_files = [str(uri) for uri in (*config.extra_css, *config.extra_javascript)]
        try:
            result, facts = analyse(kb_config, timeutil.today(None), theme_files)
        except ConfigError as exc:  # e.g. [alerts] rules matching too many files
            raise PluginError(str(exc)) from None
        for finding in (*result.findings, *facts.findings):
            log.log(_LOG_LEVEL[finding.level], finding.format())
        mkdocs_pages.drop_refused(files, config.docs_dir, result.tree.refused)
        sources = mkdocs_pages.read_sources(files, result, kb_config)

        def url_of(doc: Document) -> str:
            file = files.get_file_from_path(kb_config.docs_relative(doc.source.path))
            return file.url if file is not None else ""

        override = kb_config.root / "templates" / "site"
        env = environment(override if override.is_dir() else None)
        where = Links(lambda doc: kb_config.docs_relative(doc.source.path), url_of)
        bodies = {src: body for src, (body, _line) in sources.bodies.items()}
        tags = "material/tags" in config.plugins
        if not tags:
            log.info("no tags page: the site lists no `tags` plugin, which fills one in")
        out = generate(facts, env, where, bodies, sources.documents, config.site_name, tags=tags)
        mkdocs_pages.set_sources(files, sources, out.sources)
        mkdocs_pages.add_generated(files, config, kb_config, out.pages, out.files, self.engine)
        self.build = _Build(facts, sources)
        return files

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig) -> str:
        """Every page's content, ours and the team's, through the sanitiser before the
        theme wraps it; what it removes is an ``unsafe-html`` error naming the file."""
        if self.build is None or self.config is None:
            return sanitise.sanitise(html)
        cleaned, src = sanitise.clean(html), page.file.src_uri
        if page.file.generated_by is not None:
            shown, (body, first) = f"(generated page) {src}", ("", 1)
        else:
            shown, (body, first) = (
                self.config.relative(self.config.docs_dir / src),
                self.build.sources.bodies.get(src, ("", 1)),
            )
        for finding in mkdocs_pages.removed_html(cleaned, shown, body, first, self.config):
            log.log(_LOG_LEVEL[finding.level], finding.format())
        mkdocs_pages.safe_title_and_toc(page)
        return mkdocs_pages.restore_search_weight(
            cleaned.html, self.build.sources.documents.get(src)
        )

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Index the written site for the Pagefind search."""
        if self.config is None or self.engine != "pagefind":
            return
        try:
            search.index_site(
                Path(config.site_dir), pages_per_bundle=self.config.search_pages_per_bundle
            )
        except search.SearchError as exc:
            raise PluginError(str(exc)) from None
