"""Everything a build adds to the site, as one pure function of (facts, templates, links).

``generate`` returns the generated pages (Markdown), every Markdown page's source with the
card, banners, sections and ``[[ID]]`` links added, and the other files (API, charts, feed).
It never touches a MkDocs object: the adapter (``site.adapter``) turns MkDocs' files into
``Links`` and the result into ``File.generated`` and ``File.content_string``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jinja2

from incident_kb.core.escaping import Md
from incident_kb.documents.model import Document, Postmortem, Runbook, Service
from incident_kb.figures.facts import Facts
from incident_kb.site import api, links, metrics, statuspage
from incident_kb.site.charts import Chart
from incident_kb.site.render import Renderer, coverage_page


@dataclass(frozen=True)
class Links:
    """Where documents live: ``src_uri`` is a document's path under docs_dir, ``url_of``
    its page URL as MkDocs serves it ("" when it has none)."""

    src_uri: Callable[[Document], str]
    url_of: Callable[[Document], str]


@dataclass(frozen=True)
class Output:
    #: Generated page URI -> its Markdown.
    pages: dict[str, str] = field(default_factory=dict)
    #: A Markdown page's URI -> its source with our additions (documents and ordinary pages).
    sources: dict[str, str] = field(default_factory=dict)
    #: Other generated files by URI: ``api/*.json``, ``charts/*.svg``, ``status/feed.xml``.
    files: dict[str, str] = field(default_factory=dict)


def _chart_uri(page_src: str, pre: str) -> Callable[[str], str]:
    return lambda name: links.relative(page_src, f"{pre}charts/{name}")


def generate(
    facts: Facts,
    env: jinja2.Environment,
    where: Links,
    bodies: Mapping[str, str],
    documents: Mapping[str, Document],
    site_name: str,
    *,
    tags: bool = True,
) -> Output:
    """Every generated page and file, and every Markdown page's source.

    ``bodies``: each Markdown page's body by URI, as read by the checks; ``documents``: the
    documents among them by URI. ``site_name`` titles the status feed. ``tags``: the site
    has Material's tags plugin, which fills in the tags page (no tags page without it).
    The pages and files of no document folder go under ``[site] prefix``.
    """
    config = facts.config
    pre = f"{config.site_prefix.strip('/')}/" if config.site_prefix.strip("/") else ""
    renderer = Renderer(facts, where.src_uri, env)
    out = Output()
    charts: list[Chart] = []

    def link_from(src: str) -> Callable[..., Md]:
        return lambda doc, text=None: renderer.link(src, doc, text)

    index_pages: dict[str, Callable[[str], str]] = {
        f"{config.postmortems}/index.md": renderer.postmortems_index,
        f"{config.runbooks}/index.md": renderer.runbooks_index,
        f"{config.services}/index.md": renderer.services_index,
        f"{pre}action-items.md": renderer.action_items_page,
        f"{config.runbooks}/stale.md": renderer.stale_page,
    }
    if tags:
        index_pages[f"{pre}tags.md"] = lambda _src: renderer.tags_page()
    for uri, page in index_pages.items():
        out.pages[uri] = page(uri)
    metrics_uri, status_uri = f"{pre}metrics.md", f"{pre}status/index.md"
    metrics_text, shown = metrics.metrics_markdown(
        facts, env, link_from(metrics_uri), _chart_uri(metrics_uri, pre)
    )
    out.pages[metrics_uri] = metrics_text
    charts += shown
    out.pages[status_uri] = statuspage.status_page_markdown(
        facts.status, facts.today, env, lambda pm: renderer.link(status_uri, pm)
    )
    alerts = f"{pre}alerts/index.md"
    if facts.coverage is not None:
        out.pages[alerts] = coverage_page(facts.coverage, lambda rb: renderer.link(alerts, rb), env)
    else:
        out.pages[alerts] = env.get_template("alerts-unconfigured.md.j2").render()

    for src, body in bodies.items():
        doc = documents.get(src)
        if isinstance(doc, Postmortem):
            body = renderer.postmortem_page(doc, body)
        elif isinstance(doc, Runbook):
            body = renderer.runbook_page(doc, body)
        elif isinstance(doc, Service):
            section, shown = metrics.service_insights_markdown(
                facts, doc, env, link_from(src), _chart_uri(src, pre)
            )
            body = renderer.service_page(doc, body) + section
            charts += shown
        out.sources[src] = renderer.wikilinks(body, src)

    for name, text in api.files(facts, where.url_of).items():
        out.files[f"{pre}api/{name}"] = text
    for chart in charts:
        for name, svg in chart.files().items():
            out.files[f"{pre}charts/{name}"] = svg
    up = "../" * (pre.count("/") + 1)  # from the feed's folder to the site's root

    def postmortem_href(pm: Postmortem) -> str:
        url = where.url_of(pm)
        return f"{up}{url}" if url else ""

    out.files[f"{pre}status/feed.xml"] = statuspage.feed_xml(
        facts.status, facts.today, postmortem_href, title=f"{site_name}: status"
    )
    return out
