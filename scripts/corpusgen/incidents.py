"""The facts of every incident: when, where, why, who responded and what follows up.

Incidents are drafted first (severity, services, cause, timing), sorted by start, and then
given ids, paths and the references that need earlier incidents (related, recurrence).
Incident ``number`` (its place in drafting order) draws its draft from the stream
``incident/<number>`` and the rest from ``incident/<number>/details``; its file is written
from two more (``/status-page``, ``/body``), so no incident's text depends on another's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from corpusgen.choices import Choices
from corpusgen.model import ActionItem, Incident, Runbook, Service
from corpusgen.text import (
    camel,
    cap,
    duration_text,
    fill,
    hm,
    long_date,
    minutes_between,
    slugify,
    thousands,
    uncap,
    with_article,
)
from corpusgen.timing import make_timing, update_statuses
from corpusgen.vocabulary import DETECTIONS, Vocabulary

#: Years of history before the end date: enough for year folders, quarters and trends.
YEARS = 5
TRACKER = "https://tracker.example.com"
TRACKER_PROJECTS = ("OPS", "OPS", "REL", "SRE")
DETECTION_WEIGHTS = dict(zip(DETECTIONS, (70, 14, 12, 4), strict=True))
#: How many dependencies besides the primary service an incident touches.
EXTRA_SERVICES = (0, 0, 0, 1, 1, 2)
PODS = (8, 12, 16, 20, 24, 32, 40, 48, 64)
POOL_SIZES = (10, 16, 20, 25)
DUE_IN_DAYS = (3, 5, 7, 10, 14, 21, 30, 45, 60, 90)


def make_incidents(
    n: int,
    end: date,
    services: list[Service],
    runbooks: list[Runbook],
    people: dict[str, list[str]],
    vocab: Vocabulary,
    choices: Choices,
) -> list[Incident]:
    """Facts of every incident, sorted by start, with ids, paths and cross references."""
    end_moment = datetime(end.year, end.month, end.day, 23, 0, tzinfo=UTC)
    by_id = {s.id: s for s in services}
    # Busier services get more incidents: tier 1 weighs most.
    tier_weight = {tier.tier: tier.incident_weight for tier in vocab.services.tiers}
    weights = [tier_weight[s.tier] for s in services]
    drafts = sorted(
        (draft(number, end_moment, by_id, weights, vocab, choices) for number in range(n)),
        key=lambda inc: (inc.started, inc.number),
    )
    runbook_by_id = {r.id: r for r in runbooks}
    per_year: dict[int, int] = {}
    paths: set[str] = set()
    history: dict[str, list[int]] = {}
    same_cause: dict[tuple[str, str], list[int]] = {}
    tracker_number = 1000
    for index, inc in enumerate(drafts):
        mine = choices.derive("incident", inc.number, "details")
        year = inc.started.year
        per_year[year] = per_year.get(year, 0) + 1
        inc.id = f"INC-{year}-{per_year[year]:03d}"
        primary = by_id[inc.services[0]]
        for sid in inc.services:
            by_id[sid].incidents.append(index)
        inc.slots = incident_slots(inc, primary, by_id, vocab, mine)
        inc.title = cap(fill(mine.pick(inc.trigger.titles), inc.slots))
        inc.path = unique_path(inc, paths)
        choose_runbooks(inc, by_id, runbook_by_id, mine)
        for rid in inc.runbooks:
            runbook_by_id[rid].used_by.append(index)
        if inc.detection == "alert":
            alerts = [a for rid in inc.runbooks for a in runbook_by_id[rid].alerts]
            fallback = mine.pick(vocab.situations.fallback_alerts)
            inc.alerts = sorted(set(alerts or [f"{camel(primary.id)}{fallback}"]))
        # Earlier incidents of the same service: related, and sometimes a recurrence.
        earlier = [j for j in history.get(primary.id, [])[-40:] if drafts[j].started < inc.started]
        cause = (primary.id, inc.trigger.key)
        repeat = [j for j in same_cause.get(cause, [])[-10:] if drafts[j].started < inc.started]
        if repeat and mine.chance(0.35):
            inc.recurrence_of = drafts[mine.pick(repeat)].id
        if earlier and mine.chance(0.3):
            inc.related = sorted({drafts[j].id for j in mine.sample(earlier, 2)})
        history.setdefault(primary.id, []).append(index)
        same_cause.setdefault(cause, []).append(index)
        tags = set(mine.sample(inc.trigger.tags, mine.between(2, 3)))
        tags.add(primary.id if mine.chance(0.3) else primary.kind)
        if inc.recurrence_of:
            tags.add("recurrence")
        inc.tags = sorted(tags)
        assign_roles(inc, primary, by_id, people, mine)
        inc.slots.update(people_slots(inc))
        inc.status = writeup_status(inc, end_moment, mine)
        tracker_number = make_actions(inc, end, vocab, mine, tracker_number)
    return drafts


def unique_path(inc: Incident, paths: set[str]) -> str:
    """``<year>/<day>-<title slug>.md``, numbered when two incidents of a day share a title."""
    day = inc.started.date().isoformat()
    stem = f"{inc.started.year}/{day}-{slugify(inc.title)}"
    path = f"{stem}.md"
    number = 2
    while path in paths:
        path = f"{stem}-{number}.md"
        number += 1
    paths.add(path)
    return path


def choose_runbooks(
    inc: Incident,
    by_id: dict[str, Service],
    runbook_by_id: dict[str, Runbook],
    choices: Choices,
) -> None:
    """The runbooks responders used: those of the affected services, preferring runbooks
    for this incident's cause."""
    candidates = sorted({r for s in inc.services for r in by_id[s].runbooks})
    matching = [r for r in candidates if inc.trigger.key in runbook_by_id[r].situation.triggers]
    if matching and choices.chance(0.85):
        inc.runbooks = choices.sample(matching, choices.pick((1, 1, 1, 2)))
    elif candidates and choices.chance(0.5):
        inc.runbooks = choices.sample(candidates, 1)


