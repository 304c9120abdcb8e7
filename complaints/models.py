"""Complaints (投诉): intake from every channel, first-contact ownership, workflow, working-day calendar.

Status changes happen only in ``complaints.services`` (guarded, row-locked, with a history row).
The working-day calendar (public holidays and 调休 working weekends) is data an administrator
maintains per year; see ``complaints.workdays`` for the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.infra.wording import render
from supervision.models import Category, Department, Finding, UploadedFile, attachment_path
from supervision.workflow import TransitionRecord


class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline", pgettext_lazy("complaint", "24-hour complaint hotline")
    FRONT_DESK = "front_desk", pgettext_lazy("complaint", "Front desk")
    LETTER = "letter", pgettext_lazy("complaint", "Letter")
    EMAIL = "email", pgettext_lazy("complaint", "E-mail")
    WEB = "web", pgettext_lazy("complaint", "Hospital web page")
    FOLLOWUP = "followup", pgettext_lazy("complaint", "Follow-up call")
    SURVEY = "survey", pgettext_lazy("complaint", "Satisfaction survey")
    CITIZEN_12345 = "citizen_12345", pgettext_lazy("complaint", "12345 citizen hotline referral")
    SUGGESTION_BOX = "suggestion_box", pgettext_lazy("complaint", "Suggestion box")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint", "Received")
    ACCEPTED = "accepted", pgettext_lazy("complaint", "Accepted")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("complaint", "Not accepted")
    ASSIGNED = "assigned", pgettext_lazy("complaint", "Assigned to departments")
    INVESTIGATED = "investigated", pgettext_lazy("complaint", "Investigation replied")
    ANSWERED = "answered", pgettext_lazy("complaint", "Answered to complainant")
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")
    # The answer clock stands still (awaiting the complainant, mediation, litigation): ComplaintPause.
    PAUSED = "paused", pgettext_lazy("complaint", "Clock paused")


# Statuses in which the complainant still waits for an answer (the answer time limit runs).
AWAITING_ANSWER = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACCEPTED,
    ComplaintStatus.ASSIGNED,
    ComplaintStatus.INVESTIGATED,
)
FINAL_STATUSES = (ComplaintStatus.CLOSED, ComplaintStatus.NOT_ACCEPTED)


class ComplaintAction(models.TextChoices):
    RECEIVE = "receive", pgettext_lazy("complaint", "Receive")
    ACCEPT = "accept", pgettext_lazy("complaint", "Accept")
    NOT_ACCEPT = "not_accept", pgettext_lazy("complaint", "Do not accept")
    HANDOVER = "handover", pgettext_lazy("complaint", "Hand over")
    ASSIGN = "assign", pgettext_lazy("complaint", "Assign to departments")
    REPLY = "reply", pgettext_lazy("complaint", "Investigation reply")
    DETERMINE = "determine", pgettext_lazy("complaint", "Determine validity")
    ANSWER = "answer", pgettext_lazy("complaint", "Answer complainant")
    CLOSE = "close", pgettext_lazy("complaint", "Close")
    REOPEN = "reopen", pgettext_lazy("complaint", "Reopen")
    DISPUTE = "dispute", pgettext_lazy("complaint", "Mediation / dispute")
    PAUSE = "pause", pgettext_lazy("complaint", "Pause the clock")
    RESUME = "resume", pgettext_lazy("complaint", "Resume the clock")
    ESCALATE = "escalate", pgettext_lazy("complaint", "Escalated")


class PauseKind(models.TextChoices):
    """Why the answer clock stands still (issue 25 item 1)."""

    AWAITING_COMPLAINANT = (
        "awaiting_complainant",
        pgettext_lazy("complaint", "Awaiting the complainant (documents, a visit)"),
    )
    MEDIATION = "mediation", pgettext_lazy("complaint", "Under mediation")
    LITIGATION = "litigation", pgettext_lazy("complaint", "Under litigation")


class NotAcceptedReason(models.Model):
    """A reason a complaint is not accepted (不予受理), from a list administrators keep in the admin."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("reason for not accepting")
        verbose_name_plural = _("reasons for not accepting")

    def __str__(self) -> str:
        return self.name


