"""Satisfaction surveys: versioned questionnaires, campaigns, responses from every channel.

A questionnaire row is one *version*. Once published it is immutable (services refuse to edit
it); editing makes a new draft version, so old responses keep pointing at the questions they
answered. Answers carry a few denormalised columns (department, date, dimension) copied from
their response when it is written — answers never change afterwards — so the figures are one
aggregate query over one table.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.infra.wording import join_list
from supervision.models import Department, DischargeStay, Finding, Staff
from supervision.rates import rate
from supervision.workflow import TransitionRecord


class Dimension(models.TextChoices):
    ENVIRONMENT = "environment", _("Hospital environment")
    SKILL = "skill", _("Medical skill")
    ATTITUDE = "attitude", _("Service attitude")
    LOGISTICS = "logistics", _("Logistics")
    COST = "cost", _("Cost")
    WAITING = "waiting", _("Waiting time")
    OVERALL = "overall", _("Overall")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Satisfaction scale (5 points)")
    YES_NO = "yes_no", _("Yes / no")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")
    PRAISE = "praise", _("Staff to praise")


class Scale(models.IntegerChoices):
    """The 5-point scale, stored as 5 (best) … 1 (worst)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


SATISFIED_MIN = Scale.SATISFIED  # 满意 and 非常满意 count as satisfied
LOW_MAX = Scale.DISSATISFIED  # 不满意 and 非常不满意 are low scores


class Channel(models.TextChoices):
    PAPER = "paper", _("Paper")
    WEB = "web", _("Web / QR")
    PHONE = "phone", _("Phone")


