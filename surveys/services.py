"""Write side of the surveys app: questionnaire versions, campaigns, responses, findings, praise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.errors import ActionNotAllowed
from supervision.infra.tasking import enqueue_on_commit
from supervision.infra.wording import Worded
from supervision.models import (
    AlertKind,
    Category,
    Department,
    DischargeStay,
    FindingSource,
    Role,
    SiteConfig,
    Staff,
    User,
)
from supervision.workflow import Action, Machine

from . import texts
from .models import (
    DIMENSION_COUNTS,
    LOW_MAX,
    SATISFIED_MIN,
    THRESHOLD_MAX,
    AlertThreshold,
    Answer,
    Campaign,
    CampaignAction,
    CampaignStatus,
    CampaignTransition,
    Channel,
    Dimension,
    Distribution,
    Praise,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Scale,
    Section,
    SurveyResponse,
    SurveyToken,
)

MAX_PRAISE_NAMES = 10
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

# The finding category a low score in each dimension is filed under (editable taxonomy codes).
DIMENSION_CATEGORY = {
    Dimension.ENVIRONMENT: "hygiene",
    Dimension.SKILL: "quality_safety",
    Dimension.ATTITUDE: "attitude",
    Dimension.LOGISTICS: "logistics",
    Dimension.COST: "billing",
    Dimension.WAITING: "waiting",
    Dimension.OVERALL: "other",
}


# --- questionnaires ---------------------------------------------------------------------------


def _editable(questionnaire: Questionnaire) -> Questionnaire:
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.status != QuestionnaireStatus.DRAFT:
        raise ActionNotAllowed(
            _("A published questionnaire cannot be changed; create a new version to edit it.")
        )
    return locked


@transaction.atomic
def questionnaire_create(*, code: str, title: str, description: str = "", actor: User) -> Questionnaire:
    if Questionnaire.objects.filter(code=code).exists():
        raise ActionNotAllowed(
            _("A questionnaire with this code exists; create a new version of it instead.")
        )
    return Questionnaire.objects.create(
        code=code, version=1, title=title, description=description, created_by=actor
    )


@transaction.atomic
def questionnaire_update(*, questionnaire: Questionnaire, title: str, description: str) -> Questionnaire:
    q = _editable(questionnaire)
    q.title, q.description = title, description
    q.save(update_fields=["title", "description"])
    return q


def _clean_choices(kind: str, choices: Iterable[str]) -> list[str]:
    cleaned = []
    for c in choices:
        c = str(c).strip()
        if c and c not in cleaned:
            cleaned.append(c)
    if kind in CHOICE_KINDS and len(cleaned) < 2:
        raise ValidationError({"choices": _("Give at least two choices, one per line.")})
    return cleaned if kind in CHOICE_KINDS else []


@transaction.atomic
def section_save(
    *, questionnaire: Questionnaire, title: str, dimension: str, order: int, section: Section | None = None
) -> Section:
    _editable(questionnaire)
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": _("Unknown dimension.")})
    section = section or Section(questionnaire=questionnaire)
    if section.questionnaire_id != questionnaire.pk:
        raise ActionNotAllowed(_("This section belongs to another questionnaire."))
    section.title, section.dimension, section.order = title, dimension, order
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    _editable(section.questionnaire)
    section.delete()


@transaction.atomic
def question_save(
    *,
    questionnaire: Questionnaire,
    section: Section,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = False,
    order: int = 0,
    choices: Iterable[str] = (),
    max_length: int = 500,
    question: Question | None = None,
) -> Question:
    _editable(questionnaire)
    if section.questionnaire_id != questionnaire.pk or (
        question is not None and question.questionnaire_id != questionnaire.pk
    ):
        raise ActionNotAllowed(_("This section belongs to another questionnaire."))
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Unknown question type.")})
    question = question or Question(questionnaire=questionnaire)
    question.section = section
    question.kind = kind
    question.text = text.strip()
    question.help_text = help_text.strip()
    question.required = required
    question.order = order
    question.choices = _clean_choices(kind, choices)
    question.max_length = max(1, min(int(max_length or 500), 2000))
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _editable(question.questionnaire)
    question.delete()


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Freeze a draft; the version it replaces is retired (its responses keep their questions)."""
    q = _editable(questionnaire)
    if not q.questions.exists():
        raise ActionNotAllowed(_("Add at least one question before publishing."))
    Questionnaire.objects.filter(code=q.code, status=QuestionnaireStatus.PUBLISHED).update(
        status=QuestionnaireStatus.RETIRED
    )
    q.status = QuestionnaireStatus.PUBLISHED
    q.published_at = timezone.now()
    q.published_by = actor
    q.save(update_fields=["status", "published_at", "published_by"])
    return q


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Copy a published (or retired) version into a new draft: the way to edit a questionnaire."""
    source = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if source.status == QuestionnaireStatus.DRAFT:
        raise ActionNotAllowed(_("This version is still a draft; edit it directly."))
    if Questionnaire.objects.filter(code=source.code, status=QuestionnaireStatus.DRAFT).exists():
        raise ActionNotAllowed(_("A draft of this questionnaire already exists; edit that one."))
    latest = Questionnaire.objects.filter(code=source.code).aggregate(v=Max("version"))["v"] or 0
    new = Questionnaire.objects.create(
        code=source.code,
        version=latest + 1,
        title=source.title,
        description=source.description,
        created_by=actor,
    )
    for section in source.sections.prefetch_related("questions"):
        copy = Section.objects.create(
            questionnaire=new, title=section.title, dimension=section.dimension, order=section.order
        )
        Question.objects.bulk_create(
            Question(
                questionnaire=new,
                section=copy,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                order=q.order,
                choices=list(q.choices),
                max_length=q.max_length,
            )
            for q in section.questions.all()
        )
    return new


# --- campaigns ---------------------------------------------------------------------------------


@transaction.atomic
def campaign_save(
    *,
    name: str,
    questionnaire: Questionnaire,
    start: dt.date,
    end: dt.date,
    departments: Iterable[Department] = (),
    target_count: int = 0,
    channels: Iterable[str] = (),
    actor: User,
    campaign: Campaign | None = None,
) -> Campaign:
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if questionnaire.status == QuestionnaireStatus.DRAFT:
        raise ValidationError({"questionnaire": _("Only a published questionnaire can be used.")})
    channels = [c for c in Channel.values if c in set(channels)]
    if not channels:
        raise ValidationError({"channels": _("Choose at least one channel.")})
    campaign = campaign or Campaign(created_by=actor)
    if campaign.pk and campaign.questionnaire_id != questionnaire.pk and campaign.responses.exists():
        raise ActionNotAllowed(_("The campaign has responses; its questionnaire can no longer change."))
    campaign.name = name
    campaign.questionnaire = questionnaire
    campaign.start, campaign.end = start, end
    campaign.target_count = target_count
    campaign.channels = channels
    campaign.save()
    campaign.departments.set(list(departments))
    return campaign


MANAGERS = (Role.SUPERVISOR, Role.ADMINISTRATOR)

# A campaign's machine: managers close and reopen it; the schedule closes it when its period ends.
CAMPAIGNS = Machine(
    Campaign,
    history=CampaignTransition,
    action_labels=CampaignAction,
    state_refusal=gettext_lazy("The campaign is already in that state."),
    actions=[
        Action(
            CampaignAction.CLOSE,
            {CampaignStatus.OPEN},
            CampaignStatus.CLOSED,
            roles=MANAGERS,
            style="outline-danger",
        ),
        Action(
            CampaignAction.REOPEN,
            {CampaignStatus.CLOSED},
            CampaignStatus.OPEN,
            roles=MANAGERS,
            style="outline-success",
        ),
    ],
)


@transaction.atomic
def campaign_transition(
    *, campaign: Campaign, action: str, actor: User | None, comment: str | Worded = ""
) -> Campaign:
    """Close or reopen a campaign; ``actor`` None is the schedule."""
    return CAMPAIGNS.transition(campaign, actor=actor, action=action, comment=comment, save=["status"])


def campaign_set_status(
    *, campaign: Campaign, status: str, actor: User | None, comment: str | Worded = ""
) -> Campaign:
    """The campaign's step that reaches ``status``."""
    action = {CampaignStatus.CLOSED: CampaignAction.CLOSE, CampaignStatus.OPEN: CampaignAction.REOPEN}.get(
        status
    )
    if action is None:
        raise ActionNotAllowed(_("The campaign is already in that state."))
    return campaign_transition(campaign=campaign, action=action, actor=actor, comment=comment)


