"""One build's figures, computed once from (model, configuration, today) after the checks.

The postmortem card, every generated page, the API files and the commands read their
figures from one ``Facts``; none works out a figure of its own. Each figure has one
definition, a pure function in this package (``ARCHITECTURE.md`` lists them); ``compute``
calls each once. The figures that are also findings (an overdue postmortem, a stale
runbook) are reported from the same facts, so the log and the pages cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from incident_kb.alerts.coverage import Coverage, coverage_of
from incident_kb.alerts.rulefiles import RuleSet, configured_rules, known_alerts
from incident_kb.checks.validate import Result, check
from incident_kb.core.config import Config
from incident_kb.core.findings import Finding, Findings
from incident_kb.documents.model import (
    ActionItem,
    KnowledgeBase,
    Postmortem,
    Runbook,
    Service,
)
from incident_kb.figures import actions, budgets, postmortems, response, status, trends
from incident_kb.figures.actions import Item, Rate
from incident_kb.figures.budgets import BudgetWindow
from incident_kb.figures.freshness import Freshness, freshness_of
from incident_kb.figures.postmortems import OverduePostmortem, PostmortemCompletion
from incident_kb.figures.response import TIME_METRICS, Benchmark, IncidentTimes, Stat, TimeMetric
from incident_kb.figures.trends import MonthlyCounts


@dataclass(frozen=True)
class Recurrence:
    """An incident that happened again, and the earlier one's items still open then."""

    postmortem: Postmortem
    earlier: Postmortem
    open_items: tuple[ActionItem, ...]


@dataclass(frozen=True)
class Response:
    """MTTx figures: over every incident and per severity, service and quarter."""

    overall: Mapping[TimeMetric, Stat]
    by_severity: Mapping[TimeMetric, Mapping[str, Stat]]
    by_service: Mapping[TimeMetric, Mapping[str, Stat]]
    by_quarter: Mapping[TimeMetric, Mapping[str, Stat]]

    def of_service(self, service_id: str, metric: TimeMetric) -> Stat:
        return self.by_service[metric].get(service_id, Stat(0, None, None))


@dataclass(frozen=True)
class Facts:
    """Every figure of one build."""

    kb: KnowledgeBase
    config: Config
    today: date
    #: Every incident's TTD/TTA/TTM/TTR, oldest start first.
    times: Mapping[Postmortem, IncidentTimes]
    #: Every action item with its state today, in incident order then item order.
    items: tuple[Item, ...]
    #: Every runbook's freshness.
    freshness: Mapping[Runbook, Freshness]
    overdue: tuple[OverduePostmortem, ...]
    postmortem_completion: PostmortemCompletion
    item_completion: Rate
    response: Response
    benchmarks: tuple[Benchmark, ...]
    #: Each service's current error-budget window and the ones before, newest first.
    budgets: Mapping[str, tuple[BudgetWindow, ...]]
    #: Incidents per service id -> quarter -> severity (each incident once per service).
    trends: Mapping[str, Mapping[str, Mapping[str, int]]]
    #: Incidents per quarter -> severity over the whole knowledge base.
    org_trend: Mapping[str, Mapping[str, int]]
    sev1: MonthlyCounts
    #: Every recurrence (an incident naming ``recurrence_of``), newest first.
    recurrences: tuple[Recurrence, ...]
    status: status.Status
    #: Alert coverage of the configured rules; None when no rules are configured.
    coverage: Coverage | None
    #: The figures that are findings: overdue postmortems and stale runbooks.
    findings: tuple[Finding, ...]

    def times_of(self, pm: Postmortem) -> IncidentTimes:
        return self.times[pm]

    def freshness_of(self, rb: Runbook) -> Freshness:
        return self.freshness[rb]

    def items_of(self, postmortems: Iterable[Postmortem]) -> list[Item]:
        """The items of these incidents, in the order of ``items``."""
        index = self._items_by_postmortem
        ordered = sorted(set(postmortems) & index.keys(), key=self._item_order.__getitem__)
        return [item for pm in ordered for item in index[pm]]

    def recurrence(self, pm: Postmortem) -> Recurrence | None:
        """``pm`` as a recurrence of an earlier incident, if it is one."""
        return self._recurrence_by_postmortem.get(pm)

    @cached_property
    def _items_by_postmortem(self) -> dict[Postmortem, tuple[Item, ...]]:
        grouped: dict[Postmortem, list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.postmortem, []).append(item)
        return {pm: tuple(group) for pm, group in grouped.items()}

    @cached_property
    def _item_order(self) -> dict[Postmortem, int]:
        return {pm: n for n, pm in enumerate(self._items_by_postmortem)}

    @cached_property
    def _recurrence_by_postmortem(self) -> dict[Postmortem, Recurrence]:
        return {r.postmortem: r for r in self.recurrences}

    def window(self, service: Service) -> BudgetWindow:
        """The service's current error-budget window."""
        return self.budgets[service.id][0]


