"""The corpus' vocabulary, read from the YAML files in ``data/``.

The prose lives in data so that it can be read and extended as text; the dataclasses below
are its schema. Reading checks every file against them (missing and unknown keys, wrong
types) and checks the references between files, so a typo in the data fails at once with
the file and key it is in, not halfway through writing a corpus.

Text fields are ``str.format`` templates: ``{svc_id}`` names a slot the generator fills
(:func:`corpusgen.incidents.incident_slots` lists the slots of a postmortem).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback, same result
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

DATA = Path(__file__).resolve().parent / "data"


class VocabularyError(Exception):
    """A data file does not match its schema; the message names the file and the key."""


# -- services and people -------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    """A service of the catalogue; ``kind`` chooses its architecture description."""

    id: str
    name: str
    team: str
    tier: int
    components: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Qualifier:
    """A suffix that makes variants of the base services (``orders-worker``) for large N."""

    id: str
    name: str


@dataclass(frozen=True)
class Tier:
    """What a tier means: its availability objective, and how often it has incidents."""

    tier: int
    availability: float
    incident_weight: int


@dataclass(frozen=True)
class Catalogue:
    """``services.yaml``."""

    services: tuple[ServiceSpec, ...]
    shared: tuple[str, ...]
    database: str
    qualifiers: tuple[Qualifier, ...]
    regions: tuple[str, ...]
    cloud_regions: tuple[str, ...]
    tiers: tuple[Tier, ...]


# -- severity levels -----------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """A severity level: the policy's fields first, then how incidents of the level look."""

    id: str
    name: str
    summary: str
    response_minutes: int
    page: tuple[str, ...]
    notify: tuple[str, ...]
    status_update_minutes: int
    postmortem_required: bool
    postmortem_due_days: int
    policy: str
    weight: int
    status_page_impact: str
    component_states: tuple[str, ...]
    users_affected_pct: tuple[int, int]
    users_affected_decimals: int
    minutes_to_mitigate: tuple[int, int]
    full_crew: bool
    may_stay_open: bool


@dataclass(frozen=True)
class ErrorBudget:
    warn_at_pct: int
    freeze_at_pct: int
    postmortem_if_consumed_pct: int


@dataclass(frozen=True)
class Severities:
    """``severities.yaml``."""

    levels: tuple[Level, ...]
    error_budget: ErrorBudget
    no_example: str


# -- causes, symptoms and runbook situations -----------------------------------------------


@dataclass(frozen=True)
class Factor:
    """A contributing factor: a bold lead sentence and the paragraph that explains it."""

    lead: str
    text: str


@dataclass(frozen=True)
class ActionTemplate:
    kind: str
    title: str


@dataclass(frozen=True)
class Trigger:
    """One kind of cause, with the prose, tags, commands and follow-ups that go with it."""

    key: str
    tags: tuple[str, ...]
    symptoms: tuple[str, ...]
    titles: tuple[str, ...]
    changes: tuple[str, ...]
    causes: tuple[str, ...]
    factors: tuple[Factor, ...]
    prelude: tuple[str, ...]
    diagnosis: tuple[str, ...]
    mitigation: tuple[str, ...]
    command: str
    actions: tuple[ActionTemplate, ...]
    logs: tuple[str, ...]
    wrong: tuple[str, ...]


@dataclass(frozen=True)
class Symptom:
    """How one kind of impact is named in a title, in prose and on the status page."""

    title: str
    noun: str
    short: str
    public: str
    status_title: str


@dataclass(frozen=True)
class Situation:
    """A situation a runbook handles; ``triggers`` are the causes it usually answers."""

    slug: str
    title: str
    alert: str
    severity: str
    triggers: tuple[str, ...]
    what: str
    causes: tuple[str, ...]
    promql: str
    diagnose: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Runbooks:
    """``situations.yaml``."""

    situations: tuple[Situation, ...]
    diagnosis_labels: tuple[str, ...]
    customer_effects: tuple[str, ...]
    fallback_alerts: tuple[str, ...]


@dataclass(frozen=True)
class ServicePages:
    """``service_pages.yaml``: architecture by service kind, and the page's sentences."""

    architecture: dict[str, tuple[str, ...]]
    dependency_effects: tuple[str, ...]
    components: str
    no_components: str
    default_alerts: str
    worth_reading: str


# -- postmortem prose, section by section --------------------------------------------------


@dataclass(frozen=True)
class SummaryProse:
    openers: tuple[str, ...]
    closers: tuple[str, ...]
    still_open: str
    recurrence: str
    similar: str
    extras: tuple[str, ...]
    front_matter: str
    front_matter_open: str


@dataclass(frozen=True)
class ImpactProse:
    bullets: tuple[str, ...]
    communication: str


@dataclass(frozen=True)
class TimelineProse:
    started: str
    detected: dict[str, str]
    acknowledged: str
    command: str
    first_update: str
    update: str
    mitigated: str
    resolved: str


@dataclass(frozen=True)
class FactorProse:
    generic: tuple[Factor, ...]
    logs: str
    command: str


