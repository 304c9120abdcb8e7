"""Views of complaints. Thin: role → scope → form → service → redirect. State changes are POST only."""

from __future__ import annotations

from functools import partial

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from supervision import access
from supervision.access import role_required, workflow_rule
from supervision.errors import ActionNotAllowed
from supervision.forms import parse_date_ymd
from supervision.infra.cleaning import phone_digits
from supervision.infra.filtersets import list_filter
from supervision.infra.fragments import cached_rows, url_maker
from supervision.infra.responses import Step, action_buttons, partial_or_page, refusals, run_step
from supervision.models import Department, Role, User
from supervision.templatetags.ducha import choice_label
from supervision.workflow import allowed_actions

from . import selectors, services
from .filters import ComplaintFilter
from .forms import (
    INTAKE_ROLES,
    AnswerForm,
    AssignForm,
    AttachmentForm,
    CloseForm,
    CommentForm,
    DetermineForm,
    DisputeForm,
    HandoverForm,
    IntakeForm,
    LetterForm,
    LookupForm,
    NotAcceptForm,
    PauseForm,
    PublicComplaintForm,
    ReasonForm,
    ReplyForm,
    ReplyTemplateForm,
    VerdictForm,
    VerdictPhoneForm,
)
from .letters import PLACEHOLDERS, fill, placeholder_values
from .models import (
    AnswerKind,
    CalendarYear,
    Complaint,
    ComplaintAction,
    ComplaintAssignment,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintLetter,
    ReplyTemplate,
)

HANDLERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)
# Follow-up and service-desk staff see the complaints they own (first contact).
LIST_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP, Role.DESK)
PUBLIC_RATE = "5/h"
VERDICT_RATE = "10/h"
# Who may add a file to a complaint (the service then asks: a handler, or the owner of this one).
ATTACH_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FOLLOWUP, Role.DESK)
LOOKUP_RATE = "10/h"
SESSION_TRACKING = "complaints.tracking_code"
SESSION_VERDICT = "complaints.verdict_given"  # the hash of the link just answered
PERSON_ON_DETAIL = 5


# --- staff pages ---------------------------------------------------------------------------------


