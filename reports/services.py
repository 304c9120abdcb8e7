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
from django.utils.translation import gettext_lazy, pgettext_lazy

from supervision.errors import ActionNotAllowed
from supervision.infra.tasking import enqueue_on_commit
from supervision.models import Department, Role, User
from supervision.workflow import Action, Machine

from . import texts as report_texts
from .models import (
    SUMMARY_PARTS,
    Report,
    ReportAction,
    ReportEvent,
    ReportFormat,
    ReportKind,
    ReportStatus,
    SummaryAction,
    SummaryEvent,
    SummaryStatus,
    WrittenSummary,
    scope_key_for,
)

logger = logging.getLogger(__name__)


def _not_building_now(report: Report, actor, context: dict) -> None:
    # A "building" report is taken again only when its worker stopped reporting (it died).
    if report.status == ReportStatus.BUILDING and not report.is_stale():
        raise ActionNotAllowed(_("This report is already queued or being built."))


# A report's machine. Requesting a report (a new one, or the same key again from the request form)
# is its creation step, checked on the departments asked for (``_check_requester``) and recorded
# with ``REPORTS.record``; the build steps belong to the worker (no role: actor None).
REPORTS = Machine(
    Report,
    history=ReportEvent,
    action_labels=ReportAction,
    state_refusal=gettext_lazy("This report is already queued or being built."),
    actions=[
        Action(
            ReportAction.RETRY,
            {ReportStatus.FAILED, ReportStatus.READY, ReportStatus.BUILDING},
            ReportStatus.QUEUED,
            roles=(Role.ADMINISTRATOR,),
            guard=_not_building_now,
            style="outline-secondary",
        ),
        Action(
            ReportAction.BUILD,
            {ReportStatus.QUEUED, ReportStatus.BUILDING},
            ReportStatus.BUILDING,
            roles=(),
            guard=_not_building_now,
        ),
        Action(ReportAction.FAIL, {ReportStatus.BUILDING}, ReportStatus.FAILED, roles=()),
        Action(ReportAction.FINISH, {ReportStatus.BUILDING}, ReportStatus.READY, roles=()),
    ],
)


def _requeue(report: Report, requested_by) -> None:
    report.status = ReportStatus.QUEUED
    report.progress = 0
    report.failure_reason = ""
    report.requested_by = requested_by or report.requested_by
    report.created_at = timezone.now()
    report.started_at = report.finished_at = None


# Who may request a report: the office (administrators and supervisors, any departments and any
# period) and department heads (their own departments). What each may ask for is their Scope's.
REQUESTER_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DEPT_HEAD)


def may_request(actor, department_ids=None) -> bool:
    """May ``actor`` request a report of ``department_ids`` (None: ask whether they may request any;
    empty: the whole hospital)? Read from the actor's Scope: a scope covering every department
    may ask for the whole hospital or any departments; a head's scope, their own departments only."""
    scope = actor.scope
    if not scope.has_role(*REQUESTER_ROLES):
        return False
    if scope.all_departments:
        return True
    if department_ids is None:
        return bool(scope.department_ids)
    return bool(department_ids) and set(department_ids) <= scope.department_ids


