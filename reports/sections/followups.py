"""出院随访 — follow-up of discharged stays: by month and department, outcomes, spot-checks and the
follow-up rate p-charts (``followups.selectors``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision import rates
from supervision.infra.wording import join_list

from ..charts import p_chart
from ..content import (
    DATE,
    INT,
    PCT,
    PP,
    TEXT,
    Cell,
    Chart,
    Column,
    Section,
    Series,
    Table,
    fmt_pct,
    no_data,
)
from ..models import ReportKind
from ..periods import month_label, same_period_last_year, trend_window
from .base import (
    BuildContext,
    Indicator,
    choice_labels,
    department_pdf_rows,
    run_chart_limit,
    selectors_of,
    yes_no,
)

KEY = "followups"
APP = "followups"


@dataclass(frozen=True)
class FollowupFigures:
    discharged: int  # stays discharged in the period
    followed_up: int  # of them, reached at least once (a stay counts once)
    rate: float | None  # followed_up ÷ discharged, %
    lowest: str  # the departments with the lowest rates and their rates, worded for the text
    spotcheck_rate: float | None  # patients called back who confirm the follow-up, %
    satisfied: int = 0  # calls that reached the patient and asked satisfaction: satisfied
    dissatisfied: int = 0  # … not satisfied
    staff_praises: int = 0  # staff praised by name on the calls (人次)
    ward_praises: int = 0  # calls praising the ward (次)
    star_ward_praises: int = 0  # of which a star ward of the call's year


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Discharge follow-up"))
    sel = selectors_of(
        APP,
        "followup_month_department_table",
        "followup_month_department_cells",
        "whole_months_within",
        "followup_by_point",
        "outcome_breakdown",
        "contact_success",
        "call_counts",
    )
    kw = ctx.selector_kwargs
    table = month_department_table(ctx, sel, ctx.start, ctx.end) if sel else None
    # The table's total is the period's summary (followup_summary): its cells split the period's
    # stays by department and month, each stay in one cell, so their sums are the distinct counts.
    summary = table["total"] if table else None
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
        ngettext(
            "%(discharged)s patient was discharged in this period; followed up: %(followed)s, a follow-up "
            "rate of %(rate)s (stays discharged in the period; a stay counts once however many calls).",
            "%(discharged)s patients were discharged in this period; followed up: %(followed)s, a follow-up "
            "rate of %(rate)s (stays discharged in the period; a stay counts once however many calls).",
            figures.discharged,
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
    if not ctx.figures_only:
        section.tables.append(month_table(ctx, sel, table))
    points = [] if ctx.figures_only else sel.followup_by_point(**kw)
    if len(points) > 1:  # plans with several time points: as on the figures page, from the same selector
        section.tables.append(
            Table(
                _("Rate per time point"),
                [
                    Column(_("Time point")),
                    Column(_("Tasks"), INT),
                    Column(_("Attempted"), INT),
                    Column(_("Reached"), INT),
                    Column(_("Follow-up rate"), PCT),
                ],
                [
                    [
                        _("Day %(day)s") % {"day": p["day"]},
                        p["tasks"],
                        p["attempted"],
                        p["reached"],
                        p["rate"],
                    ]
                    for p in points
                ],
                note=_(
                    "Tasks of each time point of the stays discharged in the period, less those cancelled or "
                    "found ineligible (deceased, readmitted); a stay counts in the follow-up rate once, "
                    "whichever point reached it."
                ),
            )
        )
    # Lowest rate first, like every per-department table of the report: a month's PDF shows the
    # departments that most need attention (department_pdf_rows), the workbook every department.
    dept_rows = sorted(table["rows"], key=lambda r: (r["total"]["rate"] is None, r["total"]["rate"] or 0))
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
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    calls = None if ctx.figures_only else call_counts(ctx, sel)
    outcomes = (
        [] if ctx.figures_only else [o for o in sel.outcome_breakdown(**kw, counts=calls) if o["count"]]
    )
    if outcomes:
        success = sel.contact_success(**kw, counts=calls)
        section.paragraphs.append(calls_sentence(success, outcomes))
        section.tables.append(
            Table(
                _("Outcome of the attempts"),
                [Column(_("Outcome")), Column(_("Attempts"), INT), Column(_("Share"), PCT)],
                [[o["label"], o["count"], o["share"]] for o in outcomes],
            )
        )
    centre_paragraphs(ctx, section)
    if checked:
        section.paragraphs.append(
            ngettext(
                "Spot-check of the follow-up: %(checked)s discharged patient was called back; confirmed they "
                "had been followed up: %(confirmed)s (%(rate)s).",
                "Spot-check of the follow-up: %(checked)s discharged patients were called back; confirmed they "
                "had been followed up: %(confirmed)s (%(rate)s).",
                checks["checked"],
            )
            % {
                "checked": checks["checked"],
                "confirmed": checks["confirmed"],
                "rate": fmt_pct(checks["rate"]),
            }
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "follow-up spot-check")))
    if ctx.figures_only:
        return section
    # run charts (p-chart: followed-up stays ÷ discharged stays per month of discharge)
    first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == ReportKind.ANNUAL else 12)
    trend = month_department_table(ctx, sel, first, last)
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


def _whole_months(start, end) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def _cells_key(ctx: BuildContext) -> tuple:
    return ("followup_month_department_cells", tuple(ctx.department_ids or ()))


def report_cells(ctx: BuildContext, sel) -> dict:
    """The month × department counts of every whole month the report shows, read once per report:
    its trend (which holds the period) and the same period last year (the comparison pass's period,
    and the month table's "last year" column). Shared with the comparison pass; the written
    summary's ranking and every table below are built from them (``followup_month_department_table``
    with ``cells``), so a report joins the stays to their tasks once instead of up to four times."""
    key = _cells_key(ctx)
    if key not in ctx.shared:
        # The main pass comes first; its window, whichever pass asks.
        first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == ReportKind.ANNUAL else 12)
        last_start, last_end = same_period_last_year(ctx.kind, ctx.start, ctx.end)
        if _whole_months(last_start, last_end) and last_start < first:
            first = last_start  # the month before the trend (a month's report): one window, no gap
        ctx.shared[key] = sel.followup_month_department_cells(
            start=first, end=last, departments=ctx.department_ids
        )
    return ctx.shared[key]


def month_department_table(ctx: BuildContext, sel, start, end, lowest: int = 3) -> dict:
    """The month × department table of ``start``–``end``: from the report's cells (``report_cells``)
    when it is whole months inside them, else read once per report (a range from mid-month)."""
    # The comparison pass alone (never in a report, where the main pass reads first) reads its own.
    cells = None if ctx.figures_only and _cells_key(ctx) not in ctx.shared else report_cells(ctx, sel)
    if cells is not None and sel.whole_months_within(cells, start, end):
        return sel.followup_month_department_table(start=start, end=end, lowest=lowest, cells=cells)
    key = ("followup_month_department_table", start, end, tuple(ctx.department_ids or ()), lowest)
    return ctx.once(
        key,
        lambda: sel.followup_month_department_table(
            start=start, end=end, departments=ctx.department_ids, lowest=lowest
        ),
    )


def call_counts(ctx: BuildContext, sel) -> list[dict]:
    """The period's attempts counted once (``followups.selectors.call_counts``) for every call figure
    of the report: the outcome mix, the contact rate, the satisfaction asked on calls (here and, without
    a questionnaire, in the satisfaction section) and the not-satisfied domains — one read of the
    period's attempts instead of five."""
    key = ("call_counts", ctx.start, ctx.end, tuple(ctx.department_ids or ()))
    return ctx.once(key, lambda: sel.call_counts(**ctx.selector_kwargs))


