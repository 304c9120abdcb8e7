"""Drill: Celery beat is restarted → the reminder jobs fire again, and nothing is sent twice.

The reminder jobs are made to fire every minute for the drill (their crontabs are put back at the
end). Round 1: beat + worker until every reminder job has run. Then beat is stopped (SIGTERM) and
started again; round 2: until every job has run again. Notifications are unique per
(recipient, dedupe key) and e-mails are claimed before sending, so round 2 adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import django
from common import ENV, beat, finish, log, wait_until, worker

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_celery_beat.models import CrontabSchedule, PeriodicTask  # noqa: E402

from supervision.models import Department, Notification, RectificationOrder, Role, User  # noqa: E402
from tests.factories import make_finding  # noqa: E402

assert int(settings.DATABASES["default"]["PORT"]) == int(ENV["DRILL_PG_PORT"]), "not the drill database"
JOBS = [
    "到期提醒 due-soon reminders",
    "超期日报 overdue digest",
    "超期升级 escalation",
    "投诉到期提醒 complaint due-soon reminders",
    "投诉超期提醒 complaint overdue notices",
    "投诉超期升级 complaint escalation",
]
tasks = {t.name: t for t in PeriodicTask.objects.filter(name__in=JOBS)}
assert len(tasks) == len(JOBS), f"missing beat jobs: {set(JOBS) - set(tasks)}"
original = {name: t.crontab_id for name, t in tasks.items()}
every_minute, _ = CrontabSchedule.objects.get_or_create(
    minute="*", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone=settings.TIME_ZONE
)
PeriodicTask.objects.filter(name__in=JOBS).update(crontab=every_minute, last_run_at=None)
PeriodicTask.objects.filter(name="邮件补发 e-mail sweep").update(enabled=True)

# Fresh work for round 1: an order due tomorrow and one 30 days overdue in 内科.
today = timezone.localdate()
supervisor = User.objects.filter(groups__name=Role.SUPERVISOR).first()
neike = Department.objects.get(name="内科")
due = make_finding(department=neike, found_by=supervisor, description="演练：明日到期").order
late = make_finding(department=neike, found_by=supervisor, description="演练：超期30天").order
RectificationOrder.objects.filter(pk=due.pk).update(deadline=today + dt.timedelta(days=1))
RectificationOrder.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=30))


def runs() -> dict[str, int]:
    """Runs that finished, per job, from the worker's log (beat writes total_run_count only every 3 min)."""
    log_text = work.logfile.read_text(errors="replace")
    return {
        name: len(re.findall(rf"Task {re.escape(tasks[name].task)}\[[^\]]+\] succeeded", log_text))
        for name in JOBS
    }


def counts() -> dict[str, int]:
    return {
        "notifications": Notification.objects.count(),
        "e-mailed": Notification.objects.filter(emailed_at__isnull=False).count(),
        "due-soon for the new order": Notification.objects.filter(dedupe_key__startswith=f"due_soon:{due.pk}:").count(),
        "escalation for the new order": Notification.objects.filter(dedupe_key__startswith=f"escalation:{late.pk}:").count(),
    }  # fmt: skip


def emails_in(proc) -> int:
    return sum(1 for line in proc.tail() if line.startswith("Subject: "))


before = counts()
log(f"before: {before}")
work = worker(concurrency=2)
start_runs = runs()
the_beat = beat("beat")
wait_until(lambda: all(runs()[n] > start_runs[n] for n in JOBS), 150, "round 1: every job run once", every=1)
time.sleep(6)  # the tasks finish; the 5-minute e-mail sweep is also nudged by the new notifications
round1, mails1 = counts(), emails_in(work)
log(f"round 1 (beat pid {the_beat.pid}): {round1}; e-mails printed by the console backend: {mails1}")

the_beat.stop()  # SIGTERM, as a deploy or a crash-restart does
restart_runs = runs()
the_beat = beat("beat-restarted")
wait_until(
    lambda: all(runs()[n] > restart_runs[n] for n in JOBS), 150, "round 2: every job run again", every=1
)
time.sleep(6)
round2, mails2 = counts(), emails_in(work)
log(f"round 2 after the restart (beat pid {the_beat.pid}): {round2}; e-mails printed: {mails2}")
log(f"job runs: before {start_runs}\n          after  {runs()}")
duplicates = (
    Notification.objects.values("recipient", "dedupe_key").annotate(n=Count("id")).filter(n__gt=1).count()
)
log(f"(recipient, dedupe key) pairs with more than one notification: {duplicates}")

# Put the schedules back.
for name, crontab_id in original.items():
    PeriodicTask.objects.filter(name=name).update(crontab_id=crontab_id)
ok = (
    round1["due-soon for the new order"] >= 1
    and round1["escalation for the new order"] >= 1
    and round2 == round1
    and mails2 == mails1
    and duplicates == 0
)
log(f"VERDICT {'PASS' if ok else 'FAIL'}: jobs ran again after the beat restart and nothing was sent twice")
finish(0 if ok else 1, [the_beat, work])