def _check_requester(actor, department_ids: list[int]) -> None:
    if actor is None:  # the schedule or the command line
        return
    if not may_request(actor, department_ids):
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

    A report already queued or being built (and not stale) is returned as it is. A person asking
    while another period of the same kind, scope and format is still queued or being built gets
    that pending report instead (``report_pending_for``): one pending build per kind and scope,
    so a loop of requests cannot fill the queue. The schedule (no requester) is never held back.
    """
    if kind not in ReportKind.values or fmt not in ReportFormat.values:
        raise ActionNotAllowed(_("Unknown report kind or format."))
    if fmt == ReportFormat.DOCX:
        from .periods import written_period

        if written_period(start, end) is None:
            raise ActionNotAllowed(
                _("Word is made for the written summary of a year, a half-year or a quarter.")
            )
    department_ids = sorted({d if isinstance(d, int) else d.pk for d in departments or ()})
    _check_requester(requested_by, department_ids)
    key = scope_key_for(department_ids)
    if requested_by is not None:
        # One person's requests one at a time (a double click, two tabs, a loop), so the check
        # below and the insert cannot interleave; a locked row, not a constraint, because the
        # schedule and an administrator's retry may still queue beside a person's request.
        User.objects.select_for_update().get(pk=requested_by.pk)
        pending = report_pending_for(kind=kind, scope_key=key, fmt=fmt, start=start, end=end)
        if pending is not None:
            return pending
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
        REPORTS.record(
            report,
            action=ReportAction.REQUEST,
            actor=requested_by,
            from_status="",
            comment=report_texts.REQUESTED(),
        )
    elif report.in_progress and not report.is_stale():
        return report
    else:
        previous = report.status
        _requeue(report, requested_by)
        report.save()
        REPORTS.record(
            report,
            action=ReportAction.REQUEST,
            actor=requested_by,
            from_status=previous,
            comment=report_texts.REQUESTED_AGAIN(),
        )
    if enqueue:
        _enqueue(report)
    return report


def report_pending_for(*, kind: str, scope_key: str, fmt: str, start: dt.date, end: dt.date) -> Report | None:
    """Another period's build of this kind, scope and format still queued or being built."""
    return (
        Report.objects.filter(
            kind=kind,
            scope_key=scope_key,
            format=fmt,
            status__in=(ReportStatus.QUEUED, ReportStatus.BUILDING),
        )
        .exclude(period_start=start, period_end=end)
        .order_by("created_at", "pk")
        .first()
    )


def _enqueue(report: Report) -> None:
    from .tasks import build_report

    enqueue_on_commit(build_report, report.pk)


@transaction.atomic
def report_retry(*, report: Report, actor) -> Report:
    """Build a failed, ready or stale report again. Refused while it is queued or building normally."""
    report = REPORTS.transition(
        report, actor=actor, action=ReportAction.RETRY, mutate=lambda r: _requeue(r, actor)
    )
    _enqueue(report)
    return report


def _claim(report_id: int) -> Report | None:
    """Move a queued (or stale building) report to building; None when there is nothing to do:
    already built or failed (building again needs a new request: the task is idempotent), or a
    live worker is on it."""

    def start(report):
        report.started_at = timezone.now()
        report.progress = 5
        report.build_count += 1

    try:
        return REPORTS.transition(
            Report(pk=report_id),
            actor=None,
            action=ReportAction.BUILD,
            mutate=start,
            save=["status", "started_at", "progress", "build_count"],
        )
    except (Report.DoesNotExist, ActionNotAllowed):
        return None


def _set_progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.BUILDING).update(progress=value)


def report_file_name(report: Report) -> str:
    """Stable name per key: building the same report again replaces the same file."""
    if report.kind == ReportKind.MONTHLY:
        period = f"{report.period_start:%Y-%m}"
    elif report.kind == ReportKind.ANNUAL:
        period = f"{report.period_start:%Y}"
    elif report.kind == ReportKind.WEEKLY_MEETING:
        period = f"{report.period_start:%Y-%m-%d}"
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
    elif fmt == ReportFormat.DOCX:
        from .docx import render_docx

        render_docx(content, handle)
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
        with_data=report.format == ReportFormat.XLSX,  # the rows behind the figures: workbook only
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
        reason = f"{type(exc).__name__}: {exc}"[:2000]

        def failed(r):
            r.failure_reason = reason
            r.finished_at = timezone.now()

        return _settle(report, ReportAction.FAIL, failed, ["status", "failure_reason", "finished_at"], reason)

    def finished(r):
        r.progress = 100
        r.file.name = name
        r.file_size = size
        r.failure_reason = ""
        r.finished_at = timezone.now()

    fields = ["status", "progress", "file", "file_size", "failure_reason", "finished_at"]
    return _settle(report, ReportAction.FINISH, finished, fields, "")


