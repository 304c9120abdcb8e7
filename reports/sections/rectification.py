"""整改情况 — the rectification orders of the period's findings, as they stand when the report is built."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision import selectors as core
from supervision.infra.wording import join_list

from ..content import INT, PCT, Column, Section, Table, fmt_pct, rate
from .base import (
    BuildContext,
    Indicator,
    department_pdf_columns,
    department_pdf_rows,
    findings_in_period,
    orders_in_period,
    pdf_list_rows,
)

KEY = "rectification"


@dataclass(frozen=True)
class OrderFigures:
    total: int
    closed: int
    closed_on_time: int
    overdue: int
    rectification_rate: float | None  # closed ÷ orders, %
    on_time_rate: float | None  # closed by the (final) deadline ÷ closed, %
    awaiting_check: int = 0  # verified, effectiveness not yet checked
    effective: int = 0  # effectiveness checks found effective
    evaluated: int = 0  # effectiveness checks recorded
    effectiveness_rate: float | None = None  # effective ÷ evaluated, % (exact)


def exact_rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator in %, unrounded (the PDF and the workbook round it when shown)."""
    return 100 * numerator / denominator if denominator else None


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Rectification"))
    orders = orders_in_period(ctx)
    counts = core.order_counts(orders, today=ctx.as_of)
    recurrences = ctx.figures.findings.recurrences if ctx.figures.findings else 0
    ctx.figures.orders = OrderFigures(
        total=counts.total,
        closed=counts.closed,
        closed_on_time=counts.closed_on_time,
        overdue=counts.overdue,
        rectification_rate=counts.rectification_rate,
        on_time_rate=counts.on_time_rate,
        awaiting_check=counts.awaiting_check,
        effective=counts.effective,
        evaluated=counts.evaluated,
        effectiveness_rate=counts.effectiveness_rate,
    )
    ctx.headline.append(
        Indicator(
            _("Rectification rate"),
            float(ctx.config.target_rectification_rate),
            counts.rectification_rate,
            PCT,
        )
    )
    ctx.headline.append(
        Indicator(
            _("On-time rectification rate"), float(ctx.config.target_on_time_rate), counts.on_time_rate, PCT
        )
    )
    if not counts.total:
        section.empty = True
        section.paragraphs.append(_("No rectification orders were issued for the findings of this period."))
        if recurrences:
            section.paragraphs.append(_("Recurring problems: %(n)s.") % {"n": recurrences})
        return section
    # Plural on the orders issued; the other counts read "label: n", right for 1 as for many.
    section.paragraphs.append(
        ngettext(
            "%(total)s rectification order was issued for the findings of this period. Verified and closed: "
            "%(closed)s, a rectification rate of %(rate)s; closed by the deadline: %(on_time)s, an on-time "
            "rate of %(on_time_rate)s. Overdue as of %(as_of)s: %(overdue)s. Recurring problems: %(recurrences)s.",
            "%(total)s rectification orders were issued for the findings of this period. Verified and closed: "
            "%(closed)s, a rectification rate of %(rate)s; closed by the deadline: %(on_time)s, an on-time "
            "rate of %(on_time_rate)s. Overdue as of %(as_of)s: %(overdue)s. Recurring problems: %(recurrences)s.",
            counts.total,
        )
        % {
            "total": counts.total,
            "closed": counts.closed,
            "rate": fmt_pct(counts.rectification_rate),
            "on_time": counts.closed_on_time,
            "on_time_rate": fmt_pct(counts.on_time_rate),
            "as_of": date_format(ctx.as_of, "DATE_FORMAT"),
            "overdue": counts.overdue,
            "recurrences": recurrences,
        }
    )
    section.paragraphs.append(
        _(
            "Effectiveness checks: %(evaluated)s recorded, %(effective)s found the fix held, an effectiveness "
            "rate of %(rate)s; verified orders awaiting their check: %(awaiting)s."
        )
        % {
            "evaluated": counts.evaluated,
            "effective": counts.effective,
            "rate": fmt_pct(counts.effectiveness_rate),
            "awaiting": counts.awaiting_check,
        }
    )
    checks = core.effectiveness_by_department(orders)
    rows = []
    for r in core.department_order_table(orders, today=ctx.as_of):
        rect, on_time = rate(r["closed"], r["total"]), rate(r["closed_on_time"], r["closed"])
        dept_checks = checks.get(r["department_id"], {"effective": 0, "evaluated": 0})
        rows.append(
            [
                r["department__name"],
                r["total"],
                r["open"],
                r["overdue"],
                r["closed"],
                r["closed_on_time"],
                rect,
                on_time,
                r["awaiting_check"],
                dept_checks["evaluated"],
                exact_rate(dept_checks["effective"], dept_checks["evaluated"]),
            ]
        )
        inputs = ctx.dept(r["department_id"])
        inputs.rectification, inputs.on_time = rect, on_time
    section.tables.append(
        Table(
            _("Rectification by department"),
            [
                Column(_("Department")),
                Column(_("Orders"), INT),
                Column(_("Open"), INT),
                Column(_("Overdue"), INT),
                Column(_("Closed"), INT),
                Column(_("Closed on time"), INT),
                Column(_("Rectification rate"), PCT),
                Column(_("On-time rate"), PCT),
                Column(_("Awaiting effectiveness check"), INT),
                Column(_("Checks recorded"), INT),
                Column(_("Effectiveness rate"), PCT),
            ],
            rows,
            pdf_rows=department_pdf_rows(ctx),
            # a month's PDF: orders, open, overdue and the two rates; the closed counts behind the
            # rates and the effectiveness checks are in the workbook (55 cells fewer at 10 rows)
            pdf_columns=department_pdf_columns(ctx, [0, 1, 2, 3, 6, 7]),
        )
    )
    causes = core.cause_counts(orders)
    if causes.analysed:
        named = [
            (name if name is not None else _("No category"), n)
            for name, n in zip(causes.categories, causes.totals, strict=True)
            if n
        ]
        section.paragraphs.append(
            _("Root causes of the %(n)s orders analysed so far: %(causes)s.")
            % {"n": causes.analysed, "causes": join_list(f"{name} {n}" for name, n in named)}
        )
        commonest = sorted(range(len(causes.totals)), key=lambda i: -causes.totals[i])
        section.tables.append(
            Table(
                _("Root causes by department"),
                [
                    Column(_("Department")),
                    *(
                        Column(name if name is not None else _("No category"), INT)
                        for name in causes.categories
                    ),
                    Column(_("Orders analysed"), INT),
                ],
                # The departments with the most analysed orders first (the PDF shows the first rows).
                [
                    [name, *counts, analysed]
                    for name, counts, analysed in sorted(causes.rows, key=lambda r: -r[2])
                ],
                pdf_rows=department_pdf_rows(ctx),
                # a month's PDF: the three commonest causes hospital-wide (the paragraph above names
                # every one); the workbook has every category's column
                pdf_columns=department_pdf_columns(
                    ctx, [0, *sorted(1 + i for i in commonest[:3]), 1 + len(causes.categories)]
                ),
            )
        )
    rec_rows = list(
        findings_in_period(ctx)
        .filter(recurrence_of__isnull=False)
        .values("department_id", "department__name", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name", "category__name")
    )
    for r in rec_rows:
        ctx.dept(r["department_id"]).recurrences += r["n"]
    if rec_rows:
        section.tables.append(
            Table(
                _("Recurring problems"),
                [Column(_("Department")), Column(_("Category")), Column(_("Recurrences"), INT)],
                [[r["department__name"], r["category__name"], r["n"]] for r in rec_rows],
                pdf_rows=pdf_list_rows(),
            )
        )
    return section