def draft(
    number: int,
    end_moment: datetime,
    by_id: dict[str, Service],
    weights: list[int],
    vocab: Vocabulary,
    choices: Choices,
) -> Incident:
    """Severity, services, cause and timing of incident ``number``; ``weights`` are the
    services' shares of incidents, in the order of ``by_id``."""
    mine = choices.derive("incident", number)
    levels = vocab.severities.levels
    level = mine.weighted(levels, [lv.weight for lv in levels])
    primary = mine.weighted(list(by_id.values()), weights)
    chosen = [primary.id, *mine.sample(primary.deps, mine.pick(EXTRA_SERVICES))]
    if not any(by_id[s].components for s in chosen):
        with_components = [s for s, svc in by_id.items() if svc.components]
        consumers = [s for s in with_components if primary.id in by_id[s].deps]
        chosen.append(mine.pick(consumers or with_components))
    # More incidents in recent years: the system (and the team writing things down) grew.
    span_minutes = YEARS * 365 * 24 * 60
    back = int(span_minutes * mine.fraction() ** 1.35)
    start = end_moment - timedelta(minutes=back + 60 * 24)
    start = start.replace(minute=mine.between(0, 59))
    ongoing = back < 60 * 20 and level.may_stay_open and mine.chance(0.7)
    if ongoing:
        start = end_moment - timedelta(minutes=mine.between(180, 60 * 20))
    timing = make_timing(mine, level, start, end_moment, ongoing)
    last = timing.resolved or timing.updates[-1]
    if last > end_moment:  # move the whole incident back so it ends before the anchor
        timing = timing.shifted_back(last - end_moment + timedelta(minutes=mine.between(30, 600)))
    trigger = mine.pick(vocab.triggers)
    low, high = level.users_affected_pct
    users = round(mine.real(low, high), level.users_affected_decimals)
    detection = mine.weighted(list(DETECTION_WEIGHTS), list(DETECTION_WEIGHTS.values()))
    return Incident(
        number=number,
        level=level,
        services=chosen,
        trigger=trigger,
        symptom=mine.pick(trigger.symptoms),
        started=timing.started,
        detected=timing.detected,
        acknowledged=timing.acknowledged,
        mitigated=timing.mitigated,
        resolved=timing.resolved,
        updates=update_statuses(
            timing.updates, timing.acknowledged, timing.mitigated, timing.resolved
        ),
        detection=detection,
        users_pct=float(users),
    )


