"""Drill: Redis (cache and broker) goes away while gunicorn serves, then comes back.

Outage 1, Redis stopped (connection refused): pages answer, and every action that enqueues work is
saved and redirects. Outage 2, Redis frozen (SIGSTOP: connections hang until the 2 s socket
timeouts): the same, slower. Redis back: a worker takes the recorded work through the beat sweeps
(send_pending_emails every 5 min, reports.sweep every 10 min for reports queued > 2 min; the drill
sends those two beat jobs through the broker instead of waiting for their interval).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import signal
import time
from pathlib import Path

import django
from common import ENV, ROOT, Browser, finish, gunicorn, log, sh, wait_until, worker

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.models import Complaint  # noqa: E402
from reports.models import Report, ReportStatus  # noqa: E402
from supervision.celery import app  # noqa: E402
from supervision.models import Category, Department, Finding, Notification  # noqa: E402
from surveys.models import Campaign, Channel, SurveyResponse  # noqa: E402

assert int(settings.DATABASES["default"]["PORT"]) == int(ENV["DRILL_PG_PORT"]), "not the drill database"
PAGES = {
    "supervisor": ["/", "/findings/", "/findings/new/", "/notifications/", "/inspections/", "/complaints/"],
    "caller": ["/followups/"],
    "head-neike": ["/", "/findings/"],
    "admin": ["/reports/", "/surveys/", "/followups/figures/"],
}
neike = Department.objects.get(name="内科")
campaign = next(
    c
    for c in Campaign.objects.select_related("questionnaire")
    if c.is_accepting() and Channel.WEB in c.channels
)
if campaign.departments.exists():
    neike = campaign.departments.first()
survey_url = f"/surveys/s/{campaign.public_key}/{neike.code}/"
results: list[tuple[str, str, int, float, bool]] = []
report_ids: list[int] = []


def timed(label, call, expect):
    started = time.monotonic()
    code = call()
    seconds = time.monotonic() - started
    results.append((outage, label, code, seconds, code in expect))
    log(f"  [{outage}] {label}: {code} in {seconds:.2f}s {'ok' if code in expect else 'UNEXPECTED'}")
    return code


def hidden_inputs(page: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]+>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def exercise(tag: str) -> None:
    for user, paths in PAGES.items():
        for path in paths:
            timed(f"GET {path} as {user}", lambda p=path, u=user: browsers[u].get(p)[0], {200})
    finding_data = {
        "department": neike.pk,
        "category": Category.objects.filter(active=True).first().pk,
        "severity": "minor",
        # The date and the 24-hour time of supervision.forms.DateTimeField24.
        "found_at_0": f"{timezone.localtime():%Y-%m-%d}",
        "found_at_1": f"{timezone.localtime():%H:%M}",
        "location": "门诊大厅",
        "description": f"Redis 故障演练 {tag}",
        "needs_rectification": "on",
    }
    timed("POST new finding (notifies heads by e-mail)",
          lambda: browsers["supervisor"].post_form("/findings/new/", finding_data)[0], {302})  # fmt: skip
    month = f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"

    def request_report():
        code, _, location = browsers["admin"].post_form("/reports/request/", {
            "kind": "monthly", "month": month, "format": "xlsx" if tag == "stopped" else "pdf",
            "departments": [neike.pk]}, form_page="/reports/")  # fmt: skip
        if code == 302:
            report_ids.append(int(location.rstrip("/").rsplit("/", 1)[1]))
        return code

    timed("POST report request (enqueues the build)", request_report, {302})
    anonymous = Browser()
    page = anonymous.get(survey_url)[1]
    complaint_page = anonymous.get("/complaints/public/")[1]
    time.sleep(3.5)  # a person reads the form (the server refuses posts faster than 3 s)
    answers = {}
    for question in campaign.questionnaire.questions.all():
        if question.kind == "scale":
            answers[question.field_name] = "5"
        elif question.kind == "yes_no":
            answers[question.field_name] = "yes"
    timed("POST public survey (rate-limited form)",
          lambda: anonymous.request("POST", survey_url, {**hidden_inputs(page), **answers, "website": ""})[0], {302})  # fmt: skip
    timed("POST public complaint (rate-limited form)",
          lambda: anonymous.request("POST", "/complaints/public/", {**hidden_inputs(complaint_page),
              "complainant_name": "演练", "complainant_phone": "13700001111",
              "content": f"Redis 故障演练 {tag}", "website": ""})[0], {302})  # fmt: skip


web = gunicorn()
browsers = {user: Browser() for user in PAGES}
for user, browser in browsers.items():
    browser.login(user)
start_counts = (Finding.objects.count(), SurveyResponse.objects.count(), Complaint.objects.count())
last_finding = Finding.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
started_at = timezone.now()

outage = "stopped"
sh("tests/faults/drills/redis.sh stop && (redis-cli -p $DRILL_REDIS_PORT ping || true)")
exercise("stopped")

outage = "frozen"
sh("tests/faults/drills/redis.sh start")
redis_pid = int(Path(ROOT / "var/drills/redis.pid").read_text())
log(f"SIGSTOP redis (pid {redis_pid}): it accepts connections but never answers")
os.kill(redis_pid, signal.SIGSTOP)
try:
    exercise("frozen")
finally:
    os.kill(redis_pid, signal.SIGCONT)
    log(f"SIGCONT redis (pid {redis_pid})")
sh("redis-cli -p $DRILL_REDIS_PORT flushall")  # nothing the web queued during the freeze survives

outage = "back"
saved = (
    Finding.objects.count() - start_counts[0],
    SurveyResponse.objects.count() - start_counts[1],
    Complaint.objects.count() - start_counts[2],
)
new_findings = Finding.objects.filter(pk__gt=last_finding, description__startswith="Redis 故障演练")
pending = Notification.objects.filter(created_at__gte=started_at, emailed_at__isnull=True)
queued = Report.objects.filter(pk__in=report_ids)
log(f"saved during the outages: findings +{saved[0]}, survey responses +{saved[1]}, complaints +{saved[2]}")
log(f"recorded work: e-mails pending {pending.count()}, reports {list(queued.values_list('pk', 'status'))}")
work = worker(concurrency=1)
app.send_task("supervision.send_pending_emails")
wait_until(lambda: not pending.exists(), 60, "the pending e-mails to go out", every=1)
log(f"e-mails sent by the worker: {sum(1 for line in work.tail() if line.startswith('Subject: '))}")
newest = max(queued.values_list("created_at", flat=True))  # the sweep takes reports queued > 2 min
wait_s = max(0.0, 125 - (timezone.now() - newest).total_seconds())
log(f"waiting {wait_s:.0f}s until the queued reports are older than the sweep's 2 minutes")
time.sleep(wait_s)
app.send_task("reports.sweep")
wait_until(
    lambda: not queued.exclude(status=ReportStatus.READY).exists(), 180, "the reports to be built", every=1
)
log(f"reports after the sweep: {list(queued.values_list('pk', 'format', 'status', 'build_count'))}")

ok = all(r[4] for r in results) and saved == (2, 2, 2) and new_findings.count() == 2
ok = ok and not pending.exists() and not queued.exclude(status=ReportStatus.READY).exists()
slowest = max(results, key=lambda r: r[3])
log(f"slowest request: [{slowest[0]}] {slowest[1]} {slowest[3]:.2f}s")
log(
    f"VERDICT {'PASS' if ok else 'FAIL'}: no 500 with Redis down or hung; every action saved; the work ran when it returned"
)
finish(0 if ok else 1, [work, web])
