"""A month without data is a gap in every monthly chart: the PDF's line and run charts and their
sparklines draw one line per run of months with a value, never a line across the empty months."""

from __future__ import annotations

import re

from reports.charts import PALETTE, render_chart, render_small_multiples, xmr_chart
from reports.content import Chart, Series

MONTHS = [f"2026-{m:02d}" for m in range(1, 9)]
# April to August: May, June and July have no questionnaire.
WITH_GAP = [88.0, 90.0, 86.0, 91.0, None, None, None, 89.0]


def _lines(html: str, colour: str = PALETTE[0]) -> list[list[tuple[float, float]]]:
    """The series' polylines, each as its points."""
    found = re.findall(rf'<polyline points="([^"]+)" fill="none" stroke="{colour}"', html)
    return [[tuple(map(float, p.split(","))) for p in line.split()] for line in found]


def test_a_line_chart_with_missing_months_draws_two_segments_not_one_line_across_the_gap():
    values = [88.0, 90.0, 86.0, 91.0, None, None, None, 89.0]
    values[6] = 90.0  # July and August measured, May and June not
    html = render_chart(Chart("line", "满意度", MONTHS, [Series("满意度", values)], "%", True))
    assert [len(line) for line in _lines(html)] == [4, 2]


def test_a_run_chart_with_missing_months_draws_two_segments_and_breaks_its_limits_too():
    values = [88.0, 90.0, 86.0, 91.0, None, None, 89.0, 92.0]
    html = render_chart(
        Chart("run", "满意度", MONTHS, [Series("满意度", values)], "%", True, xmr_chart(values))
    )
    lines = _lines(html)
    assert [len(line) for line in lines] == [4, 2]
    assert lines[0][-1][0] < lines[1][0][0]  # April's point ends the first, July's starts the second
    # both limits are one path: a move (M) starts each piece, upper and lower before and after the gap
    limits = re.search(r'<path class="limits" d="([^"]+)"', html).group(1)
    assert limits.count("M") == 4


def test_a_single_month_after_a_gap_is_a_point_not_a_line_back_to_april():
    html = render_chart(Chart("line", "满意度", MONTHS, [Series("满意度", WITH_GAP)], "%", True))
    assert [len(line) for line in _lines(html)] == [4]  # January–April; August alone has no line to draw
    dots = re.search(rf'<path d="([^"]+)" stroke="{PALETTE[0]}"', html).group(1)
    assert dots.count("M") == 5  # but all five months with a value are marked


def test_sparklines_keep_the_gap():
    charts = [
        Chart("run", "满意度", MONTHS, [Series("满意度", v)], "%", True, xmr_chart(v), compact=True, name=n)
        for n, v in (("内科", [80.0, 82.0, None, 85.0, 86.0, None, 84.0, 83.0]), ("外科", [70.0] * 8))
    ]
    table = render_small_multiples("各科室每月满意度", charts)
    rows = table.split("<tr><td>")[1:]
    assert len(_lines(rows[0])) == 3 and len(_lines(rows[1])) == 1
