"""When things happened in an incident, within the limits the severity policy checks.

Status-page updates never leave a gap longer than the level's update cadence, and the
statuses move forward in the order the timeline tells, so no generated postmortem earns a
warning for its timing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corpusgen.choices import Choices
from corpusgen.model import Timing
from corpusgen.text import minutes_between
from corpusgen.vocabulary import Level

#: Minutes from start to detection and from detection to acknowledgement.
TIME_TO_DETECT = (1, 2, 2, 3, 4, 5, 6, 8, 11, 15, 22)
TIME_TO_ACKNOWLEDGE = (1, 2, 3, 3, 4, 5, 7, 9)


def spaced_updates(
    choices: Choices, first: datetime, last: datetime, count: int, cadence: int
) -> list[datetime]:
    """``count`` times from first to last, each gap within the level's update cadence."""
    if count == 1:
        return [first]
    step = minutes_between(first, last) / (count - 1)
    jitter = int(min(step * 0.2, cadence * 0.08))
    times = [first]
    for index in range(1, count - 1):
        offset = round(index * step) + (choices.between(-jitter, jitter) if jitter else 0)
        times.append(first + timedelta(minutes=max(offset, int(index * step * 0.5))))
    times.append(last)
    return sorted(times)


def make_timing(
    choices: Choices, level: Level, start: datetime, end_moment: datetime, ongoing: bool
) -> Timing:
    """Detection, acknowledgement, mitigation, resolution and status-update times."""
    cadence = level.status_update_minutes
    detected = start + timedelta(minutes=choices.pick(TIME_TO_DETECT))
    acknowledged = detected + timedelta(minutes=choices.pick(TIME_TO_ACKNOWLEDGE))
    first_update = acknowledged + timedelta(minutes=choices.between(2, 12))
    count = choices.between(2, 6)
    if ongoing:
        latest = end_moment - timedelta(minutes=choices.between(5, 90))
        room = minutes_between(first_update, latest)
        count = max(2, min(count, 1 + room // max(1, int(cadence * 0.5))))
        span = min(room, int((count - 1) * cadence * 0.8))
        last = first_update + timedelta(minutes=max(span, count - 1))
        times = spaced_updates(choices, first_update, last, count, cadence)
        mitigated = None
        if choices.chance(0.5) and len(times) > 2:
            mitigated = times[-2] - timedelta(minutes=1)
        return Timing(start, detected, acknowledged, mitigated, None, times)
    low, high = level.minutes_to_mitigate
    mitigated = detected + timedelta(minutes=choices.between(low, high))
    # Resolution: a while after mitigation, but never beyond what the updates can cover.
    longest = int((count - 1) * cadence * 0.8)
    needed = minutes_between(first_update, mitigated) + 10
    while needed > longest and count < 6:
        count += 1
        longest = int((count - 1) * cadence * 0.8)
    if needed > longest:  # a very long mitigation: shorten it to fit the update cadence
        mitigated = first_update + timedelta(minutes=max(1, longest - 30))
        needed = longest - 20
    stable = choices.between(10, max(11, min(240, longest - needed + 10)))
    resolved = min(mitigated + timedelta(minutes=stable), first_update + timedelta(minutes=longest))
    resolved = max(
        resolved,
        mitigated + timedelta(minutes=5),
        first_update + timedelta(minutes=5 * (count - 1)),
    )
    times = spaced_updates(choices, first_update, resolved, count, cadence)
    return Timing(start, detected, acknowledged, mitigated, resolved, times)


def update_statuses(
    times: list[datetime],
    acknowledged: datetime,
    mitigated: datetime | None,
    resolved: datetime | None,
) -> list[tuple[datetime, str]]:
    """investigating, identified, monitoring, resolved: in order, the last exactly at
    resolution, so that the status page tells the story the timeline does."""
    identified_at = acknowledged + ((mitigated or times[-1]) - acknowledged) / 2
    result: list[tuple[datetime, str]] = []
    for index, moment in enumerate(times):
        if index == len(times) - 1 and resolved is not None:
            status = "resolved"
        elif index == 0:
            status = "investigating"
        elif mitigated is not None and moment >= mitigated:
            status = "monitoring"
        elif moment >= identified_at:
            status = "identified"
        else:
            status = "investigating"
        result.append((moment, status))
    return result
