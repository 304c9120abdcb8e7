"""Celery tasks of the surveys app: each calls an idempotent service."""

from celery import shared_task

from . import services


@shared_task(name="surveys.close_ended_campaigns")
def close_ended_campaigns() -> int:
    return services.campaigns_close_ended()


@shared_task(name="surveys.match_praise")
def match_praise() -> int:
    return services.praises_auto_match()
