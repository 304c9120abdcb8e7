"""Requesting, building and retrying reports.

A request records the work in the database first (a ``Report`` row, unique per kind, period,
scope and format) and enqueues the build after commit. The build renders into a temporary file
next to the final one and renames it into place (``os.replace`` is atomic on one file system), so
a worker that dies mid-report never leaves a half file visible; its row stays "building" and is
retried once stale.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from supervision.errors import ActionNotAllowed
from supervision.models import Department, Role
from supervision.tasking import enqueue_on_commit

from .models import Report, ReportEvent, ReportFormat, ReportKind, ReportStatus, scope_key_for

logger = logging.getLogger(__name__)


def _event(report: Report, *, actor, from_status: str, to_status: str, comment: str = "") -> None:
    ReportEvent.objects.create(
        report=report, actor=actor, from_status=from_status, to_status=to_status, comment=comment[:2000]
    )


def _check_requester(actor, department_ids: list[int]) -> None:
    if actor is None:  # the schedule or the command line
        return
    if actor.has_role(Role.ADMINISTRATOR):
        return
    if actor.has_role(Role.DEPT_HEAD) and department_ids and set(department_ids) <= actor.department_ids:
        return
    raise ActionNotAllowed(_("You may not request this report."))


@transaction.atomic
def report_request(
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    fmt: str,
    departments=(),
    requested_by=None,
    enqueue: bool = True,
) -> Report:
    """Queue a report, or re-queue the existing one of the same key (building it again replaces it).

    A report already queued or being built (and not stale) is returned as it is.
    """
    if kind not in ReportKind.values or fmt not in ReportFormat.values:
        raise ActionNotAllowed(_("Unknown report kind or format."))
    department_ids = sorted({d if isinstance(d, int) else d.pk for d in departments or ()})
    _check_requester(requested_by, department_ids)
    key = scope_key_for(department_ids)
    report, created = Report.objects.select_for_update().get_or_create(
        kind=kind,
        period_start=start,
        period_end=end,
        scope_key=key,
        format=fmt,
        defaults={"requested_by": requested_by},
    )
    if created:
        if department_ids:
            report.departments.set(Department.objects.filter(pk__in=department_ids))
        _event(
            report, actor=requested_by, from_status="", to_status=ReportStatus.QUEUED, comment=_("Requested")
        )
    elif report.in_progress and not report.is_stale():
        return report
    else:
        previous = report.status
        report.status = ReportStatus.QUEUED
        report.progress = 0
        report.failure_reason = ""
        report.requested_by = requested_by or report.requested_by
        report.created_at = timezone.now()
        report.started_at = report.finished_at = None
        report.save()
        _event(
            report,
            actor=requested_by,
            from_status=previous,
            to_status=ReportStatus.QUEUED,
            comment=_("Requested again"),
        )
    if enqueue:
        from .tasks import build_report

        enqueue_on_commit(build_report, report.pk)
    return report


@transaction.atomic
def report_retry(*, report: Report, actor) -> Report:
    """Retry a failed (or stale) report. Refused while it is queued or building normally."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if actor is not None and not actor.has_role(Role.ADMINISTRATOR):
        raise ActionNotAllowed(_("Only administrators may retry a report."))
    if not report.can_retry:
        raise ActionNotAllowed(_("This report is already queued or being built."))
    return report_request(
        kind=report.kind,
        start=report.period_start,
        end=report.period_end,
        fmt=report.format,
        departments=list(report.departments.values_list("pk", flat=True)),
        requested_by=actor,
    )


