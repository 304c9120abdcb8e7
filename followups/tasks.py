"""Celery tasks of the follow-up app: the morning queue and large imports."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.tasking import enqueue_on_commit

from . import importing, services
from .models import ImportJob, ImportJobStatus

logger = logging.getLogger(__name__)


@shared_task(name="followups.build_call_queue")
def build_call_queue(day: str | None = None) -> dict:
    """Build the day's call queue (idempotent: a second run creates nothing)."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    result = services.call_queue_build(day=when)
    return {"day": str(result.day), "created": result.created, "assigned": result.assigned}


@shared_task(name="followups.sweep_imports")
def sweep_imports() -> int:
    """Beat: enqueue again every import still queued (e.g. accepted while the broker was down).

    Safe to repeat: ``run_import`` claims a job under a row lock and skips one already taken.
    """
    queued = list(ImportJob.objects.filter(status=ImportJobStatus.QUEUED).values_list("pk", flat=True))
    for job_id in queued:
        enqueue_on_commit(run_import, job_id)
    return len(queued)


@shared_task(name="followups.run_import")
def run_import(job_id: int) -> str:
    """Run a queued large import; progress is written to the job so the page can poll it."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJobStatus.QUEUED:
            return "skipped"
        job.status = ImportJobStatus.RUNNING
        job.save(update_fields=["status"])
    run = importing.discharges_import if job.kind == "discharges" else importing.history_import
    try:
        with job.file.open("rb") as handle:
            total = importing.count_rows(handle, job.file_name)
            ImportJob.objects.filter(pk=job.pk).update(total=total or 0)

            def progress(done: int, phase: str) -> None:
                ImportJob.objects.filter(pk=job.pk).update(processed=done, report={"phase": phase})

            report = run(source=handle, file_name=job.file_name, actor=job.actor, progress=progress)
    except Exception:
        logger.exception("follow-up import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJobStatus.FAILED,
            finished_at=timezone.now(),
            report={"ok": False, "file_error": str(_("The import failed unexpectedly; nothing was written.")),
                    "errors": []},
        )  # fmt: skip
        job.file.delete(save=False)
        return "failed"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.DONE if report.ok else ImportJobStatus.FAILED,
        processed=report.total_rows,
        total=report.total_rows,
        finished_at=timezone.now(),
        report={
            "ok": report.ok,
            "total_rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "file_error": report.file_error,
            "errors": [e.__dict__ for e in report.errors[:500]],
            "error_count": len(report.errors),
        },
    )
    job.file.delete(save=False)
    return "done" if report.ok else "failed"
