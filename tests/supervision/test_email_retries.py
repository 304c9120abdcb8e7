"""Issue 15 item 4: one unsendable e-mail was retried for ever, and 200 of them stopped all e-mail.

A failed send went back to the head of the queue at every sweep and nothing gave up. Now a
failure is counted and retried after a growing pause, given up after EMAIL_MAX_ATTEMPTS with one
log line and a status in the admin, new notices go first, and subjects never carry a line break.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from supervision import services, texts
from supervision.models import Notification, NotificationKind, Role
from tests.factories import UserFactory

T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
BROKEN = "broken@hospital.example"


@pytest.fixture
def outbox(settings, monkeypatch):
    """The locmem outbox; sending to BROKEN fails as an SMTP server refusing the recipient would."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_MAX_ATTEMPTS = 3
    from django.core import mail as django_mail

    real = django_mail.send_mail

    def send_mail(**kwargs):
        if BROKEN in kwargs["recipient_list"]:
            raise OSError("550 mailbox unavailable")
        return real(**kwargs)

    monkeypatch.setattr("django.core.mail.send_mail", send_mail)


def notify(user, key, number="ZG-1"):
    services.notification_send(
        recipients=[user],
        kind=NotificationKind.GENERAL,
        key=key,
        title=texts.ORDER_SUBMITTED,
        params={"number": number},
    )
    return Notification.objects.get(recipient=user, dedupe_key=key)


@pytest.fixture
def broken(db):
    # Each notice at once (the sweep's e-mails), not the daily digest.
    return UserFactory(username="broken", email=BROKEN, roles=[Role.SUPERVISOR], email_mode="immediate")


@pytest.fixture
def fine(db):
    return UserFactory(
        username="fine", email="fine@hospital.example", roles=[Role.SUPERVISOR], email_mode="immediate"
    )


def test_a_line_break_in_a_title_never_reaches_the_subject(outbox, fine):
    # A department name typed with Alt+Enter in an Excel cell, as imports once accepted it.
    notice = notify(fine, "k1", number="内科\r\n一病区")
    with time_machine.travel(T0, tick=False):
        assert services.notifications_email_pending() == 1
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "内科 一病区" in message.subject
    notice.refresh_from_db()
    assert notice.emailed_at == T0 and notice.email_attempts == 0


def test_a_failure_is_counted_and_tried_again_only_after_a_growing_pause(outbox, broken):
    notice = notify(broken, "k1")
    with time_machine.travel(T0, tick=False):
        assert services.notifications_email_pending() == 0
    notice.refresh_from_db()
    assert notice.emailed_at is None and notice.email_attempts == 1
    assert notice.email_retry_at == T0 + dt.timedelta(minutes=5)
    assert notice.email_error == "OSError: 550 mailbox unavailable"

    with time_machine.travel(T0 + dt.timedelta(minutes=4), tick=False):
        services.notifications_email_pending()
    notice.refresh_from_db()
    assert notice.email_attempts == 1  # still waiting: not tried at the next sweep

    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        services.notifications_email_pending()
    notice.refresh_from_db()
    assert notice.email_attempts == 2
    assert notice.email_retry_at == T0 + dt.timedelta(minutes=15)  # then 10 minutes


def test_after_the_last_attempt_the_email_is_given_up_with_one_log_line(outbox, broken, caplog):
    notice = notify(broken, "k1")
    at = T0
    with caplog.at_level(logging.WARNING, logger="supervision.services"):
        for _ in range(5):
            with time_machine.travel(at, tick=False):
                services.notifications_email_pending()
            at += dt.timedelta(hours=7)  # past any pause
    notice.refresh_from_db()
    assert notice.email_attempts == 3  # EMAIL_MAX_ATTEMPTS: never tried after giving up
    assert notice.email_gave_up_at == T0 + dt.timedelta(hours=14)
    given_up = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(given_up) == 1
    assert (
        f"notification {notice.pk}" in given_up[0].getMessage()
        and "after 3 attempts" in given_up[0].getMessage()
    )
    assert notice.read_at is None and Notification.objects.filter(pk=notice.pk).exists()  # the notice stays


def test_failing_emails_never_hold_up_the_others(outbox, broken, fine):
    for n in range(3):
        notify(broken, f"bad{n}")
    with time_machine.travel(T0, tick=False):
        assert services.notifications_email_pending(limit=3) == 0  # all three fail
    good = notify(fine, "good")
    # Their pause is over at the same sweep as the new notice arrives: the new one goes first.
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        assert services.notifications_email_pending(limit=3) == 1
    good.refresh_from_db()
    assert good.emailed_at is not None and [m.to for m in mail.outbox] == [["fine@hospital.example"]]


def test_a_sweep_during_the_pauses_sends_the_new_notices(outbox, broken, fine):
    for n in range(3):
        notify(broken, f"bad{n}")
    with time_machine.travel(T0, tick=False):
        services.notifications_email_pending(limit=3)
    notify(fine, "good")
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert services.notifications_email_pending(limit=1) == 1


def test_the_admin_lists_given_up_emails_and_sends_them_again(outbox, broken, administrator, client_for):
    notice = notify(broken, "k1")
    notice.email_attempts = 3
    notice.email_gave_up_at = timezone.now()
    notice.email_error = "OSError: 550 mailbox unavailable"
    notice.save()
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = client_for(administrator)
    url = reverse("admin:supervision_notification_changelist")
    page = client.get(url, {"email": "gave_up"}).content.decode()
    assert "550 mailbox unavailable" in page
    assert "550 mailbox unavailable" not in client.get(url, {"email": "waiting"}).content.decode()
    client.post(url, {"action": "retry_email", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.email_gave_up_at is None and notice.email_attempts == 0 and notice.email_error == ""
