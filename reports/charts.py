"""Vector charts for the PDF (SVG drawn here, no plotting library) and control limits of run charts.

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

from .content import Chart, RunLimits

FONT = "Noto Sans CJK SC"
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
        upper.append(round(100 * ucl, 2))
        lower.append(round(100 * lcl, 2))
        value = (x or 0) / n
        outside.append(value > ucl + 1e-12 or value < lcl - 1e-12)
    return RunLimits(method="p", centre=round(100 * p, 2), upper=upper, lower=lower, outside=outside)


def xmr_chart(values: list[float | None]) -> RunLimits | None:
    points = [v for v in values if v is not None]
    if len(points) < 2:
        return None
    mean = sum(points) / len(points)
    ranges = [abs(b - a) for a, b in itertools.pairwise(points)]
    mr = sum(ranges) / len(ranges)
    ucl, lcl = mean + 2.66 * mr, mean - 2.66 * mr
    return RunLimits(
        method="xmr",
        centre=round(mean, 2),
        upper=[round(ucl, 2) if v is not None else None for v in values],
        lower=[round(lcl, 2) if v is not None else None for v in values],
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


def _text(x, y, content, *, size=9, anchor="middle", colour="#333", extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{colour}"{extra}>{escape(str(content))}</text>'
    )


def render_svg(chart: Chart, *, width: int = 640, height: int = 260) -> str:
    """One chart as an inline SVG (axes, ticks, axis labels, legend, values).

    A compact chart (a small multiple) is half as wide, has three y ticks, every third month
    labelled and no legend, which keeps a report with dozens of run charts fast to lay out.
    """
    if chart.compact:
        width, height = 320, 170
    left, right, top, bottom = 56, 16, 28, (34 if chart.compact else 64)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.limits:
        values += [v for v in chart.limits.upper if v is not None]
        values += [v for v in chart.limits.lower if v is not None]
    low = 0.0
    high = _nice_max(max(values) if values else 1)
    if chart.percent:
        high = min(high, 100.0) if max(values or [0]) <= 100 else high
    if chart.kind == "run" and values:
        # a run chart zooms in on its points: round 10-point bounds, ticks on whole numbers
        low = max(0.0, math.floor(min(values) / 10) * 10)
        high = math.ceil(max(values) / 10) * 10
        if high - low < 10:
            high = low + 10
    if high <= low:
        high = low + 1
    if not chart.percent and values and all(float(v).is_integer() for v in values):
        high = max(5, math.ceil(high / 5) * 5)  # counts: whole-number ticks
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        _text(width / 2, 16, chart.title, size=9 if chart.compact else 11, colour="#000"),
    ]

    def y_of(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    # y axis, grid and ticks
    ticks = 2 if chart.compact else 5
    if chart.kind == "run" and not chart.compact and (high - low) % 5 == 0 and (high - low) // 5 <= 10:
        ticks = int((high - low) // 5) if (high - low) <= 50 else ticks
    grid = []
    for i in range(ticks + 1):
        v = low + (high - low) * i / ticks
        y = y_of(v)
        grid.append(f"M{left} {y:.1f}H{left + plot_w}")
        out.append(_text(left - 4, y + 3, _num(v) + ("%" if chart.percent else ""), size=8, anchor="end"))
    out.append(f'<path d="{"".join(grid)}" stroke="#ddd" fill="none"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>')
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>'
    )
    if chart.y_label:
        out.append(
            _text(
                12,
                top + plot_h / 2,
                chart.y_label,
                size=9,
                extra=f' transform="rotate(-90 12 {top + plot_h / 2:.1f})"',
            )
        )
    n = max(1, len(chart.labels))
    slot = plot_w / n
    rotate = (n > 8 and not chart.compact) or max((len(lbl) for lbl in chart.labels), default=0) * n > 60
    step = 3 if chart.compact and n > 6 else 1
    for i, label in enumerate(chart.labels):
        if (n - 1 - i) % step:
            continue
        x = left + slot * (i + 0.5)
        y = top + plot_h + 12
        if rotate:
            out.append(
                _text(x, y, label, size=8, anchor="end", extra=f' transform="rotate(-40 {x:.1f} {y:.1f})"')
            )
        else:
            out.append(_text(x, y, label, size=8))
    if chart.kind == "bar":
        k = max(1, len(chart.series))
        bar_w = min(slot * 0.8 / k, 48)
        for si, series in enumerate(chart.series):
            colour = PALETTE[si % len(PALETTE)]
            for i, v in enumerate(series.values):
                if v is None:
                    continue
                x = left + slot * i + slot * 0.1 + bar_w * si
                y = y_of(v)
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{top + plot_h - y:.1f}" fill="{colour}"/>'
                )
                if n * k <= 24:
                    out.append(_text(x + bar_w / 2, y - 2, _num(v), size=7))
    else:
        for si, series in enumerate(chart.series):
            colour = PALETTE[si % len(PALETTE)]
            points = [
                (left + slot * (i + 0.5), y_of(v)) for i, v in enumerate(series.values) if v is not None
            ]
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            # all markers of a series in one path (a dot = a zero-length round-capped line)
            normal, flagged = [], []
            for i, v in enumerate(series.values):
                if v is None:
                    continue
                x, y = left + slot * (i + 0.5), y_of(v)
                outside = bool(chart.limits and si == 0 and chart.limits.outside[i])
                (flagged if outside else normal).append(f"M{x:.1f} {y:.1f}h0")
            if normal:
                out.append(
                    f'<path d="{"".join(normal)}" stroke="{colour}" stroke-width="5" stroke-linecap="round" fill="none"/>'
                )
            if flagged:
                out.append(
                    f'<path class="outside" d="{"".join(flagged)}" stroke="{OUTSIDE_COLOUR}" stroke-width="7" '
                    'stroke-linecap="round" fill="none"/>'
                )
        if chart.limits:
            lim = chart.limits
            cy = y_of(lim.centre)
            out.append(
                f'<line x1="{left}" y1="{cy:.1f}" x2="{left + plot_w}" y2="{cy:.1f}" stroke="#3c9d5d" stroke-dasharray="4 2"/>'
            )
            for bound in (lim.upper, lim.lower):
                pts = []
                for i, v in enumerate(bound):
                    if v is None:
                        continue
                    x0, x1 = left + slot * i, left + slot * (i + 1)
                    pts += [f"{x0:.1f},{y_of(v):.1f}", f"{x1:.1f},{y_of(v):.1f}"]
                if pts:
                    out.append(
                        f'<polyline points="{" ".join(pts)}" fill="none" stroke="#b02a37" stroke-dasharray="3 2"/>'
                    )
    if chart.compact:
        out.append("</svg>")
        return "".join(out)
    # legend
    legend = [(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)]
    if chart.limits:
        legend += [
            (_("Mean"), "#3c9d5d"),
            (_("Control limits"), "#b02a37"),
            (_("Outside the limits"), OUTSIDE_COLOUR),
        ]
    x = left
    y = height - 8
    for name, colour in legend:
        out.append(f'<rect x="{x:.1f}" y="{y - 7:.1f}" width="8" height="8" fill="{colour}"/>')
        out.append(_text(x + 11, y, name, size=8, anchor="start"))
        x += 20 + 9 * len(name)
    out.append("</svg>")
    return "".join(out)
