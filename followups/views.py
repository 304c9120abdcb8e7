"""Views of the follow-up app. Thin: role → scope → form → service → redirect; changes are POST only."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from supervision import rates
from supervision.access import id_param, role_required, scope_of
from supervision.errors import ActionNotAllowed
from supervision.forms import ImportForm
from supervision.infra.figcache import CachedCountPaginator
from supervision.infra.filtersets import filter_refused
from supervision.infra.fragments import cached_fragment, cached_rows, url_maker
from supervision.infra.imports import template_workbook
from supervision.infra.responses import partial_or_page, refusals
from supervision.infra.statements import StatementPaginator, page_bounds
from supervision.infra.tasking import enqueue_on_commit
from supervision.infra.wording import join_list
from supervision.models import DischargeStay, ImportRun, Role
from supervision.privacy import mask_phone
from supervision.templatetags.ducha import choice_label

from . import importing, plans, selectors, services, texts
from .forms import (
    CallForm,
    FeedbackFilterForm,
    LetterForm,
    MyTasksQueueForm,
    PeriodForm,
    PlanForm,
    PointForm,
    PointFormSet,
    PolicyForm,
    QueueBuildForm,
    RosterForm,
    SpotCheckDrawForm,
    SpotCheckResultForm,
    StarWardsForm,
    StayFilterForm,
    TaskFilterForm,
)
from .letters import letters_pdf
from .models import (
    OPEN_TASK_STATUSES,
    CallAttempt,
    DutyRoster,
    FollowupPlan,
    FollowupPolicy,
    FollowupTask,
    ImportJob,
    ImportJobStatus,
    Outcome,
    QueueDraw,
    RetryAdjustment,
    Satisfaction,
    SpotCheck,
    SpotCheckDraw,
    SpotCheckResult,
    StarWard,
    TaskAction,
    TaskMode,
    TaskStatus,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CALLERS = (Role.FOLLOWUP, Role.SUPERVISOR)
READERS = (Role.FOLLOWUP, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)
FIGURE_READERS = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
ASYNC_IMPORT_BYTES = 512 * 1024  # larger files are imported by Celery with a progress page


def _task_queryset(user):
    """Tasks the user may open: office all; heads their departments; callers theirs and the open pool."""
    qs = FollowupTask.objects.select_related("stay", "department", "assigned_to", "claimed_by")
    return scope_of(user).filter(
        qs,
        owner_field=lambda user_id: (
            Q(assigned_to=user_id) | Q(assigned_to__isnull=True, status=TaskStatus.PENDING)
        ),
        owner_roles=(Role.FOLLOWUP,),
    )


def _get_task(request, pk: int) -> FollowupTask:
    return get_object_or_404(_task_queryset(request.user), pk=pk)


def _may_see_phone(user) -> bool:
    """Department heads and administrators see outcomes and feedback, never phone numbers."""
    return user.has_role(*CALLERS)


# --- caller's lists --------------------------------------------------------------------------


@role_required(*CALLERS)
@require_GET
def my_tasks(request):
    today = timezone.localdate()
    # A page at a time (call-backs due first, so the next call is always at the top of page 1);
    # the count runs on the caller's own index (fu_task_mine), so it stays cheap on a busy day.
    # ?show=callbacks / closing: one "needs me now" queue of the caller (supervision.queues).
    form = MyTasksQueueForm(request.GET if "show" in request.GET else None)
    refused = filter_refused(form)
    show = form.cleaned_data["show"] if form.is_bound and not refused else ""
    tasks = selectors.my_tasks_shown(request.user, show, today=today)
    # The count, the page's rows and the pool's rows are read through statements the ORM builds once
    # per caller, queue, day and page (followups.selectors.my_tasks_count …): the same SQL, sent as it is.
    paginator = StatementPaginator(
        tasks,
        settings.DUCHA_PAGE_SIZE,
        count=lambda: 0 if refused else selectors.my_tasks_count(request.user, show, today=today),
    )
    page = paginator.get_page(request.GET.get("page"))
    # The oldest ten of the pool: enough to claim the next call from; claiming brings up the next.
    # Only what the pool's rows show, as plain values (ten tasks with their stays and departments as
    # model instances, each claim link reversed on its own, cost a millisecond a view). The list is
    # drawn once per content (cached_fragment) without its claim forms' CSRF token: the page fills in
    # its own ({% with_csrf %}), so the block holds nothing of the viewer's.
    claim_url = url_maker("followups:task_claim")
    pool = [
        {**values, "claim_url": claim_url(values["id"])}
        for values in selectors.pool_rows(today=today, fields=POOL_ROW_FIELDS, size=10)
    ]
    pool_html = cached_fragment("followups/_pool.html", {"pool": pool})
    url = url_maker("followups:task_detail")
    values = (
        []
        if refused
        else selectors.my_task_rows(
            request.user, show, today=today, fields=MY_TASK_ROW_FIELDS, **page_bounds(page)
        )
    )
    rows = cached_rows("followups/_my_task_row.html", (_my_task_row(v, url, request.user) for v in values))
    return render(
        request,
        "followups/my_tasks.html",
        {
            "page": page,
            "mine": page.object_list,
            "rows": rows,
            "pool": pool,
            "pool_html": pool_html,
            "today": today,
            "show": show,
            "form": form,
            "refused": refused,
        },
    )


POOL_ROW_FIELDS = (
    "id",
    "stay__patient_name",
    "stay__admission_no",
    "stay__discharged_on",
    "department__name",
)
# The columns the rows of the callers' lists show, read as plain values: a page of tasks as model
# instances with their stays (two dozen columns each) cost more than the rest of the page
# (docs/performance.md, "List pages").
MY_TASK_ROW_FIELDS = (
    *("id", "status", "mode", "next_attempt_at", "attempt_count", "max_attempts", "department__name"),
    *("stay__patient_name", "stay__phone", "stay__admission_no", "stay__discharged_on"),
    *("claimed_by_id", "claimed_by__full_name", "claimed_by__username"),
)
TASK_ROW_FIELDS = (
    *("id", "status", "mode", "next_attempt_at", "attempt_count", "max_attempts", "disposition"),
    *("contacted", "department__name"),
    *("stay__admission_no", "stay__patient_name", "stay__discharged_on", "stay__phone"),
)


def _my_task_row(values, url, user) -> dict:
    """What one of "my calls today" shows (``MY_TASK_ROW_FIELDS``), as plain values
    (``supervision.infra.fragments``)."""
    callback = values["status"] == TaskStatus.CALLBACK
    letter = values["mode"] == TaskMode.LETTER
    claimed_by = values["claimed_by_id"]
    return {
        "url": url(values["id"]),
        "patient": values["stay__patient_name"],
        "department": values["department__name"],
        "callback": callback,
        "next_attempt_at": values["next_attempt_at"] if callback else None,
        "letter": letter,
        "phone": "" if callback or letter else mask_phone(values["stay__phone"]),
        "admission_no": values["stay__admission_no"],
        "discharged_on": values["stay__discharged_on"],
        "attempts": values["attempt_count"],
        "max_attempts": values["max_attempts"],
        # str(claimed_by): User.__str__, from the values
        "claimed_by_other": (values["claimed_by__full_name"] or values["claimed_by__username"])
        if claimed_by and claimed_by != user.pk
        else None,
    }


@role_required(*READERS)
@require_GET
def task_list(request):
    # The rows are read as values (TASK_ROW_FIELDS): the call screen's joins are not needed.
    qs = _task_queryset(request.user).select_related(None)
    qs = qs.order_by("-due_on", "-id")
    # (pk, name) pairs for the select (``{% options %}``): no department instances.
    departments = [
        (str(pk), name)
        for pk, name in selectors.department_choices_for(request.user).values_list("pk", "name")
    ]
    form = TaskFilterForm(request.GET or None, statuses=TaskStatus.choices, departments=departments)
    # A status or department that is not one lists no task, never every task as if it were
    # filtered (supervision.infra.filtersets); the selects say which and why.
    refused = filter_refused(form)
    filters = {}
    if refused:
        qs = qs.none()
    elif form.is_bound:
        if status := form.cleaned_data["status"]:
            filters["status"] = status
        if department := form.cleaned_data["department"]:
            filters["department_id"] = int(department)
        qs = qs.filter(**filters)
    # The rows are live; the total (COUNT over every task, ~250,000 in a large hospital) is a
    # figure cached briefly per scope and filter (supervision.infra.figcache); a refused filter
    # counts nothing (no query).
    paginator = (
        Paginator(qs, settings.DUCHA_PAGE_SIZE)
        if refused
        else CachedCountPaginator(
            qs,
            settings.DUCHA_PAGE_SIZE,
            name="followups.task_count",
            user=request.user,
            vary=sorted(filters.items()),
        )
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    show_phone = _may_see_phone(request.user)
    url = url_maker("followups:task_detail")
    context = {
        "page": page,
        "rows": cached_rows(
            "followups/_task_row.html",
            (_task_row(v, url, show_phone) for v in page.object_list.values(*TASK_ROW_FIELDS)),
            draw=_draw_task_row,
        ),
        "query": query.urlencode(),
        "statuses": TaskStatus.choices,
        "status": request.GET.get("status", ""),
        "departments": departments,
        "department": request.GET.get("department", ""),
        "show_phone": show_phone,
        "form": form,
        "refused": refused,
    }
    return partial_or_page(request, "followups/task_list.html", "followups/_task_table.html", context)


def _task_row(values, url, show_phone: bool) -> dict:
    """What one row of the call list shows (``TASK_ROW_FIELDS``), as plain values
    (``supervision.infra.fragments``).

    Only the masked phone number goes into the row (and so into the cache), and only for roles that
    may see it.
    """
    letter = values["mode"] == TaskMode.LETTER
    is_open = values["status"] in OPEN_TASK_STATUSES  # FollowupTask.is_open
    return {
        "pk": values["id"],
        "url": url(values["id"]),
        "admission_no": values["stay__admission_no"],
        "patient": values["stay__patient_name"],
        "department": values["department__name"],
        "discharged_on": values["stay__discharged_on"],
        "show_phone": show_phone,
        "letter": letter,
        "phone": mask_phone(values["stay__phone"]) if show_phone and not letter else "",
        # The status and the disposition as stored: labelled when the row is drawn (``_draw_task_row``).
        "status": values["status"],
        "next_attempt_at": values["next_attempt_at"] if is_open else None,
        "attempts": values["attempt_count"],
        "max_attempts": values["max_attempts"],
        # A disposition is final: an open task (a call-back scheduled) shows none yet.
        "disposition": values["disposition"] if values["disposition"] and not is_open else "",
        "contacted": bool(values["contacted"]),
    }


def _draw_task_row(row) -> dict:
    """A call list row as its template shows it, the status and the disposition labelled — only for
    the rows not in the row cache (``cached_rows(draw=…)``), as the finding list's rows are."""
    disposition = row["disposition"]
    return {
        **row,
        "status": str(choice_label(FollowupTask, "status", row["status"])),
        "disposition": str(choice_label(FollowupTask, "disposition", disposition)) if disposition else "",
    }