def month_table(ctx: BuildContext, sel, table: dict) -> Table:
    """The month table beside the same months last year: each month's rate, last year's and the
    change in percentage points; "no data last year" where last year's month had no discharges
    (never a change from 0 %)."""
    last_start, last_end = same_period_last_year(ctx.kind, ctx.start, ctx.end)
    last = month_department_table(ctx, sel, last_start, last_end)
    by_month = {t["month"]: t for t in last["totals"]}

    def beside(rate, previous):
        if not previous or not previous["discharged"]:
            return [Cell(_("no data last year"), TEXT), Cell(None, PP)]
        change = rates.points(rate, previous["rate"]) if rate is not None else None
        return [previous["rate"], change]

    rows = []
    for t in table["totals"]:
        before = by_month.get(t["month"].replace(year=t["month"].year - 1))
        rows.append(
            [month_label(t["month"]), t["discharged"], t["reached"], t["rate"], *beside(t["rate"], before)]
        )
    total = table["total"]
    rows.append(
        [
            _("Total"),
            total["discharged"],
            total["reached"],
            total["rate"],
            *beside(total["rate"], last["total"]),
        ]
    )
    return Table(
        _("Follow-up by month of discharge"),
        [
            Column(_("Month")),
            Column(_("Stays discharged"), INT),
            Column(_("Followed up"), INT),
            Column(_("Follow-up rate"), PCT),
            Column(_("Same period last year"), PCT),
            Column(_("Change (pp)"), PP),
        ],
        rows,
        note=_("Same period last year: %(start)s ~ %(end)s, by month of discharge.")
        % {"start": f"{last_start:%Y-%m-%d}", "end": f"{last_end:%Y-%m-%d}"},
    )


def calls_sentence(success: dict, outcomes: list[dict]) -> str:
    """Calls made, reached, and not reached by reason (attempts, 人次)."""
    missed = [o for o in outcomes if o["outcome"] not in ("reached", "letter_done")]
    text = ngettext(
        "%(attempts)s call or letter attempt was made; reached the patient or family: %(contacted)s (%(rate)s), "
        "not reached: %(missed)s",
        "%(attempts)s call and letter attempts were made; reached the patient or family: %(contacted)s "
        "(%(rate)s), not reached: %(missed)s",
        success["attempts"],
    ) % {
        "attempts": success["attempts"],
        "contacted": success["contacted"],
        "rate": fmt_pct(success["rate"]),
        "missed": success["attempts"] - success["contacted"],
    }
    if missed:
        text += _(" (%(reasons)s)") % {
            "reasons": join_list(
                _("%(outcome)s %(n)s") % {"outcome": o["label"], "n": o["count"]} for o in missed
            )
        }
    return _("%(sentence)s.") % {"sentence": text}


