"""Figures computed from the model: pure functions of (model, today), no I/O, no clock."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from incident_kb.core.timeutil import minutes, utc_day
from incident_kb.documents.model import KnowledgeBase, Postmortem, Service
from incident_kb.figures import actions
from incident_kb.figures.trends import quarter_of, quarter_range, severity_order


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


def postmortem_requirement(pm: Postmortem, kb: KnowledgeBase) -> str | None:
    """Why a postmortem is required (a sentence), or None when it is not."""
    level = kb.level(pm.severity)
    if level is not None and level.postmortem_required:
        return f"{level.id} requires a postmortem"
    if kb.policy is None:
        return None
    threshold = kb.policy.error_budget.postmortem_if_consumed_pct
    for service_id, share in sorted(budget_share_pct(pm, kb).items()):
        if share > threshold:
            return (
                f"it consumed {share:.0f}% of {service_id}'s error budget "
                f"(more than {threshold:g}%)"
            )
    return None


def postmortem_due(pm: Postmortem, kb: KnowledgeBase) -> date | None:
    """When the postmortem is due: resolution date + the level's postmortem_due_days."""
    level = kb.level(pm.severity)
    if pm.resolved_at is None or level is None:
        return None
    return utc_day(pm.resolved_at) + timedelta(days=level.postmortem_due_days)


# ---------------------------------------------------------------------------------------------
# Response metrics, counts and quartiles. Every group key is taken in UTC; every figure says
# how many incidents it left out and why, so that nothing is dropped silently.
# ---------------------------------------------------------------------------------------------

TimeMetric = Literal["ttd", "tta", "ttm", "ttr"]
TIME_METRICS: tuple[TimeMetric, ...] = ("ttd", "tta", "ttm", "ttr")

#: Why an incident has no figure for a metric.
STILL_OPEN = "still open"
NOT_ACKNOWLEDGED = "not acknowledged"
NOT_MITIGATED = "not mitigated"
OUT_OF_ORDER = "times out of order"


@dataclass(frozen=True)
class Stat:
    """Count, mean and median (minutes) of the incidents that have a figure.

    ``mean`` and ``median`` are None when ``count`` is 0. ``left_out`` maps a reason to the
    number of incidents in the group that have no figure for that reason.
    """

    count: int
    mean: float | None
    median: float | None
    left_out: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentTimes:
    """One incident's TTD, TTA, TTM and TTR in minutes, and why any of them is missing.

    ``minutes[m]`` is None exactly when ``left_out[m]`` gives the reason: ``still open`` (the
    incident is unresolved and the time is not there yet; TTR always), ``not acknowledged``
    or ``not mitigated`` (resolved without that time), ``times out of order`` (the end comes
    before the start; the rules report it, the figures do not use it).
    """

    postmortem: Postmortem
    minutes: dict[TimeMetric, float | None]
    left_out: dict[TimeMetric, str]


def incident_times(pm: Postmortem) -> IncidentTimes:
    """TTD = detected - started, TTA = acknowledged - detected, TTM = mitigated - detected,
    TTR = resolved - detected, in minutes.

    An open incident keeps the figures it already has (TTD always, TTA/TTM once
    acknowledged/mitigated) and has no TTR.
    """
    ends: dict[TimeMetric, tuple[datetime, datetime | None, str]] = {
        "ttd": (pm.started_at, pm.detected_at, STILL_OPEN),
        "tta": (pm.detected_at, pm.acknowledged_at, NOT_ACKNOWLEDGED),
        "ttm": (pm.detected_at, pm.mitigated_at, NOT_MITIGATED),
        "ttr": (pm.detected_at, pm.resolved_at, STILL_OPEN),
    }
    values: dict[TimeMetric, float | None] = {}
    reasons: dict[TimeMetric, str] = {}
    for metric, (start, end, missing) in ends.items():
        if end is None:
            values[metric] = None
            reasons[metric] = STILL_OPEN if pm.resolved_at is None else missing
            continue
        value = minutes(end - start)
        if value < 0:
            values[metric] = None
            reasons[metric] = OUT_OF_ORDER
        else:
            values[metric] = value
    return IncidentTimes(pm, values, reasons)


def all_incident_times(kb: KnowledgeBase) -> list[IncidentTimes]:
    """Every incident's times, oldest start first (then by id); open incidents included."""
    return [incident_times(pm) for pm in _by_start(kb.postmortems)]