# --- the call screen -------------------------------------------------------------------------


def _questionnaire(task):
    """The task's questionnaire (current published version) from the survey engine, if installed."""
    if not task.questionnaire_code:
        return None
    try:
        from surveys.selectors import questionnaire_current
    except ImportError:
        return None
    return questionnaire_current(task.questionnaire_code)


def _questionnaire_form(questionnaire, task, data=None, *, partial=False):
    """The questionnaire on the call screen; an interview that ended early may leave questions open."""
    if questionnaire is None:
        return None
    from surveys.forms import QuestionnaireForm

    return QuestionnaireForm(
        data,
        questionnaire=questionnaire,
        prefix="q",
        department=task.department,
        enforce_required=not partial,
        # The questionnaire counts only when "the patient answered" is ticked, so the server checks its
        # required questions then; the browser's own check would block saving "no answer" or "declined".
        use_required_attribute=False,
    )


def _common_questions(survey_form) -> dict:
    """The questionnaire's questions the call form would otherwise ask again (satisfaction, praise,
    comments): asked in the questionnaire only (issue 19 item 2)."""
    if survey_form is None:
        return {}
    from surveys.selectors import questionnaire_common_questions

    return questionnaire_common_questions(survey_form.questions)


def _call_answers(common: dict, survey_form, data: dict) -> dict:
    """The call's satisfaction, praise and comments: from the questionnaire where it asks them (its
    answers read even when the patient did not answer the rest), else from the call form."""
    out = {
        "satisfaction": data.get("satisfaction") or "",
        "praise": data.get("praise") or "",
        "praised_staff": list(data.get("praised_staff") or []),
        "feedback": data.get("feedback") or "",
    }
    if not common:
        return out
    from surveys.selectors import scale_satisfied

    cleaned, answers = survey_form.cleaned_data, survey_form.answers()
    if "satisfaction" in common:
        satisfied = scale_satisfied(cleaned.get(common["satisfaction"].field_name))
        out["satisfaction"] = (
            "" if satisfied is None else Satisfaction.SATISFIED if satisfied else Satisfaction.DISSATISFIED
        )
    if "praise" in common:
        name = common["praise"].field_name
        out["praised_staff"] = list(cleaned.get(f"{name}_staff") or [])
        out["praise"] = join_list((answers.get(name) or {}).get("names", []))
    if "comments" in common:
        out["feedback"] = cleaned.get(common["comments"].field_name) or ""
    return out


