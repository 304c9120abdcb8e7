"""Charts for the PDF and control limits of run charts.

A chart in the PDF is drawn so that WeasyPrint lays out nothing letter by letter: the marks (grid,
lines, points, control limits) are an SVG **without text**, and every word and number (title, tick
labels, month labels, legend) is ordinary HTML text around or over it, laid out like the rest of
the page. Bar charts are horizontal bars in an HTML table (category names of any length stay
readable, no rotated labels); the per-department run charts of a channel are one table of
sparklines on a common scale (one row per department, the figures beside the line) instead of a
dozen small charts with axes of their own. The workbook draws every chart as a native Excel chart
from the same ``Chart`` (``reports.excel``).

Run charts use a **p-chart** when the numerator and denominator of every point are known (a rate
of patients: satisfied ÷ valid questionnaires, followed-up ÷ discharged stays): centre
p̄ = Σx ÷ Σn over the plotted months, limits p̄ ± 3·√(p̄(1−p̄)/nᵢ) per month, clipped to 0–100 %.
When only the rates are known the chart is an **XmR** (individuals) chart: centre = mean of the
points, limits = mean ± 2.66 × mean moving range. A point above the upper or below the lower
limit is marked in red.
"""

from __future__ import annotations

import itertools
import math
from html import escape

from django.utils.translation import gettext as _

from .content import Chart, RunLimits, fmt_num, fmt_pct

PALETTE = ["#0b5e7a", "#e07a1f", "#3c9d5d", "#b02a37", "#6f42c1", "#20a4b8", "#c9a227", "#5a6b7b"]
OUTSIDE_COLOUR = "#d62828"


def p_chart(numerators: list[int | None], denominators: list[int | None]) -> RunLimits | None:
    pairs = [(x, n) for x, n in zip(numerators, denominators, strict=True) if n]
    total_n = sum(n for _x, n in pairs)
    if not total_n:
        return None
    p = sum(x or 0 for x, _n in pairs) / total_n
    upper: list[float | None] = []
    lower: list[float | None] = []
    outside: list[bool] = []
    for x, n in zip(numerators, denominators, strict=True):
        if not n:
            upper.append(None)
            lower.append(None)
            outside.append(False)
            continue
        sigma = math.sqrt(p * (1 - p) / n)
        ucl, lcl = min(1.0, p + 3 * sigma), max(0.0, p - 3 * sigma)
        upper.append(100 * ucl)
        lower.append(100 * lcl)
        value = (x or 0) / n
        outside.append(value > ucl + 1e-12 or value < lcl - 1e-12)
    return RunLimits(method="p", centre=100 * p, upper=upper, lower=lower, outside=outside)