class Determination(models.TextChoices):
    VALID = "valid", pgettext_lazy("complaint", "Valid")
    PARTLY_VALID = "partly_valid", pgettext_lazy("complaint", "Partly valid")
    NOT_VALID = "not_valid", pgettext_lazy("complaint", "Not valid")


VALID_DETERMINATIONS = (Determination.VALID, Determination.PARTLY_VALID)


class AnswerMethod(models.TextChoices):
    PHONE = "phone", pgettext_lazy("complaint", "Telephone")
    IN_PERSON = "in_person", pgettext_lazy("complaint", "In person")
    LETTER = "letter", pgettext_lazy("complaint", "Letter")
    EMAIL = "email", pgettext_lazy("complaint", "E-mail")
    SMS = "sms", pgettext_lazy("complaint", "Text message")
    REFERRAL_SYSTEM = "referral_system", pgettext_lazy("complaint", "Via the 12345 system")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("complaint", "Satisfied")
    BASICALLY = "basically", pgettext_lazy("complaint", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("complaint", "Dissatisfied")
    UNREACHABLE = "unreachable", pgettext_lazy("complaint", "Could not be reached")


class Complaint(models.Model):
    """One complaint, whatever the channel. ``owner`` is the person responsible now (首诉负责制)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    tracking_code = models.CharField(_("tracking number"), max_length=12, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("received on"), editable=False)  # local date, for figures
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_received",
        verbose_name=_("received by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
        verbose_name=_("owner"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("department concerned"),
    )
    content = models.TextField(_("complaint"), max_length=4000)
    complainant_name = models.CharField(_("complainant"), max_length=64, blank=True)
    complainant_phone = models.CharField(_("complainant phone"), max_length=20, blank=True)
    complainant_email = models.EmailField(_("complainant e-mail"), blank=True)
    # Digits only: finds repeat complainants with an index.
    complainant_key = models.CharField(max_length=20, blank=True, editable=False)
    referral_no = models.CharField(_("12345 referral number"), max_length=40, blank=True)
    referral_due = models.DateField(_("12345 due date"), null=True, blank=True)

    ack_due = models.DateField(_("acknowledge by"))
    answer_due = models.DateField(_("answer by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    not_accepted_reason = models.TextField(_("reason not accepted"), blank=True, max_length=2000)
    # The reason from the list (empty for complaints refused before the list existed).
    not_accepted_ground = models.ForeignKey(
        NotAcceptedReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("reason for not accepting"),
    )
    # Working days the answer clock stood still (finished pauses); answer_due already includes them.
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    # The highest rung of the escalation ladder reached for ``ladder_due`` (a new due date — after
    # a pause, a second department — starts the ladder again), as RectificationOrder.ladder_rung.
    ladder_rung = models.ForeignKey(
        "supervision.EscalationRung",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation rung"),
    )
    ladder_due = models.DateField(_("due date of the escalation"), null=True, blank=True)

    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answer_method = models.CharField(
        _("answered how"), max_length=16, choices=AnswerMethod.choices, blank=True
    )
    answer_text = models.TextField(_("answer given"), blank=True, max_length=4000)
    answer_working_days = models.PositiveSmallIntegerField(_("working days to answer"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)

    determination = models.CharField(
        _("determination"), max_length=16, choices=Determination.choices, blank=True
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="complaints", verbose_name=_("categories")
    )
    determination_note = models.TextField(_("determination note"), blank=True, max_length=2000)
    finding = models.OneToOneField(
        Finding,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint",
        verbose_name=_("finding"),
    )

    closed_at = models.DateTimeField(pgettext_lazy("complaint", "closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("complainant satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    dispute = models.BooleanField(_("dispute / mediation"), default=False)
    dispute_amount = models.DecimalField(
        _("amount in dispute (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    dispute_note = models.TextField(_("mediation note"), blank=True, max_length=2000)

    # The record that produced it (a follow-up call attempt, a survey response …).
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="complaint_list"),
            models.Index(fields=["received_on", "channel"], name="complaint_channel"),
            models.Index(fields=["department", "received_on"], name="complaint_department"),
            models.Index(fields=["status", "answer_due"], name="complaint_due"),
            models.Index(fields=["owner", "status"], name="complaint_owner"),
            models.Index(fields=["complainant_key", "received_on"], name="complaint_complainant"),
            models.Index(fields=["complainant_name", "received_on"], name="complaint_complainant_name"),
            models.Index(fields=["source_type", "source_id"], name="complaint_source"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    def is_answer_overdue(self, today: dt.date | None = None) -> bool:
        return self.answer_overdue(self.status, self.answer_due, today or timezone.localdate())

    @staticmethod
    def answer_overdue(status: str, answer_due: dt.date, today: dt.date) -> bool:
        """``is_answer_overdue`` from the values alone, for list rows read without an instance."""
        return status in AWAITING_ANSWER and answer_due < today

    def is_ack_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == ComplaintStatus.RECEIVED and self.ack_due < (today or timezone.localdate())


class ComplaintPause(models.Model):
    """The answer clock stood still: why, who stopped and restarted it, when, for how many working days."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("why"), max_length=24, choices=PauseKind.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    started_at = models.DateTimeField(_("paused at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("paused by")
    )
    # The status the complaint goes back to when the clock runs again.
    resume_status = models.CharField(max_length=16, choices=ComplaintStatus.choices)
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resumed by"),
    )
    working_days = models.PositiveSmallIntegerField(_("working days paused"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("pause of the clock")
        verbose_name_plural = _("pauses of the clock")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(ended_at__isnull=True), name="complaint_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


class ComplaintAssignment(models.Model):
    """One department asked to investigate; its head writes the reply."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="complaint_assignments",
        verbose_name=_("department"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instructions = models.TextField(_("instructions"), blank=True, max_length=2000)
    reply = models.TextField(_("investigation reply"), blank=True, max_length=4000)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("department assignment")
        verbose_name_plural = _("department assignments")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "department"], name="complaint_department_once")
        ]
        indexes = [models.Index(fields=["department", "complaint"], name="assignment_department")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.department_id}"


class ComplaintTransition(TransitionRecord):
    """The history: one row per step (``supervision.workflow``). Append-only."""

    subject_field = "complaint"
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("complaint history")
        verbose_name_plural = _("complaint history")


class OwnerChange(models.Model):
    """The chain of owners (首诉负责制): the recorder first, then every hand-over on the record."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="owner_changes")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    note_key = models.CharField(max_length=64, blank=True)  # a note the application words (complaints.texts)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("owner change")
        verbose_name_plural = _("owner changes")

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.owner_id}"

    @property
    def note_text(self) -> str:
        return render(self.note_key, {}, fallback=self.note)

    note_text.fget.short_description = _("note")  # its column in the admin


# --- the complainant's verdict on the handling (issue 25 item 2) ----------------------------------


class VerdictAnswer(models.TextChoices):
    YES = "yes", pgettext_lazy("verdict", "Yes")
    PARTLY = "partly", pgettext_lazy("verdict", "Partly")
    NO = "no", pgettext_lazy("verdict", "No")


class ContactRating(models.TextChoices):
    GOOD = "good", pgettext_lazy("verdict", "Good")
    ACCEPTABLE = "acceptable", pgettext_lazy("verdict", "Acceptable")
    POOR = "poor", pgettext_lazy("verdict", "Poor")


class VerdictChannel(models.TextChoices):
    LINK = "link", pgettext_lazy("verdict", "Personal link")
    PHONE = "phone", pgettext_lazy("verdict", "Asked on the telephone")


class VerdictLink(models.Model):
    """A personal link to the verdict form. Only the SHA-256 of its token is stored: the link itself
    is shown once (the text message to copy) or printed on the letter. Single use, with an expiry;
    issuing a new link revokes the unused ones of the same complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="verdict_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verdict link")
        verbose_name_plural = _("verdict links")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"


class Verdict(models.Model):
    """The complainant's verdict on the handling: three answers, one per complaint. It names nobody:
    no page shows it with its complaint; the figures count verdicts per handler and per department
    only from a minimum number up (``selectors.VERDICT_MIN_COUNT``)."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="verdict")
    handled = models.CharField(_("was the complaint handled?"), max_length=8, choices=VerdictAnswer.choices)
    fair = models.CharField(_("was the handling fair?"), max_length=8, choices=VerdictAnswer.choices)
    contact = models.CharField(_("how was the contact?"), max_length=12, choices=ContactRating.choices)
    channel = models.CharField(_("given by"), max_length=8, choices=VerdictChannel.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complainant's verdict")
        verbose_name_plural = _("complainants' verdicts")

    def __str__(self) -> str:
        return str(self.complaint_id)


# --- attachments (issue 25 item 3) ----------------------------------------------------------------


class AttachmentKind(models.TextChoices):
    LETTER = "letter", pgettext_lazy("complaint attachment", "Letter")
    PHOTO = "photo", pgettext_lazy("complaint attachment", "Photo")
    RECORDING_NOTE = "recording_note", pgettext_lazy("complaint attachment", "Note of a recording")
    OTHER = "other", pgettext_lazy("complaint attachment", "Other")


class ComplaintAttachment(UploadedFile):
    """A letter, photo or note of a recording on a complaint, checked like a finding's files
    (``supervision.infra.uploads``). The departments assigned see it only once the office shares it."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path)
    shared = models.BooleanField(_("shared with the departments"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(UploadedFile.Meta):
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")

    def get_absolute_url(self) -> str:
        return reverse("complaints:attachment", args=[self.pk])


# --- reply templates and letters (issue 25 item 4) ------------------------------------------------


class AnswerKind(models.TextChoices):
    VALID = "valid", pgettext_lazy("answer kind", "Complaint valid")
    PARTLY_VALID = "partly_valid", pgettext_lazy("answer kind", "Complaint partly valid")
    NOT_VALID = "not_valid", pgettext_lazy("answer kind", "Complaint not valid")
    NOT_ACCEPTED = "not_accepted", pgettext_lazy("answer kind", "Complaint not accepted")
    GENERAL = "general", pgettext_lazy("answer kind", "General")


class ReplyTemplate(models.Model):
    """A text for answers of one kind, with placeholders ({name}, {received_on} …) filled from the
    complaint when a letter is written (``complaints.letters.PLACEHOLDERS``). Edited by the office."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind of answer"), max_length=16, choices=AnswerKind.choices)
    body = models.TextField(_("text"), max_length=4000)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name


