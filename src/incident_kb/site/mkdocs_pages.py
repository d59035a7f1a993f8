"""What the adapter does to MkDocs' own objects: files, page sources, titles and ids.

Kept apart from ``adapter`` so that each event handler there is a short list of steps.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from incident_kb.checks.validate import Result
from incident_kb.core.config import Config
from incident_kb.core.escaping import html_text
from incident_kb.core.findings import Finding
from incident_kb.documents import schema
from incident_kb.documents.loading import PageText, kind_of
from incident_kb.documents.model import Document, Postmortem, title_of
from incident_kb.documents.pagemeta import OrdinaryPage
from incident_kb.site import sanitise, search

log = logging.getLogger("mkdocs.plugins.incident_kb")
#: Our style sheets.
ASSETS = ("assets/incident-kb.css", "assets/status.css")
UNREAD = "This document could not be read; the build log says why.\n"
_TAG_RE = re.compile(r"<[^>]*>")


def under(rel: str, refused: frozenset[str]) -> bool:
    """``rel`` is refused, or lies in a refused folder."""
    parts = rel.split("/")
    return any("/".join(parts[: i + 1]) in refused for i in range(len(parts)))


def meta_and_body(
    doc: Document | None, text: PageText | None, page: OrdinaryPage | None
) -> tuple[dict[str, Any], str]:
    """The front-matter we write for a Markdown page (escaped title and tags only) and its
    body as the checks read it; a page the checks could not read says so."""
    if page is not None:
        return dict(page.meta), page.body
    meta: dict[str, Any] = {}
    title = title_of(doc) if doc is not None else (text.title if text else None)
    if title:
        meta["title"] = html_text(" ".join(title.split()))
    if isinstance(doc, Postmortem) and doc.tags:
        meta["tags"] = [html_text(tag) for tag in doc.tags]
    return meta, text.body if text is not None else UNREAD


def source(meta: dict[str, Any], body: str) -> str:
    """A page's source for MkDocs: a front-matter block written here, then the body."""
    return "---\n" + json.dumps(meta, sort_keys=True) + "\n---\n\n" + body


@dataclass(frozen=True)
class Sources:
    """Every Markdown page of the team's, by URI: the documents among them, the front-matter
    we write for each, and its body with the line the body starts on."""

    documents: dict[str, Document]
    metas: dict[str, dict[str, Any]]
    bodies: dict[str, tuple[str, int]]


def drop_refused(files: Files, docs_dir: str, refused: frozenset[str]) -> None:
    """MkDocs follows links: what the docs tree check refused, and everything MkDocs found
    below a refused folder (a link to one), is not published."""
    docs = os.path.abspath(docs_dir)  # noqa: PTH100 - keeps links, as MkDocs does
    for file in list(files):
        from_docs = file.src_dir is not None and os.path.abspath(file.src_dir) == docs  # noqa: PTH100
        if from_docs and under(file.src_uri, refused):
            files.remove(file)


def read_sources(files: Files, result: Result, config: Config) -> Sources:
    """Each Markdown page as the checks read it; documents stay out of the automatic
    navigation (the generated index pages list them), so a page does not grow with them."""
    rel = config.docs_relative
    kb = result.kb
    documents = {rel(d.source.path): d for d in (*kb.identified(), *filter(None, [kb.policy]))}
    texts = {rel(path): text for path, text in result.texts.items()}
    ordinary = {rel(path): page for path, page in result.pages.items()}
    metas, bodies = {}, {}
    for file in files.documentation_pages():
        if file.generated_by is not None:
            continue
        src, doc, page = file.src_uri, documents.get(file.src_uri), ordinary.get(file.src_uri)
        metas[src], body = meta_and_body(doc, texts.get(src), page)
        bodies[src] = (body, page.body_line if page else doc.source.body_line if doc else 1)
        if kind_of(src, config) in ("postmortem", "runbook", "service"):
            file.inclusion = InclusionLevel.NOT_IN_NAV
    return Sources(documents, metas, bodies)


def set_sources(files: Files, sources: Sources, markdown: dict[str, str]) -> None:
    """Every Markdown page's source as MkDocs will read it: ``markdown`` after a
    front-matter block written here, so that no front-matter from a pull request is parsed
    by MkDocs' own loader or printed by the theme unescaped."""
    for file in files.documentation_pages():
        if file.src_uri in markdown:
            path = file.abs_src_path  # the content is ours; the path stays for plugins
            file.content_string = source(sources.metas[file.src_uri], markdown[file.src_uri])
            file.abs_src_path = path


def add_generated(
    files: Files,
    mkdocs: MkDocsConfig,
    config: Config,
    pages: dict[str, str],
    other: dict[str, str],
    engine: str,
) -> None:
    """Generated pages and files, then our own assets and schemas (the docs tree check
    refuses a team file at those paths). A team's page or file of the same name wins,
    never silently: it could stand in for the status page or an index."""
    taken = {file.dest_uri: file.src_uri for file in files}
    for uri, content in (*pages.items(), *other.items()):
        file = File.generated(mkdocs, uri, content=content)
        if file.dest_uri not in taken:
            files.append(file)
            continue
        what = "page" if uri in pages else "file"
        log.log(
            logging.WARNING,
            "%s replaces the generated %s %s (rename it, or remove it to get the generated "
            "one back)",
            config.relative(config.docs_dir / taken[file.dest_uri]),
            what,
            uri,
        )
    package = resources.files("incident_kb.site")
    search_files = [search.SCRIPT_URI] if engine == "pagefind" else []
    for uri in (*ASSETS, *search_files):
        files.append(File.generated(mkdocs, uri, content=package.joinpath(uri).read_bytes()))
    schemas = resources.files("incident_kb.documents").joinpath("schemas")
    for name in schema.schema_names():
        data = schemas.joinpath(name).read_bytes()
        files.append(File.generated(mkdocs, f"schemas/{name}", content=data))


def removed_html(
    cleaned: sanitise.Cleaned, shown: str, body: str, first_line: int, config: Config
) -> list[Finding]:
    """An ``unsafe-html`` error for each thing the sanitiser removed from a page."""
    return [
        Finding(
            shown,
            sanitise.locate(body, removal.needle, first_line),
            "body",
            f"removed from the published page: {removal.describe()}; HTML that can "
            "run script, load from elsewhere or change the page around it is not "
            "published (put examples in code blocks)",
            config.level("unsafe-html"),
            "unsafe-html",
        )
        for removal in cleaned.removed
    ]


def safe_title_and_toc(page: Page) -> None:
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


def restore_search_weight(html_: str, doc: Document | None) -> str:
    """The sanitiser drops every ``data-pagefind-*`` attribute, ours too; the postmortem
    card's id gets its search weight back, on the one element our template writes."""
    if not isinstance(doc, Postmortem):
        return html_
    ours = f'<span class="ikb-id">{html_text(doc.id)}</span>'
    weighted = f'<span class="ikb-id" data-pagefind-weight="10">{html_text(doc.id)}</span>'
    return html_.replace(ours, weighted, 1)
