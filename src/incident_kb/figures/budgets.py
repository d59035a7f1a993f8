"""Error budgets per service and SLO window: pure functions of (model, today), no clock.

A window is a run of whole UTC days ``[start, end)``: it starts at 00:00 UTC on ``start``
and stops just before 00:00 UTC on ``end``, ``end - start`` being the service's
``slo.window_days``. The current window ends with today (``end = today + 1 day``); the
windows before it follow back to back, newest first.

What an incident consumes in a window, for each service it affected:

- ``impact.error_budget_minutes`` when set (the override), in full, in the window where the
  incident started (UTC), and nowhere else, even if the incident runs on past that window:
  an override is one figure for the whole incident and cannot be split honestly. A later
  window that the incident also covers says so in ``left_out``.
- otherwise the minutes of ``[started_at, resolved_at)`` that fall inside the window, times
  ``users_affected_pct / 100``: an incident that crosses a window edge is split between the
  windows at the same users-affected share (a note says so).
- an incident still open, without an override, counts up to ``now`` (the start of today,
  UTC, for the current window: never minutes that have not happened yet), or up to the
  window end for a window that is over; a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from incident_kb.core.timeutil import minutes
from incident_kb.documents.model import KnowledgeBase, Postmortem, Service

Status = Literal["ok", "warning", "freeze"]
PREVIOUS_WINDOWS = 4

#: Notes on incidents counted in part or with an assumption.
NOTE_OPEN = "still open: counted up to the start of today (UTC)"
NOTE_SPLIT = "crosses a window edge: only the minutes inside the window counted"
NOTE_OVERRIDE_RUNS_ON = "override counted in full here, where the incident started"
#: Why an incident that overlaps a window consumes nothing in it.
LEFT_OUT_OVERRIDE = "override counted in the window where the incident started"


@dataclass(frozen=True)
class Consumption:
    """What one incident consumed in one window.

    ``overridden``: the figure is ``impact.error_budget_minutes``. ``split``: the incident
    crosses a window edge and only the minutes inside the window count. ``open``: the
    incident is unresolved and counts up to the window end.
    """

    postmortem: Postmortem
    minutes: float
    overridden: bool = False
    split: bool = False
    open: bool = False


@dataclass(frozen=True)
class BudgetWindow:
    """One service's error budget over one window ``[start, end)`` of UTC days.

    ``budget_minutes`` = window minutes x (1 - availability / 100). ``consumed`` lists the
    incidents that consumed budget here (zero-minute ones included), oldest start first.
    ``notes`` counts incidents counted in part or up to the window end; ``left_out`` counts
    incidents that overlap the window but consume nothing in it, with the reason.
    ``status`` compares ``pct_consumed`` with the policy's thresholds: "freeze" at or above
    ``freeze_at_pct``, "warning" at or above ``warn_at_pct``, else (or without a policy) "ok".
    """

    service_id: str
    start: date
    end: date
    budget_minutes: float
    consumed: tuple[Consumption, ...]
    status: Status
    notes: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def last_day(self) -> date:
        """The last day inside the window (``end`` itself is not)."""
        return self.end - timedelta(days=1)

    @property
    def consumed_minutes(self) -> float:
        return sum(c.minutes for c in self.consumed)

    @property
    def remaining_minutes(self) -> float:
        """Budget left; negative once the budget is overspent."""
        return self.budget_minutes - self.consumed_minutes

    @property
    def pct_consumed(self) -> float:
        """Percent of the budget consumed; infinite when a zero budget was consumed at all."""
        return _pct(self.consumed_minutes, self.budget_minutes)


def service_budget_minutes(service: Service) -> float:
    """Error budget of one SLO window: window minutes x (1 - availability/100)."""
    return service.slo.window_days * 24 * 60 * (1 - service.slo.availability / 100)


def incident_budget_minutes(pm: Postmortem) -> float | None:
    """Budget minutes an incident consumed in each affected service.

    The override ``impact.error_budget_minutes`` wins; otherwise (resolved - started) x
    users_affected_pct / 100. None while the incident is open and has no override.
    """
    if pm.impact.error_budget_minutes is not None:
        return pm.impact.error_budget_minutes
    if pm.resolved_at is None:
        return None
    return minutes(pm.resolved_at - pm.started_at) * pm.impact.users_affected_pct / 100


def budget_share_pct(pm: Postmortem, kb: KnowledgeBase) -> dict[str, float]:
    """Percent of each affected service's window budget that this incident consumed."""
    consumed = incident_budget_minutes(pm)
    shares: dict[str, float] = {}
    if consumed is None:
        return shares
    for service_id in pm.services:
        service = kb.service_by_id.get(service_id)
        if service is None:
            continue
        budget = service_budget_minutes(service)
        shares[service_id] = 100.0 * consumed / budget if budget > 0 else float("inf")
    return shares