@role_required(*READERS)
def task_detail(request, pk: int, *, call_form=None, survey_form=None, survey_taken=False, status=200):
    task = _get_task(request, pk)
    user = request.user
    now = timezone.now()
    holding = task.held_by(user, now)
    # The buttons and forms of the call screen: exactly the steps the task's machine would accept.
    allowed = {a.name for a in services.TASKS.allowed_actions(task, user, {"now": now})}
    questionnaire = _questionnaire(task) if TaskAction.CALL in allowed else None
    survey_form = survey_form or _questionnaire_form(questionnaire, task)
    common = _common_questions(survey_form)
    satisfaction_question = common.get("satisfaction")
    context = {
        "task": task,
        "stay": task.stay,
        "holding": holding,
        "allowed": allowed,
        "show_phone": _may_see_phone(user),
        "claimed_by_other": task.claim_active(now) and not holding,
        "attempts": task.attempts.select_related("caller", "finding", "dissatisfied_domain").prefetch_related(
            "praised_staff", "guidance_kinds", "dissatisfied_topics"
        ),
        "transitions": task.transitions.select_related("actor")[:50],
        "call_form": call_form
        or CallForm(
            department=task.department,
            complaints_enabled=services.complaints_available(),
            asked=common,
        ),
        "letter_form": LetterForm(),
        "questionnaire": questionnaire,
        "survey_form": survey_form,
        "survey_taken": survey_taken,
        # The questionnaire's satisfaction question (its field name) opens "not satisfied with what".
        "satisfaction_field": f"q-{satisfaction_question.field_name}" if satisfaction_question else "",
        "Outcome": Outcome,
        "letter": task.mode == TaskMode.LETTER,
        "now": now,
        "next_attempt": _next_attempt_words(task),
        # Which time point this is and what happened at the others (issue 19 follow-up item 2).
        "points": selectors.stay_time_points(task),
    }
    return render(request, "followups/task_detail.html", context, status=status)


@role_required(*CALLERS)
@require_POST
def task_claim(request, pk: int):
    task = _get_task(request, pk)
    with refusals(request):
        services.task_claim(task=task, actor=request.user)
    return redirect(task)


@role_required(*CALLERS)
@require_POST
def task_release(request, pk: int):
    task = _get_task(request, pk)
    with refusals(request):
        services.task_release(task=task, actor=request.user)
    return redirect("followups:my_tasks")


