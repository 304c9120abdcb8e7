"""The workbook: one sheet per section, typed cells with formats, frozen headers, widths, charts."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from reports.builders import build_content
from reports.content import PCT, Column, ReportContent, Section, Table
from reports.excel import display_width, render_xlsx

from .conftest import OCT

TODAY = dt.date(2026, 11, 23)


def workbook(content):
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_one_sheet_per_section_plus_a_cover(seeded):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    wb = workbook(content)
    assert len(wb.worksheets) == len(content.sections) + 1
    assert wb.worksheets[0].title == "封面"
    assert [ws.title.split(" ", 1)[1] for ws in wb.worksheets[1:]] == [s.title for s in content.sections]


def test_numbers_are_numbers_with_formats_and_percentages_are_fractions(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    ws = next(ws for ws in wb.worksheets if "问题发现" in ws.title)
    rows = list(ws.iter_rows())
    header = next(r for r in rows if r[0].value == "问题类别")
    first = rows[header[0].row]  # the row after the header
    assert first[0].value == "服务态度"
    assert isinstance(first[1].value, int) and first[1].value == 3
    assert first[1].number_format == "#,##0"
    share = first[2]
    assert abs(share.value - 3 / 7) < 0.001  # stored 0.429, shown 42.9 %
    assert share.number_format == "0.0%"
    assert ws.freeze_panes == f"A{header[0].row + 1}"


def test_columns_are_wide_enough_for_chinese(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    ws = next(ws for ws in wb.worksheets if "整改情况" in ws.title)
    # "按期整改率" is 5 CJK characters: at least 10 width units
    header = next(r for r in ws.iter_rows() if r[0].value == "科室")
    for cell in header:
        width = ws.column_dimensions[cell.column_letter].width
        assert width >= display_width(cell.value), (cell.value, width)
    assert display_width("按期整改率") == 10


def test_native_excel_charts_where_the_pdf_has_charts(seeded):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    wb = workbook(content)
    for number, section in enumerate(content.sections, start=1):
        ws = wb.worksheets[number]
        assert len(ws._charts) == len(section.charts), section.title
        for chart in ws._charts:
            assert chart.x_axis.delete is False and chart.y_axis.delete is False  # axes visible


def test_text_that_looks_like_a_formula_is_stored_as_text():
    content = ReportContent(
        kind="range",
        title="t",
        hospital="医院",
        period_label="p",
        scope_label='=HYPERLINK("http://evil")',
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 2),
        generated_at=dt.datetime(2026, 1, 3, 8, 0),
        sections=[
            Section(
                "x",
                "节",
                tables=[
                    Table(
                        "表",
                        [Column("名称"), Column("率", PCT)],
                        [["=1+1", 50.0], ["+cmd", None], ["@SUM(A1)", 1.0]],
                    )
                ],
            )
        ],
    )
    wb = workbook(content)
    values = [c.value for row in wb.worksheets[1].iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=1+1" in values and "'+cmd" in values and "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    cover = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert '\'=HYPERLINK("http://evil")' in cover
    cells = {c.coordinate: c for row in wb.worksheets[1].iter_rows() for c in row}
    assert all(c.data_type != "f" for c in cells.values())


def test_missing_figures_are_empty_cells_not_zero(db):
    content = build_content(kind="monthly", start=dt.date(2019, 1, 1), end=dt.date(2019, 1, 31), today=TODAY)
    wb = workbook(content)
    ws = next(ws for ws in wb.worksheets if "主要指标" in ws.title)
    row = next(r for r in ws.iter_rows() if r[0].value == "整改率")
    assert row[3].value is None and row[4].value == "无数据"


def test_cover_lists_the_sections_with_links_to_their_sheets(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    links = [c.hyperlink.location for row in wb.worksheets[0].iter_rows() for c in row if c.hyperlink]
    assert links == [f"'{ws.title}'!A1" for ws in wb.worksheets[1:]]