class Questionnaire(models.Model):
    code = models.SlugField(
        pgettext_lazy("survey", "code"), max_length=32, help_text=_("Same code for every version.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=120)
    description = models.TextField(_("introduction"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_once"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="draft"), name="questionnaire_one_draft_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:questionnaire_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == QuestionnaireStatus.DRAFT


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=120)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    order = models.PositiveIntegerField(pgettext_lazy("survey", "order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = pgettext_lazy("survey", "section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(pgettext_lazy("survey", "type"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(pgettext_lazy("survey", "order"), default=0)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    max_length = models.PositiveIntegerField(
        _("maximum length"), default=500, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["section__order", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class CampaignStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("survey", "Open")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


def _public_key() -> str:
    return secrets.token_urlsafe(9)


class Campaign(models.Model):
    """调查批次: one questionnaire version over a period, for some departments, with a target."""

    name = models.CharField(_("name"), max_length=120)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="survey_campaigns",
        verbose_name=_("departments"),
        help_text=_("Leave empty for every department."),
    )
    target_count = models.PositiveIntegerField(_("target (valid questionnaires)"), default=0)
    channels = models.JSONField(_("channels"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    public_key = models.CharField(max_length=24, unique=True, default=_public_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("surveys:campaign_detail", args=[self.pk])

    @property
    def channel_labels(self) -> str:
        labels = dict(Channel.choices)
        return join_list(labels[c] for c in self.channels if c in labels)

    def is_accepting(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.status == CampaignStatus.OPEN and self.start <= day <= self.end


class CampaignAction(models.TextChoices):
    """The steps of a campaign's machine (``surveys.services.CAMPAIGNS``)."""

    CLOSE = "close", _("Close campaign")
    REOPEN = "reopen", _("Reopen campaign")


class CampaignTransition(TransitionRecord):
    """History of a campaign's status (``supervision.workflow``); no actor: closed by the schedule."""

    subject_field = "campaign"
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("campaign transition")
        verbose_name_plural = _("campaign transitions")


class Distribution(models.Model):
    """Paper questionnaires handed out (发放登记): a count per department and day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="distributions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    distributed_on = models.DateField(_("date"), default=timezone.localdate)
    count = models.PositiveIntegerField(_("copies"), validators=[MinValueValidator(1)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-distributed_on", "-id"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        indexes = [models.Index(fields=["distributed_on", "department"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.distributed_on} ×{self.count}"


def _token() -> str:
    return secrets.token_urlsafe(16)


class SurveyToken(models.Model):
    """A single-use link for one patient. Holds no personal data."""

    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tokens")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("single-use link")
        verbose_name_plural = _("single-use links")

    def __str__(self) -> str:
        return self.token[:6] + "…"

    def get_absolute_url(self) -> str:
        return reverse("surveys:public_token", args=[self.token])


class SurveyResponse(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("campaign"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("department")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_on = models.DateField(_("date"), db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    token = models.OneToOneField(
        SurveyToken, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    # The patient, when the channel knows them (a questionnaire asked during a follow-up call): an
    # alert on a low score then says whom to contact. Paper and web questionnaires are anonymous.
    stay = models.ForeignKey(
        DischargeStay, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Computed once when written (answers never change afterwards).
    is_valid = models.BooleanField(_("valid"), default=False)
    scale_answered = models.PositiveSmallIntegerField(default=0)
    scale_satisfied = models.PositiveSmallIntegerField(default=0)
    # Per dimension (``DIMENSION_COUNTS``: the section's dimension), the scale answers the figures count
    # and the satisfied ones — a valid form's; 0 for a form that is not valid, whose answers count nowhere
    # (``Answer.counted``). Also computed once when written: the figures by dimension add up the period's
    # forms instead of counting their answers, nine or ten rows a form (docs/performance.md, stop 19).
    counted_environment = models.PositiveSmallIntegerField(default=0)
    satisfied_environment = models.PositiveSmallIntegerField(default=0)
    counted_skill = models.PositiveSmallIntegerField(default=0)
    satisfied_skill = models.PositiveSmallIntegerField(default=0)
    counted_attitude = models.PositiveSmallIntegerField(default=0)
    satisfied_attitude = models.PositiveSmallIntegerField(default=0)
    counted_logistics = models.PositiveSmallIntegerField(default=0)
    satisfied_logistics = models.PositiveSmallIntegerField(default=0)
    counted_cost = models.PositiveSmallIntegerField(default=0)
    satisfied_cost = models.PositiveSmallIntegerField(default=0)
    counted_waiting = models.PositiveSmallIntegerField(default=0)
    satisfied_waiting = models.PositiveSmallIntegerField(default=0)
    counted_overall = models.PositiveSmallIntegerField(default=0)
    satisfied_overall = models.PositiveSmallIntegerField(default=0)
    low_count = models.PositiveSmallIntegerField(_("low scores"), default=0)
    has_comment = models.BooleanField(_("has comment"), default=False)
    finding = models.ForeignKey(
        Finding,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("finding"),
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="one_response_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["submitted_on", "department"]),
            models.Index(fields=["department", "submitted_on"]),
            models.Index(fields=["campaign", "is_valid"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.submitted_on}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.pk])

    @property
    def satisfaction_pct(self) -> float | None:
        if not self.scale_answered:
            return None
        return rate(self.scale_satisfied, self.scale_answered)

    @property
    def needs_attention(self) -> bool:
        return self.low_count > 0 or self.has_comment


# Dimension → the response's columns of its counted scale answers and satisfied answers in that dimension.
DIMENSION_COUNTS = {d: (f"counted_{d}", f"satisfied_{d}") for d in Dimension.values}


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # Copied from response / section for single-table aggregation.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    counted = models.BooleanField(default=False, help_text="response is valid")
    scale_value = models.PositiveSmallIntegerField(null=True, blank=True, choices=Scale.choices)
    bool_value = models.BooleanField(null=True, blank=True)
    text_value = models.TextField(blank=True)
    choice_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["question__section__order", "question__order", "question_id"]
        verbose_name = pgettext_lazy("survey", "answer")
        verbose_name_plural = pgettext_lazy("survey", "answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]
        # No index by date: the figures per dimension read each form's stored counts
        # (SurveyResponse.counted_<dimension>), not the answers (surveys 0009 dropped the covering
        # index they had, written for every scale answer and read by no query since).

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"

    @property
    def display(self) -> str:
        if self.scale_value is not None:
            return str(Scale(self.scale_value).label)
        if self.bool_value is not None:
            return str(_("Yes") if self.bool_value else _("No"))
        if self.choice_values:
            return "、".join(self.choice_values)
        return self.text_value


class Praise(models.Model):
    """点名表扬: a staff member picked from the roster, or a typed name matched later."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="praises")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="survey_praises"
    )
    typed_name = models.CharField(_("name as written"), max_length=64, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("praise")
        verbose_name_plural = _("praises")
        indexes = [models.Index(fields=["submitted_on", "department"])]

    def __str__(self) -> str:
        return self.staff.name if self.staff_id else self.typed_name


# --- alert thresholds (issue 17) -----------------------------------------------------------------

THRESHOLD_MIN = Scale.VERY_DISSATISFIED  # at or below 1: only 非常不满意
THRESHOLD_MAX = Scale.NEUTRAL  # at or below 3 (一般): never 4 or 5, which are satisfied answers


def validate_threshold(value) -> None:
    """A threshold is a point of the 5-point scale below "satisfied"."""
    if value is None or not (THRESHOLD_MIN <= value <= THRESHOLD_MAX):
        raise ValidationError(
            _(
                "Choose a threshold from %(low)s (%(low_label)s) to %(high)s (%(high_label)s): an alert "
                "on “satisfied” or better would flag patients who were happy."
            ),
            code="threshold_range",
            params={
                "low": int(THRESHOLD_MIN),
                "low_label": Scale(THRESHOLD_MIN).label,
                "high": int(THRESHOLD_MAX),
                "high_label": Scale(THRESHOLD_MAX).label,
            },
        )


class AlertThreshold(models.Model):
    """An answer at or below ``at_or_below`` raises an alert on an unhappy patient.

    For one question, or for every scale question of a dimension, or (both empty) for every scale
    question; the most specific threshold of an answer is the one that applies (a question's own,
    else its dimension's, else the general one).
    """

    question = models.ForeignKey(
        Question,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_thresholds",
        limit_choices_to={"kind": QuestionKind.SCALE},
        verbose_name=_("question"),
    )
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices, blank=True)
    at_or_below = models.PositiveSmallIntegerField(
        _("alert at or below"),
        validators=[validate_threshold],
        help_text=_(
            "1 = very dissatisfied … 3 = neutral. Every answer at or below this score raises an alert."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(at_or_below__gte=int(THRESHOLD_MIN), at_or_below__lte=int(THRESHOLD_MAX)),
                name="alert_threshold_on_the_scale",
            )
        ]

    def __str__(self) -> str:
        target = (
            self.question.text
            if self.question_id
            else (self.get_dimension_display() or _("every scale question"))
        )
        return f"{target} ≤ {self.at_or_below}"

    def clean(self):
        if self.question_id and self.dimension:
            raise ValidationError(_("Choose a question or a dimension, not both."))
        if self.question_id and self.question.kind != QuestionKind.SCALE:
            raise ValidationError({"question": _("Only a satisfaction-scale question has a threshold.")})
        same = AlertThreshold.objects.filter(
            question_id=self.question_id, dimension=self.dimension, active=True
        ).exclude(pk=self.pk)
        if self.active and same.exists():
            raise ValidationError(_("An active threshold for the same questions exists already."))
