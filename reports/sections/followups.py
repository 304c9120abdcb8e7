"""出院随访 — follow-up of discharged stays: by month and department, outcomes, spot-checks and the
follow-up rate p-charts (``followups.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision.infra.wording import join_list

from ..charts import p_chart
from ..content import DATE, INT, PCT, Chart, Column, Section, Series, Table, fmt_pct, no_data
from ..models import ReportKind
from ..periods import month_label, trend_window
from .base import BuildContext, Indicator, choice_labels, run_chart_limit, selectors_of, yes_no

KEY = "followups"
APP = "followups"


@dataclass(frozen=True)
class FollowupFigures:
    discharged: int  # stays discharged in the period
    followed_up: int  # of them, reached at least once (a stay counts once)
    rate: float | None  # followed_up ÷ discharged, %
    lowest: str  # the departments with the lowest rates and their rates, worded for the text
    spotcheck_rate: float | None  # patients called back who confirm the follow-up, %


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Discharge follow-up"))
    sel = selectors_of(
        APP,
        "followup_summary",
        "followup_month_department_table",
        "outcome_breakdown",
        "contact_success",
    )
    kw = ctx.selector_kwargs
    summary = sel.followup_summary(**kw) if sel else None
    ctx.headline.append(
        Indicator(
            _("Follow-up rate"),
            float(ctx.config.target_followup_rate),
            summary["rate"] if summary else None,
            PCT,
        )
    )
    if not summary or not summary["discharged"]:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "discharge follow-up")))
        return section
    table = sel.followup_month_department_table(**kw)
    lowest = sorted((r for r in table["rows"] if r["lowest"]), key=lambda r: r["total"]["rate"])
    spot = selectors_of(APP, "spotcheck_confirmation")
    checks = spot.spotcheck_confirmation(**kw)["total"] if spot else None
    checked = bool(checks and checks["checked"])
    figures = ctx.figures.followups = FollowupFigures(
        discharged=summary["discharged"],
        followed_up=summary["reached"],
        rate=summary["rate"],
        lowest=join_list(f"{r['department']}（{fmt_pct(r['total']['rate'])}）" for r in lowest),
        spotcheck_rate=checks["rate"] if checked else None,
    )
    section.paragraphs.append(
        _(
            "%(discharged)s patients were discharged in this period and %(followed)s of them followed up, "
            "a follow-up rate of %(rate)s (stays discharged in the period; a stay counts once however many calls)."
        )
        % {
            "discharged": figures.discharged,
            "followed": figures.followed_up,
            "rate": fmt_pct(figures.rate),
        }
    )
    if lowest:
        section.paragraphs.append(
            _("Departments with the lowest follow-up rates: %(names)s.") % {"names": figures.lowest}
        )
    month_rows = [
        [month_label(t["month"]), t["discharged"], t["reached"], t["rate"]] for t in table["totals"]
    ]
    month_rows.append(
        [_("Total"), table["total"]["discharged"], table["total"]["reached"], table["total"]["rate"]]
    )
    section.tables.append(
        Table(
            _("Follow-up by month of discharge"),
            [
                Column(_("Month")),
                Column(_("Stays discharged"), INT),
                Column(_("Followed up"), INT),
                Column(_("Follow-up rate"), PCT),
            ],
            month_rows,
        )
    )
    dept_rows = sorted(table["rows"], key=lambda r: (r["total"]["rate"] is None, -(r["total"]["rate"] or 0)))
    for r in dept_rows:
        ctx.dept(r["department_id"]).followup = r["total"]["rate"]
    section.tables.append(
        Table(
            _("Follow-up by department (appendix)"),
            [
                Column(_("Department")),
                Column(_("Stays discharged"), INT),
                Column(_("Followed up"), INT),
                Column(_("Follow-up rate"), PCT),
                Column(_("Among the lowest")),
            ],
            [
                [
                    r["department"],
                    r["total"]["discharged"],
                    r["total"]["reached"],
                    r["total"]["rate"],
                    yes_no(r["lowest"]),
                ]
                for r in dept_rows
            ],
        )
    )
    outcomes = [o for o in sel.outcome_breakdown(**kw) if o["count"]]
    success = sel.contact_success(**kw)
    if outcomes:
        section.paragraphs.append(
            _(
                "%(attempts)s call and letter attempts were made; %(contacted)s reached the patient or family (%(rate)s)."
            )
            % {
                "attempts": success["attempts"],
                "contacted": success["contacted"],
                "rate": fmt_pct(success["rate"]),
            }
        )
        section.tables.append(
            Table(
                _("Outcome of the attempts"),
                [Column(_("Outcome")), Column(_("Attempts"), INT), Column(_("Share"), PCT)],
                [[o["label"], o["count"], o["share"]] for o in outcomes],
            )
        )
    if checked:
        section.paragraphs.append(
            _(
                "Spot-check of the follow-up: %(checked)s discharged patients were called back, %(confirmed)s "
                "confirmed they had been followed up (%(rate)s)."
            )
            % {
                "checked": checks["checked"],
                "confirmed": checks["confirmed"],
                "rate": fmt_pct(checks["rate"]),
            }
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "follow-up spot-check")))
    # run charts (p-chart: followed-up stays ÷ discharged stays per month of discharge)
    first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == ReportKind.ANNUAL else 12)
    trend = sel.followup_month_department_table(start=first, end=last, departments=ctx.department_ids)
    labels = [month_label(m) for m in trend["months"]]

    def run(title, cells, name=""):
        x = [c["reached"] if c["discharged"] else None for c in cells]
        n = [c["discharged"] for c in cells]
        series = [Series(_("Follow-up rate"), [c["rate"] for c in cells])]
        section.charts.append(
            Chart(
                "run",
                title,
                labels,
                series,
                "%",
                True,
                p_chart(x, n),
                compact=bool(name),
                name=name,
                group=_("Follow-up rate per month by department (p-charts)") if name else "",
            )
        )

    run(_("Follow-up rate per month (p-chart)"), trend["totals"])
    for r in sorted(trend["rows"], key=lambda r: -r["total"]["discharged"])[: run_chart_limit()]:
        run(
            _("%(department)s: follow-up rate per month (p-chart)") % {"department": r["department"]},
            r["cells"],
            name=r["department"],
        )
    return section


def data_sheet(ctx: BuildContext) -> None:
    """The stays discharged in the period, one row each (no patient data), for re-cutting."""
    sel = selectors_of(APP, "stay_rows")
    if sel is None:
        return
    dispositions = choice_labels(APP, "Disposition")

    def rows():
        for r in sel.stay_rows(**ctx.selector_kwargs):
            attempts = r["attempts"]
            yield [
                r["discharged_on"],
                month_label(r["discharged_on"].replace(day=1)),
                r["department__name"],
                attempts or 0,
                yes_no(bool(r["reached_tasks"])),
                dispositions.get(r["disposition"] or "", "") if attempts else _("not called"),
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "Discharge follow-up"),
        [
            Column(_("Date of discharge"), DATE),
            Column(_("Month")),
            Column(_("Department")),
            Column(_("Attempts"), INT),
            Column(_("Followed up")),
            Column(_("Outcome")),
        ],
        rows,
        note=_(
            "One row per stay discharged in the period; followed up = reached at least once (a stay counts once)."
        ),
    )
