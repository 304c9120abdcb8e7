"""Models of the reports app: one row per built (or being built) report file, and the scorecard weights."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.models import Department, SingletonModel
from supervision.workflow import TransitionRecord

ALL_SCOPE = "all"


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    ANNUAL = "annual", _("Annual summary")
    RANGE = "range", _("Report for a date range")
    # 院周会通报: the orders at the escalation ladder's weekly-meeting rung, one page, every Monday.
    WEEKLY_MEETING = "weekly", _("Hospital weekly meeting list")


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel")
    # The written summary (annual, half-year, quarterly) only: the office edits it further in Word.
    DOCX = "docx", _("Word")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("report status", "Failed")


def scope_key_for(department_ids) -> str:
    """'all' for the hospital-wide version, else the sorted department ids ('3,7')."""
    ids = sorted({int(i) for i in department_ids or ()})
    return ",".join(str(i) for i in ids) if ids else ALL_SCOPE


class Report(models.Model):
    """One report file. (kind, period, scope, format) is unique: building it again replaces it."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scope_key = models.CharField(_("scope"), max_length=255, default=ALL_SCOPE, editable=False)
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("departments"),
        help_text=_("Empty: the whole hospital."),
    )
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty when built by the schedule."),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    build_count = models.PositiveIntegerField(_("times built"), default=0)

    class Meta:
        ordering = ["-period_start", "kind", "scope_key", "format"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end", "scope_key", "format"],
                name="one_report_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_hospital_wide(self) -> bool:
        return self.scope_key == ALL_SCOPE

    @property
    def period_label(self) -> str:
        from .periods import period_label

        return period_label(self.kind, self.period_start, self.period_end)

    @property
    def title(self) -> str:
        return self.title_of(self.kind, self.period_start, self.period_end)

    @staticmethod
    def title_of(kind: str, period_start: dt.date, period_end: dt.date) -> str:
        """``title`` from the values alone, for rows read without an instance."""
        from .periods import period_label

        return f"{period_label(kind, period_start, period_end)} {dict(ReportKind.choices).get(kind, kind)}"

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        """A 'building' row whose worker has not reported for REPORTS_STALE_MINUTES (it died)."""
        if self.status != ReportStatus.BUILDING or self.started_at is None:
            return False
        now = now or timezone.now()
        minutes = getattr(settings, "REPORTS_STALE_MINUTES", 30)
        return now - self.started_at > dt.timedelta(minutes=minutes)

    @property
    def in_progress(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.BUILDING)


class ReportAction(models.TextChoices):
    """The steps of a report's machine (``reports.services.REPORTS``)."""

    REQUEST = "request", _("Requested")
    RETRY = "retry", _("Retry")
    BUILD = "build", _("Build started")
    FAIL = "fail", _("Build failed")
    FINISH = "finish", _("Build finished")


class ReportEvent(TransitionRecord):
    """One row per status change of a report (``supervision.workflow``). Append-only."""

    subject_field = "report"
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    # A requester may leave; the report's history stays, without their name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("report event")
        verbose_name_plural = _("report events")


def _pct_target(label, default):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=1,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


def _weight(label, default):
    return models.PositiveSmallIntegerField(label, default=default, validators=[MaxValueValidator(100)])


class ReportConfig(SingletonModel):
    """Targets shown against actuals and the weights of the department scorecard.

    One row, edited by administrators in the admin (报表参数). Each scorecard component is a score
    from 0 to 100 (docs/reports.md); a department's total is the weighted mean of the components
    it has data for.
    """

    target_rectification_rate = _pct_target(_("target rectification rate (%)"), 95)
    target_on_time_rate = _pct_target(_("target on-time rectification rate (%)"), 90)
    target_satisfaction = _pct_target(_("target overall satisfaction (%)"), 90)
    target_followup_rate = _pct_target(_("target follow-up rate (%)"), 50)
    target_window_wait_minutes = models.PositiveSmallIntegerField(
        _("target window waiting time (minutes)"), default=10
    )
    target_questionnaires_per_year = models.PositiveIntegerField(
        _("target questionnaires per year"), default=2000
    )

    weight_rectification = _weight(_("weight: rectification rate"), 20)
    weight_on_time = _weight(_("weight: on-time rectification rate"), 15)
    weight_recurrence = _weight(_("weight: no recurrences"), 15)
    weight_satisfaction = _weight(_("weight: satisfaction"), 20)
    weight_followup = _weight(_("weight: follow-up rate"), 15)
    weight_complaints = _weight(_("weight: valid complaints"), 15)
    complaint_penalty = models.PositiveSmallIntegerField(
        _("points off per valid complaint"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The complaint score is 100 less this many points per valid complaint (not below 0)."),
    )
    min_weight_share = models.PositiveSmallIntegerField(
        _("minimum share of the weights to be ranked (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A department with figures for less than this share of the total weight is listed but not ranked."
        ),
    )
    recurrence_penalty = models.PositiveSmallIntegerField(
        _("points off per recurrence"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The recurrence score is 100 less this many points per recurrence (not below 0)."),
    )

    class Meta:
        verbose_name = _("report parameters")
        verbose_name_plural = _("report parameters")

    def __str__(self) -> str:
        return str(_("Report parameters"))

    def weights(self) -> dict[str, int]:
        return {
            "rectification": self.weight_rectification,
            "on_time": self.weight_on_time,
            "recurrence": self.weight_recurrence,
            "satisfaction": self.weight_satisfaction,
            "followup": self.weight_followup,
            "complaints": self.weight_complaints,
        }


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("summary status", "Draft")
    FINAL = "final", pgettext_lazy("summary status", "Finalised")


class SummaryAction(models.TextChoices):
    """The steps of a written summary's machine (``reports.services.SUMMARIES``), labelled as its
    history shows them: past events (起草、保存、定稿). The buttons carry their own labels in the table."""

    CREATE = "create", pgettext_lazy("summary event", "Drafted")
    SAVE = "save", pgettext_lazy("summary event", "Saved")
    REGENERATE = "regenerate", pgettext_lazy("summary event", "Figures regenerated")
    FINALISE = "finalise", pgettext_lazy("summary event", "Finalised")


# The four parts of the written summary, in order (docs/reports.md, "The written summary").
SUMMARY_PARTS = ("work", "results", "problems", "measures")


class WrittenSummary(models.Model):
    """The office's written summary of a year, half-year or quarter (工作总结): the four parts'
    generated paragraphs (message keys + parameters, worded when shown), the office's own text of
    each part and the typical cases it picked. Drafted, saved, regenerated (figures update, the
    office's words stay) and finalised (frozen, its files kept) through ``reports.services.SUMMARIES``.
    """

    # The report kind it heads: "annual", or "range" for a half-year or a quarter.
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scope_key = models.CharField(_("scope"), max_length=255, default=ALL_SCOPE, editable=False)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    # {part: [{"key": ..., "params": {...}}, ...]}: the generated paragraphs, worded when shown
    generated = models.JSONField(_("generated paragraphs"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("figures generated at"), null=True, blank=True)
    text_work = models.TextField(_("work done: the office's text"), blank=True, max_length=20000)
    text_results = models.TextField(_("results: the office's text"), blank=True, max_length=20000)
    text_problems = models.TextField(_("problems: the office's text"), blank=True, max_length=20000)
    text_measures = models.TextField(_("measures: the office's text"), blank=True, max_length=20000)
    # [{"kind": "finding"|"complaint"|"praise", "id": n, "params": {...}}]: a snapshot of each case
    cases = models.JSONField(_("typical cases"), default=list, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    # The files of a finalised summary, kept as they were finalised.
    pdf_file = models.FileField(_("PDF file"), max_length=255, blank=True)
    docx_file = models.FileField(_("Word file"), max_length=255, blank=True)

    class Meta:
        ordering = ["-period_start", "period_end", "scope_key"]
        verbose_name = _("written summary")
        verbose_name_plural = _("written summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "scope_key"], name="one_written_summary_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:summary", args=[self.pk])

    @property
    def is_hospital_wide(self) -> bool:
        return self.scope_key == ALL_SCOPE

    @property
    def is_final(self) -> bool:
        return self.status == SummaryStatus.FINAL

    @property
    def period_label(self) -> str:
        from .periods import written_period_label

        return written_period_label(self.period_start, self.period_end)

    @property
    def title(self) -> str:
        # capfirst: the English period label starts in lower case ("fourth quarter of 2026").
        return capfirst(_("%(period)s work summary") % {"period": self.period_label})

    def office_text(self, part: str) -> str:
        return getattr(self, f"text_{part}")


class SummaryEvent(TransitionRecord):
    """One row per step of a written summary (drafted, saved, regenerated, finalised). Append-only."""

    subject_field = "summary"
    summary = models.ForeignKey(WrittenSummary, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("written summary event")
        verbose_name_plural = _("written summary events")

    @property
    def action_label(self):
        """The step as a past event ("Saved"), not the button that took it ("Save")."""
        return SummaryAction(self.action).label if self.action in SummaryAction.values else self.action

    action_label.fget.short_description = _("action")
