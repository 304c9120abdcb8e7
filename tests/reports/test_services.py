"""Requesting, building, regenerating and retrying reports; the atomic file write; beat jobs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from reports import services, tasks
from reports.models import Report, ReportEvent, ReportKind, ReportStatus
from supervision.errors import ActionNotAllowed

from .conftest import OCT


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def request_and_build(**kw) -> Report:
    report = services.report_request(enqueue=False, **kw)
    services.report_build(report_id=report.pk, today=dt.date(2026, 11, 23))
    report.refresh_from_db()
    return report


def test_request_then_build_makes_a_ready_file_with_history(seeded, administrator):
    report = request_and_build(
        kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", requested_by=administrator
    )
    assert report.status == ReportStatus.READY and report.progress == 100
    assert report.file.name == "reports/monthly/2026-10_all.pdf"
    assert report.file_size == Path(report.file.path).stat().st_size > 1000
    assert report.started_at and report.finished_at and report.requested_by == administrator
    assert list(report.events.values_list("to_status", flat=True)) == ["queued", "building", "ready"]


def test_regenerating_the_same_period_replaces_the_file_idempotently(seeded, administrator):
    first = request_and_build(
        kind="monthly", start=OCT[0], end=OCT[1], fmt="xlsx", requested_by=administrator
    )
    files = media_files()
    second = request_and_build(
        kind="monthly", start=OCT[0], end=OCT[1], fmt="xlsx", requested_by=administrator
    )
    assert second.pk == first.pk
    assert Report.objects.count() == 1
    assert media_files() == files  # same single file, no temporaries left
    assert second.build_count == 2


def test_the_build_task_twice_changes_nothing_more(seeded):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    assert tasks.build_report(report.pk) == ReportStatus.READY
    events = ReportEvent.objects.count()
    assert tasks.build_report(report.pk) is None
    report.refresh_from_db()
    assert report.build_count == 1 and ReportEvent.objects.count() == events


def test_a_request_while_queued_returns_the_same_row(db):
    a = services.report_request(
        kind="annual", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), fmt="pdf", enqueue=False
    )
    b = services.report_request(
        kind="annual", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), fmt="pdf", enqueue=False
    )
    assert a.pk == b.pk and ReportEvent.objects.filter(report=a).count() == 1


def test_a_worker_dying_mid_render_leaves_no_half_file(seeded, monkeypatch):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)

    def crash(content, fmt, handle):
        handle.write(b"%PDF-1.7 half a file")
        raise MemoryError("killed")

    monkeypatch.setattr(services, "render_to", crash)
    report = services.report_build(report_id=report.pk)
    assert report.status == ReportStatus.FAILED
    assert "MemoryError" in report.failure_reason
    assert media_files() == []  # the temporary file was removed, nothing at the final name


def test_an_existing_file_stays_intact_when_a_rebuild_fails(seeded, monkeypatch):
    report = request_and_build(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf")
    before = Path(report.file.path).read_bytes()
    services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    monkeypatch.setattr(services, "render_to", lambda c, f, h: (h.write(b"junk"), 1 / 0))
    services.report_build(report_id=report.pk)
    assert Path(report.file.path).read_bytes() == before
    assert media_files() == [Path(report.file.path)]


def test_a_stale_building_report_can_be_retried(seeded, administrator, settings):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.BUILDING, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    report.refresh_from_db()
    assert report.is_stale() and services.REPORTS.allowed(report, administrator, "retry")
    services.report_retry(report=report, actor=administrator)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert tasks.build_report(report.pk) == ReportStatus.READY


def test_a_fresh_building_report_is_not_built_twice(seeded, administrator):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.BUILDING, started_at=timezone.now())
    assert tasks.build_report(report.pk) is None
    report.refresh_from_db()
    with pytest.raises(ActionNotAllowed):
        services.report_retry(report=report, actor=administrator)
    assert report.status == ReportStatus.BUILDING


def test_only_administrators_retry(seeded, supervisor):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    report.refresh_from_db()
    with pytest.raises(ActionNotAllowed):
        services.report_retry(report=report, actor=supervisor)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED


def test_department_heads_may_request_only_their_own_departments(neike, waike, head_neike):
    ok = services.report_request(
        kind="monthly",
        start=OCT[0],
        end=OCT[1],
        fmt="pdf",
        departments=[neike],
        requested_by=head_neike,
        enqueue=False,
    )
    assert list(ok.departments.all()) == [neike]
    for departments in ([waike], [neike, waike], []):
        with pytest.raises(ActionNotAllowed):
            services.report_request(
                kind="monthly",
                start=OCT[0],
                end=OCT[1],
                fmt="pdf",
                departments=departments,
                requested_by=head_neike,
                enqueue=False,
            )
    assert Report.objects.count() == 1


def test_request_enqueues_the_build_after_commit(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="xlsx")
    report.refresh_from_db()
    assert report.status == ReportStatus.READY  # eager Celery in tests


def test_beat_builds_last_month_in_both_formats_once(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_last_month(today="2026-11-01")
    reports = Report.objects.filter(kind=ReportKind.MONTHLY)
    assert sorted(reports.values_list("format", flat=True)) == ["pdf", "xlsx"]
    assert {(r.period_start, r.period_end, r.scope_key, r.status) for r in reports} == {
        (*OCT, "all", "ready")
    }
    stamps = sorted(reports.values_list("finished_at", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_last_month(today="2026-11-01")
    assert (
        sorted(Report.objects.filter(kind=ReportKind.MONTHLY).values_list("finished_at", flat=True)) == stamps
    )


def test_beat_builds_last_years_annual_summary(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_last_year(today="2027-01-01")
    report = Report.objects.get(kind=ReportKind.ANNUAL, format="pdf")
    assert (report.period_start, report.period_end, report.status) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        "ready",
    )


def test_schedules_are_declared_for_the_1st_at_2_and_1_january_at_3():
    from reports.schedules import DEFAULT_SCHEDULES

    jobs = {j.task: j for j in DEFAULT_SCHEDULES}
    monthly = jobs["reports.build_last_month"]
    assert (monthly.minute, monthly.hour, monthly.day_of_month, monthly.month_of_year) == ("0", "2", "1", "*")
    annual = jobs["reports.build_last_year"]
    assert (annual.minute, annual.hour, annual.day_of_month, annual.month_of_year) == ("0", "3", "1", "1")


def test_sweep_requeues_stale_and_forgotten_reports(seeded, django_capture_on_commit_callbacks):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.READY


def test_sweep_removes_temporary_files_a_killed_worker_left_but_not_a_running_builds(db, settings, tmp_path):
    import os

    settings.MEDIA_ROOT = str(tmp_path)
    folder = tmp_path / "reports" / "annual"
    folder.mkdir(parents=True)
    old, fresh, final = folder / ".building-old.pdf", folder / ".building-new.pdf", folder / "2025_all.pdf"
    for path in (old, fresh, final):
        path.write_bytes(b"%PDF-")
    day_ago = (timezone.now() - dt.timedelta(days=1)).timestamp()
    os.utime(old, (day_ago, day_ago))
    os.utime(final, (day_ago, day_ago))
    tasks.sweep()
    assert not old.exists()
    assert fresh.exists() and final.exists()


def test_demo_seed_queues_last_months_reports(neike, django_capture_on_commit_callbacks):
    import random

    from reports import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(rng=random.Random(1), today=dt.date(2026, 11, 23), context={})
    reports = Report.objects.all()
    assert {(r.kind, r.period_start, r.format, r.scope_key) for r in reports} == {
        ("monthly", OCT[0], "pdf", "all"),
        ("monthly", OCT[0], "xlsx", "all"),
        ("monthly", OCT[0], "pdf", str(neike.pk)),
    }
    assert all(r.status == ReportStatus.READY for r in reports)


def test_a_worker_that_last_spoke_english_still_builds_a_chinese_report(seeded):
    from django.utils import translation

    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="xlsx", enqueue=False)
    with translation.override("en"):
        services.report_build(report_id=report.pk)
    report.refresh_from_db()
    from openpyxl import load_workbook

    wb = load_workbook(report.file.path)
    assert wb.worksheets[0].title == "封面"


def test_beat_also_builds_each_headed_departments_version(
    seeded, head_neike, neike, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.build_last_month(today="2026-11-01")
    assert queued == 3
    versions = {(r.format, r.scope_key, r.status) for r in Report.objects.all()}
    assert versions == {("pdf", "all", "ready"), ("xlsx", "all", "ready"), ("pdf", str(neike.pk), "ready")}
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.build_last_month(today="2026-11-01") == 0
