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

from . import sections
from .content import ReportContent, Section
from .models import ReportConfig, ReportKind
from .periods import period_label, same_period_last_year
from .sections.base import BuildContext, findings_in_period


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
    if kind == ReportKind.WEEKLY_MEETING:
        # One section, no headline: the list the meeting reads (reports.sections.weekly_meeting).
        built.append(sections.weekly_meeting.build(ctx))
    else:
        builders = sections.body_builders()
        for i, builder in enumerate(builders):
            built.append(builder(ctx))
            if progress:
                progress(int(10 + 70 * (i + 1) / len(builders)))
        if with_data:  # the workbook's rows behind the figures
            for data_sheet in sections.data_sheet_builders():
                data_sheet(ctx)
        previous = None
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
            )
            for builder in builders:
                builder(previous)
        built.insert(0, sections.headline.build(ctx, previous))
        if kind == ReportKind.ANNUAL:
            built.insert(0, sections.summary.build(ctx))
    scope_label = join_list(d.name for d in departments) if department_ids else _("Whole hospital")
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
        sections=built,
        figures=ctx.figures,
        data_sheets=ctx.data_sheets,
    )


__all__ = ["BuildContext", "build_content", "findings_in_period"]
