"""Figures computed from the model: pure functions of (model, today), no I/O, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .model import KnowledgeBase, Postmortem, Service
from .timeutil import minutes


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
    return pm.resolved_at.date() + timedelta(days=level.postmortem_due_days)


def response_times(pm: Postmortem) -> dict[str, float | None]:
    """Minutes of TTD (detected - started), TTA (acknowledged - detected), TTM (mitigated -
    detected) and TTR (resolved - detected); None where a time is missing."""

    def span(start: datetime | None, end: datetime | None) -> float | None:
        return minutes(end - start) if start is not None and end is not None else None

    return {
        "ttd": span(pm.started_at, pm.detected_at),
        "tta": span(pm.detected_at, pm.acknowledged_at),
        "ttm": span(pm.detected_at, pm.mitigated_at),
        "ttr": span(pm.detected_at, pm.resolved_at),
    }
