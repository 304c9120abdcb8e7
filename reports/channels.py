"""The channel sections: each calls its app's ``selectors.py`` when the app provides it.

A channel whose selectors module (or function) does not exist, or that has no data in the
period, produces a section that says so plainly; never a placeholder or a 0 % standing for
"no data".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .charts import p_chart, xmr_chart
from .content import INT, NUM, PCT, PP, Chart, Column, Section, Series, Table, fmt_pct, fmt_pp, no_data, rate
from .periods import month_label, months_between, shift_year, trend_window

if TYPE_CHECKING:
    from .builders import BuildContext


def selectors_of(app: str, *names: str):
    """The app's selectors module if it defines every function in ``names``, else None."""
    try:
        module = importlib.import_module(f"{app}.selectors")
    except ModuleNotFoundError as exc:
        if exc.name in (app, f"{app}.selectors"):
            return None
        raise
    return module if all(callable(getattr(module, n, None)) for n in names) else None


def run_chart_limit() -> int:
    return getattr(settings, "REPORTS_RUN_CHART_DEPARTMENTS", 12)


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
    what = _("satisfaction survey")
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
    section.paragraphs.append(
        _(
            "%(distributed)s questionnaires were distributed and %(valid)s valid questionnaires returned; "
            "overall patient satisfaction reached %(satisfaction)s."
        )
        % {
            "distributed": summary["distributed"],
            "valid": summary["valid_returned"],
            "satisfaction": fmt_pct(summary["satisfaction"]),
        }
    )
    if summary.get("paper_under_recorded"):
        section.paragraphs.append(
            _(
                "More paper questionnaires were returned than were recorded as distributed; the distribution record is incomplete."
            )
        )
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
                    Column(_("Answers"), INT),
                    Column(_("Satisfied"), INT),
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
                Column(_("Returned"), INT),
                Column(_("Valid"), INT),
                Column(_("Satisfaction"), PCT),
            ],
            [[r["name"], r["returned"], r["valid_returned"], r["satisfaction"]] for r in by_dept],
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
                [Column(_("Name")), Column(_("Department")), Column(_("Praises"), INT)],
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
            )
        )
    return section


SECTION_BUILDERS = [section_surveys]

__all__ = [
    "NUM",
    "SECTION_BUILDERS",
    "change_sentence",
    "fmt_pp",
    "p_chart",
    "rate",
    "selectors_of",
    "shift_year",
]
