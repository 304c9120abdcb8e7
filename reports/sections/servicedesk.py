"""客服中心 — the customer-service centre's work: entries by kind, small services, escort minutes,
service recoveries and their cost, coordinations turned into complaints, suggestion-box slips; per
person and per department (``servicedesk.selectors.figures``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..content import INT, Chart, Column, Section, Series, Table, fmt_num, no_data
from .base import BuildContext, choice_labels, department_pdf_rows, selectors_of

KEY = "servicedesk"
APP = "servicedesk"


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Customer-service centre"))
    sel = selectors_of(APP, "figures")
    fig = sel.figures(**ctx.selector_kwargs, today=ctx.as_of) if sel else None
    if fig is None or not (fig["total"] or any(fig["slips"].values())):
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "customer-service")))
        return section
    kinds = choice_labels(APP, "EntryKind")
    by_kind = fig["by_kind"]
    section.paragraphs.append(
        _(
            "The service desk logged %(total)s pieces of work: %(consultation)s consultations, %(escort)s "
            "escorts (%(minutes)s minutes in all), %(service)s small services, %(coordination)s "
            "coordinations and %(recovery)s service recoveries (cost %(cost)s yuan). %(complaints)s "
            "were turned into complaints."
        )
        % {
            "total": fig["total"],
            "consultation": by_kind["consultation"],
            "escort": by_kind["escort"],
            "minutes": fig["escort_minutes"],
            "service": by_kind["service"],
            "coordination": by_kind["coordination"],
            "recovery": by_kind["recovery"],
            "cost": fmt_num(fig["recovery_cost"]),
            "complaints": fig["turned_complaints"],
        }
    )
    slips = fig["slips"]
    section.paragraphs.append(
        ngettext(
            "The suggestion boxes were opened %(openings)s time; slips found: praise %(praise)s, "
            "suggestions %(suggestion)s, complaints %(complaint)s.",
            "The suggestion boxes were opened %(openings)s times; slips found: praise %(praise)s, "
            "suggestions %(suggestion)s, complaints %(complaint)s.",
            fig["openings"],
        )
        % {"openings": fig["openings"], **slips}
    )
    section.tables.append(
        Table(
            _("Service-desk work by kind"),
            [Column(_("Kind")), Column(_("Entries"), INT)],
            [[kinds.get(kind, kind), n] for kind, n in by_kind.items()],
        )
    )
    if fig["by_service"]:
        section.tables.append(
            Table(
                _("Small services"),
                [Column(_("Service")), Column(_("Entries"), INT)],
                [[r["service"], r["count"]] for r in fig["by_service"]],
            )
        )
    section.tables.append(
        Table(
            _("Service-desk work by person"),
            [
                Column(_("Staff member")),
                Column(_("Entries"), INT),
                Column(_("Escort minutes"), INT),
                Column(_("Service recoveries"), INT),
                Column(_("Turned into complaints"), INT),
            ],
            [
                [r["name"], r["count"], r["escort_minutes"], r["recoveries"], r["complaints"]]
                for r in fig["by_person"]
            ],
        )
    )
    if fig["by_department"]:
        section.tables.append(
            Table(
                _("Service-desk work by department"),
                [
                    Column(_("Department")),
                    Column(_("Entries"), INT),
                    Column(_("Coordinations"), INT),
                    Column(_("Turned into complaints"), INT),
                ],
                [
                    [r["department"], r["count"], r["coordinations"], r["complaints"]]
                    for r in fig["by_department"]
                ],
                pdf_rows=department_pdf_rows(ctx),
            )
        )
    if len(fig["by_day"]) > 1:
        section.charts.append(
            Chart(
                "bar",
                _("Service-desk entries per day"),
                [r["day"].strftime("%m-%d") for r in fig["by_day"]],
                [Series(_("Entries"), [r["count"] for r in fig["by_day"]])],
                y_label=_("Entries"),
            )
        )
    return section
