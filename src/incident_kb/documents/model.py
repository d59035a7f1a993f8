"""The typed model of a knowledge base: frozen dataclasses built once per run.

Documents become model objects only after their front-matter passed the schema, so the
model never holds a wrongly typed value; every object keeps its ``Source`` so that rules
and pages can point back at the exact file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Literal

Kind = Literal["postmortem", "runbook", "service", "severity-policy"]


@dataclass(frozen=True)
class Source:
    """Where a document came from: its path, the line of every field, where its body starts."""

    path: str
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    body_line: int = 1

    def line(self, field_path: str = "") -> int:
        """The line of ``field_path``, or of its nearest parent that has one."""
        probe = field_path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return 1


@dataclass(frozen=True)
class Roles:
    incident_commander: str
    scribe: str | None = None
    communications_lead: str | None = None
    subject_matter_experts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Impact:
    summary: str
    users_affected_pct: float
    error_budget_minutes: float | None = None


@dataclass(frozen=True)
class ActionItem:
    title: str
    owner: str
    due: date
    status: str
    kind: str
    completed_on: date | None = None
    tracker: str | None = None
    index: int = 0

    @property
    def is_closed(self) -> bool:
        return self.status in ("done", "wont-do")


@dataclass(frozen=True)
class StatusUpdate:
    at: datetime
    status: str
    message: str


@dataclass(frozen=True)
class StatusPage:
    title: str
    impact: str
    components: tuple[tuple[str, str], ...]
    updates: tuple[StatusUpdate, ...]


@dataclass(frozen=True)
class Postmortem:
    id: str
    title: str
    status: str
    severity: str
    services: tuple[str, ...]
    started_at: datetime
    detected_at: datetime
    detection: str
    roles: Roles
    impact: Impact
    source: Source
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    alerts: tuple[str, ...] = ()
    runbooks: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    recurrence_of: str | None = None
    tags: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    status_page: StatusPage | None = None
    body: str = ""

    kind: Kind = "postmortem"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


@dataclass(frozen=True)
class Runbook:
    id: str
    title: str
    services: tuple[str, ...]
    owner: str
    last_reviewed: date
    source: Source
    alerts: tuple[str, ...] = ()
    review_every_days: int | None = None
    severity: str | None = None
    body: str = ""

    kind: Kind = "runbook"


@dataclass(frozen=True)
class Slo:
    availability: float
    window_days: int


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    owner: str
    tier: int
    slo: Slo
    source: Source
    components: tuple[str, ...] = ()
    body: str = ""

    kind: Kind = "service"


@dataclass(frozen=True)
class SeverityLevel:
    id: str
    name: str
    summary: str
    response_minutes: int
    status_update_minutes: int
    postmortem_required: bool
    postmortem_due_days: int
    page: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    rank: int = 0


@dataclass(frozen=True)
class ErrorBudgetPolicy:
    warn_at_pct: float
    freeze_at_pct: float
    postmortem_if_consumed_pct: float


@dataclass(frozen=True)
class SeverityPolicy:
    levels: tuple[SeverityLevel, ...]
    error_budget: ErrorBudgetPolicy
    source: Source
    body: str = ""

    kind: Kind = "severity-policy"

    @cached_property
    def by_id(self) -> dict[str, SeverityLevel]:
        return {level.id: level for level in self.levels}


Document = Postmortem | Runbook | Service | SeverityPolicy


def title_of(doc: Document) -> str:
    """What readers call a document: a service's name, anything else's title."""
    if isinstance(doc, Service):
        return doc.name
    if isinstance(doc, SeverityPolicy):
        return "Severity policy"
    return doc.title


@dataclass(frozen=True)
class KnowledgeBase:
    """Every valid document, sorted, with lookups by id.

    Postmortems are sorted by start time then id; everything else by id. ``invalid`` holds
    (kind, id) of documents that exist but failed validation, so that references to them
    are not reported a second time. Ids may repeat (a finding says so); lookups by id see
    the first document by path.
    """

    postmortems: tuple[Postmortem, ...] = ()
    runbooks: tuple[Runbook, ...] = ()
    services: tuple[Service, ...] = ()
    policy: SeverityPolicy | None = None
    invalid: frozenset[tuple[str, str]] = frozenset()

    @staticmethod
    def _first_by_path(docs: tuple[Any, ...]) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for doc in sorted(docs, key=lambda d: d.source.path):
            table.setdefault(doc.id, doc)
        return table

    @cached_property
    def postmortem_by_id(self) -> dict[str, Postmortem]:
        return self._first_by_path(self.postmortems)

    @cached_property
    def runbook_by_id(self) -> dict[str, Runbook]:
        return self._first_by_path(self.runbooks)

    @cached_property
    def service_by_id(self) -> dict[str, Service]:
        return self._first_by_path(self.services)

    # Indexes built once per knowledge base, so that a page's lookups cost what they find,
    # not a scan of every postmortem (which made the build quadratic in documents).

    def _postmortems_by(self, keys: Any) -> dict[str, tuple[Postmortem, ...]]:
        table: dict[str, list[Postmortem]] = {}
        for pm in self.postmortems:
            for key in dict.fromkeys(keys(pm)):
                table.setdefault(key, []).append(pm)
        return {key: tuple(found) for key, found in table.items()}

    @cached_property
    def postmortems_newest_first(self) -> tuple[Postmortem, ...]:
        """Newest start first, then by id and path: a postmortem's *rank* is its place here."""
        return tuple(
            sorted(
                self.postmortems,
                key=lambda pm: (-pm.started_at.timestamp(), pm.id, pm.source.path),
            )
        )

    @cached_property
    def rank_sets_by_service(self) -> dict[str, frozenset[int]]:
        """Service id -> ranks of its postmortems (sets of ints: intersected in C)."""
        return self._rank_sets(lambda pm: pm.services)

    @cached_property
    def rank_sets_by_id(self) -> dict[str, frozenset[int]]:
        return self._rank_sets(lambda pm: [pm.id])

    @cached_property
    def rank_sets_by_tag(self) -> dict[str, frozenset[int]]:
        return self._rank_sets(lambda pm: pm.tags)

    def _rank_sets(self, keys: Any) -> dict[str, frozenset[int]]:
        table: dict[str, set[int]] = {}
        for rank, pm in enumerate(self.postmortems_newest_first):
            for key in keys(pm):
                table.setdefault(key, set()).add(rank)
        return {key: frozenset(ranks) for key, ranks in table.items()}

    @cached_property
    def postmortems_by_runbook(self) -> dict[str, tuple[Postmortem, ...]]:
        return self._postmortems_by(lambda pm: pm.runbooks)

    @cached_property
    def postmortems_referring_to(self) -> dict[str, tuple[Postmortem, ...]]:
        """Incident id -> write-ups naming it as related or as what they repeat."""
        return self._postmortems_by(
            lambda pm: [*pm.related, *([pm.recurrence_of] if pm.recurrence_of else [])]
        )

    def identified(self) -> tuple[Postmortem | Runbook | Service, ...]:
        """Every document that has an id, postmortems first."""
        docs: tuple[Postmortem | Runbook | Service, ...] = (
            *self.postmortems,
            *self.runbooks,
            *self.services,
        )
        return docs

    def is_invalid(self, kind: Kind | None, doc_id: str) -> bool:
        """Whether a document with this id exists but failed validation (any kind if None)."""
        return any(k == kind or kind is None for k, i in self.invalid if i == doc_id)

    def invalid_ids(self, kind: Kind) -> set[str]:
        return {i for k, i in self.invalid if k == kind}

    @cached_property
    def component_owner(self) -> dict[str, str]:
        """Status-page component name -> id of the service it belongs to."""
        owners: dict[str, str] = {}
        for service in self.services:
            for component in service.components:
                owners.setdefault(component, service.id)
        return owners

    def document(self, doc_id: str) -> list[Document]:
        """Every document with this id, of any kind (more than one means ambiguity)."""
        found: list[Document] = []
        for table in (self.postmortem_by_id, self.runbook_by_id, self.service_by_id):
            if doc_id in table:
                found.append(table[doc_id])
        return found

    def level(self, level_id: str) -> SeverityLevel | None:
        return self.policy.by_id.get(level_id) if self.policy else None
