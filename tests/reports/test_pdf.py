"""The PDF: A4, CJK font embedded, Chinese text extractable, header/footer, TOC in the annual summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings

from reports.builders import build_content
from reports.charts import p_chart, render_chart, xmr_chart
from reports.content import Chart, Series
from reports.pdf import charts_html, css_string, render_html, render_pdf

from .conftest import OCT
from .helpers import flat, pdf_fonts, pdf_info, pdf_text

TODAY = dt.date(2026, 11, 23)


def test_pdf_embeds_a_cjk_font_and_the_chinese_text_is_extractable(seeded, tmp_path, need_poppler):
    path = tmp_path / "m.pdf"
    render_pdf(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY), path)
    assert path.read_bytes().startswith(b"%PDF")
    fonts = pdf_fonts(path)
    cjk = [f for f in fonts if "CJK" in f["name"]]
    assert cjk, fonts
    assert all(f["emb"] == "yes" for f in fonts), fonts
    text = flat(pdf_text(path))
    assert "2026年10月月报" in text
    assert "问题分类统计" in text and "服务态度" in text


@override_settings(HOSPITAL_NAME="示范人民医院")
def test_pdf_has_header_footer_with_hospital_period_and_page_numbers(seeded, tmp_path, need_poppler):
    path = tmp_path / "m.pdf"
    render_pdf(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY), path)
    text = pdf_text(path)
    pages = text.split("\f")
    total = len([p for p in pages if p.strip()])
    assert total >= 3
    second = flat(pages[1])
    assert "示范人民医院" in second
    assert "2026-10-01~2026-10-31" in second
    assert f"第2页，共{total}页" in second


def test_pdf_is_a4(seeded, tmp_path, need_poppler):
    path = tmp_path / "m.pdf"
    render_pdf(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY), path)
    assert "(A4)" in pdf_info(path)["Page size"]


def test_annual_summary_has_a_table_of_contents_with_page_numbers(seeded, tmp_path, need_poppler):
    path = tmp_path / "a.pdf"
    render_pdf(
        build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY), path
    )
    pages = pdf_text(path, layout=False).split("\f")
    toc = pages[1]
    assert "目录" in toc
    # each entry ends with the page its section starts on
    entries = re.findall(r"^(\d+)\. (\S+) \.+(\d+)$", toc, flags=re.MULTILINE)
    assert len(entries) >= 6, toc
    for _n, title, page in entries:
        assert title in flat(pages[int(page) - 1])
    page = int(entries[0][2])
    assert "1.年度工作总结" in flat(pages[page - 1])
    summary = flat(pages[page - 1])  # the written summary's parts (the old summary sentences are gone)
    assert "一、工作开展情况" in summary and "二、工作成效" in summary
    assert (
        "各渠道共发现各类服务问题9起，其中服务态度问题3起，服务流程不规范问题2起，工作纪律问题2起" in summary
    )


def test_a_period_without_data_gives_a_clear_report_not_an_error(db, tmp_path, need_poppler):
    path = tmp_path / "empty.pdf"
    content = build_content(kind="annual", start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31), today=TODAY)
    render_pdf(content, path)
    text = flat(pdf_text(path))
    assert "本期未记录服务问题。" in text
    assert "本期无满意度调查数据。" in text
    assert not re.search(r"(?<![\d.])0\.0%", text)  # no rate pretends to be a figure


@override_settings(HOSPITAL_NAME="示范人民医院")
def test_page_header_and_footer_are_one_line_each_with_hospital_title_scope_period_and_page(
    seeded, tmp_path, need_poppler
):
    """Two page-margin boxes, not four: WeasyPrint lays every box out on every page."""
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    style = render_html(content).split("<style>", 1)[1].split("</style>", 1)[0]
    assert set(re.findall(r"@(?:top|bottom)-(?:left|center|right)\b", style)) == {
        "@top-left",
        "@bottom-right",
    }
    path = tmp_path / "m.pdf"
    render_pdf(content, path)
    lines = [flat(line) for line in pdf_text(path).split("\f")[1].splitlines() if line.strip()]
    assert lines[0] == f"示范人民医院·{flat(content.title)}·{flat(content.scope_label)}"
    assert lines[-1].startswith("2026-10-01~2026-10-31·第2页，共")


def test_data_tables_draw_separate_half_borders_not_collapsed_ones(seeded):
    """Collapsed borders are resolved and drawn side by side for every cell (~6 % of a month's PDF);
    half a line per cell and per table edge looks the same."""
    style = render_html(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    rule = re.search(r"table\.data \{([^}]*)\}", style).group(1)
    assert "border-collapse: separate" in rule and "border-spacing: 0" in rule
    assert "collapse;" not in re.search(r"table\.bars \{([^}]*)\}", style).group(1)


def test_css_strings_cannot_break_out_of_the_margin_box():
    assert css_string('医院"} body{display:none') == '医院\\"} body{display:none'
    assert "\n" not in css_string("a\nb")


def test_html_has_no_placeholder_text(seeded):
    html = render_html(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    assert "Noto Sans CJK SC" in html
    assert "None" not in html and "XXX" not in html and "TODO" not in html


def _run_chart(values, **extra):
    return Chart(
        "run",
        "满意度",
        [f"2026-{m:02d}" for m in range(1, len(values) + 1)],
        [Series("满意度", values)],
        "%",
        True,
        xmr_chart(values),
        **extra,
    )


def test_chart_marks_points_outside_the_limits_and_words_its_labels_as_html_not_svg_text():
    values = [90.0, 91.0, 90.5, 91.2, 90.8, 90.3, 91.1, 90.6, 75.0, 90.9]
    limits = xmr_chart(values)
    # mean 89.14, mean moving range 40.4 / 9 = 4.49 → limits 77.2 – 101.1: only 75.0 is outside
    assert limits.outside == [False] * 8 + [True, False]
    html = render_chart(_run_chart(values))
    outside = re.search(r'<path class="outside" d="([^"]+)"', html)
    assert outside and outside.group(1).count("M") == 1  # one flagged point, drawn red
    assert "background: #d62828" in html  # and its legend swatch
    svg = html[html.index("<svg") : html.index("</svg>")]
    # WeasyPrint lays SVG text out letter by letter: the marks carry no text at all
    assert "<text" not in svg and "2026-09" not in svg
    assert "<figcaption>满意度</figcaption>" in html and ">2026-09</span>" in html and ">80%</span>" in html


def test_control_limits_of_a_share_stay_within_0_and_100_percent():
    # satisfaction swinging between 40 and 100 %: mean 73.75, mean moving range 380 / 7 = 54.29 →
    # 73.75 ± 144.4, limits of -70.7 % and 218.2 % unclamped; a share cannot leave 0–100 %
    values = [100.0, 40.0, 100.0, 50.0, 100.0, 40.0, 100.0, 60.0]
    unclamped = xmr_chart(values)
    assert max(unclamped.upper) > 100 and min(unclamped.lower) < 0
    limits = xmr_chart(values, share=True)
    assert all(0.0 <= v <= 100.0 for v in limits.upper + limits.lower)
    assert limits.upper[0] == 100.0 and limits.lower[0] == 0.0
    assert limits.outside == [False] * len(values)
    # p-chart limits of a share were already bounded
    p = p_chart([10, 1], [10, 10])
    assert all(0.0 <= v <= 100.0 for v in p.upper + p.lower)


def test_bar_chart_is_a_row_per_label_with_its_value():
    html = render_chart(
        Chart("bar", "问题分类", ["服务态度", "服务流程不规范"], [Series("问题数", [4, 1])], y_label="问题数")
    )
    assert "<svg" not in html
    rows = re.findall(r"<tr><th>(.+?)</th>.*?<span class=\"value\">(.+?)</span>", html)
    assert rows == [("服务态度", "4"), ("服务流程不规范", "1")]
    widths = [float(w) for w in re.findall(r"width: ([\d.]+)%", html)]
    assert widths[0] > widths[1] > 0  # bar lengths follow the values


def _category_section(rows: int, chart_rows: int | None = None):
    from reports.content import INT, PCT, Column, Section, Table

    names = [f"类别{i}" for i in range(rows)]
    counts = [rows - i for i in range(rows)]
    section = Section("x", "问题发现")
    section.tables = [
        Table(
            "问题分类统计",
            [Column("问题类别"), Column("问题数", INT), Column("占比", PCT)],
            [[n, c, 100 * c / sum(counts)] for n, c in zip(names, counts, strict=True)],
        )
    ]
    shown = chart_rows or rows
    section.charts = [
        Chart("bar", "问题分类统计", names[:shown], [Series("问题数", counts[:shown])]),
        Chart("line", "每月发现问题数", ["2026-09", "2026-10"], [Series("问题数", [3, 4])]),
    ]
    return section


def test_a_bar_chart_repeating_a_tables_column_is_drawn_as_bars_in_that_table_not_a_second_list():
    from reports.pdf import tables_and_charts

    tables, charts = tables_and_charts(_category_section(3))
    assert [c.title for c in charts] == ["每月发现问题数"]  # the bar chart is not drawn apart
    bars = [float(row[-1]["bar"].rstrip("%")) for row in tables[0]["rows"]]
    assert len(bars) == 3 and bars[0] > bars[1] > bars[2] > 0  # a bar per row, as long as its count
    assert tables[0]["widths"][-1] == "30.0%" and len(tables[0]["widths"]) == 4
    # a bar whose label or value the table does not hold stays a chart
    section = _category_section(3)
    section.charts[0].series[0].values[1] = 99
    assert [c.title for c in tables_and_charts(section)[1]] == ["问题分类统计", "每月发现问题数"]


def test_a_long_table_ordered_by_the_charts_figure_gets_no_bars_and_the_chart_is_left_to_the_workbook():
    from reports.pdf import BAR_ROWS, tables_and_charts

    section = _category_section(BAR_ROWS + 40, chart_rows=15)  # the ranking: 60 rows, the chart its top 15
    tables, charts = tables_and_charts(section)
    assert [c.title for c in charts] == ["每月发现问题数"]
    assert all("bar" not in cell for row in tables[0]["rows"] for cell in row)
    assert len(section.charts) == 2  # the content (and so the workbook) keeps the chart


def test_per_department_run_charts_are_one_table_of_sparklines_on_a_common_scale():
    charts = [
        _run_chart([80.0, 85.0, 90.0], compact=True, name="内科", group="各科室每月满意度"),
        _run_chart([60.0, 70.0, 65.0], compact=True, name="外科", group="各科室每月满意度"),
    ]
    overall = _run_chart([70.0, 75.0, 80.0])
    html = "".join(charts_html([overall, *charts]))
    assert html.count("<figure") == 1 and html.count('class="data sparklines"') == 1
    table = html[html.index('class="data sparklines"') :]
    assert "<caption>各科室每月满意度</caption>" in table
    assert "2026-01 ~ 2026-03 走势（纵轴 60%–90%）" in table  # one scale for every row, stated once
    assert re.findall(r"<tr><td>(.+?)</td>", table) == ["内科", "外科"]
    assert '<td class="num">90.00%</td>' in table  # the latest month beside the line
    assert "<text" not in table


def test_a_month_s_pdf_charts_the_departments_with_most_data_and_notes_the_others():
    group = "各科室每月满意度"
    charts = [
        _run_chart([80.0, 85.0, 90.0], compact=True, name=name, group=group)
        for name in ("内科", "外科", "儿科")
    ]
    limited = "".join(charts_html(charts, multiples_rows=2))
    assert re.findall(r"<tr><td>(.+?)</td>", limited) == ["内科", "外科"]  # the first (most data) two
    assert "数据最多的 2 个科室（共 3 个）" in limited
    every = "".join(charts_html(charts))  # the annual summary
    assert re.findall(r"<tr><td>(.+?)</td>", every) == ["内科", "外科", "儿科"] and "共 3 个" not in every


def test_report_html_has_no_svg_text(seeded):
    html = render_html(
        build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)
    )
    assert "<svg" in html and "<text" not in html


@override_settings(HOSPITAL_NAME="A&B <人民> 医院")
def test_markup_in_the_hospital_name_is_printed_as_text(seeded, tmp_path, need_poppler):
    path = tmp_path / "m.pdf"
    render_pdf(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY), path)
    pages = pdf_text(path).split("\f")
    assert "A&B<人民>医院" in flat(pages[0])  # the cover
    assert "A&B<人民>医院" in flat(pages[1])  # the page header (a CSS string)


def test_a_table_title_never_stays_alone_at_the_foot_of_a_page(tmp_path, need_poppler):
    """However much text comes before a table, its title goes to the page its rows start on."""
    import datetime as dt

    from django.utils import timezone

    from reports.content import INT, Column, ReportContent, Section, Table

    for lines in range(23, 29):  # without the rule, 25 and 26 leave the title alone at the foot of page 2
        section = Section("x", "标题")
        section.paragraphs = [f"第 {i} 段。" for i in range(lines)]
        section.tables = [
            Table("表格标题", [Column("科室"), Column("数", INT)], [[f"科{i}", i] for i in range(12)])
        ]
        content = ReportContent(
            "range",
            "报表",
            "医院",
            "",
            "全院",
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 31),
            timezone.now(),
            [section],
        )
        path = tmp_path / f"t{lines}.pdf"
        render_pdf(content, path)
        page = next(p for p in pdf_text(path).split("\f") if "表格标题" in p)
        after = page.split("表格标题", 1)[1]
        assert "科0" in after, (lines, page)


def test_a_section_with_nothing_to_show_follows_the_one_before_it_and_the_next_starts_a_page(
    tmp_path, need_poppler
):
    """An empty section ("no figures this period") is a line, not a page of its own; the section after
    it starts a new page as every section does."""
    from django.utils import timezone

    from reports.content import ReportContent, Section

    full, empty, last = Section("a", "第一节"), Section("b", "第二节"), Section("c", "第三节")
    full.paragraphs, last.paragraphs = ["有内容。"], ["也有内容。"]
    empty.empty, empty.paragraphs = True, ["本期无数据。"]
    content = ReportContent(
        "range", "报表", "医院", "", "全院", dt.date(2026, 1, 1), dt.date(2026, 1, 31), timezone.now(),
        [full, empty, last],
    )  # fmt: skip
    path = tmp_path / "e.pdf"
    render_pdf(content, path)
    pages = [flat(p) for p in pdf_text(path).split("\f") if p.strip()]
    first = next(i for i, p in enumerate(pages) if "第一节" in p)
    assert "本期无数据" in pages[first]
    assert "第三节" in pages[first + 1] and "第三节" not in pages[first]


def test_p_chart_limits_by_hand():
    # p̄ = 150/200 = 0.75; n=100 → σ = √(0.75·0.25/100) = 0.0433 → UCL 88.0 %, LCL 62.0 %
    limits = p_chart([80, 70], [100, 100])
    assert limits.method == "p" and limits.centre == 75.0
    assert limits.upper == pytest.approx([87.99, 87.99], abs=0.005)
    assert limits.lower == pytest.approx([62.01, 62.01], abs=0.005)
    assert limits.outside == [False, False]
    # p̄ = 375/500 = 0.75 → limits 62.0 – 88.0 %: only 50 % is outside
    limits = p_chart([50, 80, 85, 82, 78], [100] * 5)
    assert limits.outside == [True, False, False, False, False]
    assert p_chart([0], [0]) is None
