"""Celery tasks of the API: webhook deliveries (each loads its row by id and calls the service)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="api.webhook_deliver", bind=True, max_retries=None)
def webhook_deliver(self, delivery_id: int) -> bool:
    """One try; a failure is retried by Celery after the delivery's back-off (its attempts are
    counted on the row, so a lost or repeated message neither skips nor adds a try)."""
    attempt = services.webhook_attempt(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.delivered


@shared_task(name="api.webhook_sweep")
def webhook_sweep() -> int:
    """Deliveries whose next try is long past (the broker lost the retry, or was down) are sent again."""
    return services.webhooks_resend_stalled(enqueue=webhook_deliver)


@shared_task(name="api.his_pull")
def his_pull() -> dict:
    """The nightly (or on demand) pull of discharged stays from the HIS; skipped unless switched on."""
    from .his import discharges_pull
    from .models import HisPull

    if not HisPull.get().enabled:
        return {"skipped": True}
    return discharges_pull().as_dict()


@shared_task(name="api.his_pull_now")
def his_pull_now() -> dict:
    """The pull asked for by an administrator, whether or not the nightly one is on."""
    from .his import discharges_pull

    return discharges_pull().as_dict()
