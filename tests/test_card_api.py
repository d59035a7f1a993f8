"""The postmortem card and ``api/incidents.json`` give the same response times, from one
definition, checked against the times themselves: for every incident of the example, and
for incidents whose times are missing or out of order (never a negative duration)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from conftest import EXAMPLE_TODAY, REPO
from factories import CONFIG, TODAY, kb, pm, ts
from incident_kb.checks.validate import check
from incident_kb.core.config import load
from incident_kb.documents.model import Document, KnowledgeBase, Postmortem, SeverityPolicy
from incident_kb.figures import facts
from incident_kb.site import api
from incident_kb.site.render import Renderer, environment

#: The card's rows: "TTD 5 min", "TTA n/a", "TTM n/a (times out of order)".
_CARD_RE = re.compile(r"\b(TT[DAMR]) (n/a \(times out of order\)|n/a|[0-9][^|·]*?)\s*[|·]")


def _expected(start: datetime | None, end: datetime | None) -> float | None:
    """Minutes from start to end, computed here: None when either is missing or the end
    comes first."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60


def _text(minutes: float | None, out_of_order: bool) -> str:
    if minutes is None:
        return "n/a (times out of order)" if out_of_order else "n/a"
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours == 0:
        return f"{rest} min"
    days, hours = divmod(hours, 24)
    if days == 0:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{days} d {hours} h" if hours else f"{days} d"


def _spans(incident: Postmortem) -> dict[str, tuple[datetime, datetime | None]]:
    return {
        "ttd": (incident.started_at, incident.detected_at),
        "tta": (incident.detected_at, incident.acknowledged_at),
        "ttm": (incident.detected_at, incident.mitigated_at),
        "ttr": (incident.detected_at, incident.resolved_at),
    }


def _check_card_and_api(model: KnowledgeBase, renderer: Renderer) -> int:
    checked = 0
    for incident in model.postmortems:
        card = dict(_CARD_RE.findall(renderer.postmortem_page(incident, "# Title\n\nBody.\n")))
        listed = api.incident(incident, renderer.facts.times_of(incident), lambda _doc: "")[
            "minutes"
        ]
        for metric, (start, end) in _spans(incident).items():
            expected = _expected(start, end)
            got = listed[metric]
            assert (got is None) == (expected is None), (incident.id, metric, got)
            if expected is not None:
                assert got == pytest.approx(expected), (incident.id, metric)
            if end is None:
                # No row for a time that is not there (an ongoing incident says "ongoing").
                assert metric.upper() not in card, (incident.id, metric, card)
                continue
            out_of_order = start is not None and end is not None and end < start
            want = _text(expected, out_of_order)
            assert card.get(metric.upper()) == want, (incident.id, metric, card)
            assert not card[metric.upper()].startswith("-")
            checked += 1
    return checked


def test_card_and_api_agree_on_every_incident_of_the_example() -> None:
    config = load(REPO)
    result = check(config, EXAMPLE_TODAY)

    def src(doc: Document) -> str:
        return Path(doc.source.path).relative_to("docs").as_posix()

    renderer = Renderer(facts.configured(result.kb, config, EXAMPLE_TODAY), src, environment(None))
    assert _check_card_and_api(result.kb, renderer) >= 2 * len(result.kb.postmortems)


def test_card_and_api_agree_when_times_are_missing_or_out_of_order() -> None:
    incidents = (
        pm(id="INC-2025-011", acknowledged_at=ts("2025-11-01T10:00:00Z")),  # before detection
        pm(id="INC-2025-012", mitigated_at=ts("2025-11-01T09:00:00Z")),  # before detection
        pm(id="INC-2025-013", detected_at=ts("2025-11-01T09:55:00Z")),  # before the start
        pm(id="INC-2025-014", acknowledged_at=None, mitigated_at=None),  # both missing
        pm(id="INC-2025-015", resolved_at=None),  # still open
        pm(id="INC-2025-016", acknowledged_at=ts("2025-11-01T10:07:00Z")),  # in order
    )
    model = kb(*incidents)

    def src(doc: Document) -> str:
        return "policies/severity.md" if isinstance(doc, SeverityPolicy) else f"{doc.id}.md"

    renderer = Renderer(facts.configured(model, CONFIG, TODAY), src, environment(None))
    # Rows shown: a TTD each (6), TTA for 011 and 016, TTM for 012, TTR for all but the
    # open 015 (5): 14 figures, each checked on the card and in the API.
    assert _check_card_and_api(model, renderer) == 14
    card = renderer.postmortem_page(incidents[0], "# Title\n")
    assert "TTA n/a (times out of order)" in card
