"""The status page and its Atom feed as pure functions of hand-made incidents and a "today"."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from factories import API, AUTH, POLICY, pm, ts
from incident_kb.core.config import Config
from incident_kb.core.escaping import Md
from incident_kb.documents.model import KnowledgeBase, Postmortem, StatusPage, StatusUpdate
from incident_kb.figures import status
from incident_kb.site import statuspage
from incident_kb.site.render import environment

TODAY = date(2025, 12, 1)
CONFIG = Config(root=Path("/kb"), docs_dir=Path("/kb/docs"))
A = "{http://www.w3.org/2005/Atom}"


def incident(
    id_: str,
    start: str,
    end: str | None,
    state: str = "major_outage",
    component: str = "Login",
    *,
    title: str = "Login failures",
    status: str = "draft",
    updates: tuple[StatusUpdate, ...] | None = None,
) -> Postmortem:
    if updates is None:
        updates = (StatusUpdate(ts(start), "investigating", "Looking into it"),)
        if end is not None:
            updates += (StatusUpdate(ts(end), "resolved", "Fixed"),)
    page = StatusPage(title, "major", ((component, state),), updates)
    return pm(
        id=id_,
        status=status,
        started_at=ts(start),
        detected_at=ts(start),
        resolved_at=ts(end) if end is not None else None,
        status_page=page,
    )


def kb(*postmortems: Postmortem) -> KnowledgeBase:
    return KnowledgeBase(postmortems=postmortems, services=(API, AUTH), policy=POLICY)


def days_of(base: KnowledgeBase, component: str = "Login") -> dict[date, status.Day]:
    return {d.date: d for d in status.component_days(base, component, TODAY)}


def test_ninety_utc_days_ending_today() -> None:
    days = status.component_days(kb(), "Login", TODAY)
    assert len(days) == 90
    assert days[-1].date == TODAY
    assert days[0].date == TODAY - timedelta(days=89)
    assert [d.date for d in days] == sorted(d.date for d in days)


def test_a_component_without_incidents_is_fully_up() -> None:
    base = kb(incident("INC-2025-001", "2025-11-20T10:00:00Z", "2025-11-20T11:00:00Z"))
    (api_uptime,) = [c for c in status.uptime(base, CONFIG, TODAY) if c.name != "Login"]
    assert api_uptime.uptime_pct == 100.0
    assert all(d.uptime_pct == 100.0 and d.state == "operational" for d in api_uptime.days)
    assert all(d.incidents == () for d in api_uptime.days)


def test_day_clipping_and_an_incident_over_midnight() -> None:
    base = kb(incident("INC-2025-001", "2025-11-20T23:00:00Z", "2025-11-21T01:30:00Z"))
    days = days_of(base)
    assert days[date(2025, 11, 20)].outage_minutes == pytest.approx(60)
    assert days[date(2025, 11, 21)].outage_minutes == pytest.approx(90)
    assert days[date(2025, 11, 20)].incidents == ("INC-2025-001",)
    assert days[date(2025, 11, 21)].state == "major_outage"
    assert days[date(2025, 11, 22)].outage_minutes == 0
    assert days[date(2025, 11, 22)].state == "operational"
    assert days[date(2025, 11, 20)].uptime_pct == pytest.approx(100 * (1 - 60 / 1440))
    (login,) = [c for c in status.uptime(base, CONFIG, TODAY) if c.name == "Login"]
    assert login.uptime_pct == pytest.approx(100 * (1 - 150 / (90 * 1440)))


def test_days_are_utc_days_for_an_offset_timestamp() -> None:
    # 01:00+02:00 is 23:00 UTC the day before.
    base = kb(incident("INC-2025-001", "2025-11-21T01:00:00+02:00", "2025-11-21T03:00:00+02:00"))
    days = days_of(base)
    assert days[date(2025, 11, 20)].outage_minutes == pytest.approx(60)
    assert days[date(2025, 11, 21)].outage_minutes == pytest.approx(60)


def test_unresolved_incident_counts_up_to_the_end_of_today() -> None:
    base = kb(incident("INC-2025-001", "2025-11-29T12:00:00Z", None))
    days = days_of(base)
    assert days[date(2025, 11, 29)].outage_minutes == pytest.approx(720)
    assert days[date(2025, 11, 30)].uptime_pct == 0.0
    assert days[TODAY].uptime_pct == 0.0
    assert days[TODAY].incidents == ("INC-2025-001",)
    (login,) = [c for c in status.uptime(base, CONFIG, TODAY) if c.name == "Login"]
    assert login.status == "major_outage"


def test_partial_at_thirty_percent_and_degraded_not_counted() -> None:
    base = kb(
        incident("INC-2025-001", "2025-11-10T10:00:00Z", "2025-11-10T12:00:00Z", "partial_outage"),
        incident(
            "INC-2025-002", "2025-11-11T10:00:00Z", "2025-11-11T12:00:00Z", "degraded_performance"
        ),
    )
    days = days_of(base)
    assert days[date(2025, 11, 10)].outage_minutes == pytest.approx(36)
    assert days[date(2025, 11, 10)].state == "partial_outage"
    assert days[date(2025, 11, 11)].outage_minutes == 0
    assert days[date(2025, 11, 11)].uptime_pct == 100.0
    assert days[date(2025, 11, 11)].state == "degraded_performance"
    assert days[date(2025, 11, 11)].incidents == ("INC-2025-002",)
    heavier = status.component_days(base, "Login", TODAY, status.Weights(partial_outage=0.5))
    assert {d.date: d for d in heavier}[date(2025, 11, 10)].outage_minutes == pytest.approx(60)


def test_overlapping_incidents_count_each_minute_once_at_the_heaviest_weight() -> None:
    base = kb(
        incident("INC-2025-001", "2025-11-10T10:00:00Z", "2025-11-10T12:00:00Z", "partial_outage"),
        incident("INC-2025-002", "2025-11-10T11:00:00Z", "2025-11-10T11:30:00Z"),
    )
    day = days_of(base)[date(2025, 11, 10)]
    assert day.outage_minutes == pytest.approx(90 * 0.3 + 30)
    assert day.state == "major_outage"
    assert day.incidents == ("INC-2025-001", "INC-2025-002")


def test_percent_text_never_rounds_up_to_a_full_hundred() -> None:
    assert statuspage.pct_text(100.0) == "100.00%"
    assert statuspage.pct_text(99.9999) == "99.99%"
    assert statuspage.pct_text(99.99) == "99.99%"


def test_history_by_month_newest_first() -> None:
    base = kb(
        incident("INC-2025-001", "2025-10-31T23:30:00-02:00", "2025-11-01T03:00:00Z"),
        incident("INC-2025-002", "2025-10-05T10:00:00Z", "2025-10-05T11:00:00Z"),
        incident("INC-2025-003", "2025-11-20T10:00:00Z", None),
        pm(id="INC-2025-004"),  # not on the status page
    )
    months = status.history(base)
    assert [(m, [e.postmortem.id for e in g]) for m, g in months] == [
        ("2025-11", ["INC-2025-003", "INC-2025-001"]),
        ("2025-10", ["INC-2025-002"]),
    ]
    assert months[0][1][0].duration_minutes is None
    assert months[1][1][0].duration_minutes == pytest.approx(60)


def render_page(base: KnowledgeBase) -> str:
    return statuspage.status_page_markdown(
        status.status(base, CONFIG, TODAY),
        TODAY,
        environment(None),
        lambda p: Md(f"[postmortem](../{p.id}.md)"),
    )


def test_page_shows_bars_history_and_links_only_published_postmortems() -> None:
    base = kb(
        incident(
            "INC-2025-001",
            "2025-11-10T10:00:00Z",
            "2025-11-10T12:00:00Z",
            status="published",
        ),
        incident("INC-2025-002", "2025-11-20T10:00:00Z", None, title="Still down"),
    )
    page = render_page(base)
    assert page.count('<span class="ikb-day ') == 90 * 2
    assert 'title="2025-11-10: 91.66% uptime, major outage (INC-2025-001)"' in page
    assert "[postmortem](../INC-2025-001.md)" in page
    assert "[postmortem](../INC-2025-002.md)" not in page
    assert "### 2025-11" in page
    assert "Ongoing incident" in page
    assert "Duration: 2 h" in page
    assert "ongoing" in page
    assert page == render_page(base)
    assert "All systems operational" in render_page(kb())


HOSTILE = "<script>alert(1)</script> ]]> & \"quotes\" 'x' {: .attr } \x00\x1b"


def test_page_escapes_hostile_values() -> None:
    updates = (StatusUpdate(ts("2025-11-10T10:00:00Z"), "investigating", HOSTILE),)
    base = kb(
        incident(
            "INC-2025-001",
            "2025-11-10T10:00:00Z",
            None,
            component="<img src=x onerror=alert(1)>",
            title=HOSTILE,
            updates=updates,
        )
    )
    page = render_page(base)
    assert "<script" not in page
    assert "<img" not in page


def feed(base: KnowledgeBase) -> str:
    return statuspage.feed_xml(
        status.status(base, CONFIG, TODAY), TODAY, lambda p: f"../postmortems/{p.id}/"
    )


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{A}feed"
    return root


def one(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.findall(f"{A}{tag}")
    assert len(found) == 1, tag
    return found[0]


def check_atom(root: ET.Element) -> None:
    """RFC 4287's required elements (section 4.1.1 and 4.1.2)."""
    for tag in ("id", "title", "updated"):
        assert (one(root, tag).text or "").strip()
    feed_author = root.findall(f"{A}author")
    assert len(feed_author) <= 1
    for entry in root.findall(f"{A}entry"):
        for tag in ("id", "title", "updated"):
            assert (one(entry, tag).text or "").strip()
        if not feed_author:
            assert entry.findall(f"{A}author")
        links = entry.findall(f"{A}link")
        assert any(link.get("rel", "alternate") == "alternate" for link in links)
        assert entry.find(f"{A}content") is not None or links
    for author in root.iter(f"{A}author"):
        assert (one(author, "name").text or "").strip()


