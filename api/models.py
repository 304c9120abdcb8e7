"""API keys of the integrating systems and the record of every call made with them."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from supervision.models import Department, ImportRun, SingletonModel

KEY_START = "dk_"  # every key starts so, to be recognised in a leaked log or a repository scan


class ApiScope(models.TextChoices):
    DISCHARGES_WRITE = "discharges:write", _("Push discharged stays")
    ORG_WRITE = "org:write", _("Upsert departments and staff")
    FIGURES_READ = "figures:read", _("Read figures")
    FINDINGS_READ = "findings:read", _("Read findings and rectification orders")


def hash_key(raw: str) -> str:
    # A key is 256 random bits: a plain SHA-256 cannot be reversed or guessed, and (unlike a
    # password hasher's thousands of rounds) costs nothing on every call.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def find(self, raw: str) -> ApiKey | None:
        """The key ``raw`` names, whatever its state (revoked, expired), or None."""
        if not raw.startswith(KEY_START) or "." not in raw:
            return None
        prefix = raw[len(KEY_START) :].split(".", 1)[0]
        # The key and the departments it may read in one statement (a row per department, one row
        # with none for a whole-hospital key): every call needs both, and reading the departments
        # apart was a query more per call (docs/performance.md → API figures, stop 20).
        rows = list(self.filter(prefix=prefix).annotate(scope_department=F("departments")).order_by())
        if not rows or not constant_time_compare(rows[0].hashed_key, hash_key(raw)):
            return None
        key = rows[0]
        key._department_ids = (
            sorted(r.scope_department for r in rows if r.scope_department is not None) or None
        )
        return key


class ApiKey(models.Model):
    """One integrating system's key. Only its hash is stored; the key is shown once, at creation."""

    name = models.CharField(
        _("system"), max_length=64, help_text=_("The system that uses the key (HIS, BI, OA …).")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name=_("departments"),
        help_text=_("What the key may read; none chosen: the whole hospital."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    rate_limit = models.PositiveIntegerField(
        _("calls per minute"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("Calls beyond it in one minute are refused (429)."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Untick to revoke the key."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({KEY_START}{self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """A new key: (the key to show once, its prefix, its hash)."""
        prefix = secrets.token_hex(4)
        raw = f"{KEY_START}{prefix}.{secrets.token_urlsafe(32)}"
        return raw, prefix, hash_key(raw)

    def has_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def department_ids(self) -> list[int] | None:
        """For figure selectors and lists: ``None`` for the whole hospital, else the sorted ids."""
        if not hasattr(self, "_department_ids"):
            ids = sorted(self.departments.values_list("id", flat=True))
            self._department_ids = ids or None
        return self._department_ids


class ApiCall(models.Model):
    """One call to the API, answered or refused: who, what, how many rows, the result."""

    key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("API key"),
    )
    key_prefix = models.CharField(_("key prefix given"), max_length=16, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    import_run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import run"),
    )
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"


class WebhookEvent(models.TextChoices):
    ORDER_ESCALATED = "order.escalated", _("Rectification order escalated")
    COMPLAINT_OVERDUE = "complaint.overdue", _("Complaint answer overdue")


def _webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL of the hospital's OA (or any system) that is told of events, signed with its secret."""

    name = models.CharField(_("system"), max_length=64)
    url = models.URLField(_("URL"), max_length=500, help_text=_("Ducha POSTs the event here as JSON."))
    secret = models.CharField(
        _("signing secret"),
        max_length=64,
        default=_webhook_secret,
        help_text=_("The receiver checks the X-Ducha-Signature header with it (docs/api.md)."),
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before giving up"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Tries before a delivery is given up (the waits between them double from one minute)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("To be sent")
    DELIVERED = "delivered", _("Delivered")
    GIVEN_UP = "given_up", _("Given up")


class WebhookDelivery(models.Model):
    """One event for one webhook: recorded first, then POSTed by Celery until it is answered 2xx or
    has used its attempts."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    event_key = models.CharField(max_length=128)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_response = models.CharField(_("last answer"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_delivery_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook}"


class HisPull(SingletonModel):
    """The nightly pull of discharged stays from a view of the HIS database (docs/api.md). The
    connection is ``HIS_DATABASE_URL`` in the environment (a read-only account); the query is here."""

    enabled = models.BooleanField(_("nightly pull on"), default=False)
    query = models.TextField(
        _("query"),
        blank=True,
        help_text=_(
            "A SELECT whose columns are the discharge template's headers (住院号, 姓名, … 出院日期) or "
            "their field names (admission_no, …), e.g. SELECT * FROM v_ducha_discharges WHERE 出院日期 >= "
            "CURRENT_DATE - 7."
        ),
    )

    class Meta:
        verbose_name = _("HIS pull")
        verbose_name_plural = _("HIS pull")

    def __str__(self) -> str:
        return str(_("HIS pull"))
