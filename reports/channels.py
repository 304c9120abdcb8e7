"""The channel sections: each reads the selectors module its channel declares in its contract.

A channel whose selectors module (or function) does not exist, or that has no data in the
period, produces a section that says so plainly; never a placeholder or a 0 % standing for
"no data".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision.channels import channel, channels

from .charts import p_chart, xmr_chart
from .content import (
    INT,
    NUM,
    PCT,
    PP,
    Chart,
    Column,
    Section,
    Series,
    Table,
    fmt_num,
    fmt_pct,
    no_data,
)
from .models import ReportKind
from .periods import month_label, months_between, trend_window

if TYPE_CHECKING:
    from .builders import BuildContext


def selectors_of(app: str, *names: str):
    """The selectors module the channel ``app`` declares in its contract
    (``supervision.channels.Channel.selectors``), or None when no such channel is registered.

    A module that lacks one of the functions the report reads is a contract break between the
    apps, not "no data": it raises, so the report fails with a visible reason instead of
    printing a false "no data" sentence.
    """
    declared = channel(app)
    if declared is None or not declared.selectors:
        return None
    module = importlib.import_module(declared.selectors)
    missing = [n for n in names if not callable(getattr(module, n, None))]
    if missing:
        raise ImproperlyConfigured(f"{declared.selectors} lacks {', '.join(missing)} (needed by the reports)")
    return module


def run_chart_limit() -> int:
    return settings.REPORTS_RUN_CHART_DEPARTMENTS


def pdf_list_rows() -> int:
    """Rows of a long list (e.g. recurring problems) shown in the PDF; the workbook has them all."""
    return settings.REPORTS_PDF_LIST_ROWS


def department_pdf_rows(ctx: BuildContext) -> int | None:
    """PDF rows of a per-department table: every department in the annual summary; in a monthly or
    range report the ``pdf_list_rows()`` departments that most need attention (the table is sorted
    that way), as the office's monthly reports name the lowest departments. The workbook and the
    ranking table always list every department."""
    return None if ctx.kind == ReportKind.ANNUAL else pdf_list_rows()


def attention_first(rows, key, *, worst="low"):
    """``rows`` with the most worrying first: lowest (``worst="low"``) or highest value of
    ``key``; rows without a value last. Stable, so ties keep the department order."""

    def sort_key(row):
        value = key(row)
        if value is None:
            return (1, 0)
        return (0, value if worst == "low" else -value)

    return sorted(rows, key=sort_key)


def _month_key(value):
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def change_sentence(what: str, change: float | None) -> str:
    if change is None:
        return _("%(what)s cannot be compared with the same period last year (no data then).") % {
            "what": what
        }
    if change > 0:
        return _("%(what)s rose by %(n)s percentage points against the same period last year.") % {
            "what": what,
            "n": f"{change:.1f}",
        }
    if change < 0:
        return _("%(what)s fell by %(n)s percentage points against the same period last year.") % {
            "what": what,
            "n": f"{-change:.1f}",
        }
    return _("%(what)s is unchanged against the same period last year.") % {"what": what}


def survey_sentence(f: dict) -> str:
    """共发放调查问卷 N 份，回收有效问卷 N 份，患者总体满意度达到 N% — unless the distribution record
    is incomplete (more paper forms typed in than recorded as handed out): then it says so."""
    values = {
        "distributed": f["surveys.distributed"],
        "valid": f["surveys.valid_returned"],
        "satisfaction": fmt_pct(f["surveys.satisfaction"]),
    }
    if f.get("surveys.distribution_incomplete"):
        return (
            _(
                "%(valid)s valid questionnaires were returned, overall patient satisfaction reached "
                "%(satisfaction)s. More paper questionnaires came back than were recorded as distributed "
                "(%(distributed)s recorded): the distribution record is incomplete."
            )
            % values
        )
    return (
        _(
            "%(distributed)s questionnaires were distributed and %(valid)s valid questionnaires returned; "
            "overall patient satisfaction reached %(satisfaction)s."
        )
        % values
    )


# --- satisfaction surveys ----------------------------------------------------------------------


def section_surveys(ctx: BuildContext) -> Section:
    section = Section("surveys", pgettext("report section", "Satisfaction surveys"))
    sel = selectors_of(
        "surveys",
        "survey_summary",
        "satisfaction_by_dimension",
        "satisfaction_by_department",
        "satisfaction_by_month",
        "satisfaction_change",
        "praise_by_staff",
        "praise_by_ward",
    )
    what = pgettext("report channel", "satisfaction survey")
    kw = {"start": ctx.start, "end": ctx.end, "departments": ctx.department_ids}
    summary = sel.survey_summary(**kw) if sel else None
    target_year = ctx.config.target_questionnaires_per_year
    days = (ctx.end - ctx.start).days + 1
    target_count = round(target_year * min(days, 365) / 365)
    if not summary or not (summary["returned"] or summary["distributed"]):
        section.empty = True
        section.paragraphs.append(no_data(what))
        ctx.figures["surveys.satisfaction"] = None
        ctx.headline.append((_("Overall satisfaction"), float(ctx.config.target_satisfaction), None, PCT))
        return section
    f = ctx.figures
    f["surveys.distributed"] = summary["distributed"]
    f["surveys.valid_returned"] = summary["valid_returned"]
    f["surveys.satisfaction"] = summary["satisfaction"]
    ctx.headline.append(
        (_("Overall satisfaction"), float(ctx.config.target_satisfaction), summary["satisfaction"], PCT)
    )
    ctx.headline.append((_("Valid questionnaires"), target_count, summary["valid_returned"], INT))
    f["surveys.distribution_incomplete"] = bool(summary.get("paper_under_recorded"))
    section.paragraphs.append(survey_sentence(f))
    change = sel.satisfaction_change(**kw)
    f["surveys.change_pp"] = change["change_pp"]
    section.paragraphs.append(change_sentence(_("Overall satisfaction"), change["change_pp"]))
    dims = sel.satisfaction_by_dimension(**kw)
    rows = []
    for d in dims:
        ch = sel.satisfaction_change(**kw, dimension=d["dimension"])
        rows.append(
            [d["label"], d["answered"], d["satisfied"], d["satisfaction"], ch["previous"], ch["change_pp"]]
        )
        if d["dimension"] == "attitude":
            f["surveys.attitude_change_pp"] = ch["change_pp"]
            section.paragraphs.append(
                change_sentence(
                    _("Patients' satisfaction with the service attitude of doctors and nurses"),
                    ch["change_pp"],
                )
            )
    if rows:
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
                rows,
            )
        )
        section.charts.append(
            Chart(
                "bar",
                _("Satisfaction by dimension"),
                [r[0] for r in rows],
                [Series(_("Satisfaction"), [r[3] for r in rows])],
                y_label="%",
                percent=True,
            )
        )
    by_dept = sel.satisfaction_by_department(**kw)
    for r in by_dept:
        ctx.dept(r["department_id"])["satisfaction"] = r["satisfaction"]
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
    staff = sel.praise_by_staff(**kw, limit=None)
    wards = sel.praise_by_ward(**kw)
    staff_total = sum(r["count"] for r in staff)
    f["surveys.staff_praises"] = staff_total
    if staff or wards:
        section.paragraphs.append(
            _("Patients praised doctors and nurses by name %(staff)s times; praises by ward: %(wards)s.")
            % {"staff": staff_total, "wards": sum(r["count"] for r in wards)}
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
    # run charts: satisfaction per month (XmR: satisfaction is a mean over answers, not a share of patients)
    first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == "annual" else 12)
    months = months_between(first, last)
    labels = [month_label(m) for m in months]

    def monthly(departments):
        rows = sel.satisfaction_by_month(start=first, end=last, departments=departments)
        found = {_month_key(r["month"]).replace(day=1): r["satisfaction"] for r in rows}
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
            xmr_chart(overall),
        )
    )
    top = sorted(by_dept, key=lambda r: -r["valid_returned"])[: run_chart_limit()]
    for r in top:
        values = monthly([r["department_id"]])
        section.charts.append(
            Chart(
                "run",
                _("%(department)s: satisfaction per month (XmR chart)") % {"department": r["name"]},
                labels,
                [Series(_("Satisfaction"), values)],
                "%",
                True,
                xmr_chart(values),
                compact=True,
                name=r["name"],
                group=_("Satisfaction per month by department (XmR charts)"),
            )
        )
    return section


def _choice_labels(app: str, model_attr: str) -> dict:
    try:
        choices = getattr(importlib.import_module(f"{app}.models"), model_attr)
    except (ModuleNotFoundError, AttributeError):
        return {}
    return {value: str(label) for value, label in choices.choices}


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


# --- on-site inspection --------------------------------------------------------------------------


def section_inspections(ctx: BuildContext) -> Section:
    section = Section("inspections", pgettext("report section", "On-site inspection"))
    sel = selectors_of(
        "inspections", "coverage", "coverage_summary", "rounds_by_type", "window_waiting", "hand_hygiene"
    )
    kw = {"start": ctx.start, "end": ctx.end, "departments": ctx.department_ids}
    if sel is None:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "on-site inspection")))
        return section
    rows = sel.coverage(**kw)
    cov = sel.coverage_summary(rows)
    by_type = sel.rounds_by_type(**kw)
    waiting = sel.window_waiting(**kw)
    hygiene = sel.hand_hygiene(**kw)
    f = ctx.figures
    f["inspections.rounds"] = cov["done"]
    f["inspections.coverage_rate"] = cov["coverage_rate"] if cov["done"] else None
    target = waiting.get("target") or ctx.config.target_window_wait_minutes
    ctx.headline.append((_("Window waiting time, 90th percentile"), target, waiting["p90"], NUM))
    ctx.headline.append(
        (_("Hand-hygiene compliance"), hygiene.get("target_pct"), hygiene["compliance_pct"], PCT)
    )
    if not (cov["done"] or waiting["n"] or hygiene["observations"]):
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "on-site inspection")))
        return section
    type_labels = _choice_labels("inspections", "RoundType")
    section.paragraphs.append(
        _(
            "%(done)s inspection rounds were carried out (%(types)s) against %(planned)s planned; "
            "%(covered)s of %(departments)s departments were inspected, a coverage of %(rate)s."
        )
        % {
            "done": cov["done"],
            "types": "，".join(
                _("%(type)s %(n)s rounds") % {"type": type_labels.get(t, t), "n": n}
                for t, n in by_type.items()
                if n
            )
            or "—",
            "planned": cov["planned"],
            "covered": cov["covered"],
            "departments": cov["departments"],
            "rate": fmt_pct(cov["coverage_rate"]),
        }
    )
    missed = [r["department"] for r in rows if r["highlight"] and not r["covered"]]
    if missed:
        section.paragraphs.append(
            _("Window and support units not inspected in this period: %(names)s.")
            % {"names": "、".join(missed)}
        )
    section.tables.append(
        Table(
            _("Inspection coverage by department"),
            [
                Column(_("Department")),
                Column(_("Planned rounds"), INT),
                Column(_("Rounds done"), INT),
                Column(_("Inspected")),
            ],
            [
                [r["department"], r["planned"], r["done"], _yes(r["covered"])]
                for r in attention_first(rows, lambda r: (r["covered"], r["done"]))
            ],
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    if waiting["n"]:
        f["inspections.wait_p90"] = waiting["p90"]
        section.paragraphs.append(
            _(
                "Window waiting time was measured %(n)s times: mean %(avg)s minutes, 90th percentile %(p90)s "
                "minutes, longest %(max)s minutes; %(within)s of the measurements were within the target of "
                "%(target)s minutes."
            )
            % {
                "n": waiting["n"],
                "avg": fmt_num(waiting["avg"]),
                "p90": fmt_num(waiting["p90"]),
                "max": fmt_num(waiting["max"]),
                "within": fmt_pct(waiting["within_target_pct"]),
                "target": target,
            }
        )
        wrows = waiting["by_department"]
        section.tables.append(
            Table(
                _("Window waiting time (minutes)"),
                [
                    Column(_("Service window")),
                    Column(_("Measurements"), INT),
                    Column(_("Mean"), NUM),
                    Column(_("90th percentile"), NUM),
                    Column(_("Longest"), NUM),
                    Column(_("Within target"), PCT),
                ],
                [
                    [r["department"], r["n"], r["avg"], r["p90"], r["max"], r["within_target_pct"]]
                    for r in wrows
                ],
                note=_("Target: at most %(target)s minutes.") % {"target": target},
            )
        )
        section.charts.append(
            Chart(
                "bar",
                _("Window waiting time (minutes)"),
                [r["department"] for r in wrows],
                [
                    Series(_("Mean"), [r["avg"] for r in wrows]),
                    Series(_("90th percentile"), [r["p90"] for r in wrows]),
                ],
                y_label=_("minutes"),
            )
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "window waiting time")))
    if hygiene["observations"]:
        f["inspections.hand_hygiene"] = hygiene["compliance_pct"]
        section.paragraphs.append(
            _(
                "Hand hygiene: %(washes)s hand washes in %(opportunities)s opportunities observed, a compliance "
                "of %(rate)s (target %(target)s%%)."
            )
            % {
                "washes": hygiene["washes"],
                "opportunities": hygiene["opportunities"],
                "rate": fmt_pct(hygiene["compliance_pct"]),
                "target": hygiene.get("target_pct"),
            }
        )
        section.tables.append(
            Table(
                _("Hand-hygiene compliance by department"),
                [
                    Column(_("Department")),
                    Column(_("Observations"), INT),
                    Column(_("Opportunities"), INT),
                    Column(_("Hand washes"), INT),
                    Column(_("Compliance"), PCT),
                ],
                [
                    [r["department"], r["observations"], r["opportunities"], r["washes"], r["compliance_pct"]]
                    for r in attention_first(hygiene["by_department"], lambda r: r["compliance_pct"])
                ],
                pdf_rows=department_pdf_rows(ctx),
            )
        )
    else:
        section.paragraphs.append(no_data(pgettext("report channel", "hand-hygiene")))
    return section


# --- chart audit -----------------------------------------------------------------------------------


def section_chart_audits(ctx: BuildContext) -> Section:
    section = Section("chart_audits", pgettext("report section", "Chart audit"))
    sel = selectors_of("inspections", "chart_audit_summary", "chart_audits_by_department")
    kw = {"start": ctx.start, "end": ctx.end, "departments": ctx.department_ids}
    summary = sel.chart_audit_summary(**kw) if sel else None
    if not summary or not summary["audited"]:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "chart audit")))
        return section
    f = ctx.figures
    f["charts.audited"] = summary["audited"]
    f["charts.problem"] = summary["problem"]
    f["charts.rectification_rate"] = summary["rectification_rate"]
    grades = summary["grades"]
    section.paragraphs.append(
        _(
            "%(audited)s medical records were audited and %(problem)s problem charts found (%(problem_rate)s); "
            "grade A %(a)s, grade B %(b)s, grade C %(c)s (grade A rate %(a_rate)s), mean score %(score)s. "
            "Of %(orders)s rectification orders for problem charts %(closed)s are closed: the rectification "
            "rate reached %(rate)s."
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


# --- discharge follow-up ------------------------------------------------------------------------


def section_followups(ctx: BuildContext) -> Section:
    section = Section("followups", pgettext("report section", "Discharge follow-up"))
    sel = selectors_of(
        "followups",
        "followup_summary",
        "followup_month_department_table",
        "outcome_breakdown",
        "contact_success",
    )
    kw = {"start": ctx.start, "end": ctx.end, "departments": ctx.department_ids}
    summary = sel.followup_summary(**kw) if sel else None
    ctx.headline.append(
        (
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
    f = ctx.figures
    f["followups.discharged"] = summary["discharged"]
    f["followups.followed_up"] = summary["reached"]
    f["followups.rate"] = summary["rate"]
    table = sel.followup_month_department_table(**kw)
    lowest = [r for r in table["rows"] if r["lowest"]]
    lowest.sort(key=lambda r: r["total"]["rate"])
    f["followups.lowest"] = "、".join(f"{r['department']}（{fmt_pct(r['total']['rate'])}）" for r in lowest)
    section.paragraphs.append(
        _(
            "%(discharged)s patients were discharged in this period and %(followed)s of them followed up, "
            "a follow-up rate of %(rate)s (stays discharged in the period; a stay counts once however many calls)."
        )
        % {
            "discharged": summary["discharged"],
            "followed": summary["reached"],
            "rate": fmt_pct(summary["rate"]),
        }
    )
    if lowest:
        section.paragraphs.append(
            _("Departments with the lowest follow-up rates: %(names)s.") % {"names": f["followups.lowest"]}
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
        ctx.dept(r["department_id"])["followup"] = r["total"]["rate"]
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
                    _yes(r["lowest"]),
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
    spot = selectors_of("followups", "spotcheck_confirmation")
    checks = spot.spotcheck_confirmation(**kw)["total"] if spot else None
    if checks and checks["checked"]:
        f["followups.spotcheck_rate"] = checks["rate"]
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
    first, last = trend_window(ctx.start, ctx.end, 24 if ctx.kind == "annual" else 12)
    trend = sel.followup_month_department_table(start=first, end=last, departments=ctx.department_ids)
    labels = [month_label(m) for m in trend["months"]]

    def run(title, cells, name=""):
        x = [c["reached"] if c["discharged"] else None for c in cells]
        n = [c["discharged"] for c in cells]
        values = [c["rate"] for c in cells]
        series = [Series(_("Follow-up rate"), values)]
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
    top = sorted(trend["rows"], key=lambda r: -r["total"]["discharged"])[: run_chart_limit()]
    for r in top:
        run(
            _("%(department)s: follow-up rate per month (p-chart)") % {"department": r["department"]},
            r["cells"],
            name=r["department"],
        )
    return section


# --- complaints ---------------------------------------------------------------------------------


def section_complaints(ctx: BuildContext) -> Section:
    section = Section("complaints", pgettext("report section", "Complaints"))
    sel = selectors_of("complaints", "figures")
    if sel is None:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "complaint")))
        return section
    fig = sel.figures(start=ctx.start, end=ctx.end, departments=ctx.department_ids, today=ctx.as_of)
    if not fig.total:
        section.empty = True
        section.paragraphs.append(no_data(pgettext("report channel", "complaint")))
        return section
    f = ctx.figures
    valid = fig.valid["valid"] + fig.valid["partly_valid"]
    zero = fig.reward_list
    f.update(
        {
            "complaints.total": fig.total,
            "complaints.valid": valid,
            "complaints.on_time_rate": fig.on_time["share"],
            "complaints.zero_departments": len(zero),
        }
    )
    section.paragraphs.append(
        _(
            "%(total)s complaints were received; %(accepted)s accepted and %(refused)s not accepted. "
            "%(valid)s were found valid or partly valid (%(valid_share)s of those determined). %(on_time)s were "
            "answered within the time limit (%(on_time_share)s); %(overdue)s are past the due date unanswered; "
            "an answer took %(days)s working days on average."
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
        _("%(n)s departments had no complaint in this period: %(names)s.")
        % {"n": len(zero), "names": "、".join(d["department"] for d in zero) or "—"}
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
            ctx.dept(d.pk)["valid_complaints"] = valid_by_dept.get(d.pk, 0)
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


# The sections the reports know how to draw, by the key a channel declares in its contract
# (``supervision.channels.ReportSection``).
SECTIONS: dict[str, Callable[[BuildContext], Section]] = {
    "inspections": section_inspections,
    "chart_audits": section_chart_audits,
    "surveys": section_surveys,
    "followups": section_followups,
    "complaints": section_complaints,
}


def section_builders() -> list[Callable[[BuildContext], Section]]:
    """The builders of the sections the registered channels declare, in their declared order."""
    declared = sorted((s for ch in channels() for s in ch.report_sections), key=lambda s: s.order)
    unknown = [s.key for s in declared if s.key not in SECTIONS]
    if unknown:
        raise ImproperlyConfigured(f"report sections without a builder: {', '.join(unknown)}")
    return [SECTIONS[s.key] for s in declared]
