"""The workbook: a sheet per section and per table (named Excel Tables), data sheets, typed cells with
formats (exact ratios), frozen headers, widths, charts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from reports.builders import build_content
from reports.content import PCT, Column, ReportContent, Section, Table, rate
from reports.excel import display_width, render_xlsx

from .conftest import OCT

TODAY = dt.date(2026, 11, 23)


def workbook(content):
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_a_sheet_per_section_then_one_per_table_as_a_named_excel_table(seeded):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    wb = workbook(content)
    assert wb.worksheets[0].title == "封面"
    expected = []
    for number, section in enumerate(content.sections, start=1):
        expected.append(f"{number} {section.title}"[:28].strip())
        expected += [f"{number}.{i} {t.title}"[:28].strip() for i, t in enumerate(section.tables, start=1)]
    assert [ws.title for ws in wb.worksheets[1:]] == expected
    names = set()
    for number, section in enumerate(content.sections, start=1):
        for i, table in enumerate(section.tables, start=1):
            ws = wb[f"{number}.{i} {table.title}"[:28].strip()]
            if not table.rows:
                assert not ws.tables
                continue
            (xl,) = ws.tables.values()  # one table per sheet, never stacked
            assert xl.autoFilter is not None and xl.autoFilter.ref == xl.ref  # header with filter buttons
            header = [c.value for c in ws[xl.ref][0]]
            assert header == [c.label for c in table.columns]
            assert len(ws[xl.ref]) == len(table.rows) + 1  # every row, the PDF's cut notwithstanding
            assert ws.freeze_panes == f"A{ws[xl.ref][0][0].row + 1}"
            names.add(xl.displayName.lower())
    assert len(names) == sum(1 for s in content.sections for t in s.tables if t.rows)  # unique names


def test_numbers_are_numbers_with_formats_and_percentages_are_exact_fractions(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    ws = next(ws for ws in wb.worksheets if "问题分类统计" in ws.title)
    rows = list(ws.iter_rows())
    header = next(r for r in rows if r[0].value == "问题类别")
    first = rows[header[0].row]  # the row after the header
    assert first[0].value == "服务态度"
    assert isinstance(first[1].value, int) and first[1].value == 3
    assert first[1].number_format == "#,##0"
    share = first[2]
    # the exact ratio, not 0.429 nor 0.4286 (openpyxl writes 16 significant digits: 3/7 needs 17)
    assert share.value == pytest.approx(3 / 7, rel=1e-15)
    assert share.number_format == "0.00%"
    assert ws.freeze_panes == f"A{header[0].row + 1}"


def test_excel_holds_the_exact_ratio_of_the_counts_with_the_precision_as_format(settings):
    content = ReportContent(
        kind="range",
        title="t",
        hospital="医院",
        period_label="p",
        scope_label="全院",
        start=dt.date(2014, 1, 1),
        end=dt.date(2014, 6, 30),
        generated_at=dt.datetime(2014, 7, 1, 8, 0),
        sections=[Section("x", "节", tables=[Table("表", [Column("回访率", PCT)], [[rate(26635, 28868)]])])],
    )
    cell = workbook(content).worksheets[2]["A4"]
    assert cell.value == 26635 / 28868  # 0.9226479146459747, to full float precision
    assert cell.value != 0.9226 and cell.value != 0.923
    assert cell.number_format == "0.00%"
    settings.RATE_DECIMALS = 3
    assert workbook(content).worksheets[2]["A4"].number_format == "0.000%"


def test_columns_are_wide_enough_for_chinese(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    ws = next(
        ws
        for ws in wb.worksheets
        if "整改情况" in ws.title and any(r[0].value == "科室" for r in ws.iter_rows())
    )
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
        ws = wb[f"{number} {section.title}"[:28].strip()]
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
    values = [
        c.value for ws in wb.worksheets[1:] for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert "'=1+1" in values and "'+cmd" in values and "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    cover = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert '\'=HYPERLINK("http://evil")' in cover
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_missing_figures_are_empty_cells_not_zero(db):
    content = build_content(kind="monthly", start=dt.date(2019, 1, 1), end=dt.date(2019, 1, 31), today=TODAY)
    wb = workbook(content)
    row = next(r for ws in wb.worksheets for r in ws.iter_rows() if r[0].value == "整改率")
    assert row[3].value is None and row[4].value == "无数据"


def test_cover_lists_the_sections_with_links_to_their_sheets(seeded):
    wb = workbook(build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY))
    links = [c.hyperlink.location for row in wb.worksheets[0].iter_rows() for c in row if c.hyperlink]
    assert links == [f"'{ws.title}'!A1" for ws in wb.worksheets[1:]]
