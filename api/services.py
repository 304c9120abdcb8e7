"""The API's writes: issuing a key, trying a webhook delivery."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from supervision.infra.tasking import enqueue_now
from supervision.models import NotificationKind, Role
from supervision.services import notification_send, users_with_role

from . import texts, webhooks
from .models import ApiKey, DeliveryStatus, WebhookDelivery
from .webhooks import Attempt


@transaction.atomic
def api_key_issue(*, key: ApiKey, actor=None) -> str:
    """Give ``key`` (unsaved, its fields filled) a new secret and save it with the secret's hash
    only; return the secret, to be shown once. Many-to-many fields are the caller's (the admin
    saves them after ``save_model``)."""
    raw, key.prefix, key.hashed_key = ApiKey.generate()
    key.created_by = actor if actor is not None and actor.pk else None
    key.save()
    return raw


def webhook_attempt(*, delivery_id: int) -> Attempt:
    """Try the delivery once (a delivered or given-up one is left alone: the task may run twice)
    and record the try; give it up, and tell the administrators, when its attempts are used."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return Attempt(delivered=False, retry_in=None)
    problem = webhooks.post(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_response = problem or "2xx"
    if problem is None:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        delivery.save(update_fields=["attempts", "last_response", "status", "finished_at", "next_attempt_at"])
        return Attempt(delivered=True, retry_in=None)
    if delivery.attempts >= delivery.webhook.max_attempts:
        with transaction.atomic():
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.GIVEN_UP,
                now,
                None,
            )
            delivery.save(
                update_fields=["attempts", "last_response", "status", "finished_at", "next_attempt_at"]
            )
            notification_send(
                recipients=users_with_role(Role.ADMINISTRATOR),
                kind=NotificationKind.GENERAL,
                key=f"webhook_given_up:{delivery.pk}",
                title=texts.WEBHOOK_GIVEN_UP,
                params={
                    "webhook": delivery.webhook.name,
                    "event": delivery.event,
                    "attempts": delivery.attempts,
                    "answer": delivery.last_response,
                },
                url=reverse("admin:api_webhookdelivery_change", args=[delivery.pk]),
            )
        return Attempt(delivered=False, retry_in=None)
    wait = webhooks.backoff(delivery.attempts)
    delivery.next_attempt_at = now + dt.timedelta(seconds=wait)
    delivery.save(update_fields=["attempts", "last_response", "next_attempt_at"])
    return Attempt(delivered=False, retry_in=wait)


STALLED_AFTER = dt.timedelta(minutes=10)


def webhooks_resend_stalled(*, enqueue) -> int:
    """Enqueue again the pending deliveries never tried, or whose retry is overdue by ``STALLED_AFTER``."""
    cutoff = timezone.now() - STALLED_AFTER
    stalled = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            models.Q(next_attempt_at__lt=cutoff)
            | models.Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .values_list("pk", flat=True)
    )
    for pk in stalled:
        enqueue_now(enqueue, pk)
    return len(stalled)
