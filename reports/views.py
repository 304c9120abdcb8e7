"""Views of the reports app. Thin: role + scope → form/service → redirect. State changes POST only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supervision.access import role_required
from supervision.errors import ActionNotAllowed
from supervision.infra.responses import partial_or_page, refusals
from supervision.models import Role
from supervision.workflow import allowed_actions

from . import selectors, services
from .forms import ReportRequestForm
from .models import ReportFormat, ReportStatus

VIEWERS = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DEPT_HEAD)
REQUESTERS = services.REQUESTER_ROLES
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
