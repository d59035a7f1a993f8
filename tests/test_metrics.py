"""Charts and the metrics/service insight sections: SVGs, Markdown and their figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from factories import API, AUTH, CONFIG, POLICY, pm, ts
from incident_kb.core.escaping import Md, md_text
from incident_kb.documents.model import Document, Impact, KnowledgeBase, Postmortem, title_of
from incident_kb.figures import budgets, postmortems, response, trends
from incident_kb.figures.facts import compute
from incident_kb.site import charts, metrics
from incident_kb.site.render import environment

TODAY = date(2025, 12, 1)
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "Auth <script>alert(1)</script> & $x$ | [a](b)"


def incident(id_: str, start: str, minutes_to: dict[str, str], **kw: object) -> Postmortem:
    return pm(
        id=id_,
        started_at=ts(start),
        detected_at=ts(minutes_to["detected"]),
        acknowledged_at=ts(minutes_to["acked"]) if "acked" in minutes_to else None,
        mitigated_at=ts(minutes_to["mitigated"]) if "mitigated" in minutes_to else None,
        resolved_at=ts(minutes_to["resolved"]) if "resolved" in minutes_to else None,
        **kw,
    )


def example_kb(name: str = "Auth") -> KnowledgeBase:
    auth = replace(AUTH, name=name)
    postmortems = (
        incident(
            "INC-2025-001",
            "2025-11-10T10:00:00Z",
            {
                "detected": "2025-11-10T10:04:00Z",
                "acked": "2025-11-10T10:06:00Z",
                "mitigated": "2025-11-10T10:30:00Z",
                "resolved": "2025-11-10T11:00:00Z",
            },
            severity="SEV-1",
            impact=Impact("Logins failed", 50.0),
        ),
        incident(
            "INC-2025-002",
            "2025-08-01T10:00:00Z",
            {"detected": "2025-08-01T10:20:00Z", "resolved": "2025-08-01T12:00:00Z"},
            severity="SEV-2",
            services=("auth", "api"),
        ),
        incident(
            "INC-2025-003",
            "2025-11-20T10:00:00Z",
            {"detected": "2025-11-20T10:01:00Z", "acked": "2025-11-20T10:02:00Z"},
            severity="SEV-1",
            impact=Impact("Slow", 10.0, 12.5),
        ),
    )
    return KnowledgeBase(postmortems=postmortems, runbooks=(), services=(API, auth), policy=POLICY)


def link(doc: Document, text: str | None = None) -> Md:
    return Md(f"[{md_text(text if text is not None else title_of(doc))}](doc.md)")


def chart_uri(name: str) -> str:
    return f"../charts/{name}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def all_charts(kb: KnowledgeBase) -> list[charts.Chart]:
    env = environment(None)
    _, service_charts = metrics.service_insights_markdown(
        compute(kb, CONFIG, TODAY), kb.service_by_id["auth"], env, link, chart_uri
    )
    _, metrics_charts = metrics.metrics_markdown(compute(kb, CONFIG, TODAY), env, link, chart_uri)
    return service_charts + metrics_charts


def test_svgs_parse_and_carry_title_and_axis_labels() -> None:
    found = all_charts(example_kb())
    assert {c.name for c in found} == {
        "service-auth-trend",
        "service-auth-budget",
        "metrics-trend",
        "metrics-mttx",
        "metrics-sev1",
    }
    labels = {
        "service-auth-trend": ("Quarter (UTC start)", "Incidents"),
        "service-auth-budget": ("Error budget consumed (% of the window's budget)", "Window"),
        "metrics-trend": ("Quarter (UTC start)", "Incidents"),
        "metrics-mttx": ("Quarter (UTC start)", "Mean minutes"),
        "metrics-sev1": ("Month (UTC start)", "SEV-1 incidents"),
    }
    for chart in found:
        for svg in (chart.light_svg, chart.dark_svg):
            words = texts(svg)
            assert chart.title in words
            for label in labels[chart.name]:
                assert label in words
        assert chart.light_svg != chart.dark_svg
        assert set(chart.files()) == {f"{chart.name}-light.svg", f"{chart.name}-dark.svg"}


def test_svgs_are_reproducible() -> None:
    first = all_charts(example_kb())
    second = all_charts(example_kb())
    for a, b in zip(first, second, strict=True):
        assert a.light_svg == b.light_svg
        assert a.dark_svg == b.dark_svg
        assert "<dc:date>" not in a.light_svg
        assert "<script" not in a.light_svg


def test_gauge_marks_the_policy_thresholds() -> None:
    kb = example_kb()
    window = budgets.current_window(kb, kb.service_by_id["auth"], TODAY)
    chart = charts.budget_gauge(window, "Budget", name="g", warn_pct=80, freeze_pct=100)
    words = texts(chart.light_svg)
    assert "warning 80%" in words
    assert "freeze 100%" in words
    assert any(w.endswith(f"({window.status})") for w in words)


def test_service_section_has_charts_tables_and_figures() -> None:
    kb = example_kb()
    auth = kb.service_by_id["auth"]
    text, _ = metrics.service_insights_markdown(
        compute(kb, CONFIG, TODAY), auth, environment(None), link, chart_uri
    )
    for heading in ("## Incident trend", "## Response times", "## Error budget"):
        assert heading in text
    for name in ("service-auth-trend", "service-auth-budget"):
        assert f"(../charts/{name}-light.svg#only-light)" in text
        assert f"(../charts/{name}-dark.svg#only-dark)" in text
    # the trend table: 2025-Q3 one SEV-2, 2025-Q4 two SEV-1
    assert "| 2025-Q3 | 0 | 1 | 0 | 1 |" in text
    assert "| 2025-Q4 | 2 | 0 | 0 | 2 |" in text
    # MTTx figures and their quartile placement, as analytics computes them
    for metric in response.TIME_METRICS:
        stat = response.response_stats_by_service(kb, metric)["auth"]
        placement = response.placement(f"m{metric}", stat.mean)
        assert f"| {stat.count} | {stat.mean:.1f} | {stat.median:.1f} | {placement} (" in text
    assert "1 still open" in text
    # the budget: current window and the four before it, the incidents that consumed it
    history = budgets.budget_history(kb, auth, TODAY)
    assert len(history) == 5
    for window in history:
        assert f"| {window.start} to {window.last_day}" in text
    current = history[0]
    assert f"status **{current.status}**" in text
    for entry in current.consumed:
        assert entry.postmortem.id in text
        assert f"| {entry.minutes:.1f} |" in text
    assert "| 12.5 | error_budget_minutes override |" in text


def test_metrics_page_matches_analytics() -> None:
    kb = example_kb()
    text, found = metrics.metrics_markdown(
        compute(kb, CONFIG, TODAY), environment(None), link, chart_uri
    )
    for chart in found:
        assert f"![{md_text(chart.alt)}](../charts/{chart.name}-light.svg#only-light)" in text
        assert f"](../charts/{chart.name}-dark.svg#only-dark)" in text
    for sev in ("SEV-1", "SEV-2"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {sev} |"))
        for metric in response.TIME_METRICS:
            stat = response.response_stats_by_severity(kb, metric)[sev]
            mean = "n/a" if stat.mean is None else f"{stat.mean:.1f}"
            placement = response.placement(f"m{metric}", stat.mean) or "n/a"
            assert f" {mean} ({placement}) [{stat.count}] |" in row
    for quarter in response.response_stats_by_quarter(kb, "ttr"):
        assert f"| {quarter} |" in text
    pmc = postmortems.postmortem_completion(kb, TODAY)
    assert f"| 0% | {pmc.published} of {pmc.required} | bottom (" in text
    assert "| n/a | 0 of 0 | n/a (" in text
    monthly = trends.sev1_per_month(kb, TODAY)
    assert f"| 2025-11 | {monthly.counts['2025-11']} |" in text
    # ranked by incidents: auth (3) before api (1)
    ranking = text.split("## Services by incidents", 1)[1].split("##", 1)[0]
    rows = [line for line in ranking.splitlines() if re.match(r"\| \d", line)]
    assert rows[0].startswith("| 1 | [Auth](doc.md) | 3 | Q1")
    assert rows[1].startswith("| 2 | [API](doc.md) | 1 | Q4")
    assert "## Services by error budget consumed" in text


def test_hostile_service_name_is_escaped_in_markdown_and_text_in_svg() -> None:
    kb = example_kb(HOSTILE)
    auth = kb.service_by_id["auth"]
    text, found = metrics.service_insights_markdown(
        compute(kb, CONFIG, TODAY), auth, environment(None), link, chart_uri
    )
    metrics_text, _ = metrics.metrics_markdown(
        compute(kb, CONFIG, TODAY), environment(None), link, chart_uri
    )
    for markdown in (text, metrics_text):
        assert "<script" not in markdown
        assert "$x$" not in markdown
    assert md_text(HOSTILE) in metrics_text
    trend = next(c for c in found if c.name == "service-auth-trend")
    for svg in (trend.light_svg, trend.dark_svg):
        assert "<script" not in svg
        assert f"Incidents per quarter: {HOSTILE}" in texts(svg)


@pytest.mark.parametrize(
    ("parts", "safe"),
    [(("service", "auth", "trend"), True), (("service", "Au th/../x", "trend"), False)],
)
def test_chart_names_are_file_name_safe(parts: tuple[str, ...], safe: bool) -> None:
    name = charts.chart_name(*parts)
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name)
    assert (name == "-".join(parts)) is safe