def _pct(consumed: float, budget: float) -> float:
    if budget > 0:
        return 100.0 * consumed / budget
    return float("inf") if consumed > 0 else 0.0


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def window_bounds(end: date, window_days: int) -> tuple[date, date]:
    """``(end - window_days, end)``: the window's first day and the day after its last."""
    return end - timedelta(days=window_days), end


def consumption(
    pm: Postmortem, start: datetime, end: datetime, now: datetime | None = None
) -> tuple[Consumption | None, str | None]:
    """What ``pm`` consumed in ``[start, end)`` (for any one of its services).

    Returns (consumption, None) when it counts here, (None, reason) when it overlaps the
    window but counts elsewhere, (None, None) when it has nothing to do with the window.
    """
    started_inside = start <= pm.started_at < end
    if pm.resolved_at is not None:
        stop = pm.resolved_at
    else:  # an open incident has consumed nothing past the present
        stop = min(end, now) if now is not None else end
    overlaps = pm.started_at < end and stop > start
    override = pm.impact.error_budget_minutes
    if override is not None:
        if started_inside:
            return Consumption(pm, override, overridden=True), None
        return (None, LEFT_OUT_OVERRIDE) if overlaps else (None, None)
    if not (overlaps or started_inside):
        return None, None
    lo, hi = max(pm.started_at, start), min(stop, end)
    inside = max(0.0, minutes(hi - lo))
    split = pm.started_at < start or (pm.resolved_at is not None and pm.resolved_at > end)
    return (
        Consumption(
            pm,
            inside * pm.impact.users_affected_pct / 100,
            split=split,
            open=pm.resolved_at is None,
        ),
        None,
    )


def budget_window(
    kb: KnowledgeBase, service: Service, end: date, now: datetime | None = None
) -> BudgetWindow:
    """The error budget of ``service`` over the window of ``slo.window_days`` UTC days that
    stops just before ``end`` (exclusive): budget, each incident's consumption, status."""
    first, stop = window_bounds(end, service.slo.window_days)
    start_at, end_at = _midnight(first), _midnight(stop)
    consumed: list[Consumption] = []
    notes: dict[str, int] = defaultdict(int)
    left_out: dict[str, int] = defaultdict(int)
    for pm in sorted(kb.postmortems, key=lambda p: (p.started_at, p.id)):
        if service.id not in pm.services:
            continue
        entry, reason = consumption(pm, start_at, end_at, now)
        if reason is not None:
            left_out[reason] += 1
        if entry is None:
            continue
        consumed.append(entry)
        if entry.open:
            notes[NOTE_OPEN] += 1
        if entry.split:
            notes[NOTE_SPLIT] += 1
        if entry.overridden and (pm.resolved_at is None or pm.resolved_at > end_at):
            notes[NOTE_OVERRIDE_RUNS_ON] += 1
    budget = service_budget_minutes(service)
    used = sum(c.minutes for c in consumed)
    return BudgetWindow(
        service.id,
        first,
        stop,
        budget,
        tuple(consumed),
        status_of(kb, _pct(used, budget)),
        dict(sorted(notes.items())),
        dict(sorted(left_out.items())),
    )


def status_of(kb: KnowledgeBase, pct_consumed: float) -> Status:
    """ok, warning (>= warn_at_pct) or freeze (>= freeze_at_pct); ok without a policy."""
    if kb.policy is None:
        return "ok"
    policy = kb.policy.error_budget
    if pct_consumed >= policy.freeze_at_pct:
        return "freeze"
    if pct_consumed >= policy.warn_at_pct:
        return "warning"
    return "ok"


def current_window(kb: KnowledgeBase, service: Service, today: date) -> BudgetWindow:
    """The window that ends with today (today included)."""
    return budget_window(kb, service, today + timedelta(days=1), _midnight(today))


def budget_history(
    kb: KnowledgeBase, service: Service, today: date, previous: int = PREVIOUS_WINDOWS
) -> tuple[BudgetWindow, ...]:
    """The current window and the ``previous`` windows before it, back to back, newest
    first."""
    end = today + timedelta(days=1)
    step = timedelta(days=service.slo.window_days)
    return tuple(
        budget_window(kb, service, end - i * step, _midnight(today)) for i in range(previous + 1)
    )


def all_budgets(
    kb: KnowledgeBase, today: date, previous: int = PREVIOUS_WINDOWS
) -> dict[str, tuple[BudgetWindow, ...]]:
    """``budget_history`` of every service, by service id."""
    return {
        service.id: budget_history(kb, service, today, previous)
        for service in sorted(kb.services, key=lambda s: s.id)
    }
