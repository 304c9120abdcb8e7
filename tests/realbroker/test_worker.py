"""A task goes through the real Redis broker to a real Celery worker, and its effect is checked."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from supervision.models import Notification, NotificationKind, RectificationOrder
from supervision.tasks import overdue_digest
from tests.factories import make_finding

pytestmark = [pytest.mark.realbroker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_overdue_digest_runs_on_the_real_worker_and_twice_sends_once(neike, supervisor, head_neike):
    assert settings.REDIS_URL, "this test needs REDIS_URL (run by .ci/run)"
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    today = timezone.localdate()
    order = make_finding(department=neike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=today - dt.timedelta(days=2))

    overdue_digest.delay(today.isoformat())
    overdue_digest.delay(today.isoformat())

    def digests():
        return Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST, recipient=head_neike).count()

    assert wait_for(lambda: digests() >= 1), "the worker did not process the task"
    time.sleep(3)  # give the second message time to be processed too
    assert digests() == 1
    assert (
        Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST, recipient=supervisor).count() == 1
    )