def campaigns_close_ended(*, today: dt.date | None = None) -> int:
    """Beat job: close open campaigns whose period is over. Running it twice changes nothing more."""
    today = today or timezone.localdate()
    closed = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, end__lt=today):
        try:
            campaign_set_status(
                campaign=campaign, status=CampaignStatus.CLOSED, actor=None, comment=texts.PERIOD_ENDED()
            )
            closed += 1
        except ActionNotAllowed:
            continue
    return closed


def _check_department(campaign: Campaign, department: Department) -> None:
    allowed = list(campaign.departments.values_list("id", flat=True))
    if allowed and department.pk not in allowed:
        raise ValidationError({"department": _("This department is not part of the campaign.")})


@transaction.atomic
def distribution_record(
    *, campaign: Campaign, department: Department, count: int, distributed_on: dt.date, actor: User
) -> Distribution:
    _check_department(campaign, department)
    if count < 1:
        raise ValidationError({"count": _("Enter a number of copies of at least 1.")})
    return Distribution.objects.create(
        campaign=campaign,
        department=department,
        count=count,
        distributed_on=distributed_on,
        recorded_by=actor,
    )


@transaction.atomic
def tokens_issue(
    *, campaign: Campaign, department: Department, count: int, actor: User, valid_days: int = 30
) -> list[SurveyToken]:
    if not campaign.is_accepting():
        raise ActionNotAllowed(_("This survey is closed."))
    _check_department(campaign, department)
    if not 1 <= count <= 500:
        raise ValidationError({"count": _("Issue between 1 and 500 links at a time.")})
    now = timezone.now()
    expires = now + dt.timedelta(days=valid_days)
    tokens = [
        SurveyToken(
            campaign=campaign, department=department, issued_by=actor, issued_at=now, expires_at=expires
        )
        for _i in range(count)
    ]
    return SurveyToken.objects.bulk_create(tokens)


