"""The site's machine-readable API files: pure functions of the build's facts.

Each function returns a dict whose key order is the order written to the file; ``dump``
writes it with ``indent=2``, ``ensure_ascii=False`` and a trailing newline, so the same
input and the same "today" always give byte-identical files (no wall-clock timestamp).
Times are RFC 3339 UTC strings ending in ``Z``; figures in minutes are rounded to three
decimals; a missing figure is ``null`` (a percent of a zero budget is ``null`` too, never
``Infinity``, which JSON cannot hold). The schemas in ``schemas/api-*.schema.json`` are
the contract.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from incident_kb.documents.model import Document, Postmortem, StatusPage
from incident_kb.figures import budgets, response
from incident_kb.figures.facts import Facts
from incident_kb.figures.freshness import used_in
from incident_kb.figures.response import IncidentTimes

VERSION = 1
#: File name (under ``api/``) -> its schema file name.
FILES = {
    "incidents.json": "api-incidents.schema.json",
    "action-items.json": "api-action-items.schema.json",
    "runbooks.json": "api-runbooks.schema.json",
    "services.json": "api-services.schema.json",
    "status.json": "api-status.schema.json",
}

UrlOf = Callable[[Document], str]


def dump(data: dict[str, Any]) -> str:
    """The file's text: two-space indent, UTF-8 as is, keys in the dict's order, newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _envelope(today: date, **body: Any) -> dict[str, Any]:
    return {"version": VERSION, "generated_for": today.isoformat(), **body}


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)


def _status_page(page: StatusPage | None) -> dict[str, Any] | None:
    if page is None:
        return None
    return {
        "title": page.title,
        "impact": page.impact,
        "components": [{"name": name, "status": state} for name, state in page.components],
        "updates": [
            {"at": _time(u.at), "status": u.status, "message": u.message} for u in page.updates
        ],
    }


def incident(pm: Postmortem, times: IncidentTimes, url_of: UrlOf) -> dict[str, Any]:
    """One postmortem as ``incidents.json`` lists it, with its times (``facts.times``)."""
    return {
        "id": pm.id,
        "title": pm.title,
        "status": pm.status,
        "severity": pm.severity,
        "services": list(pm.services),
        "started_at": _time(pm.started_at),
        "detected_at": _time(pm.detected_at),
        "acknowledged_at": _time(pm.acknowledged_at),
        "mitigated_at": _time(pm.mitigated_at),
        "resolved_at": _time(pm.resolved_at),
        "minutes": {metric: _num(times.minutes[metric]) for metric in response.TIME_METRICS},
        "detection": pm.detection,
        "alerts": list(pm.alerts),
        "roles": {
            "incident_commander": pm.roles.incident_commander,
            "scribe": pm.roles.scribe,
            "communications_lead": pm.roles.communications_lead,
            "subject_matter_experts": list(pm.roles.subject_matter_experts),
        },
        "impact": {
            "summary": pm.impact.summary,
            "users_affected_pct": pm.impact.users_affected_pct,
            "error_budget_minutes": _num(budgets.incident_budget_minutes(pm)),
        },
        "runbooks": list(pm.runbooks),
        "related": list(pm.related),
        "recurrence_of": pm.recurrence_of,
        "tags": list(pm.tags),
        "action_item_count": len(pm.action_items),
        "status_page": _status_page(pm.status_page),
        "url": url_of(pm),
    }


def incidents(facts: Facts, url_of: UrlOf) -> dict[str, Any]:
    """``api/incidents.json``: every postmortem, newest start first (then id, descending)."""
    newest = sorted(facts.kb.postmortems, key=lambda p: (p.started_at, p.id), reverse=True)
    items = [incident(pm, facts.times_of(pm), url_of) for pm in newest]
    return _envelope(facts.today, count=len(items), incidents=items)


def action_items(facts: Facts, url_of: UrlOf) -> dict[str, Any]:
    """``api/action-items.json``: every item, by incident id then item index."""
    entries = sorted(facts.items, key=lambda i: i.key)
    items = [
        {
            "incident": entry.postmortem.id,
            "index": entry.item.index,
            "title": entry.item.title,
            "owner": entry.item.owner,
            "due": _day(entry.item.due),
            "status": entry.item.status,
            "state": entry.state,
            "days_overdue": entry.days_overdue,
            "kind": entry.item.kind,
            "completed_on": _day(entry.item.completed_on),
            "tracker": entry.item.tracker,
            "services": list(entry.postmortem.services),
            "url": url_of(entry.postmortem),
        }
        for entry in entries
    ]
    return _envelope(
        facts.today,
        count=len(items),
        open=sum(1 for e in entries if e.is_open),
        overdue=sum(1 for e in entries if e.state == "overdue"),
        items=items,
    )