def recurrences(kb: KnowledgeBase) -> tuple[Recurrence, ...]:
    """Every incident that names an earlier one it recurs, newest first, with the earlier
    incident's items still open when it happened again (``actions.open_when_recurred``)."""
    out = []
    for pm in kb.postmortems_newest_first:
        earlier = kb.postmortem_by_id.get(pm.recurrence_of or "")
        if earlier is not None:
            out.append(Recurrence(pm, earlier, tuple(actions.open_when_recurred(pm, kb))))
    return tuple(out)


def _findings(
    kb: KnowledgeBase,
    config: Config,
    required: postmortems.Required,
    overdue: Iterable[OverduePostmortem],
    freshness: Mapping[Runbook, Freshness],
) -> tuple[Finding, ...]:
    """Required postmortems published without action items or overdue, and stale
    runbooks (at their configured levels)."""
    findings = Findings()
    for pm in kb.postmortems:
        if pm.status != "published" or pm.action_items:
            continue
        reason = required[pm]
        if reason:
            src = pm.source
            findings.add(
                src.path,
                src.line("action_items") if "action_items" in src.lines else src.line("status"),
                "action_items",
                f"a published postmortem needs at least one action item: {reason}",
                rule="published",
            )
    for entry in overdue:
        pm = entry.postmortem
        findings.add(
            pm.source.path,
            pm.source.line("status"),
            "status",
            f"postmortem overdue by {entry.days_overdue} days: due on {entry.due.isoformat()} "
            f"because {entry.reason}, still {pm.status}",
            level=config.level("postmortem-overdue"),
            rule="postmortem-overdue",
        )
    for rb in kb.runbooks:
        fresh = freshness[rb]
        if fresh.state == "stale":
            findings.add(
                rb.source.path,
                rb.source.line("last_reviewed"),
                "last_reviewed",
                "runbook is stale: " + "; ".join(r.message for r in fresh.reasons),
                level=config.level("runbook-stale"),
                rule="runbook-stale",
            )
    return tuple(findings.sorted())


def compute(kb: KnowledgeBase, config: Config, today: date, rules: RuleSet | None = None) -> Facts:
    """Every figure, once. ``rules``: the configured alert rules, read once per build
    (``alerts.rulefiles.configured_rules``); None when none are configured.

    Raises ConfigError for an invalid alert URL template."""
    alerts = known_alerts(rules)
    freshness = {rb: freshness_of(rb, kb, config, today, alerts) for rb in kb.runbooks}
    items = tuple(actions.all_items(kb, today, config.action_items_due_soon_days))
    required = postmortems.requirements(kb)
    overdue = tuple(postmortems.overdue_postmortems(kb, today, required))
    times = response.all_incident_times(kb)
    overall = {m: response.summarize(times, m) for m in TIME_METRICS}
    completion = postmortems.postmortem_completion(kb, today, required)
    item_completion = actions.completion_within(items, today)
    return Facts(
        kb=kb,
        config=config,
        today=today,
        times={t.postmortem: t for t in times},
        items=items,
        freshness=freshness,
        overdue=overdue,
        postmortem_completion=completion,
        item_completion=item_completion,
        response=Response(
            overall=overall,
            by_severity={
                m: response.response_stats_by_severity(kb, m, times) for m in TIME_METRICS
            },
            by_service={m: response.response_stats_by_service(kb, m, times) for m in TIME_METRICS},
            by_quarter={m: response.response_stats_by_quarter(kb, m, times) for m in TIME_METRICS},
        ),
        benchmarks=tuple(response.benchmarks_of(overall, completion, item_completion)),
        budgets=budgets.all_budgets(kb, today),
        trends=trends.incidents_per_quarter(kb, today),
        org_trend=trends.incidents_per_quarter_overall(kb, today),
        sev1=trends.sev1_per_month(kb, today),
        recurrences=recurrences(kb),
        status=status.status(kb, config, today),
        coverage=coverage_of(rules, kb, config) if rules is not None else None,
        findings=_findings(kb, config, required, overdue, freshness),
    )


def configured(kb: KnowledgeBase, config: Config, today: date) -> Facts:
    """``compute`` with the alert rules the configuration names, read here."""
    return compute(kb, config, today, configured_rules(config))


def analyse(
    config: Config, today: date, theme_files: Iterable[str] | None = None
) -> tuple[Result, Facts]:
    """The checks, then the facts: what the build and every command start from. The
    findings are ``result.findings`` and ``facts.findings``; ``every_finding`` joins them.
    Raises ConfigError as ``check`` and ``compute`` do."""
    result = check(config, today, theme_files)
    return result, configured(result.kb, config, today)


def every_finding(result: Result, facts: Facts) -> tuple[Finding, ...]:
    """The checks' findings and the figures', in one sorted list (each already capped per
    file and rule)."""
    return tuple(
        sorted(
            {*result.findings, *facts.findings}, key=lambda f: (f.path, f.line, f.field, f.message)
        )
    )
