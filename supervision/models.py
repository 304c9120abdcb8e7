"""The core: organisation, users and roles, the finding ledger and the rectification workflow.

Status changes never happen here by assignment from views; they go through
``supervision.services`` which lock the row, check the guard and write a transition row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cached_property
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .workflow import TransitionRecord


class Role(models.TextChoices):
    """Roles are auth groups named by these codes (created by a migration)."""

    SUPERVISOR = "supervisor", _("Supervisor")
    FOLLOWUP = "followup", _("Follow-up staff")
    DEPT_HEAD = "dept_head", _("Department head")
    ADMINISTRATOR = "administrator", _("Administrator")
    VOLUNTEER = "volunteer", _("Volunteer supervisor")
    DESK = "desk", _("Service desk staff")


class DepartmentKind(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    WINDOW = "window", _("Window / service unit")
    SUPPORT = "support", _("Support unit")


class Department(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    # ``__str__`` is this column: a filter's <select> reads it alone (templatetags.ducha.select_options).
    CHOICE_LABEL_FIELD = "name"

    def __str__(self) -> str:
        return self.name


class EmailMode(models.TextChoices):
    """How a person gets their notices by e-mail (the preferences form, /notifications/preferences/)."""

    DAILY = "daily", _("A daily digest (escalations and alerts at once)")
    IMMEDIATE = "immediate", _("Each notice at once")


def _group_names(user) -> set[str]:
    """The names of ``user``'s auth groups, in one plain query.

    Every page reads the roles (the guards, the navigation), so this runs on every request: written
    as SQL on Django's cursor (a public API), with the tables and columns named by the models, it
    costs ~0.2 ms of CPU where building the same join through the related manager and the ORM
    costs ~1 ms (docs/performance.md → "The frame (issue 23)"). Same rows, still one query.
    """
    from django.contrib.auth.models import Group

    connection = connections[user._state.db or DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    through = type(user).groups.through._meta  # the class's descriptor: no related manager built
    name, group_id = Group._meta.get_field("name").column, Group._meta.pk.column
    # Identifiers from the models' metadata, quoted; the one value is a parameter.
    sql = (
        f"SELECT g.{qn(name)} FROM {qn(Group._meta.db_table)} g INNER JOIN {qn(through.db_table)} ug"  # noqa: S608  # nosec B608: names from the models, values are parameters
        f" ON ug.{qn(through.get_field('group').column)} = g.{qn(group_id)}"
        f" WHERE ug.{qn(through.get_field('user').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return {row[0] for row in cursor.fetchall()}


def _linked_department_ids(user) -> frozenset[int]:
    """The ids of the departments linked to ``user`` (a head's), in one plain query on the link table.

    Every page of a department head reads them (the Scope): as with ``_group_names``, SQL on Django's
    cursor with the table and columns named by the model costs ~0.2 ms of CPU where the related
    manager's ``values_list`` (joined to the departments for their default ordering) costs ~1 ms.
    Same ids, still one query."""
    connection = connections[user._state.db or DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    through = type(user).departments.through._meta
    sql = (
        f"SELECT {qn(through.get_field('department').column)} FROM {qn(through.db_table)}"  # noqa: S608  # nosec B608: names from the models, values are parameters
        f" WHERE {qn(through.get_field('user').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return frozenset(row[0] for row in cursor.fetchall())


class User(AbstractUser):
    """A login. Hospital staff who never log in are `Staff` roster entries instead."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="heads",
        verbose_name=_("departments"),
        help_text=_("For department heads: the departments whose orders and complaints they handle."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # db_default too: a row written without the column (an older migration's model in the history
    # migration tests, a script of the hospital's IT) gets the default instead of a NOT NULL error.
    email_mode = models.CharField(
        _("notices by e-mail"),
        max_length=12,
        choices=EmailMode.choices,
        default=EmailMode.DAILY,
        db_default=EmailMode.DAILY,
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.name_shown(self.full_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_shown(full_name: str, first_name: str, last_name: str, username: str) -> str:
        """``display_name`` from the values alone (``get_full_name``'s "first last"), for list rows."""
        return full_name or f"{first_name} {last_name}".strip() or username

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        if "groups" in getattr(self, "_prefetched_objects_cache", {}):
            names = {g.name for g in self.groups.all()}
        else:
            names = _group_names(self)
        return frozenset(n for n in names if n in Role.values)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @cached_property
    def department_ids(self) -> frozenset[int]:
        if "departments" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(d.pk for d in self.departments.all())
        return _linked_department_ids(self)

    @property
    def sees_all_departments(self) -> bool:
        return self.scope.all_departments

    @cached_property
    def scope(self):
        """What this user may see and do (``supervision.access.Scope``), built once per user object —
        so once per request for ``request.user``."""
        from .access import Scope  # access reads Role from this module

        return Scope.for_user(self)


class StaffPosition(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    TECHNICIAN = "technician", _("Technician")
    PHARMACIST = "pharmacist", _("Pharmacist")
    CLERK = "clerk", _("Window clerk")
    SUPPORT = "support", _("Support staff")
    OTHER = "other", _("Other")


class Staff(models.Model):
    """The hospital roster: doctors, nurses and clerks who can be praised or involved in a finding."""

    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("department")
    )
    position = models.CharField(_("position"), max_length=16, choices=StaffPosition.choices)
    title = models.CharField(_("title"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_record",
        verbose_name=_("login"),
    )

    class Meta:
        ordering = ["department__sort_order", "employee_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.department.name}）" if self.department_id else self.name


class Category(models.Model):
    """The editable finding taxonomy (服务态度, 服务流程不规范, 工作纪律 …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("finding category")
        verbose_name_plural = _("finding categories")

    # ``__str__`` is this column: a filter's <select> reads it alone (templatetags.ducha.select_options).
    CHOICE_LABEL_FIELD = "name"

    def __str__(self) -> str:
        return self.name


class CauseCategory(models.Model):
    """The root-cause taxonomy of a department's response (人员, 制度, 流程 …), editable in the admin."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")

    def __str__(self) -> str:
        return self.name


class SingletonModel(models.Model):
    """A table of exactly one row (pk 1) of parameters an administrator edits in the admin,
    read with ``Model.get()`` (created with the field defaults on first read).

    Fifteen lines rather than django-solo: solo's admin turns the change list into the form and
    its cache layer would be a second place to invalidate; these rows are read a few times per
    request or job and never cached, so nothing here needs either.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1  # the one row: never a second
        super().save(*args, **kwargs)

    @classmethod
    def get(cls) -> Self:
        obj = _singleton_row(cls)
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj


# Column types the database drivers give as Django's fields hold them (no converter on any backend).
_PLAIN_COLUMN_TYPES = frozenset(
    {"AutoField", "BigAutoField", "CharField", "TextField", "IntegerField", "BigIntegerField"}
    | {"SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
)


def _singleton_row(model):
    """The one row of ``model`` read with one plain statement on Django's cursor, or None (no row
    yet, or a column the ORM would have to convert: then ``get_or_create``).

    Every dashboard reads the site configuration: as with ``_group_names``, SQL on the cursor with the
    table and columns named by the model, and the instance made by ``Model.from_db`` (Django's own
    constructor for loaded rows), costs ~150 Python calls where ``get_or_create`` costs ~900. Same
    row, still one query."""
    fields = model._meta.concrete_fields
    if any(f.get_internal_type() not in _PLAIN_COLUMN_TYPES or hasattr(f, "from_db_value") for f in fields):
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    # Identifiers from the model's metadata, quoted; the one value is a parameter.
    sql = f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = %s"  # noqa: S608  # nosec B608: names from the model, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [1])
        row = cursor.fetchone()
    return None if row is None else model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], row)


class SiteConfig(SingletonModel):
    """One row of settings an administrator changes at run time (admin: 系统参数)."""

    recurrence_window_days = models.PositiveIntegerField(
        _("recurrence window (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "A finding of the same category in the same department within this many days is a recurrence."
        ),
    )
    default_deadline_days = models.PositiveIntegerField(
        _("default rectification deadline (days)"), default=7, validators=[MinValueValidator(1)]
    )
    default_check_days = models.PositiveIntegerField(
        _("default effectiveness check (days after verification)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_(
            "When a verified order's effectiveness is checked, unless a rule for its category or "
            "severity says otherwise (Deadline and check rules)."
        ),
    )
    # Complaints only: orders climb the escalation ladder (EscalationRung) instead.
    escalate_after_overdue_days = models.PositiveIntegerField(
        _("escalate to administrators after overdue (days)"), default=3, validators=[MinValueValidator(0)]
    )
    due_soon_days = models.PositiveIntegerField(
        _("due-soon reminder (days before deadline)"), default=2, validators=[MinValueValidator(0)]
    )
    alert_recovery_working_days = models.PositiveIntegerField(
        _("contact an unhappy patient within (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "An alert on an unhappy patient (a low survey score, a call recorded not satisfied) asks "
            "the department to contact the patient within this many working days."
        ),
    )
    retention_months = models.PositiveIntegerField(
        _("personal data retention (months)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "Contact data (names, phones, e-mail) of closed complaints and of discharged stays whose "
            "follow-up is finished are anonymised this many months after closing or discharge."
        ),
    )

    # The header of letters printed for complainants (complaints' answer letters); the hospital's
    # name is settings.HOSPITAL_NAME.
    letter_office = models.CharField(
        _("letter sender (office)"),
        max_length=100,
        blank=True,
        help_text=_("Printed under the hospital's name on letters, e.g. the complaints office."),
    )
    letter_address = models.CharField(_("letter address"), max_length=200, blank=True)
    letter_phone = models.CharField(_("letter telephone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("system parameters")
        verbose_name_plural = _("system parameters")

    def __str__(self) -> str:
        return str(_("System parameters"))


def check_found_at(value: dt.datetime) -> None:
    """Refuse a "found at" outside the sane window (a typo's 2001 or 2099; issue 15 item 13): not more
    than ``FINDING_BACKDATE_DAYS`` back, not later than now plus ``FINDING_CLOCK_SKEW_MINUTES``.
    The finding form and ``finding_create`` both ask it."""
    now = timezone.now()
    if value > now + dt.timedelta(minutes=settings.FINDING_CLOCK_SKEW_MINUTES):
        raise ValidationError(_("The time found cannot be in the future."), code="found_at_future")
    earliest = now - dt.timedelta(days=settings.FINDING_BACKDATE_DAYS)
    if value < earliest:
        raise ValidationError(
            _("The time found cannot be before %(date)s (at most %(days)s days back)."),
            code="found_at_too_old",
            params={"date": timezone.localdate(earliest).isoformat(), "days": settings.FINDING_BACKDATE_DAYS},
        )


class FindingSource(models.TextChoices):
    INSPECTION = "inspection", _("On-site inspection")
    CHART_AUDIT = "chart_audit", _("Chart audit")
    SURVEY = "survey", _("Satisfaction survey")
    FOLLOWUP = "followup", _("Discharge follow-up")
    COMPLAINT = "complaint", _("Complaint")
    VOLUNTEER = "volunteer", _("Volunteer supervisor")
    OTHER = "other", _("Other")


class FindingOrigin(models.TextChoices):
    """Where a supervisor saw a problem they type in by hand (source "other"): the seed's annual
    summary counts the problems found on site (rounds and walk-bys) apart from the rest."""

    ROUND = "round", _("On-site round")
    WALK_BY = "walk_by", _("Walk-by")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


# The origins that count as "found on site", with every finding of an inspection round.
ON_SITE_ORIGINS = (FindingOrigin.ROUND, FindingOrigin.WALK_BY)


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SERIOUS = "serious", _("Serious")


class FindingOutcome(models.TextChoices):
    """What became of a finding, as whoever raised it sees it (a volunteer's list)."""

    PENDING = "pending", _("Awaiting the office's decision")
    NO_ORDER = "no_order", _("Decided without an order")
    ORDERED = "ordered", _("Rectification order issued")
    CLOSED = "closed", _("Rectified and closed")


# Findings raised from what a patient said: the patient is told what became of it (item 6).
PATIENT_SOURCES = (FindingSource.SURVEY, FindingSource.FOLLOWUP)


class PatientToldMethod(models.TextChoices):
    """How the patient who raised a finding (survey, follow-up call) was told of its outcome."""

    PHONE = "phone", _("By phone")
    SMS = "sms", _("By text message")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("By letter")
    WECHAT = "wechat", _("By WeChat")
    NOT_TOLD = "not_told", _("Not told (could not be reached or declined)")


class Finding(models.Model):
    """One problem found, from any channel (问题台账)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=FindingSource.choices)
    # Where a supervisor's own finding was made; empty for a channel's finding and for older rows.
    origin = models.CharField(_("found during"), max_length=16, choices=FindingOrigin.choices, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="findings", verbose_name=_("department")
    )
    description = models.TextField(_("description"), max_length=4000)
    # A description the application wrote (a chart audit's, a complaint's) is stored as a message
    # key + parameters and worded for the reader; ``description`` then holds it worded in the site's
    # language, for searching. A person's description has no key.
    description_key = models.CharField(max_length=64, blank=True)
    description_params = models.JSONField(default=dict, blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MODERATE
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now, db_index=True)
    location = models.CharField(_("location"), max_length=128, blank=True)
    # A place the application chose (an inspection round's area, when the round names no place) is
    # stored as a message key + parameters and worded for the reader; ``location`` then holds it
    # worded in the site's language, for searching. A place a person typed has no key. Database
    # defaults too: a data migration run on an older state of the model writes rows without them.
    location_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    location_params = models.JSONField(default=dict, blank=True, db_default={})
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="findings_found",
        verbose_name=_("found by"),
    )
    # Each link is an Attribution (issue 16 item 5): a head may dispute it, the office decides.
    staff_involved = models.ManyToManyField(
        Staff, blank=True, through="Attribution", related_name="findings", verbose_name=_("staff involved")
    )
    # Link back to the channel record that produced it (inspection item, complaint, survey response …).
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    recurrence_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        verbose_name=_("recurrence of"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The office's decision that a finding recorded without an order needs none (a volunteer's
    # observation): when, who, why — what the volunteer is told.
    decided_at = models.DateTimeField(pgettext_lazy("observation", "decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(pgettext_lazy("observation", "decision"), blank=True, max_length=2000)
    # A finding raised from a survey response or a follow-up call: whether and how the patient was
    # told (method; "not_told" says they were not), when and by whom. Empty: not recorded yet.
    patient_told_method = models.CharField(
        _("patient told how"), max_length=16, choices=PatientToldMethod.choices, blank=True
    )
    patient_told_at = models.DateTimeField(_("patient told at"), null=True, blank=True)
    patient_told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient_told_note = models.CharField(_("what the patient was told"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["department", "category", "found_at"]),
            models.Index(fields=["source", "found_at"]),
            models.Index(fields=["source_type", "source_id"]),
            # Volunteers' observations still waiting for the office's decision ("needs me now"), read
            # without the decided ones of every year kept (docs/performance.md → "Pages at five years").
            models.Index(
                fields=["id"],
                condition=models.Q(source="volunteer", decided_at__isnull=True),
                name="finding_observation_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name if self.category_id else ''}"

    def get_absolute_url(self) -> str:
        return reverse("finding_detail", args=[self.pk])

    @property
    def is_recurrence(self) -> bool:
        return self.recurrence_of_id is not None

    @property
    def asks_patient_told(self) -> bool:
        """Raised from what a patient said (a survey response, a follow-up call): whether and how
        the patient was told of the outcome is recorded on it."""
        return self.source in PATIENT_SOURCES

    @property
    def outcome(self) -> str:
        """What became of it (reads the order: select_related("order") on a list)."""
        order = getattr(self, "order", None)
        return self.outcome_of(order.status if order is not None else None, self.decided_at)

    @staticmethod
    def outcome_of(order_status: str | None, decided_at) -> str:
        """``outcome`` from the values alone (the order's status, None without an order), for rows
        read without an instance."""
        if order_status is not None:
            # Verified (effectiveness check pending) or closed for good: the problem was rectified.
            return (
                FindingOutcome.CLOSED if order_status in RECTIFIED_ORDER_STATUSES else FindingOutcome.ORDERED
            )
        return FindingOutcome.NO_ORDER if decided_at else FindingOutcome.PENDING

    @property
    def outcome_label(self):
        return FindingOutcome(self.outcome).label

    @property
    def description_text(self) -> str:
        """The description in the active language."""
        from .infra.wording import render

        return render(self.description_key, self.description_params, fallback=self.description)

    @property
    def location_text(self) -> str:
        """Where it was found, in the active language (a place a person typed as written)."""
        from .infra.wording import render

        return render(self.location_key, self.location_params, fallback=self.location)

    @property
    def description_stored(self):
        """The description as stored: a Worded to word later, or a person's text."""
        from .infra.wording import Worded

        return (
            Worded(self.description_key, self.description_params)
            if self.description_key
            else self.description
        )


class AttributionStatus(models.TextChoices):
    ATTRIBUTED = "attributed", _("Attributed")
    DISPUTED = "disputed", pgettext_lazy("attribution", "Disputed")
    UPHELD = "upheld", pgettext_lazy("attribution", "Upheld")
    WITHDRAWN = "withdrawn", pgettext_lazy("attribution", "Withdrawn")


# What counts on a person's record: every attribution but a withdrawn one (a dispute not yet
# decided still counts, as the attribution stands until the office withdraws it).
COUNTED_ATTRIBUTIONS = (AttributionStatus.ATTRIBUTED, AttributionStatus.DISPUTED, AttributionStatus.UPHELD)
# Decided by the office (a dispute upheld or withdrawn): a head's "disputes answered" and the index
# that reads them (``Attribution.Meta.indexes``).
DECIDED_ATTRIBUTIONS = (AttributionStatus.UPHELD, AttributionStatus.WITHDRAWN)


class AttributionAction(models.TextChoices):
    ATTRIBUTE = "attribute", _("Attributed")
    DISPUTE = "dispute", _("Dispute the attribution")
    UPHOLD = "uphold", _("Uphold the attribution")
    WITHDRAW = "withdraw", _("Withdraw the attribution")


class Attribution(models.Model):
    """A staff member named in a finding (the row of ``Finding.staff_involved``). The head of the
    person's department may dispute it; the office upholds or withdraws it
    (``supervision.services.ATTRIBUTIONS``); a withdrawn attribution stays, with its history, and
    no longer counts on the person's record."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="attributions", verbose_name=_("finding")
    )
    # PROTECT: a staff member leaves the roster by being made inactive; their record stays readable.
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="attributions", verbose_name=_("staff member")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AttributionStatus.choices, default=AttributionStatus.ATTRIBUTED
    )

    class Meta:
        # The table of the plain many-to-many it replaced (migration 0016 kept every row).
        db_table = "supervision_finding_staff_involved"
        ordering = ["finding", "id"]
        unique_together = [("finding", "staff")]
        indexes = [
            # A head's "disputes answered" (``selectors.disputes_answered``: their department's people's
            # decided attributions with an unread notice) read from the decided ones of those people
            # alone, not by scanning every attribution of every year: 1.0 → 0.15 ms at 4,726
            # attributions, 9.8 → 0.2 ms at 25,288 (docs/performance.md → "Dashboards (stop 22)").
            models.Index(
                fields=["staff"],
                condition=models.Q(status__in=DECIDED_ATTRIBUTIONS),
                name="attribution_decided",
            ),
        ]
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.staff_id}"

    def get_absolute_url(self) -> str:
        return reverse("person_record", args=[self.staff_id])

    @property
    def department_id(self) -> int:
        """The person's department: its head may dispute (the machine's scope rule reads it)."""
        return self.staff.department_id

    @property
    def counts(self) -> bool:
        return self.status in COUNTED_ATTRIBUTIONS


class AttributionTransition(TransitionRecord):
    """One row per step of an attribution (``supervision.workflow``). Append-only."""

    subject_field = "attribution"
    attribution = models.ForeignKey(Attribution, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("attribution transition")
        verbose_name_plural = _("attribution transitions")


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored names are generated; the user's file name is kept in a field only.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{instance.token}.{ext}"


class UploadedFile(models.Model):
    """What every stored upload keeps: a generated token for the stored name, the user's file name,
    the checked content type and size, who uploaded it and when (see uploads.clean_upload)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Attachment(UploadedFile):
    """A photo or PDF on a finding, or evidence on its order. Served only through a scoped view."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="attachments")
    order = models.ForeignKey(
        "RectificationOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    # Evidence of one corrective action (else of the order as a whole), and the submission round
    # it was uploaded in (1, then one more after each return), so each round's evidence stays apart.
    corrective_action = models.ForeignKey(
        "CorrectiveAction", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    round = models.PositiveSmallIntegerField(_("submission round"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path)

    class Meta(UploadedFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def get_absolute_url(self) -> str:
        return reverse("attachment_download", args=[self.pk])


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SUBMITTED = "submitted", _("Submitted for verification")
    RETURNED = "returned", _("Returned for rework")
    # Verified (the fix is accepted) and waiting for the effectiveness check (效果评价) on check_due.
    VERIFIED = "verified", _("Verified, awaiting effectiveness check")
    CLOSED = "closed", _("Verified and closed")


# The department still has work to do: deadlines, reminders and the escalation ladder apply.
OPEN_ORDER_STATUSES = (
    OrderStatus.ISSUED,
    OrderStatus.ACKNOWLEDGED,
    OrderStatus.SUBMITTED,
    OrderStatus.RETURNED,
)
# The fix was verified (counted as rectified), whether or not its effectiveness check is done.
RECTIFIED_ORDER_STATUSES = (OrderStatus.VERIFIED, OrderStatus.CLOSED)


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ORDER_STATUSES)

    def overdue(self, today: dt.date | None = None):
        """Derived from the deadline, never stored: open and past the deadline."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def due_within(self, days: int, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=days))


class RectificationOrder(models.Model):
    """整改单: the order to fix a finding, with its deadline and its workflow state."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    finding = models.OneToOneField(
        Finding, on_delete=models.CASCADE, related_name="order", verbose_name=_("finding")
    )
    # Copied from the finding so that scoping and dashboards need no join.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="orders", verbose_name=_("department")
    )
    # The finding's moment, copied when the order is issued (a finding is never edited): the figures of
    # the orders of a period's findings find them by this index instead of joining every order ever
    # issued to the period's findings (docs/performance.md → API figures, stop 19).
    found_at = models.DateTimeField(_("found at"), db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.ISSUED, db_index=True
    )
    deadline = models.DateField(_("deadline"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # What the office asks the department to do, written when the order is issued; the head reads it
    # on the order card (it is also the comment of the issue step in the timeline).
    instructions = models.TextField(_("instructions to the department"), blank=True, max_length=2000)
    # The root-cause analysis of the department's response: categories, the why-chain (up to
    # five answers to "why?", in order) and the free text. The corrective actions are rows of
    # CorrectiveAction; ``corrective_action`` is the one action text of an order from before the
    # list (migrated into its first action, kept so the change history still reads), never written.
    cause = models.TextField(_("cause"), blank=True, max_length=4000)
    corrective_action = models.TextField(_("corrective action"), blank=True, max_length=4000)
    cause_categories = models.ManyToManyField(
        CauseCategory, blank=True, related_name="orders", verbose_name=_("cause categories")
    )
    why_chain = models.JSONField(_("why-chain"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    check_due = models.DateField(_("effectiveness check due"), null=True, blank=True, db_index=True)
    # The highest rung of the escalation ladder reached for ``ladder_deadline`` (a new deadline —
    # an extension, a reopened order — starts the ladder again).
    ladder_rung = models.ForeignKey(
        "EscalationRung",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalation rung"),
    )
    ladder_deadline = models.DateField(_("deadline of the escalation"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()
    # ``found_at`` is the finding's, copied once: no change of the order to keep.
    history = HistoricalRecords(excluded_fields=["found_at"])

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        indexes = [
            models.Index(fields=["department", "status", "deadline"]),
            models.Index(fields=["status", "deadline"]),
            # The supervisor's queues (responses to verify, checks due) counted from the index alone.
            models.Index(fields=["status", "check_due"], include=["id"], name="order_status_check_due"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("finding_detail", args=[self.finding_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    @property
    def current_rung(self):
        """The ladder's rung this order stands at now (None: not escalated, or for an older deadline)."""
        if self.is_open and self.ladder_rung_id and self.ladder_deadline == self.deadline:
            return self.ladder_rung
        return None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.overdue(self.status, self.deadline, today or timezone.localdate())

    @staticmethod
    def overdue(status: str, deadline: dt.date, today: dt.date) -> bool:
        """``is_overdue`` from the values alone, for list rows read without an instance."""
        return status in OPEN_ORDER_STATUSES and deadline < today

    @property
    def round(self) -> int:
        """The submission round the department works on: 1, then one more after each return."""
        return self.return_count + 1

    def overdue_days(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        return max(0, (today - self.deadline).days) if self.is_open else 0


class OrderAction(models.TextChoices):
    ISSUE = "issue", _("Issue")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    SUBMIT = "submit", _("Submit rectification")
    VERIFY = "verify", _("Verify the rectification")
    RETURN = "return", _("Return for rework")
    REQUEST_EXTENSION = "request_extension", _("Request deadline extension")
    GRANT_EXTENSION = "grant_extension", _("Grant extension")
    REFUSE_EXTENSION = "refuse_extension", _("Refuse extension")
    CHECK_EFFECTIVE = "check_effective", _("Effective: close for good")
    CHECK_INEFFECTIVE = "check_ineffective", _("Not effective: reopen")
    ESCALATE = "escalate", _("Escalated")
    PLAN_ACTION = "plan_action", _("Add a corrective action")


class RungTarget(models.TextChoices):
    HEAD = "head", _("Department head")
    VICE_PRESIDENT = "vice_president", _("Vice-president in charge")
    WEEKLY_MEETING = "weekly_meeting", _("Hospital weekly meeting list")


class EscalationRung(models.Model):
    """A rung of the escalation ladder (升级阶梯): an open order this many days past its deadline is
    reported to ``target``, once per deadline. Rungs of a severity replace the general ones
    (severity empty) for orders of that severity."""

    severity = models.CharField(
        _("severity"),
        max_length=16,
        choices=Severity.choices,
        blank=True,
        help_text=_("Empty: every severity without rungs of its own."),
    )
    days_overdue = models.PositiveSmallIntegerField(_("days overdue"), validators=[MaxValueValidator(365)])
    target = models.CharField(_("reported to"), max_length=16, choices=RungTarget.choices)

    class Meta:
        ordering = ["severity", "days_overdue", "id"]
        verbose_name = _("escalation rung")
        verbose_name_plural = _("escalation ladder")
        constraints = [
            models.UniqueConstraint(fields=["severity", "days_overdue"], name="one_rung_per_day"),
        ]

    def __str__(self) -> str:
        return _("%(target)s (%(days)s days overdue)") % {
            "target": self.get_target_display(),
            "days": self.days_overdue,
        }


class DepartmentGroup(models.Model):
    """A vice-president's portfolio (分管): the departments a hospital leader is in charge of."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="department_groups",
        verbose_name=_("vice-president in charge"),
    )
    departments = models.ManyToManyField(
        Department, related_name="groups_in_charge", verbose_name=_("departments")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vice-president's departments")
        verbose_name_plural = _("vice-presidents' departments")

    def __str__(self) -> str:
        return f"{self.name}（{self.lead}）"


class OrderTerm(models.Model):
    """The deadline and the effectiveness-check period for orders of a category and/or a severity.
    The most specific rule with a value wins (category and severity, category, severity); without
    one, the system parameters' defaults."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: every category."),
    )
    severity = models.CharField(
        _("severity"),
        max_length=16,
        choices=Severity.choices,
        blank=True,
        help_text=_("Empty: every severity."),
    )
    deadline_days = models.PositiveIntegerField(
        _("rectification deadline (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    check_days = models.PositiveIntegerField(
        _("effectiveness check (days after verification)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
    )

    class Meta:
        ordering = ["category__sort_order", "severity", "id"]
        verbose_name = _("deadline and check rule")
        verbose_name_plural = _("deadline and check rules")

    def __str__(self) -> str:
        category = self.category or _("every category")
        severity = self.get_severity_display() or _("every severity")
        return f"{category} · {severity}"

    def clean(self):
        # One rule per (category, severity); a NULL category makes a database constraint useless.
        same = OrderTerm.objects.filter(category=self.category, severity=self.severity).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(_("A rule for this category and severity exists already."))


class OrderTransition(TransitionRecord):
    """One row per workflow step of an order (``supervision.workflow``). Append-only."""

    subject_field = "order"
    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("order transition")
        verbose_name_plural = _("order transitions")
        # The effectiveness checks of a set of orders (the figures' effective ÷ evaluated), read from
        # the index alone: one step in nine of the history, the only rows the figures count.
        indexes = [
            models.Index(
                fields=["order", "action"],
                include=["id"],
                condition=models.Q(action__in=["check_effective", "check_ineffective"]),
                name="ordertransition_checks",
            )
        ]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", pgettext_lazy("extension request", "Refused")


class DeadlineExtension(models.Model):
    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    current_deadline = models.DateField(_("deadline at request"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")
        constraints = [
            # At most one undecided request per order at a time.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="pending"), name="one_pending_extension_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} → {self.requested_deadline}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("corrective action", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("corrective action", "In progress")
    DONE = "done", pgettext_lazy("corrective action", "Done")


class CorrectiveActionStep(models.TextChoices):
    """The steps of a corrective action's machine (``supervision.services.CORRECTIVE_ACTIONS``)."""

    ADD = "add", _("Add")
    START = "start", pgettext_lazy("corrective action", "Start")
    COMPLETE = "complete", _("Mark done")
    REOPEN = "reopen", _("Reopen")
    ATTACH = "attach", _("Add evidence")
    REDO = "redo", _("Redo")


class CorrectiveAction(models.Model):
    """整改措施: one of the several actions a department takes on an order, with its owner from the
    roster, its due date (never after the order's deadline) and its own evidence."""

    order = models.ForeignKey(
        RectificationOrder, on_delete=models.CASCADE, related_name="actions", verbose_name=_("order")
    )
    description = models.TextField(_("action"), max_length=2000)
    # PROTECT: a staff member leaves the roster by being made inactive; their actions stay readable.
    owner = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=pgettext_lazy("corrective action", "owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    result = models.TextField(
        pgettext_lazy("corrective action", "what was done"), blank=True, max_length=2000
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The submission round the action was added in (1, then one more after each return).
    round = models.PositiveSmallIntegerField(_("submission round"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [
            # The open actions of open orders ("needs me now": actions due this week, on every head's
            # dashboard; the finding list's queue of them). Without it PostgreSQL read every action
            # ever planned and hashed it against the department's open orders — 16–26 ms at five
            # years (22,000 actions), 2–5 ms with it. Only the open ones are in it: done actions,
            # most of the table, cost no index write after their last step.
            models.Index(
                fields=["order", "due_date"],
                condition=Q(status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]),
                name="action_open",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse("finding_detail", args=[self.order.finding_id])

    @property
    def department_id(self) -> int:
        """The order's department (the machine's scope rule reads it)."""
        return self.order.department_id


class CorrectiveActionTransition(TransitionRecord):
    """One row per step of a corrective action (``supervision.workflow``). Append-only."""

    subject_field = "corrective_action"
    corrective_action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("corrective action transition")
        verbose_name_plural = _("corrective action transitions")


class NotificationKind(models.TextChoices):
    ORDER_ISSUED = "order_issued", _("New rectification order")
    ORDER_UPDATED = "order_updated", _("Rectification order updated")
    DUE_SOON = "due_soon", _("Deadline approaching")
    OVERDUE_DIGEST = "overdue_digest", _("Overdue orders")
    ESCALATION = "escalation", _("Escalation")
    CHECK_DUE = "check_due", _("Effectiveness check due")
    ALERT = "alert", _("Unhappy patient alert")
    GENERAL = "general", _("Notice")


# Notices e-mailed at once whatever the recipient's choice; the others wait for the daily digest
# of a person who chose it (User.email_mode, the default).
IMMEDIATE_KINDS = (NotificationKind.ESCALATION, NotificationKind.ALERT)


class Notification(models.Model):
    """In-app notice; also e-mailed. ``dedupe_key`` makes every scheduled sender idempotent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    # The title is stored as a message key + parameters and worded for whoever reads it
    # (supervision.infra.wording); ``title`` holds only a text from before that, shown as written.
    title_key = models.CharField(max_length=64, blank=True)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notice is about, for read-on-open and grouping: its page's path (the url without
    # query or fragment), or "#" + the dedupe key for a notice without a page.
    item = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the item's state changed after the notice (the order was acknowledged, the complaint
    # answered …): the notice is history, no longer unread work (supervision.workflow).
    moved_on_at = models.DateTimeField(_("moved on at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # A failed e-mail is tried again later, and given up after EMAIL_MAX_ATTEMPTS (the notice
    # itself stays in the app): see supervision.services.notifications_email_pending.
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_retry_at = models.DateTimeField(_("e-mail retried after"), null=True, blank=True)
    email_gave_up_at = models.DateTimeField(_("e-mail given up at"), null=True, blank=True)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once")]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The navbar's badge on every page (selectors.unread_items): a recipient's unread notices
            # still to act on, newest first. With only (recipient, read_at) PostgreSQL read the table in
            # order until it had found the badge's 100 — 6–16 ms a page for the large set's supervisor
            # (18,000 notices, 945 unread); this index gives them in 0.2 ms.
            models.Index(
                fields=["recipient", "id"],
                condition=Q(read_at__isnull=True, moved_on_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["item", "recipient"], name="notification_item"),
            # A recipient's unread notices about one page: the badge's "this page" probe on every page
            # (selectors.unread_badge) and read-on-open (services.notifications_read_on_open). With
            # only notification_item PostgreSQL read the whole table when many notices carry the page's
            # item, read or not (a year of alert notices on /alerts/: 18.6 ms at the large bench set,
            # 124 ms at huge); on the unread ones alone it is an index-only probe (0.1 ms).
            models.Index(
                fields=["recipient", "item"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_item",
            ),
            models.Index(
                fields=["emailed_at"], condition=Q(emailed_at__isnull=True), name="notification_unsent"
            ),
        ]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the active language."""
        from .infra.wording import render

        return render(self.title_key, self.params, fallback=self.title)

    @property
    def body_text(self) -> str:
        """The body in the active language: a text the application wrote is in params["_body"]."""
        from .infra.wording import render

        stored = self.params.get("_body") if isinstance(self.params, dict) else None
        return render(stored["key"], stored.get("params"), fallback=self.body) if stored else self.body

    @property
    def is_work(self) -> bool:
        """Unread and its item has not moved on: counts on the bell."""
        return self.read_at is None and self.moved_on_at is None


def notification_item(url: str, dedupe_key: str) -> str:
    """The item a notice is about: its page's path, or the notice itself when it has no page."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path if url else ""
    return path[:300] if path else f"#{dedupe_key}"[:300]


class EmailDigest(models.Model):
    """One person's daily e-mail of notices (``services.notifications_email_digest``): at most one a
    day, so a rerun of the job sends nothing twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    notice_count = models.PositiveIntegerField(_("notices"), default=0)

    class Meta:
        verbose_name = _("e-mail digest")
        verbose_name_plural = _("e-mail digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"


class DischargeMethod(models.TextChoices):
    """离院方式, coded as on the national front sheet of the medical record (病案首页)."""

    ORDERED = "1", _("Discharged on medical advice")
    TRANSFERRED = "2", pgettext_lazy("discharge method", "Transferred to another hospital")
    COMMUNITY = "3", _("Transferred to community care")
    AGAINST_ADVICE = "4", _("Left against medical advice")
    DIED = "5", _("Died in hospital")
    OTHER = "9", _("Other")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class FirstOfMonth(models.Func):
    """The first day of a date's month, from the date alone (no time zone: a date has none).

    For a stored generated column, whose expression PostgreSQL requires to be IMMUTABLE: Django's
    ``TruncMonth`` of a date is ``DATE_TRUNC('month', date)``, which PostgreSQL computes on the date
    cast to a timestamp *with* time zone (STABLE: it depends on the session's zone); truncating the
    date as a timestamp without zone gives the same first day and is immutable. SQLite's own
    ``date(…, 'start of month')`` is deterministic (Django's ``django_date_trunc`` would make the
    file need Django's functions to write a stay)."""

    arity = 1
    output_field = models.DateField()
    template = "CAST(DATE_TRUNC('month', CAST(%(expressions)s AS timestamp)) AS date)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="date(%(expressions)s, 'start of month')")


class DischargeStay(models.Model):
    """One hospital stay from the HIS (住院号 + 出院日期). Shared by follow-up and chart audit."""

    admission_no = models.CharField(_("admission number"), max_length=32)
    patient_name = models.CharField(_("patient name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    alt_phone = models.CharField(_("alternative phone"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="discharges", verbose_name=_("department")
    )
    attending_doctor = models.CharField(_("attending doctor"), max_length=64, blank=True)
    responsible_nurse = models.CharField(_("responsible nurse"), max_length=64, blank=True)
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), db_index=True)
    # The month of discharge (its first day), kept by the database itself from ``discharged_on``,
    # which never changes (half of the import's key): the follow-up figures group a year's stays
    # by department and month, and computing the month of each of them was a third of that read
    # (docs/performance.md → API figures, stop 21). No writer sets it (none can: generated).
    discharged_month = models.GeneratedField(
        expression=FirstOfMonth("discharged_on"),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("month of discharge"),
    )
    diagnosis = models.CharField(_("discharge diagnosis"), max_length=255, blank=True)
    # The ICD-10 code of the discharge diagnosis (follow-up plans per diagnosis match its prefix)
    # and the postal address (follow-up letters); both optional columns of the HIS file.
    diagnosis_code = models.CharField(_("ICD-10 code"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    discharge_method = models.CharField(
        _("discharge method"), max_length=1, choices=DischargeMethod.choices, default=DischargeMethod.ORDERED
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    # The stay's follow-up outcome, written only by the follow-up channel (``followups.outcomes``) in
    # the transaction that writes the stay's tasks and calls: it has a task (any state), a task with
    # an attempt, a task reached. The follow-up rate counts stays by these flags alone; joining
    # a year's stays to their tasks was the largest read of every report (docs/performance.md).
    followup_due = models.BooleanField(
        _("on the follow-up list"), default=False, db_default=False, editable=False
    )
    followup_attempted = models.BooleanField(
        _("follow-up attempted"), default=False, db_default=False, editable=False
    )
    followup_reached = models.BooleanField(
        _("follow-up reached"), default=False, db_default=False, editable=False
    )

    class Meta:
        ordering = ["-discharged_on", "admission_no"]
        verbose_name = _("discharged stay")
        verbose_name_plural = _("discharged stays")
        constraints = [models.UniqueConstraint(fields=["admission_no", "discharged_on"], name="one_stay")]
        indexes = [
            models.Index(fields=["department", "discharged_on"]),
            # The follow-up counts per department and month read this index alone (index-only scan),
            # grouped by two plain columns (department, month of discharge).
            models.Index(
                fields=[
                    "discharged_on",
                    "department",
                    "discharged_month",
                    "followup_due",
                    "followup_attempted",
                    "followup_reached",
                ],
                name="stay_followup_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.admission_no} {self.discharged_on:%Y-%m-%d}"


class ImportRun(models.Model):
    """The audit record of one import (bulk writes bypass per-row history, so each run is logged)."""

    kind = models.CharField(_("kind"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error report"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def error_rows(self) -> list[dict]:
        """The error report in the active language: each error is stored as a message key and its
        parameters (``supervision.infra.imports.texts``); one from before keys as written."""
        from .infra.imports.texts import shown_errors

        return shown_errors(self.errors)


class RevealLog(models.Model):
    """Every reveal of a patient's or complainant's contact data (PIPL: a record of who looked)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("whose data"), max_length=200)
    field = models.CharField(_("field"), max_length=64)
    # The purpose's message key (a channel's texts.py), worded when shown; a purpose from before
    # keys that the migrations could not read back is kept as written and shown as written.
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact data reveal")
        verbose_name_plural = _("contact data reveals")
        indexes = [models.Index(fields=["subject_type", "subject_id"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.subject_label} {self.field}"

    @property
    def purpose_text(self) -> str:
        """The purpose in the active language."""
        from .infra.wording import render

        return render(self.purpose, fallback=self.purpose) if self.purpose else ""

    purpose_text.fget.short_description = _("purpose")  # its column in the admin


class PersonRecordKind(models.TextChoices):
    RECORD = "record", _("Personal record")
    SHEET = "sheet", _("Monthly per-person sheet")


class PersonRecordView(models.Model):
    """Every view of a person's performance record, and every download of the monthly per-person
    sheet (PIPL: staff performance is personal information; a record of who looked, as RevealLog
    is for contact data). ``staff`` is empty for the sheet, which covers many people."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record_views",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("what was seen"), max_length=8, choices=PersonRecordKind.choices)
    period = models.CharField(_("period"), max_length=16)  # "2026" (a record's year), "2026-11" (a sheet)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal record view")
        verbose_name_plural = _("personal record views")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.staff or ''} {self.period}".strip()


# --- alerts on unhappy patients (issue 17) ----------------------------------------------------


class AlertKind(models.TextChoices):
    SURVEY_LOW_SCORE = "survey_low", _("Low survey score")
    CALL_NOT_SATISFIED = "call_unhappy", _("Not satisfied on the follow-up call")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("To contact")
    CONTACTED = "contacted", _("Patient contacted")
    CLOSED = "closed", pgettext_lazy("alert", "Closed")


class AlertAction(models.TextChoices):
    RAISE = "raise", _("Raise")
    CONTACT = "contact", _("Record the contact")
    CLOSE = "close", _("Close the service recovery")


class AlertOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved: the patient accepted the explanation or remedy")
    PARTLY = "partly", _("Partly resolved")
    NOT_RESOLVED = "not_resolved", _("Not resolved")
    NOT_REACHED = "not_reached", _("Patient could not be reached")
    NOT_CONTACTED = "not_contacted", _("Not contacted (asked not to be contacted, or anonymous)")


class Alert(models.Model):
    """An unhappy patient: raised by a channel (a survey response at or below a threshold, a call
    recorded "not satisfied") through ``supervision.services.alert_raise``, with its service-recovery
    task: contact the patient by ``due_on``, record what was said and done, close (``ALERTS``).

    One alert per source row (the constraint), so a task that runs twice raises it once. The source
    is a generic reference: the core never imports the channel that raised it.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("department")
    )
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    # The patient when the source knows them (a phone call or a phone questionnaire); empty for an
    # anonymous paper or web questionnaire: nobody to contact, the department acts on the ward.
    stay = models.ForeignKey(
        "DischargeStay", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    raised_at = models.DateTimeField(pgettext_lazy("alert", "raised at"), default=timezone.now)
    raised_on = models.DateField(_("raised on"), db_index=True)
    due_on = models.DateField(_("contact by"))
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    # What made it: the lowest score given (1–5) and the items at or below their threshold, as
    # written in the questionnaire (data, not interface text); or the caller's note.
    lowest_score = models.PositiveSmallIntegerField(_("lowest score"), null=True, blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)
    note = models.TextField(_("what the patient said"), blank=True, max_length=4000)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_note = models.TextField(_("what was said"), blank=True, max_length=4000)
    action_taken = models.TextField(pgettext_lazy("alert", "what was done"), blank=True, max_length=4000)
    outcome = models.CharField(
        pgettext_lazy("alert", "outcome"), max_length=16, choices=AlertOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="alert_once_per_source")
        ]
        indexes = [models.Index(fields=["department", "status"], name="alert_dept_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.raised_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.CLOSED


class AlertTransition(TransitionRecord):
    """One row per step of an alert's service recovery (``supervision.workflow``). Append-only."""

    subject_field = "alert"
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("alert transition")
        verbose_name_plural = _("alert transitions")
