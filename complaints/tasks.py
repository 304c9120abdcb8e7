"""Celery tasks of complaints: reminders and escalation, idempotent through notification dedupe keys."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(name="complaints.remind_due_soon")
def remind_due_soon(today: str | None = None) -> int:
    return services.complaints_remind_due_soon(today=_day(today))


@shared_task(name="complaints.notify_overdue")
def notify_overdue(today: str | None = None) -> int:
    return services.complaints_notify_overdue(today=_day(today))


@shared_task(name="complaints.escalate")
def escalate(today: str | None = None) -> int:
    return services.complaints_escalate(today=_day(today))
