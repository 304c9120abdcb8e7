"""PDF renderer: the report content → HTML (Django template) → WeasyPrint → A4 PDF.

Chinese text uses the Noto Sans CJK SC font (Debian's fonts-noto-cjk), which WeasyPrint subsets
and embeds (with libharfbuzz-subset0), so the file shows Chinese on any machine.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from supervision.infra.wording import join_list

from .charts import PALETTE, bar_high, render_chart, render_small_multiples
from .content import Chart, Column, ReportContent, Table, fmt_cell, unwrap


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string (the page margin boxes)."""
    text = "".join(ch for ch in str(text) if ch.isprintable())
    # < and & escaped too, so the text can never close the <style> element it sits in
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("&", "\\26 ")


def pdf_column_indices(table) -> list[int]:
    """The columns of ``table`` the PDF shows (every column unless the table names some)."""
    return list(range(len(table.columns))) if table.pdf_columns is None else list(table.pdf_columns)


def column_widths(table) -> list[str]:
    """Column widths in % for the fixed table layout (fast to lay out): numbers narrow, text wide."""
    if table.pdf_widths:
        return [f"{w:.1f}%" for w in table.pdf_widths]
    numeric = [table.columns[i].kind != "text" for i in pdf_column_indices(table)]
    n_num, n_text = sum(numeric), len(numeric) - sum(numeric)
    if not n_text:
        return [f"{100 / n_num:.1f}%"] * n_num
    num_w = min(14.0, 74.0 / n_num) if n_num else 0.0
    text_w = (100.0 - num_w * n_num) / n_text
    return [f"{num_w:.1f}%" if is_num else f"{text_w:.1f}%" for is_num in numeric]


def page_counter() -> str:
    """CSS ``content`` of the page-number box, from one translatable sentence (第 2 页，共 9 页)."""
    sentence = css_string(_("Page {page} of {pages}"))
    sentence = sentence.replace("{pages}", '" counter(pages) "').replace("{page}", '" counter(page) "')
    return f'"{sentence}"'


def _table_note(table) -> str:
    note = [table.note]
    if table.pdf_rows is not None and len(table.rows) > table.pdf_rows:
        note.append(
            _("The first %(shown)s of %(total)s rows; the workbook (Excel) lists them all.")
            % {"shown": table.pdf_rows, "total": len(table.rows)}
        )
    shown = set(pdf_column_indices(table))
    left_out = [c.label for i, c in enumerate(table.columns) if i not in shown]
    if left_out:
        note.append(
            _("The workbook (Excel) also has the columns %(columns)s.")
            % {"columns": join_list(str(label) for label in left_out)}
        )
    return " ".join(n for n in note if n).strip()


def charts_html(charts, *, multiples_rows: int | None = None) -> list[str]:
    """Each chart as HTML; consecutive small multiples (per-department run charts) as one table, of
    its first ``multiples_rows`` departments when given (the others noted, the workbook draws all)."""
    out: list[str] = []
    group: list = []
    for chart in [*charts, None]:
        if group and (chart is None or not chart.compact or chart.group != group[0].group):
            shown = group if multiples_rows is None else group[:multiples_rows]
            note = ""
            if len(shown) < len(group):
                note = _(
                    "The %(shown)s departments with the most data of %(total)s; the workbook (Excel) "
                    "draws every department's chart."
                ) % {"shown": len(shown), "total": len(group)}
            out.append(render_small_multiples(group[0].group or group[0].title, shown, note))
            group = []
        if chart is None:
            break
        if chart.compact:
            group.append(chart)
        else:
            out.append(render_chart(chart))
    return out


def _number(value) -> float | None:
    value, _kind = unwrap(value, "")
    return None if value is None else float(value)


def bars_column(chart: Chart, table: Table) -> int | None:
    """The column of ``table`` that a one-series bar chart repeats: every bar's label is a row's text
    in one column and its value that row's figure in another (the category table and its chart, the
    ranking and its total scores). None when the chart shows anything the table does not."""
    if chart.kind != "bar" or chart.compact or len(chart.series) != 1 or not chart.labels:
        return None
    values = chart.series[0].values
    shown = pdf_column_indices(table)
    for label_col in (i for i in shown if table.columns[i].kind == "text"):
        by_label = {str(row[label_col]): row for row in table.rows if label_col < len(row)}
        rows = [by_label.get(str(label)) for label in chart.labels]
        if any(row is None for row in rows):
            continue
        for value_col in shown:
            if value_col == label_col or table.columns[value_col].kind == "text":
                continue
            figures = [_number(row[value_col]) if value_col < len(row) else None for row in rows]
            if all(
                (f is None) == (v is None) and (f is None or abs(f - float(v)) < 1e-9)
                for f, v in zip(figures, values, strict=True)
            ):
                return value_col
    return None


