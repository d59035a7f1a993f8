"""Services, runbooks and people: the catalogue that incidents are drawn against."""

from __future__ import annotations

from datetime import date, timedelta

from corpusgen.choices import Choices
from corpusgen.model import Incident, Runbook, Service
from corpusgen.text import camel, with_article
from corpusgen.vocabulary import ServiceSpec, Situation, Vocabulary

#: Rolling SLO windows, in days; most teams use four weeks.
WINDOW_DAYS = (28, 28, 30)
#: Review intervals of runbooks, in days.
REVIEW_EVERY = (90, 90, 90, 60, 180)


def make_services(count: int, vocab: Vocabulary, choices: Choices) -> list[Service]:
    """Base services first, then qualified and regional variants (``orders-worker-eu``)."""
    catalogue = vocab.services
    specs = list(catalogue.services)
    if count > len(specs):
        qualified: list[ServiceSpec] = []
        for qualifier in catalogue.qualifiers:
            for base in catalogue.services:
                name = f"{base.name} {qualifier.name}"
                components = (name,) if choices.chance(0.5) else ()
                tier = min(4, base.tier + 1)
                qualified.append(
                    ServiceSpec(
                        f"{base.id}-{qualifier.id}", name, base.team, tier, components, "worker"
                    )
                )
        regional = [
            ServiceSpec(
                f"{v.id}-{region}", f"{v.name} {region.upper()}", v.team, v.tier, (), v.kind
            )
            for region in catalogue.regions
            for v in qualified
        ]
        specs += qualified + regional
    number = 0
    while len(specs) < count:
        number += 1
        specs.append(
            ServiceSpec(f"service-{number:05d}", f"Service {number}", "team-platform", 4, (), "api")
        )
    availability = {tier.tier: tier.availability for tier in catalogue.tiers}
    services = [
        Service(
            spec.id,
            spec.name,
            spec.team,
            spec.tier,
            spec.components,
            spec.kind,
            availability[spec.tier],
            choices.pick(WINDOW_DAYS),
        )
        for spec in specs[:count]
    ]
    ids = [s.id for s in services]
    for index, svc in enumerate(services):
        others = ids[:index] + ids[index + 1 :]
        shared = [d for d in catalogue.shared if d in others]
        deps = choices.sample(shared, choices.between(1, 2))
        deps += choices.sample(others, choices.between(1, 2))
        svc.deps = sorted(set(deps))
    return services


def make_runbooks(
    count: int, services: list[Service], vocab: Vocabulary, choices: Choices
) -> list[Runbook]:
    """Spread runbooks evenly over services, each with situations it does not repeat."""
    situations = vocab.situations.situations
    regions = vocab.services.regions
    order = choices.shuffled(services)
    taken = {s.id for s in services}
    runbooks: list[Runbook] = []
    per_service: dict[str, list[Situation]] = {}
    for index in range(count):
        svc = order[index % len(order)]
        if svc.id not in per_service:
            per_service[svc.id] = choices.shuffled(situations)
        pool = per_service[svc.id]
        situation = pool.pop() if pool else choices.pick(situations)
        rid = base = f"{svc.id}-{situation.slug}"
        number = 1
        while rid in taken:  # more runbooks than situations: regional variants
            region = regions[(number - 1) % len(regions)]
            round_ = (number - 1) // len(regions) + 1
            rid = f"{base}-{region}" if round_ == 1 else f"{base}-{region}-{round_}"
            number += 1
        taken.add(rid)
        services_of = [svc.id]
        if choices.chance(0.2) and svc.deps:
            services_of.append(choices.pick(svc.deps))
        alert = f"{camel(svc.id)}{situation.alert}"
        if rid != base:
            alert += camel(rid[len(base) + 1 :])
        runbooks.append(
            Runbook(
                id=rid,
                title=situation.title.format(name=svc.name, a_name=with_article(svc.name)),
                services=services_of,
                owner=svc.team,
                alerts=[alert],
                situation=situation,
                review_every=choices.pick(REVIEW_EVERY),
            )
        )
        svc.runbooks.append(rid)
    return runbooks


def make_people(
    services: list[Service], vocab: Vocabulary, choices: Choices
) -> dict[str, list[str]]:
    """People by team, so responders come from the teams that own the affected services."""
    teams = sorted({s.team for s in services})
    by_team: dict[str, list[str]] = {team: [] for team in teams}
    for index, person in enumerate(choices.shuffled(vocab.people)):
        by_team[teams[index % len(teams)]].append(person)
    for team in teams:
        if len(by_team[team]) < 3:
            by_team[team] += [p for p in choices.sample(vocab.people, 3) if p not in by_team[team]]
    return by_team


def review_runbooks(
    runbooks: list[Runbook], incidents: list[Incident], end: date, choices: Choices
) -> None:
    """Most runbooks were reviewed after their last use and recently; a few are stale."""
    for rb in runbooks:
        used = [r.date() for i in rb.used_by if (r := incidents[i].resolved) is not None]
        last_use = max(used) if used else None
        if choices.chance(0.04):
            reviewed = end - timedelta(days=rb.review_every + choices.between(20, 200))
        else:
            reviewed = end - timedelta(days=choices.between(0, max(0, rb.review_every - 30)))
            if last_use is not None and reviewed < last_use:
                reviewed = min(end, last_use + timedelta(days=choices.between(0, 10)))
        rb.last_reviewed = reviewed