@dataclass(frozen=True)
class ActionProse:
    generic: tuple[ActionTemplate, ...]
    paragraphs: tuple[str, ...]
    done: str
    none_done: str
    waiting: str
    open_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """Small word lists that fill slots: traffic peaks, feature flags, URL paths."""

    peaks: tuple[str, ...]
    flag_words: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class PostmortemProse:
    """``postmortem.yaml``."""

    summary: SummaryProse
    impact: ImpactProse
    timeline: TimelineProse
    contributing_factors: FactorProse
    went_well: tuple[str, ...]
    went_well_runbook: tuple[str, ...]
    went_wrong: tuple[str, ...]
    lucky: tuple[str, ...]
    supporting: tuple[str, ...]
    action_items: ActionProse
    words: Words


# -- everything ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Every data file, one field each: the field's name is the file's name."""

    services: Catalogue
    people: tuple[str, ...]
    severities: Severities
    triggers: tuple[Trigger, ...]
    symptoms: dict[str, Symptom]
    situations: Runbooks
    service_pages: ServicePages
    postmortem: PostmortemProse
    status_page: dict[str, tuple[str, ...]]


#: What the generator needs the data to name; everything else may change freely.
DETECTIONS = ("alert", "customer-report", "internal-report", "other")
STATUSES = ("investigating", "identified", "monitoring", "resolved")
KINDS = ("api", "web", "worker", "datastore", "edge")
TIERS = (1, 2, 3, 4)


@functools.cache
def load(folder: Path = DATA) -> Vocabulary:
    """Read and check every data file (once per process and folder)."""
    hints = typing.get_type_hints(Vocabulary)
    values = {}
    for spec in dataclasses.fields(Vocabulary):
        path = folder / f"{spec.name}.yaml"
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, yaml.YAMLError) as exc:
            raise VocabularyError(f"{path}: cannot read: {exc}") from None
        values[spec.name] = _convert(hints[spec.name], raw, path.name)
    vocabulary = Vocabulary(**values)
    _check_references(vocabulary)
    return vocabulary


def _convert(kind: Any, value: object, where: str) -> Any:
    """``value`` as an instance of the type ``kind``, or a VocabularyError naming ``where``."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise VocabularyError(f"{where}: expected a mapping")
        hints = typing.get_type_hints(kind)
        names = [spec.name for spec in dataclasses.fields(kind)]
        if unknown := sorted(set(value) - set(names)):
            raise VocabularyError(f"{where}: unknown key {unknown[0]!r}")
        if missing := [name for name in names if name not in value]:
            raise VocabularyError(f"{where}: missing key {missing[0]!r}")
        return kind(
            **{name: _convert(hints[name], value[name], f"{where}.{name}") for name in names}
        )
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(value, list):
            raise VocabularyError(f"{where}: expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
        if len(value) != len(args):
            raise VocabularyError(f"{where}: expected {len(args)} items")
        return tuple(
            _convert(a, item, f"{where}[{i}]")
            for i, (a, item) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        key_type, item_type = typing.get_args(kind)
        if not isinstance(value, dict):
            raise VocabularyError(f"{where}: expected a mapping")
        return {
            _convert(key_type, key, where): _convert(item_type, item, f"{where}.{key}")
            for key, item in value.items()
        }
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (str, int, float, bool) and type(value) is kind:
        return value
    expected = kind.__name__ if isinstance(kind, type | types.GenericAlias) else str(kind)
    raise VocabularyError(f"{where}: expected {expected}, found {type(value).__name__}")


def _check_references(vocabulary: Vocabulary) -> None:
    """Names one file uses for another's entries must exist there."""
    problems: list[str] = []
    symptoms = set(vocabulary.symptoms)
    triggers = {t.key for t in vocabulary.triggers}
    levels = {level.id for level in vocabulary.severities.levels}
    services = {s.id for s in vocabulary.services.services}
    for trigger in vocabulary.triggers:
        problems += [
            f"triggers.yaml: {trigger.key}: unknown symptom {name!r}"
            for name in trigger.symptoms
            if name not in symptoms
        ]
    for situation in vocabulary.situations.situations:
        problems += [
            f"situations.yaml: {situation.slug}: unknown trigger {name!r}"
            for name in situation.triggers
            if name not in triggers
        ]
        if situation.severity not in levels:
            problems.append(f"situations.yaml: {situation.slug}: unknown severity")
        if len(situation.diagnose) != len(vocabulary.situations.diagnosis_labels):
            problems.append(f"situations.yaml: {situation.slug}: one command per diagnosis label")
    problems += [
        f"services.yaml: unknown service {name!r}"
        for name in (*vocabulary.services.shared, vocabulary.services.database)
        if name not in services
    ]
    tiers = {tier.tier for tier in vocabulary.services.tiers}
    for spec in vocabulary.services.services:
        if spec.tier not in tiers:
            problems.append(f"services.yaml: {spec.id}: tier {spec.tier} is not in tiers")
        if spec.kind not in KINDS:
            problems.append(f"services.yaml: {spec.id}: kind is not one of {', '.join(KINDS)}")
    for name, have, need in (
        ("services.yaml: tiers", tiers, TIERS),
        ("service_pages.yaml: architecture", vocabulary.service_pages.architecture, KINDS),
        ("postmortem.yaml: timeline.detected", vocabulary.postmortem.timeline.detected, DETECTIONS),
        ("status_page.yaml", vocabulary.status_page, STATUSES),
    ):
        problems += [f"{name}: missing {key!r}" for key in need if key not in have]
    if problems:
        raise VocabularyError("\n".join(problems))
