"""不满意患者预警 — alerts on unhappy patients and their service recovery (issue 17): raised (low
survey scores, calls recorded not satisfied), contacted in time, mean time to contact, outcomes
(``supervision.selectors.alert_figures``, the same figures as the /alerts/ page).

The alerts are the core's; the surveys channel declares this section in its contract, since its
low scores are what raises most of them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision import selectors

from ..content import INT, NUM, PCT, Column, Section, Table, fmt_num, fmt_pct, no_data
from .base import BuildContext

KEY = "alerts"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Unhappy patients and service recovery"))
    fig = selectors.alert_figures(**ctx.selector_kwargs, today=ctx.as_of)
    if not fig["raised"]:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "unhappy-patient alert")))
        return section
    section.paragraphs.append(
        _(
            "%(raised)s alerts on unhappy patients were raised (%(survey)s from low survey scores, "
            "%(call)s from follow-up calls recorded not satisfied). %(on_time)s of the %(contactable)s "
            "patients who could be contacted were contacted in time (%(rate)s); the mean time to "
            "contact was %(hours)s hours. %(open)s alerts are not yet closed, %(overdue)s of them past "
            "their day."
        )
        % {
            "raised": fig["raised"],
            "survey": fig["survey"],
            "call": fig["call"],
            "on_time": fig["on_time"],
            "contactable": fig["due"],
            "rate": fmt_pct(fig["on_time_rate"]),
            "hours": fmt_num(fig["recovery_hours"]) if fig["recovery_hours"] is not None else "—",
            "open": fig["open"],
            "overdue": fig["overdue"],
        }
    )
    section.tables.append(
        Table(
            _("Service recovery of unhappy patients"),
            [Column(_("Figure")), Column(_("Value"), INT)],
            [
                [_("Alerts raised"), fig["raised"]],
                [_("Patients contacted"), fig["contacted"]],
                [_("Patients contacted in time"), fig["on_time"]],
                [_("Not yet closed"), fig["open"]],
                [_("Past their day, not contacted"), fig["overdue"]],
            ],
        )
    )
    section.tables.append(
        Table(
            _("Rate and time of the service recovery"),
            [Column(_("Contacted in time"), PCT), Column(_("Mean time to contact (hours)"), NUM)],
            [[fig["on_time_rate"], fig["recovery_hours"]]],
        )
    )
    section.tables.append(
        Table(
            _("Outcomes of closed alerts"),
            [Column(pgettext("alert", "Outcome")), Column(_("Alerts"), INT)],
            [[o["label"], o["count"]] for o in fig["outcomes"]],
        )
    )
    return section
