"""Build the content of a report from the selectors of the core and of every channel app.

Each section (``reports.sections``, one module each) reads figures with SQL aggregation
(GROUP BY month / department / category) and never loops over rows in Python, so a monthly
report stays fast on a large hospital's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.infra.wording import join_list
from supervision.models import Department

from . import sections, written
from .content import ReportContent, Section
from .models import ReportConfig, ReportKind, WrittenSummary, scope_key_for
from .periods import period_label, same_period_last_year
from .sections.base import BuildContext, findings_in_period


def stored_summary(start: dt.date, end: dt.date, department_ids) -> WrittenSummary | None:
    """The office's written summary of this period and scope (draft or finalised), if any."""
    return WrittenSummary.objects.filter(
        period_start=start, period_end=end, scope_key=scope_key_for(department_ids)
    ).first()


def measure(
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    department_ids=None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    with_data: bool = False,
    compare: bool = True,
) -> tuple[BuildContext, BuildContext | None, list[Section]]:
    """Run the sections that measure: the context with their figures, last year's (``compare``) and
    the sections built (without the headline and the written summary, which read the figures)."""
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
        with_data=with_data,
    )
    built: list[Section] = []
    previous = None
    if kind == ReportKind.WEEKLY_MEETING:
        # One section, no headline: the list the meeting reads (reports.sections.weekly_meeting).
        built.append(sections.weekly_meeting.build(ctx))
        return ctx, previous, built
    builders = sections.body_builders()
    for i, builder in enumerate(builders):
        built.append(builder(ctx))
        if progress:
            progress(int(10 + 70 * (i + 1) / len(builders)))
    if with_data:  # the workbook's rows behind the figures
        for data_sheet in sections.data_sheet_builders():
            data_sheet(ctx)
    if compare:  # every headline figure beside the same period last year (the same sections, again)
        last_start, last_end = same_period_last_year(kind, start, end)
        previous = BuildContext(
            kind=kind,
            start=last_start,
            end=last_end,
            department_ids=department_ids,
            departments=departments,
            as_of=min(today, last_end),
            config=ctx.config,
            figures_only=True,
            shared=ctx.shared,
        )
        for builder in builders:
            builder(previous)
    return ctx, previous, built


def build_content(
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    department_ids=None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    with_data: bool = False,
    compare: bool = True,
) -> ReportContent:
    ctx, previous, built = measure(
        kind=kind,
        start=start,
        end=end,
        department_ids=department_ids,
        today=today,
        progress=progress,
        with_data=with_data,
        compare=compare,
    )
    department_ids, departments = ctx.department_ids, ctx.departments
    if kind != ReportKind.WEEKLY_MEETING:
        built.insert(0, sections.headline.build(ctx, previous))
        if written.is_written(start, end):  # a year, half-year or quarter opens with the written summary
            built.insert(0, written.section(ctx, previous, stored_summary(start, end, department_ids)))
    scope_label = join_list(d.name for d in departments) if department_ids else _("Whole hospital")
    label = period_label(kind, start, end)
    kind_label = str(ReportKind(kind).label)
    return ReportContent(
        kind=kind,
        # Chinese runs the period into the kind (2026年10月月报); English needs a space between them.
        title=_("%(period)s %(kind)s") % {"period": label, "kind": kind_label},
        hospital=settings.HOSPITAL_NAME,
        period_label=label,
        scope_label=scope_label,
        start=start,
        end=end,
        generated_at=timezone.localtime(),
        sections=built,
        figures=ctx.figures,
        data_sheets=ctx.data_sheets,
    )


__all__ = ["BuildContext", "build_content", "findings_in_period"]
