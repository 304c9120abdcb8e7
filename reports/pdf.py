"""PDF renderer: the report content → HTML (Django template) → WeasyPrint → A4 PDF.

Chinese text uses the Noto Sans CJK SC font (Debian's fonts-noto-cjk), which WeasyPrint subsets
and embeds (with libharfbuzz-subset0), so the file shows Chinese on any machine.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .charts import render_chart, render_small_multiples
from .content import ReportContent, fmt_cell


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string (the page margin boxes)."""
    text = "".join(ch for ch in str(text) if ch.isprintable())
    # < and & escaped too, so the text can never close the <style> element it sits in
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("&", "\\26 ")


def column_widths(table) -> list[str]:
    """Column widths in % for the fixed table layout (fast to lay out): numbers narrow, text wide."""
    if table.pdf_widths:
        return [f"{w:.1f}%" for w in table.pdf_widths]
    numeric = [c.kind != "text" for c in table.columns]
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
    if table.pdf_rows is None or len(table.rows) <= table.pdf_rows:
        return table.note
    cut = _("The first %(shown)s of %(total)s rows; the workbook (Excel) lists them all.") % {
        "shown": table.pdf_rows,
        "total": len(table.rows),
    }
    return f"{table.note} {cut}".strip()


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
                "tables": [
                    {
                        "title": t.title,
                        "note": _table_note(t),
                        "columns": t.columns,
                        "widths": column_widths(t),
                        "rows": [
                            [
                                {"text": fmt_cell(v, c.kind), "numeric": c.kind != "text"}
                                for v, c in zip(row, t.columns, strict=False)
                            ]
                            for row in t.rows[: t.pdf_rows]
                        ],
                    }
                    for t in section.tables
                ],
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
            "css_hospital": css_string(content.hospital),
            "css_title": css_string(f"{content.title} · {content.scope_label}"),
            "css_period": css_string(f"{content.start:%Y-%m-%d} ~ {content.end:%Y-%m-%d}"),
        },
    )


def render_pdf(content: ReportContent, out) -> None:
    """Write the PDF of ``content`` to ``out`` (a path or a binary file object)."""
    from weasyprint import HTML

    HTML(string=render_html(content), base_url=None).write_pdf(out)
