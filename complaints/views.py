"""Views of complaints. Thin: role → scope → form → service → redirect. State changes are POST only."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from supervision.access import role_required
from supervision.errors import ActionNotAllowed
from supervision.fragments import cached_rows, url_maker
from supervision.models import Department, Role
from supervision.templatetags.ducha import label

from . import selectors, services
from .filters import ComplaintFilter
from .forms import (
    ACTION_FORMS,
    INTAKE_ROLES,
    IntakeForm,
    LookupForm,
    PublicComplaintForm,
)
from .models import CalendarYear, Complaint, ComplaintAction, ComplaintChannel

HANDLERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)
LIST_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP)
PUBLIC_RATE = "5/h"
LOOKUP_RATE = "10/h"
SESSION_TRACKING = "complaints.tracking_code"


def _render(request, full, partial, context, status=200):
    return render(request, partial if request.htmx else full, context, status=status)


# --- staff pages ---------------------------------------------------------------------------------


@role_required(*LIST_ROLES)
@require_GET
def complaint_list(request):
    qs = selectors.complaint_list(request.user)
    filterset = ComplaintFilter(request.GET or None, queryset=qs, request=request)
    matching = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    page = Paginator(matching, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    url = url_maker("complaints:detail")
    context = {
        "filter": filterset,
        "page": page,
        "rows": cached_rows("complaints/_row.html", (_complaint_row(c, today, url) for c in page)),
        "query": query.urlencode(),
        "can_intake": request.user.has_role(*INTAKE_ROLES),
    }
    return _render(request, "complaints/list.html", "complaints/_table.html", context)


def _complaint_row(complaint, today, url) -> dict:
    """What one row of the complaint list shows, as plain values (``supervision.fragments``)."""
    departments = [complaint.department.name] if complaint.department_id else []
    departments += [
        a.department.name for a in complaint.assignments.all() if a.department_id != complaint.department_id
    ]
    return {
        "url": url(complaint.pk),
        "number": complaint.number,
        "dispute": bool(complaint.dispute),
        "content": complaint.content,
        "received_at": complaint.received_at,
        "channel": str(label(complaint, "channel")),
        "referral_no": complaint.referral_no,
        "departments": departments,
        "status": complaint.status,
        "status_label": str(label(complaint, "status")),
        "answer_due": complaint.answer_due,
        "overdue": complaint.is_answer_overdue(today),
        "owner": complaint.owner.display_name if complaint.owner_id else None,
    }


@role_required(*INTAKE_ROLES)
def complaint_create(request):
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_intake(
                channel=data["channel"],
                received_by=request.user,
                content=data["content"],
                department=data["department"],
                complainant_name=data["complainant_name"],
                complainant_phone=data["complainant_phone"],
                received_at=data["received_at"],
                complainant_email=data["complainant_email"],
                referral_no=data["referral_no"],
                referral_due=data["referral_due"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Complaint %(number)s recorded; you own it until you hand it over.")
                % {"number": complaint.number},
            )
            return redirect(complaint)
    return render(request, "complaints/intake.html", {"form": form}, status=400 if form.errors else 200)


def _get_visible(request, pk: int) -> Complaint:
    return get_object_or_404(selectors.complaint_detail_queryset(request.user), pk=pk)


@role_required(*LIST_ROLES)
def complaint_detail(request, pk: int, *, bound_form=None, bound_action=None, revealed=None, status=200):
    complaint = _get_visible(request, pk)
    user = request.user
    allowed = services.complaint_allowed_actions(complaint=complaint, actor=user)
    my_departments = [
        a.department
        for a in complaint.assignments.all()
        if a.replied_at is None and a.department_id in user.department_ids
    ]
    forms = {}
    for action in allowed:
        form_class = ACTION_FORMS[action]
        kwargs = {"prefix": action}
        if action == ComplaintAction.REPLY:
            kwargs["departments"] = Department.objects.filter(pk__in=[d.pk for d in my_departments])
        if action == ComplaintAction.ASSIGN and complaint.department_id:
            kwargs["initial"] = {"departments": [complaint.department_id]}  # usually the one to ask
        forms[action] = form_class(**kwargs)
    if bound_form is not None:
        forms[bound_action] = bound_form
    today = timezone.localdate()
    context = {
        "complaint": complaint,
        "allowed": allowed,
        "forms": forms,
        "Action": ComplaintAction,
        "open_action": bound_action,
        "today": today,
        "can_reveal": services.may_handle(complaint=complaint, user=user),
        "revealed": revealed or {},
        "answer_overdue": complaint.is_answer_overdue(today),
        "ack_overdue": complaint.is_ack_overdue(today),
    }
    return render(request, "complaints/detail.html", context, status=status)


@role_required(*LIST_ROLES)
@require_POST
def complaint_reveal(request, pk: int):
    complaint = _get_visible(request, pk)
    try:
        revealed = services.complaint_contact_reveal(complaint=complaint, user=request.user, request=request)
    except ActionNotAllowed as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(complaint)
    return complaint_detail(request, pk, revealed=revealed)


@role_required(*LIST_ROLES)
@require_POST
def complaint_action(request, pk: int, action: str):
    if action not in ACTION_FORMS:
        raise Http404
    complaint = _get_visible(request, pk)
    user = request.user
    kwargs = {"prefix": action, "data": request.POST}
    if action == ComplaintAction.REPLY:
        kwargs["departments"] = Department.objects.filter(pk__in=user.department_ids)
    form = ACTION_FORMS[action](**kwargs)
    if not form.is_valid():
        return complaint_detail(request, pk, bound_form=form, bound_action=action, status=400)
    data = form.cleaned_data
    try:
        if action == ComplaintAction.ACCEPT:
            services.complaint_accept(complaint=complaint, actor=user, comment=data["comment"])
        elif action == ComplaintAction.NOT_ACCEPT:
            services.complaint_not_accept(complaint=complaint, actor=user, reason=data["reason"])
        elif action == ComplaintAction.HANDOVER:
            services.complaint_handover(
                complaint=complaint, actor=user, to_user=data["to_user"], note=data["note"]
            )
        elif action == ComplaintAction.ASSIGN:
            services.complaint_assign(
                complaint=complaint,
                actor=user,
                departments=data["departments"],
                instructions=data["instructions"],
            )
        elif action == ComplaintAction.REPLY:
            services.complaint_reply(
                complaint=complaint, actor=user, department=data["department"], reply=data["reply"]
            )
        elif action == ComplaintAction.DETERMINE:
            services.complaint_determine(
                complaint=complaint,
                actor=user,
                determination=data["determination"],
                categories=data["categories"],
                note=data["note"],
                department=data["department"],
                severity=data["severity"],
                deadline=data["deadline"],
            )
        elif action == ComplaintAction.ANSWER:
            services.complaint_answer(
                complaint=complaint,
                actor=user,
                method=data["method"],
                text=data["text"],
                answered_at=data["answered_at"],
            )
        elif action == ComplaintAction.CLOSE:
            services.complaint_close(
                complaint=complaint, actor=user, satisfaction=data["satisfaction"], comment=data["comment"]
            )
        elif action == ComplaintAction.REOPEN:
            services.complaint_reopen(complaint=complaint, actor=user, reason=data["reason"])
        elif action == ComplaintAction.DISPUTE:
            services.complaint_flag_dispute(
                complaint=complaint,
                actor=user,
                dispute=data["dispute"],
                amount=data["amount"],
                note=data["note"],
            )
    except ActionNotAllowed as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(complaint)
    messages.success(request, _("Done: %(action)s.") % {"action": ComplaintAction(action).label})
    return redirect(complaint)


@role_required(*HANDLERS)
@require_GET
def figures(request):
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        start, end = today.replace(month=1, day=1), today
    if end < start:
        start, end = end, start
    data = selectors.figures(start=start, end=end, today=today)
    charts = {
        "months": {
            "labels": [r["month"] for r in data.by_month],
            "datasets": [{"label": _("Number of complaints"), "data": [r["count"] for r in data.by_month]}],
            "counts": True,
        },
        "channels": {
            "labels": [r["label"] for r in data.by_channel],
            "datasets": [{"label": _("Number of complaints"), "data": [r["count"] for r in data.by_channel]}],
            "counts": True,
        },
        "departments": {
            "labels": [r["department"] for r in data.by_department[:15]],
            "datasets": [
                {"label": _("Number of complaints"), "data": [r["count"] for r in data.by_department[:15]]}
            ],
            "counts": True,
        },
    }
    return render(
        request,
        "complaints/figures.html",
        {"figures": data, "charts": charts, "start": start, "end": end},
    )


@role_required(*LIST_ROLES)
@require_GET
def calendar_page(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise Http404
    context = selectors.calendar_year(year)
    context["years"] = list(CalendarYear.objects.values_list("year", flat=True))
    return render(request, "complaints/calendar.html", context)


# --- public pages (no login) -----------------------------------------------------------------------


@ratelimit(key="ip", rate=PUBLIC_RATE, method="POST", block=False, group="complaints.public")
def public_form(request):
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.is_valid()  # keep what was typed, shown with the message
            return render(
                request,
                "complaints/public_form.html",
                {"form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            data = form.cleaned_data
            complaint = services.complaint_intake(
                channel=ComplaintChannel.WEB,
                received_by=None,
                content=data["content"],
                department=data["department"],
                complainant_name=data["complainant_name"],
                complainant_phone=data["complainant_phone"],
            )
            request.session[SESSION_TRACKING] = complaint.tracking_code
            return redirect("complaints:public_done")
    return render(request, "complaints/public_form.html", {"form": form}, status=400 if form.errors else 200)


def public_done(request):
    code = request.session.get(SESSION_TRACKING)
    if not code:
        return redirect("complaints:public_form")
    return render(request, "complaints/public_done.html", {"tracking_code": code})


@ratelimit(key="ip", rate=LOOKUP_RATE, method="POST", block=False, group="complaints.lookup")
def public_lookup(request):
    form = LookupForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            context["limited"] = True
            status = 429
        elif form.is_valid():
            found = (
                Complaint.objects.filter(tracking_code=form.cleaned_data["tracking_code"])
                .only("status", "complainant_key", "tracking_code")
                .first()
            )
            phone = services.normalise_phone(form.cleaned_data["phone"])
            if found is not None and phone and found.complainant_key == phone:
                context["result"] = {
                    "tracking_code": found.tracking_code,
                    "status": found.get_status_display(),
                }
            else:
                # The same answer whether the number or the phone is wrong: nothing to probe.
                context["not_found"] = True
    return render(request, "complaints/public_lookup.html", context, status=status)
