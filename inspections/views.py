"""Views of inspections and chart audits. Thin: role → scope → form/service → redirect."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import random
from decimal import Decimal

from csp.constants import SELF
from csp.decorators import csp_replace
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from supervision.access import get_scoped_or_404, id_param, may, role_required
from supervision.errors import ActionNotAllowed
from supervision.forms import parse_date_ymd, parse_month_ym
from supervision.infra import offline
from supervision.infra.filtersets import filter_refused
from supervision.infra.responses import partial_or_page, refusals
from supervision.models import Department, DepartmentKind, Role
from supervision.workflow import allowed_actions

from . import onsite, selectors, services
from .forms import (
    AnswerForm,
    AppealDecisionForm,
    AppealForm,
    AuditFilterForm,
    AuditForm,
    ChecklistCreateForm,
    ChecklistItemFormSet,
    MonthForm,
    PhotoForm,
    RoundFilterForm,
    RoundStartForm,
    ScheduleForm,
    SubmitRoundForm,
    active_criteria,
)
from .models import (
    Answer,
    AnswerPhoto,
    AnswerResult,
    Appeal,
    AppealAction,
    AppealStatus,
    AuditAction,
    AuditStatus,
    ChartAudit,
    ChartSample,
    ChecklistItem,
    ChecklistTemplate,
    Deduction,
    HandRubUse,
    InspectionRound,
    InspectionSettings,
    ItemKind,
    PlanEntry,
    RoundAction,
    RoundSignOff,
    RoundStatus,
    RoundType,
    ScheduledRound,
    TemplateStatus,
    Transition,
)

READERS = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def _page(request, qs):
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _history(obj):
    return (
        Transition.objects.filter(**Transition.subject_kwargs(obj))
        .select_related("actor")
        .order_by("at", "id")
    )


def _month_param(request, default: dt.date) -> dt.date:
    """The month of a month's page (``?month=2026-11``, its previous/next links): ``default``'s when
    none is given, and when the one given is no month — then saying why, in the reader's language."""
    try:
        month = parse_month_ym(request.GET.get("month"))
    except ValueError as error:
        messages.error(request, str(error))
        month = None
    return (month or default).replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return services.next_month(month) - dt.timedelta(days=1)


# --- rounds ----------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def round_list(request):
    form = RoundFilterForm(request.GET or None, user=request.user)
    qs = form.filter(selectors.round_list(request.user))
    page, query = _page(request, qs)
    context = {"form": form, "page": page, "query": query, "refused": filter_refused(form)}
    return partial_or_page(request, "inspections/round_list.html", "inspections/_round_table.html", context)


@role_required(Role.SUPERVISOR)
def round_create(request):
    department_id = id_param(request.GET.get("department"))
    initial = {}
    if department_id is not None:
        initial["department"] = department_id
        # The checklist is suggested from the department (its last round's, else by its kind).
        department = Department.objects.filter(pk=department_id, active=True).first()
        template = services.suggested_template(department) if department else None
        if template is not None:
            initial["template"] = template.pk
    if request.GET.get("round_type") in RoundType.values:
        initial["round_type"] = request.GET["round_type"]
    form = RoundStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rnd = services.round_start(
                template=data["template"],
                department=data["department"],
                round_type=data["round_type"],
                started_at=data["started_at"],
                location=data["location"],
                inspectors=data["inspectors"],
                actor=request.user,
            )
        except ActionNotAllowed as exc:
            form.add_error(None, exc)
        else:
            return redirect(rnd)
    return render(request, "inspections/round_form.html", {"form": form}, status=400 if form.errors else 200)


def _round_answers(rnd):
    return list(
        rnd.answers.select_related("item", "item__category", "finding")
        .prefetch_related("photos")
        .order_by("item__category__sort_order", "item__sort_order", "item_id")
    )


