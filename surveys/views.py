"""Views of the surveys app. Thin: role → scope → form/service → redirect; state changes POST only."""

from __future__ import annotations

import datetime as dt
import re
from functools import wraps

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from supervision import rates
from supervision.access import get_scoped_or_404, id_param, may, role_required, scope
from supervision.errors import ActionNotAllowed
from supervision.forms import parse_date_ymd
from supervision.infra.figcache import cached_figures, rendered_once
from supervision.infra.responses import partial_or_page, refusal_message, refusals
from supervision.models import Category, Department, Role, Staff
from supervision.workflow import allowed_actions

from . import exports, posters, selectors, services
from .filters import ResponseFilter
from .forms import (
    CampaignForm,
    DistributionForm,
    FindingFromResponseForm,
    PaperHeaderForm,
    PraiseMatchForm,
    PublicQuestionnaireForm,
    QuestionForm,
    QuestionnaireForm,
    QuestionnaireMetaForm,
    SectionForm,
    TokenIssueForm,
)
from .models import (
    Campaign,
    CampaignStatus,
    Channel,
    Praise,
    Question,
    Questionnaire,
    Section,
    SurveyResponse,
    SurveyToken,
)

RESULT_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
MANAGERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)
ENTRY_ROLES = (Role.SUPERVISOR, Role.FOLLOWUP)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- results -----------------------------------------------------------------------------------


def _date_param(raw: str | None) -> dt.date | None:
    """A date from a query parameter; ValueError for one that is well formed but impossible.

    ``parse_date`` returns None for junk but raises on "2026-02-30" or "2026-13-01".
    """
    return parse_date(raw or "")


def _default_period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


def _period(request) -> tuple[dt.date, dt.date]:
    """The period of the figures, typed year-month-day as every date of a form (2026-12-07,
    2026/12/07); ValueError (worded for the user) on anything that is not a day."""
    default_start, default_end = _default_period()
    start = parse_date_ymd(request.GET.get("start")) or default_start
    end = parse_date_ymd(request.GET.get("end")) or default_end
    if end < start:
        start, end = end, start
    return start, end


def _lenient_date(raw: str | None) -> dt.date | None:
    """A date carried over in a link, or None when it is missing, junk or impossible."""
    try:
        return _date_param(raw)
    except ValueError:
        return None


def _departments_for(request) -> tuple[list[int] | None, Department | None]:
    """Department ids the figures cover: a head only ever gets their own departments."""
    user = request.user
    chosen = None
    if (department_id := id_param(request.GET.get("department"))) is not None:
        chosen = scope(Department.objects.all(), user, department_field="pk").filter(pk=department_id).first()
    if chosen is not None:
        return [chosen.pk], chosen
    return user.scope.departments, None


def _chart(labels, label, values, **extra) -> dict:
    # rates rounded as the page shows them (the tooltips); the figures stay exact elsewhere
    return {"labels": labels, "datasets": [{"label": label, "data": rates.shown(values)}], **extra}


@role_required(*RESULT_ROLES)
def results(request):
    try:
        start, end = _period(request)
    except ValueError as e:
        # The default period, saying why; the period's inputs show again what was typed
        # (date_ymd_input), so that it can be corrected.
        messages.error(request, str(e))
        start, end = _default_period()
    departments, chosen = _departments_for(request)
    # The figures aggregate every answer of the period: cached briefly per scope, period and
    # departments (supervision.infra.figcache); the page says "as of HH:MM".
    figures, as_of = cached_figures(
        "surveys.results",
        lambda: selectors.results(start=start, end=end, departments=departments),
        user=request.user,
        vary=(start, end, departments),
    )
    context = {
        "start": start,
        "end": end,
        "as_of": as_of,
        "chosen": chosen,
        # (pk, name) pairs for the select (``{% options %}``): no department instances.
        "department_choices": scope(
            Department.objects.filter(active=True), request.user, department_field="pk"
        ).values_list("pk", "name"),
        "query": request.GET.urlencode(),
        # Tables and charts rendered once per cached figure set (60 departments' rows), not per request.
        "figures_html": rendered_once(
            "surveys.results",
            lambda: render_to_string(
                "surveys/_results_figures.html", _results_figures_context(figures, start, end)
            ),
            as_of=as_of,
            user=request.user,
            vary=(start, end, departments),
        ),
    }
    return render(request, "surveys/results.html", context)