def centre_paragraphs(ctx: BuildContext, section: Section) -> None:
    """The paragraph a follow-up centre writes (issue 18 item 4): of the patients reached, satisfied
    and not satisfied (each ÷ the calls that asked), not satisfied with what (by domain); staff and
    wards praised, of which star wards; guidance by kind; and the tables behind them."""
    sel = selectors_of(
        APP,
        "call_satisfaction",
        "call_counts",
        "dissatisfaction_by_domain",
        "dissatisfaction_ranking",
        "praise_summary",
        "guidance_counts",
    )
    kw = ctx.selector_kwargs
    satisfaction = sel.call_satisfaction(**kw, counts=call_counts(ctx, sel))
    praise = sel.praise_summary(**kw)
    ctx.figures.followups = replace(
        ctx.figures.followups,
        satisfied=satisfaction["satisfied"],
        dissatisfied=satisfaction["dissatisfied"],
        staff_praises=praise["staff_praises"],
        ward_praises=praise["ward_praises"],
        star_ward_praises=praise["star_ward_praises"],
    )
    if ctx.figures_only:  # the comparison pass: the figures above are all it keeps
        return
    domains = [d for d in sel.dissatisfaction_by_domain(**kw, counts=call_counts(ctx, sel)) if d["calls"]]
    guidance = sel.guidance_counts(**kw)
    asked = satisfaction["asked"]
    if asked:
        text = _(
            "Satisfaction was asked on %(asked)s calls that reached the patient: satisfied %(satisfied)s "
            "(%(satisfied_rate)s), not satisfied %(dissatisfied)s (%(dissatisfied_rate)s)"
        ) % {
            "asked": asked,
            "satisfied": satisfaction["satisfied"],
            "satisfied_rate": fmt_pct(rates.rate(satisfaction["satisfied"], asked)),
            "dissatisfied": satisfaction["dissatisfied"],
            "dissatisfied_rate": fmt_pct(rates.rate(satisfaction["dissatisfied"], asked)),
        }
        if domains:
            text += _("; not satisfied with: %(domains)s") % {
                "domains": join_list(
                    _("%(domain)s %(n)s") % {"domain": d["domain"] or _("not coded"), "n": d["calls"]}
                    for d in domains
                )
            }
        section.paragraphs.append(_("%(sentence)s.") % {"sentence": text})
    else:
        section.paragraphs.append(
            no_data(pgettext("report channel", "satisfaction asked on follow-up calls"))
        )
    section.paragraphs.append(
        _(
            "Patients praised staff by name %(staff)s times and their ward %(wards)s times, "
            "%(stars)s of them a star ward."
        )
        % {
            "staff": praise["staff_praises"],
            "wards": praise["ward_praises"],
            "stars": praise["star_ward_praises"],
        }
    )
    if any(g["calls"] for g in guidance):
        section.paragraphs.append(
            _("Guidance given on the calls: %(kinds)s.")
            % {
                "kinds": join_list(
                    _("%(kind)s %(n)s") % {"kind": g["kind"], "n": g["calls"]} for g in guidance
                )
            }
        )
    if domains:
        section.tables.append(
            Table(
                _("Not satisfied, by what with"),
                [Column(_("Not satisfied with")), Column(_("Calls"), INT), Column(_("Share"), PCT)],
                [[d["domain"] or _("not coded"), d["calls"], d["share"]] for d in domains],
                note=_("Calls that reached the patient and recorded “not satisfied”; share of all of them."),
            )
        )
        ranking = sel.dissatisfaction_ranking(**kw)
        section.tables.append(
            Table(
                _("What not-satisfied patients were unhappy with, by department"),
                [
                    Column(_("Department")),
                    Column(_("Not satisfied"), INT),
                    Column(_("Not satisfied with")),
                    Column(_("Topics")),
                ],
                [
                    [
                        r["department"],
                        r["calls"],
                        join_list(f"{d['name']} {d['calls']}" for d in r["domains"]),
                        join_list(f"{t['name']} {t['calls']}" for t in r["topics"]),
                    ]
                    for r in ranking
                ],
                note=_(
                    "Most not-satisfied calls first; the calls behind each figure are on the follow-up feedback page."
                ),
                pdf_rows=department_pdf_rows(ctx),
            )
        )
    if any(g["calls"] for g in guidance):
        section.tables.append(
            Table(
                _("Guidance given on the calls"),
                [Column(_("Kind of guidance")), Column(_("Calls"), INT)],
                [[g["kind"], g["calls"]] for g in guidance],
            )
        )


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