@role_required(*CALLERS)
@require_POST
def task_reveal(request, pk: int):
    task = _get_task(request, pk)
    try:
        numbers = services.task_reveal_phone(task=task, actor=request.user, request=request)
    except ActionNotAllowed as exc:
        return HttpResponse(" ".join(exc.messages), status=403)
    return render(request, "followups/_phone_revealed.html", {"numbers": numbers, "task": task})


@role_required(*CALLERS)
@require_POST
def task_call(request, pk: int):
    task = _get_task(request, pk)
    questionnaire = _questionnaire(task)
    survey_taken = request.POST.get("survey_taken") == "1"
    partial = request.POST.get("ended_early") in ("on", "true", "1")
    reached = request.POST.get("outcome") == Outcome.REACHED
    # Bound whenever the call reached the patient: the questions the call no longer asks itself
    # (satisfaction, praise, comments) are read from it even when the rest was not answered.
    survey_form = _questionnaire_form(
        questionnaire, task, request.POST if reached else None, partial=partial or not survey_taken
    )
    common = _common_questions(survey_form)
    form = CallForm(
        request.POST,
        department=task.department,
        complaints_enabled=services.complaints_available(),
        asked=common,
    )

    def again():
        return task_detail(
            request, pk, call_form=form, survey_form=survey_form, survey_taken=survey_taken, status=400
        )

    if not form.is_valid():
        return again()
    data = form.cleaned_data
    answers = None
    shared = _call_answers({}, None, data)
    if reached and survey_form is not None:
        if not survey_form.is_valid():
            return again()
        shared = _call_answers(common, survey_form, data)
        if survey_taken:
            answers = survey_form.answers()
    if not form.check_answers(satisfaction=shared["satisfaction"], feedback=shared["feedback"]):
        return again()
    call = services.CallInput(
        outcome=data["outcome"],
        notes=data["notes"],
        ended_early=data["ended_early"],
        guidance_kinds=list(data["guidance_kinds"]),
        return_visit_on=data["return_visit_on"],
        satisfaction=shared["satisfaction"],
        dissatisfied_domain=data["dissatisfied_domain"],
        dissatisfied_topics=list(data["dissatisfied_topics"]),
        praise=shared["praise"],
        praised_staff=shared["praised_staff"],
        feedback_kind=data["feedback_kind"] or "",
        feedback=shared["feedback"],
        finding_category=data["finding_category"],
        callback_at=data["callback_at"],
        opted_out=data["opted_out"],
        answers=answers,
        questionnaire=questionnaire if answers is not None else None,
    )
    try:
        with refusals(request) as outcome:
            attempt = services.call_record(task=task, actor=request.user, data=call)
    except ValidationError as exc:  # the questionnaire's answers, checked by the survey engine
        if survey_form is not None and hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                field = name if name in survey_form.fields else None
                for error in errors:
                    survey_form.add_error(field, error)
        else:
            form.add_error(None, exc)
        return again()
    if outcome.refused:
        return redirect(task)
    messages.success(request, _("Recorded: %(outcome)s.") % {"outcome": attempt.get_outcome_display()})
    retry = _next_attempt_words(attempt.task)
    if retry:  # the task leaves today's list: say when it comes back (issue 17 item 4)
        messages.info(request, retry)
    return redirect("followups:my_tasks")


def _next_attempt_words(task) -> str:
    """When an open task will be tried next, and what was done to keep it in the window."""
    if task.status != TaskStatus.CALLBACK or task.next_attempt_at is None:
        return ""
    words = {
        "at": date_format(timezone.localtime(task.next_attempt_at), "DATETIME_FORMAT"),
        "end": date_format(task.expires_on, "DATE_FORMAT"),
    }
    if task.retry_adjustment == RetryAdjustment.HOURS:
        policy = services.policy_for(task.department)
        hours = {
            "from": time_format(policy.calling_from, "H:i"),
            "until": time_format(policy.calling_until, "H:i"),
        }
        words["hours"] = (
            _("%(from)s–%(until)s on working days")
            if policy.calling_working_days_only
            else _("%(from)s–%(until)s")
        ) % hours
        return _("Next attempt %(at)s: moved into the office's calling hours (%(hours)s).") % words
    if task.retry_adjustment == RetryAdjustment.NO_TIME_LEFT:
        return (
            _(
                "Next attempt: now, if you can. No calling time is left in the window (last day %(end)s); unreached, the task closes with its window."
            )
            % words
        )
    if task.retry_adjustment == RetryAdjustment.MOVED:
        return (
            _(
                "Next attempt %(at)s: moved to the window's last day (%(end)s), the usual spacing would fall after it."
            )
            % words
        )
    if task.retry_adjustment == RetryAdjustment.EXTENDED:
        return (
            _("Next attempt %(at)s: the window was extended to %(end)s to fit it (the department's policy).")
            % words
        )
    return _("Next attempt %(at)s.") % words


@role_required(*CALLERS)
@require_POST
def task_letter(request, pk: int):
    task = _get_task(request, pk)
    form = LetterForm(request.POST)
    form.is_valid()
    with refusals(request):
        services.call_record(
            task=task,
            actor=request.user,
            data=services.CallInput(outcome=Outcome.LETTER_DONE, notes=form.cleaned_data.get("notes", "")),
        )
        messages.success(request, _("Letter follow-up recorded."))
        return redirect("followups:my_tasks")
    return redirect(task)


# --- figures ---------------------------------------------------------------------------------


