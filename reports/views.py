"""Views of the reports app. Thin: role + scope → form/service → redirect. State changes POST only."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supervision.access import role_required, workflow_rule
from supervision.errors import ActionNotAllowed
from supervision.infra.fragments import cached_rows
from supervision.infra.responses import Step, partial_or_page, refusals, run_step
from supervision.models import Role
from supervision.workflow import allowed_actions

from . import selectors, services, written
from .forms import ReportRequestForm, SummaryCreateForm, SummaryEditForm
from .models import SUMMARY_PARTS, ReportFormat, ReportStatus, SummaryAction

VIEWERS = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DEPT_HEAD)
REQUESTERS = services.REQUESTER_ROLES
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _can_request(user) -> bool:
    return services.may_request(user)


def _list_context(request, form=None) -> dict:
    rows = selectors.report_list(request.user)
    page = Paginator(rows, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    can_request = _can_request(request.user)
    if can_request and form is None:
        form = ReportRequestForm(user=request.user)
    return {
        "page": page,
        "form": form if can_request else None,
        "any_in_progress": any(r.in_progress for r in page.object_list),
    }


@role_required(*VIEWERS)
@require_GET
def report_list(request):
    return partial_or_page(
        request, "reports/report_list.html", "reports/_report_table.html", _list_context(request)
    )


@role_required(*REQUESTERS)
@require_POST
def report_request(request):
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(
                kind=data["kind"],
                start=data["period_start"],
                end=data["period_end"],
                fmt=data["format"],
                departments=list(data["departments"]),
                requested_by=request.user,
            )
        except ActionNotAllowed as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            if (report.period_start, report.period_end) != (data["period_start"], data["period_end"]):
                messages.warning(
                    request,
                    _(
                        "%(title)s (the same kind, departments and format) is still being built; "
                        "request another period once it is ready."
                    )
                    % {"title": report.title},
                )
            else:
                messages.success(request, _("The report is queued: %(title)s.") % {"title": report.title})
            return redirect(report.get_absolute_url())
    return render(request, "reports/report_list.html", _list_context(request, form), status=400)


def _get_report(request, pk: int):
    return get_object_or_404(selectors.report_list(request.user), pk=pk)


@role_required(*VIEWERS)
@require_GET
def report_detail(request, pk: int):
    report = _get_report(request, pk)
    context = {
        "report": report,
        "events": report.events.select_related("actor"),
        # The retry button: shown exactly when the report's machine would accept it.
        "actions": allowed_actions(report, request.user),
    }
    return partial_or_page(request, "reports/report_detail.html", "reports/_report_status.html", context)


def _scope_for_filename(report) -> str:
    """全院, or the departments' names (the first three and how many more): what a reader files it under."""
    if report.is_hospital_wide:
        return _("Whole hospital")
    names = [d.name for d in report.departments.all()]
    shown = "-".join(names[:3])
    if len(names) > 3:
        shown += _("-and %(n)s more") % {"n": len(names) - 3}
    return shown.replace("/", "-").replace("\\", "-")


@role_required(*VIEWERS)
@require_GET
def report_download(request, pk: int):
    report = _get_report(request, pk)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = f"{report.title.replace(' ', '')}_{_scope_for_filename(report)}.{report.format}"
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[report.format], as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.ADMINISTRATOR)
@require_POST
def report_retry(request, pk: int):
    report = _get_report(request, pk)
    with refusals(request):
        services.report_retry(report=report, actor=request.user)
        messages.success(request, _("The report is queued again."))
    return redirect(report.get_absolute_url())


# --- the written summary (工作总结) ------------------------------------------------------------------------

SUMMARY_EDITORS = services.SUMMARY_EDITORS


