"""Word renderer (python-docx): the written summary as a document the office edits further.

Real heading styles (the title, a Heading 1 per part — 一、工作开展情况 …, Heading 2 for 典型事例), the
office's own paragraphs as written, the headline table (target, actual, the same period last year and
the change) as a Word table, and the hospital's font: the CJK font the PDFs use, set on the East Asian
run property (``w:eastAsia``) of every style used, which is what Word reads for Chinese text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .content import ReportContent, fmt_cell
from .periods import written_period_label

FONT = "Noto Sans CJK SC"  # the PDFs' font (docs/reports.md, "The PDF")
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "List Number", "Table Grid", "Caption")


def _set_font(style) -> None:
    style.font.name = FONT  # ASCII and high-ANSI text
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)  # Chinese text: Word reads the East Asian font
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):  # a theme font would win over ours
        fonts.attrib.pop(qn(theme), None)


def _table(doc, table) -> None:
    doc.add_paragraph(table.title, style="Caption")
    grid = doc.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = column.label
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value, column in zip(cells, row, table.columns, strict=False):
            cell.text = fmt_cell(value, column.kind)
            if column.kind != "text":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        doc.add_paragraph(table.note, style="Caption")


def render_docx(content: ReportContent, out) -> None:
    """Write the written summary of ``content`` to ``out`` (a path or a binary file object).

    ValueError when the report has no written summary (a month or a week keeps its figure report)."""
    summary = content.section("summary")
    if summary is None or not summary.parts:
        raise ValueError(_("Word is made for the written summary of a year, a half-year or a quarter."))
    doc = Document()
    for name in STYLES:
        _set_font(doc.styles[name])
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = f"{content.hospital} {content.title}"
    doc.core_properties.author = content.hospital
    title = _("%(period)s work summary") % {"period": written_period_label(content.start, content.end)}
    doc.add_paragraph(f"{content.hospital}{title}", style="Title")
    doc.add_paragraph(
        f"{content.start:%Y-%m-%d} ~ {content.end:%Y-%m-%d} · {content.scope_label}"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    headline = content.section("headline")
    for part in summary.parts:
        doc.add_heading(part.title, level=1)
        for paragraph in part.paragraphs:
            doc.add_paragraph(paragraph)
        for paragraph in part.office:
            doc.add_paragraph(paragraph).paragraph_format.first_line_indent = Pt(22)
        if part.key == "results" and headline is not None:
            for table in headline.tables:
                _table(doc, table)
        if part.cases:
            doc.add_heading(_("Typical cases"), level=2)
            for case in part.cases:
                doc.add_paragraph(case, style="List Number")
        for table in part.tables:
            _table(doc, table)
    doc.save(out)
