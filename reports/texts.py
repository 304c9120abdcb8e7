"""Texts the reports app stores as a key + parameters and words when shown
(``supervision.infra.wording``): the generated paragraphs of the written summary and its typical cases.

A figure is stored as data, never as its shown form: a rate as its counts (``{"n": 26635, "d": 28868}``,
worded 92.26 % with the hospital's decimals when shown), a count as an int, minutes as
``{"num": 12.5}``, a change against last year as ``{"now": …, "last": …}`` (worded in percentage points
for rates, "no data last year" when there was none). So a draft regenerated later, or the decimals
changed in the settings, never leaves a stale rounding in the stored text.
"""

from __future__ import annotations

from fractions import Fraction

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext_lazy

from supervision import rates
from supervision.infra.wording import Message


class CaseKind(models.TextChoices):
    FINDING = "finding", pgettext_lazy("typical case", "Finding")
    COMPLAINT = "complaint", pgettext_lazy("typical case", "Complaint")
    PRAISE = "praise", pgettext_lazy("typical case", "Praise")


def stored_figure(value, *, minutes: bool = False):
    """A figure as stored in a message's parameters (None: no data)."""
    if value is None:
        return None
    if (
        isinstance(value, rates.Rate)
        and isinstance(value.numerator, int)
        and isinstance(value.denominator, int)
    ):
        return {"n": value.numerator, "d": value.denominator}
    if minutes:
        return {"num": float(value)}
    if isinstance(value, float):  # a rate without integer counts (a sum of decimals): its exact value
        return {"pct": float(value)}
    return int(value)


def _exact(value) -> Fraction | float:
    if isinstance(value, dict):
        if "n" in value:
            return 100 * Fraction(value["n"]) / Fraction(value["d"])
        return Fraction(value.get("pct", value.get("num", 0)))
    return Fraction(value)