# A table longer than this in the PDF gets no bars: a long list (the ranking, every department) is
# already in the order of its figure, and 60 bars cost as much to lay out as 60 more cells.
BAR_ROWS = 20


def tables_and_charts(section) -> tuple[list[dict], list[Chart]]:
    """The section's tables as the PDF draws them, and the charts still to draw apart. A one-series
    bar chart that repeats a table's column is not drawn again as a second list of the same labels:
    its bars go into that table (a short one) or are left out (a long one, ordered by that figure).
    The workbook keeps every chart."""
    bars: dict[int, tuple[int, Chart]] = {}
    charts = []
    for chart in section.charts:
        carrier = next(
            (
                (i, column)
                for i, table in enumerate(section.tables)
                if i not in bars and (column := bars_column(chart, table)) is not None
            ),
            None,
        )
        if carrier is None:
            charts.append(chart)
        elif len(section.tables[carrier[0]].rows[: section.tables[carrier[0]].pdf_rows]) <= BAR_ROWS:
            bars[carrier[0]] = (carrier[1], chart)
    return [_pdf_table(t, *bars.get(i, (None, None))) for i, t in enumerate(section.tables)], charts


def _pdf_table(table, bar_col: int | None = None, chart: Chart | None = None) -> dict:
    """A table as the PDF's template draws it: its PDF columns and rows, widths and note; with
    ``bar_col``, a last column drawing that column's figures as bars (on ``chart``'s scale)."""
    shown = pdf_column_indices(table)
    kinds = [(i, table.columns[i].kind) for i in shown]
    rows = table.rows[: table.pdf_rows]
    cells = [
        [{"text": fmt_cell(row[i], kind), "numeric": kind != "text"} for i, kind in kinds if i < len(row)]
        for row in rows
    ]
    columns = [table.columns[i] for i in shown]
    widths = column_widths(table)
    if bar_col is not None:
        figures = [_number(row[bar_col]) if bar_col < len(row) else None for row in table.rows]
        high = bar_high(chart, [f for f in figures if f is not None])
        for row_cells, figure in zip(cells, figures, strict=False):
            width = 0.0 if figure is None else max(0.0, min(1.0, figure / high)) * 100
            row_cells.append({"bar": f"{width:.1f}%", "colour": PALETTE[0]})
        # the bars take a third of the width; the other columns keep their proportions
        widths = [f"{float(w[:-1]) * 0.7:.1f}%" for w in widths] + ["30.0%"]
        columns = [*columns, Column("")]
    return {
        "title": table.title,
        "note": _table_note(table),
        "columns": columns,
        "widths": widths,
        "rows": cells,
    }


def render_html(content: ReportContent) -> str:
    sections = []
    for number, section in enumerate(content.sections, start=1):
        tables, charts = tables_and_charts(section)
        sections.append(
            {
                "number": number,
                "key": section.key,
                "title": section.title,
                "paragraphs": section.paragraphs,
                "parts": section.parts,
                "empty": section.empty,
                "tables": tables,
                # A month's or range's PDF charts the departments with the most data; the annual
                # summary every charted one (docs/reports.md → "The PDF").
                "charts": charts_html(
                    charts,
                    multiples_rows=None if content.kind == "annual" else settings.REPORTS_PDF_RUN_CHART_ROWS,
                ),
            }
        )
    return render_to_string(
        "reports/pdf/report.html",
        {
            "content": content,
            "sections": sections,
            "with_toc": content.kind == "annual" or len(sections) > 6,
            # The weekly meeting list is one page: a heading instead of the cover page.
            "one_page": content.kind == "weekly",
            "page_counter": page_counter(),
            "css_header": css_string(f"{content.hospital} · {content.title} · {content.scope_label}"),
            "css_period": css_string(f"{content.start:%Y-%m-%d} ~ {content.end:%Y-%m-%d}"),
        },
    )


def render_pdf(content: ReportContent, out) -> None:
    """Write the PDF of ``content`` to ``out`` (a path or a binary file object)."""
    from weasyprint import HTML

    HTML(string=render_html(content), base_url=None).write_pdf(out)