def _settle(report: Report, action: str, mutate, fields: list[str], comment: str) -> Report:
    """The end of a build. A build that an administrator queued again meanwhile (it looked stale)
    is left queued: the next build writes the same file again."""
    try:
        return REPORTS.transition(
            report, actor=None, action=action, mutate=mutate, save=fields, comment=comment
        )
    except ActionNotAllowed:
        logger.warning("report %s was queued again while it was being built", report.pk)
        return Report.objects.get(pk=report.pk)


# What the schedule builds: the PDF to print and file, the workbook to re-cut (Word is asked for).
SCHEDULED_FORMATS = (ReportFormat.PDF, ReportFormat.XLSX)


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
    wanted: list[tuple[str, list[int]]] = [(fmt, []) for fmt in SCHEDULED_FORMATS]
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


def reports_schedule_weekly_meeting(*, today: dt.date | None = None) -> list[Report]:
    """Beat (Monday, after the escalation ladder's run): this week's meeting list (院周会通报),
    hospital-wide, in PDF and Excel. A version already ready is left alone, so running the job twice
    queues nothing more (an administrator's "retry" builds it again)."""
    from .periods import week_bounds

    start, end = week_bounds(today or timezone.localdate())
    ready = set(
        Report.objects.filter(
            kind=ReportKind.WEEKLY_MEETING, period_start=start, period_end=end, status=ReportStatus.READY
        ).values_list("format", "scope_key")
    )
    return [
        report_request(kind=ReportKind.WEEKLY_MEETING, start=start, end=end, fmt=fmt)
        for fmt in SCHEDULED_FORMATS
        if (fmt, scope_key_for([])) not in ready
    ]


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


# --- the written summary (工作总结): drafted, saved, regenerated, finalised ------------------------------

# The office writes the summary it hands in: administrators and supervisors.
SUMMARY_EDITORS = (Role.ADMINISTRATOR, Role.SUPERVISOR)

SUMMARIES = Machine(
    WrittenSummary,
    history=SummaryEvent,
    action_labels=SummaryAction,
    subject="summary",
    state_refusal=gettext_lazy("This summary is finalised: it is frozen and can no longer be changed."),
    # The buttons say what to do; SummaryAction's labels say, in the history, what was done.
    actions=[
        Action(
            SummaryAction.SAVE,
            {SummaryStatus.DRAFT},
            None,
            roles=SUMMARY_EDITORS,
            label=pgettext_lazy("summary action", "Save"),
            style="primary",
        ),
        Action(
            SummaryAction.REGENERATE,
            {SummaryStatus.DRAFT},
            None,
            roles=SUMMARY_EDITORS,
            label=pgettext_lazy("summary action", "Regenerate the figures"),
            style="outline-secondary",
        ),
        Action(
            SummaryAction.FINALISE,
            {SummaryStatus.DRAFT},
            SummaryStatus.FINAL,
            roles=SUMMARY_EDITORS,
            label=pgettext_lazy("summary action", "Finalise"),
            style="success",
        ),
    ],
)


def _summary_department_ids(summary: WrittenSummary) -> list[int] | None:
    return list(summary.departments.values_list("pk", flat=True)) or None


def _generated(summary: WrittenSummary, today: dt.date | None) -> dict:
    """The four parts' generated paragraphs, from the report's sections over the period and scope and
    over the same period last year."""
    from . import written
    from .builders import measure

    ctx, previous, _sections = measure(
        kind=summary.kind,
        start=summary.period_start,
        end=summary.period_end,
        department_ids=_summary_department_ids(summary),
        today=today,
    )
    return written.generate(ctx, previous)


@transaction.atomic
def summary_create(
    *, start: dt.date, end: dt.date, departments=(), actor, today: dt.date | None = None
) -> WrittenSummary:
    """Draft the written summary of a year, half-year or quarter (its figures generated), or open
    the one already there for this period and scope."""
    from .periods import written_kind, written_period

    if written_period(start, end) is None:
        raise ActionNotAllowed(_("A written summary covers a year, a half-year or a quarter."))
    if not actor.has_role(*SUMMARY_EDITORS):
        raise ActionNotAllowed(_("Only the office writes the summary."))
    department_ids = sorted({d if isinstance(d, int) else d.pk for d in departments or ()})
    summary, created = WrittenSummary.objects.select_for_update().get_or_create(
        period_start=start,
        period_end=end,
        scope_key=scope_key_for(department_ids),
        defaults={"kind": written_kind(start, end), "saved_by": actor, "saved_at": timezone.now()},
    )
    if not created:
        return summary
    if department_ids:
        summary.departments.set(Department.objects.filter(pk__in=department_ids))
    summary.generated = _generated(summary, today)
    summary.generated_at = timezone.now()
    summary.save(update_fields=["generated", "generated_at"])
    SUMMARIES.record(summary, action=SummaryAction.CREATE, actor=actor, from_status="")
    return summary


