"""院周会通报 — the hospital weekly meeting list: the rectification orders standing at the escalation
ladder's weekly-meeting rung when the list is built (docs/supervision.md, "The escalation ladder").

The whole of a weekly-meeting report: one section, one table; the PDF fits one A4 page (the first
``pdf_list_rows()`` orders, the workbook lists them all)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from supervision import selectors as core
from supervision.infra.wording import join_list
from supervision.models import OrderStatus, RungTarget, Severity

from ..content import INT, Column, Section, Table
from .base import BuildContext, pdf_list_rows

KEY = "weekly_meeting"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, str(RungTarget.WEEKLY_MEETING.label))
    rows = core.orders_at_rung(RungTarget.WEEKLY_MEETING, departments=ctx.department_ids, today=ctx.as_of)
    if not rows:
        section.empty = True
        section.paragraphs.append(
            _("As of %(as_of)s no rectification order is on the weekly meeting list.")
            % {"as_of": date_format(ctx.as_of, "DATE_FORMAT")}
        )
        return section
    departments = {r["department_id"] for r in rows}
    section.paragraphs.append(
        ngettext(
            "As of %(as_of)s, %(n)s rectification order is on the weekly meeting list (departments: "
            "%(departments)s): it is past its deadline by the weekly-meeting rung of the escalation ladder "
            "or more and still not rectified.",
            "As of %(as_of)s, %(n)s rectification orders are on the weekly meeting list (departments: "
            "%(departments)s): each is past its deadline by the weekly-meeting rung of the escalation ladder "
            "or more and still not rectified.",
            len(rows),
        )
        % {"as_of": date_format(ctx.as_of, "DATE_FORMAT"), "n": len(rows), "departments": len(departments)}
    )
    statuses, severities = dict(OrderStatus.choices), dict(Severity.choices)
    section.tables.append(
        Table(
            _("Orders on the weekly meeting list"),
            [
                Column(_("Order")),
                Column(_("Department")),
                Column(_("Category")),
                Column(_("Severity")),
                Column(_("Problem description")),
                Column(_("Deadline")),
                Column(_("Days overdue"), INT),
                Column(_("Status")),
                Column(_("Vice-president in charge")),
            ],
            [
                [
                    r["number"],
                    r["department__name"],
                    r["finding__category__name"],
                    str(severities.get(r["finding__severity"], r["finding__severity"])),
                    _shorten(r["finding__description"]),
                    r["deadline"].isoformat(),  # 2026-11-22: fits the column in both languages,
                    r["days_overdue"],
                    str(statuses.get(r["status"], r["status"])),
                    join_list(r["vice_presidents"]) or "—",
                ]
                for r in rows
            ],
            pdf_rows=pdf_list_rows(),
            # order, department, category, severity, problem, deadline, days, status, vice-president
            pdf_widths=[16, 9, 10, 7, 22, 11, 7, 8, 10],
        )
    )
    return section


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
