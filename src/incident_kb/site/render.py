"""Generated Markdown: index pages and the cards, banners and tables added to documents.

Templates live in the package (``site/templates``) and can be overridden by a file of the
same name in the repository's template folder. Front-matter values reach templates only as
data and are escaped on output (see ``escaping``); no value is ever rendered as a template.
Fragments shared by several templates are the macros of ``_macros.md.j2``, which every page
template receives as ``m`` (see ``Fragments``). The code counts, groups and sorts; the
templates print what they are given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from incident_kb.alerts.coverage import Coverage
from incident_kb.core.config import Config
from incident_kb.core.escaping import Md, finalize, md_link_destination, md_text
from incident_kb.core.timeutil import format_duration, minutes
from incident_kb.documents.bodytext import split_title
from incident_kb.documents.model import (
    Document,
    KnowledgeBase,
    Postmortem,
    Runbook,
    Service,
    title_of,
)
from incident_kb.figures import actions
from incident_kb.figures.facts import Facts
from incident_kb.figures.freshness import Freshness, used_in
from incident_kb.site import links


def environment(override_dir: Path | None) -> jinja2.Environment:
    """Package templates, each overridable by a same-named file in ``override_dir``."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(override_dir)))
    loaders.append(jinja2.PackageLoader("incident_kb.site", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # HTML autoescaping is wrong for Markdown; finalize escapes instead
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md_text
    return env


#: The template holding the shared fragments.
MACROS = "_macros.md.j2"


class Fragments:
    """The macros of ``_macros.md.j2`` for one page, called as ``m.name(...)``.

    A macro sees the page's context and ``m`` itself. It prints its values through the
    environment's finalize, so what it returns is escaped Markdown already; it is returned
    as Md so that printing it does not escape it a second time.
    """

    def __init__(self, env: jinja2.Environment, context: Mapping[str, Any]) -> None:
        self._env = env
        self._context = dict(context)
        self._module: Any = None

    def __getattr__(self, name: str) -> Callable[..., Md]:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._module is None:
            template = self._env.get_template(MACROS)
            self._module = template.make_module({**self._context, "m": self})
        macro = getattr(self._module, name)

        def call(*args: Any, **kwargs: Any) -> Md:
            return Md(macro(*args, **kwargs))

        return call


def render_page(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one page template with ``context`` and the shared fragments as ``m``."""
    return env.get_template(name).render(**context, m=Fragments(env, context))


def when(moment: datetime | None) -> Md:
    """A timestamp for readers: UTC, to the minute."""
    if moment is None:
        return Md("")
    return Md(moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def day(moment: datetime | None) -> Md:
    """The UTC date of a timestamp."""
    return Md(moment.astimezone(UTC).date().isoformat()) if moment is not None else Md("")


def duration(start: datetime | None, end: datetime | None) -> Md:
    if start is None or end is None:
        return Md("")
    return Md(format_duration(minutes(end - start)))


@dataclass(frozen=True)
class GroupRow:
    """A row of the action-item tables by owner, service or severity: one group's figures."""

    key: str
    items: list[actions.Item]
    open: int
    overdue: int
    due_soon: int
    completion: actions.Rate


def group_rows(groups: Mapping[str, list[actions.Item]], today: date) -> list[GroupRow]:
    return [
        GroupRow(
            key,
            group,
            open=sum(1 for e in group if e.is_open),
            overdue=sum(1 for e in group if e.state == "overdue"),
            due_soon=sum(1 for e in group if e.state == "due-soon"),
            completion=actions.completion_within(group, today),
        )
        for key, group in groups.items()
    ]


class Renderer:
    """Renders the pages of one build from its facts: what a page shows is read from
    ``facts``, never worked out here; the renderer only sorts, groups and links."""

    def __init__(
        self,
        facts: Facts,
        src_uri: Callable[[Document], str],
        env: jinja2.Environment,
    ) -> None:
        self.facts = facts
        self.src_uri = src_uri
        self.env = env

    @property
    def kb(self) -> KnowledgeBase:
        return self.facts.kb

    @property
    def config(self) -> Config:
        return self.facts.config

    @property
    def today(self) -> date:
        return self.facts.today

    # -- shared pieces -------------------------------------------------------------------

    @cached_property
    def targets(self) -> dict[str, links.Target]:
        return links.targets(self.kb, self.src_uri)

    def link(self, from_src: str, doc: Document, text: str | None = None) -> Md:
        """A Markdown link to a document, relative to the page being rendered."""
        label = text if text is not None else title_of(doc)
        return Md(f"[{md_text(label)}]({links.relative(from_src, self.src_uri(doc))})")

    def link_id(self, from_src: str, doc_id: str, *, with_id: bool = False) -> Md:
        """A link to the document with this id, or the escaped id if there is none."""
        found = self.kb.document(doc_id)
        if len(found) != 1:
            return md_text(doc_id)
        doc = found[0]
        label = f"{doc_id} · {title_of(doc)}" if with_id else title_of(doc)
        return self.link(from_src, doc, label)

    def badge(self, from_src: str, level_id: str) -> Md:
        """A severity badge coloured by the level's rank, linked to the severity policy."""
        level = self.kb.level(level_id)
        rank = min(level.rank, 4) if level is not None else 4
        span = f'<span class="ikb-sev ikb-sev-{rank}">{md_text(level_id)}</span>'
        if self.kb.policy is None or level is None:
            return Md(span)
        return Md(f"[{span}]({links.relative(from_src, self.src_uri(self.kb.policy))})")

    def tracker(self, url: str | None) -> Md:
        if not url:
            return Md("")
        destination = md_link_destination(url)
        if destination is None:
            return md_text(url)
        label = url.rstrip("/").rsplit("/", 1)[-1] or "link"
        return Md(f"[{md_text(label)}]({destination})")

    def freshness(self, rb: Runbook) -> Freshness:
        return self.facts.freshness_of(rb)

    def _resolved_on(self, incident_id: str) -> Md:
        pm = self.kb.postmortem_by_id.get(incident_id)
        if pm is None or pm.resolved_at is None:
            return Md("")
        return day(pm.resolved_at)

    def open_items(self, postmortems: Sequence[Postmortem]) -> list[actions.Item]:
        """The open action items of these incidents, soonest due first."""
        return sorted(
            (i for i in self.facts.items_of(postmortems) if i.is_open),
            key=lambda i: (i.item.due, i.postmortem.id, i.item.index),
        )

    def _render(self, name: str, **context: Any) -> str:
        return render_page(
            self.env,
            name,
            kb=self.kb,
            today=self.today,
            when=when,
            day=day,
            duration=duration,
            duration_of=lambda m: Md(format_duration(m)),
            **context,
        )

    # -- generated pages -----------------------------------------------------------------

    def postmortems_index(self, page_src: str) -> str:
        by_year: dict[int, list[Postmortem]] = defaultdict(list)
        for pm in self.kb.postmortems:
            by_year[pm.started_at.astimezone(UTC).year].append(pm)
        years = [
            (year, sorted(pms, key=lambda p: (p.started_at, p.id), reverse=True))
            for year, pms in sorted(by_year.items(), reverse=True)
        ]
        return self._render(
            "postmortems-index.md.j2",
            years=years,
            link=lambda doc, text=None: self.link(page_src, doc, text),
            link_id=lambda doc_id, with_id=False: self.link_id(page_src, doc_id, with_id=with_id),
            badge=lambda level_id: self.badge(page_src, level_id),
        )

    def runbooks_index(self, page_src: str) -> str:
        groups = []
        for service in sorted(self.kb.services, key=lambda s: (s.name.casefold(), s.id)):
            books = [rb for rb in self.kb.runbooks if service.id in rb.services]
            if books:
                groups.append((service, [(rb, self.freshness(rb)) for rb in books]))
        orphans = [
            (rb, self.freshness(rb))
            for rb in self.kb.runbooks
            if not any(s in self.kb.service_by_id for s in rb.services)
        ]
        return self._render(
            "runbooks-index.md.j2",
            groups=groups,
            orphans=orphans,
            due_soon_days=self.config.due_soon_days,
            link=lambda doc, text=None: self.link(page_src, doc, text),
        )

    def services_index(self, page_src: str) -> str:
        rows = []
        for service in self.kb.services:
            incidents = [p for p in self.kb.postmortems if service.id in p.services]
            rows.append((service, len(incidents), len(self.open_items(incidents))))
        return self._render(
            "services-index.md.j2",
            rows=rows,
            link=lambda doc, text=None: self.link(page_src, doc, text),
        )

    def action_items_page(self, page_src: str) -> str:
        due_soon_days = self.config.action_items_due_soon_days
        entries = list(self.facts.items)
        counts = {state: 0 for state in actions.STATES}
        for entry in entries:
            counts[entry.state] += 1
        by_owner = actions.by_owner(entries)
        by_service = actions.by_service(entries)
        by_severity = actions.group_by(entries, lambda e: [e.postmortem.severity])
        open_by_owner = [
            (owner, open_items)
            for owner, group in by_owner.items()
            if (open_items := [e for e in group if e.is_open])
        ]
        return self._render(
            "action-items.md.j2",
            counts=counts,
            open_total=sum(1 for e in entries if e.is_open),
            in_progress_total=sum(
                1 for e in entries if e.is_open and e.item.status == "in-progress"
            ),
            window=actions.COMPLETION_WINDOW_DAYS,
            due_soon_days=due_soon_days,
            completion=self.facts.item_completion,
            overdue=actions.overdue_first(entries),
            soon=actions.due_soon(entries),
            recurrences=self.facts.recurrences,
            owner_rows=group_rows(by_owner, self.today),
            service_rows=group_rows(by_service, self.today),
            severity_rows=group_rows(by_severity, self.today),
            open_by_owner=open_by_owner,
            pct=_pct,
            completion_note=_completion_note,
            state_word=actions.state_words,
            link=lambda doc, text=None: self.link(page_src, doc, text),
            link_id=lambda doc_id, with_id=False: self.link_id(page_src, doc_id, with_id=with_id),
            badge=lambda level_id: self.badge(page_src, level_id),
        )

    def stale_page(self, page_src: str) -> str:
        states = [(rb, self.freshness(rb)) for rb in self.kb.runbooks]
        return self._render(
            "runbooks-stale.md.j2",
            stale=[(rb, f) for rb, f in states if f.state == "stale"],
            soon=[(rb, f) for rb, f in states if f.state == "due-soon"],
            due_soon_days=self.config.due_soon_days,
            resolved_on=self._resolved_on,
            link=lambda doc, text=None: self.link(page_src, doc, text),
            link_id=lambda doc_id, with_id=False: self.link_id(page_src, doc_id, with_id=with_id),
        )

    def tags_page(self) -> str:
        return self._render("tags.md.j2")

    # -- documents -----------------------------------------------------------------------

    def postmortem_page(self, pm: Postmortem, body: str) -> str:
        page_src = self.src_uri(pm)
        level = self.kb.level(pm.severity)
        referrers = links.referenced_by(pm, self.kb)
        return self._render(
            "postmortem.md.j2",
            pm=pm,
            level=level,
            **_title_and_body(body),
            referenced_by=referrers,
            similar=links.similar(pm, self.kb),
            items=self.facts.items_of([pm]),
            recurrence=self.facts.recurrence(pm),
            recurred_as=[r for r in self.facts.recurrences if r.postmortem.recurrence_of == pm.id],
            link=lambda doc, text=None: self.link(page_src, doc, text),
            link_id=lambda doc_id, with_id=False: self.link_id(page_src, doc_id, with_id=with_id),
            badge=lambda level_id: self.badge(page_src, level_id),
            tracker=self.tracker,
            times=self.facts.times_of(pm),
        )

    def runbook_page(self, rb: Runbook, body: str) -> str:
        page_src = self.src_uri(rb)
        return self._render(
            "runbook.md.j2",
            rb=rb,
            **_title_and_body(body),
            freshness=self.freshness(rb),
            resolved_on=self._resolved_on,
            used_in=used_in(rb.id, self.kb),
            link=lambda doc, text=None: self.link(page_src, doc, text),
            link_id=lambda doc_id, with_id=False: self.link_id(page_src, doc_id, with_id=with_id),
            badge=lambda level_id: self.badge(page_src, level_id),
        )

    def service_page(self, service: Service, body: str) -> str:
        page_src = self.src_uri(service)
        incidents = sorted(
            (p for p in self.kb.postmortems if service.id in p.services),
            key=lambda p: (p.started_at, p.id),
            reverse=True,
        )
        open_items = self.open_items(incidents)
        return self._render(
            "service.md.j2",
            service=service,
            **_title_and_body(body),
            budget_minutes=self.facts.window(service).budget_minutes,
            incidents=incidents,
            runbooks=[rb for rb in self.kb.runbooks if service.id in rb.services],
            open_items=open_items,
            link=lambda doc, text=None: self.link(page_src, doc, text),
            badge=lambda level_id: self.badge(page_src, level_id),
            tracker=self.tracker,
        )

    def wikilinks(self, markdown: str, from_src: str) -> str:
        return links.replace_wikilinks(
            markdown,
            from_src,
            self.targets,
            lambda title, href: f"[{md_text(title)}]({href})",
        )


def _pct(rate: actions.Rate) -> Md:
    return Md("n/a") if rate.pct is None else Md(f"{rate.pct:.0f}% ({rate.done} of {rate.total})")


def _completion_note(rate: actions.Rate) -> Md:
    """Say what the completion figure leaves out, and why."""
    if not rate.left_out:
        return Md("")
    parts = ", ".join(f"{count} {md_text(reason)}" for reason, count in rate.left_out.items())
    return Md(f"Left out of the completion figure: {parts}.")


def _title_and_body(body: str) -> dict[str, Md]:
    heading, rest = split_title(body)
    return {"heading": Md(heading), "body": Md(rest)}


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
