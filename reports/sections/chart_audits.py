"""病历抽查 — charts audited, problem charts, grades, rectification (``inspections.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..content import DATE, INT, NUM, PCT, Chart, Column, Section, Series, Table, fmt_num, fmt_pct, no_data
from .base import (
    BuildContext,
    Indicator,
    attention_first,
    choice_labels,
    department_pdf_columns,
    department_pdf_rows,
    selectors_of,
    yes_no,
)

KEY = "chart_audits"
APP = "inspections"


@dataclass(frozen=True)
class ChartAuditFigures:
    audited: int
    problem: int
    rectification_rate: float | None  # closed ÷ orders for problem charts, %


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Chart audit"))
    sel = selectors_of(APP, "chart_audit_summary", "chart_audits_by_department")
    kw = ctx.selector_kwargs
    summary = sel.chart_audit_summary(**kw) if sel else None
    ctx.headline.append(
        Indicator(
            _("Charts audited"), None, summary["audited"] if summary and summary["audited"] else None, INT
        )
    )
    ctx.headline.append(
        Indicator(
            _("Rectification rate of problem charts"),
            None,
            summary["rectification_rate"] if summary and summary["audited"] else None,
            PCT,
        )
    )
    if not summary or not summary["audited"]:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "chart audit")))
        return section
    ctx.figures.chart_audits = ChartAuditFigures(
        audited=summary["audited"],
        problem=summary["problem"],
        rectification_rate=summary["rectification_rate"],
    )
    grades = summary["grades"]
    section.paragraphs.append(
        ngettext(
            "%(audited)s medical record was audited; problem charts found: %(problem)s (%(problem_rate)s); "
            "grade A %(a)s, grade B %(b)s, grade C %(c)s (grade A rate %(a_rate)s), mean score %(score)s. "
            "Rectification orders for problem charts: %(orders)s, closed: %(closed)s, a rectification "
            "rate of %(rate)s.",
            "%(audited)s medical records were audited; problem charts found: %(problem)s (%(problem_rate)s); "
            "grade A %(a)s, grade B %(b)s, grade C %(c)s (grade A rate %(a_rate)s), mean score %(score)s. "
            "Rectification orders for problem charts: %(orders)s, closed: %(closed)s, a rectification "
            "rate of %(rate)s.",
            summary["audited"],
        )
        % {
            "audited": summary["audited"],
            "problem": summary["problem"],
            "problem_rate": fmt_pct(summary["problem_rate"]),
            "a": grades["A"],
            "b": grades["B"],
            "c": grades["C"],
            "a_rate": fmt_pct(summary["grade_a_rate"]),
            "score": fmt_num(summary["avg_score"]),
            "orders": summary["orders"],
            "closed": summary["orders_closed"],
            "rate": fmt_pct(summary["rectification_rate"]),
        }
    )
    rows = sel.chart_audits_by_department(**kw)
    section.tables.append(
        Table(
            _("Chart audit by department"),
            [
                Column(_("Department")),
                Column(_("Charts audited"), INT),
                Column(_("Problem charts"), INT),
                Column(_("Grade A"), INT),
                Column(_("Grade B"), INT),
                Column(_("Grade C"), INT),
                Column(_("Mean score"), NUM),
                Column(_("Rectification rate"), PCT),
            ],
            [
                [
                    r["department"],
                    r["audited"],
                    r["problem"],
                    r["grades"]["A"],
                    r["grades"]["B"],
                    r["grades"]["C"],
                    r["avg_score"],
                    r["rectification_rate"],
                ]
                for r in attention_first(rows, lambda r: r["avg_score"])
            ],
            pdf_rows=department_pdf_rows(ctx),
            # a month's PDF: the grades per department are in the workbook (the chart below has the
            # hospital's grade distribution)
            pdf_columns=department_pdf_columns(ctx, [0, 1, 2, 6, 7]),
        )
    )
    section.charts.append(
        Chart(
            "bar",
            _("Charts by grade"),
            [_("Grade A"), _("Grade B"), _("Grade C")],
            [Series(_("Charts"), [grades["A"], grades["B"], grades["C"]])],
            y_label=_("Charts"),
        )
    )
    return section


def data_sheet(ctx: BuildContext) -> None:
    """The charts audited in the period, one row each (no doctor, no patient), for re-cutting."""
    sel = selectors_of(APP, "audit_rows")
    if sel is None:
        return
    grades = choice_labels(APP, "Grade")

    def rows():
        for r in sel.audit_rows(**ctx.selector_kwargs):
            yield [
                timezone.localdate(r["audited_at"]),
                r["department__name"],
                r["score"],
                grades.get(r["grade"], r["grade"]),
                yes_no(r["vetoed"]),
                yes_no(r["is_problem"]),
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "Chart audit"),
        [
            Column(_("Date"), DATE),
            Column(_("Department")),
            Column(_("Score"), NUM),
            Column(_("Grade")),
            Column(_("Single veto")),
            Column(_("Problem chart")),
        ],
        rows,
    )