# --- responses ---------------------------------------------------------------------------------


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set):
        return not value
    if isinstance(value, dict):
        return not value.get("staff") and not value.get("names")
    return False


def _as_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "true", "1", "y", "是"}:
        return True
    if text in {"no", "false", "0", "n", "否"}:
        return False
    raise ValueError(value)


def _clean_answer(question: Question, value, errors: dict):
    """Return the cleaned value, or record an error (Chinese via gettext) and return None."""
    name = question.field_name
    kind = question.kind
    try:
        if kind == QuestionKind.SCALE:
            number = int(value)
            if number not in Scale.values:
                raise ValueError(value)
            return number
        if kind == QuestionKind.YES_NO:
            return _as_bool(value)
        if kind == QuestionKind.SINGLE:
            value = str(value).strip()
            if value not in question.choices:
                raise ValueError(value)
            return value
        if kind == QuestionKind.MULTIPLE:
            values = [str(v).strip() for v in (value if isinstance(value, list | tuple | set) else [value])]
            if any(v not in question.choices for v in values):
                raise ValueError(value)
            return [c for c in question.choices if c in values]
        if kind == QuestionKind.TEXT:
            text = str(value).strip()
            if len(text) > question.max_length:
                errors[name] = _("Please keep this answer within %(n)d characters.") % {
                    "n": question.max_length
                }
                return None
            return text
        if kind == QuestionKind.PRAISE:
            if not isinstance(value, dict):
                value = {"names": [value]}
            staff_ids = [int(s) for s in value.get("staff") or []]
            names = [str(n).strip() for n in value.get("names") or [] if str(n).strip()]
            if len(staff_ids) + len(names) > MAX_PRAISE_NAMES or any(len(n) > 64 for n in names):
                errors[name] = _("Name at most %(n)d people, each name within 64 characters.") % {
                    "n": MAX_PRAISE_NAMES
                }
                return None
            found = set(Staff.objects.filter(pk__in=staff_ids, active=True).values_list("pk", flat=True))
            if found != set(staff_ids):
                raise ValueError(staff_ids)
            return {"staff": sorted(found), "names": names}
    except (TypeError, ValueError):
        errors[name] = _("This answer is not one of the offered choices.")
        return None
    return None


