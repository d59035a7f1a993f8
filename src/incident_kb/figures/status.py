"""What the status page says: components' current state, 90 days of uptime, the history.

Pure functions of (model, configuration, today): no wall clock, so the same input always
gives the same figures. Days are UTC days; the 90 days end with "today".

Uptime follows the SPEC's weighting: the minutes in which a component is in
``major_outage`` count in full, ``partial_outage`` at the configured weight (``Weights``,
0.3 by default), and ``degraded_performance`` not at all. An incident affects a component
when its ``status_page.components`` lists it, from ``started_at`` to ``resolved_at`` (or to
the end of today while unresolved). Overlapping incidents are not counted twice: every
minute counts once, at the heaviest weight of the incidents covering it.

The current state: the unresolved incidents that have a ``status_page`` are the public
ones; the overall indicator is the worst of their impacts ("none" without any). A component
is "operational" unless a public unresolved incident lists it: then the worst state any of
them lists. Components come in service-id order, then as each service lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from incident_kb.core.config import Config
from incident_kb.core.timeutil import minutes
from incident_kb.documents.model import KnowledgeBase, Postmortem, StatusPage, StatusUpdate

DAYS = 90
DAY_MINUTES = 24 * 60.0
#: Status-page impacts and component states, least severe first.
IMPACTS = ("none", "minor", "major", "critical")
COMPONENT_STATES = ("operational", "degraded_performance", "partial_outage", "major_outage")


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


@dataclass(frozen=True)
class Component:
    """One component: its state now and its days, oldest first."""

    name: str
    service: str
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


@dataclass(frozen=True)
class Status:
    """The status page's figures for one day."""

    indicator: str
    components: tuple[Component, ...]
    #: Unresolved incidents with a status page, newest start first.
    public: tuple[tuple[Postmortem, StatusPage], ...]
    #: Status-page incidents by UTC month of their start ("YYYY-MM"), newest first.
    history: tuple[tuple[str, tuple[HistoryEntry, ...]], ...]
    weights: Weights
    days: int = DAYS

    @property
    def ongoing(self) -> list[HistoryEntry]:
        return [e for _m, group in self.history for e in group if not e.postmortem.is_resolved]


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
        states = [state for _s, _e, state, _id, _w in spans if state in COMPONENT_STATES]
        out.append(
            Day(
                date=day,
                uptime_pct=100.0 * (1.0 - outage / DAY_MINUTES),
                state=_worst(states, COMPONENT_STATES),
                incidents=tuple(sorted({pm_id for _s, _e, _st, pm_id, _w in spans})),
                outage_minutes=outage,
            )
        )
    return tuple(out)


def _worst(values: list[str], order: tuple[str, ...]) -> str:
    return max(values, key=order.index, default=order[0])


def public_incidents(kb: KnowledgeBase) -> tuple[tuple[Postmortem, StatusPage], ...]:
    """Unresolved incidents with a status page, newest start first (then id, descending)."""
    newest = sorted(kb.postmortems, key=lambda p: (p.started_at, p.id), reverse=True)
    return tuple(
        (pm, pm.status_page) for pm in newest if not pm.is_resolved and pm.status_page is not None
    )


def current_states(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(component, service id, state now) of every component of every service."""
    states: dict[str, list[str]] = {}
    for _pm, page in public_incidents(kb):
        for name, state in page.components:
            states.setdefault(name, []).append(state)
    return [
        (name, service.id, _worst(states.get(name, []), COMPONENT_STATES))
        for service in sorted(kb.services, key=lambda s: (s.id, s.source.path))
        for name in service.components
    ]


def uptime(
    kb: KnowledgeBase,
    config: Config,
    today: date,
    weights: Weights | None = None,
    days: int = DAYS,
) -> tuple[Component, ...]:
    """Every component of every service with its state now, its days and its uptime."""
    weights = weights or Weights(partial_outage=config.partial_outage_weight)
    out = []
    for name, service, state in current_states(kb):
        per_day = component_days(kb, name, today, weights, days)
        outage = sum(d.outage_minutes for d in per_day)
        out.append(
            Component(
                name=name,
                service=service,
                status=state,
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


def status(kb: KnowledgeBase, config: Config, today: date) -> Status:
    """The status page's figures as of today."""
    weights = Weights(partial_outage=config.partial_outage_weight)
    public = public_incidents(kb)
    return Status(
        indicator=_worst([page.impact for _pm, page in public], IMPACTS),
        components=uptime(kb, config, today, weights),
        public=public,
        history=history(kb),
        weights=weights,
    )
