"""The public status page (``status/index.md``) and its Atom feed (``status/feed.xml``).

Everything here is a pure function of (model, config, today): no wall clock, so the same
input always gives byte-identical output. Days are UTC days; the 90 days end with "today".

Uptime follows the SPEC's weighting: the minutes in which a component is in
``major_outage`` count in full, ``partial_outage`` at 30% (``Weights``), and
``degraded_performance`` not at all. An incident affects a component when its
``status_page.components`` lists it, from ``started_at`` to ``resolved_at`` (or to the end
of today while unresolved). Overlapping incidents are not counted twice: every minute
counts once, at the heaviest weight of the incidents covering it.

The current state of each component is ``api.status``'s (the same as ``api/status.json``).
The feed is built with ``xml.etree.ElementTree``, which escapes every value; characters
that XML 1.0 cannot hold at all are replaced.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from urllib.parse import quote

import jinja2

from . import api
from .config import Config
from .escaping import Md, html_text, md_text
from .model import KnowledgeBase, Postmortem, StatusPage, StatusUpdate
from .render import render_page
from .timeutil import format_duration, minutes

DAYS = 90
DAY_MINUTES = 24 * 60.0
ATOM = "http://www.w3.org/2005/Atom"
#: The tag URI prefix of every feed and entry id (RFC 4151); fixed, never the build time.
TAG = "tag:incident-kb,2025:"
STATE_LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
UPDATE_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}
#: Characters XML 1.0 cannot contain, even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Weights:
    """How much of a minute in each state counts as downtime."""

    major_outage: float = 1.0
    partial_outage: float = Config.partial_outage_weight
    degraded_performance: float = 0.0

    def of(self, state: str) -> float:
        return {
            "major_outage": self.major_outage,
            "partial_outage": self.partial_outage,
            "degraded_performance": self.degraded_performance,
        }.get(state, 0.0)


@dataclass(frozen=True)
class Day:
    """One UTC day of one component."""

    date: date
    uptime_pct: float
    #: The worst state any incident put the component in that day ("operational" if none).
    state: str
    #: Ids of the incidents that affected the component that day, sorted.
    incidents: tuple[str, ...]
    #: Weighted outage minutes.
    outage_minutes: float

    @property
    def tooltip(self) -> str:
        text = f"{self.date.isoformat()}: {pct_text(self.uptime_pct)} uptime"
        if self.state != "operational":
            text += f", {STATE_LABELS.get(self.state, self.state).lower()}"
        if self.incidents:
            text += f" ({', '.join(self.incidents)})"
        return text


@dataclass(frozen=True)
class ComponentUptime:
    name: str
    service: str
    #: The component's state now, as ``api/status.json`` has it.
    status: str
    days: tuple[Day, ...]
    uptime_pct: float


@dataclass(frozen=True)
class HistoryEntry:
    """One status-page incident as the history shows it."""

    postmortem: Postmortem
    page: StatusPage
    #: (1-based index in the document, update), in time order.
    updates: tuple[tuple[int, StatusUpdate], ...]
    #: Minutes from start to resolution; None while unresolved.
    duration_minutes: float | None

    @property
    def newest_first(self) -> tuple[tuple[int, StatusUpdate], ...]:
        """The updates, latest first, as the page lists them."""
        return tuple(reversed(self.updates))

    @property
    def published(self) -> bool:
        return self.postmortem.status == "published"

    @property
    def first_update(self) -> datetime:
        return min((u.at for _i, u in self.updates), default=self.postmortem.started_at)

    @property
    def last_update(self) -> datetime:
        return max((u.at for _i, u in self.updates), default=self.postmortem.started_at)


def pct_text(pct: float) -> str:
    """An uptime percentage to two decimals, rounded down: a day with any downtime never
    shows as 100.00%."""
    return f"{math.floor(round(pct * 100, 6)) / 100:.2f}%"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _covered(spans: list[tuple[datetime, datetime, float]]) -> float:
    """Weighted minutes of the union of spans: each instant at its heaviest weight."""
    cuts = sorted({t for start, end, _w in spans for t in (start, end)})
    total = 0.0
    for left, right in pairwise(cuts):
        weight = max((w for s, e, w in spans if s <= left and e >= right), default=0.0)
        total += weight * minutes(right - left)
    return total


def _intervals(
    kb: KnowledgeBase, component: str, today: date, weights: Weights
) -> list[tuple[datetime, datetime, str, str, float]]:
    """(start, end, state, incident id, weight) of every incident listing the component."""
    end_of_today = _day_start(today + timedelta(days=1))
    out = []
    for pm in sorted(kb.postmortems, key=lambda p: (p.started_at, p.id)):
        if pm.status_page is None:
            continue
        for name, state in pm.status_page.components:
            if name != component:
                continue
            start = _utc(pm.started_at)
            end = _utc(pm.resolved_at) if pm.resolved_at is not None else end_of_today
            if end > start:
                out.append((start, end, state, pm.id, weights.of(state)))
    return out


def component_days(
    kb: KnowledgeBase,
    component: str,
    today: date,
    weights: Weights | None = None,
    days: int = DAYS,
) -> tuple[Day, ...]:
    """The component's ``days`` UTC days ending with today, oldest first."""
    weights = weights or Weights()
    intervals = _intervals(kb, component, today, weights)
    order = api.COMPONENT_STATES
    out: list[Day] = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        lo, hi = _day_start(day), _day_start(day + timedelta(days=1))
        spans = [
            (max(s, lo), min(e, hi), state, pm_id, w)
            for s, e, state, pm_id, w in intervals
            if s < hi and e > lo
        ]
        outage = min(_covered([(s, e, w) for s, e, _st, _id, w in spans]), DAY_MINUTES)
        states = [state for _s, _e, state, _id, _w in spans if state in order]
        out.append(
            Day(
                date=day,
                uptime_pct=100.0 * (1.0 - outage / DAY_MINUTES),
                state=max(states, key=order.index, default=order[0]),
                incidents=tuple(sorted({pm_id for _s, _e, _st, pm_id, _w in spans})),
                outage_minutes=outage,
            )
        )
    return tuple(out)


