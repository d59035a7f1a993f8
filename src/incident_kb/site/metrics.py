"""The /metrics/ page and the insights section of each service page: Markdown and charts.

Pure functions of the build's facts (``figures.facts``): every figure is read from them,
every chart is followed by a table of the same figures (its text alternative),
and every figure that has industry quartiles says where it sits. The caller writes each
chart's SVG files to ``charts/<name>-light.svg`` and ``charts/<name>-dark.svg``;
``chart_uri(name)`` gives the page-relative path of ``charts/<name>`` (no suffix).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jinja2

from incident_kb.core.escaping import Md, md_text
from incident_kb.documents.model import Document, KnowledgeBase, Service
from incident_kb.figures import actions, response, trends
from incident_kb.figures.facts import Facts
from incident_kb.figures.response import TIME_METRICS, Stat, TimeMetric
from incident_kb.site import charts
from incident_kb.site.charts import Chart
from incident_kb.site.render import render_page

LinkFn = Callable[..., Md]
ChartUri = Callable[[str], str]

METRIC_NAMES: dict[TimeMetric, str] = {
    "ttd": "MTTD (time to detect)",
    "tta": "MTTA (time to acknowledge)",
    "ttm": "MTTM (time to mitigate)",
    "ttr": "MTTR (time to resolve)",
}


@dataclass(frozen=True)
class Figure:
    """One figure as printed: the value, its quartile placement and what it left out."""

    label: str
    metric: TimeMetric
    stat: Stat
    placement: str | None

    @property
    def quartile(self) -> Md:
        return quartile_text(f"m{self.metric}", self.placement)

    @property
    def left_out(self) -> Md:
        return left_out_text(self.stat.left_out)

    @property
    def mean(self) -> Md:
        return number(self.stat.mean)

    @property
    def median(self) -> Md:
        return number(self.stat.median)


def number(value: float | None, digits: int = 1) -> Md:
    """A figure as printed in the tables ("n/a" when there is none)."""
    if value is None:
        return Md("n/a")
    if math.isinf(value):
        return Md("∞")
    return Md(f"{value:.{digits}f}")


def percent(value: float | None) -> Md:
    """A rate as printed: "75%", or "n/a" when there is nothing to count."""
    return Md("n/a") if value is None else Md(f"{number(value, 0)}%")


def left_out_text(left_out: Mapping[str, int]) -> Md:
    """ "2 still open, 1 not acknowledged" (escaped), or "" when nothing was left out."""
    return Md(", ".join(f"{n} {md_text(reason)}" for reason, n in left_out.items()))


def quartile_text(metric: str, placement: str | None) -> Md:
    """The placement and the thresholds it was judged by."""
    q = response.QUARTILES[metric]
    better = "≥" if q.higher_is_better else "≤"
    rule = f"top {better} {q.top:g}, median {better} {q.median:g}, bottom {better} {q.bottom:g}"
    if placement is None:
        return Md(f"n/a ({rule} {q.unit})")
    return Md(f"{placement} ({rule} {q.unit})")


def figure(label: str, metric: TimeMetric, stat: Stat) -> Figure:
    return Figure(label, metric, stat, response.placement(f"m{metric}", stat.mean))


def image(chart: Chart, chart_uri: ChartUri) -> Md:
    """Material's light and dark image pair for one chart."""
    base = chart_uri(chart.name)
    alt = md_text(chart.alt)
    return Md(f"![{alt}]({base}-light.svg#only-light)\n![{alt}]({base}-dark.svg#only-dark)")


def _ranks(kb: KnowledgeBase) -> dict[str, int]:
    return {level.id: level.rank for level in kb.policy.levels} if kb.policy else {}


def _thresholds(kb: KnowledgeBase) -> tuple[float | None, float | None]:
    if kb.policy is None:
        return None, None
    return kb.policy.error_budget.warn_at_pct, kb.policy.error_budget.freeze_at_pct