def summarize(times: Iterable[IncidentTimes], metric: TimeMetric) -> Stat:
    """Count, mean and median of ``metric`` over these incidents; the others are left out
    with their reason."""
    values: list[float] = []
    left_out: dict[str, int] = defaultdict(int)
    for entry in times:
        value = entry.minutes[metric]
        if value is None:
            left_out[entry.left_out[metric]] += 1
        else:
            values.append(value)
    if not values:
        return Stat(0, None, None, dict(sorted(left_out.items())))
    return Stat(
        len(values),
        statistics.fmean(values),
        float(statistics.median(values)),
        dict(sorted(left_out.items())),
    )


def response_stats(kb: KnowledgeBase, metric: TimeMetric) -> Stat:
    """``metric`` over every incident (open ones where they have the figure)."""
    return summarize(all_incident_times(kb), metric)


def response_stats_by(
    kb: KnowledgeBase, metric: TimeMetric, key: Callable[[Postmortem], Iterable[str]]
) -> dict[str, Stat]:
    """``metric`` per group; an incident counts in every group ``key`` names. Sorted by key."""
    groups: dict[str, list[IncidentTimes]] = defaultdict(list)
    for entry in all_incident_times(kb):
        for name in dict.fromkeys(key(entry.postmortem)):  # once per group, in order
            groups[name].append(entry)
    return {name: summarize(group, metric) for name, group in sorted(groups.items())}


def response_stats_by_severity(kb: KnowledgeBase, metric: TimeMetric) -> dict[str, Stat]:
    """``metric`` per severity level seen, most severe first (policy rank, then unknown ids
    alphabetically)."""
    stats = response_stats_by(kb, metric, lambda pm: [pm.severity])
    return {sev: stats[sev] for sev in severity_order(kb, stats) if sev in stats}


def response_stats_by_service(kb: KnowledgeBase, metric: TimeMetric) -> dict[str, Stat]:
    """``metric`` per service id; an incident counts for each service it affected."""
    return response_stats_by(kb, metric, lambda pm: pm.services)


def response_stats_by_quarter(kb: KnowledgeBase, metric: TimeMetric) -> dict[str, Stat]:
    """``metric`` per quarter ("2025-Q4", from the UTC time the incident started), oldest
    first; every quarter from the first to the last incident is present, an empty one with
    count 0."""
    stats = response_stats_by(kb, metric, lambda pm: [quarter_of(pm.started_at)])
    if not stats:
        return {}
    keys = list(stats)
    return {q: stats.get(q, Stat(0, None, None)) for q in quarter_range(keys[0], keys[-1])}


@dataclass(frozen=True)
class PostmortemCompletion:
    """Required postmortems published, over those that are published or past their due date.

    ``not_yet_due`` lists (sorted) the ids of required, unpublished postmortems still
    before their due date; with the incidents still open and those without a due date they
    are in ``left_out`` too, not in ``required``. ``not_required`` counts the incidents
    for which no postmortem is required (as far as can be told today).
    """

    published: int
    required: int
    not_yet_due: tuple[str, ...] = ()
    not_required: int = 0
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def pct(self) -> float | None:
        return 100.0 * self.published / self.required if self.required else None


def postmortem_completion(kb: KnowledgeBase, today: date) -> PostmortemCompletion:
    """Postmortem completion: published / required (``postmortem_requirement``).

    Counted: required postmortems that are published (whenever that was) and required ones
    unpublished after their due date (overdue). Left out, and said so: unpublished ones not
    yet due ("not yet due"), of incidents still open ("incident not resolved"), and of
    severities the policy does not know, which have no due date ("no due date").
    """
    published = required = not_required = 0
    not_yet_due: list[str] = []
    left_out: dict[str, int] = defaultdict(int)
    for pm in _by_start(kb.postmortems):
        if postmortem_requirement(pm, kb) is None:
            not_required += 1
            continue
        if pm.status == "published":
            published += 1
            required += 1
            continue
        due = postmortem_due(pm, kb)
        if pm.resolved_at is None:
            left_out["incident not resolved"] += 1
        elif due is None:
            left_out["no due date"] += 1
        elif today <= due:
            left_out["not yet due"] += 1
            not_yet_due.append(pm.id)
        else:
            required += 1
    return PostmortemCompletion(
        published,
        required,
        tuple(sorted(not_yet_due)),
        not_required,
        dict(sorted(left_out.items())),
    )


