"""问题发现 — findings of the period: by category, source and department, and per month."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from supervision import selectors as core
from supervision.models import FindingSource, OrderStatus, Severity

from ..content import DATE, INT, PCT, Chart, Column, Section, Series, Table, rate
from ..periods import month_label, months_between, trend_window
from .base import BuildContext, Indicator, department_pdf_rows, findings_in_period, month_key, yes_no

KEY = "findings"

# The three categories the standard wording of the annual summary names (docs/domain.md).
NAMED_CATEGORIES = ("attitude", "process", "discipline")


@dataclass(frozen=True)
class FindingFigures:
    total: int  # all channels
    attitude: int  # the three categories the standard wording names
    process: int
    discipline: int
    recurrences: int  # findings of the period that repeat an earlier one (``recurrence_of``)
    # found on site: inspection rounds + supervisors' own on-site rounds and walk-bys (core.found_on_site)
    on_site: int = 0


def build(ctx: BuildContext) -> Section:
    section = Section(KEY, pgettext("report section", "Findings"))
    qs = findings_in_period(ctx)
    by_category = core.findings_by_category(qs)
    total = sum(r["n"] for r in by_category)
    codes = dict(qs.values_list("category__code").annotate(n=Count("id")).values_list("category__code", "n"))
    named = {code: codes.get(code, 0) for code in NAMED_CATEGORIES}
    recurrences = qs.filter(recurrence_of__isnull=False).count() if total else 0
    on_site = core.found_on_site(qs) if total else {"total": 0}
    ctx.figures.findings = FindingFigures(
        total=total, recurrences=recurrences, on_site=on_site["total"], **named
    )
    ctx.headline.append(Indicator(_("Problems found"), None, total or None, INT))
    if not total:
        section.empty = True
        section.paragraphs.append(_("No findings were recorded in this period."))
        return section
    # the on-site count first, as the seed summaries write it; every channel in the next sentence
    section.paragraphs.append(
        _(
            "Problems found on site: %(n)s (%(inspection)s on inspection rounds, %(round)s on supervisors' "
            "on-site rounds, %(walk_by)s on walk-bys)."
        )
        % {"n": on_site["total"], **{k: on_site[k] for k in ("inspection", "round", "walk_by")}}
    )
    section.paragraphs.append(
        ngettext(
            "In this period %(total)s service problem was found (service attitude: %(attitude)s, processes "
            "not followed: %(process)s, work discipline: %(discipline)s).",
            "In this period %(total)s service problems of all kinds were found (service attitude: %(attitude)s, "
            "processes not followed: %(process)s, work discipline: %(discipline)s).",
            total,
        )
        % {"total": total, **named}
    )
    section.tables.append(
        Table(
            _("Findings by category"),
            [Column(_("Category")), Column(_("Number of findings"), INT), Column(_("Share"), PCT)],
            [[r["category__name"], r["n"], rate(r["n"], total)] for r in by_category],
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
                [str(source_labels.get(r["source"], r["source"])), r["n"], rate(r["n"], total)]
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
            pdf_rows=department_pdf_rows(ctx),
        )
    )
    if ctx.figures_only:
        return section
    # trend: findings per month over (at least) the last 12 months
    first, last = trend_window(ctx.start, ctx.end)
    per_month = {
        month_key(row["month"]): row["n"]
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


def data_sheet(ctx: BuildContext) -> None:
    """The findings of the period, one row each, for re-cutting in the workbook."""
    sources, severities, statuses = (
        dict(FindingSource.choices),
        dict(Severity.choices),
        dict(OrderStatus.choices),
    )

    def rows():
        for found_at, department, category, source, severity, repeat_of, status in (
            findings_in_period(ctx)
            .order_by("found_at", "id")
            .values_list(
                "found_at",
                "department__name",
                "category__name",
                "source",
                "severity",
                "recurrence_of",
                "order__status",
            )
        ):
            yield [
                timezone.localdate(found_at),
                department,
                category,
                str(sources.get(source, source)),
                str(severities.get(severity, severity)),
                yes_no(repeat_of is not None),
                str(statuses.get(status, "")) if status else "",
            ]

    ctx.add_data(
        KEY,
        pgettext("report section", "Findings"),
        [
            Column(_("Date found"), DATE),
            Column(_("Department")),
            Column(_("Category")),
            Column(_("Finding source")),
            Column(_("Severity")),
            Column(_("Recurrence")),
            Column(_("Order status")),
        ],
        rows,
    )
