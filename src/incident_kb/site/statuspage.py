"""The public status page (``status/index.md``) and its Atom feed (``status/feed.xml``).

Both print the build's status figures (``figures.status``, read from the facts): the
current state of each component, 90 days of uptime and the history. The feed is built with
``xml.etree.ElementTree``, which escapes every value; characters that XML 1.0 cannot hold
at all are replaced.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from urllib.parse import quote

import jinja2

from incident_kb.core.escaping import Md, html_text, md_text
from incident_kb.core.timeutil import format_duration
from incident_kb.documents.model import Postmortem
from incident_kb.figures.status import Component, Day, HistoryEntry, Status
from incident_kb.site.render import render_page, when

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


def pct_text(pct: float) -> str:
    """An uptime percentage to two decimals, rounded down: a day with any downtime never
    shows as 100.00%."""
    return f"{math.floor(round(pct * 100, 6)) / 100:.2f}%"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def tooltip(day: Day) -> str:
    """A day's bar title: date, uptime, state and incidents."""
    text = f"{day.date.isoformat()}: {pct_text(day.uptime_pct)} uptime"
    if day.state != "operational":
        text += f", {STATE_LABELS.get(day.state, day.state).lower()}"
    if day.incidents:
        text += f" ({', '.join(day.incidents)})"
    return text


# -- the page ----------------------------------------------------------------------------


def state_badge(state: str) -> Md:
    """A component state as a coloured label (the class comes from a fixed list)."""
    key = state if state in STATE_LABELS else "unknown"
    label = STATE_LABELS.get(state, state)
    return Md(f'<span class="ikb-status ikb-status-{key}">{md_text(label)}</span>')


def bars(component: Component) -> Md:
    """The uptime bars: one HTML line of a span per day, tooltips escaped for attributes."""
    spans = "".join(
        f'<span class="ikb-day ikb-day-{d.state if d.state in STATE_LABELS else "unknown"}" '
        f'title="{html_text(tooltip(d))}"></span>'
        for d in component.days
    )
    label = html_text(f"Uptime of {component.name} over the last {len(component.days)} days")
    return Md(f'<div class="ikb-bars" role="img" aria-label="{label}">{spans}</div>')


def status_page_markdown(
    status: Status, today: date, env: jinja2.Environment, link: Callable[[Postmortem], Md]
) -> str:
    """``status/index.md`` (``status.md.j2``); ``link`` makes a postmortem's link and ``env``
    is the site's environment, whose finalize escapes every other value."""
    return render_page(
        env,
        "status.md.j2",
        today=today.isoformat(),
        days=status.days,
        indicator=status.indicator,
        components=status.components,
        ongoing=status.ongoing,
        months=status.history,
        partial_pct=f"{status.weights.partial_outage * 100:g}",
        pct=lambda p: Md(pct_text(p)),
        badge=state_badge,
        bars=bars,
        when=when,
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
            f"{when(update.at)} - {UPDATE_LABELS.get(update.status, update.status)}: "
            f"{update.message}"
        )
    return "\n".join(lines)


def feed_xml(
    status: Status,
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
    entries = [e for _m, group in status.history for e in group]
    entries.sort(key=lambda e: (e.last_update, e.postmortem.started_at, e.postmortem.id))
    entries.reverse()
    # Plain names under a default namespace declared on the root (ElementTree cannot
    # write unprefixed attributes with its default_namespace option).
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", TAG + "status")
    _add(feed, "title", title)
    start_of_today = datetime.combine(today, time(0), tzinfo=UTC)
    newest = max((e.last_update for e in entries), default=start_of_today)
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
