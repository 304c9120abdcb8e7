"""On-site inspections (现场督察) and monthly chart audits (病历抽查).

Status changes never happen here by assignment from views; they go through
``inspections.services`` which lock the row, check the guard and write a ``Transition`` row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models import (
    Category,
    Department,
    DepartmentKind,
    DischargeStay,
    Finding,
    SingletonModel,
    Staff,
    UploadedFile,
)
from supervision.workflow import TransitionRecord


class WindowTarget(models.Model):
    """A window's own waiting target. Windows without one use the settings' standard target (10 min);
    a hospital may allow registration and billing 15, as one published programme does. Pass/fail of a
    measured waiting time and the figures' "within target" share use the window's own target."""

    department = models.OneToOneField(
        Department,
        on_delete=models.CASCADE,
        related_name="window_target",
        verbose_name=_("window"),
        limit_choices_to={"kind": DepartmentKind.WINDOW},
    )
    target_minutes = models.PositiveSmallIntegerField(
        _("waiting target (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        ordering = ["department__name"]
        verbose_name = _("window waiting target")
        verbose_name_plural = _("window waiting targets")

    def __str__(self) -> str:
        return f"{self.department} ≤ {self.target_minutes}"


def wait_targets(department_ids=None) -> dict[int, int]:
    """Department id → its own waiting target, for the windows that have one (one query)."""
    qs = WindowTarget.objects.all()
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    return dict(qs.values_list("department_id", "target_minutes"))


class InspectionSettings(SingletonModel):
    """One row of targets and rules an administrator changes at run time (admin)."""

    wait_target_minutes = models.PositiveSmallIntegerField(
        _("window waiting target (minutes)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("A measured waiting time above this fails the checklist item (2008 standard: 10)."),
    )
    wait_target_own_minutes = models.PositiveSmallIntegerField(
        _("hospital's own waiting target (minutes)"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("Second target reported in the figures (a hospital's own target: 15)."),
    )
    hand_hygiene_target_pct = models.PositiveSmallIntegerField(
        _("hand-hygiene compliance target (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("An observed compliance below this fails the hand-hygiene item."),
    )
    grade_a_min = models.PositiveSmallIntegerField(
        _("grade A from (points)"), default=90, validators=[MaxValueValidator(100)]
    )
    grade_b_min = models.PositiveSmallIntegerField(
        _("grade B from (points)"), default=75, validators=[MaxValueValidator(100)]
    )
    serious_defects_cap = models.PositiveSmallIntegerField(
        _("serious defects that cap the grade at B"),
        default=2,
        help_text=_("A chart with at least this many serious defects is graded B at best (0: no cap)."),
    )
    sample_per_department = models.PositiveSmallIntegerField(
        _("charts drawn per department"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Used when no share is set."),
    )
    sample_share_pct = models.DecimalField(
        _("share of each department's discharges drawn (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
        help_text=_("When set, this share (rounded up) is drawn instead of a fixed number per department."),
    )

    class Meta:
        verbose_name = _("inspection settings")
        verbose_name_plural = _("inspection settings")

    def own_wait_target(self, department_id: int) -> int | None:
        """The waiting target a window has of its own (WindowTarget), or None."""
        own = WindowTarget.objects.filter(department_id=department_id).values_list(
            "target_minutes", flat=True
        )
        return next(iter(own), None)

    def wait_target_for(self, department_id: int) -> int:
        """The waiting target of one window: its own, else the standard one."""
        own = self.own_wait_target(department_id)
        return self.wait_target_minutes if own is None else own

    def __str__(self) -> str:
        return str(_("Inspection settings"))

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.grade_b_min >= self.grade_a_min:
            raise ValidationError(_("Grade B must start below grade A."))


class Transition(TransitionRecord):
    """One row per workflow step of a checklist version, a round, an audit or an appeal (each a
    machine in ``inspections.services``): who, when, which step, from, to, comment."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    @classmethod
    def subject_kwargs(cls, obj) -> dict:
        return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}

    def subject_model(self):
        return ContentType.objects.get_for_id(self.content_type_id).model_class()


class TemplateAction(models.TextChoices):
    CREATE = "create", _("New version created")
    PUBLISH = "publish", _("Published")
    RETIRE = "retire", _("Retired")


class RoundAction(models.TextChoices):
    START = "start", _("Round started")
    SUBMIT = "submit", _("Round submitted")
    DISCARD = "discard", _("Round discarded")
    SIGN_OFF = "sign_off", _("Round signed off on the spot")


class AuditAction(models.TextChoices):
    AUDIT = "audit", _("Chart audited")
    REGRADE = "regrade", _("Chart re-graded after appeal")


class AppealAction(models.TextChoices):
    RAISE = "raise", _("Appeal raised")
    DECIDE = "decide", _("Appeal decided")