def assign_roles(
    inc: Incident,
    primary: Service,
    by_id: dict[str, Service],
    people: dict[str, list[str]],
    choices: Choices,
) -> None:
    """Responders from the owning team first, then from the teams around it."""
    helpers = people[by_id[inc.services[-1]].team] + people[by_id[primary.deps[0]].team]
    crew = list(dict.fromkeys(people[primary.team] + helpers))
    chosen = choices.sample(crew, 7)
    inc.commander = chosen[0]
    full = inc.level.full_crew
    inc.scribe = chosen[1] if full or choices.chance(0.6) else None
    inc.comms = chosen[2] if full or choices.chance(0.4) else None
    inc.smes = chosen[3 : 3 + choices.between(1, 4)]


def writeup_status(inc: Incident, end_moment: datetime, choices: Choices) -> str:
    """Published unless recent: a write-up takes a couple of weeks to get through review."""
    if inc.resolved is None:
        return "draft"
    if (end_moment - inc.resolved).days < 21:
        return choices.pick(("draft", "in-review", "in-review", "published"))
    return "published"


def incident_slots(
    inc: Incident,
    primary: Service,
    by_id: dict[str, Service],
    vocab: Vocabulary,
    choices: Choices,
) -> dict[str, str]:
    """Every value a template may name, for this incident."""
    words = vocab.postmortem.words
    symptom = vocab.symptoms[inc.symptom]
    database = vocab.services.database
    dep = by_id[primary.deps[0]] if primary.deps else primary
    comps = [c for s in inc.services for c in by_id[s].components]
    comp = comps[0] if comps else primary.name
    major = choices.between(1, 9)
    minor = choices.between(0, 40)
    pods = choices.pick(PODS)
    end_ref = inc.mitigated or inc.updates[-1][0]
    minutes_total = max(1, minutes_between(inc.started, end_ref))
    budget_minutes = primary.window_days * 24 * 60 * (1 - primary.availability / 100)
    budget_pct = min(999, round(minutes_total * inc.users_pct / 100 / budget_minutes * 100))
    requests = choices.between(2, 900) * 1000
    return {
        "svc": primary.name,
        "svc_lower": uncap(primary.name),
        "a_svc_lower": with_article(uncap(primary.name)),
        "svc_id": primary.id,
        "svc_link": f"[[{primary.id}]]",
        "dep": dep.name,
        "dep_id": dep.id,
        "dep_link": f"[[{dep.id}]]",
        "comp": comp,
        "comp_lower": uncap(comp),
        "team": primary.team,
        "tier": str(primary.tier),
        "slo": f"{primary.availability:g}",
        "window": str(primary.window_days),
        "version": f"{major}.{minor}.{choices.between(1, 9)}",
        "old_version": f"{major}.{minor}.0",
        "change_no": str(choices.between(1000, 99999)),
        "flag": f"{primary.id.replace('-', '_')}.{choices.pick(words.flag_words)}",
        "host": f"{primary.id}.example.com",
        "queue": f"{primary.id}.events",
        "region": choices.pick(vocab.services.cloud_regions),
        "peak": choices.pick(words.peaks),
        "pods": str(pods),
        "new_pods": str(pods * 2),
        "pool": str(choices.pick(POOL_SIZES)),
        "count": thousands(choices.between(20, 2000) * 1000),
        "factor": str(choices.between(3, 12)),
        "lag": str(choices.between(4, 90)),
        "hit": str(choices.between(85, 98)),
        "pct": f"{inc.users_pct:g}",
        "path": choices.pick(words.paths),
        "saved": str(choices.between(5, 25)),
        "rollback_min": str(choices.between(12, 35)),
        "requests": thousands(requests),
        "total_requests": thousands(requests * choices.between(4, 40)),
        "orders": thousands(choices.between(20, 4000)),
        "revenue": thousands(choices.between(2, 400) * 1000),
        "tickets": str(choices.between(3, 300)),
        "budget_pct": str(budget_pct),
        "symptom_title": symptom.title,
        "symptom_noun": symptom.noun,
        "symptom_short": symptom.short,
        "public": symptom.public.format(comp=comp),
        "duration_text": duration_text(minutes_total),
        "date_long": long_date(inc.started.date()),
        "start_hm": hm(inc.started),
        "mitigated_hm": hm(end_ref),
        "resolved_hm": hm(inc.resolved or end_ref),
        "ttd": str(minutes_between(inc.started, inc.detected)),
        "tta": str(minutes_between(inc.detected, inc.acknowledged)),
        "first_update": str(minutes_between(inc.acknowledged, inc.updates[0][0])),
        "updates": str(len(inc.updates)),
        "stable_min": str(minutes_between(end_ref, inc.resolved or end_ref) or 15),
        "sev": inc.severity,
        "db_link": f"[[{database}]]" if database in by_id else "the database",
    }