def summary_save(*, summary: WrittenSummary, actor, cases=None, **texts) -> WrittenSummary:
    """Keep the office's text of each part (``work``, ``results``, ``problems``, ``measures``) and the
    typical cases it picked (``summary_case_snapshots``), with who and when. Refused once finalised."""
    unknown = set(texts) - set(SUMMARY_PARTS)
    if unknown:
        raise ActionNotAllowed(_("Unknown part of the summary."))

    def keep(s):
        for part, text in texts.items():
            setattr(s, f"text_{part}", text or "")
        if cases is not None:
            s.cases = list(cases)
        s.saved_by, s.saved_at = actor, timezone.now()

    return SUMMARIES.transition(summary, actor=actor, action=SummaryAction.SAVE, mutate=keep)


def summary_regenerate(*, summary: WrittenSummary, actor, today: dt.date | None = None) -> WrittenSummary:
    """Measure the figures again: the generated paragraphs change, the office's words and cases stay."""
    SUMMARIES.check(summary, actor, SummaryAction.REGENERATE)  # refused before the measuring, not after
    generated = _generated(summary, today)

    def refresh(s):
        s.generated, s.generated_at = generated, timezone.now()

    return SUMMARIES.transition(
        summary,
        actor=actor,
        action=SummaryAction.REGENERATE,
        mutate=refresh,
        save=["generated", "generated_at"],
    )


def summary_finalise(*, summary: WrittenSummary, actor) -> WrittenSummary:
    """Freeze the summary and make its files (PDF and Word), kept as they are from then on."""

    def freeze(s):
        s.finalised_by, s.finalised_at = actor, timezone.now()

    summary = SUMMARIES.transition(summary, actor=actor, action=SummaryAction.FINALISE, mutate=freeze)
    from .tasks import build_summary_files

    enqueue_on_commit(build_summary_files, summary.pk)
    return summary


def summary_file_name(summary: WrittenSummary, fmt: str) -> str:
    scope = "all" if summary.is_hospital_wide else "d" + summary.scope_key.replace(",", "-")
    return f"summaries/{summary.period_start:%Y%m%d}-{summary.period_end:%Y%m%d}_{scope}.{fmt}"


def summary_content(summary: WrittenSummary, *, today: dt.date | None = None):
    """The report of the summary's period and scope, opening with the summary as stored."""
    from .builders import build_content

    return build_content(
        kind=summary.kind,
        start=summary.period_start,
        end=summary.period_end,
        department_ids=_summary_department_ids(summary),
        today=today,
    )


def summary_files_build(*, summary_id: int) -> WrittenSummary | None:
    """Make the finalised summary's PDF and Word files once (the task calls this; idempotent): a file
    already made is kept as it is, never made again."""
    summary = WrittenSummary.objects.filter(pk=summary_id, status=SummaryStatus.FINAL).first()
    if summary is None or (summary.pdf_file and summary.docx_file):
        return summary
    with translation.override(settings.LANGUAGE_CODE):
        content = summary_content(summary)
        for fmt, field in ((ReportFormat.PDF, "pdf_file"), (ReportFormat.DOCX, "docx_file")):
            if getattr(summary, field):
                continue
            name = summary_file_name(summary, fmt)
            write_atomically(Path(settings.MEDIA_ROOT) / name, lambda h, fmt=fmt: render_to(content, fmt, h))
            WrittenSummary.objects.filter(pk=summary.pk).update(**{field: name})
    summary.refresh_from_db()
    return summary