def _claim(report_id: int) -> Report | None:
    """Move a queued (or stale building) report to building; None when there is nothing to do."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return None
        if report.status == ReportStatus.READY or report.status == ReportStatus.FAILED:
            return None  # already done: building again needs a new request (idempotent task)
        if report.status == ReportStatus.BUILDING and not report.is_stale():
            return None  # another worker is on it
        previous = report.status
        report.status = ReportStatus.BUILDING
        report.started_at = timezone.now()
        report.progress = 5
        report.build_count += 1
        report.save(update_fields=["status", "started_at", "progress", "build_count"])
        _event(report, actor=None, from_status=previous, to_status=ReportStatus.BUILDING)
        return report


def _set_progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.BUILDING).update(progress=value)


def report_file_name(report: Report) -> str:
    """Stable name per key: building the same report again replaces the same file."""
    if report.kind == ReportKind.MONTHLY:
        period = f"{report.period_start:%Y-%m}"
    elif report.kind == ReportKind.ANNUAL:
        period = f"{report.period_start:%Y}"
    else:
        period = f"{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}"
    scope = "all" if report.is_hospital_wide else "d" + report.scope_key.replace(",", "-")
    return f"reports/{report.kind}/{period}_{scope}.{report.format}"


def write_atomically(final: Path, render) -> int:
    """Render into a temporary file in the target directory, then rename it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".building-", suffix=final.suffix, dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            render(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final.stat().st_size


def render_to(content, fmt: str, handle) -> None:
    if fmt == ReportFormat.PDF:
        from .pdf import render_pdf

        render_pdf(content, handle)
    else:
        from .excel import render_xlsx

        render_xlsx(content, handle)


def _build_and_write(report: Report, report_id: int, today) -> tuple[int, str]:
    from .builders import build_content

    content = build_content(
        kind=report.kind,
        start=report.period_start,
        end=report.period_end,
        department_ids=list(report.departments.values_list("pk", flat=True)) or None,
        today=today,
        progress=lambda pct: _set_progress(report_id, pct),
    )
    _set_progress(report_id, 85)
    name = report_file_name(report)
    size = write_atomically(Path(settings.MEDIA_ROOT) / name, lambda h: render_to(content, report.format, h))
    return size, name


def report_build(*, report_id: int, today: dt.date | None = None) -> Report | None:
    """Build one report (the Celery task calls this). Running it again changes nothing more."""
    report = _claim(report_id)
    if report is None:
        return None
    try:
        # Reports are documents in the hospital's language, whatever a worker handled before.
        with translation.override(settings.LANGUAGE_CODE):
            size, name = _build_and_write(report, report_id, today)
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report_id)
            previous = report.status
            report.status = ReportStatus.FAILED
            report.failure_reason = f"{type(exc).__name__}: {exc}"[:2000]
            report.finished_at = timezone.now()
            report.save(update_fields=["status", "failure_reason", "finished_at"])
            _event(
                report,
                actor=None,
                from_status=previous,
                to_status=ReportStatus.FAILED,
                comment=report.failure_reason,
            )
        return report
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        previous = report.status
        report.status = ReportStatus.READY
        report.progress = 100
        report.file.name = name
        report.file_size = size
        report.failure_reason = ""
        report.finished_at = timezone.now()
        report.save(
            update_fields=["status", "progress", "file", "file_size", "failure_reason", "finished_at"]
        )
        _event(report, actor=None, from_status=previous, to_status=ReportStatus.READY)
    return report


def reports_schedule_period(*, kind: str, today: dt.date | None = None) -> list[Report]:
    """Beat: queue last month's (or last year's) reports: hospital-wide in PDF and Excel, and a PDF
    version for every active department that has a department head (what the head may download).
    A version already ready is left alone, so running the job twice queues nothing more."""
    from .periods import last_month

    today = today or timezone.localdate()
    if kind == ReportKind.MONTHLY:
        start, end = last_month(today)
    else:
        start, end = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    wanted: list[tuple[str, list[int]]] = [(fmt, []) for fmt in ReportFormat.values]
    headed = (
        Department.objects.filter(active=True, heads__is_active=True, heads__groups__name=Role.DEPT_HEAD)
        .distinct()
        .order_by("sort_order", "code")
        .values_list("pk", flat=True)
    )
    wanted += [(ReportFormat.PDF, [pk]) for pk in headed]
    ready = set(
        Report.objects.filter(
            kind=kind, period_start=start, period_end=end, status=ReportStatus.READY
        ).values_list("format", "scope_key")
    )
    out = []
    for fmt, departments in wanted:
        if (fmt, scope_key_for(departments)) in ready:
            continue
        out.append(report_request(kind=kind, start=start, end=end, fmt=fmt, departments=departments))
    return out


def reports_sweep(*, now: dt.datetime | None = None) -> int:
    """Beat: re-enqueue queued reports nobody picked up and stale builds (their worker died)."""
    from .tasks import build_report

    now = now or timezone.now()
    count = 0
    waiting = Report.objects.filter(status=ReportStatus.QUEUED, created_at__lt=now - dt.timedelta(minutes=2))
    stale = Report.objects.filter(
        status=ReportStatus.BUILDING,
        started_at__lt=now - dt.timedelta(minutes=getattr(settings, "REPORTS_STALE_MINUTES", 30)),
    )
    for report_id in [*waiting.values_list("pk", flat=True), *stale.values_list("pk", flat=True)]:
        enqueue_on_commit(build_report, report_id)
        count += 1
    reports_remove_orphan_files(older_than=now - dt.timedelta(hours=6))
    return count


def reports_remove_orphan_files(*, older_than: dt.datetime) -> int:
    """Delete ``.building-*`` files a killed worker left behind (SIGKILL skips the cleanup).

    Only files older than any build could run are removed, so a build in progress keeps its file.
    """
    root = Path(settings.MEDIA_ROOT) / "reports"
    if not root.exists():
        return 0
    cutoff = older_than.timestamp()
    removed = 0
    for path in root.rglob(".building-*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another sweep got there first
            continue
    return removed
