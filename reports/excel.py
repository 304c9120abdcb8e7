"""Excel renderer: one sheet per section, numbers as numbers with formats, native charts.

Percentages are stored as real fractions (0.923) formatted ``0.0%``; counts as integers with
``#,##0``; text that a spreadsheet would read as a formula (= + - @ tab CR) is prefixed with an
apostrophe and stored as text, so a department name or a comment can never run as a formula.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from supervision.infra.exports import safe_cell

from .content import INT, NUM, PCT, PP, TEXT, Chart, ReportContent, Table, unwrap

FORMATS = {INT: "#,##0", PCT: "0.0%", NUM: "0.0", PP: "+0.0;-0.0;0.0"}
HEADER_FILL = PatternFill("solid", fgColor="E8F1F4")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_text(value) -> str:
    return safe_cell(str(value))  # the one formula-injection rule (supervision.infra.exports)


def display_width(text: str) -> int:
    """Excel column width units: a CJK (wide) character takes about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class SheetWriter:
    def __init__(self, ws):
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}

    def fit(self, col: int, text: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), display_width(text))

    def put(self, row: int, col: int, value, kind: str = TEXT, *, fit: bool = True):
        cell = self.ws.cell(row=row, column=col)
        value, kind = unwrap(value, kind)
        if value is None:
            return cell
        if kind == TEXT:
            cell.value = safe_text(value)
            cell.data_type = "s"
            if fit:
                self.fit(col, str(value))
        else:
            cell.value = value / 100 if kind == PCT else value
            cell.number_format = FORMATS[kind]
            if fit:
                self.fit(col, f"{value:,.1f}" if kind != INT else f"{value:,}")
        return cell

    def title(self, text: str) -> None:
        self.put(self.row, 1, text, fit=False).font = TITLE
        self.row += 1

    def text(self, text: str) -> None:
        cell = self.put(self.row, 1, text, fit=False)
        cell.alignment = Alignment(wrap_text=False, vertical="top")
        self.row += 1

    def table(self, table: Table) -> int:
        """Write a table; returns the header row (for freezing panes)."""
        self.put(self.row, 1, table.title, fit=False).font = BOLD
        self.row += 1
        header = self.row
        for c, column in enumerate(table.columns, start=1):
            cell = self.put(header, c, column.label)
            cell.font = BOLD
            cell.fill = HEADER_FILL
        self.row += 1
        for values in table.rows:
            for c, (value, column) in enumerate(zip(values, table.columns, strict=False), start=1):
                self.put(self.row, c, value, column.kind)
            self.row += 1
        if table.note:
            self.put(self.row, 1, table.note, fit=False).font = Font(italic=True, color="666666")
            self.row += 1
        self.row += 1
        return header

    def chart(self, chart: Chart, anchor_col: int) -> None:
        """Write the chart's data as a small table, then a native Excel chart drawn from it."""
        self.put(self.row, 1, chart.title, fit=False).font = BOLD
        self.row += 1
        header = self.row
        names = [s.name for s in chart.series]
        columns = [list(s.values) for s in chart.series]
        if chart.limits:
            lim = chart.limits
            names += [_("Mean"), _("Upper control limit"), _("Lower control limit"), _("Outside the limits")]
            first = chart.series[0].values
            columns += [
                [lim.centre if v is not None else None for v in first],
                lim.upper,
                lim.lower,
                [v if out else None for v, out in zip(first, lim.outside, strict=False)],
            ]
        kind = PCT if chart.percent else NUM
        self.put(header, 1, _("Label")).font = BOLD
        for c, name in enumerate(names, start=2):
            self.put(header, c, name).font = BOLD
        for i, label in enumerate(chart.labels):
            r = header + 1 + i
            self.put(r, 1, label)
            for c, values in enumerate(columns, start=2):
                self.put(r, c, values[i] if i < len(values) else None, kind)
        last = header + len(chart.labels)
        self.row = last + 2
        if not chart.labels:
            return
        xl = BarChart() if chart.kind == "bar" else LineChart()
        xl.title = chart.title
        xl.y_axis.title = chart.y_label or None
        xl.height, xl.width = 7.5, 16
        # openpyxl ≥ 3.1 writes axes as deleted unless told otherwise: Excel would hide them
        xl.x_axis.delete = False
        xl.y_axis.delete = False
        if chart.percent:
            xl.y_axis.number_format = "0%"
        data = Reference(self.ws, min_col=2, max_col=1 + len(names), min_row=header, max_row=last)
        xl.add_data(data, titles_from_data=True)
        xl.set_categories(Reference(self.ws, min_col=1, min_row=header + 1, max_row=last))
        if chart.limits and isinstance(xl, LineChart):
            for s in xl.series[1:4]:
                s.smooth = False
                s.graphicalProperties.line.dashStyle = "dash"
            outside = xl.series[4]
            outside.marker.symbol = "circle"
            outside.marker.size = 8
            outside.graphicalProperties.line.noFill = True
            outside.marker.graphicalProperties.solidFill = "D62828"
        self.ws.add_chart(xl, f"{get_column_letter(anchor_col)}{header}")
        # leave room below when the chart is taller than its data
        self.row = max(self.row, header + 16)

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, width + 2))


def sheet_title(text: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub(" ", text)[:28].strip() or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def render_xlsx(content: ReportContent, out) -> None:
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    ws.title = sheet_title(_("Cover"), used)
    w = SheetWriter(ws)
    w.title(f"{content.hospital} {content.title}")
    for label, value in (
        (_("Period"), f"{content.start:%Y-%m-%d} ~ {content.end:%Y-%m-%d}"),
        (_("Scope"), content.scope_label),
        (_("Generated"), f"{content.generated_at:%Y-%m-%d %H:%M}"),
    ):
        w.put(w.row, 1, label).font = BOLD
        w.put(w.row, 2, value)
        w.row += 1
    w.row += 1
    w.put(w.row, 1, _("Contents")).font = BOLD
    w.row += 1
    titles = [
        sheet_title(f"{number} {section.title}", used) for number, section in enumerate(content.sections, 1)
    ]
    for number, (section, title) in enumerate(zip(content.sections, titles, strict=True), start=1):
        cell = w.put(w.row, 1, f"{number}. {section.title}")
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{title}'!A1")
        cell.style = "Hyperlink"
        w.row += 1
    w.finish()
    for number, (section, title) in enumerate(zip(content.sections, titles, strict=True), start=1):
        ws = wb.create_sheet(title)
        w = SheetWriter(ws)
        w.title(f"{number}. {section.title}")
        first_header = None
        for table in section.tables:
            header = w.table(table)
            first_header = first_header or header
        if first_header:
            ws.freeze_panes = ws.cell(row=first_header + 1, column=1)
        else:
            ws.freeze_panes = "A2"
        for paragraph in section.paragraphs:
            w.text(paragraph)
        if section.paragraphs:
            w.row += 1
        anchor = max((len(t.columns) for t in section.tables), default=0)
        for chart in section.charts:
            span = 2 + len(chart.series) + (4 if chart.limits else 0)
            w.chart(chart, anchor_col=max(anchor, span) + 2)
        w.finish()
    wb.save(out)