@role_required(*FIGURE_READERS)
@require_GET
def figures(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound or not form.errors:
        # The inputs show the period the figures are for, defaults and corrections included.
        form = PeriodForm(initial={"start": start, "end": end})
    departments = request.user.scope.departments
    kwargs = {"start": start, "end": end, "departments": departments}
    table = selectors.followup_month_department_table(**kwargs)
    chart = {
        "labels": [f"{m:%Y-%m}" for m in table["months"]],
        "datasets": [
            {"label": _("Follow-up rate (%)"), "data": rates.shown(t["rate"] for t in table["totals"])}
        ],
        "suggestedMax": 100,
    }
    # The same period last year (issue 18 item 5): no stay discharged then is "no data", never 0 %.
    a_year = relativedelta(years=1)
    last = selectors.followup_summary(start=start - a_year, end=end - a_year, departments=departments)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "last_year": last if last["discharged"] else None,
        "table": table,
        "chart": chart,
        "outcomes": selectors.outcome_breakdown(**kwargs),
        "contact": selectors.contact_success(**kwargs),
        "satisfaction": selectors.call_satisfaction(**kwargs),
        "praise": selectors.praise_counts(**kwargs),
        "praise_summary": selectors.praise_summary(**kwargs),
        "unhappy_domains": selectors.dissatisfaction_by_domain(**kwargs),
        "unhappy_ranking": selectors.dissatisfaction_ranking(**kwargs),
        "guidance": selectors.guidance_counts(**kwargs),
        "period_query": f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}",
        "spot": selectors.spotcheck_confirmation(**kwargs),
        "attempts": selectors.attempts_per_stay(**kwargs),
        "by_point": selectors.followup_by_point(**kwargs),
        "callers": selectors.calls_per_caller(**kwargs) if request.user.sees_all_departments else [],
    }
    return render(request, "followups/figures.html", context)


@role_required(*FIGURE_READERS)
@require_GET
def feedback_list(request):
    """What patients said on the calls (praise, suggestions, complaints, dissatisfaction), by department."""
    form = FeedbackFilterForm(request.GET or None)
    start, end = form.period()
    qs = (
        CallAttempt.objects.filter(attempted_on__gte=start, attempted_on__lte=end)
        .filter(~Q(praise="") | ~Q(feedback="") | Q(satisfaction="dissatisfied"))
        .select_related("task__stay", "task__department", "finding", "dissatisfied_domain")
        .prefetch_related("praised_staff", "dissatisfied_topics")
        .order_by("-attempted_at", "-id")
    )
    departments = request.user.scope.departments
    if departments is not None:
        qs = qs.filter(task__department_id__in=departments)
    # A refused period or id lists no calls, never another period's (or every department's) as if
    # they were the ones asked for (supervision.infra.filtersets); the inputs show what was typed
    # and why it was refused.
    refused = filter_refused(form)
    if refused:
        qs = qs.none()
    elif form.is_bound:
        # The calls behind a figure (the ranking of what not-satisfied patients were unhappy with).
        for param, lookup in (
            ("department", "task__department_id"),
            ("domain", "dissatisfied_domain_id"),
            ("topic", "dissatisfied_topics"),
        ):
            if (value := form.cleaned_data[param]) is not None:
                qs = qs.filter(**{lookup: value})
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followups/feedback.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "start": start,
            "end": end,
            "refused": refused,
        },
    )


@role_required(*OFFICE)
@require_GET
def stay_list(request):
    """Discharged stays with their follow-up state; supervisors add a stay by hand (selective policies)."""
    qs = (
        DischargeStay.objects.select_related("department")
        .prefetch_related(Prefetch("followup_tasks", FollowupTask.objects.order_by("point")))
        .order_by("-discharged_on", "-id")
    )
    departments = [
        (str(pk), name)
        for pk, name in selectors.department_choices_for(request.user).values_list("pk", "name")
    ]
    form = StayFilterForm(request.GET or None, departments=departments)
    # A department that is not one (or an admission number too long) lists no stay, never every
    # stay as if it were filtered (supervision.infra.filtersets).
    refused = filter_refused(form)
    if refused:
        qs = qs.none()
    elif form.is_bound:
        if department := form.cleaned_data["department"]:
            qs = qs.filter(department_id=int(department))
        if number := form.cleaned_data["q"].strip():
            qs = qs.filter(admission_no__icontains=number)
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "departments": departments,
        "department": request.GET.get("department", ""),
        "q": request.GET.get("q", ""),
        "form": form,
        "refused": refused,
    }
    return render(request, "followups/stay_list.html", context)


@role_required(Role.SUPERVISOR)
@require_POST
def stay_add(request, pk: int):
    stay = get_object_or_404(DischargeStay, pk=pk)
    with refusals(request):
        task = services.task_add_manual(stay=stay, actor=request.user)
        messages.success(request, _("Added to the follow-up list."))
        return redirect(task)
    return redirect("followups:stay_list")


# --- imports ---------------------------------------------------------------------------------


