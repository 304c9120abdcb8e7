"""Charts in the PDF: SVG pictures (vector, text kept as text) with their titles set as HTML text."""

from __future__ import annotations

import base64
import datetime as dt
import re

from reports.builders import build_content
from reports.charts import render_svg
from reports.content import Chart, Series
from reports.pdf import render_html, render_pdf

from .conftest import OCT
from .helpers import flat, pdf_text

TODAY = dt.date(2026, 11, 23)


def test_charts_are_svg_images_with_their_title_as_a_caption(seeded):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    charts = [c for s in content.sections for c in s.charts]
    assert charts
    html = render_html(content)
    assert "<svg" not in html  # no inline SVG: it would go through the HTML parser and the cascade
    figures = re.findall(
        r'<figcaption>([^<]*)</figcaption><img src="data:image/svg\+xml;base64,([^"]+)"', html
    )
    assert [title for title, _svg in figures] == [c.title for c in charts]
    for (title, encoded), chart in zip(figures, charts, strict=True):
        svg = base64.b64decode(encoded).decode()
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert f">{title}</text>" not in svg  # drawn once, as the caption
        assert all(label in svg for label in chart.labels[-1:])  # the axis keeps its labels


def test_a_chart_without_its_title_is_shorter_by_the_title_band():
    chart = Chart("bar", "问题分类统计", ["服务态度", "工作纪律"], [Series("问题数", [3, 2])])
    with_title, without = render_svg(chart), render_svg(chart, title=False)
    assert ">问题分类统计</text>" in with_title and ">问题分类统计</text>" not in without
    assert 'height="260"' in with_title and 'height="242"' in without
    assert ">服务态度</text>" in without and ">3</text>" in without


def test_chart_titles_and_the_svg_text_are_extractable_from_the_pdf(seeded, tmp_path, need_poppler):
    path = tmp_path / "m.pdf"
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    render_pdf(content, path)
    text = flat(pdf_text(path))
    run = next(c for s in content.sections for c in s.charts if c.kind in ("run", "line"))
    assert flat(run.title) in text  # the caption (HTML text)
    assert run.labels[-1] in text  # an axis label drawn inside the SVG picture
