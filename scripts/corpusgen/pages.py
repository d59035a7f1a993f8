"""The pages around the postmortems: runbooks, services, the severity policy, the home page.

Each page is a Markdown template in ``templates/`` filled with text computed from the
corpus' facts; the sentences that vary come from the vocabulary.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

from corpusgen.choices import Choices
from corpusgen.frontmatter import document, number
from corpusgen.model import Corpus, Incident, Runbook, Service
from corpusgen.text import and_list, bullets, long_date
from corpusgen.vocabulary import Vocabulary

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def template(name: str) -> str:
    """A page template, read once per process."""
    return (TEMPLATES / f"{name}.md").read_text(encoding="utf-8")


def page(template_name: str, /, **slots: object) -> str:
    """A template filled with ``slots``, ending in exactly one newline."""
    return template(template_name).format_map(slots).rstrip("\n") + "\n"


def render_runbook(rb: Runbook, corpus: Corpus, vocab: Vocabulary, choices: Choices) -> str:
    """A runbook in the sections the runbook template asks for, linking the incidents that
    used it most recently."""
    svc = corpus.services_by_id[rb.services[0]]
    sit = rb.situation
    mine = choices.derive("runbook", rb.id)
    ids = {"id": svc.id, "name": svc.name}
    front: dict[str, Any] = {
        "id": rb.id,
        "title": rb.title,
        "services": rb.services,
        "owner": rb.owner,
        "alerts": rb.alerts,
        "last_reviewed": rb.last_reviewed or corpus.end,
        "review_every_days": rb.review_every,
        "severity": sit.severity,
    }
    causes = [f"{c};" for c in sit.causes[:-1]] + [f"{sit.causes[-1]}."]
    labels = vocab.situations.diagnosis_labels
    diagnosis = "\n\n".join(
        f"{n}. {label}\n\n```bash\n{command.format_map(ids)}\n```"
        for n, (label, command) in enumerate(zip(labels, sit.diagnose, strict=True), start=1)
    )
    steps = "\n".join(f"{n}. {step.format_map(ids)}" for n, step in enumerate(sit.steps, start=1))
    incidents = corpus.incidents
    used = sorted(rb.used_by, key=lambda i: incidents[i].started, reverse=True)[:3]
    related = [f"[[{incidents[i].id}]]: {incidents[i].title.rstrip('.')}." for i in used]
    related.append(f"Service page [[{svc.id}]].")
    related += [f"Dependency [[{other}]]." for other in rb.services[1:]]
    body = page(
        "runbook",
        title=rb.title,
        what=sit.what.format_map(ids),
        owner=rb.owner,
        severity=sit.severity,
        causes=bullets(causes),
        alert=rb.alerts[0],
        promql=sit.promql.format_map(ids),
        customer_effect=mine.pick(vocab.situations.customer_effects),
        component=svc.components[0] if svc.components else svc.name,
        diagnosis=diagnosis,
        steps=steps,
        service_id=svc.id,
        related=bullets(related),
    )
    return document(front, body)


def render_service(svc: Service, corpus: Corpus, vocab: Vocabulary, choices: Choices) -> str:
    """A service page: objective, architecture, dependencies, on-call, alerts and the
    incidents a new responder should read first."""
    mine = choices.derive("service", svc.id)
    prose = vocab.service_pages
    front = {
        "id": svc.id,
        "name": svc.name,
        "owner": svc.team,
        "tier": svc.tier,
        "slo": {"availability": number(svc.availability), "window_days": svc.window_days},
        "components": list(svc.components),
    }
    pods_min = mine.pick((2, 3, 4, 6, 10))
    database = vocab.services.database
    has_database = database in corpus.services_by_id and svc.id != database
    architecture = [
        line.format(
            id=svc.id,
            pods_min=pods_min,
            pods_max=pods_min * 4,
            db_link=f"[[{database}]]" if has_database else "the database cluster",
        )
        for line in prose.architecture[svc.kind]
    ]
    dependencies = "\n".join(
        f"| [[{d}]] | {corpus.services_by_id[d].team} | {mine.pick(prose.dependency_effects)} |"
        for d in svc.deps
    )
    if svc.components:
        components = prose.components.format(
            components=", ".join(f"**{c}**" for c in svc.components)
        )
    else:
        components = prose.no_components
    runbooks = corpus.runbooks_by_id
    alerts = [f"`{a}`: follow [[{rid}]]." for rid in svc.runbooks for a in runbooks[rid].alerts]
    incidents = corpus.incidents
    levels = [level.id for level in vocab.severities.levels]
    notable = sorted(
        (i for i in svc.incidents if incidents[i].services[0] == svc.id),
        key=lambda i: (levels.index(incidents[i].severity), -incidents[i].started.timestamp()),
    )[:4]
    worth_reading = ""
    if notable:
        links = ", ".join(f"[[{incidents[i].id}]]" for i in notable)
        worth_reading = "\n" + prose.worth_reading.format(incidents=links)
    body = page(
        "service",
        name=svc.name,
        id=svc.id,
        team=svc.team,
        tier=svc.tier,
        availability=f"{svc.availability:g}",
        window_days=svc.window_days,
        budget_minutes=f"{svc.window_days * 24 * 60 * (1 - svc.availability / 100):.0f}",
        components=components,
        architecture=bullets(architecture),
        dependencies=dependencies,
        manager=corpus.people[svc.team][-1],
        alerts=bullets(alerts or [prose.default_alerts]),
        worth_reading=worth_reading,
    )
    return document(front, body)


def render_policy(incidents: list[Incident], vocab: Vocabulary) -> str:
    """The policy's levels as front-matter, explained with recent incidents of each level."""
    severities = vocab.severities
    levels = severities.levels
    budget = severities.error_budget
    front = {
        "levels": [
            {
                "id": level.id,
                "name": level.name,
                "summary": level.summary,
                "response_minutes": level.response_minutes,
                "page": list(level.page),
                "notify": list(level.notify),
                "status_update_minutes": level.status_update_minutes,
                "postmortem_required": level.postmortem_required,
                "postmortem_due_days": level.postmortem_due_days,
            }
            for level in levels
        ],
        "error_budget": {
            "warn_at_pct": budget.warn_at_pct,
            "freeze_at_pct": budget.freeze_at_pct,
            "postmortem_if_consumed_pct": budget.postmortem_if_consumed_pct,
        },
    }
    examples: dict[str, list[Incident]] = {level.id: [] for level in levels}
    for inc in reversed(incidents):
        if inc.status == "published" and len(examples[inc.severity]) < 3:
            examples[inc.severity].append(inc)
    sections = []
    for level in levels:
        listed = [f"{inc.title} ([[{inc.id}]])." for inc in examples[level.id]]
        lines = bullets(listed or [severities.no_example])
        sections.append(f"### {level.id} {level.name}\n\n{level.policy}\n\n{lines}")
    body = page(
        "policy",
        levels="\n\n".join(sections),
        full_crew=and_list([level.id for level in levels if level.full_crew]),
        cadences=and_list([f"{lv.status_update_minutes} minutes for {lv.id}" for lv in levels]),
        required=and_list(
            [
                f"{lv.id} (due {lv.postmortem_due_days} days after resolution)"
                for lv in levels
                if lv.postmortem_required
            ]
        ),
        warn_pct=budget.warn_at_pct,
        freeze_pct=budget.freeze_at_pct,
        postmortem_pct=budget.postmortem_if_consumed_pct,
    )
    return document(front, body)


def render_home(services: list[Service], n: int, end: date) -> str:
    """The home page, listing every service."""
    listed = bullets([f"[{s.name}](services/{s.id}.md)" for s in services])
    return page("home", n=n, end_long=long_date(end), services=listed)