@role_required(*OFFICE)
def import_page(request, kind: str):
    spec = importing.IMPORTS.get(kind)
    if spec is None:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > ASYNC_IMPORT_BYTES:
            from .tasks import run_import

            with transaction.atomic():
                job = ImportJob.objects.create(
                    kind=kind, file=upload, file_name=upload.name, actor=request.user
                )
                enqueue_on_commit(run_import, job.pk)
            return redirect("followups:import_job", pk=job.pk)
        report = spec.run(source=upload, file_name=upload.name, actor=request.user)
        if report.ok:
            messages.success(
                request,
                _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"new": report.created, "updated": report.updated, "unchanged": report.unchanged},
            )
            return redirect(request.path)
    runs = ImportRun.objects.filter(kind=spec.kind).select_related("actor")[:10]
    context = {
        "form": form,
        "report": report,
        "kind": kind,
        "headers": spec.headers(),
        "required": spec.required_headers(),
        "runs": runs,
    }
    return render(request, "followups/import.html", context, status=400 if report and not report.ok else 200)


@role_required(*OFFICE)
@require_GET
def import_template(request, kind: str):
    spec = importing.IMPORTS.get(kind)
    if spec is None:
        raise Http404
    response = HttpResponse(template_workbook(spec.headers(), spec.example), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ducha-{kind}-template.xlsx"'
    return response


@role_required(*OFFICE)
@require_GET
def import_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    context = {"job": job, "running": job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)}
    return partial_or_page(request, "followups/import_job.html", "followups/_import_job.html", context)


# --- policies, queue -------------------------------------------------------------------------


@role_required(*OFFICE)
@require_GET
def policy_list(request):
    services.policy_default()
    policies = list(
        FollowupPolicy.objects.select_related("department", "updated_by").order_by(
            "department__sort_order", "department__code"
        )
    )
    titles = _questionnaire_titles()
    for p in policies:
        p.questionnaire_title = titles.get(p.questionnaire_code, p.questionnaire_code)
        p.exclusions = join_list(
            [_("died in hospital")] * p.exclude_died
            + [_("opted out")] * p.exclude_opted_out
            + p.diagnosis_keywords
        )
    draws = QueueDraw.objects.select_related("department").order_by("-built_on", "-id")[:30]
    return render(
        request,
        "followups/policies.html",
        {
            "policies": policies,
            "draws": draws,
            "queue_form": QueueBuildForm(initial={"day": timezone.localdate()}),
        },
    )


def _questionnaire_titles() -> dict[str, str]:
    """Published questionnaires' titles by code, from the survey engine when it is installed."""
    try:
        from surveys.models import Questionnaire, QuestionnaireStatus
    except ImportError:
        return {}
    rows = Questionnaire.objects.filter(status=QuestionnaireStatus.PUBLISHED).order_by("code", "version")
    return dict(rows.values_list("code", "title"))  # the latest version's title wins


@role_required(Role.ADMINISTRATOR)
def policy_edit(request, pk: int | None = None):
    policy = get_object_or_404(FollowupPolicy, pk=pk) if pk else None
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("Policy saved."))
        return redirect("followups:policy_list")
    return render(request, "followups/policy_form.html", {"form": form, "policy": policy})


@role_required(*OFFICE)
@require_POST
def queue_build(request):
    form = QueueBuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid day."))
        return redirect("followups:policy_list")
    result = services.call_queue_build(day=form.cleaned_data["day"])
    messages.success(
        request,
        _("Queue built for %(day)s: %(created)s new tasks, %(assigned)s assigned, %(excluded)s excluded.")
        % {
            "day": result.day,
            "created": result.created,
            "assigned": result.assigned,
            "excluded": result.excluded,
        },
    )
    return redirect("followups:policy_list")


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def roster(request):
    """Who is on duty on a day (the morning queue is shared among them; nobody → the pool)."""
    day = timezone.localdate()
    if request.method == "POST":
        form = RosterForm(request.POST)
        if form.is_valid():
            services.roster_set(day=form.cleaned_data["day"], users=list(form.cleaned_data["users"]))
            messages.success(request, _("Duty roster saved."))
            return redirect(reverse("followups:roster") + f"?day={form.cleaned_data['day']:%Y-%m-%d}")
    else:
        chosen = QueueBuildForm(request.GET or None)
        if chosen.is_valid():
            day = chosen.cleaned_data["day"]
        form = RosterForm(
            initial={
                "day": day,
                "users": list(DutyRoster.objects.filter(day=day).values_list("user_id", flat=True)),
            }
        )
    upcoming = (
        DutyRoster.objects.filter(day__gte=timezone.localdate()).select_related("user").order_by("day")[:60]
    )
    return render(request, "followups/roster.html", {"form": form, "upcoming": upcoming})


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def star_wards(request):
    """星级病房: the wards designated for a year; the office (supervisors) keeps the list, the reports
    count the praise of star wards (issue 18 item 4)."""
    year = timezone.localdate().year
    if request.method == "POST":
        form = StarWardsForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            with refusals(request) as outcome:
                services.star_wards_set(
                    year=year, departments=form.cleaned_data["departments"], actor=request.user
                )
            if not outcome.refused:
                messages.success(request, _("Star wards saved."))
            return redirect(reverse("followups:star_wards") + f"?year={year}")
    else:
        asked = id_param(request.GET.get("year"))
        year = asked if asked and 2000 <= asked <= 2100 else year
        form = StarWardsForm(
            initial={
                "year": year,
                "departments": list(
                    StarWard.objects.filter(year=year).values_list("department_id", flat=True)
                ),
            }
        )
    designated = StarWard.objects.select_related("department", "designated_by").order_by(
        "-year", "department__sort_order"
    )[:200]
    return render(
        request, "followups/star_wards.html", {"form": form, "designated": designated, "year": year}
    )