def word_figure(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and ("n" in value or "pct" in value):
        return f"{rates.format_rate(rates.Exact(_exact(value)))}%"
    if isinstance(value, dict) and "num" in value:
        return _("%(n)s min") % {"n": f"{value['num']:.1f}"}
    return word_count(value)


def word_count(value: int) -> str:
    """A count in the active language's grouping: 12,345 (settings: supervision/formats)."""
    return number_format(int(value), use_l10n=True, force_grouping=True)


def word_change(value: dict) -> str:
    """The change against the same period last year, as the hospital writes it."""
    now, last = value.get("now"), value.get("last")
    if last is None:
        return _("no data for the same period last year")
    is_rate = isinstance(now, dict) and ("n" in now or "pct" in now)
    difference = _exact(now) - _exact(last)
    if is_rate:
        shown = rates.rounded(rates.Exact(abs(difference)))
        if not shown:
            return _("unchanged against the same period last year")
        words = (
            _("up %(n)s percentage points against the same period last year")
            if difference > 0
            else _("down %(n)s percentage points against the same period last year")
        )
        return words % {"n": rates.format_rate(rates.Exact(abs(difference)))}
    if not difference:
        return _("unchanged against the same period last year")
    n = f"{abs(float(difference)):.1f}" if isinstance(now, dict) else word_count(abs(int(difference)))
    if difference > 0:
        return _("up %(n)s against the same period last year") % {"n": n}
    return _("down %(n)s against the same period last year") % {"n": n}


class FigureMessage(Message):
    """A message whose dict parameters are figures (``stored_figure``) or changes (``{"now", "last"}``)."""

    def _word_value(self, name: str, value, language: str | None):
        if isinstance(value, dict) and "key" not in value:
            return word_change(value) if "now" in value else word_figure(value)
        if isinstance(value, int) and not isinstance(value, bool):  # a count: 12,345
            return word_count(value)
        return super()._word_value(name, value, language)


def M(key: str, template, **kwargs) -> FigureMessage:
    return FigureMessage(f"reports.summary.{key}", template, **kwargs)


# --- names of the figures (the "what" of a results sentence) -------------------------------------------
FIGURES = {
    "findings": M("fig.findings", gettext_lazy("Problems found")),
    "on_site": M("fig.on_site", gettext_lazy("Problems found on site")),
    "rectification": M("fig.rectification", gettext_lazy("Rectification rate")),
    "on_time": M("fig.on_time", gettext_lazy("On-time rectification rate")),
    "effectiveness": M("fig.effectiveness", gettext_lazy("Effectiveness rate")),
    "wait_p90": M("fig.wait_p90", gettext_lazy("Window waiting time, 90th percentile")),
    "hand_hygiene": M("fig.hand_hygiene", gettext_lazy("Hand-hygiene compliance")),
    "charts": M("fig.charts", gettext_lazy("Charts audited")),
    "chart_rectification": M("fig.chart_rectification", gettext_lazy("Rectification rate of problem charts")),
    "satisfaction": M("fig.satisfaction", gettext_lazy("Overall satisfaction")),
    "followup": M("fig.followup", gettext_lazy("Follow-up rate")),
    "complaints": M("fig.complaints", gettext_lazy("Complaints received")),
    "complaints_on_time": M("fig.complaints_on_time", gettext_lazy("Complaints answered on time")),
}

# --- 一、工作开展情况: what was done, channel by channel ------------------------------------------------
WORK_INSPECTIONS = M(
    "work.inspections",
    ngettext_lazy(
        "On-site supervision: %(rounds)s inspection round was submitted, covering %(covered)s of %(departments)s departments (coverage %(coverage)s).",
        "On-site supervision: %(rounds)s inspection rounds were submitted, covering %(covered)s of %(departments)s departments (coverage %(coverage)s).",
        "rounds",
    ),
    count="rounds",
)
WORK_ON_SITE = M(
    "work.on_site",
    gettext_lazy(
        "Problems found on site: %(n)s (%(inspection)s on inspection rounds, %(round)s on supervisors' "
        "on-site rounds, %(walk_by)s on walk-bys)."
    ),
)
WORK_FINDINGS = M(
    "work.findings",
    ngettext_lazy(
        "Service problems of all kinds found across all channels: %(total)s (service attitude %(attitude)s, processes not followed %(process)s, work discipline %(discipline)s); %(orders)s rectification order was issued.",
        "Service problems of all kinds found across all channels: %(total)s (service attitude %(attitude)s, processes not followed %(process)s, work discipline %(discipline)s); %(orders)s rectification orders were issued.",
        "orders",
    ),
    count="orders",
)
WORK_CHART_AUDITS = M(
    "work.chart_audits",
    ngettext_lazy(
        "Chart audit: %(audited)s medical record was audited; problem charts found: %(problem)s.",
        "Chart audit: %(audited)s medical records were audited; problem charts found: %(problem)s.",
        "audited",
    ),
    count="audited",
)
WORK_SURVEYS = M(
    "work.surveys",
    ngettext_lazy(
        "Satisfaction surveys: %(distributed)s questionnaire was distributed; valid questionnaires returned: %(valid)s.",
        "Satisfaction surveys: %(distributed)s questionnaires were distributed; valid questionnaires returned: %(valid)s.",
        "distributed",
    ),
    count="distributed",
)
WORK_FOLLOWUPS = M(
    "work.followups",
    ngettext_lazy(
        "Discharge follow-up: %(discharged)s patient was discharged; followed up: %(followed)s.",
        "Discharge follow-up: %(discharged)s patients were discharged; followed up: %(followed)s.",
        "discharged",
    ),
    count="discharged",
)
WORK_COMPLAINTS = M(
    "work.complaints",
    ngettext_lazy(
        "Complaints: %(total)s complaint was received; found valid: %(valid)s.",
        "Complaints: %(total)s complaints were received; found valid: %(valid)s.",
        "total",
    ),
    count="total",
)
WORK_NONE = M("work.none", gettext_lazy("No supervision work was recorded in this period."))

# --- 二、工作成效: the headline results beside the same period last year --------------------------------
RESULT = M("results.figure", gettext_lazy("%(what)s: %(now)s (same period last year %(last)s), %(change)s."))
RESULT_NEW = M("results.new", gettext_lazy("%(what)s: %(now)s (no data for the same period last year)."))
RESULT_TOP = M(
    "results.top",
    gettext_lazy("Departments ranked highest on the scorecard: %(names)s."),
    lists=("names",),
)
RESULTS_NONE = M("results.none", gettext_lazy("No headline figure was measured in this period."))

# --- 三、存在的问题 ---------------------------------------------------------------------------------------
PROBLEM_NOT_INSPECTED = M(
    "problems.not_inspected",
    ngettext_lazy(
        "%(n)s department had no inspection round in this period: %(names)s.",
        "%(n)s departments had no inspection round in this period, among them %(names)s.",
        "n",
    ),
    count="n",
    lists=("names",),
)
PROBLEM_RECURRENCES = M(
    "problems.recurrences",
    ngettext_lazy(
        "%(n)s problem recurred in the same department: %(categories)s.",
        "%(n)s problems recurred in the same department, most often: %(categories)s.",
        "n",
    ),
    count="n",
    lists=("categories",),
)
PROBLEM_OVERDUE = M(
    "problems.overdue",
    ngettext_lazy("%(n)s rectification order is overdue.", "%(n)s rectification orders are overdue.", "n"),
    count="n",
)
PROBLEM_FOLLOWUP = M(
    "problems.followup",
    gettext_lazy("Departments with the lowest follow-up rates: %(names)s."),
    lists=("names",),
)
PROBLEM_SATISFACTION = M(
    "problems.satisfaction",
    gettext_lazy("Departments with the lowest satisfaction: %(names)s."),
    lists=("names",),
)
PROBLEM_CHECKS = M(
    "problems.checks",
    ngettext_lazy(
        "%(n)s rectified order still awaits its effectiveness check.",
        "%(n)s rectified orders still await their effectiveness check.",
        "n",
    ),
    count="n",
)
PROBLEMS_NONE = M("problems.none", gettext_lazy("The figures of this period show no open problem."))

# --- 四、改进措施 -----------------------------------------------------------------------------------------
MEASURE_INSPECT = M(
    "measures.inspect",
    ngettext_lazy(
        "Put the department not inspected in this period first in the next inspection plan.",
        "Put the %(n)s departments not inspected in this period first in the next inspection plan.",
        "n",
    ),
    count="n",
)
MEASURE_RECURRENCES = M(
    "measures.recurrences",
    ngettext_lazy(
        "Analyse the root causes of the recurring problem with the department concerned and check the effect of its actions.",
        "Analyse the root causes of the %(n)s recurring problems with the departments concerned and check the effect of their actions.",
        "n",
    ),
    count="n",
)
MEASURE_OVERDUE = M(
    "measures.overdue",
    ngettext_lazy(
        "Escalate the overdue order along the escalation ladder until it is rectified.",
        "Escalate the %(n)s overdue orders along the escalation ladder until they are rectified.",
        "n",
    ),
    count="n",
)
MEASURE_CHECKS = M(
    "measures.checks",
    ngettext_lazy(
        "Complete the effectiveness check of the order awaiting it.",
        "Complete the effectiveness checks of the %(n)s orders awaiting them.",
        "n",
    ),
    count="n",
)
MEASURE_FOLLOWUP = M(
    "measures.followup",
    gettext_lazy("Help %(names)s raise their follow-up rates."),
    lists=("names",),
)
MEASURE_SATISFACTION = M(
    "measures.satisfaction",
    gettext_lazy("Work with %(names)s on what their patients rated lowest."),
    lists=("names",),
)
MEASURES_NONE = M(
    "measures.none", gettext_lazy("Keep the supervision of every channel at its present level.")
)

# --- items inside the lists ------------------------------------------------------------------------------
ITEM_RATE = M("item.rate", gettext_lazy("%(name)s (%(rate)s)"))
ITEM_COUNT = M("item.count", gettext_lazy("%(name)s (%(n)s)"))

# --- 典型事例: a case the office picked, a snapshot of the record when picked ---------------------------------
CASE = M(
    "case",
    gettext_lazy("%(date)s, %(department)s (%(kind)s): %(text)s"),
    dates=("date",),
    choices={"kind": CaseKind},
)
CASE_PRAISE = M("case.praise", gettext_lazy("praised by name: %(name)s"))


# History notes of a report's generation (ReportEvent.comment).
REQUESTED = Message("report.requested", gettext_lazy("Requested"))
REQUESTED_AGAIN = Message("report.requested_again", gettext_lazy("Requested again"))