@role_required(*LIST_ROLES)
@require_GET
def complaint_list(request):
    qs = selectors.complaint_list(request.user)
    filterset = list_filter(ComplaintFilter, request, queryset=qs)
    # A refused filter lists no rows, never every row (supervision.infra.filtersets).
    page = Paginator(filterset.qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    url = url_maker("complaints:detail")
    context = {
        "filter": filterset,
        "page": page,
        "rows": cached_rows(
            "complaints/_row.html", _complaint_rows(page.object_list, today, url), draw=_draw_complaint_row
        ),
        "query": query.urlencode(),
        "refused": filterset.refused,
        "can_intake": request.user.has_role(*INTAKE_ROLES),
    }
    return partial_or_page(request, "complaints/list.html", "complaints/_table.html", context)


# The columns a complaint list row shows, read as plain values: the page's 25 complaints as model
# instances, with their owner and their prefetched assignments, cost most of the page (docs/performance.md,
# "List pages").
COMPLAINT_ROW_FIELDS = (
    *("id", "number", "dispute", "content", "received_at", "channel", "referral_no"),
    *("department_id", "department__name", "status", "answer_due", "owner_id"),
    *("owner__full_name", "owner__first_name", "owner__last_name", "owner__username"),
)


def _complaint_rows(complaints, today, url) -> list[dict]:
    """The rows of a page of complaints (a sliced queryset): one query for the complaints and one for
    the departments they are assigned to, as the prefetch did."""
    page = list(complaints.values(*COMPLAINT_ROW_FIELDS))
    assigned: dict[int, list[tuple[int, str]]] = {}
    if page:
        # In the order the prefetched ``complaint.assignments.all()`` gave (the model's ordering).
        for complaint_id, department_id, name in ComplaintAssignment.objects.filter(
            complaint_id__in=[v["id"] for v in page]
        ).values_list("complaint_id", "department_id", "department__name"):
            assigned.setdefault(complaint_id, []).append((department_id, name))
    return [_complaint_row(v, assigned.get(v["id"], ()), today, url) for v in page]


def _complaint_row(values, assignments, today, url) -> dict:
    """What one row of the complaint list shows (``COMPLAINT_ROW_FIELDS`` and its assigned
    departments), as plain values (``supervision.infra.fragments``)."""
    department_id = values["department_id"]
    departments = [values["department__name"]] if department_id else []
    departments += [name for assigned_id, name in assignments if assigned_id != department_id]
    owner = None
    if values["owner_id"]:
        owner = User.name_shown(
            *(values[f"owner__{name}"] for name in ("full_name", "first_name", "last_name", "username"))
        )
    return {
        "url": url(values["id"]),
        "number": values["number"],
        "dispute": bool(values["dispute"]),
        "content": values["content"],
        "received_at": values["received_at"],
        # The channel and the status as stored: labelled when the row is drawn (``_draw_complaint_row``).
        "channel": values["channel"],
        "referral_no": values["referral_no"],
        "departments": departments,
        "status": values["status"],
        "answer_due": values["answer_due"],
        "overdue": Complaint.answer_overdue(values["status"], values["answer_due"], today),
        "owner": owner,
    }


def _draw_complaint_row(row) -> dict:
    """A complaint list row as its template shows it, the channel and the status labelled — only for
    the rows not in the row cache (``cached_rows(draw=…)``): translating two labels a row on every
    view took longer than fetching the row's HTML, as for the finding list (``_draw_finding_row``)."""
    return {
        **row,
        "channel": str(choice_label(Complaint, "channel", row["channel"])),
        "status_label": str(choice_label(Complaint, "status", row["status"])),
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


def _reply_departments(complaint, user) -> dict:
    # The departments of the user still owing a reply: the reply form offers only those.
    waiting = {a.department_id for a in complaint.assignments.all() if a.replied_at is None}
    return {"departments": Department.objects.filter(pk__in=waiting & set(user.department_ids))}


def _assign_initial(complaint, user) -> dict:
    # The complaint's own department is usually the one to ask.
    return {"initial": {"departments": [complaint.department_id]}} if complaint.department_id else {}


def _determined_message(complaint):
    # The determination issues an order silently otherwise: name it, with a link the handler can follow.
    order = getattr(complaint.finding, "order", None) if complaint.finding_id else None
    if order is None:
        return None
    return format_html(
        _("Determination recorded. Rectification order {number} issued to {department}, due {deadline}."),
        number=format_html('<a href="{}">{}</a>', order.get_absolute_url(), order.number),
        department=order.department,
        deadline=date_format(order.deadline, "DATE_FORMAT"),
    )


def _handed_over_message(complaint):
    return _("Complaint %(number)s handed over: %(owner)s owns it now.") % {
        "number": complaint.number,
        "owner": complaint.owner.display_name,
    }


# How the detail page asks for each action of the complaint's machine (services.COMPLAINTS).
COMPLAINT_STEPS: dict[str, Step] = {
    ComplaintAction.ACCEPT: Step(CommentForm, services.complaint_accept),
    ComplaintAction.NOT_ACCEPT: Step(NotAcceptForm, services.complaint_not_accept),
    ComplaintAction.HANDOVER: Step(HandoverForm, services.complaint_handover, done=_handed_over_message),
    ComplaintAction.ASSIGN: Step(AssignForm, services.complaint_assign, form_kwargs=_assign_initial),
    ComplaintAction.REPLY: Step(ReplyForm, services.complaint_reply, form_kwargs=_reply_departments),
    ComplaintAction.DETERMINE: Step(DetermineForm, services.complaint_determine, done=_determined_message),
    ComplaintAction.ANSWER: Step(AnswerForm, services.complaint_answer),
    ComplaintAction.CLOSE: Step(CloseForm, services.complaint_close),
    ComplaintAction.REOPEN: Step(ReasonForm, services.complaint_reopen),
    ComplaintAction.DISPUTE: Step(DisputeForm, services.complaint_flag_dispute),
    ComplaintAction.PAUSE: Step(PauseForm, services.complaint_pause),
    ComplaintAction.RESUME: Step(CommentForm, services.complaint_resume),
}


@role_required(*LIST_ROLES)
def complaint_detail(
    request,
    pk: int,
    *,
    bound_form=None,
    bound_action=None,
    revealed=None,
    status=200,
    verdict_sms=None,
    attachment_form=None,
):
    complaint = _get_visible(request, pk)
    user = request.user
    today = timezone.localdate()
    handles = services.may_handle(complaint=complaint, user=user)
    office = access.may(user, "complaints:letter_new", method="POST")
    context = {
        "complaint": complaint,
        "actions": action_buttons(
            allowed=allowed_actions(complaint, user),
            steps=COMPLAINT_STEPS,
            obj=complaint,
            actor=user,
            url=lambda name: reverse("complaints:action", args=[complaint.pk, name]),
            bound=(bound_action, bound_form) if bound_form is not None else None,
        ),
        "open_action": bound_action,
        "today": today,
        "can_reveal": services.may_handle(complaint=complaint, user=user),
        "revealed": revealed or {},
        "answer_overdue": complaint.is_answer_overdue(today),
        "ack_overdue": complaint.is_ack_overdue(today),
        # Files: the handlers see every one, the departments the ones the office shared.
        "attachments": list(selectors.attachments_for(complaint, sees_all=handles)),
        "attachment_form": attachment_form or (AttachmentForm(prefix="file") if handles else None),
        "office": office,
        "letters": list(selectors.letters_of(complaint)) if office else [],
        "verdict": selectors.verdict_state(complaint) if office else None,
        "verdict_form": VerdictPhoneForm(prefix="verdict") if office else None,
        "verdict_sms": verdict_sms,
        "open_pause": next((p for p in complaint.pauses.all() if p.ended_at is None), None),
    }
    # The complainant's other complaints (issue 25 item 6): the newest few here, all on their page.
    same_person = selectors.same_person(complaint, user)
    context["person_rows"] = list(same_person[:PERSON_ON_DETAIL])
    context["person_total"] = (
        len(context["person_rows"]) if len(context["person_rows"]) < PERSON_ON_DETAIL else same_person.count()
    )
    return render(request, "complaints/detail.html", context, status=status)


@role_required(*LIST_ROLES)
@require_GET
def complaint_person(request, pk: int):
    """Every complaint of this complaint's complainant (same telephone or name) the user may see."""
    complaint = _get_visible(request, pk)
    page = Paginator(selectors.same_person(complaint, request.user), settings.DUCHA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "complaints/person.html", {"complaint": complaint, "page": page})


@role_required(*LIST_ROLES)
@require_POST
def complaint_reveal(request, pk: int):
    complaint = _get_visible(request, pk)
    with refusals(request) as outcome:
        revealed = services.complaint_contact_reveal(complaint=complaint, user=request.user, request=request)
    if outcome.refused:
        return redirect(complaint)
    return complaint_detail(request, pk, revealed=revealed)


@role_required(*LIST_ROLES, object_rule=workflow_rule)
@require_POST
def complaint_action(request, pk: int, action: str):
    if action not in COMPLAINT_STEPS:
        raise Http404
    complaint = _get_visible(request, pk)
    redisplay = partial(complaint_detail, request, pk, bound_action=action, status=400)
    response = run_step(request, COMPLAINT_STEPS, services.COMPLAINTS, complaint, action, redisplay=redisplay)
    # After a handover (首诉负责制) follow-up staff no longer see the complaint: its page would be a
    # 404, so they land on their list, where the message says who owns it now.
    if (
        response.status_code == 302
        and not selectors.complaint_detail_queryset(request.user).filter(pk=pk).exists()
    ):
        return redirect("complaints:list")
    return response


# --- the complainant's verdict (issue 25 item 2) -------------------------------------------------


def _verdict_sms(request, link, token) -> str:
    """The text message to copy, in the site's language (the complainant's, not the clerk's)."""
    url = request.build_absolute_uri(reverse("complaints:verdict_public", args=[token]))
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "%(hospital)s: your complaint %(number)s has been answered. Please tell us how it was handled "
            "(three questions, one answer, until %(date)s): %(url)s"
        ) % {
            "hospital": settings.HOSPITAL_NAME,
            "number": link.complaint.number,
            "date": date_format(timezone.localtime(link.expires_at), "DATE_FORMAT"),
            "url": url,
        }


@role_required(*HANDLERS)
@require_POST
def verdict_link(request, pk: int):
    complaint = _get_visible(request, pk)
    with refusals(request) as outcome:
        link, token = services.verdict_link_issue(complaint=complaint, actor=request.user)
    if outcome.refused:
        return redirect(complaint)
    # The token exists only in this answer (its hash is stored): shown once, to copy into a message.
    return complaint_detail(request, pk, verdict_sms=_verdict_sms(request, link, token))


@role_required(*HANDLERS)
@require_POST
def verdict_phone(request, pk: int):
    complaint = _get_visible(request, pk)
    form = VerdictPhoneForm(request.POST, prefix="verdict")
    if not form.is_valid():
        messages.error(request, _("Answer every question."))
        return redirect(complaint)
    with refusals(request) as outcome:
        services.verdict_record_by_phone(complaint=complaint, actor=request.user, **form.cleaned_data)
    if not outcome.refused:
        messages.success(
            request, _("The complainant's verdict is recorded; it is counted without their name.")
        )
    return redirect(complaint)


# --- attachments (issue 25 item 3) ---------------------------------------------------------------


@role_required(*ATTACH_ROLES)
@require_POST
def attachment_add(request, pk: int):
    complaint = _get_visible(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="file")
    if not form.is_valid():
        return complaint_detail(request, pk, attachment_form=form, status=400)
    data = form.cleaned_data
    with refusals(request) as outcome:
        for upload in data["files"]:
            services.complaint_attachment_add(
                complaint=complaint, actor=request.user, upload=upload, kind=data["kind"], note=data["note"]
            )
    if not outcome.refused:
        messages.success(request, _("Files added. The departments see them only once you share them."))
    return redirect(complaint)


def _visible_attachment(request, pk: int) -> ComplaintAttachment:
    """A file of a complaint the user sees; an unshared one only for the complaint's handlers (404)."""
    attachment = get_object_or_404(
        ComplaintAttachment.objects.select_related("complaint"),
        pk=pk,
        complaint__in=selectors.complaints_visible_to(request.user),
    )
    if not attachment.shared and not services.may_handle(complaint=attachment.complaint, user=request.user):
        raise Http404
    return attachment


@role_required(*LIST_ROLES)
@require_GET
def attachment_download(request, pk: int):
    attachment = _visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the file was deleted after the retention period
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not (attachment.is_image or attachment.content_type == "application/pdf"),
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*HANDLERS)
@require_POST
def attachment_share(request, pk: int):
    attachment = _visible_attachment(request, pk)
    shared = request.POST.get("shared") == "1"
    with refusals(request) as outcome:
        services.complaint_attachment_share(attachment=attachment, actor=request.user, shared=shared)
    if not outcome.refused:
        messages.success(
            request,
            _("%(name)s is shown to the departments now.") % {"name": attachment.original_name}
            if shared
            else _("%(name)s is hidden from the departments now.") % {"name": attachment.original_name},
        )
    return redirect(attachment.complaint)


