"""Celery tasks of inspections. Idempotent: drawing a month twice creates nothing twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="inspections.draw_chart_sample")
def draw_chart_sample(month: str | None = None) -> int:
    """Draw the chart sample of ``month`` ('YYYY-MM'; default: the previous month). Returns its id."""
    first = dt.date.fromisoformat(f"{month}-01") if month else services.previous_month(timezone.localdate())
    sample, _created = services.chart_sample_draw(month=first)
    return sample.pk
