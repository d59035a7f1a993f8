"""Builders of model objects for tests: a severity policy, two services, postmortems with
every line known, and a knowledge base of them, all against a fixed "today"."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from incident_kb.core.config import Config
from incident_kb.core.timeutil import parse_timestamp
from incident_kb.documents.model import (
    ErrorBudgetPolicy,
    Impact,
    KnowledgeBase,
    Postmortem,
    Roles,
    Runbook,
    Service,
    SeverityLevel,
    SeverityPolicy,
    Slo,
    Source,
    StatusPage,
    StatusUpdate,
)

TODAY = date(2025, 12, 1)
CONFIG = Config(root=Path("/kb"), docs_dir=Path("/kb/docs"))


def ts(text: str) -> datetime:
    """An aware timestamp from ISO 8601 text, as front-matter gives it."""
    return parse_timestamp(text)


def level(id_: str, rank: int, required: bool, cadence: int, due: int) -> SeverityLevel:
    return SeverityLevel(id_, id_, "criteria", 5, cadence, required, due, rank=rank)


POLICY = SeverityPolicy(
    levels=(
        level("SEV-1", 0, True, 30, 5),
        level("SEV-2", 1, True, 60, 7),
        level("SEV-3", 2, False, 240, 14),
    ),
    error_budget=ErrorBudgetPolicy(80, 100, 20),
    source=Source("docs/policies/severity.md"),
)
LINES = {
    "id": 2,
    "title": 3,
    "status": 4,
    "severity": 5,
    "services": 6,
    "services[0]": 6,
    "services[1]": 6,
    "started_at": 7,
    "detected_at": 8,
    "acknowledged_at": 9,
    "mitigated_at": 10,
    "resolved_at": 11,
    "runbooks[0]": 12,
    "related[0]": 13,
    "recurrence_of": 14,
    "action_items": 15,
}
AUTH = Service(
    "auth",
    "Auth",
    "team-identity",
    1,
    Slo(99.9, 28),
    Source("docs/services/auth.md"),
    components=("Login",),
)
API = Service(
    "api",
    "API",
    "team-platform",
    2,
    Slo(99.0, 28),
    Source("docs/services/api.md"),
    components=("REST API",),
)
BODY = (
    "## Summary\n\n## Impact\n\n## Timeline\n\n## Contributing factors\n\n"
    "## What went well\n\n## Action items\n"
)


def pm(**overrides: Any) -> Postmortem:
    """A valid SEV-3 draft postmortem of auth, every front-matter line known; any field
    can be overridden by name."""
    base: dict[str, Any] = {
        "id": "INC-2025-010",
        "title": "Outage",
        "status": "draft",
        "severity": "SEV-3",
        "services": ("auth",),
        "started_at": ts("2025-11-01T10:00:00Z"),
        "detected_at": ts("2025-11-01T10:05:00Z"),
        "resolved_at": ts("2025-11-01T11:00:00Z"),
        "detection": "alert",
        "roles": Roles("alice"),
        "impact": Impact("Logins failed", 1.0),
        "source": Source("docs/postmortems/2025/2025-11-01-outage.md", LINES, body_line=30),
        "body": BODY,
    }
    base.update(overrides)
    return Postmortem(**base)


def kb(*postmortems: Postmortem, runbooks: tuple[Runbook, ...] = ()) -> KnowledgeBase:
    """A knowledge base of these documents, the two services and the policy."""
    return KnowledgeBase(
        postmortems=postmortems, runbooks=runbooks, services=(API, AUTH), policy=POLICY
    )


def status_page(*updates: tuple[str, str]) -> StatusPage:
    """A major incident's status page for the Login component, with these updates."""
    return StatusPage(
        "Login errors",
        "major",
        (("Login", "partial_outage"),),
        tuple(StatusUpdate(ts(at), status, "msg") for at, status in updates),
    )
