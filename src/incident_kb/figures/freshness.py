"""Runbook freshness: fresh, due soon, or stale with every reason, as of "today".

A pure function of (model, today): the site's banners, the stale-runbook page and the
``stale`` command all read the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from incident_kb.core.config import Config
from incident_kb.core.timeutil import utc_day
from incident_kb.documents.model import KnowledgeBase, Postmortem, Runbook

State = Literal["fresh", "due-soon", "stale"]


@dataclass(frozen=True)
class StaleReason:
    """Why a runbook is stale; ``kind`` is stable for machines, ``message`` is for people."""

    kind: Literal["review-overdue", "used-after-review", "alert-missing"]
    message: str
    incident: str | None = None
    alert: str | None = None


@dataclass(frozen=True)
class Freshness:
    state: State
    last_reviewed: date
    review_every_days: int
    next_review: date
    reasons: tuple[StaleReason, ...] = ()


def used_in(runbook_id: str, kb: KnowledgeBase) -> list[Postmortem]:
    """Postmortems whose response used this runbook, newest first."""
    return sorted(
        kb.postmortems_by_runbook.get(runbook_id, ()),
        key=lambda p: (p.started_at, p.id),
        reverse=True,
    )


def runbook_freshness(
    rb: Runbook,
    kb: KnowledgeBase,
    today: date,
    *,
    default_every_days: int,
    due_soon_days: int,
    known_alerts: frozenset[str] | None = None,
) -> Freshness:
    """Freshness of one runbook. ``known_alerts`` is None when no alert rules are configured."""
    every = rb.review_every_days or default_every_days
    next_review = rb.last_reviewed + timedelta(days=every)
    reasons: list[StaleReason] = []
    if today > next_review:
        overdue = (today - next_review).days
        reasons.append(
            StaleReason(
                "review-overdue",
                f"review overdue by {overdue} day{'s' if overdue != 1 else ''}: last reviewed "
                f"{rb.last_reviewed.isoformat()}, every {every} days",
            )
        )
    for pm in reversed(used_in(rb.id, kb)):
        if pm.resolved_at is not None and utc_day(pm.resolved_at) > rb.last_reviewed:
            reasons.append(
                StaleReason(
                    "used-after-review",
                    f"used in {pm.id}, resolved {utc_day(pm.resolved_at).isoformat()}, after its "
                    "last review",
                    incident=pm.id,
                )
            )
    if known_alerts is not None:
        for alert in rb.alerts:
            if alert not in known_alerts:
                reasons.append(
                    StaleReason(
                        "alert-missing",
                        f"answers alert {alert}, which no configured alert rule defines",
                        alert=alert,
                    )
                )
    if reasons:
        state: State = "stale"
    elif (next_review - today).days <= due_soon_days:
        state = "due-soon"
    else:
        state = "fresh"
    return Freshness(state, rb.last_reviewed, every, next_review, tuple(reasons))


def freshness_of(
    rb: Runbook,
    kb: KnowledgeBase,
    config: Config,
    today: date,
    known_alerts: frozenset[str] | None = None,
) -> Freshness:
    """A runbook's freshness with the configured intervals; ``known_alerts``: the alerts the
    configured rules define (``alerts.rulefiles.known_alerts``), None when unknown."""
    return runbook_freshness(
        rb,
        kb,
        today,
        default_every_days=config.review_every_days,
        due_soon_days=config.due_soon_days,
        known_alerts=known_alerts,
    )
