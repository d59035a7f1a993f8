"""Response times and how they compare: TTD/TTA/TTM/TTR per incident, their means and
medians overall and per group, and where each figure sits against the industry quartiles.

Pure functions of (model, today). Every group key is taken in UTC; every figure says how many
incidents it left out and why, so that nothing is dropped silently.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from incident_kb.core.timeutil import minutes
from incident_kb.documents.model import KnowledgeBase, Postmortem
from incident_kb.figures import actions
from incident_kb.figures.postmortems import PostmortemCompletion, postmortem_completion
from incident_kb.figures.trends import quarter_of, quarter_range, severity_order

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


#: Every incident's times, when the caller has them already (``Facts`` does); None: work
#: them out from the model.
Times = Sequence[IncidentTimes] | None


def response_stats(kb: KnowledgeBase, metric: TimeMetric, times: Times = None) -> Stat:
    """``metric`` over every incident (open ones where they have the figure)."""
    return summarize(all_incident_times(kb) if times is None else times, metric)


def response_stats_by(
    kb: KnowledgeBase,
    metric: TimeMetric,
    key: Callable[[Postmortem], Iterable[str]],
    times: Times = None,
) -> dict[str, Stat]:
    """``metric`` per group; an incident counts in every group ``key`` names. Sorted by key."""
    groups: dict[str, list[IncidentTimes]] = defaultdict(list)
    for entry in all_incident_times(kb) if times is None else times:
        for name in dict.fromkeys(key(entry.postmortem)):  # once per group, in order
            groups[name].append(entry)
    return {name: summarize(group, metric) for name, group in sorted(groups.items())}


def response_stats_by_severity(
    kb: KnowledgeBase, metric: TimeMetric, times: Times = None
) -> dict[str, Stat]:
    """``metric`` per severity level seen, most severe first (policy rank, then unknown ids
    alphabetically)."""
    stats = response_stats_by(kb, metric, lambda pm: [pm.severity], times)
    return {sev: stats[sev] for sev in severity_order(kb, stats) if sev in stats}


def response_stats_by_service(
    kb: KnowledgeBase, metric: TimeMetric, times: Times = None
) -> dict[str, Stat]:
    """``metric`` per service id; an incident counts for each service it affected."""
    return response_stats_by(kb, metric, lambda pm: pm.services, times)


def response_stats_by_quarter(
    kb: KnowledgeBase, metric: TimeMetric, times: Times = None
) -> dict[str, Stat]:
    """``metric`` per quarter ("2025-Q4", from the UTC time the incident started), oldest
    first; every quarter from the first to the last incident is present, an empty one with
    count 0."""
    stats = response_stats_by(kb, metric, lambda pm: [quarter_of(pm.started_at)], times)
    if not stats:
        return {}
    keys = list(stats)
    return {q: stats.get(q, Stat(0, None, None)) for q in quarter_range(keys[0], keys[-1])}


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
        actions.action_item_completion(kb, today),
    )


def _by_start(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.started_at, pm.id))
