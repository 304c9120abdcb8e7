"""Celery tasks of the core. Each loads what it needs and calls a service; all idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@shared_task(name="supervision.remind_due_soon")
def remind_due_soon(today: str | None = None) -> int:
    return services.orders_remind_due_soon(today=_day(today))


@shared_task(name="supervision.overdue_digest")
def overdue_digest(today: str | None = None) -> int:
    return services.orders_send_overdue_digest(today=_day(today))


@shared_task(name="supervision.escalate_overdue")
def escalate_overdue(today: str | None = None) -> int:
    """The escalation ladder (the task keeps its name, so installed beat jobs keep working)."""
    return services.orders_climb_ladder(today=_day(today))


@shared_task(name="supervision.remind_checks_due")
def remind_checks_due(today: str | None = None) -> int:
    return services.orders_remind_checks_due(today=_day(today))


@shared_task(
    name="supervision.send_pending_emails", autoretry_for=(Exception,), max_retries=3, retry_backoff=True
)
def send_pending_emails() -> int:
    return services.notifications_email_pending()


@shared_task(name="supervision.email_digest")
def email_digest(today: str | None = None) -> int:
    """The daily e-mail digest; once a day per person (EmailDigest), so a rerun sends nothing twice."""
    return services.notifications_email_digest(today=_day(today))


@shared_task(name="supervision.retention")
def retention(today: str | None = None) -> int:
    """Anonymise contact data of cases over for longer than SiteConfig.retention_months (PIPL)."""
    from .retention import personal_data_anonymise

    return personal_data_anonymise(today=_day(today)).total
