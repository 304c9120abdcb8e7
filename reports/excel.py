"""Excel renderer: a sheet per section (its sentences and charts), a sheet per table as a named Excel
Table with header and filter, a data sheet per channel with the rows behind its figures; numbers as
numbers with formats, native charts.

Percentages are stored as the exact ratio of their counts (26,635 ÷ 28,868 = 0.92264…, never the
rounded 0.9226) formatted with the hospital's decimals (``0.00%``, ``RATE_DECIMALS``); counts as
integers with ``#,##0``; text that a spreadsheet would read as a formula (= + - @ tab CR) is prefixed with an
apostrophe and stored as text, so a department name or a comment can never run as a formula.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as XLTable
from openpyxl.worksheet.table import TableStyleInfo

from supervision import rates
from supervision.infra.exports import safe_cell
from supervision.infra.wording import label_separator

from .content import DATE, DELTA, INT, NUM, PCT, PP, TEXT, Chart, DataSheet, ReportContent, Table, unwrap


def number_formats() -> dict[str, str]:
    """Cell formats by column kind; rates and percentage points with the hospital's decimals."""
    places = rates.decimals()
    points = "0" + ("." + "0" * places if places else "")
    return {
        INT: "#,##0",
        PCT: rates.excel_format(),
        NUM: "0.0",
        PP: f"+{points};-{points};{points}",
        DATE: "yyyy-mm-dd",
        DELTA: "+0.0;-0.0;0.0",
    }


def fraction(value) -> float:
    """A percentage figure as the fraction a percent-formatted cell holds: a rate's exact ratio
    (26,635 ÷ 28,868, not 92.26 ÷ 100), any other figure its exact value ÷ 100."""
    if isinstance(value, rates.Rate):
        return value.ratio
    return float(rates.exact(value) / 100)


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
        self.formats = number_formats()

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
            cell.value = fraction(value) if kind == PCT else float(value) if kind in (NUM, PP) else value
            cell.number_format = self.formats[kind]
            if kind == DELTA and isinstance(value, int):
                cell.number_format = "+#,##0;-#,##0;0"
            if fit:
                self.fit(col, self.sample(value, kind))
        return cell

    @staticmethod
    def sample(value, kind: str) -> str:
        """The text a cell shows, for its column's width."""
        if kind == INT:
            return f"{value:,}"
        if kind == DATE:
            return "2026-12-31"
        if kind == DELTA:
            return f"{value:+,}" if isinstance(value, int) else f"{float(value):+.1f}"
        return f"{value:,.{rates.decimals() + 1}f}"

    def title(self, text: str) -> None:
        self.put(self.row, 1, text, fit=False).font = TITLE
        self.row += 1

    def text(self, text: str) -> None:
        cell = self.put(self.row, 1, text, fit=False)
        cell.alignment = Alignment(wrap_text=False, vertical="top")
        self.row += 1

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


def table_name(text: str, used: set[str]) -> str:
    """An Excel Table name: letters, digits and _, starting with a letter, unique in the workbook, not
    a cell reference (a trailing _t keeps "ab12" from reading as one)."""
    base = re.sub(r"\W", "_", text, flags=re.ASCII).strip("_") or "table"
    base = f"t_{base}" if not base[0].isalpha() else base
    name, n = f"{base}_t", 2
    while name.lower() in used:
        name, n = f"{base}_{n}_t", n + 1
    used.add(name.lower())
    return name


