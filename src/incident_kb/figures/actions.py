"""Action-item follow-through: pure functions of (model, today).

Every figure says what it left out and why, so that an incident still inside its 30-day
window, or one not yet resolved, is never silently dropped from a rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from incident_kb.core.config import Config
from incident_kb.core.timeutil import utc_day
from incident_kb.documents.model import ActionItem, KnowledgeBase, Postmortem

State = Literal[
    "overdue", "due-soon", "open", "in-progress", "done-on-time", "done-late", "wont-do"
]
STATES: tuple[State, ...] = (
    "overdue",
    "due-soon",
    "open",
    "in-progress",
    "done-on-time",
    "done-late",
    "wont-do",
)
COMPLETION_WINDOW_DAYS = 30
#: The "due soon" window when none is given: the configured default.
DUE_SOON_DAYS = Config.action_items_due_soon_days


@dataclass(frozen=True)
class Item:
    """An action item with its incident and where it stands today."""

    item: ActionItem
    postmortem: Postmortem
    state: State
    days_overdue: int = 0
    days_left: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in ("overdue", "due-soon", "open", "in-progress")

    @property
    def key(self) -> tuple[str, int]:
        return (self.postmortem.id, self.item.index)


def state_of(item: ActionItem, today: date, due_soon_days: int = DUE_SOON_DAYS) -> State:
    """Where an item stands: overdue and due soon come before open/in progress."""
    if item.status == "wont-do":
        return "wont-do"
    if item.status == "done":
        return "done-late" if item.completed_on and item.completed_on > item.due else "done-on-time"
    if item.due < today:
        return "overdue"
    if (item.due - today).days <= due_soon_days:
        return "due-soon"
    return "in-progress" if item.status == "in-progress" else "open"


def all_items(kb: KnowledgeBase, today: date, due_soon_days: int = DUE_SOON_DAYS) -> list[Item]:
    """Every action item, in incident order then item order."""
    out = []
    for pm in kb.postmortems:
        for item in pm.action_items:
            state = state_of(item, today, due_soon_days)
            out.append(
                Item(
                    item,
                    pm,
                    state,
                    days_overdue=(today - item.due).days if state == "overdue" else 0,
                    days_left=(item.due - today).days if state == "due-soon" else 0,
                )
            )
    return out


def overdue_first(items: Iterable[Item]) -> list[Item]:
    """Overdue items, oldest due date first."""
    return sorted(
        (i for i in items if i.state == "overdue"),
        key=lambda i: (i.item.due, i.postmortem.id, i.item.index),
    )


def due_soon(items: Iterable[Item]) -> list[Item]:
    """Items due within the window, soonest first."""
    return sorted(
        (i for i in items if i.state == "due-soon"),
        key=lambda i: (i.item.due, i.postmortem.id, i.item.index),
    )


def group_by(items: Iterable[Item], key: Callable[[Item], Iterable[str]]) -> dict[str, list[Item]]:
    """Items under each key (an item may sit under several, e.g. several services), sorted."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for name in key(item):
            groups[name].append(item)
    return {
        name: sorted(group, key=lambda i: (i.item.due, i.postmortem.id, i.item.index))
        for name, group in sorted(groups.items())
    }


def by_owner(items: Iterable[Item]) -> dict[str, list[Item]]:
    return group_by(items, lambda i: [i.item.owner])


def by_service(items: Iterable[Item]) -> dict[str, list[Item]]:
    return group_by(items, lambda i: i.postmortem.services)


def by_incident(items: Iterable[Item]) -> dict[str, list[Item]]:
    return group_by(items, lambda i: [i.postmortem.id])


def by_kind(items: Iterable[Item]) -> dict[str, list[Item]]:
    return group_by(items, lambda i: [i.item.kind])


@dataclass(frozen=True)
class Rate:
    """Items done within the window after resolution, over the items that could be."""

    done: int
    total: int
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def pct(self) -> float | None:
        return 100.0 * self.done / self.total if self.total else None


def completion_within(
    items: Sequence[Item], today: date, days: int = COMPLETION_WINDOW_DAYS
) -> Rate:
    """Share of action items done within ``days`` of their incident's resolution.

    Counted: items of incidents resolved at least ``days`` ago. Left out, and said so:
    items of unresolved incidents, of incidents still inside the window, and won't-do items
    (a decision not to do the work is not a completion, nor a failure to complete).
    """
    done = total = 0
    left_out: dict[str, int] = defaultdict(int)
    for entry in items:
        pm = entry.postmortem
        if entry.item.status == "wont-do":
            left_out["won't do"] += 1
            continue
        if pm.resolved_at is None:
            left_out["incident not resolved"] += 1
            continue
        deadline = utc_day(pm.resolved_at) + timedelta(days=days)
        if deadline > today:
            left_out[f"fewer than {days} days since resolution"] += 1
            continue
        total += 1
        completed = entry.item.completed_on
        if entry.item.status == "done" and completed is not None and completed <= deadline:
            done += 1
    return Rate(done, total, dict(sorted(left_out.items())))


def completion_by(
    items: Sequence[Item], today: date, key: Callable[[Item], Iterable[str]]
) -> dict[str, Rate]:
    return {name: completion_within(group, today) for name, group in group_by(items, key).items()}


def action_item_completion(
    kb: KnowledgeBase, today: date, days: int = COMPLETION_WINDOW_DAYS
) -> Rate:
    """Action items done within ``days`` of resolution: ``completion_within`` over
    every item, with its left-out reasons (won't do, incident open, still inside the window)."""
    return completion_within(all_items(kb, today), today, days)


def open_when_recurred(pm: Postmortem, kb: KnowledgeBase) -> list[ActionItem]:
    """The earlier incident's items that were still open when this one started.

    An item counts as open then unless it was done on or before the day the recurrence
    started; won't-do items are closed decisions and never count.
    """
    if pm.recurrence_of is None:
        return []
    earlier = kb.postmortem_by_id.get(pm.recurrence_of)
    if earlier is None:
        return []
    started = utc_day(pm.started_at)
    return [
        item
        for item in earlier.action_items
        if item.status != "wont-do"
        and not (item.status == "done" and item.completed_on and item.completed_on <= started)
    ]


_STATE_WORDS = {
    "overdue": "overdue",
    "due-soon": "due soon",
    "open": "open",
    "in-progress": "in progress",
    "done-on-time": "done",
    "done-late": "done late",
    "wont-do": "won't do",
}


def state_words(item: Item) -> str:
    """An item's state for readers: "overdue 12d", "due in 3d", "in progress"."""
    if item.state == "overdue":
        return f"overdue {item.days_overdue}d"
    if item.state == "due-soon":
        return "due today" if item.days_left == 0 else f"due in {item.days_left}d"
    return _STATE_WORDS[item.state]
