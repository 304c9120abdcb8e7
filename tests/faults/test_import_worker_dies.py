"""Fault: the worker running a large follow-up import dies (SIGKILL, out of memory, redeploy).

Before: the job stayed "running" for ever — the redelivered task skipped a running job, the beat
sweep re-enqueued only queued ones, the page polled for ever and the uploaded HIS file (names,
phones, diagnoses) stayed in MEDIA_ROOT. Now a running job without a heartbeat for
IMPORT_JOBS_STALE_MINUTES is re-run by the sweep once, then refused with a message; the uploaded
file is deleted in every ending. The drill with a real worker is in docs/fault-drills.md.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from followups import tasks
from followups.importing import DISCHARGE_HEADERS
from followups.models import ImportJob, ImportJobStatus
from supervision.models import DischargeStay
from tests.followups.conftest import discharge_row, make_xlsx

pytestmark = pytest.mark.django_db


def _running_job(actor, *, attempts: int, minutes_silent: int) -> ImportJob:
    """A job as a killed worker leaves it: claimed, file on disk, heartbeat stopped."""
    upload = make_xlsx(DISCHARGE_HEADERS, [discharge_row(f"ZY{i:03d}") for i in range(5)])
    job = ImportJob.objects.create(
        kind="discharges", file=ContentFile(upload.read(), name="his.xlsx"), file_name="his.xlsx", actor=actor
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJobStatus.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes_silent),
        processed=2000,
    )
    job.refresh_from_db()
    assert job.file.storage.exists(job.file.name)
    return job


def test_a_job_whose_worker_died_is_run_again_by_the_sweep_and_its_file_deleted(
    administrator, neike, django_capture_on_commit_callbacks
):
    job = _running_job(administrator, attempts=1, minutes_silent=60)
    path = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_imports() == 1  # the stopped heartbeat is seen
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.attempts == 2
    assert job.report["created"] == 5 and DischargeStay.objects.count() == 5
    assert not job.file.storage.exists(path)


def test_a_job_that_stopped_its_worker_twice_is_refused_with_a_message_and_its_file_deleted(
    administrator, client_for, neike, django_capture_on_commit_callbacks
):
    job = _running_job(administrator, attempts=tasks.MAX_IMPORT_ATTEMPTS, minutes_silent=60)
    path = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_imports()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and job.finished_at
    # The report keeps a message key; it is worded for whoever reads it.
    with translation.override("zh-hans"):
        assert "中断" in job.file_error_text
    with translation.override("en"):
        assert "interrupted 2 times" in job.file_error_text
    assert DischargeStay.objects.count() == 0
    assert not job.file.storage.exists(path)
    page = client_for(administrator).get(f"/followups/imports/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in page.content.decode()  # the page stops polling
    assert "中断" in page.content.decode()
    assert tasks.sweep_imports() == 0  # and nothing picks it up again


def test_a_running_job_with_a_recent_heartbeat_is_left_to_its_worker(
    administrator, neike, django_capture_on_commit_callbacks
):
    job = _running_job(administrator, attempts=1, minutes_silent=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_imports() == 0
    assert tasks.run_import(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING and job.file.storage.exists(job.file.name)


def test_a_superseded_attempt_does_not_overwrite_the_job(administrator, neike):
    """A worker thought dead that finishes after the job was taken over ends nothing."""
    job = _running_job(administrator, attempts=1, minutes_silent=60)
    old = ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(attempts=2, heartbeat_at=timezone.now())
    assert tasks._finish(old, status=ImportJobStatus.FAILED, report={"ok": False}) is False
    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING and job.file.storage.exists(job.file.name)


def test_a_job_whose_file_is_gone_fails_with_a_message(administrator, neike):
    job = ImportJob.objects.create(kind="discharges", file="followup-imports/gone.xlsx", file_name="gone.xlsx",
                                   actor=administrator)  # fmt: skip
    assert tasks.run_import(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and job.report["file_error"]
