"""Discharge follow-up (出院随访): policies, daily draws, call tasks, attempts, spot-checks.

The stay itself is ``supervision.models.DischargeStay`` (imported from the HIS). A stay has one
``FollowupTask`` per time point of its follow-up plan (``FollowupPlan`` → ``PlanPoint``; without a
plan, the department policy's window is the one time point); every call, letter or web form about
a task is a ``CallAttempt``. The follow-up rate counts each stay once, when any of its tasks has
``contacted=True`` (set by the services when an attempt reaches the patient or family and is not
refused, a letter is recorded as returned or a web form is completed).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.models import Department, DischargeStay, Staff
from supervision.workflow import TransitionRecord


class RetryBeyondWindow(models.TextChoices):
    LAST_DAY = "last_day", _("Move the retry to the window's last day")
    EXTEND = "extend", _("Extend the window to the retry")


class RetryAdjustment(models.TextChoices):
    """What was done to the next attempt to keep it inside the window (shown on the call screen)."""

    NONE = "", _("Inside the window")
    HOURS = "hours", _("Moved into the calling hours")
    MOVED = "moved", _("Moved to the window's last day")
    EXTENDED = "extended", _("Window extended to the retry")
    NO_TIME_LEFT = "no_time", _("No calling time left in the window")


class FollowupPolicy(models.Model):
    """How one department's discharges are followed up; ``department=None`` is the default policy."""

    department = models.OneToOneField(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followup_policy",
        verbose_name=_("department"),
        help_text=_("Leave empty for the default policy used by departments without one."),
    )
    active = models.BooleanField(_("follow up this department"), default=True)
    share_percent = models.PositiveSmallIntegerField(
        _("share to follow up (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("100 = every eligible discharge; 10 = a random 10 %."),
    )
    window_start_day = models.PositiveSmallIntegerField(
        _("first day after discharge"), default=3, validators=[MaxValueValidator(90)]
    )
    window_end_day = models.PositiveSmallIntegerField(
        _("last day after discharge"), default=7, validators=[MaxValueValidator(120)]
    )
    exclude_died = models.BooleanField(_("exclude patients who died in hospital"), default=True)
    exclude_opted_out = models.BooleanField(_("exclude patients who opted out"), default=True)
    exclude_diagnosis_keywords = models.CharField(
        _("exclude diagnoses containing"),
        max_length=500,
        blank=True,
        help_text=_(
            "Comma-separated words; stays whose discharge diagnosis contains one are not called "
            "(e.g. selective follow-up on psychiatric wards)."
        ),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum call attempts"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    retry_spacing_hours = models.PositiveSmallIntegerField(
        _("hours between attempts"), default=24, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    retry_beyond_window = models.CharField(
        _("a retry after the window closes"),
        max_length=8,
        choices=RetryBeyondWindow.choices,
        default=RetryBeyondWindow.LAST_DAY,
        help_text=_(
            "When the next attempt after an unreached call would fall after the window's last day: "
            "try on the last day instead, or extend the window to the retry."
        ),
    )
    # The office's calling hours: a retry is only ever set inside them (never a 01:29 call).
    calling_from = models.TimeField(
        _("calls from"), default=dt.time(8), help_text=_("Retries are set inside the calling hours.")
    )
    calling_until = models.TimeField(_("calls until"), default=dt.time(20))
    calling_working_days_only = models.BooleanField(
        _("call on working days only"),
        default=False,
        help_text=_("Retries skip weekends and public holidays (the hospital's working-day calendar)."),
    )
    letter_when_no_phone = models.BooleanField(_("send a letter when there is no phone"), default=True)
    questionnaire_code = models.SlugField(
        _("questionnaire code"),
        max_length=32,
        default="inpatient",
        blank=True,
        help_text=_("The survey questionnaire asked during the call (its current published version)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["department__sort_order", "department__code"]
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(department__isnull=True), name="followup_one_default_policy"
            ),
            models.CheckConstraint(
                condition=Q(window_end_day__gte=models.F("window_start_day")), name="followup_window_order"
            ),
            models.CheckConstraint(
                condition=Q(calling_until__gt=models.F("calling_from")), name="followup_calling_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return self.department.name if self.department_id else str(_("Default policy"))

    @property
    def diagnosis_keywords(self) -> list[str]:
        text = self.exclude_diagnosis_keywords.replace("，", ",").replace("、", ",")
        return [w.strip() for w in text.split(",") if w.strip()]


class DutyRoster(models.Model):
    """Follow-up staff on duty on a day; the morning queue is shared among them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="followup_duties",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))

    class Meta:
        ordering = ["-day", "user__username"]
        verbose_name = _("duty roster entry")
        verbose_name_plural = _("duty roster")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="followup_duty_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.user}"


class QueueDraw(models.Model):
    """One recorded draw: which stays of one department and discharge day were eligible and chosen."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    discharged_on = models.DateField(_("discharged on"))
    sequence = models.PositiveSmallIntegerField(default=1)
    built_on = models.DateField(_("built on"))
    policy_snapshot = models.JSONField(default=dict)
    rule = models.CharField(_("rule"), max_length=200)
    seed = models.BigIntegerField(_("seed"))
    considered_ids = models.JSONField(default=list)
    excluded = models.JSONField(default=dict)  # stay id → reason code
    eligible_ids = models.JSONField(default=list)
    selected_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discharged_on", "department_id", "sequence"]
        verbose_name = _("queue draw")
        verbose_name_plural = _("queue draws")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "discharged_on", "sequence"], name="followup_draw_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.discharged_on} #{self.sequence}"


class TaskMode(models.TextChoices):
    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")
    WEB = "web", _("Web form")


class FollowupPlan(models.Model):
    """The time points a department's discharges (or one diagnosis within it) are followed up at.

    Plans are versioned: editing one saves a new row from ``effective_from`` (``replaces`` the old),
    so a change applies to stays discharged from that day on and the tasks already built keep theirs.
    The plan of a stay is the most specific match in force on its discharge day (``plans.plan_for``).
    """

    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followup_plans",
        verbose_name=_("department"),
        help_text=_("Leave empty for a plan used by every department without one of its own."),
    )
    name = models.CharField(_("name"), max_length=100)
    icd_prefix = models.CharField(
        _("ICD-10 code starts with"),
        max_length=16,
        blank=True,
        help_text=_("E.g. I21 for every acute myocardial infarction; empty for the whole department."),
    )
    diagnosis_text = models.CharField(
        _("diagnosis contains"),
        max_length=100,
        blank=True,
        help_text=_("Used when the stay has no ICD-10 code, or together with it (either matches)."),
    )
    restart_on_readmission = models.BooleanField(
        _("restart the plan on readmission"),
        default=True,
        help_text=_(
            "When the patient is discharged again, the earlier stay's later time points are cancelled "
            "and the plan starts again from the new discharge."
        ),
    )
    active = models.BooleanField(
        _("in force"), default=True, help_text=_("A version not in force stops the plan from its date on.")
    )
    effective_from = models.DateField(_("for stays discharged from"))
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("replaces")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [
            "department__sort_order",
            "department__code",
            "icd_prefix",
            "diagnosis_text",
            "-effective_from",
        ]
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        indexes = [models.Index(fields=["department", "effective_from"], name="fu_plan_dept_from")]

    def __str__(self) -> str:
        return self.name

    @property
    def for_diagnosis(self) -> bool:
        return bool(self.icd_prefix or self.diagnosis_text)

    def matches(self, code: str, diagnosis: str) -> bool:
        """Whether a stay with this ICD-10 code and diagnosis text falls under the plan."""
        if not self.for_diagnosis:
            return True
        if self.icd_prefix and (code or "").upper().replace(" ", "").startswith(self.icd_prefix.upper()):
            return True
        return bool(self.diagnosis_text and self.diagnosis_text in (diagnosis or ""))


class PlanPoint(models.Model):
    """One time point of a plan: a task with its own window, retries and questionnaire.

    ``repeat_every_months`` > 0 repeats the point ``repeat_times`` times (chronic disease: every 3
    months, 4 times); each repetition is a task of its own.
    """

    plan = models.ForeignKey(FollowupPlan, on_delete=models.CASCADE, related_name="points")
    day = models.IntegerField(
        _("day after discharge"), help_text=_("The window opens this many days after discharge.")
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"), default=4, validators=[MaxValueValidator(60)],
        help_text=_("The task stays open this many days after its first day."),
    )  # fmt: skip
    mode = models.CharField(_("mode"), max_length=8, choices=TaskMode.choices, default=TaskMode.PHONE)
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum call attempts"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    retry_spacing_hours = models.PositiveSmallIntegerField(
        _("hours between attempts"), default=24, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    questionnaire_code = models.SlugField(
        _("questionnaire code"), max_length=32, default="inpatient", blank=True
    )
    repeat_every_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"), default=0, validators=[MaxValueValidator(24)], help_text=_("0 = once.")
    )
    repeat_times = models.PositiveSmallIntegerField(
        _("times"), default=1, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("web link valid (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "A web form's personal link works this many days after it is issued — at least until the "
            "window closes, never into the next time point."
        ),
    )

    class Meta:
        ordering = ["plan", "day", "id"]
        verbose_name = _("time point")
        verbose_name_plural = _("time points")

    def __str__(self) -> str:
        return f"{self.plan} · {self.day}"


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    CALLBACK = "callback", _("Call back scheduled")
    DONE = "done", _("Finished")
    EXPIRED = "expired", _("Window passed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.CALLBACK)


class Disposition(models.TextChoices):
    """AAPOR-style final dispositions."""

    COMPLETE = "complete", _("Complete")
    PARTIAL = "partial", _("Partial")
    REFUSAL = "refusal", _("Refusal")
    NON_CONTACT = "non_contact", _("Non-contact")
    OTHER = "other", _("Other")
    INELIGIBLE = "ineligible", _("Ineligible")


class TaskSource(models.TextChoices):
    QUEUE = "queue", _("Daily queue")
    HISTORY = "history", _("Imported history")
    MANUAL = "manual", _("Added by hand")


class FollowupTask(models.Model):
    # One task per time point of the stay's plan: ``point`` numbers them 1, 2, 3 … in time order
    # (the data before plans is point 1, the policy window); ``point_day`` is the day after
    # discharge the point's window opens, the key of the rate per time point.
    # No index of its own: the unique (stay, point) constraint's index serves every look-up by stay
    # (docs/performance.md → "The task table's indexes (stop 19)").
    stay = models.ForeignKey(
        DischargeStay,
        on_delete=models.PROTECT,
        related_name="followup_tasks",
        verbose_name=_("stay"),
        db_index=False,
    )
    point = models.PositiveSmallIntegerField(_("time point"), default=1)
    point_day = models.PositiveSmallIntegerField(_("day after discharge"), default=0)
    plan_point = models.ForeignKey(
        PlanPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("time point"),
    )
    letter_sent_on = models.DateField(_("letter sent on"), null=True, blank=True)
    letter_returned_on = models.DateField(_("letter returned on"), null=True, blank=True)
    # Served by fu_task_dept_status, whose first column it is.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="followup_tasks",
        verbose_name=_("department"),
        db_index=False,
    )
    # Looked up by equality only: a plain index (Meta), not db_index's second pattern-ops index on
    # PostgreSQL, which serves LIKE 'prefix%' and no query here.
    patient_key = models.CharField(max_length=96, blank=True)
    mode = models.CharField(_("mode"), max_length=8, choices=TaskMode.choices, default=TaskMode.PHONE)
    source = models.CharField(max_length=8, choices=TaskSource.choices, default=TaskSource.QUEUE)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    due_on = models.DateField(_("due on"))
    expires_on = models.DateField(_("window ends"))
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    retry_adjustment = models.CharField(
        _("retry adjusted"), max_length=8, choices=RetryAdjustment.choices, default="", blank=True
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=3)
    retry_spacing_hours = models.PositiveSmallIntegerField(default=24)
    questionnaire_code = models.CharField(max_length=32, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_tasks",
        verbose_name=_("assigned to"),
        db_index=False,  # served by fu_task_mine, whose first column it is
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # served by fu_task_claimed, whose first column it is
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    contacted = models.BooleanField(_("completed contact"), default=False)
    disposition = models.CharField(
        pgettext_lazy("follow-up", "disposition"), max_length=12, choices=Disposition.choices, blank=True
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    draw = models.ForeignKey(
        QueueDraw, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_on"], name="fu_task_mine"),
            models.Index(fields=["status", "due_on"], name="fu_task_status_due"),
            models.Index(fields=["department", "status"], name="fu_task_dept_status"),
            models.Index(fields=["claimed_by", "status"], name="fu_task_claimed"),
            # The call list: every task, newest due date first (docs/performance.md).
            models.Index(fields=["due_on", "id"], name="fu_task_due_id"),
            models.Index(fields=["patient_key"], name="fu_task_patient_key"),
            # The pool (selectors.pool_tasks: unassigned, to do, oldest first), on every caller's
            # page: a few dozen rows among hundreds of thousands. Without it PostgreSQL walked
            # fu_task_due_id in order and filtered 243,000 tasks to find the first ten (64 ms at
            # large), misled by an estimate that does not know most tasks are assigned
            # (docs/performance.md → "The task table's indexes (stop 19)").
            models.Index(
                fields=["due_on", "id"],
                name="fu_task_pool",
                condition=models.Q(assigned_to__isnull=True, status="pending"),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["stay", "point"], name="followup_task_point_once")]

    def __str__(self) -> str:
        return f"{self.stay.admission_no} {self.stay.patient_name}"

    def get_absolute_url(self) -> str:
        return reverse("followups:task_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def claim_active(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.claimed_by_id and self.claim_expires_at and self.claim_expires_at > now)

    def held_by(self, user, now=None) -> bool:
        return self.claim_active(now) and self.claimed_by_id == user.pk


class TaskAction(models.TextChoices):
    """The steps of a task's machine (``followups.services.TASKS``) and those outside its table."""

    CLAIM = "claim", _("Take the task")
    RELEASE = "release", _("Put it back")
    CALL = "call", _("Record the call")
    LETTER = "letter", _("Record the letter follow-up")
    # Outside the table: a supervisor's manual addition, the morning's expiry, a death's cascade.
    CREATE = "create", _("Added by hand")
    EXPIRE = "expire", _("Window passed")
    CANCEL = "cancel", _("Cancelled")
    WEB = "web", _("Web form completed")


class TaskTransition(TransitionRecord):
    """One row per step of a follow-up task (``supervision.workflow``). Append-only."""

    subject_field = "task"
    task = models.ForeignKey(FollowupTask, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("task transition")
        verbose_name_plural = _("task transitions")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    WRONG_NUMBER = "wrong_number", _("Wrong or empty number")
    SWITCHED_OFF = "switched_off", _("Switched off")
    NO_ANSWER = "no_answer", _("No answer")
    REFUSED = "refused", _("Refused")
    SCAM_HANGUP = "scam_hangup", _("Hung up, took it for a scam")
    BARRIER = "barrier", _("Hearing or language barrier")
    TRANSFERRED = "transferred", _("Transferred to another hospital")
    READMITTED = "readmitted", _("Readmitted")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")
    LETTER_DONE = "letter_done", _("Letter follow-up done")
    WEB_DONE = "web_done", _("Web form completed")


# outcome → (final disposition, counts as a completed contact, may be retried)
OUTCOME_RULES: dict[str, tuple[str, bool, bool]] = {
    Outcome.REACHED: (Disposition.COMPLETE, True, False),
    Outcome.WRONG_NUMBER: (Disposition.NON_CONTACT, False, False),
    Outcome.SWITCHED_OFF: (Disposition.NON_CONTACT, False, True),
    Outcome.NO_ANSWER: (Disposition.NON_CONTACT, False, True),
    Outcome.REFUSED: (Disposition.REFUSAL, False, False),
    Outcome.SCAM_HANGUP: (Disposition.REFUSAL, False, True),
    Outcome.BARRIER: (Disposition.OTHER, False, False),
    Outcome.TRANSFERRED: (Disposition.OTHER, False, False),
    Outcome.READMITTED: (Disposition.INELIGIBLE, False, False),
    Outcome.DECEASED: (Disposition.INELIGIBLE, False, False),
    Outcome.OTHER: (Disposition.OTHER, False, False),
    Outcome.LETTER_DONE: (Disposition.COMPLETE, True, False),
    Outcome.WEB_DONE: (Disposition.COMPLETE, True, False),
}


class Satisfaction(models.TextChoices):
    NOT_ASKED = "", _("Not asked")
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Not satisfied")


class FeedbackKind(models.TextChoices):
    NONE = "", _("None")
    SUGGESTION = "suggestion", _("Suggestion (recorded)")
    COMPLAINT = "complaint", _("Complaint (to the complaints office)")
    FINDING = "finding", _("Service problem (finding with rectification)")


class _Coding(models.Model):
    """A configurable list the office keeps in the admin (code, name, order, active)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class DissatisfactionDomain(_Coding):
    """What a not-satisfied patient was unhappy with, broadly (医疗, 护理, 后勤, 费用, 沟通, 其他)."""

    class Meta(_Coding.Meta):
        verbose_name = _("dissatisfaction domain")
        verbose_name_plural = _("dissatisfaction domains")


class DissatisfactionTopic(_Coding):
    """The specific matter (费用不清, 静脉穿刺, 热水供应 …); its domain groups it on the call screen."""

    domain = models.ForeignKey(
        DissatisfactionDomain,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("dissatisfaction domain"),
    )

    class Meta(_Coding.Meta):
        verbose_name = _("dissatisfaction topic")
        verbose_name_plural = _("dissatisfaction topics")


class GuidanceKind(_Coding):
    """A kind of guidance given on a call (健康指导, 咨询解答, 指导复查, 解决疑难问题, 化解意见)."""

    class Meta(_Coding.Meta):
        verbose_name = _("kind of guidance")
        verbose_name_plural = _("kinds of guidance")


class CallerAlias(models.Model):
    """A caller's name as written in imported follow-up records, mapped to the Ducha user it means."""

    name = models.CharField(_("name as written"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("caller name mapping")
        verbose_name_plural = _("caller name mappings")

    def __str__(self) -> str:
        return f"{self.name} → {self.user}"


class StarWard(models.Model):
    """星级病房: a ward's designation for one year, kept by the office."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("ward")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    designated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "department__sort_order", "department__code"]
        verbose_name = _("star ward")
        verbose_name_plural = _("star wards")
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="followup_star_ward_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.department}"


class CallAttempt(models.Model):
    """One call (or letter) about a task, made in Ducha or imported from past spreadsheets."""

    task = models.ForeignKey(FollowupTask, on_delete=models.CASCADE, related_name="attempts")
    mode = models.CharField(_("mode"), max_length=8, choices=TaskMode.choices, default=TaskMode.PHONE)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followup_calls",
        verbose_name=_("caller"),
    )
    caller_name = models.CharField(_("caller name"), max_length=64, blank=True)
    attempted_at = models.DateTimeField(_("at"), default=timezone.now)
    attempted_on = models.DateField(_("date"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    disposition = models.CharField(
        pgettext_lazy("follow-up", "disposition"), max_length=12, choices=Disposition.choices
    )
    contacted = models.BooleanField(_("completed contact"), default=False)
    ended_early = models.BooleanField(_("interview ended early"), default=False)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    guidance_given = models.BooleanField(_("health guidance given"), default=False)
    guidance_kinds = models.ManyToManyField(
        GuidanceKind, blank=True, related_name="+", verbose_name=_("guidance given")
    )
    return_visit_on = models.DateField(_("return-visit date reminded"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True, default=""
    )
    dissatisfied_domain = models.ForeignKey(
        DissatisfactionDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("not satisfied with"),
    )
    dissatisfied_topics = models.ManyToManyField(
        DissatisfactionTopic, blank=True, related_name="+", verbose_name=_("dissatisfaction topics")
    )
    praise = models.TextField(_("praise"), blank=True, max_length=2000)
    praised_staff = models.ManyToManyField(
        Staff, blank=True, related_name="+", verbose_name=_("staff praised")
    )
    feedback_kind = models.CharField(
        _("complaint or suggestion"), max_length=16, choices=FeedbackKind.choices, blank=True, default=""
    )
    feedback = models.TextField(_("complaint or suggestion text"), blank=True, max_length=4000)
    complaint_id = models.PositiveBigIntegerField(null=True, blank=True)
    finding = models.ForeignKey(
        "supervision.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    survey_response_id = models.PositiveBigIntegerField(null=True, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    history_key = models.CharField(max_length=160, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        indexes = [
            models.Index(fields=["caller", "attempted_on"], name="fu_attempt_caller_day"),
            models.Index(fields=["task", "attempted_at"], name="fu_attempt_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.get_outcome_display()}"


class WebLink(models.Model):
    """A patient's personal link to a web time point's questionnaire.

    Only the SHA-256 of the token is stored (the link is shown once, on the printed letter); it
    expires, and it is used once: the completed form closes the task. Issuing a new link for the
    task revokes the older ones.
    """

    task = models.ForeignKey(FollowupTask, on_delete=models.CASCADE, related_name="web_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("web follow-up link")
        verbose_name_plural = _("web follow-up links")

    def __str__(self) -> str:
        return f"{self.task_id} {self.expires_at:%Y-%m-%d}"


class PatientFlag(models.Model):
    """A person never to be called again (deceased) or who opted out, keyed by name + phone."""

    patient_key = models.CharField(max_length=96, unique=True)
    deceased = models.BooleanField(_("deceased"), default=False)
    opted_out = models.BooleanField(_("opted out"), default=False)
    stay = models.ForeignKey(
        DischargeStay, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The message key of the note the application wrote (followups.texts), worded when shown; a
    # note from before keys that the migration could not read back is shown as written.
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("patient flag")
        verbose_name_plural = _("patient flags")

    def __str__(self) -> str:
        # Shown in the admin and in logs: masked by the one rule (the key is name|phone).
        from supervision.privacy import mask_name, mask_phone

        name, _sep, phone = self.patient_key.partition("|")
        return f"{mask_name(name)} {mask_phone(phone)}".strip()

    @property
    def note_text(self) -> str:
        """The note in the active language."""
        from supervision.infra.wording import render

        return render(self.note, fallback=self.note) if self.note else ""


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Refused")


class ImportJob(models.Model):
    """A large import run by Celery; the page polls ``processed``/``total``."""

    kind = models.CharField(max_length=16)
    file = models.FileField(upload_to="followup-imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a worker claims the job and at every progress step: a running job whose heartbeat
    # is older than IMPORT_JOBS_STALE_MINUTES lost its worker (killed, out of memory, redeployed).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    def is_stale(self, now=None) -> bool:
        if self.status != ImportJobStatus.RUNNING or self.heartbeat_at is None:
            return False
        minutes = getattr(settings, "IMPORT_JOBS_STALE_MINUTES", 15)
        return self.heartbeat_at < (now or timezone.now()) - dt.timedelta(minutes=minutes)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    # The report keeps its messages as key + parameters: worded here in the reader's language.
    @property
    def file_error_text(self) -> str:
        from supervision.infra.imports.texts import shown

        return shown((self.report or {}).get("file_error"))

    @property
    def error_rows(self) -> list[dict]:
        from supervision.infra.imports.texts import shown_errors

        return shown_errors((self.report or {}).get("errors"))


class SpotCheckDraw(models.Model):
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    requested_size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField(default=0)
    selected_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["-drawn_at"]
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} ({self.requested_size})"


class SpotCheckResult(models.TextChoices):
    PENDING = "pending", _("To re-call")
    CONFIRMED = "confirmed", _("Confirmed the call")
    DENIED = "denied", _("Denied being called")
    UNREACHABLE = "unreachable", _("Could not be reached")


class SpotCheck(models.Model):
    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.CASCADE, related_name="checks")
    task = models.ForeignKey(FollowupTask, on_delete=models.CASCADE, related_name="spot_checks")
    # The attempt that was verified (the reached call) and its caller, copied for the rates.
    attempt = models.ForeignKey(CallAttempt, on_delete=models.CASCADE, related_name="+")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(
        _("result"), max_length=12, choices=SpotCheckResult.choices, default=SpotCheckResult.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_on = models.DateField(null=True, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["draw", "id"]
        verbose_name = _("spot-check")
        verbose_name_plural = _("spot-checks")
        constraints = [models.UniqueConstraint(fields=["draw", "task"], name="followup_spotcheck_once")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.result}"