def _summary_list_context(request, form=None) -> dict:
    page = Paginator(selectors.summary_list(request.user), settings.DUCHA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_create = request.user.has_role(*SUMMARY_EDITORS)
    if may_create and form is None:
        form = SummaryCreateForm(user=request.user)
    return {"page": page, "form": form if may_create else None}


@role_required(*VIEWERS)
@require_GET
def summary_list(request):
    return render(request, "reports/summary_list.html", _summary_list_context(request))


@role_required(*SUMMARY_EDITORS)
@require_POST
def summary_create(request):
    form = SummaryCreateForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        with refusals(request):
            summary = services.summary_create(
                start=data["start"],
                end=data["end"],
                departments=list(data["departments"]),
                actor=request.user,
            )
            return redirect(summary.get_absolute_url())
    return render(request, "reports/summary_list.html", _summary_list_context(request, form), status=400)


def _get_summary(request, pk: int):
    summary = selectors.summary_for(request.user, pk)
    if summary is None:
        raise Http404
    return summary


class _Confirm(forms.Form):
    """An action without fields (regenerate, finalise)."""


def _edit_kwargs(summary, actor) -> dict:
    return {"summary": summary, "candidates": selectors.case_candidates(summary)}


# Each step's confirmation is a sentence of its own (not the generic "Done: Save.").
SUMMARY_STEPS = {
    SummaryAction.SAVE: Step(
        SummaryEditForm,
        services.summary_save,
        form_kwargs=_edit_kwargs,
        done=lambda summary: _("The draft is saved."),
    ),
    SummaryAction.REGENERATE: Step(
        _Confirm,
        services.summary_regenerate,
        done=lambda summary: _("The figures are regenerated; your own text is kept."),
    ),
    SummaryAction.FINALISE: Step(
        _Confirm,
        services.summary_finalise,
        done=lambda summary: _("The summary is finalised; its PDF and Word files are being made."),
    ),
}


def _summary_page(request, summary, *, bound_form=None, status: int = 200):
    actions = allowed_actions(summary, request.user)
    names = {a.name for a in actions}
    edit_form = None
    if SummaryAction.SAVE in names:
        edit_form = bound_form or SUMMARY_STEPS[SummaryAction.SAVE].make_form(
            SummaryAction.SAVE, summary, request.user
        )
    context = {
        "summary": summary,
        "preview": _preview(summary),
        "edit_form": edit_form,
        "actions": [a for a in actions if a.name != SummaryAction.SAVE],
        "events": summary.events.select_related("actor"),
    }
    return render(request, "reports/summary_detail.html", context, status=status)


def _preview(summary) -> str:
    """The summary's four parts as the page shows them, drawn once per content
    (``supervision.infra.fragments``): the stored figures' messages, the office's text and the typical
    cases are the key, with the language; wording the forty-odd paragraphs and drawing them on every
    view of the editor cost more than the rest of its template."""
    row = {
        "generated": summary.generated,
        "office": {key: summary.office_text(key) for key in SUMMARY_PARTS},
        "cases": summary.cases,
    }
    return cached_rows("reports/_summary_preview.html", [row], draw=_draw_preview)[0]


def _draw_preview(row) -> dict:
    # Each picked case worded from its snapshot (written.word_case), as the form words it.
    return {"parts": written.stored_parts(row["generated"], office=row["office"], cases=row["cases"])}


@role_required(*VIEWERS)
@require_GET
def summary_detail(request, pk: int):
    return _summary_page(request, _get_summary(request, pk))


@role_required(*SUMMARY_EDITORS, object_rule=workflow_rule)
@require_POST
def summary_action(request, pk: int, action: str):
    summary = _get_summary(request, pk)
    if action not in SUMMARY_STEPS:
        raise Http404
    return run_step(
        request,
        SUMMARY_STEPS,
        services.SUMMARIES,
        summary,
        action,
        redisplay=lambda bound_form: _summary_page(request, summary, bound_form=bound_form, status=400),
    )


@role_required(*VIEWERS)
@require_GET
def summary_download(request, pk: int, fmt: str):
    """A finalised summary's kept file (PDF or Word); a draft's Word file, made now from the draft."""
    summary = _get_summary(request, pk)
    if fmt not in (ReportFormat.PDF, ReportFormat.DOCX):
        raise Http404
    filename = f"{summary.title.replace(' ', '')}_{_scope_for_filename(summary)}.{fmt}"
    if summary.is_final:
        kept = summary.pdf_file if fmt == ReportFormat.PDF else summary.docx_file
        if not kept:
            raise Http404  # still being made (the page says so)
        try:
            handle = kept.open("rb")
        except FileNotFoundError:
            raise Http404 from None
    elif fmt == ReportFormat.DOCX:
        handle = io.BytesIO()
        services.render_to(services.summary_content(summary), ReportFormat.DOCX, handle)
        handle.seek(0)
        filename = _("draft") + "_" + filename
    else:
        raise Http404  # a draft is previewed on its page and in Word; its PDF is made when finalised
    response = FileResponse(handle, content_type=CONTENT_TYPES[fmt], as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
