"""Runbook links from alert annotations: which runbook page (and anchor) a URL reaches.

A URL under the site's URL maps to a runbook page; a URL that fits a configured URL
template maps through ``{alert}`` or ``{id}``; a ``#fragment`` must be an anchor on that
page, as MkDocs (``toc``) or GitHub would render it.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, unquote, urlsplit

import markdown  # type: ignore[import-untyped]

from incident_kb.alerts.rulefiles import AlertRule
from incident_kb.core.config import Config, ConfigError
from incident_kb.core.urltemplate import UrlTemplate
from incident_kb.documents.loading import MARKDOWN_EXTENSIONS
from incident_kb.documents.model import KnowledgeBase, Runbook

#: The Markdown extensions whose output decides a runbook page's anchors.
_ANCHOR_EXTENSIONS = ("toc", "attr_list", "fenced_code", "tables", "admonition", "md_in_html")
_ID_ATTR_RE = re.compile(r"""\sid="([^"]*)\"""")

LinkStatus = Literal["ok", "no-page", "not-runbook", "broken-anchor", "external"]
BROKEN: frozenset[str] = frozenset({"no-page", "not-runbook", "broken-anchor"})


@dataclass(frozen=True)
class Link:
    """A runbook annotation and what it resolved to."""

    alert: str
    path: str
    line: int
    field: str
    url: str
    status: LinkStatus
    runbooks: tuple[Runbook, ...] = ()
    message: str = ""

    @property
    def broken(self) -> bool:
        return self.status in BROKEN


def _origin(parts: SplitResult) -> tuple[str, int | None]:
    """Host and port, a default port (``:443`` on https) left out: the same site. http and
    https count as one site, since a runbook link written either way reaches the page."""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port == {"http": 80, "https": 443}.get(parts.scheme.lower()):
        port = None
    return (parts.hostname or "").lower(), port


def parse_templates(texts: Iterable[str], where: str) -> tuple[UrlTemplate, ...]:
    """Templates, or ConfigError naming ``where`` (a config key or an option)."""
    templates = []
    for text in texts:
        try:
            templates.append(UrlTemplate.parse(text))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return tuple(templates)


def page_anchors(body: str) -> frozenset[str]:
    """Every id on a page rendered from ``body``, as MkDocs' toc extension makes them:
    heading slugs (``markdown.extensions.toc.slugify``, repeated ones ``_1``, ``_2``) and
    explicit ``{#id}`` attribute lists."""
    md = markdown.Markdown(extensions=list(_ANCHOR_EXTENSIONS))
    rendered = md.convert(body)
    return frozenset(html.unescape(m) for m in _ID_ATTR_RE.findall(rendered))


def github_anchors(body: str) -> frozenset[str]:
    """Heading anchors as GitHub makes them (for runbooks published through a template)."""
    md = markdown.Markdown(extensions=list(_ANCHOR_EXTENSIONS))
    md.convert(body)
    anchors: set[str] = set()
    counts: dict[str, int] = defaultdict(int)

    def walk(tokens: list[dict[str, Any]]) -> None:
        for token in tokens:
            text = html.unescape(str(token.get("name", ""))).strip().lower()
            slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
            n = counts[slug]
            counts[slug] += 1
            anchors.add(slug if n == 0 else f"{slug}-{n}")
            walk(token.get("children", []))

    walk(getattr(md, "toc_tokens", []))
    return frozenset(anchors)


#: (alert, path, line, field, url): the first fields of a Link.
_Where = tuple[str, str, int, str, str]


class Resolver:
    """Maps runbook URLs to runbooks of one knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        config: Config,
        templates: Sequence[UrlTemplate] = (),
        site_url: str | None = None,
    ) -> None:
        self.kb = kb
        self.config = config
        self.templates = tuple(templates)
        self.site_url = site_url
        self.pages: dict[str, Runbook] = {}
        self.by_alert: dict[str, list[Runbook]] = defaultdict(list)
        for rb in kb.runbooks:
            rel = self.docs_rel(rb)
            if rel is not None:
                self.pages.setdefault(rel, rb)
            for alert in rb.alerts:
                self.by_alert[alert].append(rb)
        self._anchors: dict[tuple[str, bool], frozenset[str]] = {}

    def docs_rel(self, rb: Runbook) -> str | None:
        """``runbooks/auth/x`` for docs/runbooks/auth/x.md: the page's path without suffix."""
        try:
            rel = (self.config.root / rb.source.path).relative_to(self.config.docs_dir)
        except ValueError:
            return None
        text = rel.as_posix()
        for ext in MARKDOWN_EXTENSIONS:
            if text.endswith(ext):
                return text[: -len(ext)]
        return None

    def anchors(self, rb: Runbook, github: bool) -> frozenset[str]:
        key = (rb.source.path, github)
        if key not in self._anchors:
            found = page_anchors(rb.body)
            if github:
                found |= github_anchors(rb.body)
            self._anchors[key] = found
        return self._anchors[key]

    def _site_path(self, url: str) -> str | None:
        """The page path of a URL under the site's URL (``runbooks/auth/x``), else None."""
        if not self.site_url:
            return None
        try:
            base, parts = urlsplit(self.site_url), urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or base.scheme.lower() not in (
            "http",
            "https",
        ):
            return None
        if _origin(parts) != _origin(base):
            return None
        prefix = base.path.rstrip("/") + "/"
        path = parts.path or "/"
        if path + "/" == prefix:
            rel = ""
        elif path.startswith(prefix):
            rel = unquote(path[len(prefix) :])
        else:
            return None
        if rel == "index.html" or rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        rel = rel.rstrip("/")
        if rel.endswith(".html"):
            rel = rel[: -len(".html")]
        if rel.startswith("/") or any(part in (".", "..") for part in rel.split("/")):
            return f"\0{rel}"  # a path no page can have: never looked up on disk
        return rel

    def resolve(self, rule: AlertRule, key: str, url: str) -> Link:
        where: _Where = (
            rule.name,
            rule.path,
            rule.annotation_line(key),
            f"{rule.field}.annotations.{key}",
            url,
        )
        fragment = unquote(url.split("#", 1)[1]) if "#" in url else ""
        page = self._site_path(url)
        if page is not None:
            rb = self.pages.get(page)
            if rb is None:
                return Link(
                    *where, status=self._missing_status(page), message=self._missing(page, url)
                )
            return self._anchored(where, (rb,), fragment, github=False)
        for template in self.templates:
            values = template.match(url)
            if values is None:
                continue
            found = self._by_template(values)
            if not found:
                wanted = " and ".join(
                    f"id '{values['id']}'" if k == "id" else f"alert {values['alert']}"
                    for k in sorted(values)
                )
                return Link(
                    *where,
                    status="no-page",
                    message=f"{url} fits the URL template {template.text} but no runbook has "
                    f"{wanted}",
                )
            return self._anchored(where, found, fragment, github=True)
        where_kb = f"not under {self.site_url}" if self.site_url else "no site_url is set"
        return Link(
            *where,
            status="external",
            message=f"{url} is outside the knowledge base ({where_kb}, and no URL template "
            "fits): not checked, not counted as covered",
        )

    def _by_template(self, values: dict[str, str]) -> tuple[Runbook, ...]:
        found: list[Runbook] | None = None
        if "id" in values:
            found = [rb for rb in self.kb.runbooks if rb.id == values["id"]]
        if "alert" in values:
            by_alert = self.by_alert.get(values["alert"], [])
            found = by_alert if found is None else [rb for rb in found if rb in by_alert]
        return tuple(sorted(found or [], key=lambda rb: (rb.id, rb.source.path)))

    def _missing_status(self, page: str) -> LinkStatus:
        if "\0" in page:
            return "no-page"
        docs = self.config.docs_dir
        exists = any((docs / f"{page}{ext}").is_file() for ext in MARKDOWN_EXTENSIONS) or any(
            (docs / page / name).is_file() for name in ("index.md", "README.md")
        )
        return "not-runbook" if exists else "no-page"

    def _missing(self, page: str, url: str) -> str:
        if self._missing_status(page) == "not-runbook":
            runbooks = self.config.runbooks + "/"
            if page.startswith(runbooks) and not page.endswith(("/index", "/README")):
                return (
                    f"{url} points at {page}, which is not a valid runbook "
                    "(run incident-kb validate)"
                )
            return f"{url} points at the page {page or '(home)'}, which is not a runbook"
        page = page.replace("\0", "")
        close = difflib.get_close_matches(page, list(self.pages), n=1)
        base = (self.site_url or "").rstrip("/") + "/"
        hint = f" (did you mean {base}{close[0]}/?)" if close and self.site_url else ""
        return f"{url} points at no page of the site{hint}"

    def _anchored(
        self, where: _Where, runbooks: tuple[Runbook, ...], fragment: str, *, github: bool
    ) -> Link:
        if not fragment or any(fragment in self.anchors(rb, github) for rb in runbooks):
            ids = ", ".join(rb.id for rb in runbooks)
            return Link(*where, status="ok", runbooks=runbooks, message=f"runbook {ids}")
        rb = runbooks[0]
        known = sorted(self.anchors(rb, False))
        close = difflib.get_close_matches(fragment, known, n=1)
        hint = f" (did you mean #{close[0]}?)" if close else ""
        return Link(
            *where,
            status="broken-anchor",
            runbooks=runbooks,
            message=f"#{fragment} is not an anchor on runbook {rb.id} ({rb.source.path}){hint}",
        )


# -- coverage ----------------------------------------------------------------------------