def xmr_chart(values: list[float | None], *, share: bool = False) -> RunLimits | None:
    """Individuals (XmR) limits: mean ± 2.66 × the mean moving range. For a share (a percentage,
    ``share=True``) the limits are kept within 0–100 %: a satisfaction rate cannot exceed 100 %, so
    a limit of 120 % would only stretch the chart; a point can still fall outside the clamped
    limits below."""
    points = [v for v in values if v is not None]
    if len(points) < 2:
        return None
    mean = sum(points) / len(points)
    ranges = [abs(b - a) for a, b in itertools.pairwise(points)]
    mr = sum(ranges) / len(ranges)
    ucl, lcl = mean + 2.66 * mr, mean - 2.66 * mr
    if share:
        ucl, lcl = min(100.0, ucl), max(0.0, lcl)
    return RunLimits(
        method="xmr",
        centre=mean,
        upper=[ucl if v is not None else None for v in values],
        lower=[lcl if v is not None else None for v in values],
        outside=[v is not None and (v > ucl + 1e-9 or v < lcl - 1e-9) for v in values],
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    fraction = value / 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if fraction <= step:
            return step * 10**exponent
    return 10 ** (exponent + 1)


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _value_text(value: float | None, percent: bool) -> str:
    if value is None:
        return "—"
    return _num(value) + ("%" if percent else "")


def _figure(value: float | None, percent: bool) -> str:
    """A figure beside a chart, as in the tables: a rate with the hospital's decimals, else one."""
    return fmt_pct(value) if percent else fmt_num(value)


def _values(chart: Chart) -> list[float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.limits:
        values += [v for v in chart.limits.upper if v is not None]
        values += [v for v in chart.limits.lower if v is not None]
    return values


def _scale(chart: Chart, values: list[float]) -> tuple[float, float]:
    """The y range: from 0 to a round maximum; a run chart zooms in on its points (10-point bounds)."""
    low, high = 0.0, _nice_max(max(values) if values else 1)
    if chart.percent and max(values or [0]) <= 100:
        high = min(high, 100.0)
    if chart.kind == "run" and values:
        low = max(0.0, math.floor(min(values) / 10) * 10)
        high = max(low + 10, math.ceil(max(values) / 10) * 10)
    if not chart.percent and values and all(float(v).is_integer() for v in values):
        high = max(5, math.ceil(high / 5) * 5)  # counts: whole-number ticks
    return low, max(high, low + 1)


def _tick_step(span: float, *, whole: bool, most: int = 6) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) giving at most ``most`` intervals; whole numbers for counts."""
    magnitude = 10 ** math.floor(math.log10(span / most)) if span > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        step = m * magnitude
        if whole and (step < 1 or not float(step).is_integer()):
            continue
        if span / step <= most + 1e-9:
            return step
    return 10 * magnitude


def _legend(items: list[tuple[str, str]]) -> str:
    keys = "".join(
        f'<span class="key"><span class="swatch" style="background: {colour}"></span>{escape(name)}</span>'
        for name, colour in items
    )
    return f'<p class="legend">{keys}</p>'


def _runs(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """The runs of consecutive values that are not None, each as (index, value) pairs."""
    runs: list[list[tuple[int, float]]] = []
    previous = None
    for i, v in enumerate(values):
        if v is None:
            continue
        if previous != i - 1 or not runs:
            runs.append([])
        runs[-1].append((i, v))
        previous = i
    return runs


def _marks(chart: Chart, x_of, y_of, *, width: float, dot: float) -> list[str]:
    """The SVG marks of a line or run chart: series lines and points, centre line, control limits."""
    out = []
    for si, series in enumerate(chart.series):
        colour = PALETTE[si % len(PALETTE)]
        # One line per run of consecutive months with a value: a month without data is a gap, never
        # a line drawn across it (April joined to August would show a trend nobody measured).
        for run in _runs(series.values):
            if len(run) > 1:
                path = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in run)
                out.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>'
                )
        # all points of a series in one path (a dot = a zero-length round-capped line)
        normal, flagged = [], []
        for i, v in enumerate(series.values):
            if v is None:
                continue
            outside = bool(chart.limits and si == 0 and chart.limits.outside[i])
            (flagged if outside else normal).append(f"M{x_of(i):.1f} {y_of(v):.1f}h0")
        if normal:
            out.append(
                f'<path d="{"".join(normal)}" stroke="{colour}" stroke-width="{dot}" '
                'stroke-linecap="round" fill="none"/>'
            )
        if flagged:
            out.append(
                f'<path class="outside" d="{"".join(flagged)}" stroke="{OUTSIDE_COLOUR}" '
                f'stroke-width="{dot + 2}" stroke-linecap="round" fill="none"/>'
            )
    if chart.limits:
        lim = chart.limits
        cy = y_of(lim.centre)
        out.append(
            f'<line x1="{x_of(-0.5):.1f}" y1="{cy:.1f}" x2="{x_of(len(chart.labels) - 0.5):.1f}" y2="{cy:.1f}" '
            'stroke="#3c9d5d" stroke-dasharray="4 2"/>'
        )
        # Both limits in one path, a step per month (they vary with n in a p-chart), gaps kept: a
        # horizontal line per month and a vertical one where the limit changes, so an XmR chart's
        # constant limits are two segments, not two points a month (WeasyPrint parses every point).
        steps = []
        for bound in (lim.upper, lim.lower):
            for run in _runs(bound):
                last = None
                for i, v in run:
                    y = f"{y_of(v):.1f}"
                    if last is None:
                        steps.append(f"M{x_of(i - 0.5):.1f} {y}")
                    elif y != last:
                        steps.append(f"V{y}")
                    steps.append(f"H{x_of(i + 0.5):.1f}")
                    last = y
        if steps:
            # consecutive H commands of one level merge into the last
            d = "".join(_merge_h(steps))
            out.append(f'<path class="limits" d="{d}" fill="none" stroke="#b02a37" stroke-dasharray="3 2"/>')
    return out


def _merge_h(steps: list[str]) -> list[str]:
    merged: list[str] = []
    for step in steps:
        if step.startswith("H") and merged and merged[-1].startswith("H"):
            merged[-1] = step
        else:
            merged.append(step)
    return merged


def _limit_legend(chart: Chart) -> list[tuple[str, str]]:
    if not chart.limits:
        return []
    return [
        (_("Mean"), "#3c9d5d"),
        (_("Control limits"), "#b02a37"),
        (_("Outside the limits"), OUTSIDE_COLOUR),
    ]


# Geometry of a line or run chart, in CSS px (the A4 text column is ~670 px wide).
WIDTH, PLOT_HEIGHT, LEFT, RIGHT, TOP, LABELS = 640, 170, 48, 10, 8, 16


def _line_chart(chart: Chart) -> str:
    """A line or run chart: SVG marks without text, tick and month labels as positioned HTML."""
    low, high = _scale(chart, _values(chart))
    plot_w = WIDTH - LEFT - RIGHT
    n = max(1, len(chart.labels))
    slot = plot_w / n

    def x_of(i: float) -> float:
        return LEFT + slot * (i + 0.5)

    def y_of(v: float) -> float:
        return TOP + PLOT_HEIGHT - (v - low) / (high - low) * PLOT_HEIGHT

    step = _tick_step(high - low, whole=not chart.percent)
    ticks = math.ceil((high - low) / step - 1e-9)
    high = low + ticks * step
    bottom = TOP + PLOT_HEIGHT
    grid = "".join(
        f"M{LEFT} {y_of(low + (high - low) * i / ticks):.1f}H{LEFT + plot_w}" for i in range(ticks + 1)
    )
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{bottom + 1}" '
        f'viewBox="0 0 {WIDTH} {bottom + 1}">',
        f'<path d="{grid}" stroke="#ddd" fill="none"/>',
        f'<path d="M{LEFT} {TOP}V{bottom}H{LEFT + plot_w}" stroke="#333" fill="none"/>',
        *_marks(chart, x_of, y_of, width=1.5, dot=5),
        "</svg>",
    ]
    labels = []
    for i in range(ticks + 1):
        v = low + (high - low) * i / ticks
        labels.append(
            f'<span class="tick" style="top: {y_of(v) - 7:.1f}px; width: {LEFT - 5}px">'
            f"{_value_text(v, chart.percent)}</span>"
        )
    # month labels: every one when they fit (≥ 40 px each), else every second or third, always the last
    step = 1 if slot >= 40 else (2 if slot >= 20 else 3)
    for i, label in enumerate(chart.labels):
        if (n - 1 - i) % step:
            continue
        w = slot * step
        labels.append(
            f'<span class="xlabel" style="left: {x_of(i) - w / 2:.1f}px; top: {bottom + 2}px; width: {w:.1f}px">'
            f"{escape(label)}</span>"
        )
    unit = ""
    if chart.y_label and chart.y_label != "%" and chart.y_label not in {s.name for s in chart.series}:
        unit = f'<span class="unit">{escape(chart.y_label)}</span>'
    legend = [(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)] + _limit_legend(chart)
    return (
        f'<figure class="chart"><figcaption>{escape(chart.title)}</figcaption>'
        f'<div class="plot" style="height: {bottom + LABELS}px">{"".join(svg)}{unit}{"".join(labels)}</div>'
        f"{_legend(legend)}</figure>"
    )


def bar_high(chart: Chart, values: list[float]) -> float:
    """The value of a full-length bar: 100 % for shares, else a round number above the largest."""
    return 100.0 if chart.percent and max(values or [0]) <= 100 else _nice_max(max(values or [1]))


def _bar_chart(chart: Chart) -> str:
    """Horizontal bars in an HTML table: one row per label, one bar and its value per series."""
    high = bar_high(chart, _values(chart))
    rows = []
    for i, label in enumerate(chart.labels):
        bars = []
        for si, series in enumerate(chart.series):
            v = series.values[i] if i < len(series.values) else None
            width = 0.0 if v is None else max(0.0, min(1.0, v / high)) * 82
            bars.append(
                f'<span class="bar"><span class="fill" style="width: {width:.1f}%; '
                f'background: {PALETTE[si % len(PALETTE)]}"></span>'
                f'<span class="value">{_figure(v, chart.percent) if chart.percent else _value_text(v, False)}</span></span>'
            )
        rows.append(f"<tr><th>{escape(label)}</th><td>{''.join(bars)}</td></tr>")
    legend = ""
    if len(chart.series) > 1:
        legend = _legend([(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)])
    return (
        f'<figure class="chart"><figcaption>{escape(chart.title)}</figcaption>'
        f'<table class="bars">{"".join(rows)}</table>{legend}</figure>'
    )


def render_chart(chart: Chart) -> str:
    """One chart of the PDF as HTML (see the module's docstring)."""
    if chart.kind == "bar":
        return _bar_chart(chart)
    return _line_chart(chart)


SPARK_WIDTH, SPARK_HEIGHT = 300, 34


def render_small_multiples(title: str, charts: list[Chart], note: str = "") -> str:
    """Run charts of several departments as one table: a sparkline per department on a common
    scale (stated in the header), with the latest value, the centre line and the months outside
    the control limits beside it; ``note`` under the title (in the caption, so it never ends up
    alone on the next page)."""
    # The common scale fits the departments' points; limits beyond it are drawn at its edge.
    values = [v for c in charts for s in c.series for v in s.values if v is not None]
    low, high = _scale(charts[0], values)
    percent = charts[0].percent
    labels = charts[0].labels
    n = max(1, len(labels))
    slot = SPARK_WIDTH / n

    def x_of(i: float) -> float:
        return slot * (i + 0.5)

    def y_of(v: float) -> float:
        return 2 + (SPARK_HEIGHT - 4) * (1 - (min(max(v, low), high) - low) / (high - low))

    rows = []
    for chart in charts:
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
            f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">{"".join(_marks(chart, x_of, y_of, width=1, dot=3))}</svg>'
        )
        series = chart.series[0].values
        latest = next((v for v in reversed(series) if v is not None), None)
        outside = sum(chart.limits.outside) if chart.limits else None
        rows.append(
            f"<tr><td>{escape(chart.name or chart.title)}</td><td>{svg}</td>"
            f'<td class="num">{_figure(latest, percent)}</td>'
            f'<td class="num">{_figure(chart.limits.centre if chart.limits else None, percent)}</td>'
            f'<td class="num">{"—" if outside is None else outside}</td></tr>'
        )
    period = f"{labels[0]} ~ {labels[-1]}" if labels else ""
    head = [
        _("Department"),
        _("%(period)s, scale %(low)s – %(high)s")
        % {"period": period, "low": _value_text(low, percent), "high": _value_text(high, percent)},
        _("Latest month"),
        _("Centre line"),
        _("Months outside the limits"),
    ]
    widths = ["20%", "50%", "10%", "10%", "10%"]
    return (
        f'<div class="multiples"><table class="data sparklines"><caption>{escape(title)}'
        + (f'<br/><span class="note">{escape(note)}</span>' if note else "")
        + "</caption><colgroup>"
        + "".join(f'<col style="width: {w}"/>' for w in widths)
        + "</colgroup><thead><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + _legend([(charts[0].series[0].name, PALETTE[0]), *_limit_legend(charts[0])])
        + "</div>"
    )
