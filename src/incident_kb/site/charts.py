"""Charts as SVG text, drawn with matplotlib at build time: pure functions, no files, no clock.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot state), on the
Agg backend. Every chart comes in two variants, one for Material's light ("default")
scheme and one for its dark ("slate") scheme; pages show them with Material's
``#only-light`` and ``#only-dark`` image fragments. The output is reproducible: a fixed
hash salt, no date in the metadata, a fixed figure size and the DejaVu Sans font that
matplotlib bundles (with a generic sans-serif fallback named in the SVG).

Values from documents (service names, severity ids) reach matplotlib only as text, which
it writes as XML-escaped ``<text>`` (``svg.fonttype = "none"``); mathtext is off
(``text.parse_math = False``), so a ``$`` in a name is just a dollar sign. The SVGs are
meant to be shown with ``<img>``, where no script in them would run anyway.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from incident_kb.figures.budgets import BudgetWindow
from incident_kb.figures.response import Stat, TimeMetric
from incident_kb.figures.trends import MonthlyCounts

#: Severity colours by policy rank, as in ``assets/incident-kb.css`` (rank 4 and unknown last).
SEVERITY_COLOURS = ("#c62828", "#e65100", "#f9a825", "#1565c0", "#546e7a")
STATUS_COLOURS = {"ok": "#2e7d32", "warning": "#e65100", "freeze": "#c62828"}
METRIC_COLOURS: dict[str, str] = {
    "ttd": "#1565c0",
    "tta": "#6a1b9a",
    "ttm": "#e65100",
    "ttr": "#c62828",
}
FIGSIZE = (8.0, 3.6)
GAUGE_FIGSIZE = (8.0, 2.0)


@dataclass(frozen=True)
class Palette:
    """Text, axis and grid colours of one of Material's colour schemes."""

    scheme: str
    text: str
    muted: str
    grid: str
    neutral: str


#: Material's ``--md-default-fg-color`` family for the default and slate schemes.
LIGHT = Palette("default", "#000000de", "#0000008a", "#00000021", "#546e7a")
DARK = Palette("slate", "#e8ebfcd1", "#e8ebfc8f", "#e8ebfc2e", "#90a4ae")


@dataclass(frozen=True)
class Chart:
    """One chart in both schemes. ``name`` is a file-name stem: the caller writes
    ``charts/<name>-light.svg`` and ``charts/<name>-dark.svg``."""

    name: str
    title: str
    alt: str
    light_svg: str
    dark_svg: str

    def files(self) -> dict[str, str]:
        """File names (under ``charts/``) and their SVG text."""
        return {f"{self.name}-light.svg": self.light_svg, f"{self.name}-dark.svg": self.dark_svg}


_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def chart_name(*parts: str) -> str:
    """A file-name stem from ``parts``: kept as is when every part is a lowercase slug,
    otherwise slugged with a short hash so that two different inputs never collide."""
    joined = "-".join(parts)
    if all(_SAFE_NAME.fullmatch(p) for p in parts):
        return joined
    slug = re.sub(r"[^a-z0-9]+", "-", joined.lower()).strip("-")[:40] or "chart"
    return f"{slug}-{hashlib.sha256(joined.encode()).hexdigest()[:10]}"


def severity_colour(rank: int | None) -> str:
    """The badge colour of a severity of this policy rank (unknown: the last)."""
    if rank is None:
        return SEVERITY_COLOURS[-1]
    return SEVERITY_COLOURS[max(0, min(rank, len(SEVERITY_COLOURS) - 1))]


