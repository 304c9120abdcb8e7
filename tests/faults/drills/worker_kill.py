"""Drill: the Celery worker's pool process is SIGKILLed in the middle of a report build.

Expected (acks_late + reject_on_worker_lost; reports._claim; reports.write_atomically):
the message is redelivered but finds the report already "building" and does nothing, so the
report is never built twice at once; no final file exists until the build completes (the
renderer writes a hidden temporary file and renames it into place); when the build is stale
(REPORTS_STALE_MINUTES, 30) the 10-minute beat sweep re-enqueues it and it is built once; one
report row, one file.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from pathlib import Path

import django
from common import ENV, finish, log, wait_until, worker

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from reports import services  # noqa: E402
from reports.models import Report, ReportStatus  # noqa: E402
from supervision.celery import app  # noqa: E402

assert int(settings.DATABASES["default"]["PORT"]) == int(ENV["DRILL_PG_PORT"]), "not the drill database"
work = worker(concurrency=1)
year = timezone.localdate().year - 1
start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
Report.objects.filter(kind="annual", period_start=start, scope_key="all", format="pdf").delete()
report = services.report_request(kind="annual", start=start, end=end, fmt="pdf")
log(f"report {report.pk} queued: annual {year}, PDF, whole hospital (through Redis to the worker)")
folder = Path(settings.MEDIA_ROOT) / "reports" / "annual"
final = folder / f"{year}_all.pdf"
final.unlink(missing_ok=True)
before_tmp = set(folder.glob(".building-*")) if folder.exists() else set()


def current():
    return Report.objects.get(pk=report.pk)


wait_until(lambda: current().status == ReportStatus.BUILDING, 60, "the build to start", every=0.05)
# Kill while the PDF is being written (its temporary file exists), or else late in the build.
try:
    waited = wait_until(
        lambda: set(folder.glob(".building-*")) - before_tmp, 120, "the PDF render", every=0.02
    )
    moment = f"while the PDF was being written ({waited:.1f}s after the build started)"
except SystemExit:
    moment = "late in the build"
children = work.children()
state = current()
log(f"SIGKILL pool process {children} {moment}; status={state.status} progress={state.progress}%")
for pid in children:
    os.kill(pid, signal.SIGKILL)
wait_until(lambda: work.tail(r"WorkerLostError|signal 9|SIGKILL"), 30, "the worker to notice")
time.sleep(8)  # the redelivered message is taken by the new pool process
for line in work.tail(r"WorkerLostError|signal 9|SIGKILL|reports.build|succeeded")[-6:]:
    log("worker log: " + line[:180])
state = current()
tmp_left = sorted(p.name for p in set(folder.glob(".building-*")) - before_tmp)
log(
    f"after the kill: status={state.status} build_count={state.build_count} file={state.file.name or '—'} "
    f"final file exists={final.exists()} hidden temporary files left={tmp_left}"
)
ok_after_kill = state.status == ReportStatus.BUILDING and state.build_count == 1 and not final.exists()

# 30 minutes later the build is stale. Instead of waiting, the drill moves started_at back 31 minutes
# (the only thing the sweep looks at), then sends the beat job reports.sweep through Redis.
Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - dt.timedelta(minutes=31))
log(f"stale now: {current().is_stale()}; sending reports.sweep through the broker as beat does")
app.send_task("reports.sweep")
wait_until(lambda: current().status == ReportStatus.READY, 180, "the rebuilt report")
state = current()
rows = Report.objects.filter(kind="annual", period_start=start, scope_key="all", format="pdf").count()
head = final.read_bytes()[:5]
tmp_after = sorted(p.name for p in set(folder.glob(".building-*")) - before_tmp)
log(
    f"after the sweep: status={state.status} build_count={state.build_count} rows for the key={rows} "
    f"file={state.file.name} starts with {head!r} size={final.stat().st_size} "
    f"temporary files={tmp_after} events={list(state.events.values_list('to_status', flat=True))}"
)
ok = ok_after_kill and state.build_count == 2 and rows == 1 and head == b"%PDF-"
log(f"VERDICT {'PASS' if ok else 'FAIL'}: built once after the kill, no duplicate row, no partial final file")
finish(0 if ok else 1, [work])