@role_required(*OFFICE)
@require_GET
def draw_detail(request, pk: int):
    draw = get_object_or_404(QueueDraw.objects.select_related("department"), pk=pk)
    context = {
        "draw": draw,
        "policy_lines": _policy_lines(draw.policy_snapshot or {}),
        "eligible": len(draw.eligible_ids or []),
        "selected": len(draw.selected_ids or []),
    }
    return render(request, "followups/draw_detail.html", context)


_SNAPSHOT_HIDDEN = {"policy_id", "department_id"}


def _policy_lines(snapshot: dict) -> list[tuple[str, str]]:
    """The policy a draw used, as labelled values a supervisor reads (the stored snapshot is JSON)."""
    lines = []
    for key, value in snapshot.items():
        if key in _SNAPSHOT_HIDDEN:
            continue
        if key == "window" and isinstance(value, list) and len(value) == 2:
            lines.append(
                (
                    _("Days after discharge"),
                    _("day %(start)s to day %(end)s") % {"start": value[0], "end": value[1]},
                )
            )
            continue
        try:
            field = FollowupPolicy._meta.get_field(key)
            name = str(field.verbose_name)
        except FieldDoesNotExist:  # a key of an older snapshot: shown as recorded
            name = key
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list):
            shown = join_list(value) or "—"
        else:
            shown = "—" if value in (None, "") else str(value)
        lines.append((capfirst(name), shown))
    return lines


# --- spot-checks -----------------------------------------------------------------------------


@role_required(*OFFICE, post=(Role.SUPERVISOR,))
def spotcheck_list(request):
    today = timezone.localdate()
    form = SpotCheckDrawForm(
        request.POST or None, initial={"start": today.replace(day=1), "end": today, "size": 30}
    )
    if request.method == "POST" and form.is_valid():
        with refusals(request):
            draw = services.spotcheck_draw(
                actor=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                size=form.cleaned_data["size"],
            )
            messages.success(
                request,
                _("%(n)s calls drawn from %(population)s for re-calling.")
                % {"n": len(draw.selected_ids), "population": draw.population},
            )
            return redirect("followups:spotcheck_draw", pk=draw.pk)
    draws = SpotCheckDraw.objects.select_related("drawn_by").order_by("-drawn_at")[:30]
    summary = selectors.spotcheck_confirmation(start=today.replace(month=1, day=1), end=today)
    return render(request, "followups/spotchecks.html", {"form": form, "draws": draws, "summary": summary})


@role_required(*OFFICE)
@require_GET
def spotcheck_draw(request, pk: int):
    draw = get_object_or_404(SpotCheckDraw, pk=pk)
    checks = draw.checks.select_related("task__stay", "department", "caller", "attempt", "checked_by")
    return render(
        request,
        "followups/spotcheck_draw.html",
        {"draw": draw, "checks": checks, "result_form": SpotCheckResultForm(), "Result": SpotCheckResult},
    )


@role_required(Role.SUPERVISOR)
@require_POST
def spotcheck_record(request, pk: int):
    check = get_object_or_404(SpotCheck, pk=pk)
    form = SpotCheckResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirmed, denied or unreachable."))
    else:
        with refusals(request):
            services.spotcheck_record(
                check=check,
                actor=request.user,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            )
    return redirect(reverse("followups:spotcheck_draw", args=[check.draw_id]) + f"#check-{check.pk}")


@role_required(Role.SUPERVISOR)
@require_POST
def spotcheck_reveal(request, pk: int):
    """The supervisor re-calling a spot-check sees the number; the reveal is logged."""
    from supervision.privacy import contact_reveal

    check = get_object_or_404(SpotCheck.objects.select_related("task__stay"), pk=pk)
    stay = check.task.stay
    numbers = {}
    for field in ("phone", "alt_phone"):
        value = getattr(stay, field)
        if value:
            numbers[field] = contact_reveal(
                user=request.user,
                subject=stay,
                field=field,
                value=value,
                purpose=texts.REVEAL_SPOTCHECK,
                request=request,
            )
    return render(request, "followups/_phone_revealed.html", {"numbers": numbers})


# --- follow-up plans ---------------------------------------------------------------------------


@role_required(*OFFICE)
@require_GET
def plan_list(request):
    """The plans in force (newest version of each) and the versions they replaced."""
    index = plans.plans_index()
    latest: dict = {}
    for plan in index:
        latest[plans.plan_key(plan)] = plan
    current = sorted(
        latest.values(),
        key=lambda p: (
            p.department is not None,
            p.department.sort_order if p.department else 0,
            p.department.code if p.department else "",
            p.icd_prefix,
            p.diagnosis_text,
        ),
    )
    older = [p for p in reversed(index) if latest[plans.plan_key(p)] is not p]
    return render(request, "followups/plans.html", {"plans": current, "older": older[:50]})


