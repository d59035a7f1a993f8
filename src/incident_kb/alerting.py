"""Alert coverage: which alerting rules lead a responder to a runbook, and which do not.

Rule files are Prometheus rule files (``groups[].rules[]``) or Kubernetes ``PrometheusRule``
manifests (``spec.groups``), several YAML documents per file, ``kind: List`` included.
Every alerting rule is matched with runbooks two ways:

* its runbook annotation (configurable keys, the first present one counts): a URL under the
  site's URL maps to a runbook page, a URL that fits a configured URL template maps through
  ``{alert}`` or ``{id}``, and a ``#fragment`` must be an anchor on that page;
* the ``alerts:`` lists in runbook front-matter.

An alert (a name; several rules may define it) has a working runbook when at least one
runbook answers it and none of its annotations is broken. Coverage is alerts with a
working runbook / alerts. Rule files are repository files, but a broken one is a finding,
never a traceback: the reader is bounded (size, nesting, number of rules).
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, unquote, urlsplit

import jinja2
import markdown  # type: ignore[import-untyped]

from . import report
from .alertrules import (
    AlertRule,
    RuleSet,
    configured_rule_files,
    defined_alerts,
    expand_rule_paths,
    load_rules,
    parse_rules,
)
from .cliutil import UsageError, kb_root
from .config import CONFIG_NAME, Config, ConfigError
from .config import load as load_config
from .escaping import Md, md_text
from .findings import Finding, Findings, Level
from .loading import MARKDOWN_EXTENSIONS, load_knowledge_base
from .model import KnowledgeBase, Runbook
from .render import render_page

FORMATS = ("text", "json", "markdown", "github")
#: The Markdown extensions whose output decides a runbook page's anchors.
_ANCHOR_EXTENSIONS = ("toc", "attr_list", "fenced_code", "tables", "admonition", "md_in_html")
_ID_ATTR_RE = re.compile(r"""\sid="([^"]*)\"""")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")

LinkStatus = Literal["ok", "no-page", "not-runbook", "broken-anchor", "external"]
BROKEN: frozenset[str] = frozenset({"no-page", "not-runbook", "broken-anchor"})
State = Literal["covered", "broken", "external", "missing"]


# -- the model ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class AlertCoverage:
    """One alert name: its definitions, its annotation links and the runbooks listing it."""

    name: str
    rules: tuple[AlertRule, ...]
    links: tuple[Link, ...] = ()
    listed_by: tuple[Runbook, ...] = ()

    @property
    def runbooks(self) -> tuple[Runbook, ...]:
        """Every runbook that answers this alert, by id (annotation targets and listings)."""
        found: dict[tuple[str, str], Runbook] = {}
        for link in self.links:
            if link.status == "ok":
                for rb in link.runbooks:
                    found.setdefault((rb.id, rb.source.path), rb)
        for rb in self.listed_by:
            found.setdefault((rb.id, rb.source.path), rb)
        return tuple(found[key] for key in sorted(found))

    @property
    def state(self) -> State:
        if any(link.broken for link in self.links):
            return "broken"
        if self.runbooks:
            return "covered"
        if self.links:
            return "external"
        return "missing"

    @property
    def covered(self) -> bool:
        return self.state == "covered"

    @property
    def severities(self) -> str:
        return ", ".join(sorted({r.severity for r in self.rules if r.severity}))


@dataclass(frozen=True)
class Orphan:
    """A runbook answers an alert that no checked rule defines."""

    runbook: Runbook
    alert: str
    line: int


@dataclass(frozen=True)
class Duplicate:
    """An alert name defined by more than one rule."""

    name: str
    rules: tuple[AlertRule, ...]
    #: Two of the definitions carry the same labels: they are one alert defined twice.
    same_labels: bool
    #: Label keys whose values differ between definitions (``severity`` usually).
    differing: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Coverage:
    """The whole answer of ``alerts check``: a function of (rule files, knowledge base)."""

    rule_set: RuleSet
    alerts: tuple[AlertCoverage, ...]
    orphans: tuple[Orphan, ...]
    duplicates: tuple[Duplicate, ...]
    findings: tuple[Finding, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return self.rule_set.files

    @property
    def total(self) -> int:
        return len(self.alerts)

    @property
    def rule_count(self) -> int:
        return len(self.rule_set.rules)

    @property
    def covered(self) -> int:
        return sum(1 for a in self.alerts if a.covered)

    @property
    def ratio(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def percent_text(self) -> Md:
        """``85.0%`` or ``n/a``: built from numbers, so safe to print as it is."""
        ratio = self.ratio
        return Md("n/a" if ratio is None else f"{ratio * 100:.1f}%")

    @property
    def without_runbook(self) -> tuple[AlertCoverage, ...]:
        return tuple(a for a in self.alerts if a.state in ("missing", "external"))

    @property
    def broken_links(self) -> tuple[Link, ...]:
        return tuple(link for a in self.alerts for link in a.links if link.broken)

    def below(self, min_percent: float | None) -> bool:
        """Coverage is under ``min_percent``; no alert at all counts as below any minimum."""
        if min_percent is None:
            return False
        if not self.total:
            return True
        return self.covered * 100 < min_percent * self.total

    def failed(self, *, strict: bool = False, min_percent: float | None = None) -> bool:
        """Exit 1: an error (a broken link, an unreadable rule file), a warning with
        ``strict``, or coverage below ``min_percent``."""
        levels = {f.level for f in self.findings}
        return (
            Level.ERROR in levels or (strict and Level.WARNING in levels) or self.below(min_percent)
        )


# -- reading rule files ------------------------------------------------------------------


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


@dataclass(frozen=True)
class UrlTemplate:
    """A place runbooks are published: ``https://host/runbooks/{alert}.md`` or ``{id}``."""

    text: str
    pattern: re.Pattern[str]
    placeholders: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> UrlTemplate:
        """Raises ValueError for an unknown placeholder or none at all."""
        parts: list[str] = []
        literals: list[str] = []
        used: set[str] = set()
        last = 0
        for m in _PLACEHOLDER_RE.finditer(text):
            name = m.group(1)
            if name not in ("alert", "id"):
                raise ValueError(f"{text}: unknown placeholder {{{name}}}: use {{alert}} or {{id}}")
            literals.append(text[last : m.start()])
            parts.append(re.escape(literals[-1]))
            parts.append(f"(?P={name})" if name in used else f"(?P<{name}>[^/?#]+)")
            used.add(name)
            last = m.end()
        if not used:
            raise ValueError(f"{text}: needs {{alert}} or {{id}}")
        literals.append(text[last:])
        parts.append(re.escape(literals[-1]))
        if any("{" in lit or "}" in lit for lit in literals):
            raise ValueError(f"{text}: unbalanced braces")
        return cls(text, re.compile("".join(parts)), frozenset(used))

    def match(self, url: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(url.split("#", 1)[0])
        return {k: unquote(v) for k, v in m.groupdict().items()} if m else None

    def expand(self, *, alert: str = "", doc_id: str = "") -> str:
        return self.text.replace("{alert}", alert).replace("{id}", doc_id)


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


def _in_order(findings: Findings) -> tuple[Finding, ...]:
    """Every finding, sorted, none summed up: the report's point is the full list (rule-file
    problems were already capped per file when read)."""
    return tuple(sorted(set(findings.items), key=lambda f: (f.path, f.line, f.field, f.message)))


def _link_for(rule: AlertRule, keys: Sequence[str], resolver: Resolver) -> Link | None:
    for key in keys:
        value = (rule.annotation(key) or "").strip()
        if value:
            return resolver.resolve(rule, key, value)
    return None


def compute(
    rule_set: RuleSet,
    kb: KnowledgeBase,
    config: Config,
    *,
    templates: Sequence[UrlTemplate] = (),
    annotation_keys: Sequence[str] | None = None,
    site_url: str | None = None,
) -> Coverage:
    """Coverage of these rules by this knowledge base's runbooks (a pure function)."""
    keys = tuple(annotation_keys) if annotation_keys is not None else config.annotation_keys
    resolver = Resolver(kb, config, templates, site_url)
    findings = Findings()
    findings.extend(rule_set.problems)
    by_name: dict[str, list[AlertRule]] = defaultdict(list)
    for rule in rule_set.rules:
        by_name[rule.name].append(rule)

    alerts = []
    for name in sorted(by_name):
        rules = by_name[name]
        links = tuple(link for r in rules if (link := _link_for(r, keys, resolver)) is not None)
        listed = tuple(resolver.by_alert.get(name, ()))
        entry = AlertCoverage(name, tuple(rules), links, listed)
        alerts.append(entry)
        for link in links:
            if link.broken:
                findings.add(
                    link.path, link.line, link.field, f"{name}: {link.message}", rule="alert-link"
                )
            elif link.status == "external":
                findings.add(
                    link.path,
                    link.line,
                    link.field,
                    f"{name}: {link.message}",
                    level=Level.NOTICE,
                    rule="alert-link",
                )
            else:
                for rb in link.runbooks:
                    if name not in rb.alerts:
                        findings.add(
                            link.path,
                            link.line,
                            link.field,
                            f"{name}: the runbook {rb.id} does not list {name} in its alerts "
                            f"({rb.source.path}:{rb.source.line('alerts')})",
                            level=Level.NOTICE,
                            rule="alert-link",
                        )
        if entry.state in ("missing", "external"):
            first = rules[0]
            how = " or ".join(keys) if keys else "runbook"
            why = (
                f"its {how} points outside the knowledge base"
                if entry.state == "external"
                else f"no {how} annotation"
            )
            findings.add(
                first.path,
                first.line,
                f"{first.field}.alert",
                f"{name} has no runbook: {why}, and no runbook lists it in its alerts",
                level=Level.WARNING,
                rule="alert-no-runbook",
            )

    duplicates = []
    for name in sorted(by_name):
        rules = by_name[name]
        if len(rules) < 2:
            continue
        label_sets = [tuple(sorted(r.labels)) for r in rules]
        same = len(set(label_sets)) < len(label_sets)
        keys_all = sorted({k for r in rules for k, _ in r.labels})
        differing = tuple(
            (k, tuple(sorted({dict(r.labels).get(k, "") for r in rules})))
            for k in keys_all
            if len({dict(r.labels).get(k, "") for r in rules}) > 1
        )
        duplicates.append(Duplicate(name, tuple(rules), same, differing))
        for index in range(1, len(rules)):
            other = rules[index]
            twin = next(
                (rules[i] for i in range(index) if label_sets[i] == label_sets[index]), None
            )
            if twin is not None:
                message = f"{name} is also defined at {twin.location} with the same labels"
            else:
                shown = "; ".join(
                    f"{k}: {', '.join(v or '(none)' for v in vals)}" for k, vals in differing
                )
                message = f"{name} is also defined at {rules[0].location} (labels differ: {shown})"
            findings.add(
                other.path,
                other.line,
                f"{other.field}.alert",
                message,
                level=Level.WARNING if twin is not None else Level.NOTICE,
                rule="alert-duplicate",
            )

    files = len(rule_set.files)
    checked = f"{files} checked rule file{'' if files == 1 else 's'}"
    orphans = []
    for rb in kb.runbooks:
        for index, alert in enumerate(rb.alerts):
            if alert not in by_name:
                line = rb.source.line(f"alerts[{index}]")
                orphans.append(Orphan(rb, alert, line))
                findings.add(
                    rb.source.path,
                    line,
                    f"alerts[{index}]",
                    f"{alert} is defined by no rule in the {checked}: the runbook is stale for it",
                    level=Level.WARNING,
                    rule="alert-orphan",
                )
    if not rule_set.rules:
        findings.add(
            rule_set.files[0] if rule_set.files else CONFIG_NAME,
            1,
            "(file)",
            f"no alerting rule in the {checked}",
            level=Level.WARNING,
            rule="alert-rules",
        )
    return Coverage(rule_set, tuple(alerts), tuple(orphans), tuple(duplicates), _in_order(findings))


def configured_coverage(config: Config, kb: KnowledgeBase) -> Coverage | None:
    """Coverage from the configuration alone (for the site); None when no rules are set.
    Raises ConfigError for an invalid URL template."""
    if not config.alert_rules:
        return None
    paths, problems = configured_rule_files(config)
    rule_set = load_rules(paths, config.relative, problems)
    templates = parse_templates(config.url_templates, "incident-kb.toml: alerts.url_templates")
    return compute(rule_set, kb, config, templates=templates, site_url=config.site_url)


# -- output ------------------------------------------------------------------------------


def summary(coverage: Coverage, min_percent: float | None = None) -> str:
    def plural(n: int, word: str, plural_word: str | None = None) -> str:
        return f"{n} {word if n == 1 else plural_word or word + 's'}"

    text = (
        f"alerts: {coverage.covered} of {plural(coverage.total, 'alert')} have a working "
        f"runbook ({coverage.percent_text}); {len(coverage.without_runbook)} without a "
        f"runbook, {plural(len(coverage.broken_links), 'broken link')}, "
        f"{plural(len(coverage.orphans), 'runbook alert')} defined by no rule, "
        f"{len(coverage.duplicates)} defined more than once "
        f"({plural(coverage.rule_count, 'alerting rule')} in "
        f"{plural(len(coverage.files), 'file')})"
    )
    if coverage.below(min_percent):
        text += f"\ncoverage {coverage.percent_text} is below --min-coverage {min_percent:g}%"
    return text


def _rule_json(rule: AlertRule) -> dict[str, Any]:
    return {
        "path": rule.path,
        "line": rule.line,
        "group": rule.group,
        "labels": dict(rule.labels),
    }


def _runbook_json(rb: Runbook) -> dict[str, Any]:
    return {"id": rb.id, "path": rb.source.path, "title": rb.title}


def as_json(coverage: Coverage, min_percent: float | None = None, strict: bool = False) -> str:
    ratio = coverage.ratio
    data = {
        "version": 1,
        "rule_files": list(coverage.files),
        "summary": {
            "alerts": coverage.total,
            "alerting_rules": coverage.rule_count,
            "covered": coverage.covered,
            "coverage_pct": None if ratio is None else round(ratio * 100, 2),
            "without_runbook": len(coverage.without_runbook),
            "broken_links": len(coverage.broken_links),
            "orphan_runbook_alerts": len(coverage.orphans),
            "defined_more_than_once": len(coverage.duplicates),
            "min_coverage_pct": min_percent,
            "failed": coverage.failed(strict=strict, min_percent=min_percent),
        },
        "alerts": [
            {
                "name": a.name,
                "state": a.state,
                "definitions": [_rule_json(r) for r in a.rules],
                "runbooks": [_runbook_json(rb) for rb in a.runbooks],
                "links": [
                    {
                        "path": link.path,
                        "line": link.line,
                        "field": link.field,
                        "url": link.url,
                        "status": link.status,
                        "runbooks": [rb.id for rb in link.runbooks],
                        "message": link.message,
                    }
                    for link in a.links
                ],
            }
            for a in coverage.alerts
        ],
        "orphans": [
            {
                "runbook": o.runbook.id,
                "path": o.runbook.source.path,
                "line": o.line,
                "alert": o.alert,
            }
            for o in coverage.orphans
        ],
        "duplicates": [
            {
                "alert": d.name,
                "same_labels": d.same_labels,
                "definitions": [_rule_json(r) for r in d.rules],
            }
            for d in coverage.duplicates
        ],
        "findings": json.loads(report.as_json(list(coverage.findings), len(coverage.files)))[
            "findings"
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def coverage_page(
    coverage: Coverage, link: Callable[[Runbook], Md], env: jinja2.Environment
) -> str:
    """The "Alert coverage" page (``alerts.md.j2``); ``link`` makes a runbook's link and
    ``env`` is the site's environment, whose finalize escapes every other value."""
    return render_page(
        env,
        "alerts.md.j2",
        coverage=coverage,
        link=link,
        location=lambda rule: md_text(rule.location),
    )


def as_markdown(coverage: Coverage, min_percent: float | None = None) -> str:
    """A Markdown report (for a job summary or a pull-request comment)."""
    from .render import environment  # the site's environment: same escaping, same template

    page = coverage_page(
        coverage,
        lambda rb: Md(f"{md_text(rb.id)} ({md_text(rb.source.path)})"),
        environment(None),
    )
    if coverage.below(min_percent):
        page += (
            f"\n**Coverage {md_text(coverage.percent_text)} is below the required "
            f"{md_text(f'{min_percent:g}%')}.**\n"
        )
    return page


def render_report(fmt: str, coverage: Coverage, min_percent: float | None, strict: bool) -> str:
    if fmt == "json":
        return as_json(coverage, min_percent, strict)
    if fmt == "markdown":
        return as_markdown(coverage, min_percent)
    if fmt == "github":
        text = report.github(list(coverage.findings))
        data = summary(coverage, min_percent)
        data = data.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"{text}::notice title=Alert coverage::{data}\n"
    return report.text(list(coverage.findings)) + summary(coverage, min_percent) + "\n"


# -- the command -------------------------------------------------------------------------


def _percentage(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 0 and 100")
    return value


def add_parsers(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """``incident-kb alerts check``: register the parser, with :func:`run` as its handler
    (cli.py calls this)."""
    alerts = subparsers.add_parser("alerts", help="check alert rules against the runbooks")
    actions = alerts.add_subparsers(dest="alerts_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="which alerting rules lead to a runbook: coverage, broken links, orphans",
        parents=list(parents),
    )
    check.add_argument(
        "rules",
        nargs="*",
        type=Path,
        metavar="RULES",
        help="rule files or folders (default: [alerts] rules in incident-kb.toml)",
    )
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument(
        "--min-coverage",
        type=_percentage,
        metavar="PERCENT",
        help="exit 1 when fewer alerts than this have a working runbook",
    )
    check.add_argument(
        "--url-template",
        action="append",
        default=[],
        dest="url_templates",
        metavar="TEMPLATE",
        help="another place runbooks are published ({alert} or {id}); adds to the configured",
    )
    check.add_argument("--site-url", help="where the site is served (default: configured)")
    check.add_argument(
        "--annotation-key",
        action="append",
        dest="annotation_keys",
        metavar="KEY",
        help="annotation holding the runbook URL (repeat; default: configured, runbook_url)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``alerts check``: 0 clean; 1 broken links, unreadable rules or coverage below
    --min-coverage (warnings too with --strict); 2 usage or configuration (raised as
    UsageError or ConfigError, for cli.main to report)."""
    config = load_config(kb_root(args))
    templates = parse_templates(config.url_templates, "incident-kb.toml: alerts.url_templates")
    templates += parse_templates(args.url_templates, "--url-template")
    if args.rules:
        try:
            paths = expand_rule_paths(args.rules)
        except FileNotFoundError as exc:
            raise UsageError(str(exc)) from None
        rule_set = load_rules(paths, config.relative)
    elif config.alert_rules:
        paths, problems = configured_rule_files(config)
        rule_set = load_rules(paths, config.relative, problems)
    else:
        raise UsageError("no rule files: give RULES or set [alerts] rules in incident-kb.toml")
    kb, _count = load_knowledge_base(config, Findings())
    coverage = compute(
        rule_set,
        kb,
        config,
        templates=templates,
        annotation_keys=args.annotation_keys,
        site_url=args.site_url or config.site_url,
    )
    sys.stdout.write(render_report(args.format, coverage, args.min_coverage, args.strict))
    if args.format in ("json", "markdown") and coverage.below(args.min_coverage):
        print(summary(coverage, args.min_coverage).splitlines()[-1], file=sys.stderr)
    return 1 if coverage.failed(strict=args.strict, min_percent=args.min_coverage) else 0


__all__ = [
    "FORMATS",
    "AlertCoverage",
    "AlertRule",
    "Coverage",
    "Duplicate",
    "Link",
    "Orphan",
    "RuleSet",
    "UrlTemplate",
    "add_parsers",
    "compute",
    "configured_coverage",
    "coverage_page",
    "defined_alerts",
    "load_rules",
    "parse_rules",
    "run",
]