def runbooks(facts: Facts, url_of: UrlOf) -> dict[str, Any]:
    """``api/runbooks.json``: every runbook by id, with its freshness as of today."""
    kb = facts.kb
    out: list[dict[str, Any]] = []
    stale = 0
    for rb in sorted(kb.runbooks, key=lambda r: (r.id, r.source.path)):
        fresh = facts.freshness_of(rb)
        stale += fresh.state == "stale"
        out.append(
            {
                "id": rb.id,
                "title": rb.title,
                "services": list(rb.services),
                "owner": rb.owner,
                "alerts": list(rb.alerts),
                "last_reviewed": _day(rb.last_reviewed),
                "review_every_days": fresh.review_every_days,
                "next_review": _day(fresh.next_review),
                "freshness": {
                    "state": fresh.state,
                    "reasons": [
                        {
                            "kind": r.kind,
                            "message": r.message,
                            "incident": r.incident,
                            "alert": r.alert,
                        }
                        for r in fresh.reasons
                    ],
                },
                "used_in": [pm.id for pm in used_in(rb.id, kb)],
                "url": url_of(rb),
            }
        )
    return _envelope(
        facts.today,
        count=len(out),
        stale=stale,
        runbooks=out,
    )


def services(facts: Facts, url_of: UrlOf) -> dict[str, Any]:
    """``api/services.json``: every service by id, with incident counts, open action items and
    the error budget of the current window."""
    kb, items = facts.kb, facts.items
    out = []
    for service in sorted(kb.services, key=lambda s: (s.id, s.source.path)):
        affected = [pm for pm in kb.postmortems if service.id in pm.services]
        window = facts.window(service)
        out.append(
            {
                "id": service.id,
                "name": service.name,
                "owner": service.owner,
                "tier": service.tier,
                "slo": {
                    "availability": service.slo.availability,
                    "window_days": service.slo.window_days,
                },
                "components": list(service.components),
                "incidents": {
                    "total": len(affected),
                    "unresolved": sum(1 for pm in affected if not pm.is_resolved),
                },
                "open_action_items": sum(
                    1 for i in items if i.is_open and service.id in i.postmortem.services
                ),
                "error_budget": {
                    "window_start": _day(window.start),
                    "window_end": _day(window.last_day),
                    "budget_minutes": _num(window.budget_minutes),
                    "consumed_minutes": _num(window.consumed_minutes),
                    "remaining_minutes": _num(window.remaining_minutes),
                    "pct_consumed": _num(window.pct_consumed),
                    "status": window.status,
                },
                "url": url_of(service),
            }
        )
    return _envelope(facts.today, count=len(out), services=out)


def status(facts: Facts, url_of: UrlOf) -> dict[str, Any]:
    """``api/status.json``: a hosted status page's summary, as the postmortems tell it
    (``figures.status``: the public incidents, the indicator, each component's state)."""
    current = facts.status
    components = [
        {"name": c.name, "service": c.service, "status": c.status} for c in current.components
    ]
    indicator = current.indicator
    pages = current.public
    return _envelope(
        facts.today,
        indicator=indicator,
        components=components,
        incidents=[
            {
                "id": pm.id,
                "title": page.title,
                "impact": page.impact,
                "started_at": _time(pm.started_at),
                "components": [{"name": name, "status": state} for name, state in page.components],
                "latest_update": {
                    "at": _time(page.updates[-1].at),
                    "status": page.updates[-1].status,
                    "message": page.updates[-1].message,
                }
                if page.updates
                else None,
                "url": url_of(pm),
            }
            for pm, page in pages
        ],
    )


Builder = Callable[[Facts, UrlOf], dict[str, Any]]
#: File name (under ``api/``) -> the function that builds it, in the order they are written.
BUILDERS: dict[str, Builder] = {
    "incidents.json": incidents,
    "action-items.json": action_items,
    "runbooks.json": runbooks,
    "services.json": services,
    "status.json": status,
}


def files(facts: Facts, url_of: UrlOf) -> dict[str, str]:
    """Every API file's text by name."""
    return {name: dump(build(facts, url_of)) for name, build in BUILDERS.items()}
