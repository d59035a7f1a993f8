"""Action-item figures with hand-made incidents and a fixed "today"."""

from __future__ import annotations

from datetime import date

import pytest

from factories import kb, pm, ts
from incident_kb.documents.model import ActionItem
from incident_kb.figures import actions, facts

TODAY = date(2025, 12, 1)


def item(
    index: int,
    due: str,
    status: str = "open",
    done: str | None = None,
    owner: str = "bob",
    kind: str = "prevent",
) -> ActionItem:
    return ActionItem(
        f"item {index}",
        owner,
        date.fromisoformat(due),
        status,
        kind,
        date.fromisoformat(done) if done else None,
        index=index,
    )


@pytest.mark.parametrize(
    ("entry", "state"),
    [
        (item(0, "2025-11-30"), "overdue"),
        (item(0, "2025-12-01"), "due-soon"),  # due today is not overdue yet
        (item(0, "2025-12-15"), "due-soon"),
        (item(0, "2025-12-16"), "open"),
        (item(0, "2025-12-16", "in-progress"), "in-progress"),
        (item(0, "2025-11-01", "in-progress"), "overdue"),
        (item(0, "2025-11-01", "done", "2025-11-01"), "done-on-time"),
        (item(0, "2025-11-01", "done", "2025-11-02"), "done-late"),
        (item(0, "2025-11-01", "wont-do"), "wont-do"),
    ],
)
def test_states(entry: ActionItem, state: str) -> None:
    assert actions.state_of(entry, TODAY) == state


def test_overdue_oldest_first_then_groups() -> None:
    first = pm(
        id="INC-2025-001",
        action_items=(
            item(0, "2025-11-20", owner="carol"),
            item(1, "2025-10-01"),
            item(2, "2025-12-05", "in-progress"),
        ),
    )
    second = pm(
        id="INC-2025-002",
        services=("api", "auth"),
        action_items=(item(0, "2025-10-01", kind="detect"),),
    )
    items = actions.all_items(kb(first, second), TODAY)
    assert [i.key for i in actions.overdue_first(items)] == [
        ("INC-2025-001", 1),
        ("INC-2025-002", 0),
        ("INC-2025-001", 0),
    ]
    assert [i.days_overdue for i in actions.overdue_first(items)] == [61, 61, 11]
    assert [i.key for i in actions.due_soon(items)] == [("INC-2025-001", 2)]
    assert {k: len(v) for k, v in actions.by_owner(items).items()} == {"bob": 3, "carol": 1}
    assert {k: len(v) for k, v in actions.by_service(items).items()} == {"api": 1, "auth": 4}
    assert list(actions.by_kind(items)) == ["detect", "prevent"]
    assert list(actions.by_incident(items)) == ["INC-2025-001", "INC-2025-002"]


def test_no_action_items() -> None:
    items = actions.all_items(kb(pm()), TODAY)
    assert items == []
    assert actions.completion_within(items, TODAY).pct is None


def test_completion_within_30_days_says_what_it_left_out() -> None:
    old = pm(
        id="INC-2025-001",
        resolved_at=ts("2025-10-01T12:00:00Z"),
        action_items=(
            item(0, "2025-10-05", "done", "2025-10-31"),  # day 30: counts
            item(1, "2025-10-05", "done", "2025-11-01"),  # day 31: too late
            item(2, "2025-10-05", "open"),
            item(3, "2025-10-05", "wont-do"),
        ),
    )
    recent = pm(
        id="INC-2025-002",
        resolved_at=ts("2025-11-20T00:00:00Z"),
        action_items=(item(0, "2025-11-25", "done", "2025-11-21"),),
    )
    ongoing = pm(id="INC-2025-003", resolved_at=None, action_items=(item(0, "2025-12-20"),))
    items = actions.all_items(kb(old, recent, ongoing), TODAY)
    rate = actions.completion_within(items, TODAY)
    assert (rate.done, rate.total) == (1, 3)
    assert rate.pct == pytest.approx(33.333, rel=1e-3)
    assert rate.left_out == {
        "fewer than 30 days since resolution": 1,
        "incident not resolved": 1,
        "won't do": 1,
    }
    per_severity = actions.completion_by(items, TODAY, lambda i: [i.postmortem.severity])
    assert per_severity["SEV-3"].total == 3


def test_items_open_when_the_incident_happened_again() -> None:
    earlier = pm(
        id="INC-2025-001",
        started_at=ts("2025-01-01T00:00:00Z"),
        detected_at=ts("2025-01-01T00:05:00Z"),
        resolved_at=ts("2025-01-01T02:00:00Z"),
        action_items=(
            item(0, "2025-02-01", "done", "2025-02-01"),  # closed before: not counted
            item(1, "2025-02-01", "done", "2025-11-05"),  # done only afterwards
            item(2, "2025-02-01", "in-progress"),
            item(3, "2025-02-01", "wont-do"),
        ),
    )
    again = pm(
        id="INC-2025-002", started_at=ts("2025-11-01T10:00:00Z"), recurrence_of="INC-2025-001"
    )
    base = kb(earlier, again)
    assert [i.index for i in actions.open_when_recurred(again, base)] == [1, 2]
    assert actions.open_when_recurred(earlier, base) == []
    (recurrence,) = facts.recurrences(base)
    assert (recurrence.postmortem.id, recurrence.earlier.id, len(recurrence.open_items)) == (
        "INC-2025-002",
        "INC-2025-001",
        2,
    )


def test_days_are_utc_days() -> None:
    """Resolved at 23:50 -11:00 is the next UTC day: completion windows count from there."""
    late = pm(
        resolved_at=ts("2025-10-01T23:50:00-11:00"),
        action_items=(item(0, "2025-10-05", "done", "2025-11-01"),),
    )
    rate = actions.completion_within(actions.all_items(kb(late), TODAY), TODAY)
    assert (rate.done, rate.total) == (1, 1)  # deadline 2025-11-01 (UTC 2025-10-02 + 30)