def uptime(
    kb: KnowledgeBase,
    config: Config,
    today: date,
    weights: Weights | None = None,
    days: int = DAYS,
) -> tuple[ComponentUptime, ...]:
    """Every component of every service (``api.status``'s order) with its days and uptime."""
    weights = weights or Weights(partial_outage=config.partial_outage_weight)
    current = api.status(kb, config, today, lambda _doc: "")["components"]
    out = []
    for entry in current:
        per_day = component_days(kb, entry["name"], today, weights, days)
        outage = sum(d.outage_minutes for d in per_day)
        out.append(
            ComponentUptime(
                name=entry["name"],
                service=entry["service"],
                status=entry["status"],
                days=per_day,
                uptime_pct=100.0 * (1.0 - outage / (DAY_MINUTES * days)),
            )
        )
    return tuple(out)


def history(kb: KnowledgeBase) -> tuple[tuple[str, tuple[HistoryEntry, ...]], ...]:
    """Status-page incidents by UTC month of their start ("YYYY-MM"), newest first."""
    entries = []
    for pm in sorted(kb.postmortems, key=lambda p: (p.started_at, p.id), reverse=True):
        if pm.status_page is None:
            continue
        updates = sorted(enumerate(pm.status_page.updates, 1), key=lambda iu: (iu[1].at, iu[0]))
        entries.append(
            HistoryEntry(
                postmortem=pm,
                page=pm.status_page,
                updates=tuple(updates),
                duration_minutes=minutes(pm.resolved_at - pm.started_at)
                if pm.resolved_at is not None
                else None,
            )
        )
    months: dict[str, list[HistoryEntry]] = {}
    for entry in entries:
        months.setdefault(_utc(entry.postmortem.started_at).strftime("%Y-%m"), []).append(entry)
    return tuple((month, tuple(group)) for month, group in sorted(months.items(), reverse=True))


# -- the page ----------------------------------------------------------------------------


def state_badge(state: str) -> Md:
    """A component state as a coloured label (the class comes from a fixed list)."""
    key = state if state in STATE_LABELS else "unknown"
    label = STATE_LABELS.get(state, state)
    return Md(f'<span class="ikb-status ikb-status-{key}">{md_text(label)}</span>')


def bars(component: ComponentUptime) -> Md:
    """The uptime bars: one HTML line of a span per day, tooltips escaped for attributes."""
    spans = "".join(
        f'<span class="ikb-day ikb-day-{d.state if d.state in STATE_LABELS else "unknown"}" '
        f'title="{html_text(d.tooltip)}"></span>'
        for d in component.days
    )
    label = html_text(f"Uptime of {component.name} over the last {len(component.days)} days")
    return Md(f'<div class="ikb-bars" role="img" aria-label="{label}">{spans}</div>')


