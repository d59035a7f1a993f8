"""Error budgets per service and window with hand-made incidents and a fixed "today"."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import pytest

from factories import API, AUTH, kb, pm, ts
from incident_kb.documents.model import Impact, KnowledgeBase, Postmortem, Service, Slo, Source
from incident_kb.figures import budgets

TODAY = date(2025, 12, 1)
# AUTH: 99.9% over 28 days, a 40.32-minute budget. The current window is 2025-11-04 to
# 2025-12-01 (both included); the one before it 2025-10-07 to 2025-11-03.
EDGE = "2025-11-04T00:00:00Z"


def incident(
    id_: str,
    start: str,
    end: str | None,
    pct: float = 100.0,
    override: float | None = None,
    services: tuple[str, ...] = ("auth",),
) -> Postmortem:
    return pm(
        id=id_,
        started_at=ts(start),
        detected_at=ts(start),
        resolved_at=ts(end) if end else None,
        impact=Impact("impact", pct, override),
        services=services,
    )


def test_windows_are_whole_utc_days_newest_first() -> None:
    history = budgets.budget_history(kb(), AUTH, TODAY)
    assert len(history) == 5
    assert [(w.start, w.end) for w in history[:2]] == [
        (date(2025, 11, 4), date(2025, 12, 2)),
        (date(2025, 10, 7), date(2025, 11, 4)),
    ]
    assert history[0].last_day == TODAY
    assert all(newer.start == older.end for newer, older in itertools.pairwise(history))
    assert budgets.current_window(kb(), AUTH, TODAY) == history[0]
    assert len(budgets.budget_history(kb(), AUTH, TODAY, previous=0)) == 1
    assert budgets.window_bounds(date(2025, 3, 1), 28) == (date(2025, 2, 1), date(2025, 3, 1))


def test_empty_window() -> None:
    window = budgets.current_window(kb(), AUTH, TODAY)
    assert window.budget_minutes == pytest.approx(40.32)
    assert window.budget_minutes == budgets.service_budget_minutes(AUTH)
    assert (window.consumed, window.consumed_minutes, window.status) == ((), 0, "ok")
    assert window.remaining_minutes == pytest.approx(40.32)
    assert window.pct_consumed == 0.0
    assert (window.notes, window.left_out) == ({}, {})


def test_an_incident_inside_the_window_consumes_what_analytics_says() -> None:
    inside = incident("INC-2025-001", "2025-11-10T10:00:00Z", "2025-11-10T10:30:00Z", pct=20)
    other = incident(
        "INC-2025-002", "2025-11-10T10:00:00Z", "2025-11-10T12:00:00Z", services=("api",)
    )
    window = budgets.current_window(kb(inside, other), AUTH, TODAY)
    (only,) = window.consumed
    assert only.postmortem.id == "INC-2025-001"
    assert only.minutes == pytest.approx(6.0)
    assert only.minutes == budgets.incident_budget_minutes(inside)
    assert not (only.overridden or only.split or only.open)
    assert window.remaining_minutes == pytest.approx(34.32)
    assert window.pct_consumed == pytest.approx(6.0 / 40.32 * 100)
    # each affected service is charged in full
    both = replace(inside, services=("api", "auth"))
    assert budgets.current_window(kb(both), API, TODAY).consumed_minutes == pytest.approx(6.0)
    assert budgets.current_window(kb(both), AUTH, TODAY).consumed_minutes == pytest.approx(6.0)


def test_override_is_honoured() -> None:
    short = incident("INC-2025-001", "2025-11-10T10:00:00Z", "2025-11-10T10:30:00Z", override=1.5)
    (only,) = budgets.current_window(kb(short), AUTH, TODAY).consumed
    assert (only.minutes, only.overridden) == (1.5, True)
    zero = replace(short, impact=Impact("none", 100.0, 0.0))
    (nothing,) = budgets.current_window(kb(zero), AUTH, TODAY).consumed
    assert nothing.minutes == 0.0


def test_an_incident_across_the_window_edge_is_split() -> None:
    across = incident("INC-2025-001", "2025-11-03T23:00:00Z", "2025-11-04T01:00:00Z", pct=50)
    current, previous = budgets.budget_history(kb(across), AUTH, TODAY)[:2]
    assert current.consumed[0].minutes == pytest.approx(30.0)
    assert previous.consumed[0].minutes == pytest.approx(30.0)
    assert current.consumed[0].split and previous.consumed[0].split
    assert current.notes == previous.notes == {budgets.NOTE_SPLIT: 1}
    # the two halves add up to the whole
    assert current.consumed_minutes + previous.consumed_minutes == pytest.approx(
        budgets.incident_budget_minutes(across) or 0
    )


def test_an_override_goes_to_the_window_where_the_incident_started() -> None:
    across = incident(
        "INC-2025-001", "2025-11-03T23:00:00Z", "2025-11-04T01:00:00Z", pct=50, override=7.0
    )
    current, previous = budgets.budget_history(kb(across), AUTH, TODAY)[:2]
    assert previous.consumed_minutes == 7.0
    assert previous.notes == {budgets.NOTE_OVERRIDE_RUNS_ON: 1}
    assert current.consumed == ()
    assert current.left_out == {budgets.LEFT_OUT_OVERRIDE: 1}


def test_an_offset_timestamp_falls_in_the_next_utc_day() -> None:
    # 23:30-05:00 on 3 November is 04:30Z on 4 November: the current window, not the one before
    late = incident("INC-2025-001", "2025-11-03T23:30:00-05:00", "2025-11-03T23:40:00-05:00")
    current, previous = budgets.budget_history(kb(late), AUTH, TODAY)[:2]
    assert current.consumed_minutes == pytest.approx(10.0)
    assert not current.consumed[0].split
    assert previous.consumed == ()
    # an override follows the UTC start as well
    overridden = replace(late, impact=Impact("impact", 100.0, 2.0))
    current, previous = budgets.budget_history(kb(overridden), AUTH, TODAY)[:2]
    assert (current.consumed_minutes, previous.consumed_minutes) == (2.0, 0)


def test_an_open_incident_consumes_up_to_the_start_of_today() -> None:
    ongoing = incident("INC-2025-001", "2025-11-30T12:00:00Z", None, pct=10)
    window = budgets.current_window(kb(ongoing), AUTH, TODAY)
    (only,) = window.consumed
    assert only.open and not only.split
    assert only.minutes == pytest.approx(72.0)  # 12 h to the start of today, at 10%
    assert window.notes == {budgets.NOTE_OPEN: 1}
    assert window.status == "freeze"
    assert window.remaining_minutes == pytest.approx(40.32 - 72.0)
    # open since before the window: the whole window, at the same share, in every window
    old = incident("INC-2025-002", "2025-10-20T00:00:00Z", None, pct=1)
    current, previous, before = budgets.budget_history(kb(old), AUTH, TODAY)[:3]
    assert current.consumed_minutes == pytest.approx(27 * 24 * 60 / 100)  # not today itself
    assert current.notes == {budgets.NOTE_OPEN: 1, budgets.NOTE_SPLIT: 1}
    assert previous.consumed_minutes == pytest.approx(15 * 24 * 60 / 100)
    assert previous.notes == {budgets.NOTE_OPEN: 1}
    assert before.consumed == ()
    # an open incident with an override: the override, where it started
    capped = replace(old, impact=Impact("impact", 1.0, 3.0))
    current, previous = budgets.budget_history(kb(capped), AUTH, TODAY)[:2]
    assert previous.consumed_minutes == 3.0
    assert previous.notes == {budgets.NOTE_OVERRIDE_RUNS_ON: 1}
    assert current.left_out == {budgets.LEFT_OUT_OVERRIDE: 1}


def test_incidents_outside_the_window_are_not_in_it() -> None:
    before = incident("INC-2025-001", "2025-11-03T22:00:00Z", EDGE)  # ends at the edge
    after = incident("INC-2025-002", "2025-12-02T00:00:00Z", None)  # starts after today
    window = budgets.current_window(kb(before, after), AUTH, TODAY)
    assert (window.consumed, window.left_out, window.notes) == ((), {}, {})


WEB = Service("web", "Web", "team-web", 3, Slo(75.0, 1), Source("docs/services/web.md"))


@pytest.mark.parametrize(
    ("consumed", "status"),
    [(0.0, "ok"), (287.0, "ok"), (288.0, "warning"), (359.0, "warning"), (360.0, "freeze")],
)
def test_status_from_the_policy_thresholds(consumed: float, status: str) -> None:
    # WEB: a 360-minute budget per 1-day window; the policy warns at 80% and freezes at 100%
    hit = incident(
        "INC-2025-001", "2025-12-01T01:00:00Z", "2025-12-01T01:01:00Z", override=consumed
    )
    base = replace(kb(replace(hit, services=("web",))), services=(WEB,))
    window = budgets.current_window(base, WEB, TODAY)
    assert window.budget_minutes == 360.0
    assert (window.start, window.end) == (TODAY, date(2025, 12, 2))
    assert window.status == status
    assert budgets.current_window(replace(base, policy=None), WEB, TODAY).status == "ok"


def test_a_zero_budget_is_frozen_by_any_consumption() -> None:
    perfect = replace(WEB, slo=Slo(100.0, 1))
    hit = incident(
        "INC-2025-001", "2025-12-01T01:00:00Z", "2025-12-01T01:01:00Z", services=("web",)
    )
    base = KnowledgeBase(postmortems=(hit,), services=(perfect,), policy=kb().policy)
    window = budgets.current_window(base, perfect, TODAY)
    assert (window.budget_minutes, window.pct_consumed, window.status) == (
        0,
        float("inf"),
        "freeze",
    )
    assert budgets.current_window(replace(base, postmortems=()), perfect, TODAY).status == "ok"


def test_all_budgets_by_service() -> None:
    got = budgets.all_budgets(kb(), TODAY, previous=2)
    assert list(got) == ["api", "auth"]
    assert [len(h) for h in got.values()] == [3, 3]


def test_open_incidents_consume_only_minutes_that_have_happened() -> None:
    """Built on 2025-11-03, an incident open since 2025-11-02 12:00 has consumed 12 hours,
    not the rest of the day as well."""
    from factories import AUTH, kb, pm, ts
    from incident_kb.documents.model import Impact
    from incident_kb.figures import budgets

    open_one = pm(
        started_at=ts("2025-11-02T12:00:00Z"),
        detected_at=ts("2025-11-02T12:00:00Z"),
        resolved_at=None,
        impact=Impact("Half", 50.0),
    )
    window = budgets.current_window(kb(open_one), AUTH, date(2025, 11, 3))
    assert window.consumed_minutes == pytest.approx(12 * 60 * 0.5)
    assert "still open: counted up to the start of today (UTC)" in window.notes
