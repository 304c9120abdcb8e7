"""Webhooks: an escalated order or an overdue complaint is POSTed, signed with HMAC-SHA256, to a
real local HTTP server; failures are retried by Celery with a doubling wait, given up after the
webhook's attempts (shown in the admin, told to the administrators); an event is sent once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from api import webhooks
from api.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from api.tasks import webhook_sweep
from complaints import services as complaint_services
from supervision import services as core_services
from supervision.models import Notification
from tests.complaints.factories import make_complaint
from tests.factories import make_finding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _retries_run_eagerly():
    # The tests run Celery eagerly with errors propagated; a retry then stops at the first raise.
    # Without propagation Celery's eager apply() runs the retry at once (the wait is not slept),
    # as a worker would run it after the wait.
    from supervision.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


class Receiver:
    """A real HTTP server on 127.0.0.1 answering each POST with the next of ``statuses`` (the
    last one repeated), keeping what it received."""

    def __init__(self, statuses=(200,)):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(200,)):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def hook(url, events=tuple(WebhookEvent.values), **fields):
    return Webhook.objects.create(name="OA", url=url, events=list(events), **fields)


def overdue_order(neike, supervisor, days=10):
    finding = make_finding(department=neike, found_by=supervisor, description="患者张三（13800138000）投诉")
    order = finding.order
    order.deadline = timezone.localdate() - dt.timedelta(days=days)
    order.save()
    return order


def escalate(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        core_services.orders_climb_ladder()


def test_an_escalated_order_is_posted_signed_and_without_patient_data(
    receiver, neike, supervisor, administrator, django_capture_on_commit_callbacks
):
    server = receiver()
    webhook = hook(server.url)
    order = overdue_order(neike, supervisor)
    escalate(django_capture_on_commit_callbacks)
    assert len(server.received) == 1
    headers, body = server.received[0]
    assert headers["X-Ducha-Event"] == "order.escalated"
    stamp, signature = (part.split("=", 1)[1] for part in headers["X-Ducha-Signature"].split(","))
    expected = hmac.new(webhook.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    payload = json.loads(body)
    assert payload["event"] == "order.escalated"
    assert payload["order"]["number"] == order.number and payload["order"]["department"] == "NK"
    assert payload["order"]["days_overdue"] == 10
    assert "张三" not in body.decode() and "13800138000" not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_a_signature_made_with_another_secret_does_not_match():
    body = b'{"event": "order.escalated"}'
    assert webhooks.sign("secret-a", 1, body) != webhooks.sign("secret-b", 1, body)
    assert webhooks.sign("secret-a", 1, body) != webhooks.sign("secret-a", 2, body)


def test_the_same_escalation_announced_again_is_sent_once(
    receiver, neike, supervisor, administrator, django_capture_on_commit_callbacks
):
    server = receiver()
    hook(server.url)
    overdue_order(neike, supervisor)
    escalate(django_capture_on_commit_callbacks)
    escalate(django_capture_on_commit_callbacks)
    assert len(server.received) == 1
    assert WebhookDelivery.objects.count() == 1


def test_an_overdue_complaint_is_posted_to_a_webhook_that_wants_it(
    receiver, neike, supervisor, django_capture_on_commit_callbacks
):
    wants, ignores = receiver(), receiver()
    hook(wants.url, events=[WebhookEvent.COMPLAINT_OVERDUE])
    hook(ignores.url, events=[WebhookEvent.ORDER_ESCALATED])
    complaint = make_complaint(received_by=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaints_notify_overdue(today=complaint.answer_due + dt.timedelta(days=1))
    assert ignores.received == []
    payload = json.loads(wants.received[0][1])
    assert payload["event"] == "complaint.overdue"
    assert payload["complaint"]["number"] == complaint.number
    assert "张三" not in wants.received[0][1].decode()


def test_a_failed_delivery_is_retried_with_a_doubling_wait_until_it_is_answered(
    receiver, neike, supervisor, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    waits = []
    monkeypatch.setattr(
        webhooks, "backoff", lambda attempts: waits.append(attempts) or 60 * 2 ** (attempts - 1)
    )
    server = receiver(statuses=(500, 503, 200))
    hook(server.url)
    overdue_order(neike, supervisor)
    escalate(django_capture_on_commit_callbacks)  # Celery runs eagerly in the tests: retries at once
    assert len(server.received) == 3
    assert waits == [1, 2]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response) == (
        DeliveryStatus.DELIVERED,
        3,
        "2xx",
    )
    assert not Notification.objects.filter(dedupe_key__startswith="webhook_given_up").exists()


def test_the_wait_doubles_from_a_minute_up_to_six_hours():
    assert [webhooks.backoff(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert webhooks.backoff(20) == 6 * 3600


def test_a_delivery_is_given_up_after_its_attempts_and_shown(
    receiver, client, neike, supervisor, administrator, django_capture_on_commit_callbacks
):
    server = receiver(statuses=(500,))
    hook(server.url, max_attempts=3)
    overdue_order(neike, supervisor)
    escalate(django_capture_on_commit_callbacks)
    assert len(server.received) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response) == (
        DeliveryStatus.GIVEN_UP,
        3,
        "HTTP 500",
    )
    notice = Notification.objects.get(recipient=administrator, dedupe_key=f"webhook_given_up:{delivery.pk}")
    assert "OA" in notice.title_text and "3" in notice.title_text
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    page = client.get(reverse("admin:api_webhookdelivery_changelist") + "?status__exact=given_up")
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()


def test_an_unreachable_url_is_recorded_and_retried(
    neike, supervisor, administrator, django_capture_on_commit_callbacks
):
    server = Receiver()
    url = server.url
    server.close()  # nobody listens there now
    hook(url, max_attempts=2)
    overdue_order(neike, supervisor)
    escalate(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.GIVEN_UP, 2)
    assert delivery.last_response and delivery.last_response != "2xx"


def test_the_sweep_sends_again_a_delivery_whose_retry_was_lost(receiver, neike, supervisor):
    server = receiver()
    webhook = hook(server.url)
    stalled = WebhookDelivery.objects.create(
        webhook=webhook,
        event=WebhookEvent.ORDER_ESCALATED,
        event_key="escalation:1:2026-01-01",
        payload={"event": "order.escalated"},
        attempts=1,
        next_attempt_at=timezone.now() - dt.timedelta(hours=1),
    )
    fresh = WebhookDelivery.objects.create(
        webhook=webhook,
        event=WebhookEvent.ORDER_ESCALATED,
        event_key="escalation:2:2026-01-01",
        payload={"event": "order.escalated"},
        attempts=1,
        next_attempt_at=timezone.now() + dt.timedelta(minutes=1),
    )
    assert webhook_sweep() == 1
    stalled.refresh_from_db(), fresh.refresh_from_db()
    assert stalled.status == DeliveryStatus.DELIVERED and fresh.status == DeliveryStatus.PENDING
    assert len(server.received) == 1