# --- reply templates and letters (issue 25 item 4) ---------------------------------------------


@role_required(*HANDLERS)
@require_GET
def template_list(request):
    templates = ReplyTemplate.objects.select_related("updated_by").order_by("kind", "name")
    return render(
        request, "complaints/template_list.html", {"templates": templates, "placeholders": PLACEHOLDERS}
    )


@role_required(*HANDLERS)
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(ReplyTemplate, pk=pk) if pk is not None else None
    initial = (
        {"name": template.name, "kind": template.kind, "body": template.body, "active": template.active}
        if template
        else {"active": True}
    )
    form = ReplyTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_template_save(actor=request.user, template=template, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Reply template saved."))
            return redirect("complaints:template_list")
    return render(
        request,
        "complaints/template_edit.html",
        {"form": form, "template": template, "placeholders": PLACEHOLDERS},
        status=400 if form.errors else 200,
    )


def _letter_complaint(request, pk: int) -> Complaint:
    qs = selectors.complaint_detail_queryset(request.user).prefetch_related("finding__order__actions")
    return get_object_or_404(qs, pk=pk)


@role_required(*HANDLERS)
def letter_new(request, pk: int):
    complaint = _letter_complaint(request, pk)
    can_answer = ComplaintAction.ANSWER in {a.name for a in allowed_actions(complaint, request.user)}
    templates = list(ReplyTemplate.objects.filter(active=True).order_by("kind", "name"))
    chosen, refused = None, False
    if request.method == "POST":
        form = LetterForm(request.POST, can_answer=can_answer)
    else:
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        body = fill(chosen.body, placeholder_values(complaint)) if chosen else ""
        form = LetterForm(
            initial={"body": body, "template": chosen.pk if chosen else None}, can_answer=can_answer
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template = next((t for t in templates if t.pk == data.get("template")), None)
        with refusals(request) as outcome:
            letter = services.complaint_letter_create(
                complaint=complaint,
                actor=request.user,
                body=data["body"],
                template=template,
                record_answer=data.get("record_answer", False),
                base_url=request.build_absolute_uri("/"),
            )
        refused = outcome.refused
        if not refused:
            messages.success(
                request,
                format_html(
                    _("Letter kept on the record. {link}"),
                    link=format_html(
                        '<a href="{}">{}</a>', letter.get_absolute_url(), _("Print the letter (PDF)")
                    ),
                ),
            )
            return redirect(complaint)
    # Templates for this complaint's kind of answer first.
    kind = AnswerKind.NOT_ACCEPTED if complaint.status == "not_accepted" else complaint.determination
    templates.sort(key=lambda t: (t.kind != kind, t.kind != AnswerKind.GENERAL, t.name))
    return render(
        request,
        "complaints/letter_new.html",
        {"complaint": complaint, "form": form, "templates": templates, "chosen": chosen},
        status=400 if form.errors or refused else 200,
    )


@role_required(*HANDLERS)
@require_GET
def letter_pdf(request, pk: int):
    letter = get_object_or_404(
        ComplaintLetter.objects.select_related("complaint"),
        pk=pk,
        complaint__in=selectors.complaints_visible_to(request.user),
    )
    try:
        handle = letter.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type="application/pdf", filename=f"{letter.complaint.number}-{letter.pk}.pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{letter.complaint.number}-{letter.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*HANDLERS)
@require_GET
def figures(request):
    today = timezone.localdate()
    try:
        start = parse_date_ymd(request.GET.get("start")) or today.replace(month=1, day=1)
        end = parse_date_ymd(request.GET.get("end")) or today
    except ValueError as error:
        # The year so far, saying why; the input shows again what was typed (date_ymd_input).
        messages.error(request, str(error))
        start, end = today.replace(month=1, day=1), today
    if end < start:
        start, end = end, start
    data = selectors.figures(start=start, end=end, today=today)
    # The same period last year (issue 18 item 5); none received then is "no data", never 0 %.
    a_year = relativedelta(years=1)
    last = selectors.figures(start=start - a_year, end=end - a_year, today=today)
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
        {
            "figures": data,
            "last_year": last if last.total else None,
            "charts": charts,
            "start": start,
            "end": end,
        },
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
                .only(
                    "status",
                    "complainant_key",
                    "tracking_code",
                    "answered_at",
                    "answer_method",
                    "answer_text",
                )
                .first()
            )
            phone = phone_digits(form.cleaned_data["phone"])
            if found is not None and phone and found.complainant_key == phone:
                context["result"] = {
                    "tracking_code": found.tracking_code,
                    "status": found.get_status_display(),
                    # Once given, the answer the complainant received (when, how, what), never before.
                    "answer": {
                        "at": found.answered_at,
                        "method": found.get_answer_method_display(),
                        "text": found.answer_text,
                    }
                    if found.answered_at
                    else None,
                }
            else:
                # The same answer whether the number or the phone is wrong: nothing to probe.
                context["not_found"] = True
    return render(request, "complaints/public_lookup.html", context, status=status)


@ratelimit(key="ip", rate=VERDICT_RATE, method="POST", block=False, group="complaints.verdict")
def verdict_public(request, token: str):
    """The complainant's three questions behind their personal link (no login). The page names
    neither the complainant nor the staff; a used, expired or replaced link says so and asks nothing."""
    token_hash = services.verdict_token_hash(token)
    link = selectors.verdict_link_for(token_hash)
    if link is None:
        return render(request, "complaints/verdict_closed.html", {"reason": "unknown"}, status=404)
    if (
        request.method == "GET"
        and link.used_at is not None
        and request.session.get(SESSION_VERDICT) == token_hash
    ):
        # Back from the answer just sent (post/redirect/get): thank them instead of "already used".
        return render(request, "complaints/verdict_closed.html", {"reason": "thanks"})
    given = hasattr(link.complaint, "verdict") if link.used_at is None else True
    if given or link.revoked_at is not None or link.expires_at <= timezone.now():
        reason = "used" if given else ("replaced" if link.revoked_at is not None else "expired")
        context = {"reason": reason, "expired_on": timezone.localtime(link.expires_at)}
        return render(request, "complaints/verdict_closed.html", context, status=410)
    form = VerdictForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "received_on": link.complaint.received_on}
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.is_valid()
            context["limited"] = True
            return render(request, "complaints/verdict_form.html", context, status=429)
        if form.is_valid():
            answers = {k: form.cleaned_data[k] for k in ("handled", "fair", "contact")}
            try:
                services.verdict_submit(token=token, **answers)
            except ActionNotAllowed as exc:
                # Another tab answered in the meantime, or the link expired while the form was open.
                context = {"reason": "refused", "message": " ".join(exc.messages)}
                return render(request, "complaints/verdict_closed.html", context, status=410)
            request.session[SESSION_VERDICT] = token_hash
            return redirect(request.path)
    return render(request, "complaints/verdict_form.html", context, status=400 if form.errors else 200)
