"""PDF renderer: the report content → HTML (Django template) → WeasyPrint → A4 PDF.

Chinese text uses the Noto Sans CJK SC font (Debian's fonts-noto-cjk), which WeasyPrint subsets
and embeds (with libharfbuzz-subset0), so the file shows Chinese on any machine.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from supervision.infra.wording import join_list

from .charts import render_chart, render_small_multiples
from .content import ReportContent, fmt_cell


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


def charts_html(charts) -> list[str]:
    """Each chart as HTML; consecutive small multiples (per-department run charts) as one table."""
    out: list[str] = []
    group: list = []
    for chart in [*charts, None]:
        if group and (chart is None or not chart.compact or chart.group != group[0].group):
            out.append(render_small_multiples(group[0].group or group[0].title, group))
            group = []
        if chart is None:
            break
        if chart.compact:
            group.append(chart)
        else:
            out.append(render_chart(chart))
    return out


def _pdf_table(table) -> dict:
    """A table as the PDF's template draws it: its PDF columns and rows, widths and note."""
    shown = pdf_column_indices(table)
    kinds = [(i, table.columns[i].kind) for i in shown]
    return {
        "title": table.title,
        "note": _table_note(table),
        "columns": [table.columns[i] for i in shown],
        "widths": column_widths(table),
        "rows": [
            [{"text": fmt_cell(row[i], kind), "numeric": kind != "text"} for i, kind in kinds if i < len(row)]
            for row in table.rows[: table.pdf_rows]
        ],
    }


def render_html(content: ReportContent) -> str:
    sections = []
    for number, section in enumerate(content.sections, start=1):
        sections.append(
            {
                "number": number,
                "key": section.key,
                "title": section.title,
                "paragraphs": section.paragraphs,
                "parts": section.parts,
                "empty": section.empty,
                "tables": [_pdf_table(t) for t in section.tables],
                "charts": charts_html(section.charts),
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