SAMPLE: tuple[Any, ...] = (
    incident("INC-2025-001", "2025-11-10T10:00:00Z", "2025-11-10T12:00:00Z", status="published"),
    incident("INC-2025-002", "2025-11-20T10:00:00Z", None),
    incident("INC-2025-003", "2025-09-01T10:00:00+05:30", "2025-09-02T10:00:00Z"),
)


def test_feed_parses_as_atom_with_required_elements() -> None:
    text = feed(kb(*SAMPLE))
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    root = parse(text)
    check_atom(root)
    assert one(root, "updated").text == "2025-11-20T10:00:00Z"
    self_links = [e for e in root.findall(f"{A}link") if e.get("rel") == "self"]
    assert [e.get("href") for e in self_links] == ["feed.xml"]
    entries = root.findall(f"{A}entry")
    assert len(entries) == 3
    for entry in entries:
        assert one(entry, "published").text
    published, unpublished = entries[1], entries[0]
    assert one(published, "link").get("href") == "../postmortems/INC-2025-001/"
    assert one(unpublished, "link").get("href") == "./"


def test_feed_ids_are_stable_unique_and_entries_newest_first() -> None:
    first, second = feed(kb(*SAMPLE)), feed(kb(*reversed(SAMPLE)))
    assert first == second
    root = parse(first)
    ids = [one(e, "id").text for e in root.findall(f"{A}entry")]
    assert ids == [
        "tag:incident-kb,2025:INC-2025-002",
        "tag:incident-kb,2025:INC-2025-001",
        "tag:incident-kb,2025:INC-2025-003",
    ]
    assert len(set(ids)) == len(ids)
    assert one(root, "id").text not in ids
    updated = [one(e, "updated").text or "" for e in root.findall(f"{A}entry")]
    assert updated == sorted(updated, reverse=True)
    # A new incident does not change the others' ids.
    later = parse(feed(kb(*SAMPLE, incident("INC-2025-004", "2025-11-25T10:00:00Z", None))))
    assert [one(e, "id").text for e in later.findall(f"{A}entry")][1:] == ids


def test_empty_feed_is_valid_and_dated_by_today() -> None:
    root = parse(feed(kb()))
    check_atom(root)
    assert one(root, "updated").text == "2025-12-01T00:00:00Z"
    assert root.findall(f"{A}entry") == []


def test_hostile_titles_and_messages_round_trip_as_text() -> None:
    updates = (
        StatusUpdate(ts("2025-11-10T10:00:00Z"), "investigating", HOSTILE),
        StatusUpdate(ts("2025-11-10T11:00:00Z"), "resolved", "]]> & <b>done</b>"),
    )
    base = kb(
        incident(
            "INC-2025-001",
            "2025-11-10T10:00:00Z",
            "2025-11-10T11:00:00Z",
            component="A & <B>",
            title=HOSTILE,
            updates=updates,
        )
    )
    text = feed(base)
    assert "<script" not in text and "<b>" not in text
    root = parse(text)
    check_atom(root)
    entry = one(root, "entry")
    clean = HOSTILE.replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert one(entry, "title").text == clean
    content = one(entry, "content").text or ""
    assert clean in content
    assert "]]> & <b>done</b>" in content
    assert one(entry, "summary").text == "Resolved: ]]> & <b>done</b>"
    assert one(entry, "category").get("term") == "A & <B>"
