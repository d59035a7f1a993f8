"""The facts of a corpus: services, runbooks and incidents, decided before anything is written.

Pages are rendered from these facts, so cross references (a runbook's incidents, a
service's runbooks, a postmortem's recurrence) agree on every page by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from corpusgen.vocabulary import Level, Situation, Trigger


@dataclass
class Service:
    id: str
    name: str
    team: str
    tier: int
    components: tuple[str, ...]
    kind: str
    availability: float
    window_days: int
    deps: list[str] = field(default_factory=list)
    runbooks: list[str] = field(default_factory=list)
    #: Indexes into the corpus' incidents, in start order.
    incidents: list[int] = field(default_factory=list)


@dataclass
class Runbook:
    id: str
    title: str
    services: list[str]
    owner: str
    alerts: list[str]
    situation: Situation
    review_every: int
    last_reviewed: date | None = None
    used_by: list[int] = field(default_factory=list)


@dataclass
class ActionItem:
    title: str
    owner: str
    due: date
    status: str
    kind: str
    completed_on: date | None
    tracker: str | None


@dataclass
class Timing:
    """The moments of an incident; ``updates`` are its status-page update times."""

    started: datetime
    detected: datetime
    acknowledged: datetime
    mitigated: datetime | None
    resolved: datetime | None
    updates: list[datetime]

    def shifted_back(self, by: timedelta) -> Timing:
        """The same incident, ``by`` earlier."""
        return Timing(
            self.started - by,
            self.detected - by,
            self.acknowledged - by,
            self.mitigated - by if self.mitigated else None,
            self.resolved - by if self.resolved else None,
            [moment - by for moment in self.updates],
        )


@dataclass
class Incident:
    """A postmortem's facts; its prose is written from these when the file is rendered."""

    #: Position in generation order: names the incident's random streams.
    number: int
    level: Level
    services: list[str]
    trigger: Trigger
    symptom: str
    started: datetime
    detected: datetime
    acknowledged: datetime
    mitigated: datetime | None
    resolved: datetime | None
    updates: list[tuple[datetime, str]]
    detection: str
    users_pct: float
    id: str = ""
    path: str = ""
    status: str = "published"
    title: str = ""
    alerts: list[str] = field(default_factory=list)
    runbooks: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    recurrence_of: str | None = None
    tags: list[str] = field(default_factory=list)
    commander: str = ""
    scribe: str | None = None
    comms: str | None = None
    smes: list[str] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    #: Every value a template may name, filled once the facts are known.
    slots: dict[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return self.level.id


@dataclass
class Corpus:
    """Everything decided about a corpus, ready to render."""

    n: int
    seed: int
    end: date
    services: list[Service]
    runbooks: list[Runbook]
    people: dict[str, list[str]]
    incidents: list[Incident]

    @cached_property
    def services_by_id(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @cached_property
    def runbooks_by_id(self) -> dict[str, Runbook]:
        return {r.id: r for r in self.runbooks}
