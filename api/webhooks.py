"""Webhooks: the events of ``supervision.events`` POSTed to the configured URLs, signed.

Each event becomes one ``WebhookDelivery`` per webhook that wants it (once per event key, so a
schedule that announces the same escalation again adds nothing), then ``api.tasks.webhook_deliver``
POSTs it; a failure is retried by Celery with the wait doubling from one minute, and after the
webhook's ``max_attempts`` the delivery is given up, shown in the admin and told to the
administrators. The body holds numbers, departments, dates and statuses — never a patient's or
complainant's name or phone.

Signature (as Stripe's): ``X-Ducha-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``
with the webhook's secret; the receiver recomputes it and refuses an old ``t``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from supervision import events
from supervision.infra.tasking import enqueue_on_commit

from .models import Webhook, WebhookDelivery, WebhookEvent

TIMEOUT_SECONDS = 10
FIRST_WAIT_SECONDS = 60


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failed ones: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(FIRST_WAIT_SECONDS * 2 ** (attempts - 1), 6 * 3600)


def _link(path: str) -> str:
    return f"{settings.DUCHA_BASE_URL}{path}" if settings.DUCHA_BASE_URL else path


def _queue(event: str, key: str, payload: dict) -> None:
    payload = {"event": event, "occurred_at": timezone.now(), **payload}
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    for webhook in Webhook.objects.filter(active=True):
        if event not in webhook.events:
            continue
        with transaction.atomic():
            delivery, created = WebhookDelivery.objects.get_or_create(
                webhook=webhook, event_key=key, defaults={"event": event, "payload": data}
            )
        if created:
            from .tasks import webhook_deliver

            enqueue_on_commit(webhook_deliver, delivery.pk)


def on_order_escalated(sender, *, order, days_overdue: int, key: str, **kwargs) -> None:
    _queue(
        WebhookEvent.ORDER_ESCALATED,
        key,
        {
            "order": {
                "number": order.number,
                "department": order.department.code,
                "department_name": order.department.name,
                "status": order.status,
                "deadline": order.deadline,
                "days_overdue": days_overdue,
                "url": _link(order.get_absolute_url()),
            }
        },
    )


def on_complaint_overdue(sender, *, complaint, key: str, **kwargs) -> None:
    department = complaint.department
    _queue(
        WebhookEvent.COMPLAINT_OVERDUE,
        key,
        {
            "complaint": {
                "number": complaint.number,
                "department": department.code if department else None,
                "department_name": department.name if department else None,
                "status": complaint.status,
                "answer_due": complaint.answer_due,
                "url": _link(complaint.get_absolute_url()),
            }
        },
    )


def connect() -> None:
    events.order_escalated.connect(on_order_escalated, dispatch_uid="api.webhooks.order_escalated")
    events.complaint_overdue.connect(on_complaint_overdue, dispatch_uid="api.webhooks.complaint_overdue")


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    retry_in: int | None  # seconds until the next try; None: no further try


def post(delivery: WebhookDelivery) -> str | None:
    """POST the delivery once; None when answered 2xx, else what went wrong (for the record)."""
    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
    url = delivery.webhook.url
    if not url.lower().startswith(("http://", "https://")):
        return "not an http(s) URL"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Ducha-Webhook/1",
            "X-Ducha-Event": delivery.event,
            "X-Ducha-Delivery": str(delivery.pk),
            "X-Ducha-Signature": sign(delivery.webhook.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310: http(s) only, checked above
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))[:255] or type(exc).__name__
