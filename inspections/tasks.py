"""Celery tasks of inspections. Idempotent: drawing a month twice creates nothing twice."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="inspections.draw_chart_sample")
def draw_chart_sample(month: str | None = None) -> int | None:
    """Draw the chart sample of ``month`` ('YYYY-MM'; default: the previous month). Returns its id."""
    first = dt.date.fromisoformat(f"{month}-01") if month else services.previous_month(timezone.localdate())
    try:
        sample, _created = services.chart_sample_draw(month=first)
    except services.NothingToDraw:
        logger.warning("chart sample of %s: no discharges imported yet; draw it by hand later", first)
        return None
    return sample.pk


@shared_task(name="inspections.remind_scheduled_rounds")
def remind_scheduled_rounds() -> int:
    """The day before a scheduled round, tell its inspector (idempotent: once per scheduled round)."""
    return services.schedule_remind()