def letter_path(instance: ComplaintLetter, filename: str) -> str:
    return f"complaint-letters/{timezone.now():%Y/%m}/{instance.token}.pdf"


class ComplaintLetter(models.Model):
    """An answer letter as sent: its text is frozen when written and the PDF printed then is kept,
    so neither changes when a template or the complaint changes later."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="letters")
    template = models.ForeignKey(
        ReplyTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
        verbose_name=_("reply template"),
    )
    body = models.TextField(_("text"), max_length=6000)
    pdf = models.FileField(upload_to=letter_path, blank=True)
    # The verdict link printed on it (as a QR code), if the complaint had been answered.
    verdict_link = models.ForeignKey(
        VerdictLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer letter")
        verbose_name_plural = _("answer letters")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:letter_pdf", args=[self.pk])


# --- the working-day calendar ------------------------------------------------------------------


class CalendarYear(models.Model):
    """A year of the official calendar and whether its State Council schedule is entered in full."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_(
            "Tick once every public holiday and every 调休 working weekend day of the State Council's "
            "notice for this year is entered."
        ),
    )
    source = models.CharField(pgettext_lazy("holiday calendar", "source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Working weekend day (调休)")


class CalendarDay(models.Model):
    """An exception to 'Monday–Friday work, weekends off': a holiday, or a weekend day worked."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("For example 春节 or 国庆节."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["holiday", "workday"]), name="calendar_day_kind")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}"

    def clean(self):
        super().clean()
        if self.date and self.kind == DayKind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError(
                {
                    "kind": _(
                        "A 调休 working day is a Saturday or Sunday; Monday to Friday are working days anyway."
                    )
                }
            )