def _month_chart(by_month: list[dict], start: dt.date, end: dt.date, label: str) -> dict:
    """Satisfaction per month with every month of the period on the axis: a month without a valid
    questionnaire is a gap (null, which Chart.js leaves undrawn), not a line from April to August."""
    found = {r["month"]: r["satisfaction"] for r in by_month}
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month += relativedelta(months=1)
    return {
        "labels": [f"{m:%Y-%m}" for m in months],
        "datasets": [{"label": label, "data": rates.shown(found.get(m) for m in months)}],
        "suggestedMax": 100,
    }


def _results_figures_context(figures: dict, start, end) -> dict:
    sat = _("Satisfaction %")
    return {
        "start": start,
        "end": end,
        **figures,
        "chart_dimension": _chart(
            [r["label"] for r in figures["by_dimension"]],
            sat,
            [r["satisfaction"] for r in figures["by_dimension"]],
            suggestedMax=100,
        ),
        "chart_department": _chart(
            [r["name"] for r in figures["by_department"]],
            sat,
            [r["satisfaction"] for r in figures["by_department"]],
            suggestedMax=100,
        ),
        "chart_month": _month_chart(figures["by_month"], start, end, sat),
    }


@role_required(*RESULT_ROLES)
def results_export(request):
    try:
        start, end = _period(request)
    except ValueError as e:
        # No file for a period that is not one: back to the figures, their inputs as typed.
        messages.error(request, str(e))
        return redirect(f"{reverse('surveys:results')}?{request.GET.urlencode()}")
    departments, _chosen = _departments_for(request)
    figures = selectors.results(start=start, end=end, departments=departments)
    figures["comments"] = selectors.comments(start=start, end=end, departments=departments, limit=None)
    figures["praise_staff"] = selectors.praise_by_staff(
        start=start, end=end, departments=departments, limit=None
    )
    response = HttpResponse(exports.figures_workbook(figures, start=start, end=end), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="survey-figures-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    return response


# --- responses ---------------------------------------------------------------------------------


def _response_filter(request):
    visible = scope(SurveyResponse.objects.all(), request.user)
    departments = scope(Department.objects.all(), request.user, department_field="pk")
    return ResponseFilter(request.GET or None, queryset=visible, departments=departments)


@role_required(*RESULT_ROLES)
def response_list(request):
    f = _response_filter(request)
    qs = f.qs.select_related("department", "questionnaire", "campaign", "finding").order_by(
        "-submitted_on", "-id"
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": f, "page": page, "query": query.urlencode()}
    return partial_or_page(request, "surveys/response_list.html", "surveys/_response_table.html", context)


@role_required(*RESULT_ROLES)
def response_export(request):
    f = _response_filter(request)
    if f.refused:
        # No file rather than every response: back to the list, which shows the field's error and
        # what was typed (supervision.infra.filtersets).
        messages.error(
            request, _("Nothing was exported: the filter has an error. Correct it and export again.")
        )
        return redirect(f"{reverse('surveys:response_list')}?{request.GET.urlencode()}")
    response = HttpResponse(exports.responses_workbook(f.qs), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="survey-responses-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@role_required(*RESULT_ROLES)
def response_detail(request, pk: int):
    response = get_scoped_or_404(
        SurveyResponse.objects.select_related(
            "department", "questionnaire", "campaign", "finding", "submitted_by"
        ),
        request.user,
        pk=pk,
    )
    form = None
    if (
        response.finding_id is None
        and response.needs_attention
        and may(request.user, "surveys:response_finding")
    ):
        code, text = services.response_finding_draft(response)
        form = FindingFromResponseForm(
            initial={"category": Category.objects.filter(code=code).first(), "description": text}
        )
    context = {
        "response": response,
        "answers": response.answers.select_related("question", "question__section"),
        "praises": response.praises.select_related("staff"),
        "finding_form": form,
    }
    return render(request, "surveys/response_detail.html", context)


@role_required(Role.SUPERVISOR)
@require_POST
def response_finding(request, pk: int):
    response = get_scoped_or_404(SurveyResponse.objects.all(), request.user, pk=pk)
    form = FindingFromResponseForm(request.POST)
    if form.is_valid():
        with refusals(request):
            finding = services.response_create_finding(
                response=response,
                actor=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("Finding %(n)s created.") % {"n": finding.number})
    else:
        messages.error(request, _("Please check the finding's category and description."))
    return redirect(response)


# --- questionnaire builder ---------------------------------------------------------------------


@role_required(*MANAGERS)
def questionnaire_list(request):
    questionnaires = Questionnaire.objects.annotate(n_questions=Count("questions", distinct=True)).order_by(
        "code", "-version"
    )
    form = QuestionnaireMetaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = services.questionnaire_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error("code", e.messages)
        else:
            return redirect(q)
    return render(
        request, "surveys/questionnaire_list.html", {"questionnaires": questionnaires, "form": form}
    )


def _meta_form(q: Questionnaire, data=None) -> QuestionnaireMetaForm:
    form = QuestionnaireMetaForm(
        data, initial={"code": q.code, "title": q.title, "description": q.description}
    )
    form.fields["code"].disabled = True
    return form


def _save_meta(q: Questionnaire, form) -> None:
    services.questionnaire_update(
        questionnaire=q, title=form.cleaned_data["title"], description=form.cleaned_data["description"]
    )


def _save_question(q: Questionnaire, form, question: Question | None = None) -> None:
    """A new question (the questionnaire page's form) or a change to ``question`` (its own page)."""
    data = form.cleaned_data
    services.question_save(
        questionnaire=q,
        question=question,
        section=data["section"],
        kind=data["kind"],
        text=data["text"],
        help_text=data["help_text"],
        required=data["required"],
        order=data["order"],
        choices=form.choice_list(),
        max_length=data["max_length"],
    )


# The questionnaire page's forms, by the ``action`` they post: (context name, form, save).
QUESTIONNAIRE_FORMS = {
    "meta": ("meta_form", _meta_form, _save_meta),
    "section": (
        "section_form",
        lambda q, data=None: SectionForm(data, prefix="s"),
        lambda q, form: services.section_save(questionnaire=q, **form.cleaned_data),
    ),
    "question": (
        "question_form",
        lambda q, data=None: QuestionForm(data, questionnaire=q, prefix="n"),
        _save_question,
    ),
}


@role_required(*MANAGERS)
def questionnaire_detail(request, pk: int):
    q = get_object_or_404(Questionnaire, pk=pk)
    forms = {name: make(q) for name, make, _save in QUESTIONNAIRE_FORMS.values()}
    if request.method == "POST" and request.POST.get("action") in QUESTIONNAIRE_FORMS:
        name, make, save = QUESTIONNAIRE_FORMS[request.POST["action"]]
        form = forms[name] = make(q, request.POST)
        if form.is_valid():
            try:
                save(q, form)
            except ActionNotAllowed as e:  # a published version: the page says why, nothing changed
                refusal_message(request, e)
                return redirect(q)
            except ValidationError as e:
                form.add_error(None, e.messages)
            else:
                return redirect(q)
    context = {
        "q": q,
        "sections": q.sections.prefetch_related("questions"),
        **forms,
        "preview": QuestionnaireForm(questionnaire=q, prefix="preview"),
        "versions": Questionnaire.objects.filter(code=q.code).order_by("-version"),
    }
    return render(request, "surveys/questionnaire_detail.html", context)


@role_required(*MANAGERS)
def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("questionnaire"), pk=pk)
    q = question.questionnaire
    form = QuestionForm(request.POST or None, questionnaire=q, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            _save_question(q, form, question)
        except ActionNotAllowed as e:
            refusal_message(request, e)
            return redirect(q)
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            return redirect(q)
    return render(request, "surveys/question_edit.html", {"form": form, "question": question, "q": q})


def _publish(request, q: Questionnaire):
    services.questionnaire_publish(questionnaire=q, actor=request.user)
    messages.success(request, _("Version %(v)s published.") % {"v": q.version})
    return q


def _new_version(request, q: Questionnaire):
    new = services.questionnaire_new_version(questionnaire=q, actor=request.user)
    messages.success(request, _("Draft version %(v)s created; edit it and publish.") % {"v": new.version})
    return new


def _delete_question(request, q: Questionnaire):
    question = get_object_or_404(Question, pk=id_param(request.POST.get("question")), questionnaire=q)
    services.question_delete(question=question)
    return q


def _delete_section(request, q: Questionnaire):
    section = get_object_or_404(Section, pk=id_param(request.POST.get("section")), questionnaire=q)
    services.section_delete(section=section)
    return q


# The questionnaire's buttons, by the action in the URL: each calls a service and says where to go.
QUESTIONNAIRE_ACTIONS = {
    "publish": _publish,
    "new-version": _new_version,
    "delete-question": _delete_question,
    "delete-section": _delete_section,
}


@role_required(*MANAGERS)
@require_POST
def questionnaire_action(request, pk: int, action: str):
    q = get_object_or_404(Questionnaire, pk=pk)
    run = QUESTIONNAIRE_ACTIONS.get(action)
    if run is None:
        raise Http404
    with refusals(request):
        return redirect(run(request, q))
    return redirect(q)


# --- campaigns ---------------------------------------------------------------------------------


@role_required(*RESULT_ROLES)
def campaign_list(request):
    campaigns = selectors.campaigns_with_progress(Campaign.objects.all())
    if not request.user.sees_all_departments:
        ids = request.user.department_ids
        # Subqueries only: a join on departments would multiply the response counts.
        campaigns = campaigns.filter(
            Q(pk__in=Campaign.objects.filter(departments__in=ids).values("pk"))
            | Q(pk__in=Campaign.objects.filter(departments__isnull=True).values("pk"))
        )
    rows = [(c, selectors.campaign_progress_pct(c)) for c in campaigns.order_by("-start", "-id")]
    return render(request, "surveys/campaign_list.html", {"rows": rows})


def _campaign_initial(c: Campaign) -> dict:
    return {
        "name": c.name,
        "questionnaire": c.questionnaire_id,
        "start": c.start,
        "end": c.end,
        "departments": list(c.departments.all()),
        "target_count": c.target_count,
        "channels": c.channels,
    }


@role_required(*MANAGERS)
def campaign_edit(request, pk: int | None = None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    today = timezone.localdate()
    initial = (
        _campaign_initial(campaign)
        if campaign
        else {"start": today.replace(month=1, day=1), "end": today.replace(month=12, day=31)}
    )
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for key, errs in e.message_dict.items():
                    form.add_error(key if key in form.fields else None, errs)
            else:
                form.add_error(None, e.messages)
        else:
            return redirect(campaign)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign})


def _campaign_departments(campaign: Campaign, user):
    departments = (
        campaign.departments.all()
        if campaign.departments.exists()
        else Department.objects.filter(active=True)
    )
    return scope(departments, user, department_field="pk")


@role_required(*RESULT_ROLES)
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_with_progress(), pk=pk)
    departments = _campaign_departments(campaign, request.user)
    if not request.user.sees_all_departments and not departments.exists():
        raise Http404
    links = [
        (
            d,
            request.build_absolute_uri(
                reverse("surveys:public_department", args=[campaign.public_key, d.code])
            ),
        )
        for d in departments
    ]
    context = {
        "campaign": campaign,
        "progress": selectors.campaign_progress_pct(campaign),
        "links": links,
        "is_manager": may(request.user, "surveys:campaign_action"),
        # The close / reopen buttons: exactly the steps the campaign's machine would accept.
        "actions": allowed_actions(campaign, request.user),
        "distribution_form": DistributionForm(departments=departments, prefix="d"),
        "token_form": TokenIssueForm(departments=departments, prefix="t"),
        "distributions": campaign.distributions.select_related("department")[:20],
        "transitions": campaign.transitions.select_related("actor"),
    }
    return render(request, "surveys/campaign_detail.html", context)


def _record_distribution(request, campaign: Campaign, departments):
    form = DistributionForm(request.POST, departments=departments, prefix="d")
    if not form.is_valid():
        messages.error(request, _("Please check the department, date and number of copies."))
        return redirect(campaign)
    services.distribution_record(campaign=campaign, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Distribution recorded."))
    return redirect(campaign)


def _issue_tokens(request, campaign: Campaign, departments):
    form = TokenIssueForm(request.POST, departments=departments, prefix="t")
    if not form.is_valid():
        messages.error(request, _("Please check the department and the number of links."))
        return redirect(campaign)
    tokens = services.tokens_issue(campaign=campaign, actor=request.user, **form.cleaned_data)
    urls = [request.build_absolute_uri(t.get_absolute_url()) for t in tokens]
    return render(
        request, "surveys/token_list.html", {"campaign": campaign, "tokens": zip(tokens, urls, strict=True)}
    )


# What a campaign page posts besides the machine's steps (services.CAMPAIGNS): the paper and link forms.
CAMPAIGN_RECORDS = {"distribution": _record_distribution, "tokens": _issue_tokens}


@role_required(*MANAGERS)
@require_POST
def campaign_action(request, pk: int, action: str):
    campaign = get_object_or_404(Campaign, pk=pk)
    if action in services.CAMPAIGNS.actions:
        with refusals(request):
            services.campaign_transition(campaign=campaign, action=action, actor=request.user)
        return redirect(campaign)
    record = CAMPAIGN_RECORDS.get(action)
    if record is None:
        raise Http404
    try:
        return record(request, campaign, _campaign_departments(campaign, request.user))
    except ValidationError as e:  # the service's refusal, or its check of the input
        messages.error(request, _error_text(e))
        return redirect(campaign)


@role_required(*MANAGERS)
@require_GET
def campaign_poster(request, pk: int, department_id: int, fmt: str):
    if fmt not in ("png", "pdf"):
        raise Http404
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), pk=pk)
    department = get_object_or_404(_campaign_departments(campaign, request.user), pk=department_id)
    url = request.build_absolute_uri(
        reverse("surveys:public_department", args=[campaign.public_key, department.code])
    )
    title = campaign.questionnaire.title
    lines = [
        _("Scan with your phone to fill in the questionnaire"),
        _("Anonymous · about two minutes · thank you"),
    ]
    if fmt == "png":
        body = posters.poster_png(url=url, title=title, department=department.name, lines=lines)
        content_type = "image/png"
    else:
        body = posters.poster_pdf(
            url=url, title=title, department=department.name, lines=lines, hospital=settings.HOSPITAL_NAME
        )
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    # The code may hold "/" or quotes: only letters, digits, "-" and "_" reach the file name.
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "_", department.code)
    response["Content-Disposition"] = f'inline; filename="survey-poster-{safe_code}.{fmt}"'
    return response