@role_required(*READERS)
@require_GET
def round_detail(request, pk: int):
    rnd = get_object_or_404(
        selectors.rounds_visible_to(
            request.user,
            InspectionRound.objects.select_related("department", "template", "created_by", "submitted_by"),
        ),
        pk=pk,
    )
    answers = services.items_in_round_order(_round_answers(rnd), item=lambda a: a.item)
    config = InspectionSettings.get()
    own_wait = config.own_wait_target(rnd.department_id)
    for answer in answers:
        answer.shown_target = services.shown_target(answer.item, config, own_wait=own_wait)
    # The round's machine (services.ROUNDS): submit and discard are the buttons, and the answers
    # may change exactly while it would accept them.
    actions = {a.name for a in allowed_actions(rnd, request.user)}
    context = {
        "round": rnd,
        "answers": answers,
        "actions": actions,
        "editable": RoundAction.SUBMIT in actions,
        "inspectors": list(rnd.inspectors.all()),
        "history": list(_history(rnd)),
        "sign_off": RoundSignOff.objects.filter(round=rnd).first(),
        "config": config,
        "Result": AnswerResult,
        "Kind": ItemKind,
        "answered": sum(1 for a in answers if a.result),
        "offline_owner": offline.owner_key(request.user),
    }
    response = render(request, "inspections/round_detail.html", context)
    if context["editable"]:
        # The round being filled in opens without a connection (docs/inspections.md → "Offline").
        offline.keep_offline(request, response)
    return response


def _draft_round(request, pk):
    return get_scoped_or_404(InspectionRound.objects.all(), request.user, pk=pk)


def _keep_what_was_valid(rnd, item, user, form: AnswerForm):
    """A refused measurement is not kept as a result: the values that passed are saved, the refused
    ones are blanked, so the server never holds an earlier value the inspector has typed over (the
    item becomes half filled and the review page lists it). Returns None when nothing could be saved."""
    data = form.cleaned_data
    names = ("wait_minutes", "hh_opportunities", "hh_washes")
    if not set(form.errors) <= {*names, NON_FIELD_ERRORS}:
        return None  # something else was refused (an unknown result): change nothing
    measured = {name: data.get(name) for name in names}
    if NON_FIELD_ERRORS in form.errors:  # more washes than opportunities: the washes were refused
        measured["hh_washes"] = None
    try:
        return services.answer_save(
            rnd=rnd,
            item=item,
            actor=user,
            result=data.get("result", ""),
            note=data.get("note", form.data.get("note", "")),
            **measured,
        )
    except ActionNotAllowed:
        return None