def _when(moment: datetime) -> Md:
    return Md(_utc(moment).strftime("%Y-%m-%d %H:%M UTC"))


def status_page_markdown(
    kb: KnowledgeBase,
    config: Config,
    today: date,
    env: jinja2.Environment,
    link: Callable[[Postmortem], Md],
    weights: Weights | None = None,
) -> str:
    """``status/index.md`` (``status.md.j2``); ``link`` makes a postmortem's link and ``env``
    is the site's environment, whose finalize escapes every other value."""
    weights = weights or Weights(partial_outage=config.partial_outage_weight)
    summary = api.status(kb, config, today, lambda _doc: "")
    months = history(kb)
    ongoing = [e for _m, group in months for e in group if not e.postmortem.is_resolved]
    return render_page(
        env,
        "status.md.j2",
        today=today.isoformat(),
        days=DAYS,
        indicator=summary["indicator"],
        components=uptime(kb, config, today, weights),
        ongoing=ongoing,
        months=months,
        partial_pct=f"{weights.partial_outage * 100:g}",
        pct=lambda p: Md(pct_text(p)),
        badge=state_badge,
        bars=bars,
        when=_when,
        duration=lambda m: Md(format_duration(m)) if m is not None else Md("ongoing"),
        update_label=lambda s: UPDATE_LABELS.get(s, s),
        link=link,
    )


# -- the feed ----------------------------------------------------------------------------


def _xml(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _rfc3339(moment: datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def entry_id(pm: Postmortem) -> str:
    """A stable id for an incident's entry, from its id alone."""
    return TAG + quote(pm.id, safe="-._~")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def _content(entry: HistoryEntry) -> str:
    lines = [
        f"Impact: {entry.page.impact}",
        "Components: "
        + ", ".join(
            f"{name} ({STATE_LABELS.get(s, s).lower()})" for name, s in entry.page.components
        ),
    ]
    if entry.duration_minutes is not None:
        lines.append(f"Duration: {format_duration(entry.duration_minutes)}")
    lines.append("")
    for _index, update in reversed(entry.updates):
        lines.append(
            f"{_when(update.at)} - {UPDATE_LABELS.get(update.status, update.status)}: "
            f"{update.message}"
        )
    return "\n".join(lines)


def feed_xml(
    kb: KnowledgeBase,
    today: date,
    postmortem_href: Callable[[Postmortem], str],
    *,
    title: str = "Status",
    author: str = "incident-kb",
    page_href: str = "./",
    self_href: str = "feed.xml",
) -> str:
    """``status/feed.xml``: an Atom feed (RFC 4287) of every status-page incident, the most
    recently updated first. ``postmortem_href`` gives a postmortem page's address relative
    to the feed ("" if it has none); unpublished postmortems link to the status page."""
    entries = [e for _m, group in history(kb) for e in group]
    entries.sort(key=lambda e: (e.last_update, e.postmortem.started_at, e.postmortem.id))
    entries.reverse()
    # Plain names under a default namespace declared on the root (ElementTree cannot
    # write unprefixed attributes with its default_namespace option).
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", TAG + "status")
    _add(feed, "title", title)
    newest = max((e.last_update for e in entries), default=_day_start(today))
    _add(feed, "updated", _rfc3339(newest))
    _add(feed, "link", rel="self", href=self_href, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=page_href, type="text/html")
    _add(_add(feed, "author"), "name", author)
    for e in entries:
        entry = _add(feed, "entry")
        _add(entry, "id", entry_id(e.postmortem))
        _add(entry, "title", e.page.title)
        _add(entry, "updated", _rfc3339(e.last_update))
        _add(entry, "published", _rfc3339(e.first_update))
        href = postmortem_href(e.postmortem) if e.published else ""
        _add(entry, "link", rel="alternate", href=href or page_href)
        if e.updates:
            latest = e.updates[-1][1]
            _add(
                entry,
                "summary",
                f"{UPDATE_LABELS.get(latest.status, latest.status)}: {latest.message}",
                type="text",
            )
        _add(entry, "content", _content(e), type="text")
        for name, _state in e.page.components:
            _add(entry, "category", term=name)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
