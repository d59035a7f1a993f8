"""Which postmortems must be written, when they are due, and how many were: pure functions
of (model, today)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from incident_kb.core.timeutil import utc_day
from incident_kb.documents.model import KnowledgeBase, Postmortem
from incident_kb.figures.budgets import budget_share_pct


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


#: Why each postmortem is required (None: it is not), when the caller has worked it out.
Required = Mapping[Postmortem, str | None]


def requirements(kb: KnowledgeBase) -> dict[Postmortem, str | None]:
    """``postmortem_requirement`` of every postmortem."""
    return {pm: postmortem_requirement(pm, kb) for pm in kb.postmortems}


def postmortem_completion(
    kb: KnowledgeBase, today: date, required: Required | None = None
) -> PostmortemCompletion:
    """Postmortem completion: published / required (``postmortem_requirement``).

    Counted: required postmortems that are published (whenever that was) and required ones
    unpublished after their due date (overdue). Left out, and said so: unpublished ones not
    yet due ("not yet due"), of incidents still open ("incident not resolved"), and of
    severities the policy does not know, which have no due date ("no due date").
    """
    reasons = requirements(kb) if required is None else required
    published = required_count = not_required = 0
    not_yet_due: list[str] = []
    left_out: dict[str, int] = defaultdict(int)
    for pm in _by_start(kb.postmortems):
        reason = reasons[pm]
        if reason is None:
            not_required += 1
            continue
        if pm.status == "published":
            published += 1
            required_count += 1
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
            required_count += 1
    return PostmortemCompletion(
        published,
        required_count,
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


def overdue_postmortems(
    kb: KnowledgeBase, today: date, required: Required | None = None
) -> list[OverduePostmortem]:
    """Required, unpublished postmortems with today after their due date, oldest due first.

    The same test as the postmortem-overdue rule. Not listed: incidents still open or of an
    unknown severity (no due date yet), which ``postmortem_completion`` counts as left out.
    """
    reasons = requirements(kb) if required is None else required
    out = []
    for pm in kb.postmortems:
        if pm.status == "published":
            continue
        reason = reasons[pm]
        due = postmortem_due(pm, kb)
        if reason is None or due is None or today <= due:
            continue
        out.append(OverduePostmortem(pm, due, (today - due).days, reason))
    return sorted(out, key=lambda o: (o.due, o.postmortem.id))


def _by_start(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.started_at, pm.id))
