"""The customer-service centre (客服中心): the desk log, the knowledge base ("活字典"), the suggestion box.

Rows are written only by ``servicedesk.services``; pages read through ``servicedesk.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.models import Department, Staff


class ServiceCentre(models.Model):
    """One customer-service desk (门诊客服中心, 住院部服务台 …); its members are its desk staff."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    location = models.CharField(_("location"), max_length=128, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="service_centres", verbose_name=_("desk staff")
    )
    # The centre's head (客服中心负责人): sees the work of each of the centre's desk staff.
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_service_centres",
        verbose_name=_("heads of the centre"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name


class ServiceKind(models.Model):
    """A kind of small service (便民服务): wheelchair, printing, lost property … (configurable)."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("small-service kind")
        verbose_name_plural = _("small-service kinds")

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    CONSULTATION = "consultation", pgettext_lazy("service desk", "Consultation")
    ESCORT = "escort", pgettext_lazy("service desk", "Escort")
    SERVICE = "service", pgettext_lazy("service desk", "Small service")
    COORDINATION = "coordination", pgettext_lazy("service desk", "Coordination")
    RECOVERY = "recovery", pgettext_lazy("service desk", "Service recovery")


class EscortMode(models.TextChoices):
    WALKING = "walking", pgettext_lazy("service desk", "On foot")
    WHEELCHAIR = "wheelchair", pgettext_lazy("service desk", "Wheelchair")
    BED = "bed", pgettext_lazy("service desk", "Bed")


class PatientResponse(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("service desk", "Satisfied")
    ACCEPTED = "accepted", pgettext_lazy("service desk", "Accepted")
    DISSATISFIED = "dissatisfied", pgettext_lazy("service desk", "Still dissatisfied")


class DeskEntry(models.Model):
    """One piece of work at the desk, logged in two taps during a queue."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="entries", verbose_name=_("service centre")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_on = models.DateField(_("recorded on"), editable=False)  # local date, for figures
    # Consultation: referred to; coordination / recovery: the department concerned.
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    service_kind = models.ForeignKey(
        ServiceKind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("small-service kind"),
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    note = models.TextField(_("what happened"), max_length=2000, blank=True)
    escort_from = models.CharField(pgettext_lazy("escort", "from"), max_length=64, blank=True)
    escort_to = models.CharField(pgettext_lazy("escort", "to"), max_length=64, blank=True)
    escort_minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    escort_mode = models.CharField(_("how"), max_length=16, choices=EscortMode.choices, blank=True)
    recovery_failed = models.TextField(_("what failed"), max_length=1000, blank=True)
    recovery_done = models.TextField(_("what was done"), max_length=1000, blank=True)
    recovery_cost = models.DecimalField(
        _("cost (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    recovery_approved_by = models.CharField(_("approved by"), max_length=64, blank=True)
    recovery_response = models.CharField(
        _("patient's response"), max_length=16, choices=PatientResponse.choices, blank=True
    )
    # A coordination turned into a complaint (the desk person is its first-contact owner).
    complaint = models.OneToOneField(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_entry",
        verbose_name=_("complaint"),
    )
    # The form's one-time token: the same form posted again (a dropped connection, a double tap)
    # is the entry already stored, never a second one.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("desk log entry")
        verbose_name_plural = _("desk log entries")
        indexes = [
            models.Index(fields=["centre", "recorded_on"]),
            models.Index(fields=["recorded_on", "kind"]),
            models.Index(fields=["department", "recorded_on"]),
            models.Index(fields=["recorded_by", "recorded_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recorded_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("servicedesk:entry_detail", args=[self.pk])


class KnowledgeKind(models.TextChoices):
    DEPARTMENT = "department", pgettext_lazy("knowledge", "Department")
    EXPERT = "expert", pgettext_lazy("knowledge", "Expert")
    SERVICE = "service", pgettext_lazy("knowledge", "Service or procedure")
    FAQ = "faq", pgettext_lazy("knowledge", "Frequently asked question")
    OTHER_HOSPITAL = "other_hospital", pgettext_lazy("knowledge", "Other hospital's specialty")


class KnowledgeEntry(models.Model):
    """One answer of the knowledge base ("活字典"). ``initials`` and ``search_text`` are derived at
    save time by ``servicedesk.services`` (pinyin initials, the searchable words), so a search is
    one database query."""

    kind = models.CharField(_("kind"), max_length=16, choices=KnowledgeKind.choices)
    title = models.CharField(_("title"), max_length=128)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    body = models.TextField(_("answer"), max_length=4000, blank=True)
    location = models.CharField(_("location"), max_length=128, blank=True)
    hours = models.CharField(_("hours or clinic days"), max_length=128, blank=True)
    specialties = models.CharField(_("specialties"), max_length=256, blank=True)
    hospital = models.CharField(_("hospital"), max_length=64, blank=True)
    keywords = models.CharField(_("other search words"), max_length=256, blank=True)
    initials = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    search_text = models.TextField(blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_due = models.DateField(_("review by"), db_index=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("knowledge-base entry")
        verbose_name_plural = _("knowledge-base entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "title", "hospital"], name="knowledge_unique_title")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("servicedesk:kb_detail", args=[self.pk])


class KnowledgeFlag(models.Model):
    """An answer the desk found wrong: raised at the desk, resolved by the entry's owner or the office."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="flags")
    note = models.TextField(_("what is wrong"), max_length=1000)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-flagged_at", "-id"]
        verbose_name = _("flagged answer")
        verbose_name_plural = _("flagged answers")

    def __str__(self) -> str:
        return self.note[:40]


class SuggestionBox(models.Model):
    """A suggestion box (意见箱) on the wall, opened once a week."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    location = models.CharField(_("location"), max_length=128)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department where it hangs"),
    )
    opening_weekday = models.PositiveSmallIntegerField(
        _("opening day"),
        default=0,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("suggestion box")
        verbose_name_plural = _("suggestion boxes")

    def __str__(self) -> str:
        return self.name


class BoxOpening(models.Model):
    """One opening of a box: who opened it, when, and the slips found."""

    box = models.ForeignKey(SuggestionBox, on_delete=models.PROTECT, related_name="openings")
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    witness = models.CharField(_("witness"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("box opening")
        verbose_name_plural = _("box openings")
        constraints = [models.UniqueConstraint(fields=["box", "opened_on"], name="box_opened_once_a_day")]

    def __str__(self) -> str:
        return f"{self.box} {self.opened_on}"

    def get_absolute_url(self) -> str:
        return reverse("servicedesk:opening_detail", args=[self.pk])


class SlipKind(models.TextChoices):
    PRAISE = "praise", pgettext_lazy("slip", "Praise")
    SUGGESTION = "suggestion", pgettext_lazy("slip", "Suggestion")
    COMPLAINT = "complaint", pgettext_lazy("slip", "Complaint")


class Slip(models.Model):
    """One slip found in a box. A praise slip is an entry of the desk's praise ledger; a complaint
    slip becomes a complaint (channel: suggestion box)."""

    opening = models.ForeignKey(BoxOpening, on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField(_("kind"), max_length=16, choices=SlipKind.choices)
    content = models.TextField(_("content"), max_length=2000)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department concerned"),
    )
    staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    praised_name = models.CharField(_("name as written"), max_length=64, blank=True)
    writer = models.CharField(_("written by"), max_length=64, blank=True)
    writer_phone = models.CharField(_("phone"), max_length=20, blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="box_slip",
        verbose_name=_("complaint"),
    )

    class Meta:
        ordering = ["opening", "id"]
        verbose_name = _("slip")
        verbose_name_plural = _("slips")
        indexes = [models.Index(fields=["kind", "department"])]

    def __str__(self) -> str:
        return self.content[:40]