# --- checklist templates ---------------------------------------------------------------------


class Area(models.TextChoices):
    OUTPATIENT = "outpatient", _("Outpatient hall")
    WARD = "ward", _("Ward")
    EMERGENCY = "emergency", _("Emergency")
    REGISTRATION = "registration", _("Registration window")
    BILLING = "billing", _("Billing window")
    PHARMACY = "pharmacy", _("Pharmacy window")
    GUIDANCE = "guidance", _("Guidance and consultation desk")
    APPOINTMENT = "appointment", _("Appointment window")
    REPORT_PRINTING = "report_printing", _("Report printing")
    SUPPORT = "support", _("Support unit")


WINDOW_AREAS = (
    Area.REGISTRATION,
    Area.BILLING,
    Area.PHARMACY,
    Area.GUIDANCE,
    Area.APPOINTMENT,
    Area.REPORT_PRINTING,
)


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ChecklistTemplate(models.Model):
    """One version of a checklist. A version used by a round never changes; editing makes a new one."""

    code = models.SlugField(_("code"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["area", "code", "-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="published"), name="one_published_checklist_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_used(self) -> bool:
        return self.rounds.exists()


class ItemKind(models.TextChoices):
    CHECK = "check", _("Pass / fail")
    WAIT_TIME = "wait_time", _("Window waiting time (minutes)")
    HAND_HYGIENE = "hand_hygiene", _("Hand hygiene (opportunities and washes)")


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    text = models.CharField(_("item"), max_length=200)
    guidance = models.CharField(_("how to check"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.CHECK)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The heading the item is shown under on the tablet (items of one section are contiguous in
    # ``sort_order``); empty: no heading.
    section = models.CharField(_("section"), max_length=64, blank=True)
    allow_na = models.BooleanField(_("may be marked not applicable"), default=True)
    photo_on_fail = models.BooleanField(_("photo required when failed"), default=False)
    # A measured item's own target: the longest acceptable wait in minutes, or the lowest
    # acceptable hand-hygiene compliance in percent. Empty: the standard one of InspectionSettings
    # (a window's own target, WindowTarget, still comes first for waiting times).
    target = models.DecimalField(_("target"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["template", "sort_order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text

    @property
    def heading(self) -> str:
        """What the item is shown under on the tablet: its section, else its finding category."""
        return self.section or self.category.name


# --- rounds ----------------------------------------------------------------------------------


class RoundType(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    UNANNOUNCED = "unannounced", _("Unannounced")
    NIGHT = "night", _("Night")
    SPECIAL = "special", _("Special")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    DISCARDED = "discarded", _("Discarded")


class InspectionRound(models.Model):
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="inspection_rounds", verbose_name=_("department")
    )
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("checklist")
    )
    round_type = models.CharField(_("type"), max_length=16, choices=RoundType.choices)
    started_at = models.DateTimeField(_("time"), default=timezone.now)
    location = models.CharField(_("location"), max_length=128, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspection_rounds", verbose_name=_("inspectors")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    passed = models.PositiveSmallIntegerField(_("passed"), default=0)
    failed = models.PositiveSmallIntegerField(_("failed"), default=0)
    not_applicable = models.PositiveSmallIntegerField(_("not applicable"), default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        indexes = [
            models.Index(fields=["department", "started_at"]),
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["round_type", "started_at"]),
            models.Index(fields=["-started_at", "-id"], name="round_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:round_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == RoundStatus.DRAFT


class AnswerResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class Disposition(models.TextChoices):
    FINDING = "finding", _("Own finding")
    MERGE = "merge", _("Merged into another item's finding")
    SKIP = "skip", _("No finding (skipped)")


class Answer(models.Model):
    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    result = models.CharField(_("result"), max_length=8, choices=AnswerResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    wait_minutes = models.DecimalField(
        _("waiting minutes"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(600)],
    )
    hh_opportunities = models.PositiveSmallIntegerField(
        _("hand-hygiene opportunities"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    hh_washes = models.PositiveSmallIntegerField(
        _("hand washes"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposition = models.CharField(_("disposition"), max_length=8, choices=Disposition.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    skip_reason = models.CharField(_("reason for no finding"), max_length=500, blank=True)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("finding")
    )

    class Meta:
        ordering = ["item__sort_order", "item_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="one_answer_per_item")]
        indexes = [
            models.Index(fields=["result", "round"]),
            # The window waiting times (selectors.window_waiting: the API's figures, the reports):
            # the measured answers are one in two hundred, and without it PostgreSQL read every
            # answer ever given to find them — 20–25 ms at five years (94,000 answers), 1.7 ms with it.
            # Answers with no minutes (nearly all) are not in it: no index write for them.
            models.Index(
                fields=["round"], condition=Q(wait_minutes__isnull=False), name="answer_wait_measured"
            ),
        ]

    def __str__(self) -> str:
        # Shown on the finding page as the link back to the round.
        return str(_("Inspection %(date)s · %(item)s")) % {
            "date": f"{timezone.localtime(self.round.started_at):%Y-%m-%d}",
            "item": self.item.text,
        }

    def get_absolute_url(self) -> str:
        return f"{reverse('inspections:round_detail', args=[self.round_id])}#item-{self.item_id}"

    @property
    def measurement(self) -> str:
        """ "complete", "half" (some of a measured item's values typed, not all) or "" (none typed).

        A half-filled measurement never decides a result and is never read as 0: 10 opportunities with
        the washes blank is not "0 washes"."""
        kind = self.item.kind
        if kind == ItemKind.WAIT_TIME:
            return "complete" if self.wait_minutes is not None else ""
        if kind == ItemKind.HAND_HYGIENE:
            typed = (self.hh_opportunities is not None, self.hh_washes is not None)
            if all(typed) and self.hh_opportunities > 0:
                return "complete"
            return "half" if any(typed) else ""
        return ""

    @property
    def is_half_filled(self) -> bool:
        return self.measurement == "half"


def signature_path(instance: RoundSignOff, filename: str) -> str:
    return f"inspections/signatures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.png"


class RoundSignOff(models.Model):
    """The ward's acknowledgement at the end of a round: its representative's name and a signature
    drawn on the tablet, beside the on-site report (score, failed items, the orders to follow)."""

    round = models.OneToOneField(
        InspectionRound, on_delete=models.CASCADE, related_name="sign_off", verbose_name=_("round")
    )
    signer_name = models.CharField(_("signed by"), max_length=64)
    signer_title = models.CharField(_("position"), max_length=64, blank=True)
    signature = models.FileField(_("signature"), upload_to=signature_path)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("on-site sign-off")
        verbose_name_plural = _("on-site sign-offs")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.signer_name}"


def photo_path(instance: AnswerPhoto, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/{timezone.now():%Y/%m}/{instance.token}.{ext}"


class AnswerPhoto(UploadedFile):
    """A photo taken during a round, before any finding exists. Served only through a scoped view;
    copied to ``supervision.Attachment`` on the finding when the round is submitted."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path)
    # Made by the tablet when the photo is taken (it may wait offline in the device's queue): a retry
    # after a lost response carries the same id, and the photo is stored once.
    client_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta(UploadedFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.UniqueConstraint(fields=["answer", "client_id"], name="one_photo_per_client_id"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("inspections:photo", args=[self.pk])


# --- plan ------------------------------------------------------------------------------------


class PlanEntry(models.Model):
    """The monthly inspection plan: how many rounds a department should get in a month."""

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="inspection_plan", verbose_name=_("department")
    )
    rounds_planned = models.PositiveSmallIntegerField(
        _("rounds planned"), default=1, validators=[MaxValueValidator(100)]
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "department__sort_order"]
        verbose_name = _("plan entry")
        verbose_name_plural = _("inspection plan")
        constraints = [models.UniqueConstraint(fields=["month", "department"], name="one_plan_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id} × {self.rounds_planned}"


class ScheduledRound(models.Model):
    """One round on the schedule: a department, a date and the inspector who will do it (weekly hygiene
    rounds per ward, monthly rounds per department, unannounced rounds on drawn dates). The round
    started for that department nearest the date (within ``LINK_DAYS``) is linked to it; a scheduled
    round whose date has passed without one is missed."""

    LINK_DAYS = 3

    date = models.DateField(_("date"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="scheduled_rounds", verbose_name=_("department")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    round_type = models.CharField(
        _("type"), max_length=16, choices=RoundType.choices, default=RoundType.ROUTINE
    )
    round = models.OneToOneField(
        InspectionRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scheduled",
        verbose_name=_("round"),
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "department__sort_order", "id"]
        verbose_name = _("scheduled round")
        verbose_name_plural = _("scheduled rounds")
        indexes = [models.Index(fields=["date"]), models.Index(fields=["department", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.department_id} → {self.inspector_id}"

    def status(self, today: dt.date) -> str:
        if self.round_id:
            return "done"
        return "missed" if self.date < today else "due"


class HandRubUse(models.Model):
    """Hand rub a ward used in a month, with its patient days: the consumption indicator of hand
    hygiene (ml per patient day), read beside the covert observations, which see only a few
    opportunities a round. Typed monthly from the pharmacy's issue list and the HIS's patient days."""

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="hand_rub_use", verbose_name=_("department")
    )
    litres = models.DecimalField(
        _("hand rub used (litres)"),
        max_digits=8,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )
    patient_days = models.PositiveIntegerField(
        _("patient days"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "department__sort_order"]
        verbose_name = _("hand-rub consumption")
        verbose_name_plural = _("hand-rub consumption")
        constraints = [models.UniqueConstraint(fields=["month", "department"], name="one_hand_rub_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}: {self.litres} L / {self.patient_days}"


# --- chart audits ----------------------------------------------------------------------------


class CriterionLevel(models.TextChoices):
    NORMAL = "normal", _("Normal defect")
    SERIOUS = "serious", _("Serious defect")
    VETO = "veto", _("Single veto")


class ChartCriterion(models.Model):
    """A scoring item of the 住院病历质量评分 form (seeded; editable in the admin)."""

    section = models.CharField(_("section"), max_length=32)
    text = models.CharField(_("item"), max_length=200)
    points = models.DecimalField(
        _("deduction per defect"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    max_points = models.DecimalField(
        _("maximum deduction"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    level = models.CharField(
        _("level"), max_length=8, choices=CriterionLevel.choices, default=CriterionLevel.NORMAL
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("chart audit criterion")
        verbose_name_plural = _("chart audit criteria")

    def __str__(self) -> str:
        return f"{self.section} · {self.text}"


class ChartSample(models.Model):
    """One month's draw. The seed and the rule are stored so the draw can be repeated and defended."""

    month = models.DateField(_("discharge month"), unique=True, help_text=_("First day of the month."))
    seed = models.BigIntegerField(_("seed"))
    rule = models.JSONField(_("rule"))
    population = models.PositiveIntegerField(_("discharges in the month"), default=0)
    size = models.PositiveIntegerField(_("charts drawn"), default=0)
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("chart sample")
        verbose_name_plural = _("chart samples")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class AuditStatus(models.TextChoices):
    PENDING = "pending", _("To audit")
    COMPLETED = "completed", _("Audited")


class Grade(models.TextChoices):
    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")


class ChartAudit(models.Model):
    sample = models.ForeignKey(ChartSample, on_delete=models.PROTECT, related_name="audits")
    stay = models.ForeignKey(DischargeStay, on_delete=models.PROTECT, related_name="chart_audits")
    # Copied from the stay so that scoping and figures need no join.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="chart_audits", verbose_name=_("department")
    )
    doctor_name = models.CharField(_("responsible doctor"), max_length=64, blank=True)
    doctor = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("doctor")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AuditStatus.choices, default=AuditStatus.PENDING
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    vetoed = models.BooleanField(_("single veto"), default=False)
    is_problem = models.BooleanField(_("problem chart"), default=False)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("finding")
    )

    class Meta:
        ordering = ["department__sort_order", "stay__admission_no"]
        verbose_name = _("chart audit")
        verbose_name_plural = _("chart audits")
        constraints = [models.UniqueConstraint(fields=["sample", "stay"], name="one_audit_per_stay")]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["sample", "status"]),
            models.Index(fields=["status", "audited_at"]),
            models.Index(fields=["department", "audited_at"]),
            models.Index(fields=["-sample", "department", "id"], name="chartaudit_list_order"),
        ]

    def __str__(self) -> str:
        return str(_("Chart audit %(admission_no)s")) % {"admission_no": self.stay.admission_no}

    def get_absolute_url(self) -> str:
        return reverse("inspections:audit_detail", args=[self.pk])


class Deduction(models.Model):
    audit = models.ForeignKey(ChartAudit, on_delete=models.CASCADE, related_name="deductions")
    criterion = models.ForeignKey(ChartCriterion, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("defects"), default=1, validators=[MinValueValidator(1)])
    points = models.DecimalField(_("points deducted"), max_digits=4, decimal_places=1)
    note = models.CharField(_("note"), max_length=500, blank=True)
    withdrawn = models.BooleanField(_("withdrawn on appeal"), default=False)

    class Meta:
        ordering = ["criterion__sort_order", "id"]
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        constraints = [models.UniqueConstraint(fields=["audit", "criterion"], name="one_deduction_per_item")]

    def __str__(self) -> str:
        return f"{self.criterion} −{self.points}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for decision")
    UPHELD = "upheld", _("Upheld: deduction withdrawn")
    REJECTED = "rejected", _("Rejected: deduction stands")


class Appeal(models.Model):
    """申诉: a department head contests one deduction; a supervisor decides."""

    deduction = models.ForeignKey(Deduction, on_delete=models.CASCADE, related_name="appeals")
    # Copied for scoping without a join.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["deduction"], condition=Q(status="pending"), name="one_pending_appeal_per_deduction"
            )
        ]
        indexes = [models.Index(fields=["status", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.deduction_id} {self.status}"