def unique_headers(labels: list[str]) -> list[str]:
    """Column headers of an Excel Table must differ: a repeated one gets " (2)"."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        label = str(label) or "-"
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def link(cell, sheet: str) -> None:
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
    cell.style = "Hyperlink"


def write_table_sheet(ws, table: Table, name: str) -> None:
    """One report table on a sheet of its own, as an Excel Table (a name, a header row with filter
    buttons, banded rows) that a reader can sort, filter and pivot: its title above, its note
    below; the header row frozen."""
    w = SheetWriter(ws)
    w.title(table.title)
    w.row += 1
    header = w.row
    labels = unique_headers([c.label for c in table.columns])
    for c, label in enumerate(labels, start=1):
        w.put(header, c, label).font = BOLD
    for r, values in enumerate(table.rows, start=header + 1):
        for c, (value, column) in enumerate(zip(values, table.columns, strict=False), start=1):
            w.put(r, c, value, column.kind)
    last = header + len(table.rows)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    if table.rows:
        ref = f"A{header}:{get_column_letter(len(labels))}{last}"
        xl = XLTable(displayName=name, ref=ref)
        xl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(xl)
    else:
        w.put(last + 1, 1, _("No rows."), fit=False)
        last += 1
    if table.note:
        w.put(last + 2, 1, table.note, fit=False).font = Font(italic=True, color="666666")
    w.finish()


def write_data_sheet(ws, sheet: DataSheet, name: str) -> None:
    """The rows behind a channel's figures, one per record, as an Excel Table ready for a pivot
    table. No personal data: the columns are the ones the office sees on its figure pages."""
    write_table_sheet(ws, Table(sheet.title, sheet.columns, sheet.rows, note=sheet.note), name)


def render_xlsx(content: ReportContent, out) -> None:
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    names: set[str] = set()
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
    # Every sheet's name first, so the contents and each section sheet can link to them.
    plan = []
    for number, section in enumerate(content.sections, start=1):
        title = sheet_title(f"{number} {section.title}", used)
        tables = [
            (sheet_title(f"{number}.{i} {t.title}", used), t) for i, t in enumerate(section.tables, start=1)
        ]
        plan.append((number, section, title, tables))
    # Outside the f-strings, where makemessages (xgettext) would not find the word.
    data_word = pgettext("workbook sheet", "Data")
    data = [(sheet_title(f"{data_word} {d.title}", used), d) for d in content.data_sheets]
    for number, section, title, tables in plan:
        link(w.put(w.row, 1, f"{number}. {section.title}"), title)
        w.row += 1
        for i, (sheet, table) in enumerate(tables, start=1):
            link(w.put(w.row, 2, f"{number}.{i} {table.title}"), sheet)
            w.row += 1
    for sheet, d in data:
        link(w.put(w.row, 1, f"{data_word}{label_separator()}{d.title}"), sheet)
        w.row += 1
    w.finish()
    for number, section, title, tables in plan:
        ws = wb.create_sheet(title)
        w = SheetWriter(ws)
        w.title(f"{number}. {section.title}")
        ws.freeze_panes = "A2"
        for part in section.parts:  # the written summary: each part's heading, figures, words, cases
            w.put(w.row, 1, part.title, fit=False).font = BOLD
            w.row += 1
            for paragraph in [*part.paragraphs, *part.office]:
                w.text(paragraph)
            if part.cases:
                w.put(w.row, 1, _("Typical cases"), fit=False).font = BOLD
                w.row += 1
                for number_, case in enumerate(part.cases, start=1):
                    w.text(f"{number_}. {case}")
            w.row += 1
        for paragraph in section.paragraphs:
            w.text(paragraph)
        if section.paragraphs:
            w.row += 1
        for i, (sheet, table) in enumerate(tables, start=1):
            link(w.put(w.row, 1, f"{number}.{i} {table.title}", fit=False), sheet)
            w.row += 1
        if tables:
            w.row += 1
        for chart in section.charts:
            span = 2 + len(chart.series) + (4 if chart.limits else 0)
            w.chart(chart, anchor_col=span + 2)
        w.finish()
        for i, (sheet, table) in enumerate(tables, start=1):
            write_table_sheet(wb.create_sheet(sheet), table, table_name(f"{section.key}_{i}", names))
    for sheet, d in data:
        write_data_sheet(wb.create_sheet(sheet), d, table_name(f"data_{d.key}", names))
    wb.save(out)