@role_required(Role.SUPERVISOR)
def plan_edit(request, pk: int | None = None):
    """A new plan, or a change to one (saved as a new version for stays discharged from today)."""
    plan = get_object_or_404(FollowupPlan.objects.prefetch_related("points"), pk=pk) if pk else None
    initial_points = [
        {f: getattr(p, f) for f in PointForm.Meta.fields} for p in (plan.points.all() if plan else [])
    ]
    if plan is None:
        initial_points = [{"day": 3, "window_days": 4}]
    form = PlanForm(request.POST or None, instance=plan, fixed=plan is not None)
    formset = PointFormSet(request.POST or None, initial=initial_points, prefix="p")
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            points = [
                services.PointInput(**{k: v for k, v in f.cleaned_data.items() if k in PointForm.Meta.fields})
                for f in formset.forms
                if f.has_changed() and f.cleaned_data.get("day") is not None
            ]
            with refusals(request):
                saved = services.plan_save(
                    actor=request.user,
                    replaces=plan,
                    department=data.get("department"),
                    icd_prefix=data.get("icd_prefix") or "",
                    diagnosis_text=data.get("diagnosis_text") or "",
                    name=data["name"],
                    restart_on_readmission=data["restart_on_readmission"],
                    active=data["active"],
                    points=points,
                )
                messages.success(
                    request,
                    _("Plan saved; it applies to stays discharged from %(day)s on.")
                    % {"day": date_format(saved.effective_from, "DATE_FORMAT")},
                )
                return redirect("followups:plan_list")
        status = 400
    return render(
        request, "followups/plan_form.html", {"form": form, "formset": formset, "plan": plan}, status=status
    )


# --- letters and web forms ---------------------------------------------------------------------


def _letter_tasks(user):
    """Open letter and web time points the user may work: the office all, a caller theirs and the pool."""
    return (
        _task_queryset(user)
        .filter(mode__in=services.LETTER_MODES, status__in=OPEN_TASK_STATUSES)
        .order_by("due_on", "id")
    )


def _chosen_tasks(request) -> list[FollowupTask]:
    """The tasks ticked on the letters page; one the user may not work is a 404, never skipped."""
    ids = {i for i in (id_param(v) for v in request.POST.getlist("task")) if i is not None}
    tasks = list(_letter_tasks(request.user).filter(pk__in=ids))
    if len(tasks) != len(ids):
        raise Http404
    return tasks


@role_required(*CALLERS)
@require_GET
def letter_list(request):
    """Letters to print: open letter and web time points due by today, those not yet sent first."""
    today = timezone.localdate()
    qs = _letter_tasks(request.user).filter(due_on__lte=today)
    if request.GET.get("sent") != "1":
        qs = qs.filter(letter_sent_on__isnull=True)
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/letters.html",
        {
            "page": page,
            "show_sent": request.GET.get("sent") == "1",
            "query": "sent=1" if request.GET.get("sent") == "1" else "",
        },
    )


@role_required(*CALLERS)
@require_POST
def letter_print(request):
    """The PDF of the ticked letters, one per page; a web time point gets a new personal link."""
    tasks = _chosen_tasks(request)
    if not tasks:
        messages.error(request, _("Tick the letters to print."))
        return redirect("followups:letter_list")
    letters = []
    with transaction.atomic():
        for task in tasks:
            letter = {"task": task}
            if task.mode == TaskMode.WEB:
                token = services.web_link_issue(task=task, actor=request.user)
                letter["link"] = request.build_absolute_uri(reverse("followups:web_form", args=[token]))
                letter["expires_at"] = task.expires_on
            letters.append(letter)
    response = HttpResponse(letters_pdf(letters), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="followup-letters-{timezone.localdate():%Y%m%d}.pdf"'
    )
    return response


@role_required(*CALLERS)
@require_POST
def letter_sent(request):
    tasks = _chosen_tasks(request)
    if not tasks:
        messages.error(request, _("Tick the letters that were posted."))
        return redirect("followups:letter_list")
    with refusals(request):
        n = services.letters_mark_sent(tasks=tasks, actor=request.user)
        messages.success(request, _("%(n)s letters recorded as sent today.") % {"n": n})
    return redirect("followups:letter_list")


def _web_message(request, message: str, status: int) -> HttpResponse:
    return render(request, "followups/web_message.html", {"message": message}, status=status)


def web_rate(group, request) -> str:
    return getattr(settings, "SURVEYS_PUBLIC_RATE", "30/h")


@ratelimit(key="ip", rate=web_rate, method="POST", block=False, group="followups.web")
def web_form(request, token: str):
    """The patient's personal follow-up form (no login): the link of a web time point's letter."""
    with translation.override(settings.LANGUAGE_CODE):
        link = services.web_link_find(token)
        refusal = services.web_link_refusal(link)
        if refusal:
            return _web_message(request, refusal, 404 if link is None else 410)
        questionnaire = _questionnaire(link.task)
        if questionnaire is None:
            return _web_message(
                request, _("This follow-up form is not available; we will call you instead."), 410
            )
        from surveys.forms import PublicQuestionnaireForm

        kwargs = {"questionnaire": questionnaire, "department": link.task.department}
        form = PublicQuestionnaireForm(request.POST if request.method == "POST" else None, **kwargs)
        status = 200
        if request.method == "POST":
            status = 400
            if getattr(request, "limited", False):
                form.is_valid()
                form.add_error(None, _("Too many forms were sent from this network. Please try again later."))
                status = 429
            elif form.is_valid():
                try:
                    services.web_form_submit(token=token, answers=form.answers(), questionnaire=questionnaire)
                except ActionNotAllowed as e:
                    return _web_message(request, str(e), 410)
                except ValidationError as e:
                    form.add_service_errors(e)
                else:
                    return _web_message(request, _("Thank you! Your answers were received."), 200)
        return render(
            request,
            "followups/web_form.html",
            {"form": form, "questionnaire": questionnaire, "department": link.task.department},
            status=status,
        )
