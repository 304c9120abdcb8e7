"""Default beat schedules, created once after migrate; an administrator changes them in the admin.

The core lists its jobs in ``DEFAULT_SCHEDULES`` below, each channel in its contract's ``schedules``
(``supervision.channels``, usually its own ``schedules.py``); a job that exists
(by name) is never overwritten, so administrators' changes survive every deploy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str  # unique, shown in the admin
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"
    interval_minutes: int | None = None


DEFAULT_SCHEDULES = [
    Job("到期提醒 due-soon reminders", "supervision.remind_due_soon", minute="0", hour="8"),
    Job("超期日报 overdue digest", "supervision.overdue_digest", minute="30", hour="8"),
    Job("超期升级 escalation", "supervision.escalate_overdue", minute="0", hour="9"),
    Job("效果评价提醒 effectiveness checks due", "supervision.remind_checks_due", minute="15", hour="8"),
    Job("邮件补发 e-mail sweep", "supervision.send_pending_emails", interval_minutes=5),
    # After the morning's reminders, digests and escalations (08:00–09:00) have been written.
    Job("每日邮件汇总 daily e-mail digest", "supervision.email_digest", minute="30", hour="9"),
    Job("个人信息到期匿名化 personal data retention", "supervision.retention", minute="30", hour="2"),
]


def ensure_schedules(jobs, timezone_name: str) -> int:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for job in jobs:
        if PeriodicTask.objects.filter(name=job.name).exists():
            continue
        if job.interval_minutes:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=job.interval_minutes, period=IntervalSchedule.MINUTES
            )
            PeriodicTask.objects.create(name=job.name, task=job.task, interval=interval)
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=job.minute,
                hour=job.hour,
                day_of_month=job.day_of_month,
                month_of_year=job.month_of_year,
                day_of_week=job.day_of_week,
                timezone=timezone_name,
            )
            PeriodicTask.objects.create(name=job.name, task=job.task, crontab=crontab)
        created += 1
    return created