# --- paper entry --------------------------------------------------------------------------------


@role_required(*ENTRY_ROLES)
def paper_index(request):
    """Open campaigns that collect paper forms; straight to the entry screen when there is one."""
    today = timezone.localdate()
    campaigns = [
        c
        for c in Campaign.objects.filter(status=CampaignStatus.OPEN, start__lte=today)
        .select_related("questionnaire")
        .order_by("-start", "-id")
        if Channel.PAPER in c.channels
    ]
    if len(campaigns) == 1:
        return redirect("surveys:paper_entry", pk=campaigns[0].pk)
    return render(request, "surveys/paper_index.html", {"campaigns": campaigns})


@role_required(*ENTRY_ROLES)
def paper_entry(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire"), pk=pk)
    if campaign.status != CampaignStatus.OPEN:
        messages.error(request, _("This survey is closed."))
        return redirect("surveys:campaign_list")
    questionnaire = campaign.questionnaire
    if request.method == "POST":
        header = PaperHeaderForm(request.POST, campaign=campaign, prefix="h")
        form = QuestionnaireForm(
            request.POST, questionnaire=questionnaire, prefix="p", enforce_required=False
        )
        if header.is_valid() and form.is_valid():
            h = header.cleaned_data
            moment = timezone.make_aware(dt.datetime.combine(h["submitted_on"], dt.time(12, 0)))
            key = f"paper:{h['entry_id']}" if h["entry_id"] else None
            # The same form sent twice stores one response (the key): say so, and count it once.
            already = key is not None and SurveyResponse.objects.filter(idempotency_key=key).exists()
            try:
                services.response_submit(
                    questionnaire=questionnaire,
                    channel=Channel.PAPER,
                    department=h["department"],
                    answers=form.answers(),
                    submitted_by=request.user,
                    campaign=campaign,
                    submitted_at=moment,
                    idempotency_key=key,
                    allow_incomplete=True,
                )
            except ValidationError as e:
                if hasattr(e, "error_dict") and "department" in e.error_dict:
                    header.add_error("department", e.error_dict["department"])
                else:
                    form.add_service_errors(e)
            else:
                if already:
                    messages.info(request, _("This form was already saved; it is stored once. Next form."))
                else:
                    count = request.session.get("surveys_paper_count", 0) + 1
                    request.session["surveys_paper_count"] = count
                    messages.success(request, _("Form %(n)d saved. Next form.") % {"n": count})
                url = reverse("surveys:paper_entry", args=[campaign.pk])
                return redirect(f"{url}?department={h['department'].pk}&date={h['submitted_on']:%Y-%m-%d}")
    else:
        initial = {
            "department": request.GET.get("department"),
            "submitted_on": _lenient_date(request.GET.get("date")) or timezone.localdate(),
        }
        header = PaperHeaderForm(initial=initial, campaign=campaign, prefix="h")
        form = QuestionnaireForm(questionnaire=questionnaire, prefix="p", enforce_required=False)
    return render(
        request,
        "surveys/paper_entry.html",
        {
            "campaign": campaign,
            "header": header,
            "form": form,
            "count": request.session.get("surveys_paper_count", 0),
        },
    )


# --- public questionnaire -----------------------------------------------------------------------


def _site_language(view):
    """The questionnaire's questions are written in the hospital's language: the page follows it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapper


def public_rate(group, request) -> str:
    return getattr(settings, "SURVEYS_PUBLIC_RATE", "30/h")


def _closed(request, message: str, status: int = 410) -> HttpResponse:
    return render(request, "surveys/public_message.html", {"message": message}, status=status)


def _public_form(request, *, campaign: Campaign, department: Department, token: SurveyToken | None):
    questionnaire = campaign.questionnaire
    kwargs = {"questionnaire": questionnaire, "department": department}
    if request.method != "POST":
        form = PublicQuestionnaireForm(**kwargs)
        return render(
            request,
            "surveys/public_form.html",
            {"form": form, "campaign": campaign, "department": department},
        )
    form = PublicQuestionnaireForm(request.POST, **kwargs)
    status = 200
    if getattr(request, "limited", False):
        form.is_valid()
        form.add_error(
            None, _("Too many questionnaires were sent from this network. Please try again later.")
        )
        status = 429
    elif form.is_valid():
        key = form.cleaned_data.get("submission_id") or None
        try:
            services.response_submit(
                questionnaire=questionnaire,
                channel=Channel.WEB,
                department=department,
                answers=form.answers(),
                campaign=campaign,
                token=token,
                idempotency_key=f"web:{key}" if key else None,
            )
        except ValidationError as e:
            form.add_service_errors(e)
            if getattr(e, "code", None) in ("token_used", "token_expired", "token_invalid", "closed"):
                status = 410  # the form stays on screen with what the patient typed
        else:
            return redirect("surveys:public_thanks")
    return render(
        request,
        "surveys/public_form.html",
        {"form": form, "campaign": campaign, "department": department},
        status=status,
    )


@_site_language
@ratelimit(key="ip", rate=public_rate, method="POST", block=False, group="surveys.public")
def public_department(request, key: str, department_code: str):
    campaign = Campaign.objects.select_related("questionnaire").filter(public_key=key).first()
    department = Department.objects.filter(code=department_code, active=True).first()
    if campaign is None or department is None:
        return _closed(request, _("This survey link is not valid."), status=404)
    if not campaign.is_accepting() or Channel.WEB not in campaign.channels:
        return _closed(request, _("This survey is closed."))
    if campaign.departments.exists() and not campaign.departments.filter(pk=department.pk).exists():
        return _closed(request, _("This survey link is not valid."), status=404)
    return _public_form(request, campaign=campaign, department=department, token=None)


@_site_language
@ratelimit(key="ip", rate=public_rate, method="POST", block=False, group="surveys.public")
def public_token(request, token: str):
    obj = (
        SurveyToken.objects.select_related("campaign__questionnaire", "department")
        .filter(token=token)
        .first()
    )
    if obj is None:
        return _closed(request, _("This survey link is not valid."), status=404)
    if obj.used_at is not None:
        return _closed(request, _("This survey link has already been used. Thank you!"))
    if obj.expires_at < timezone.now():
        return _closed(request, _("This survey link has expired."))
    if not obj.campaign.is_accepting():
        return _closed(request, _("This survey is closed."))
    return _public_form(request, campaign=obj.campaign, department=obj.department, token=obj)


@_site_language
def public_thanks(request):
    return render(request, "surveys/public_thanks.html")


# --- praise -------------------------------------------------------------------------------------


@role_required(*MANAGERS)
def praise_list(request):
    pending = (
        Praise.objects.filter(staff__isnull=True)
        .exclude(typed_name="")
        .select_related("department")
        .order_by("-submitted_on", "-id")
    )
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    staff = (
        Staff.objects.filter(active=True)
        .select_related("department")
        .order_by("department__sort_order", "name")
    )
    return render(request, "surveys/praise_list.html", {"page": page, "staff": list(staff)})


@role_required(*MANAGERS)
@require_POST
def praise_match(request, pk: int):
    praise = get_object_or_404(Praise, pk=pk)
    form = PraiseMatchForm(request.POST)
    if form.is_valid():
        with refusals(request):
            services.praise_match(praise=praise, staff=form.cleaned_data["staff"], actor=request.user)
            messages.success(
                request, _("Praise matched to %(name)s.") % {"name": form.cleaned_data["staff"].name}
            )
    else:
        messages.error(request, _("Choose a staff member."))
    return redirect("surveys:praise_list")