def people_slots(inc: Incident) -> dict[str, str]:
    """The responders' slots, known once roles are assigned."""
    sme = inc.smes[0] if inc.smes else inc.commander
    return {
        "ic": inc.commander,
        "sme": sme,
        "sme2": inc.smes[1] if len(inc.smes) > 1 else sme,
        "oncall": sme,
        "rb_ref": f"[[{inc.runbooks[0]}]]" if inc.runbooks else f"the `{inc.services[0]}` runbooks",
    }


def make_actions(
    inc: Incident, end: date, vocab: Vocabulary, choices: Choices, tracker_number: int
) -> int:
    """3 to 8 follow-ups; their state follows their due date as seen from the end date.

    Returns the last tracker number used: ticket numbers grow through the corpus.
    """
    own = [(fill(a.title, inc.slots), a.kind) for a in inc.trigger.actions]
    generic = [(fill(a.title, inc.slots), a.kind) for a in vocab.postmortem.action_items.generic]
    kinds = dict(own + generic)
    count = choices.between(3, 8)
    titles = choices.sample(dict.fromkeys(title for title, _ in own), count)
    rest = [title for title in dict.fromkeys(t for t, _ in generic) if title not in titles]
    titles += choices.sample(rest, count - len(titles))
    base = (inc.resolved or inc.started).date()
    owners = [inc.commander, *inc.smes, *([inc.scribe] if inc.scribe else [])]
    project = choices.pick(TRACKER_PROJECTS)
    for title in titles:
        due = base + timedelta(days=choices.pick(DUE_IN_DAYS))
        if inc.resolved is None:
            status = choices.pick(("open", "open", "in-progress"))
        elif due <= end - timedelta(days=14):
            status = choices.weighted(("done", "wont-do", "in-progress", "open"), (78, 7, 5, 10))
        else:
            status = choices.weighted(("done", "in-progress", "open"), (35, 30, 35))
        completed = None
        if status == "done":
            completed = due + timedelta(days=choices.between(-10, 12))
            completed = min(max(completed, base), end)
        tracker = None
        if choices.chance(0.85):
            tracker_number += 1
            tracker = f"{TRACKER}/{project}-{tracker_number}"
        owner = choices.pick(owners)
        inc.actions.append(ActionItem(title, owner, due, status, kinds[title], completed, tracker))
    return tracker_number