def quartile_rank(position: int, total: int) -> Md:
    """Which quarter of the ranking a 1-based position falls in: Q1 for the first place,
    Q4 for the last, the others by their share of the way down (ties share a position)."""
    if total <= 0:
        return Md("n/a")
    if total == 1:
        return Md("Q1")
    return Md(f"Q{min(4, math.floor(4 * (position - 1) / (total - 1)) + 1)}")


def _competition_ranks(values: list[float]) -> list[int]:
    """1-based ranks of values already sorted best-first; equal values share a rank."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        ranks.append(ranks[-1] if i and values[i - 1] == value else i + 1)
    return ranks


@dataclass(frozen=True)
class TrendRow:
    """A row of an incidents-per-quarter table: a count per severity, in order, and the total."""

    quarter: str
    counts: list[int]
    total: int


def trend_rows(trend: Mapping[str, Mapping[str, int]], severities: list[str]) -> list[TrendRow]:
    return [
        TrendRow(quarter, [counts.get(sev, 0) for sev in severities], sum(counts.values()))
        for quarter, counts in trend.items()
    ]


# -- a service page -------------------------------------------------------------------------


def service_insights_markdown(
    facts: Facts,
    service: Service,
    env: jinja2.Environment,
    link: LinkFn,
    chart_uri: ChartUri,
) -> tuple[str, list[Chart]]:
    """The "Incident trend", "Response times" and "Error budget" sections of one service
    page, and the charts they show."""
    kb = facts.kb
    trend = facts.trends.get(service.id, {})
    ranks = _ranks(kb)
    severities = trends.severity_order(kb, (s for q in trend.values() for s in q))
    trend_chart = charts.trend_chart(
        trend,
        f"Incidents per quarter: {service.name}",
        name=charts.chart_name("service", service.id, "trend"),
        ranks=ranks,
        alt="Incidents per quarter stacked by severity; the table below gives the figures",
    )
    figures = [
        figure(METRIC_NAMES[m], m, facts.response.of_service(service.id, m)) for m in TIME_METRICS
    ]
    history = facts.budgets[service.id]
    current = history[0]
    warn, freeze = _thresholds(kb)
    gauge = charts.budget_gauge(
        current,
        f"Error budget, current window: {service.name}",
        name=charts.chart_name("service", service.id, "budget"),
        warn_pct=warn,
        freeze_pct=freeze,
        alt="Error budget consumed in the current window; the tables below give the figures",
    )
    text = render_page(
        env,
        "service-insights.md.j2",
        service=service,
        trend=trend,
        severities=severities,
        trend_rows=trend_rows(trend, severities),
        trend_image=image(trend_chart, chart_uri),
        figures=figures,
        metric_keys=list(TIME_METRICS),
        quartile=quartile_text,
        left_out=left_out_text,
        current=current,
        history=history,
        warn_pct=warn,
        freeze_pct=freeze,
        gauge_image=image(gauge, chart_uri),
        number=number,
        link=link,
        kb=kb,
    )
    return text, [trend_chart, gauge]


# -- the metrics page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """A row of a ranking: the position (shared on ties), the quartile and the figure."""

    position: int
    quartile: Md
    service_id: str
    service: Service | None
    value: float
    extra: Md


def _ranked(rows: list[tuple[str, float, Md]], kb: KnowledgeBase) -> list[Ranked]:
    rows = sorted(rows, key=lambda r: (-r[1], r[0]))
    positions = _competition_ranks([r[1] for r in rows])
    return [
        Ranked(pos, quartile_rank(pos, len(rows)), sid, kb.service_by_id.get(sid), value, extra)
        for pos, (sid, value, extra) in zip(positions, rows, strict=True)
    ]


def metrics_markdown(
    facts: Facts,
    env: jinja2.Environment,
    link: LinkFn,
    chart_uri: ChartUri,
) -> tuple[str, list[Chart]]:
    """The /metrics/ page and the charts it shows."""
    kb, today, mttx_figures = facts.kb, facts.today, facts.response
    by_severity, by_quarter = mttx_figures.by_severity, mttx_figures.by_quarter
    severities = list(dict.fromkeys(s for m in TIME_METRICS for s in by_severity[m]))
    quarters = list(dict.fromkeys(q for m in TIME_METRICS for q in by_quarter[m]))
    severity_rows = [
        (sev, [figure(sev, m, by_severity[m].get(sev, Stat(0, None, None))) for m in TIME_METRICS])
        for sev in severities
    ]
    quarter_rows = [
        (q, [figure(q, m, by_quarter[m].get(q, Stat(0, None, None))) for m in TIME_METRICS])
        for q in quarters
    ]
    overall = [figure(METRIC_NAMES[m], m, mttx_figures.overall[m]) for m in TIME_METRICS]
    left_out_by_metric: dict[str, dict[str, int]] = {}
    for fig in overall:
        if fig.stat.left_out:
            left_out_by_metric[fig.label] = fig.stat.left_out

    org_trend = facts.org_trend
    trend_chart = charts.trend_chart(
        org_trend,
        "Incidents per quarter, all services",
        name="metrics-trend",
        ranks=_ranks(kb),
        alt="Incidents per quarter stacked by severity; the table below gives the figures",
    )
    mttx = charts.mttx_chart(
        by_quarter,
        "Mean response times per quarter",
        name="metrics-mttx",
        alt="Mean MTTD, MTTA, MTTM and MTTR per quarter; the table below gives the figures",
    )
    monthly = facts.sev1
    sev1 = charts.sev1_chart(
        monthly,
        f"{monthly.level} incidents per month",
        name="metrics-sev1",
        alt=f"{monthly.level} incidents per month; the table below gives the figures",
    )
    pmc, aic = facts.postmortem_completion, facts.item_completion
    incident_counts = {
        service_id: sum(sum(s.values()) for s in quarters_of.values())
        for service_id, quarters_of in facts.trends.items()
    }
    by_incidents = _ranked([(sid, float(n), Md("")) for sid, n in incident_counts.items()], kb)
    windows = {s.id: facts.window(s) for s in kb.services}
    by_budget = _ranked(
        [
            (sid, w.pct_consumed, Md(f"{w.consumed_minutes:.1f} of {w.budget_minutes:.1f}"))
            for sid, w in windows.items()
        ],
        kb,
    )
    trend_severities = list(next(iter(org_trend.values()), {}))
    text = render_page(
        env,
        "metrics.md.j2",
        kb=kb,
        today=today,
        metric_keys=list(TIME_METRICS),
        metric_names=METRIC_NAMES,
        overall=overall,
        left_out_by_metric=left_out_by_metric,
        severity_rows=severity_rows,
        quarter_rows=quarter_rows,
        mttx_image=image(mttx, chart_uri),
        org_trend=org_trend,
        trend_severities=trend_severities,
        org_trend_rows=trend_rows(org_trend, trend_severities),
        trend_image=image(trend_chart, chart_uri),
        monthly=monthly,
        sev1_image=image(sev1, chart_uri),
        pmc=pmc,
        pmc_quartile=quartile_text(
            "postmortem_completion", response.placement("postmortem_completion", pmc.pct)
        ),
        aic=aic,
        aic_quartile=quartile_text(
            "action_item_completion", response.placement("action_item_completion", aic.pct)
        ),
        window_days=actions.COMPLETION_WINDOW_DAYS,
        by_incidents=by_incidents,
        by_budget=by_budget,
        windows=windows,
        quartile=quartile_text,
        left_out=left_out_text,
        number=number,
        percent=percent,
        link=link,
        service_link=lambda sid: _service_link(kb, sid, link),
    )
    return text, [trend_chart, mttx, sev1]


def _service_link(kb: KnowledgeBase, service_id: str, link: LinkFn) -> Md:
    service: Document | None = kb.service_by_id.get(service_id)
    return link(service) if service is not None else md_text(service_id)
