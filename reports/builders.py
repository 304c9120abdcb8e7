"""Build the content of a report from the selectors of the core and of every channel app.

Each section builder reads figures with SQL aggregation (GROUP BY month / department / category)
and never loops over rows in Python, so a monthly report stays fast on a large hospital's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from supervision import selectors as core
from supervision.models import Department, Finding, FindingSource, RectificationOrder

from . import channels
from .content import (
    INT,
    NUM,
    PCT,
    TEXT,
    Cell,
    Chart,
    Column,
    ReportContent,
    Section,
    Series,
    Table,
    fmt_pct,
    rate,
)
from .models import ReportConfig, ReportKind
from .periods import month_label, months_between, period_label, trend_window

# The three categories the standard wording of the annual summary names (domain.md).
NAMED_CATEGORIES = ("attitude", "process", "discipline")


@dataclass
class BuildContext:
    kind: str
    start: dt.date
    end: dt.date
    department_ids: list[int] | None
    departments: list[Department]
    as_of: dt.date
    config: ReportConfig
    figures: dict = field(default_factory=dict)
    # per department id → {component: score input}, filled by the sections for the scorecard
    per_department: dict[int, dict] = field(default_factory=dict)
    headline: list[tuple[str, object, object, str]] = field(default_factory=list)

    def dept(self, department_id: int) -> dict:
        return self.per_department.setdefault(department_id, {})

    @property
    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return first, after


def findings_in_period(ctx: BuildContext, start: dt.date | None = None, end: dt.date | None = None):
    tz = timezone.get_current_timezone()
    start, end = start or ctx.start, end or ctx.end
    qs = Finding.objects.filter(
        found_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        found_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    if ctx.department_ids:
        qs = qs.filter(department_id__in=ctx.department_ids)
    return qs


def orders_in_period(ctx: BuildContext):
    """Orders issued for the findings of the period (their state as of the build)."""
    first, after = ctx.aware_bounds
    qs = RectificationOrder.objects.filter(finding__found_at__gte=first, finding__found_at__lt=after)
    if ctx.department_ids:
        qs = qs.filter(department_id__in=ctx.department_ids)
    return qs


def _share(n: int, total: int) -> float | None:
    return rate(n, total)


def section_findings(ctx: BuildContext) -> Section:
    section = Section("findings", pgettext("report section", "Findings"))
    qs = findings_in_period(ctx)
    by_category = core.findings_by_category(qs)
    total = sum(r["n"] for r in by_category)
    ctx.figures["findings.total"] = total
    codes = dict(qs.values_list("category__code").annotate(n=Count("id")).values_list("category__code", "n"))
    for code in NAMED_CATEGORIES:
        ctx.figures[f"findings.category.{code}"] = codes.get(code, 0)
    if not total:
        section.empty = True
        section.paragraphs.append(_("No findings were recorded in this period."))
        return section
    section.paragraphs.append(
        _(
            "In this period %(total)s service problems of all kinds were found, of which %(attitude)s "
            "service-attitude problems, %(process)s problems of processes not followed and "
            "%(discipline)s work-discipline problems."
        )
        % {"total": total, **{code: codes.get(code, 0) for code in NAMED_CATEGORIES}}
    )
    section.tables.append(
        Table(
            _("Findings by category"),
            [Column(_("Category")), Column(_("Number of findings"), INT), Column(_("Share"), PCT)],
            [[r["category__name"], r["n"], _share(r["n"], total)] for r in by_category],
        )
    )
    section.charts.append(
        Chart(
            "bar",
            _("Findings by category"),
            [r["category__name"] for r in by_category],
            [Series(_("Number of findings"), [r["n"] for r in by_category])],
            y_label=_("Number of findings"),
        )
    )
    source_labels = dict(FindingSource.choices)
    by_source = core.findings_by_source(qs)
    section.tables.append(
        Table(
            _("Findings by source"),
            [Column(_("Finding source")), Column(_("Number of findings"), INT), Column(_("Share"), PCT)],
            [
                [str(source_labels.get(r["source"], r["source"])), r["n"], _share(r["n"], total)]
                for r in by_source
            ],
        )
    )
    by_department = core.findings_by_department(qs)
    section.tables.append(
        Table(
            _("Findings by department"),
            [Column(_("Department")), Column(_("Number of findings"), INT), Column(_("Recurrences"), INT)],
            [[r["department__name"], r["n"], r["recurrences"]] for r in by_department],
            pdf_rows=channels.department_pdf_rows(ctx),
        )
    )
    # trend: findings per month over (at least) the last 12 months
    first, last = trend_window(ctx.start, ctx.end)
    per_month = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in findings_in_period(ctx, first, last)
        .annotate(month=TruncMonth("found_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values("month", "n")
    }
    months = months_between(first, last)
    section.charts.append(
        Chart(
            "line",
            _("Findings per month"),
            [month_label(m) for m in months],
            [Series(_("Number of findings"), [per_month.get(m, 0) for m in months])],
            y_label=_("Number of findings"),
        )
    )
    return section


def section_rectification(ctx: BuildContext) -> Section:
    section = Section("rectification", pgettext("report section", "Rectification"))
    orders = orders_in_period(ctx)
    counts = core.order_counts(orders, today=ctx.as_of)
    recurrences = findings_in_period(ctx).filter(recurrence_of__isnull=False).count()
    f = ctx.figures
    f.update(
        {
            "orders.total": counts.total,
            "orders.closed": counts.closed,
            "orders.closed_on_time": counts.closed_on_time,
            "orders.overdue": counts.overdue,
            "orders.rectification_rate": counts.rectification_rate,
            "orders.on_time_rate": counts.on_time_rate,
            "findings.recurrences": recurrences,
        }
    )
    ctx.headline.append(
        (_("Rectification rate"), float(ctx.config.target_rectification_rate), counts.rectification_rate, PCT)
    )
    ctx.headline.append(
        (_("On-time rectification rate"), float(ctx.config.target_on_time_rate), counts.on_time_rate, PCT)
    )
    if not counts.total:
        section.empty = True
        section.paragraphs.append(_("No rectification orders were issued for the findings of this period."))
        if recurrences:
            section.paragraphs.append(_("Recurring problems: %(n)s.") % {"n": recurrences})
        return section
    section.paragraphs.append(
        _(
            "%(total)s rectification orders were issued for the findings of this period; %(closed)s were "
            "verified and closed, a rectification rate of %(rate)s; %(on_time)s were closed by their "
            "deadline, an on-time rate of %(on_time_rate)s. As of %(as_of)s, %(overdue)s orders are overdue. "
            "Recurring problems: %(recurrences)s."
        )
        % {
            "total": counts.total,
            "closed": counts.closed,
            "rate": fmt_pct(counts.rectification_rate),
            "on_time": counts.closed_on_time,
            "on_time_rate": fmt_pct(counts.on_time_rate),
            "as_of": date_format(ctx.as_of, "DATE_FORMAT"),
            "overdue": counts.overdue,
            "recurrences": recurrences,
        }
    )
    table = core.department_order_table(orders, today=ctx.as_of)
    rows = []
    for r in table:
        rect, on_time = rate(r["closed"], r["total"]), rate(r["closed_on_time"], r["closed"])
        rows.append(
            [
                r["department__name"],
                r["total"],
                r["open"],
                r["overdue"],
                r["closed"],
                r["closed_on_time"],
                rect,
                on_time,
            ]
        )
        d = ctx.dept(r["department_id"])
        d["rectification"], d["on_time"] = rect, on_time
    section.tables.append(
        Table(
            _("Rectification by department"),
            [
                Column(_("Department")),
                Column(_("Orders"), INT),
                Column(_("Open"), INT),
                Column(_("Overdue"), INT),
                Column(_("Closed"), INT),
                Column(_("Closed on time"), INT),
                Column(_("Rectification rate"), PCT),
                Column(_("On-time rate"), PCT),
            ],
            rows,
            pdf_rows=channels.department_pdf_rows(ctx),
        )
    )
    rec_rows = list(
        findings_in_period(ctx)
        .filter(recurrence_of__isnull=False)
        .values("department_id", "department__name", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name", "category__name")
    )
    for r in rec_rows:
        d = ctx.dept(r["department_id"])
        d["recurrences"] = d.get("recurrences", 0) + r["n"]
    if rec_rows:
        section.tables.append(
            Table(
                _("Recurring problems"),
                [Column(_("Department")), Column(_("Category")), Column(_("Recurrences"), INT)],
                [[r["department__name"], r["category__name"], r["n"]] for r in rec_rows],
                pdf_rows=channels.pdf_list_rows(),
            )
        )
    return section


def section_headline(ctx: BuildContext) -> Section:
    section = Section("headline", pgettext("report section", "Headline figures"))
    units = {PCT: "%", INT: _("count"), NUM: _("minutes")}
    rows = []
    for label, target, actual, kind in ctx.headline:
        if actual is None:
            verdict = _("no data")
        elif target is None:
            verdict = "—"
        elif kind == NUM:  # lower is better (waiting minutes)
            verdict = _("met") if actual <= target else _("not met")
        else:
            verdict = _("met") if actual >= target else _("not met")
        rows.append([label, units[kind], Cell(target, kind), Cell(actual, kind), verdict])
    section.tables.append(
        Table(
            _("Target and actual"),
            [
                Column(_("Indicator")),
                Column(_("Unit")),
                Column(_("Target"), NUM),
                Column(_("Actual"), NUM),
                Column(_("Result")),
            ],
            rows,
            note=_("— means no data in the period."),
        )
    )
    return section


def section_scorecard(ctx: BuildContext) -> Section:
    section = Section("scorecard", pgettext("report section", "Department scorecard"))
    weights = ctx.config.weights()
    all_weights = sum(weights.values())
    min_share = ctx.config.min_weight_share
    names = {d.pk: d.name for d in ctx.departments}
    rows = []
    for dept_id, inputs in ctx.per_department.items():
        if dept_id not in names:
            continue
        scores = {
            "rectification": inputs.get("rectification"),
            "on_time": inputs.get("on_time"),
            "recurrence": (
                max(0, 100 - ctx.config.recurrence_penalty * inputs.get("recurrences", 0))
                if inputs.get("rectification") is not None or inputs.get("recurrences")
                else None
            ),
            "satisfaction": inputs.get("satisfaction"),
            "followup": inputs.get("followup"),
            "complaints": (
                max(0, 100 - ctx.config.complaint_penalty * inputs["valid_complaints"])
                if inputs.get("valid_complaints") is not None
                else None
            ),
        }
        used = {k: v for k, v in scores.items() if v is not None and weights[k]}
        weight_sum = sum(weights[k] for k in used)
        total = round(sum(weights[k] * used[k] for k in used) / weight_sum, 1) if weight_sum else None
        coverage = rate(weight_sum, all_weights)
        rows.append([names[dept_id], *(scores[k] for k in weights), coverage, total])
    ranked_rows = [r for r in rows if r[-1] is not None and (r[-2] or 0) >= min_share]
    unranked_rows = [r for r in rows if r not in ranked_rows]
    ranked_rows.sort(key=lambda r: (-r[-1], r[0]))
    unranked_rows.sort(key=lambda r: (r[-1] is None, -(r[-1] or 0), r[0]))
    ranked = [[i + 1, *r] for i, r in enumerate(ranked_rows)] + [[None, *r] for r in unranked_rows]
    ctx.figures["scorecard"] = {r[1]: r[-1] for r in ranked if r[0] is not None}
    if not ranked:
        section.empty = True
        section.paragraphs.append(_("No department has figures in this period."))
        return section
    section.paragraphs.append(
        _(
            "Each component is a score from 0 to 100; a department's total is the weighted mean of the "
            "components it has figures for. Weights: %(weights)s."
        )
        % {
            "weights": "，".join(
                f"{label} {weights[key]}"
                for key, label in (
                    ("rectification", _("rectification rate")),
                    ("on_time", _("on-time rate")),
                    ("recurrence", _("no recurrences")),
                    ("satisfaction", _("satisfaction")),
                    ("followup", _("follow-up rate")),
                    ("complaints", _("valid complaints")),
                )
            )
        }
    )
    section.tables.append(
        Table(
            _("Department ranking"),
            [
                Column(_("Rank"), INT),
                Column(_("Department")),
                Column(_("Rectification rate"), NUM),
                Column(_("On-time rate"), NUM),
                Column(_("Recurrence score"), NUM),
                Column(_("Satisfaction"), NUM),
                Column(_("Follow-up rate"), NUM),
                Column(_("Complaint score"), NUM),
                Column(_("Weight with figures"), PCT),
                Column(_("Total score"), NUM),
            ],
            ranked,
            note=_(
                "Departments with figures for less than %(share)s%% of the weights are listed without a rank."
            )
            % {"share": min_share},
        )
    )
    top = [r for r in ranked if r[0] is not None][:15]
    section.charts.append(
        Chart(
            "bar",
            _("Total score by department"),
            [r[1] for r in top],
            [Series(_("Total score"), [r[-1] for r in top])],
            y_label=_("Score"),
        )
    )
    return section


SectionBuilder = Callable[[BuildContext], Section]


def build_content(
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    department_ids=None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReportContent:
    today = today or timezone.localdate()
    department_ids = sorted({int(i) for i in department_ids}) if department_ids else None
    departments = list(
        Department.objects.filter(pk__in=department_ids) if department_ids else Department.objects.all()
    )
    ctx = BuildContext(
        kind=kind,
        start=start,
        end=end,
        department_ids=department_ids,
        departments=departments,
        as_of=min(today, end),
        config=ReportConfig.get(),
    )
    builders: list[SectionBuilder] = [
        section_findings,
        section_rectification,
        *channels.section_builders(),
        section_scorecard,
    ]
    sections: list[Section] = []
    for i, builder in enumerate(builders):
        sections.append(builder(ctx))
        if progress:
            progress(int(10 + 70 * (i + 1) / len(builders)))
    sections.insert(0, section_headline(ctx))
    if kind == ReportKind.ANNUAL:
        from .narrative import section_summary

        sections.insert(0, section_summary(ctx, sections))
    scope_label = "、".join(d.name for d in departments) if department_ids else _("Whole hospital")
    label = period_label(kind, start, end)
    kind_label = str(ReportKind(kind).label)
    return ReportContent(
        kind=kind,
        title=f"{label}{kind_label}",
        hospital=settings.HOSPITAL_NAME,
        period_label=label,
        scope_label=scope_label,
        start=start,
        end=end,
        generated_at=timezone.localtime(),
        sections=sections,
        figures=ctx.figures,
    )


__all__ = ["TEXT", "BuildContext", "build_content", "findings_in_period"]
