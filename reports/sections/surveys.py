"""满意度调查 — questionnaires, overall satisfaction and its change, by dimension and department,
praise, and the satisfaction run charts (``surveys.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision import rates

from ..charts import xmr_chart
from ..content import DATE, INT, PCT, PP, Chart, Column, Section, Series, Table, fmt_pct, no_data
from ..models import ReportKind
from ..periods import month_label, months_between, trend_window
from . import followups as followup_section
from .base import (
    BuildContext,
    Indicator,
    attention_first,
    change_sentence,
    choice_labels,
    department_pdf_rows,
    month_key,
    run_chart_limit,
    selectors_of,
    yes_no,
)

KEY = "surveys"
APP = "surveys"


@dataclass(frozen=True)
class SurveyFigures:
    distributed: int  # every form returned counts as distributed (surveys.selectors.survey_summary)
    distributed_recorded: int  # the copies and links recorded as handed out, and forms needing none
    valid_returned: int
    satisfaction: float | None  # satisfied ÷ answered scale items of valid forms, %
    # more paper forms came back than were recorded as distributed
    distribution_incomplete: bool
    change_pp: float | None  # against the same period last year, percentage points
    attitude_change_pp: float | None  # the service-attitude dimension's change
    staff_praises: int
    # Overall satisfaction of every channel: the questionnaires' scale answers and the satisfaction
    # asked on follow-up calls without a questionnaire (docs/reports.md gives the formula).
    call_satisfaction: float | None = None
    overall: float | None = None


def survey_sentence(figures: SurveyFigures) -> str:
    """共发放调查问卷 N 份，回收有效问卷 N 份，患者总体满意度达到 N% — unless the distribution record
    is incomplete (more paper forms typed in than recorded as handed out): then it says so."""
    values = {
        "distributed": figures.distributed,
        "recorded": figures.distributed_recorded,
        "valid": figures.valid_returned,
        "satisfaction": fmt_pct(figures.satisfaction),
    }
    if figures.distribution_incomplete:
        return (
            ngettext(
                "%(valid)s valid questionnaire was returned; overall patient satisfaction reached "
                "%(satisfaction)s. More paper questionnaires came back than were recorded as distributed "
                "(recorded: %(recorded)s): the distribution record is incomplete.",
                "%(valid)s valid questionnaires were returned; overall patient satisfaction reached "
                "%(satisfaction)s. More paper questionnaires came back than were recorded as distributed "
                "(recorded: %(recorded)s): the distribution record is incomplete.",
                figures.valid_returned,
            )
            % values
        )
    return (
        ngettext(
            "%(distributed)s questionnaire was distributed; valid questionnaires returned: %(valid)s; "
            "overall patient satisfaction reached %(satisfaction)s.",
            "%(distributed)s questionnaires were distributed; valid questionnaires returned: %(valid)s; "
            "overall patient satisfaction reached %(satisfaction)s.",
            figures.distributed,
        )
        % values
    )


def attitude_sentence(change_pp: float | None) -> str:
    return change_sentence(
        _("Patients' satisfaction with the service attitude of doctors and nurses"), change_pp
    )


def call_channel(ctx: BuildContext) -> dict | None:
    """Satisfaction asked on follow-up calls that recorded no questionnaire (a call whose patient
    answered the questionnaire is in the questionnaires' figures already, channel phone)."""
    calls = selectors_of("followups", "call_satisfaction", "call_counts")
    if calls is None:
        return None
    # From the period's call counts the follow-up section reads too (one read of the attempts).
    counts = followup_section.call_counts(ctx, calls)
    return calls.call_satisfaction(**ctx.selector_kwargs, without_questionnaire=True, counts=counts)


def overall_satisfaction(summary: dict | None, calls: dict | None):
    """(satisfied scale answers + satisfied calls) ÷ (scale answers + calls asked): each call's
    overall satisfaction counts as one answer beside the questionnaires' scale answers."""
    satisfied = (summary["scale_satisfied"] if summary else 0) + (calls["satisfied"] if calls else 0)
    answered = (summary["scale_answered"] if summary else 0) + (calls["asked"] if calls else 0)
    return rates.rate(satisfied, answered)


def channel_table(summary: dict | None, calls: dict, overall) -> Table:
    rows = []
    if summary and summary["scale_answered"]:
        rows.append(
            [
                _("Questionnaires (scale answers)"),
                summary["scale_answered"],
                summary["scale_satisfied"],
                summary["satisfaction"],
            ]
        )
    rows.append(
        [_("Follow-up calls without a questionnaire"), calls["asked"], calls["satisfied"], calls["rate"]]
    )
    answered = sum(r[1] for r in rows)
    rows.append([_("Total"), answered, sum(r[2] for r in rows), overall])
    return Table(
        _("Overall satisfaction by channel"),
        [
            Column(_("Channel")),
            Column(_("Answers counted"), INT),
            Column(_("Satisfied answers"), INT),
            Column(_("Satisfaction"), PCT),
        ],
        rows,
        note=_(
            "Total = satisfied answers ÷ answers of every channel; a follow-up call's overall satisfaction "
            "counts as one answer, and a call whose patient answered the questionnaire is counted in the questionnaires."
        ),
    )


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Satisfaction surveys"))
    sel = selectors_of(
        APP,
        "survey_figures",
        "satisfaction_by_month",
        "satisfaction_by_department_month",
        "satisfaction_change",
        "satisfaction_change_by_dimension",
        "praise_by_staff",
        "praise_by_ward",
    )
    kw = ctx.selector_kwargs
    # The summary, the dimensions and the departments from one read of the period's forms (the run
    # charts below read their own months: a longer window).
    period = sel.survey_figures(**kw, months=False) if sel else None
    summary = period["summary"] if period else None
    calls = call_channel(ctx)
    target_year = ctx.config.target_questionnaires_per_year
    days = (ctx.end - ctx.start).days + 1
    target_count = round(target_year * min(days, 365) / 365)
    if not summary or not (summary["returned"] or summary["distributed"]):
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "satisfaction survey")))
        overall = overall_satisfaction(None, calls)
        ctx.headline.append(
            Indicator(_("Overall satisfaction"), float(ctx.config.target_satisfaction), overall, PCT)
        )
        if calls and calls["asked"]:
            section.tables.append(channel_table(None, calls, overall))
        return section
    overall = overall_satisfaction(summary, calls)
    ctx.headline.append(
        Indicator(_("Overall satisfaction"), float(ctx.config.target_satisfaction), overall, PCT)
    )
    ctx.headline.append(Indicator(_("Valid questionnaires"), target_count, summary["valid_returned"], INT))
    change = sel.satisfaction_change(**kw)
    dimension_rows, attitude = [], None
    by_dimension = period["by_dimension"]
    # Every dimension's change in two reads (this period's and last year's forms by dimension), not two each.
    changes = sel.satisfaction_change_by_dimension(**kw, dimensions=[d["dimension"] for d in by_dimension])
    for d in by_dimension:
        ch = changes[d["dimension"]]
        dimension_rows.append(
            [d["label"], d["answered"], d["satisfied"], d["satisfaction"], ch["previous"], ch["change_pp"]]
        )
        if d["dimension"] == "attitude":
            attitude = ch
    by_dept = period["by_department"]
    staff = sel.praise_by_staff(**kw, limit=None)
    wards = sel.praise_by_ward(**kw)
    figures = ctx.figures.surveys = SurveyFigures(
        distributed=summary["distributed"],
        distributed_recorded=summary["distributed_recorded"],
        valid_returned=summary["valid_returned"],
        satisfaction=summary["satisfaction"],
        distribution_incomplete=bool(summary.get("paper_under_recorded")),
        change_pp=change["change_pp"],
        attitude_change_pp=attitude["change_pp"] if attitude else None,
        staff_praises=sum(r["count"] for r in staff),
        call_satisfaction=calls["rate"] if calls else None,
        overall=overall,
    )

    section.paragraphs.append(survey_sentence(figures))
    section.paragraphs.append(change_sentence(_("Overall satisfaction"), figures.change_pp))
    if calls and calls["asked"]:
        section.paragraphs.append(
            _(
                "With the satisfaction asked on %(calls)s follow-up calls (%(call_rate)s satisfied), "
                "overall satisfaction across every channel is %(overall)s."
            )
            % {"calls": calls["asked"], "call_rate": fmt_pct(calls["rate"]), "overall": fmt_pct(overall)}
        )
        section.tables.append(channel_table(summary, calls, overall))
    if attitude:
        section.paragraphs.append(attitude_sentence(figures.attitude_change_pp))
    if dimension_rows:
        section.tables.append(
            Table(
                _("Satisfaction by dimension"),
                [
                    Column(_("Dimension")),
                    Column(_("Scale answers"), INT),
                    Column(_("Satisfied answers"), INT),
                    Column(_("Satisfaction"), PCT),
                    Column(_("Same period last year"), PCT),
                    Column(_("Change (pp)"), PP),
                ],
                dimension_rows,
            )
        )
        section.charts.append(
            Chart(
                "bar",
                _("Satisfaction by dimension"),
                [r[0] for r in dimension_rows],
                [Series(_("Satisfaction"), [r[3] for r in dimension_rows])],
                y_label="%",
                percent=True,
            )
        )
    for r in by_dept:
        ctx.dept(r["department_id"]).satisfaction = r["satisfaction"]
    section.tables.append(
        Table(
            _("Satisfaction by department"),
            [
                Column(_("Department")),
                Column(_("Questionnaires returned"), INT),
                Column(_("Valid"), INT),
                Column(_("Satisfaction"), PCT),
            ],
            [
                [r["name"], r["returned"], r["valid_returned"], r["satisfaction"]]
                for r in attention_first(by_dept, lambda r: r["satisfaction"])
            ],
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    if staff or wards:
        section.paragraphs.append(
            _("Patients praised doctors and nurses by name %(staff)s times; praises by ward: %(wards)s.")
            % {"staff": figures.staff_praises, "wards": sum(r["count"] for r in wards)}
        )
        section.tables.append(
            Table(
                _("Staff praised by name (top 10)"),
                [Column(pgettext("person", "Name")), Column(_("Department")), Column(_("Praises"), INT)],
                [[r["name"], r["staff_department"], r["count"]] for r in staff[:10]],
            )
        )
    else:
        section.paragraphs.append(_("No praise of staff was recorded in this period."))
    if ctx.figures_only:
        return section
    # run charts: satisfaction per month (XmR: satisfaction is a mean over answers, not a share of patients)
    first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == ReportKind.ANNUAL else 12)
    months = months_between(first, last)
    labels = [month_label(m) for m in months]

    def monthly(departments):
        rows = sel.satisfaction_by_month(start=first, end=last, departments=departments)
        found = {month_key(r["month"]).replace(day=1): r["satisfaction"] for r in rows}
        return [found.get(m) for m in months]

    overall = monthly(ctx.department_ids)
    section.charts.append(
        Chart(
            "run",
            _("Overall satisfaction per month (XmR chart)"),
            labels,
            [Series(_("Satisfaction"), overall)],
            "%",
            True,
            xmr_chart(overall, share=True),
        )
    )
    charted = sorted(by_dept, key=lambda r: -r["valid_returned"])[: run_chart_limit()]
    # The charted departments' months in one read, not one each.
    per_department = sel.satisfaction_by_department_month(
        start=first, end=last, departments=[r["department_id"] for r in charted]
    )
    for r in charted:
        found = {
            month_key(m["month"]).replace(day=1): m["satisfaction"]
            for m in per_department[r["department_id"]]
        }
        values = [found.get(m) for m in months]
        section.charts.append(
            Chart(
                "run",
                _("%(department)s: satisfaction per month (XmR chart)") % {"department": r["name"]},
                labels,
                [Series(_("Satisfaction"), values)],
                "%",
                True,
                xmr_chart(values, share=True),
                compact=True,
                name=r["name"],
                group=_("Satisfaction per month by department (XmR charts)"),
            )
        )
    return section


def data_sheet(ctx: BuildContext) -> None:
    """The questionnaires returned in the period, one row each (nothing that names the respondent)."""
    sel = selectors_of(APP, "response_rows")
    if sel is None:
        return
    channels = choice_labels(APP, "Channel")

    def rows():
        for r in sel.response_rows(**ctx.selector_kwargs):
            yield [
                r["submitted_on"],
                r["department__name"] or "",
                channels.get(r["channel"], r["channel"]),
                yes_no(r["is_valid"]),
                r["scale_answered"],
                r["scale_satisfied"],
                r["low_count"],
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "Satisfaction surveys"),
        [
            Column(_("Date"), DATE),
            Column(_("Department")),
            Column(_("Channel")),
            Column(_("Valid")),
            Column(_("Scale items answered"), INT),
            Column(_("Scale items satisfied"), INT),
            Column(_("Low scores"), INT),
        ],
        rows,
        note=_(
            "Overall satisfaction = Σ scale items satisfied ÷ Σ scale items answered, valid questionnaires only."
        ),
    )
