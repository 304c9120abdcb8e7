"""Celery tasks of the reports app. Each loads by id and calls a service; all idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services
from .models import ReportKind


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(name="reports.build")
def build_report(report_id: int) -> str | None:
    report = services.report_build(report_id=report_id)
    return report.status if report else None


@shared_task(name="reports.build_last_month")
def build_last_month(today: str | None = None) -> int:
    return len(services.reports_schedule_period(kind=ReportKind.MONTHLY, today=_day(today)))


@shared_task(name="reports.build_last_year")
def build_last_year(today: str | None = None) -> int:
    return len(services.reports_schedule_period(kind=ReportKind.ANNUAL, today=_day(today)))


@shared_task(name="reports.build_weekly_meeting")
def build_weekly_meeting(today: str | None = None) -> int:
    return len(services.reports_schedule_weekly_meeting(today=_day(today)))


@shared_task(name="reports.sweep")
def sweep() -> int:
    return services.reports_sweep()


@shared_task(name="reports.build_summary_files")
def build_summary_files(summary_id: int) -> bool:
    summary = services.summary_files_build(summary_id=summary_id)
    return bool(summary and summary.pdf_file and summary.docx_file)
