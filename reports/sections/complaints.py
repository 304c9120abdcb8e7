"""投诉 — complaints received, accepted, valid, answered on time; by channel, category, department
and month (``complaints.selectors.figures``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision.infra.wording import join_list

from ..content import DATE, INT, PCT, Chart, Column, Section, Series, Table, fmt_num, fmt_pct, no_data
from .base import BuildContext, Indicator, choice_labels, department_pdf_rows, selectors_of, yes_no

KEY = "complaints"
APP = "complaints"


@dataclass(frozen=True)
class ComplaintFigures:
    total: int  # received in the period
    valid: int  # determined valid or partly valid
    on_time_rate: float | None  # answered within the time limit, %
    zero_departments: int  # departments without a complaint


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Complaints"))
    sel = selectors_of(APP, "figures")
    fig = sel.figures(**ctx.selector_kwargs, today=ctx.as_of) if sel else None
    # headline figures (compared with the same period last year); none recorded is "no data"
    ctx.headline.append(
        Indicator(_("Complaints received"), None, fig.total if fig and fig.total else None, INT)
    )
    ctx.headline.append(
        Indicator(
            _("Complaints answered on time"), None, fig.on_time["share"] if fig and fig.total else None, PCT
        )
    )
    if fig is None or not fig.total:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "complaint")))
        return section
    valid = fig.valid["valid"] + fig.valid["partly_valid"]
    zero = fig.reward_list
    ctx.figures.complaints = ComplaintFigures(
        total=fig.total, valid=valid, on_time_rate=fig.on_time["share"], zero_departments=len(zero)
    )
    # Plural on the complaints received; the other counts read "label: n", right for 1 as for many.
    section.paragraphs.append(
        ngettext(
            "%(total)s complaint was received. Accepted: %(accepted)s, not accepted: %(refused)s; found valid or "
            "partly valid: %(valid)s (%(valid_share)s of those determined); answered within the time limit: "
            "%(on_time)s (%(on_time_share)s); past the due date unanswered: %(overdue)s; mean time to answer: "
            "%(days)s working days.",
            "%(total)s complaints were received. Accepted: %(accepted)s, not accepted: %(refused)s; found valid or "
            "partly valid: %(valid)s (%(valid_share)s of those determined); answered within the time limit: "
            "%(on_time)s (%(on_time_share)s); past the due date unanswered: %(overdue)s; mean time to answer: "
            "%(days)s working days.",
            fig.total,
        )
        % {
            "total": fig.total,
            "accepted": fig.accepted["accepted"],
            "refused": fig.accepted["not_accepted"],
            "valid": valid,
            "valid_share": fmt_pct(fig.valid["share"]),
            "on_time": fig.on_time["on_time"],
            "on_time_share": fmt_pct(fig.on_time["share"]),
            "overdue": fig.on_time["overdue_unanswered"],
            "days": fmt_num(fig.average_days["average"]),
        }
    )
    section.paragraphs.append(
        ngettext(
            "%(n)s department had no complaint in this period: %(names)s.",
            "%(n)s departments had no complaint in this period: %(names)s.",
            len(zero),
        )
        % {"n": len(zero), "names": join_list(d["department"] for d in zero) or "—"}
    )
    section.tables.append(
        Table(
            _("Complaints by channel"),
            [Column(_("Channel")), Column(_("Number of complaints"), INT)],
            [[r["label"], r["count"]] for r in fig.by_channel if r["count"]],
        )
    )
    if fig.by_category:
        section.tables.append(
            Table(
                _("Complaints by category"),
                [Column(_("Category")), Column(_("Number of complaints"), INT)],
                [[r["category"], r["count"]] for r in fig.by_category],
            )
        )
    _intake(section, fig)
    valid_by_dept = {r["department_id"]: r["valid"] for r in fig.by_department}
    section.tables.append(
        Table(
            _("Complaints by department"),
            [Column(_("Department")), Column(_("Number of complaints"), INT), Column(_("Valid"), INT)],
            [[r["department"], r["count"], r["valid"]] for r in fig.by_department],
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    for d in ctx.departments:
        if d.active:
            ctx.dept(d.pk).valid_complaints = valid_by_dept.get(d.pk, 0)
    _verdicts(section, fig)
    section.charts.append(
        Chart(
            "line" if len(fig.by_month) > 1 else "bar",
            _("Complaints per month"),
            [r["month"] for r in fig.by_month],
            [Series(_("Number of complaints"), [r["count"] for r in fig.by_month])],
            y_label=_("Number of complaints"),
        )
    )
    return section


def _intake(section: Section, fig) -> None:
    """Received = accepted + not accepted + awaiting the decision, and the complaints not accepted by
    reason (the list's names; one refused before the list existed has none) — the figures page's
    intake, from the same selector (``complaints.selectors.intake``)."""
    intake = getattr(fig, "intake", None)
    if intake is None:
        return
    section.paragraphs.append(
        _(
            "Intake: %(received)s received, %(accepted)s accepted, %(refused)s not accepted (%(told)s of them "
            "told the reason within the time limit), %(waiting)s awaiting the decision."
        )
        % {
            "received": intake["received"],
            "accepted": intake["accepted"],
            "refused": intake["not_accepted"],
            "told": intake["not_accepted_on_time"],
            "waiting": intake["waiting"],
        }
    )
    if intake["by_reason"]:
        section.tables.append(
            Table(
                _("Complaints not accepted, by reason"),
                [Column(_("Reason for not accepting")), Column(_("Number of complaints"), INT)],
                [
                    [r["reason"] or _("No reason from the list (recorded earlier)"), r["count"]]
                    for r in intake["by_reason"]
                ],
            )
        )


def _verdicts(section: Section, fig) -> None:
    """The complainants' verdicts on the handling beside their satisfaction with the outcome at
    closing; per handler and per department only from the minimum number of verdicts (a row below
    it gives its count, no shares: nobody can tell who said what)."""
    satisfaction, verdicts = getattr(fig, "satisfaction", None), getattr(fig, "verdicts", None)
    if satisfaction is None or verdicts is None:
        return
    total = verdicts["total"]
    section.paragraphs.append(
        _(
            "Satisfied with the outcome at closing: %(satisfaction)s (%(satisfied)s of %(reached)s complainants "
            "reached). %(n)s complainants gave their verdict on the handling: handled %(handled)s, fair "
            "%(fair)s, contact good %(contact)s."
        )
        % {
            "satisfaction": fmt_pct(satisfaction["share"]),
            "satisfied": satisfaction["satisfied"] + satisfaction["basically"],
            "reached": satisfaction["reached"],
            "n": total["count"],
            "handled": fmt_pct(total["handled"]),
            "fair": fmt_pct(total["fair"]),
            "contact": fmt_pct(total["contact"]),
        }
    )
    if not total["count"]:
        return
    note = _("Shares are shown from %(n)s verdicts up.") % {"n": verdicts["minimum"]}

    def columns(first):
        return [
            Column(first),
            Column(_("Verdicts"), INT),
            Column(_("Handled"), PCT),
            Column(_("Fair"), PCT),
            Column(_("Contact good"), PCT),
        ]

    def cells(r):
        return [r["count"], r["handled"], r["fair"], r["contact"]]

    section.tables.append(
        Table(
            _("Complainants' verdict by handler"),
            columns(_("Handler")),
            [[r["handler"], *cells(r)] for r in verdicts["by_handler"]],
            note=note,
        )
    )
    section.tables.append(
        Table(
            _("Complainants' verdict by department"),
            columns(_("Department")),
            [[r["department"], *cells(r)] for r in verdicts["by_department"]],
            note=note,
        )
    )


def data_sheet(ctx: BuildContext) -> None:
    """The complaints received in the period, one row each (nothing about the complainant)."""
    sel = selectors_of(APP, "complaint_rows")
    if sel is None:
        return
    channels, statuses = choice_labels(APP, "ComplaintChannel"), choice_labels(APP, "ComplaintStatus")
    determinations = choice_labels(APP, "Determination")

    def rows():
        for r in sel.complaint_rows(**ctx.selector_kwargs):
            on_time = r["answered_on_time"]
            yield [
                r["number"],
                r["received_on"],
                channels.get(r["channel"], r["channel"]),
                r["department__name"] or "",
                statuses.get(r["status"], r["status"]),
                yes_no(r["accepted_at"] is not None),
                determinations.get(r["determination"], "") if r["determination"] else "",
                r["answer_working_days"],
                "" if on_time is None else yes_no(on_time),
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "Complaints"),
        [
            Column(_("Number")),
            Column(_("Date received"), DATE),
            Column(_("Channel")),
            Column(_("Department")),
            Column(_("Status")),
            Column(pgettext("complaint", "Accepted")),
            Column(_("Determination")),
            Column(_("Working days to answer"), INT),
            Column(_("Answered within the time limit")),
        ],
        rows,
    )
