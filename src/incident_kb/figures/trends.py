"""Incident counts over time: per quarter and service, per month of the worst severity.

Pure functions of (model, today). Every key is taken in UTC: an incident at 23:30-05:00 on
31 December belongs to the next year's first quarter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from incident_kb.documents.model import KnowledgeBase, Postmortem


def quarter_of(moment: datetime | date) -> str:
    """The quarter key "YYYY-Qn"; a datetime is taken in UTC (23:30-05:00 on 31 December
    belongs to the next year's first quarter)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter key from ``first`` to ``last``, both included (empty if last < first)."""
    year, quarter = int(first[:4]), int(first[-1])
    out: list[str] = []
    while f"{year:04d}-Q{quarter}" <= last:
        out.append(f"{year:04d}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def month_of(moment: datetime | date) -> str:
    """The month key "YYYY-MM"; a datetime is taken in UTC."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def month_range(last: date, months: int) -> list[str]:
    """The ``months`` month keys ending with ``last``'s month, oldest first."""
    index = last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months + 1, index + 1)]


def severity_order(kb: KnowledgeBase, seen: Iterable[str] = ()) -> list[str]:
    """The policy's levels, most severe first, then any other severity in ``seen`` sorted."""
    levels = sorted(kb.policy.levels, key=lambda lv: lv.rank) if kb.policy else []
    known = [lv.id for lv in levels]
    return known + sorted(set(seen) - set(known))


def _per_quarter(
    kb: KnowledgeBase,
    today: date | None,
    groups: Callable[[Postmortem], Iterable[str]],
    always: Iterable[str] = (),
) -> dict[str, dict[str, dict[str, int]]]:
    """Incident counts keyed group -> quarter -> severity, every quarter and severity present;
    the groups incidents name and those in ``always``, sorted.

    Quarters: every quarter from the first incident's to the last incident's (to today's
    quarter when ``today`` is given and later), oldest first, present even when empty.
    Severities: the policy's levels most severe first, then any other severity seen.
    """
    severities = severity_order(kb, (pm.severity for pm in kb.postmortems))
    bounds = [quarter_of(pm.started_at) for pm in kb.postmortems]
    if today is not None:
        bounds.append(quarter_of(today))
    quarters = quarter_range(min(bounds), max(bounds)) if bounds else []
    names = sorted({*always, *(name for pm in kb.postmortems for name in groups(pm))})
    table = {name: {q: dict.fromkeys(severities, 0) for q in quarters} for name in names}
    for pm in kb.postmortems:
        for name in set(groups(pm)):
            table[name][quarter_of(pm.started_at)][pm.severity] += 1
    return table


def incidents_per_quarter(
    kb: KnowledgeBase, today: date | None = None
) -> dict[str, dict[str, dict[str, int]]]:
    """Incident counts keyed service id -> quarter ("YYYY-Qn", UTC start) -> severity id.

    An incident counts once for each service it affected, open or not. Services: every
    service in the model plus any other id an incident names, sorted; a service without
    incidents has every quarter at 0.
    """
    return _per_quarter(kb, today, lambda pm: pm.services, (s.id for s in kb.services))


def incidents_per_quarter_overall(kb: KnowledgeBase, today: date) -> dict[str, dict[str, int]]:
    """Quarter -> severity -> incidents over the whole knowledge base, each incident once;
    quarters up to today's."""
    return _per_quarter(kb, today, lambda _pm: ["all"], ["all"])["all"]


SEV1_FLAG_ABOVE = 3


@dataclass(frozen=True)
class MonthlyCounts:
    """Incidents of the most severe level per month ("YYYY-MM", UTC start), oldest first.

    ``flagged`` lists the months with more than ``flag_above``. ``left_out`` counts that
    level's incidents outside the range ("before YYYY-MM" / "after YYYY-MM").
    """

    level: str
    counts: dict[str, int]
    flagged: tuple[str, ...]
    flag_above: int = SEV1_FLAG_ABOVE
    left_out: dict[str, int] = field(default_factory=dict)


def most_severe_level(kb: KnowledgeBase) -> str:
    """The policy's most severe level id (rank 0, the first), or "SEV-1" without a policy."""
    if kb.policy and kb.policy.levels:
        return min(kb.policy.levels, key=lambda lv: lv.rank).id
    return "SEV-1"


def sev1_per_month(
    kb: KnowledgeBase, today: date, months: int = 12, flag_above: int = SEV1_FLAG_ABOVE
) -> MonthlyCounts:
    """Incidents of the most severe level per month over the ``months`` months ending with
    today's month, every month present; open incidents count (they started). Incidents of
    that level outside the range are in ``left_out``."""
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    level = most_severe_level(kb)
    keys = month_range(today, months)
    counts = dict.fromkeys(keys, 0)
    left_out: dict[str, int] = defaultdict(int)
    for pm in kb.postmortems:
        if pm.severity != level:
            continue
        month = month_of(pm.started_at)
        if month < keys[0]:
            left_out[f"before {keys[0]}"] += 1
        elif month > keys[-1]:
            left_out[f"after {keys[-1]}"] += 1
        else:
            counts[month] += 1
    flagged = tuple(m for m, n in counts.items() if n > flag_above)
    return MonthlyCounts(level, counts, flagged, flag_above, dict(sorted(left_out.items())))
