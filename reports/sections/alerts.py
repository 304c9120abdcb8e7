"""不满意患者预警 — alerts on unhappy patients and their service recovery (issue 17): raised (low
survey scores, calls recorded not satisfied), contacted in time, mean time to contact, outcomes
(``supervision.selectors.alert_figures``, the same figures as the /alerts/ page).

The alerts are the core's; the surveys channel declares this section in its contract, since its
low scores are what raises most of them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision import selectors

from ..content import INT, NUM, PCT, Column, Section, Table, fmt_int, fmt_num, fmt_pct, no_data
from .base import BuildContext

KEY = "alerts"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Unhappy patients and service recovery"))
    fig = selectors.alert_figures(**ctx.selector_kwargs, today=ctx.as_of)
    if not fig["raised"]:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "unhappy-patient alert")))
        return section
    section.paragraphs.extend(_sentences(fig))
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


def _sentences(fig: dict) -> list[str]:
    """The section's text: what was raised, how the recovery went, what is still open — each
    figure named for what it counts (``due``: the alerts whose contact was due by now, those nobody
    may contact left out; not every alert), the number agreeing with its noun, counts written with
    the thousands separator."""
    n = {key: fmt_int(fig[key]) for key in ("raised", "survey", "call", "due", "on_time", "open", "overdue")}
    out = [
        ngettext(
            "%(raised)s alert on an unhappy patient was raised (%(survey)s from low survey scores, "
            "%(call)s from follow-up calls recorded not satisfied).",
            "%(raised)s alerts on unhappy patients were raised (%(survey)s from low survey scores, "
            "%(call)s from follow-up calls recorded not satisfied).",
            fig["raised"],
        )
        % n
    ]
    if not fig["due"]:
        out.append(_("No patient's contact was due yet."))
    elif fig["contacted"]:
        out.append(
            ngettext(
                "%(on_time)s of the %(due)s patient whose contact was due by now was contacted in time "
                "(%(rate)s); the mean time from the alert to the contact was %(hours)s hours.",
                "%(on_time)s of the %(due)s patients whose contact was due by now were contacted in time "
                "(%(rate)s); the mean time from the alert to the contact was %(hours)s hours.",
                fig["due"],
            )
            % {**n, "rate": fmt_pct(fig["on_time_rate"]), "hours": fmt_num(fig["recovery_hours"])}
        )
    else:
        out.append(
            ngettext(
                "The %(due)s patient whose contact was due by now was not contacted.",
                "None of the %(due)s patients whose contact was due by now was contacted.",
                fig["due"],
            )
            % n
        )
    if fig["open"]:
        out.append(
            ngettext(
                "%(open)s alert is not yet closed (%(overdue)s past its day without a contact).",
                "%(open)s alerts are not yet closed (%(overdue)s of them past their day without a contact).",
                fig["open"],
            )
            % n
        )
    else:
        out.append(_("Every alert raised in the period is closed."))
    return out