@dataclass(frozen=True)
class OverduePostmortem:
    """A required postmortem not published by its due date."""

    postmortem: Postmortem
    due: date
    days_overdue: int
    reason: str


def overdue_postmortems(kb: KnowledgeBase, today: date) -> list[OverduePostmortem]:
    """Required, unpublished postmortems with today after their due date, oldest due first.

    The same test as the postmortem-overdue rule. Not listed: incidents still open or of an
    unknown severity (no due date yet), which ``postmortem_completion`` counts as left out.
    """
    out = []
    for pm in kb.postmortems:
        if pm.status == "published":
            continue
        reason = postmortem_requirement(pm, kb)
        due = postmortem_due(pm, kb)
        if reason is None or due is None or today <= due:
            continue
        out.append(OverduePostmortem(pm, due, (today - due).days, reason))
    return sorted(out, key=lambda o: (o.due, o.postmortem.id))


def action_item_completion(
    kb: KnowledgeBase, today: date, days: int = actions.COMPLETION_WINDOW_DAYS
) -> actions.Rate:
    """Action items done within ``days`` of resolution: ``actions.completion_within`` over
    every item, with its left-out reasons (won't do, incident open, still inside the window)."""
    return actions.completion_within(actions.all_items(kb, today), today, days)


Placement = Literal["top", "above median", "below median", "bottom"]


@dataclass(frozen=True)
class Quartiles:
    """Industry thresholds (SPEC): top, median and bottom, and which way is better."""

    top: float
    median: float
    bottom: float
    higher_is_better: bool
    unit: str


#: The SPEC table: MTTx in minutes (lower is better), completions in percent (higher is better).
QUARTILES: dict[str, Quartiles] = {
    "mttd": Quartiles(2, 15, 60, False, "min"),
    "mtta": Quartiles(3, 10, 30, False, "min"),
    "mttm": Quartiles(15, 60, 240, False, "min"),
    "mttr": Quartiles(30, 240, 1440, False, "min"),
    "postmortem_completion": Quartiles(100, 60, 20, True, "%"),
    "action_item_completion": Quartiles(90, 50, 25, True, "%"),
}


def placement(metric: str, value: float | None) -> Placement | None:
    """Where ``value`` sits against the industry quartiles; None when there is no value.

    Lower is better for MTTx: <= top is "top", <= median "above median", <= bottom "below
    median", else "bottom"; higher is better for completions (>= instead of <=). An unknown
    metric name is a KeyError (a programming mistake, not missing data).
    """
    q = QUARTILES[metric]
    if value is None:
        return None
    if q.higher_is_better:
        checks = (value >= q.top, value >= q.median, value >= q.bottom)
    else:
        checks = (value <= q.top, value <= q.median, value <= q.bottom)
    if checks[0]:
        return "top"
    if checks[1]:
        return "above median"
    if checks[2]:
        return "below median"
    return "bottom"


@dataclass(frozen=True)
class Benchmark:
    """One metric's value (mean minutes or percent), its placement and what it left out."""

    metric: str
    value: float | None
    unit: str
    placement: Placement | None
    count: int
    left_out: dict[str, int] = field(default_factory=dict)


def benchmarks_of(
    overall: Mapping[TimeMetric, Stat], pmc: PostmortemCompletion, aic: actions.Rate
) -> list[Benchmark]:
    """Every SPEC metric placed against the quartiles: MTTD, MTTA, MTTM, MTTR (means over
    ``overall``), postmortem completion, action-item completion."""
    out = [
        Benchmark(
            f"m{metric}",
            stat.mean,
            "min",
            placement(f"m{metric}", stat.mean),
            stat.count,
            stat.left_out,
        )
        for metric, stat in ((m, overall[m]) for m in TIME_METRICS)
    ]
    for name, rate, count in (
        ("postmortem_completion", pmc, pmc.required),
        ("action_item_completion", aic, aic.total),
    ):
        out.append(Benchmark(name, rate.pct, "%", placement(name, rate.pct), count, rate.left_out))
    return out


def benchmarks(kb: KnowledgeBase, today: date) -> list[Benchmark]:
    """``benchmarks_of`` over the whole knowledge base."""
    return benchmarks_of(
        {m: response_stats(kb, m) for m in TIME_METRICS},
        postmortem_completion(kb, today),
        action_item_completion(kb, today),
    )


def _by_start(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.started_at, pm.id))