@transaction.atomic
def response_submit(
    *,
    questionnaire: Questionnaire,
    channel: str,
    department: Department,
    answers: dict,
    submitted_by: User | None = None,
    campaign: Campaign | None = None,
    source_object=None,
    submitted_at: dt.datetime | None = None,
    token: SurveyToken | str | None = None,
    idempotency_key: str | None = None,
    allow_incomplete: bool = False,
    stay: DischargeStay | None = None,
    alert: bool = True,
) -> SurveyResponse:
    """Validate and store one filled-in questionnaire; raise ValidationError and write nothing.

    ``answers`` maps ``q<question pk>`` to: scale 1–5, yes/no bool, single choice text, list of
    choice texts, free text, or for praise ``{"staff": [Staff ids], "names": [typed names]}``.
    ``allow_incomplete`` (paper entry): a missing required answer is stored as missing and the
    questionnaire is not valid, instead of being refused — paper forms come back incomplete.
    ``idempotency_key``: the same key twice returns the first response (double click).
    ``stay``: the patient, when the channel knows them (the follow-up call), for an alert's recovery.
    ``alert=False``: months of past responses loaded for the demo hospital are not news — a low
    score among them raises no alert (the demo seeds its handful of alerts itself).
    """
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    if idempotency_key:
        existing = SurveyResponse.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if questionnaire.status == QuestionnaireStatus.DRAFT:
        raise ValidationError(_("This questionnaire is not published yet."))
    submitted_at = submitted_at or timezone.now()
    submitted_on = (
        timezone.localdate(submitted_at) if timezone.is_aware(submitted_at) else submitted_at.date()
    )

    token_obj = None
    if token is not None:
        key = token.token if isinstance(token, SurveyToken) else str(token)
        token_obj = SurveyToken.objects.select_for_update().filter(token=key).first()
        if token_obj is None:
            raise ValidationError(_("This survey link is not valid."), code="token_invalid")
        if token_obj.used_at is not None:
            raise ValidationError(_("This survey link has already been used. Thank you!"), code="token_used")
        if token_obj.expires_at < timezone.now():
            raise ValidationError(_("This survey link has expired."), code="token_expired")
        campaign = campaign or token_obj.campaign
        if campaign.pk != token_obj.campaign_id or department.pk != token_obj.department_id:
            raise ValidationError(_("This survey link is not valid."), code="token_invalid")

    if campaign is not None:
        if campaign.questionnaire_id != questionnaire.pk:
            raise ValidationError(_("The campaign uses another questionnaire."))
        if campaign.status != CampaignStatus.OPEN or not (campaign.start <= submitted_on <= campaign.end):
            raise ValidationError(_("This survey is closed."), code="closed")
        if campaign.channels and channel not in campaign.channels:
            raise ValidationError(_("This campaign does not collect questionnaires by this channel."))
        _check_department(campaign, department)

    source_type = None
    if source_object is not None:
        source_type = ContentType.objects.get_for_model(source_object)
        if SurveyResponse.objects.filter(source_type=source_type, source_id=source_object.pk).exists():
            raise ActionNotAllowed(_("A questionnaire was already recorded for this call."))

    questions = list(questionnaire.questions.select_related("section"))
    errors: dict[str, str] = {}
    cleaned: dict[int, object] = {}
    missing_required = False
    for question in questions:
        value = answers.get(question.field_name)
        if _is_empty(value):
            if question.required:
                missing_required = True
                if not allow_incomplete:
                    errors[question.field_name] = _("This question is required.")
            continue
        result = _clean_answer(question, value, errors)
        if result is not None and question.field_name not in errors:
            cleaned[question.pk] = result
    if errors:
        raise ValidationError(errors)

    by_pk = {q.pk: q for q in questions}
    scale_values = [v for pk, v in cleaned.items() if by_pk[pk].kind == QuestionKind.SCALE]
    has_comment = any(by_pk[pk].kind == QuestionKind.TEXT and v for pk, v in cleaned.items())
    is_valid = bool(scale_values) and not missing_required
    per_dimension = {}  # a form that is not valid counts nowhere: its columns stay 0
    for pk, value in cleaned.items() if is_valid else ():
        if by_pk[pk].kind == QuestionKind.SCALE:
            counted, satisfied = DIMENSION_COUNTS[by_pk[pk].section.dimension]
            per_dimension[counted] = per_dimension.get(counted, 0) + 1
            per_dimension[satisfied] = per_dimension.get(satisfied, 0) + (1 if value >= SATISFIED_MIN else 0)
    response = SurveyResponse(
        questionnaire=questionnaire,
        campaign=campaign,
        department=department,
        channel=channel,
        submitted_at=submitted_at,
        submitted_on=submitted_on,
        submitted_by=submitted_by,
        token=token_obj,
        idempotency_key=idempotency_key or None,
        source_type=source_type,
        source_id=source_object.pk if source_object is not None else None,
        stay=stay,
        is_valid=is_valid,
        scale_answered=len(scale_values),
        scale_satisfied=sum(1 for v in scale_values if v >= SATISFIED_MIN),
        low_count=sum(1 for v in scale_values if v <= LOW_MAX),
        has_comment=has_comment,
        **per_dimension,
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # A concurrent double submission with the same key: the first one stands.
        if idempotency_key:
            return SurveyResponse.objects.get(idempotency_key=idempotency_key)
        raise ActionNotAllowed(_("A questionnaire was already recorded for this call.")) from None

    rows, praises = [], []
    for pk, value in cleaned.items():
        question = by_pk[pk]
        common = {
            "response": response,
            "question": question,
            "department": department,
            "submitted_on": submitted_on,
            "dimension": question.section.dimension,
            "counted": is_valid,
        }
        if question.kind == QuestionKind.SCALE:
            rows.append(Answer(scale_value=value, **common))
        elif question.kind == QuestionKind.YES_NO:
            rows.append(Answer(bool_value=value, **common))
        elif question.kind == QuestionKind.MULTIPLE:
            rows.append(Answer(choice_values=value, **common))
        elif question.kind == QuestionKind.PRAISE:
            names = [
                *Staff.objects.filter(pk__in=value["staff"]).values_list("name", flat=True),
                *value["names"],
            ]
            rows.append(Answer(text_value="、".join(names), **common))
            base = {
                "response": response,
                "question": question,
                "department": department,
                "submitted_on": submitted_on,
            }
            praises += [Praise(staff_id=s, **base) for s in value["staff"]]
            praises += [Praise(typed_name=n, **base) for n in value["names"]]
        else:
            rows.append(Answer(text_value=value, **common))
    Answer.objects.bulk_create(rows)
    if praises:
        Praise.objects.bulk_create(praises)
        _auto_match(Praise.objects.filter(response=response, staff__isnull=True))
    if token_obj is not None:
        token_obj.used_at = timezone.now()
        token_obj.save(update_fields=["used_at"])
    if alert and scale_values and min(scale_values) <= THRESHOLD_MAX:
        # Recorded first; the alert is looked at by the worker once this is committed (issue 17).
        from .tasks import raise_alert

        enqueue_on_commit(raise_alert, response.pk)
    return response


# --- low score → finding -----------------------------------------------------------------------


def response_finding_draft(response: SurveyResponse) -> tuple[str, str]:
    """(category code, description) proposed for a finding from this response."""
    answers = list(response.answers.select_related("question"))
    low = [a for a in answers if a.scale_value is not None and a.scale_value <= LOW_MAX]
    comments = [a for a in answers if a.question.kind == QuestionKind.TEXT and a.text_value]
    lines = [f"{a.question.text}：{a.display}" for a in low]
    lines += [f"{a.question.text}：{a.text_value}" for a in comments]
    worst = min(low, key=lambda a: a.scale_value, default=None)
    category = DIMENSION_CATEGORY.get(worst.dimension if worst else "", "other")
    header = _("Satisfaction questionnaire #%(n)s (%(channel)s, %(date)s)") % {
        "n": response.pk,
        "channel": response.get_channel_display(),
        "date": response.submitted_on.isoformat(),
    }
    return category, "\n".join([header, *lines])


@transaction.atomic
def response_create_finding(
    *,
    response: SurveyResponse,
    actor: User,
    category: Category | None = None,
    description: str | None = None,
    deadline: dt.date | None = None,
):
    """One click: a finding (source SURVEY) for the response's department, linked both ways."""
    from supervision.services import finding_create

    locked = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors record findings from questionnaires."))
    if locked.finding_id is not None:
        raise ActionNotAllowed(_("A finding was already created from this questionnaire."))
    if not locked.needs_attention:
        raise ActionNotAllowed(_("This questionnaire has no low score and no comment."))
    code, text = response_finding_draft(locked)
    category = category or Category.objects.filter(code=code).first() or Category.objects.get(code="other")
    finding = finding_create(
        source=FindingSource.SURVEY,
        category=category,
        department=locked.department,
        description=(description or text)[:4000],
        found_by=actor,
        source_object=locked,
        deadline=deadline,
    )
    locked.finding = finding
    locked.save(update_fields=["finding"])
    response.finding = finding
    return finding


# --- praise -----------------------------------------------------------------------------------


def _auto_match(praises) -> int:
    """Match typed names to the roster where exactly one active staff member of the ward has it."""
    matched = 0
    for praise in praises:
        candidates = list(
            Staff.objects.filter(name=praise.typed_name, active=True, department_id=praise.department_id)[:2]
        )
        if len(candidates) == 1:
            Praise.objects.filter(pk=praise.pk, staff__isnull=True).update(
                staff=candidates[0], matched_at=timezone.now()
            )
            matched += 1
    return matched


def praises_auto_match(*, limit: int = 2000) -> int:
    """Beat job: match typed names added to the roster since. Idempotent."""
    pending = Praise.objects.filter(staff__isnull=True, matched_at__isnull=True).exclude(typed_name="")
    return _auto_match(pending.order_by("id")[:limit])


@transaction.atomic
def praise_match(*, praise: Praise, staff: Staff, actor: User) -> Praise:
    locked = Praise.objects.select_for_update().get(pk=praise.pk)
    if not actor.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise ActionNotAllowed(_("You may not match praise to staff."))
    if locked.staff_id is not None:
        raise ActionNotAllowed(_("This praise is already matched."))
    locked.staff = staff
    locked.matched_by = actor
    locked.matched_at = timezone.now()
    locked.save(update_fields=["staff", "matched_by", "matched_at"])
    return locked


# --- alerts on unhappy patients (issue 17) -------------------------------------------------------


def alert_due_on(day: dt.date) -> dt.date:
    """The day an unhappy patient must be contacted by: ``SiteConfig.alert_recovery_working_days``
    working days after ``day``, on the hospital's working-day calendar (the complaints channel's,
    调休 included); plain Monday–Friday when the complaints app is not installed."""
    days = SiteConfig.get().alert_recovery_working_days
    try:
        from complaints.workdays import add_working_days
    except ImportError:  # pragma: no cover - a hospital without the complaints channel
        day_ = day
        while days:
            day_ += dt.timedelta(days=1)
            days -= day_.weekday() < 5
        return day_
    return add_working_days(day, days)


def response_alert_items(response: SurveyResponse) -> list[tuple[str, int]]:
    """(question text, score) of every scale answer of ``response`` at or below its threshold: the
    question's own, else its dimension's, else the general one. Two queries."""
    thresholds = list(
        AlertThreshold.objects.filter(active=True).values_list("question_id", "dimension", "at_or_below")
    )
    by_question = {q: v for q, _d, v in thresholds if q}
    by_dimension = {d: v for q, d, v in thresholds if not q and d}
    general = next((v for q, d, v in thresholds if not q and not d), None)
    items = []
    answers = (
        response.answers.filter(scale_value__isnull=False)
        .select_related("question")
        .order_by("question__section__order", "question__order", "id")
    )
    for answer in answers:
        limit = by_question.get(answer.question_id, by_dimension.get(answer.dimension, general))
        if limit is not None and answer.scale_value <= limit:
            items.append((answer.question.text, answer.scale_value))
    return items


def response_raise_alert(*, response: SurveyResponse):
    """Raise the response's alert if an answer is at or below its threshold (idempotent: the core
    keeps one alert per patient contact). A questionnaire asked during a follow-up call is part of
    that call: its alert is the call's (one contact, one alert, even when the caller also recorded
    "not satisfied"). Returns the alert or None."""
    from supervision.services import alert_raise

    items = response_alert_items(response)
    if not items:
        return None
    # The contact the answers were given in: the call (a generic reference, so surveys never
    # import the follow-up channel), else the questionnaire itself.
    contact = response.source_object if response.source_id is not None else None
    alert, _created = alert_raise(
        kind=AlertKind.SURVEY_LOW_SCORE,
        source=contact or response,
        department=response.department,
        due_on=alert_due_on(timezone.localdate()),
        stay=response.stay,
        lowest_score=min(score for _text, score in items),
        items=[text for text, _score in items],
    )
    return alert