@contextmanager
def _style(palette: Palette) -> Iterator[None]:
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "incident-kb",
            "svg.fonttype": "none",
            "text.parse_math": False,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "font.size": 9.0,
            "axes.titlesize": 11.0,
            "axes.labelsize": 9.0,
            "text.color": palette.text,
            "axes.labelcolor": palette.text,
            "axes.edgecolor": palette.muted,
            "xtick.color": palette.muted,
            "ytick.color": palette.muted,
            "xtick.labelcolor": palette.text,
            "ytick.labelcolor": palette.text,
            "grid.color": palette.grid,
            "legend.frameon": False,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.facecolor": "none",
            "savefig.edgecolor": "none",
        }
    ):
        yield


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _figure(size: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_axisbelow(True)
    return fig, ax


def _labels(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _both(draw: Any) -> tuple[str, str]:
    out = []
    for palette in (LIGHT, DARK):
        with _style(palette):
            out.append(_svg(draw(palette)))
    return out[0], out[1]


# -- the charts ---------------------------------------------------------------------------


def _trend(counts: Mapping[str, Mapping[str, int]], title: str, ranks: Mapping[str, int]) -> Figure:
    fig, ax = _figure()
    quarters = list(counts)
    severities: list[str] = list(dict.fromkeys(s for q in quarters for s in counts[q]))
    bottoms = [0] * len(quarters)
    positions = list(range(len(quarters)))
    for severity in severities:
        heights = [counts[q].get(severity, 0) for q in quarters]
        ax.bar(
            positions,
            heights,
            bottom=bottoms,
            width=0.7,
            color=severity_colour(ranks.get(severity)),
            label=severity,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_xticks(positions, quarters, rotation=45 if len(quarters) > 8 else 0)
    ax.set_ylim(0, max([*bottoms, 1]) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y")
    _labels(ax, title, "Quarter (UTC start)", "Incidents")
    if severities:
        ax.legend(title="Severity", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def trend_chart(
    counts: Mapping[str, Mapping[str, int]],
    title: str,
    *,
    name: str,
    ranks: Mapping[str, int] | None = None,
    alt: str | None = None,
) -> Chart:
    """``counts``: quarter -> severity -> incidents, oldest quarter first."""
    light, dark = _both(lambda _p: _trend(counts, title, ranks or {}))
    return Chart(name, title, alt or f"{title}: stacked bars by severity", light, dark)


def _sev1(monthly: MonthlyCounts, title: str, palette: Palette) -> Figure:
    fig, ax = _figure()
    months = list(monthly.counts)
    positions = list(range(len(months)))
    colours = [
        SEVERITY_COLOURS[0] if m in monthly.flagged else palette.neutral for m in monthly.counts
    ]
    ax.bar(positions, list(monthly.counts.values()), width=0.7, color=colours)
    ax.axhline(
        monthly.flag_above,
        color=SEVERITY_COLOURS[0],
        linestyle="--",
        linewidth=1,
        label=f"flagged above {monthly.flag_above}",
    )
    ax.set_xticks(positions, months, rotation=45)
    ax.set_ylim(0, max([*monthly.counts.values(), monthly.flag_above, 1]) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y")
    _labels(ax, title, "Month (UTC start)", f"{monthly.level} incidents")
    ax.legend(loc="upper left")
    return fig


def sev1_chart(monthly: MonthlyCounts, title: str, *, name: str, alt: str | None = None) -> Chart:
    """Bars per month; months above the flag threshold in the most severe colour."""
    light, dark = _both(lambda p: _sev1(monthly, title, p))
    return Chart(name, title, alt or f"{title}: bars per month", light, dark)


#: How far the gauge's axis reaches at least (percent of the budget).
GAUGE_MIN_SPAN = 120.0


def _gauge(
    window: BudgetWindow, title: str, warn_pct: float | None, freeze_pct: float | None
) -> Figure:
    fig, ax = _figure(GAUGE_FIGSIZE)
    pct = window.pct_consumed
    marks = [m for m in (warn_pct, freeze_pct) if m is not None]
    finite = pct if math.isfinite(pct) else GAUGE_MIN_SPAN
    span = max(GAUGE_MIN_SPAN, finite * 1.1, *(m * 1.1 for m in marks))
    ax.barh([0], [span], height=0.5, color=STATUS_COLOURS["ok"], alpha=0.15)
    ax.barh([0], [finite], height=0.5, color=STATUS_COLOURS[window.status])
    for mark, label in ((warn_pct, "warning"), (freeze_pct, "freeze")):
        if mark is None:
            continue
        colour = STATUS_COLOURS["warning" if label == "warning" else "freeze"]
        ax.axvline(mark, color=colour, linestyle="--", linewidth=1.2)
        ax.annotate(
            f"{label} {mark:g}%",
            (mark, 0.3),
            xytext=(3, 0),
            textcoords="offset points",
            color=colour,
            fontsize=8,
            va="bottom",
        )
    shown = f"{pct:.0f}%" if math.isfinite(pct) else "zero budget, consumed"
    ax.annotate(
        f"{shown} ({window.status})",
        (finite, 0),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=9,
    )
    ax.set_xlim(0, span)
    ax.set_ylim(-0.6, 0.9)
    ax.set_yticks([0], [f"{window.start} to {window.last_day}"])
    ax.grid(axis="x")
    _labels(ax, title, "Error budget consumed (% of the window's budget)", "Window")
    return fig


def budget_gauge(
    window: BudgetWindow,
    title: str,
    *,
    name: str,
    warn_pct: float | None = None,
    freeze_pct: float | None = None,
    alt: str | None = None,
) -> Chart:
    """A horizontal bar: percent of the window's budget consumed, coloured by status, with
    dashed marks at the policy's warning and freeze thresholds."""
    light, dark = _both(lambda _p: _gauge(window, title, warn_pct, freeze_pct))
    return Chart(name, title, alt or f"{title}: a gauge of budget consumed", light, dark)


def _mttx(
    stats: Mapping[TimeMetric, Mapping[str, Stat]], title: str, metrics: Sequence[TimeMetric]
) -> Figure:
    fig, ax = _figure()
    quarters: list[str] = list(dict.fromkeys(q for m in metrics for q in stats.get(m, {})))
    positions = list(range(len(quarters)))
    for metric in metrics:
        by_quarter = stats.get(metric, {})
        values = [
            s.mean if (s := by_quarter.get(q)) is not None and s.mean is not None else math.nan
            for q in quarters
        ]
        ax.plot(
            positions,
            values,
            marker="o",
            color=METRIC_COLOURS.get(metric, "#546e7a"),
            label=f"M{metric.upper()}",
        )
    ax.set_xticks(positions, quarters, rotation=45 if len(quarters) > 8 else 0)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y")
    _labels(ax, title, "Quarter (UTC start)", "Mean minutes")
    if metrics:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def mttx_chart(
    stats: Mapping[TimeMetric, Mapping[str, Stat]],
    title: str,
    *,
    name: str,
    metrics: Sequence[TimeMetric] = ("ttd", "tta", "ttm", "ttr"),
    alt: str | None = None,
) -> Chart:
    """Lines of mean minutes per quarter, one per metric; a quarter without a figure is a
    gap, not a zero."""
    light, dark = _both(lambda _p: _mttx(stats, title, metrics))
    return Chart(name, title, alt or f"{title}: mean minutes per quarter", light, dark)