@role_required(Role.SUPERVISOR)
@require_POST
def answer_save(request, pk: int, item_pk: int):
    rnd = _draft_round(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, template_id=rnd.template_id)
    form = AnswerForm(request.POST)
    answer = None
    error = ""
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            answer = services.answer_save(
                rnd=rnd,
                item=item,
                actor=request.user,
                result=data["result"],
                note=data["note"],
                wait_minutes=data["wait_minutes"],
                hh_opportunities=data["hh_opportunities"],
                hh_washes=data["hh_washes"],
            )
        except ActionNotAllowed as exc:
            error, status = " ".join(exc.messages), 409
    else:
        error, status = " ".join(e for errs in form.errors.values() for e in errs), 400
        answer = _keep_what_was_valid(rnd, item, request.user, form)
    if answer is None:
        answer = Answer.objects.select_related("item").filter(round=rnd, item=item).first()
    context = {"answer": answer, "round": rnd, "error": error, "Result": AnswerResult, "Kind": ItemKind}
    if request.htmx:
        # The sticky "n of m answered" bar follows each save (an out-of-band swap), so the inspector
        # sees what is left without reloading the checklist.
        context["progress"] = rnd.answers.aggregate(
            total=Count("pk"), answered=Count("pk", filter=~Q(result=""))
        )
        return render(request, "inspections/_answer_saved.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(f"{rnd.get_absolute_url()}#item-{item.pk}")


@role_required(Role.SUPERVISOR)
@require_POST
def photo_upload(request, pk: int, item_pk: int):
    rnd = _draft_round(request, pk)
    answer = get_object_or_404(Answer.objects.select_related("round"), round=rnd, item_id=item_pk)
    form = PhotoForm(request.POST, request.FILES)
    error = ""
    status = 200
    if form.is_valid():
        try:
            services.photo_add(
                answer=answer,
                upload=form.cleaned_data["photo"],
                actor=request.user,
                client_id=form.cleaned_data["client_id"],
            )
        except ActionNotAllowed as exc:
            error, status = " ".join(exc.messages), 409
    else:
        error, status = " ".join(e for errs in form.errors.values() for e in errs), 400
    if request.htmx:
        context = {"answer": answer, "round": rnd, "editable": rnd.is_draft, "photo_error": error}
        return render(request, "inspections/_photos.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(f"{rnd.get_absolute_url()}#item-{item_pk}")


@role_required(*READERS)
@require_GET
def photo_view(request, pk: int):
    photos = AnswerPhoto.objects.select_related("answer__round")
    if not request.user.sees_all_departments:
        photos = photos.filter(answer__round__status=RoundStatus.SUBMITTED)
    photo = get_scoped_or_404(photos, request.user, department_field="answer__round__department", pk=pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type, filename=photo.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.SUPERVISOR)
@require_POST
def photo_delete(request, pk: int):
    photo = get_scoped_or_404(
        AnswerPhoto.objects.select_related("answer__round"),
        request.user,
        department_field="answer__round__department",
        pk=pk,
    )
    answer = photo.answer
    with refusals(request):
        services.photo_delete(photo=photo, actor=request.user)
    if request.htmx:
        rnd = answer.round
        return render(
            request, "inspections/_photos.html", {"answer": answer, "round": rnd, "editable": rnd.is_draft}
        )
    return redirect(f"{answer.round.get_absolute_url()}#item-{answer.item_id}")


@role_required(Role.SUPERVISOR)
def round_submit(request, pk: int):
    rnd = get_scoped_or_404(
        InspectionRound.objects.select_related("department", "template"), request.user, pk=pk
    )
    if not rnd.is_draft:
        if rnd.status == RoundStatus.DISCARDED:
            messages.info(request, _("This round was discarded."))
        else:
            messages.info(request, _("This round was already submitted; nothing was stored again."))
        return redirect(rnd)
    answers = _round_answers(rnd)
    failed = [a for a in answers if a.result == AnswerResult.FAIL]
    half = [a for a in answers if a.is_half_filled and a.result != AnswerResult.NA]
    missing = [a for a in answers if not a.result and a not in half]
    unphotographed = services.photos_missing(answers)
    form = SubmitRoundForm(request.POST or None, failed=failed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rnd = services.round_submit(
                    rnd=rnd, actor=request.user, choices=form.choices(), summary=form.cleaned_data["summary"]
                )
            except services.AlreadySubmitted:
                messages.info(request, _("This round was already submitted; nothing was stored again."))
                return redirect(rnd)
            except (ActionNotAllowed, ValidationError) as exc:
                # ValidationError: a finding the core refuses (a round dated outside the findings'
                # window, issue 15 item 13); nothing was stored.
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Round submitted: score %(score)s, %(n)s findings recorded.")
                    % {
                        "score": rnd.score if rnd.score is not None else "—",
                        "n": len({a.finding_id for a in rnd.answers.all() if a.finding_id}),
                    },
                )
                return redirect(rnd)
        status = 400
    counts = {r: sum(1 for a in answers if a.result == r) for r in AnswerResult.values}
    context = {
        "round": rnd,
        "form": form,
        "missing": missing,
        "half": half,
        "unphotographed": unphotographed,
        "counts": counts,
        "score": services.round_score(counts[AnswerResult.PASS], counts[AnswerResult.FAIL]),
    }
    return render(request, "inspections/round_submit.html", context, status=status)


@role_required(Role.SUPERVISOR)
def round_sign_off(request, pk: int):
    """At the end of a round the tablet is handed to the ward: the on-site report, then a name and a
    drawn signature. The ward's copy is the PDF."""
    rnd = get_scoped_or_404(
        InspectionRound.objects.select_related("department", "template"), request.user, pk=pk
    )
    if rnd.status != RoundStatus.SUBMITTED:
        messages.info(request, _("Only a submitted round has an on-site report to sign."))
        return redirect(rnd)
    sign_off = RoundSignOff.objects.filter(round=rnd).first()
    values = {"signer_name": "", "signer_title": ""}
    status = 200
    if request.method == "POST" and sign_off is None:
        values = {k: request.POST.get(k, "")[:64] for k in values}
        try:
            signature = _data_url_png(request.POST.get("signature", ""))
            services.round_sign_off(rnd=rnd, actor=request.user, signature=signature, **values)
        except ActionNotAllowed as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(
                request, _("Signed. The department's head has been told; the report is on the round page.")
            )
            return redirect(rnd)
    context = {
        "round": rnd,
        "items": onsite.failed_items(rnd),
        "sign_off": sign_off,
        "signature": onsite.signature_data_uri(sign_off),
        "values": values,
    }
    return render(request, "inspections/round_sign_off.html", context, status=status)


def _data_url_png(value: str) -> bytes:
    """The canvas's ``data:image/png;base64,…`` as bytes (anything else is an empty drawing)."""
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        return b""
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return b""


@role_required(*READERS)
@require_GET
def round_report_pdf(request, pk: int):
    rnd = get_object_or_404(
        selectors.rounds_visible_to(
            request.user, InspectionRound.objects.select_related("department", "template")
        ),
        pk=pk,
        status=RoundStatus.SUBMITTED,
    )
    response = HttpResponse(onsite.report_pdf(rnd), content_type="application/pdf")
    filename = f"onsite-{rnd.started_at:%Y%m%d}-{rnd.department.code.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@role_required(Role.SUPERVISOR)
@require_POST
def round_discard(request, pk: int):
    rnd = get_scoped_or_404(InspectionRound.objects.all(), request.user, pk=pk)
    with refusals(request):
        services.round_discard(rnd=rnd, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Round discarded."))
    return redirect(rnd)


# --- plan and coverage -----------------------------------------------------------------------


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def plan(request):
    month = _month_param(request, timezone.localdate())
    if request.method == "POST":
        month_form = MonthForm(request.POST)
        if month_form.is_valid():
            month = month_form.cleaned_data["month"].replace(day=1)
    departments = list(Department.objects.filter(active=True).order_by("sort_order", "code"))
    entries = {p.department_id: p.rounds_planned for p in PlanEntry.objects.filter(month=month)}
    errors = {}
    if request.method == "POST":
        counts = {}
        for d in departments:
            raw = (request.POST.get(f"d{d.pk}") or "0").strip()
            try:
                n = int(raw)
                if not 0 <= n <= 100:
                    raise ValueError
            except ValueError:
                errors[d.pk] = raw
                continue
            counts[d.pk] = n
        if not errors:
            changed = services.plan_set(month=month, counts=counts, actor=request.user)
            messages.success(request, _("Plan saved: %(n)s changes.") % {"n": changed})
            return redirect(f"{reverse('inspections:plan')}?month={month:%Y-%m}")
        messages.error(request, _("Enter a whole number from 0 to 100 for each department."))
        entries = {d.pk: request.POST.get(f"d{d.pk}", "") for d in departments}
    rows = [{"department": d, "value": entries.get(d.pk, 0), "error": d.pk in errors} for d in departments]
    context = {
        "month": month,
        "rows": rows,
        "previous": services.previous_month(month),
        "next": services.next_month(month),
        "can_edit": may(request.user, "inspections:plan", method="POST"),
    }
    return render(request, "inspections/plan.html", context, status=400 if errors else 200)


def _hand_rub_row(raw_litres: str, raw_days: str) -> tuple[Decimal, int] | None:
    """One ward's two cells: both blank clears the entry; raises ValueError on anything else wrong."""
    raw_litres, raw_days = raw_litres.strip().replace(",", "."), raw_days.strip().replace(",", "")
    if not raw_litres and not raw_days:
        return None
    litres, days = Decimal(raw_litres), int(raw_days)  # InvalidOperation is a ValueError (ArithmeticError)
    if not litres.is_finite() or not 0 <= litres <= 10000 or not 1 <= days <= 1_000_000:
        raise ValueError(raw_litres)
    return litres.quantize(Decimal("0.001")), days


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def hand_rub(request):
    """Monthly hand-rub use per ward (litres and patient days): typed by the office, kept all or nothing."""
    month = _month_param(request, timezone.localdate())
    if request.method == "POST":
        month_form = MonthForm(request.POST)
        if month_form.is_valid():
            month = month_form.cleaned_data["month"].replace(day=1)
    wards = list(
        Department.objects.filter(active=True, kind=DepartmentKind.CLINICAL).order_by("sort_order", "code")
    )
    entries = {u.department_id: u for u in HandRubUse.objects.filter(month=month)}
    values = {
        d.pk: (str(entries[d.pk].litres.normalize()), str(entries[d.pk].patient_days))
        if d.pk in entries
        else ("", "")
        for d in wards
    }
    errors: set[int] = set()
    status = 200
    if request.method == "POST":
        values = {d.pk: (request.POST.get(f"l{d.pk}", ""), request.POST.get(f"p{d.pk}", "")) for d in wards}
        rows = {}
        for d in wards:
            try:
                rows[d.pk] = _hand_rub_row(*values[d.pk])
            except (ValueError, ArithmeticError):
                errors.add(d.pk)
        if errors:
            messages.error(
                request,
                _(
                    "Enter litres from 0 to 10,000 and whole patient days of at least 1 for each ward, or leave both blank."
                ),
            )
        else:
            with refusals(request):
                changed = services.hand_rub_record(month=month, rows=rows, actor=request.user)
                messages.success(request, _("Hand-rub consumption saved: %(n)s changes.") % {"n": changed})
                return redirect(f"{reverse('inspections:hand_rub')}?month={month:%Y-%m}")
        status = 400
    context = {
        "month": month,
        "rows": [
            {"department": d, "litres": values[d.pk][0], "days": values[d.pk][1], "error": d.pk in errors}
            for d in wards
        ],
        "previous": services.previous_month(month),
        "next": services.next_month(month),
        "can_edit": may(request.user, "inspections:hand_rub", method="POST"),
    }
    return render(request, "inspections/hand_rub.html", context, status=status)


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def schedule(request):
    """The month's scheduled rounds — who inspects which department on which day — with done, missed
    and due; supervisors add rounds (one date, weekly, or unannounced dates drawn at random)."""
    month = _month_param(request, timezone.localdate())
    form = ScheduleForm(request.POST or None, month=month, initial={"inspector": request.user.pk})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with refusals(request):
                n = services.schedule_add(
                    entries=form.entries(random.SystemRandom()),
                    inspector=data["inspector"],
                    round_type=data["round_type"],
                    actor=request.user,
                )
                messages.success(request, _("%(n)s rounds scheduled.") % {"n": n})
                return redirect(f"{reverse('inspections:schedule')}?month={month:%Y-%m}")
        status = 400
    today = timezone.localdate()
    entries = selectors.schedule(
        start=month, end=_month_end(month), departments=request.user.scope.departments
    )
    rows = [{"entry": e, "status": e.status(today)} for e in entries]
    context = {
        "month": month,
        "rows": rows,
        "counts": {k: sum(1 for r in rows if r["status"] == k) for k in ("done", "missed", "due")},
        "form": form,
        "today": today,
        "previous": services.previous_month(month),
        "next": services.next_month(month),
        "can_edit": may(request.user, "inspections:schedule", method="POST"),
    }
    return render(request, "inspections/schedule.html", context, status=status)


@role_required(Role.SUPERVISOR)
@require_POST
def schedule_remove(request, pk: int):
    entry = get_object_or_404(ScheduledRound, pk=pk)
    with refusals(request):
        services.schedule_remove(entry=entry, actor=request.user)
        messages.success(request, _("Removed from the schedule."))
    return redirect(f"{reverse('inspections:schedule')}?month={entry.date:%Y-%m}")


@role_required(*OFFICE)
@require_GET
def coverage(request):
    month = _month_param(request, timezone.localdate())
    rows = selectors.coverage(start=month, end=_month_end(month))
    context = {
        "month": month,
        "rows": rows,
        # Window and support units first: they are the ones the seeds say get overlooked.
        "missing": sorted((r for r in rows if not r["covered"]), key=lambda r: not r["highlight"]),
        "summary": selectors.coverage_summary(rows),
        "previous": services.previous_month(month),
        "next": services.next_month(month),
    }
    return render(request, "inspections/coverage.html", context)


# --- figures ---------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def figures(request):
    today = timezone.localdate()
    start, end = today.replace(day=1), today
    try:
        start = parse_date_ymd(request.GET.get("start")) or start
        end = parse_date_ymd(request.GET.get("end")) or end
    except ValueError as error:
        # The month so far, saying why; the input shows again what was typed (date_ymd_input).
        messages.error(request, str(error))
        start, end = today.replace(day=1), today
    if end < start:
        start, end = end, start
    departments = request.user.scope.departments
    args = {"start": start, "end": end, "departments": departments}
    by_department = selectors.rounds_by_department_and_type(**args)
    by_category = selectors.findings_by_category(**args)
    waiting = selectors.window_waiting(**args)
    hand_rub = selectors.hand_rub_use(**args)
    trend = selectors.hand_rub_trend(end=end, departments=departments)
    # The same period a year earlier, as offices compare waiting times (29 February → 28 February).
    a_year = relativedelta(years=1)
    waiting_last_year = selectors.window_waiting(
        start=start - a_year, end=end - a_year, departments=departments
    )
    charts = selectors.chart_audit_summary(**args)
    # Every headline figure beside the same period last year (issue 18 item 5): chart audit, hand hygiene.
    last_args = {"start": start - a_year, "end": end - a_year, "departments": departments}
    charts_last_year = selectors.chart_audit_summary(**last_args)
    hygiene_last_year = selectors.hand_hygiene(**last_args)
    context = {
        "start": start,
        "end": end,
        "by_department": by_department,
        "by_type": selectors.rounds_by_type(**args),
        "RoundType": RoundType,
        "by_category": by_category,
        "waiting": waiting,
        "waiting_last_year": waiting_last_year,
        # no chart audited / no opportunity observed last year is "no data", never 0 %
        "charts_last_year": charts_last_year if charts_last_year["audited"] else None,
        "hygiene_last_year": hygiene_last_year if hygiene_last_year["opportunities"] else None,
        "hand_rub": hand_rub,
        "hand_rub_chart": {
            "labels": [f"{m['month']:%Y-%m}" for m in trend],
            "datasets": [
                {
                    "label": _("ml per patient day"),
                    # Two decimals for display; a month without entries is a gap (None), not 0.
                    "data": [
                        None if m["ml_per_patient_day"] is None else round(float(m["ml_per_patient_day"]), 2)
                        for m in trend
                    ],
                }
            ],
        },
        "show_hand_rub_chart": any(m["ml_per_patient_day"] is not None for m in trend),
        "hygiene": selectors.hand_hygiene(**args),
        "charts": charts,
        "charts_by_department": selectors.chart_audits_by_department(**args),
        "category_chart": {
            "labels": [r["category"] for r in by_category],
            "datasets": [{"label": pgettext("count", "Findings"), "data": [r["n"] for r in by_category]}],
            "counts": True,
        },
        "grade_chart": {
            "labels": [str(label) for label in (_("Grade A"), _("Grade B"), _("Grade C"))],
            "datasets": [{"label": _("Charts"), "data": list(charts["grades"].values())}],
            "counts": True,
        },
    }
    return render(request, "inspections/figures.html", context)


# --- chart audits ----------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def audit_list(request):
    form = AuditFilterForm(request.GET or None, user=request.user)
    qs = form.filter(selectors.audit_list(request.user))
    page, query = _page(request, qs)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "refused": filter_refused(form),
        "record_links": _record_links(request.user, page),
    }
    return partial_or_page(request, "inspections/audit_list.html", "inspections/_audit_table.html", context)


def _record_links(user, audits) -> set[int]:
    """The doctors (roster ids) whose record the reader may open: a name is a link only then, never
    a link to a 404 (the record's own guard: its roles, then the person's department in scope)."""
    if not may(user, "person_record"):
        return set()
    return {a.doctor_id for a in audits if a.doctor_id and user.scope.sees_department(a.doctor.department_id)}


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def sample_list(request):
    form = MonthForm(request.POST or None, initial={"month": services.previous_month(timezone.localdate())})
    if request.method == "POST":
        sample = None
        if form.is_valid():
            month = form.cleaned_data["month"].replace(day=1)
            if month >= timezone.localdate().replace(day=1):
                form.add_error("month", _("Only a past month can be drawn: its discharges must be complete."))
            else:
                try:
                    sample, created = services.chart_sample_draw(month=month, actor=request.user)
                except ActionNotAllowed as exc:
                    form.add_error("month", exc)
            if sample is not None:
                if created:
                    messages.success(
                        request,
                        _("Drawn %(n)s charts of %(population)s discharges in %(month)s.")
                        % {"n": sample.size, "population": sample.population, "month": f"{month:%Y-%m}"},
                    )
                else:
                    messages.info(
                        request,
                        _("The sample of %(month)s was drawn before; nothing was drawn again.")
                        % {"month": f"{month:%Y-%m}"},
                    )
                return redirect("inspections:sample_list")
    samples = ChartSample.objects.select_related("drawn_by").order_by("-month")[:24]
    progress = {
        row["sample_id"]: row
        for row in ChartAudit.objects.filter(sample__in=samples)
        .values("sample_id")
        .annotate(done=Count("id", filter=Q(status=AuditStatus.COMPLETED)))
    }
    rows = [{"sample": s, "done": progress.get(s.pk, {}).get("done", 0)} for s in samples]
    return render(
        request,
        "inspections/sample_list.html",
        {"form": form, "rows": rows, "can_draw": may(request.user, "inspections:sample_list", method="POST")},
        status=400 if form.errors else 200,
    )


def _audit_qs():
    return ChartAudit.objects.select_related(
        "stay", "department", "sample", "auditor", "doctor", "finding", "finding__order"
    ).prefetch_related(
        Prefetch(
            "deductions",
            queryset=Deduction.objects.select_related("criterion").prefetch_related(
                Prefetch("appeals", queryset=Appeal.objects.select_related("raised_by", "decided_by"))
            ),
        )
    )


@role_required(*READERS)
def audit_detail(request, pk: int):
    audit = get_object_or_404(selectors.audits_visible_to(request.user, _audit_qs()), pk=pk)
    user = request.user
    can_audit = services.AUDITS.allowed(audit, user, AuditAction.AUDIT)
    criteria = list(active_criteria()) if can_audit else []
    form = AuditForm(request.POST or None, criteria=criteria) if can_audit else None
    status = 200
    if request.method == "POST":
        if not user.has_role(Role.SUPERVISOR):
            raise PermissionDenied
        if not can_audit:
            messages.info(request, _("This chart has already been audited."))
            return redirect(audit)
        if form.is_valid():
            with refusals(request):
                services.audit_complete(
                    audit=audit, actor=user, defects=form.defects(), comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Chart audit saved."))
            return redirect(audit)
        status = 400
    deductions = list(audit.deductions.all())
    for d in deductions:
        d.audit = audit  # the guards read the deduction's audit: the one already loaded
    context = {
        "audit": audit,
        "form": form,
        "deductions": deductions,
        # The appeal buttons, from the appeals' machine (services.APPEALS): which deductions this
        # user may appeal, and which pending appeals they may decide.
        "appealable": {
            d.pk
            for d in deductions
            if services.APPEALS.allowed(services.appeal_draft(d), user, AppealAction.RAISE)
        },
        "decidable": {
            ap.pk
            for d in deductions
            for ap in d.appeals.all()
            if services.APPEALS.allowed(ap, user, AppealAction.DECIDE)
        },
        "appeal_form": AppealForm(prefix="appeal"),
        "decision_form": AppealDecisionForm(prefix="decide"),
        "history": list(_history(audit)),
        "config": InspectionSettings.get(),
        "AppealStatus": AppealStatus,
        "record_links": _record_links(user, [audit]),
    }
    return render(request, "inspections/audit_detail.html", context, status=status)


@role_required(Role.DEPT_HEAD)
@require_POST
def appeal_raise(request, pk: int):
    deduction = get_scoped_or_404(
        Deduction.objects.select_related("audit"), request.user, department_field="audit__department", pk=pk
    )
    form = AppealForm(request.POST, prefix="appeal")
    if not form.is_valid():
        messages.error(request, _("Give the reason for the appeal."))
        return redirect(deduction.audit)
    with refusals(request):
        services.appeal_raise(deduction=deduction, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Appeal sent to the supervision office."))
    return redirect(deduction.audit)


@role_required(Role.SUPERVISOR)
@require_POST
def appeal_decide(request, pk: int, decision: str):
    if decision not in ("uphold", "reject"):
        raise Http404
    appeal = get_scoped_or_404(Appeal.objects.select_related("deduction__audit"), request.user, pk=pk)
    form = AppealDecisionForm(request.POST, prefix="decide")
    form.is_valid()
    with refusals(request):
        services.appeal_decide(
            appeal=appeal,
            actor=request.user,
            uphold=decision == "uphold",
            comment=form.cleaned_data.get("comment", ""),
        )
        messages.success(request, _("Appeal decided."))
    return redirect(appeal.deduction.audit)


@role_required(*READERS)
@require_GET
def appeal_list(request):
    # ?answered=1: the appeals of the head's departments decided in the last days ("needs me now").
    answered = request.GET.get("answered") == "1"
    appeals = (
        selectors.answered_appeals(request.user) if answered else selectors.pending_appeals(request.user)
    )
    page, query = _page(request, appeals)
    return render(
        request, "inspections/appeal_list.html", {"page": page, "query": query, "answered": answered}
    )


# --- the checklist editor ----------------------------------------------------------------------


def _versions(code: str):
    return list(
        ChecklistTemplate.objects.filter(code=code).annotate(n_items=Count("items")).order_by("-version")
    )


@role_required(*OFFICE)
@require_GET
def template_list(request):
    """Every checklist (its latest versions first), with the published one marked."""
    templates = list(
        ChecklistTemplate.objects.annotate(
            n_items=Count("items", distinct=True), n_rounds=Count("rounds", distinct=True)
        ).order_by("area", "code", "-version")
    )
    codes: dict[str, list] = {}
    for template in templates:
        codes.setdefault(template.code, []).append(template)
    return render(request, "inspections/template_list.html", {"checklists": list(codes.values())})


@role_required(*OFFICE)
def template_create(request):
    form = ChecklistCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Checklist created as a draft: add its items."))
            return redirect("inspections:template_detail", pk=template.pk)
    status = 400 if form.errors else 200
    return render(request, "inspections/template_form.html", {"form": form}, status=status)


@role_required(*OFFICE)
def template_detail(request, pk: int):
    """A version of a checklist: its items, and for a draft no round has used, the editor."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    editable = template.status == TemplateStatus.DRAFT and not template.is_used
    items = ChecklistItem.objects.filter(template=template).select_related("category")
    formset = None
    if editable:
        formset = ChecklistItemFormSet(
            request.POST if request.method == "POST" else None, queryset=items, prefix="item"
        )
        if request.method == "POST" and formset.is_valid():
            with refusals(request) as outcome:
                save, delete = [], []
                for form in formset.forms:
                    if not form.cleaned_data or (not form.instance.pk and not form.cleaned_data.get("text")):
                        continue  # an empty extra row
                    if form.cleaned_data.get("DELETE"):
                        if form.instance.pk:
                            delete.append(form.instance)
                        continue
                    item = form.save(commit=False)
                    item.template = template
                    save.append(item)
                services.checklist_items_change(template=template, save=save, delete=delete)
                messages.success(request, _("Checklist saved."))
            if not outcome.refused:
                return redirect("inspections:template_detail", pk=template.pk)
    elif request.method == "POST":
        messages.error(
            request,
            _("This checklist version is in use and cannot be changed; create a new version instead."),
        )
        return redirect("inspections:template_detail", pk=template.pk)
    context = {
        "template": template,
        "items": list(items),
        "formset": formset,
        "editable": editable,
        "actions": [a.name for a in allowed_actions(template, request.user)],
        "versions": _versions(template.code),
        "history": list(_history(template)),
    }
    status = 400 if formset is not None and request.method == "POST" else 200
    return render(request, "inspections/template_detail.html", context, status=status)


TEMPLATE_ACTIONS = {
    "publish": services.template_publish,
    "retire": services.template_retire,
    "new_version": services.template_new_version,
}


@role_required(*OFFICE)
@require_POST
def template_action(request, pk: int, action: str):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    service = TEMPLATE_ACTIONS.get(action)
    if service is None:
        raise Http404
    with refusals(request) as outcome:
        result = service(template=template, actor=request.user)
        messages.success(
            request,
            {
                "publish": _("Version %(v)s published: new rounds use it."),
                "retire": _("Version %(v)s retired: it is no longer offered for new rounds."),
                "new_version": _("Version %(v)s created as a draft: edit it, then publish it."),
            }[action]
            % {"v": result.version},
        )
    if outcome.refused:
        return redirect("inspections:template_detail", pk=template.pk)
    return redirect("inspections:template_detail", pk=result.pk)


@role_required(*OFFICE)
@require_GET
def template_preview(request, pk: int):
    """The checklist as an inspector's tablet shows it, in a tablet-sized frame."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    return render(request, "inspections/template_preview.html", {"template": template})


@role_required(*OFFICE)
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def template_preview_frame(request, pk: int):
    """The page inside the preview frame: the items as the round page draws them, nothing saved."""
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    items = list(ChecklistItem.objects.filter(template=template).select_related("category"))
    config = InspectionSettings.get()
    answers = [Answer(item=item) for item in services.items_in_round_order(items)]
    for answer in answers:
        answer.shown_target = services.shown_target(answer.item, config)
    context = {"template": template, "answers": answers, "Kind": ItemKind, "preview": True}
    return render(request, "inspections/template_preview_frame.html", context)
