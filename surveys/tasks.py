"""Celery tasks of the surveys app: each calls an idempotent service."""

from celery import shared_task

from . import services


@shared_task(name="surveys.close_ended_campaigns")
def close_ended_campaigns() -> int:
    return services.campaigns_close_ended()


@shared_task(name="surveys.match_praise")
def match_praise() -> int:
    return services.praises_auto_match()


@shared_task(name="surveys.raise_alert")
def raise_alert(response_id: int) -> bool:
    """Look at one stored response and raise its alert on an unhappy patient (issue 17)."""
    from .models import SurveyResponse

    response = SurveyResponse.objects.select_related("department", "stay").filter(pk=response_id).first()
    if response is None:  # deleted since (retention): nothing to do
        return False
    return services.response_raise_alert(response=response) is not None
