"""Celery tasks of the follow-up app: the morning queue and large imports."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from supervision.infra.imports import texts as import_texts
from supervision.infra.tasking import enqueue_on_commit

from . import importing, services, texts
from .models import ImportJob, ImportJobStatus

logger = logging.getLogger(__name__)


@shared_task(name="followups.build_call_queue")
def build_call_queue(day: str | None = None) -> dict:
    """Build the day's call queue (idempotent: a second run creates nothing)."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    result = services.call_queue_build(day=when)
    return {"day": str(result.day), "created": result.created, "assigned": result.assigned}


MAX_IMPORT_ATTEMPTS = 2  # a file that kills its worker twice is refused, not retried for ever


@shared_task(name="followups.sweep_imports")
def sweep_imports() -> int:
    """Beat: enqueue again every import still queued (e.g. accepted while the broker was down) and
    every running one whose worker died (no heartbeat for IMPORT_JOBS_STALE_MINUTES).

    Safe to repeat: ``run_import`` claims a job under a row lock and skips one already taken.
    """
    now = timezone.now()
    waiting = [
        job.pk
        for job in ImportJob.objects.filter(status__in=[ImportJobStatus.QUEUED, ImportJobStatus.RUNNING])
        if job.status == ImportJobStatus.QUEUED or job.is_stale(now)
    ]
    for job_id in waiting:
        enqueue_on_commit(run_import, job_id)
    return len(waiting)


def _claim(job_id: int) -> ImportJob | None:
    """Move a queued (or stale running) job to running; None when another worker has it or it ended."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (job.status == ImportJobStatus.QUEUED or job.is_stale()):
            return None
        if job.attempts >= MAX_IMPORT_ATTEMPTS:
            logger.error(
                "follow-up import job %s: its worker stopped %s times; refused", job.pk, job.attempts
            )
            _finish(
                job, status=ImportJobStatus.FAILED, report=_failure(texts.IMPORT_INTERRUPTED(n=job.attempts))
            )
            return None
        job.status = ImportJobStatus.RUNNING
        job.attempts += 1
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "attempts", "heartbeat_at"])
        return job


def _failure(message) -> dict:
    """A job's report refusing the whole file: the message as key + parameters (worded when shown)."""
    return {"ok": False, "file_error": import_texts.stored(message), "errors": []}


def _finish(job: ImportJob, *, status: str, report: dict, **fields) -> bool:
    """End the job (unless a later attempt took it over) and delete the uploaded HIS file."""
    ended = ImportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=status, finished_at=timezone.now(), report=report, **fields
    )
    if ended:
        job.file.delete(save=False)  # names, phones, diagnoses: kept no longer than the import
    return bool(ended)


@shared_task(name="followups.run_import")
def run_import(job_id: int) -> str:
    """Run a queued large import; progress is written to the job so the page can poll it."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    mine = ImportJob.objects.filter(pk=job.pk, attempts=job.attempts)
    try:
        with job.file.open("rb") as handle:
            total = importing.count_rows(handle, job.file_name)
            mine.update(total=total or 0)

            def progress(done: int, phase: str) -> None:
                mine.update(processed=done, report={"phase": phase}, heartbeat_at=timezone.now())

            run = importing.discharges_import if job.kind == "discharges" else importing.history_import
            report = run(source=handle, file_name=job.file_name, actor=job.actor, progress=progress)
    except Exception:
        logger.exception("follow-up import job %s failed", job.pk)
        _finish(job, status=ImportJobStatus.FAILED, report=_failure(import_texts.FAILED()))
        return "failed"
    _finish(
        job,
        status=ImportJobStatus.DONE if report.ok else ImportJobStatus.FAILED,
        report=report.as_dict(),
        processed=report.total_rows,
        total=report.total_rows,
    )
    return "done" if report.ok else "failed"


@shared_task(name="followups.raise_alert")
def raise_alert(attempt_id: int) -> bool:
    """Look at one recorded call and raise its alert on an unhappy patient (issue 17)."""
    from .models import CallAttempt

    attempt = (
        CallAttempt.objects.select_related("task__department", "task__stay").filter(pk=attempt_id).first()
    )
    if attempt is None:
        return False
    return services.attempt_raise_alert(attempt=attempt) is not None
