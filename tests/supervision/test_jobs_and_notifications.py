"""Reminders, digests and escalation: run twice, send once. E-mail is swept, never lost."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from supervision import services, tasks
from supervision.models import EmailMode, Notification, NotificationKind, RectificationOrder
from tests.factories import make_finding


@pytest.fixture
def today():
    return timezone.localdate()


def test_new_order_notifies_the_heads_of_its_department_only(neike, supervisor, head_neike, head_waike):
    make_finding(department=neike, found_by=supervisor)
    assert Notification.objects.filter(recipient=head_neike, kind=NotificationKind.ORDER_ISSUED).count() == 1
    assert not Notification.objects.filter(recipient=head_waike).exists()


def test_due_soon_reminder_is_sent_once_per_order_and_deadline(neike, supervisor, head_neike, today):
    finding = make_finding(department=neike, found_by=supervisor, deadline=today + dt.timedelta(days=1))
    assert services.orders_remind_due_soon(today=today) == 1
    assert services.orders_remind_due_soon(today=today) == 0
    assert tasks.remind_due_soon.delay(today.isoformat()).get() == 0
    # A new deadline (extension granted) earns a new reminder.
    RectificationOrder.objects.filter(pk=finding.order.pk).update(deadline=today + dt.timedelta(days=2))
    assert services.orders_remind_due_soon(today=today) == 1
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON, recipient=head_neike).count() == 2


def test_overdue_digest_once_a_day_to_heads_and_supervisors(
    neike, waike, supervisor, head_neike, head_waike, today
):
    late = make_finding(department=neike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=3))
    make_finding(department=waike, found_by=supervisor)  # not overdue
    first = services.orders_send_overdue_digest(today=today)
    second = services.orders_send_overdue_digest(today=today)
    assert (first, second) == (2, 0)  # head of 内科 + the supervisor; nothing to 外科
    digest = Notification.objects.get(recipient=head_neike, kind=NotificationKind.OVERDUE_DIGEST)
    assert late.number in digest.body_text
    assert not Notification.objects.filter(
        recipient=head_waike, kind=NotificationKind.OVERDUE_DIGEST
    ).exists()
    assert services.orders_send_overdue_digest(today=today + dt.timedelta(days=1)) == 2


def test_email_sweep_sends_each_notification_once(neike, supervisor, head_neike, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.user_set_email_mode(user=head_neike, email_mode=EmailMode.IMMEDIATE)  # not the daily digest
    make_finding(department=neike, found_by=supervisor)
    assert services.notifications_email_pending() == 1
    assert services.notifications_email_pending() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [head_neike.email]


def test_email_says_what_happened_links_to_the_page_and_names_the_sender(
    neike, supervisor, head_neike, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DUCHA_BASE_URL = "https://ducha.hospital.cn"
    settings.HOSPITAL_NAME = "示范人民医院"
    services.user_set_email_mode(user=head_neike, email_mode=EmailMode.IMMEDIATE)  # not the daily digest
    order = make_finding(department=neike, found_by=supervisor).order
    services.notifications_email_pending()
    (message,) = mail.outbox
    notice = Notification.objects.get(recipient=head_neike)
    with translation.override("zh-hans"):  # the recipient's language
        title = notice.title_text
    assert message.subject == title
    assert message.body.startswith(title)
    assert f"在督察系统中打开：https://ducha.hospital.cn{order.get_absolute_url()}" in message.body
    assert "示范人民医院服务督察（督察系统）。本邮件由系统自动发送。" in message.body


def test_email_without_a_base_url_names_the_page_by_its_path_in_the_recipients_language(
    neike, supervisor, head_neike, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DUCHA_BASE_URL = ""
    head_neike.language = "en"
    head_neike.email_mode = EmailMode.IMMEDIATE  # not the daily digest
    head_neike.save()
    order = make_finding(department=neike, found_by=supervisor).order
    services.notifications_email_pending()
    (message,) = mail.outbox
    assert f"Open it in Ducha: {order.get_absolute_url()}" in message.body
    assert "This e-mail was sent automatically." in message.body


def test_failed_email_is_given_back_to_the_next_sweep(neike, supervisor, head_neike, settings, monkeypatch):
    make_finding(department=neike, found_by=supervisor)

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.send_mail", broken)
    assert services.notifications_email_pending() == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1


def test_notification_title_is_in_the_recipients_language(neike, supervisor, head_neike):
    head_neike.language = "en"
    head_neike.save()
    make_finding(department=neike, found_by=supervisor)
    with translation.override("en"):
        assert Notification.objects.get(recipient=head_neike).title_text.startswith("New rectification order")


def test_notification_page_and_mark_read(client_for, neike, supervisor, head_neike):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(head_neike)
    page = client.get(reverse("notification_list"))
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 1
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=head_neike, read_at__isnull=True).exists()


def test_notification_link_button_reads_as_an_action_not_as_the_open_status(
    client_for, neike, supervisor, head_neike
):
    # "Open" is both a verb (this button) and an order status (the dashboard's column, 未完成).
    make_finding(department=neike, found_by=supervisor)
    html = client_for(head_neike).get(reverse("notification_list")).content.decode()
    assert ">查看</a>" in html
    assert "未完成" not in html


def test_notification_read_is_post_only_and_scoped_to_the_owner(client_for, neike, supervisor, head_neike):
    make_finding(department=neike, found_by=supervisor)
    mine = Notification.objects.get(recipient=head_neike)
    assert client_for(head_neike).get(reverse("notification_read", args=[mine.pk])).status_code == 405
    client_for(supervisor).post(reverse("notification_read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is None


def test_default_beat_schedules_are_installed_and_not_overwritten(db):
    from django_celery_beat.models import PeriodicTask

    from supervision.schedules import DEFAULT_SCHEDULES, ensure_schedules

    names = {job.name for job in DEFAULT_SCHEDULES}
    assert names <= set(PeriodicTask.objects.values_list("name", flat=True))
    task = PeriodicTask.objects.get(name=DEFAULT_SCHEDULES[0].name)
    task.enabled = False
    task.save()
    assert ensure_schedules(DEFAULT_SCHEDULES, "Asia/Shanghai") == 0
    task.refresh_from_db()
    assert task.enabled is False


def test_language_switch_is_saved_on_the_user(client_for, supervisor):
    client = client_for(supervisor)
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    supervisor.refresh_from_db()
    assert supervisor.language == "en"
    page = client.get(reverse("dashboard")).content.decode()
    assert "Dashboard" in page
    client.post(reverse("language_switch"), {"language": "zh-hans", "next": "https://evil.example/"})
    supervisor.refresh_from_db()
    assert supervisor.language == "zh-hans"
    assert "工作台" in client.get(reverse("dashboard")).content.decode()


def test_language_switch_names_each_language_in_itself(client_for, supervisor):
    # A reader of the other language must recognise their own: never 英语 nor "Simplified Chinese".
    client = client_for(supervisor)
    for page in (client.get(reverse("dashboard")), Client().get(reverse("login"))):
        html = page.content.decode()
        assert 'lang="en">English</button>' in html
        assert 'lang="zh-hans">简体中文</button>' in html
        assert "英语" not in html
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    html = client.get(reverse("dashboard")).content.decode()
    assert 'lang="zh-hans">简体中文</button>' in html and "Simplified Chinese" not in html


class HungServer:
    """A TCP server that accepts connections and never answers: a hung Redis."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                continue

    def __exit__(self, *exc):
        self.running = False
        for c in self.conns:
            c.close()
        self.sock.close()


def test_hung_broker_fails_the_enqueue_fast_and_the_action_still_succeeds(neike, supervisor, head_neike):
    """With the broker hung, enqueueing gives up after the socket timeouts; the saved action stands."""
    from celery import Celery

    from supervision.infra.tasking import enqueue_now

    with HungServer() as server:
        # Not the current app: the project's shared tasks must keep using the project's app (and its
        # eager test setting) in the tests that run after this one.
        app = Celery("hung", broker=f"redis://127.0.0.1:{server.port}/0", set_as_current=False)
        app.conf.broker_transport_options = {
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "max_retries": 1,
        }
        app.conf.broker_connection_timeout = 2
        app.conf.broker_connection_retry = False
        app.conf.task_publish_retry = False

        @app.task(name="hung.noop")
        def noop():
            return None

        started = time.monotonic()
        assert enqueue_now(noop) is False
        elapsed = time.monotonic() - started
    # Not a speed assertion: a hung broker must not hang the request (it would block forever).
    assert elapsed < 30


def test_the_unread_badge_stops_counting_at_99_plus(client_for, head_neike):
    Notification.objects.bulk_create(
        Notification(recipient=head_neike, kind="order_issued", title=f"n{i}", dedupe_key=f"k{i}")
        for i in range(120)
    )
    client = client_for(head_neike)
    page = client.get(reverse("notification_list"))
    assert page.context["unread_notifications"] == 100
    assert '<span class="badge rounded-pill bg-danger">99+</span>' in page.content.decode()
    Notification.objects.filter(recipient=head_neike).exclude(title__in=["n1", "n2"]).delete()
    page = client.get(reverse("notification_list"))
    assert '<span class="badge rounded-pill bg-danger">2</span>' in page.content.decode()


def test_the_unread_badge_count_does_not_sort_the_notices(client_for, head_neike):
    # Sorting newest-first before the cap made the "capped" count read every unread notice (2.7 ms
    # against 0.2 ms for an office account with 8,000 at large size).
    with CaptureQueriesContext(connection) as q:
        client_for(head_neike).get(reverse("notification_list"))
    badge = [
        s["sql"] for s in q.captured_queries if "supervision_notification" in s["sql"] and "COUNT" in s["sql"]
    ]
    assert badge
    assert all("ORDER BY" not in sql for sql in badge)


def test_the_badges_probe_for_this_page_reads_the_unread_notices_about_it_alone(head_neike):
    """The badge's "unread notice about this page" (selectors.unread_badge, on every page) must stay a probe
    of the recipient's unread notices (index notification_unread_item): a year of read notices about one
    page (/alerts/) made PostgreSQL read the whole table for it on that page (18.6 ms at the large bench set,
    124 ms at huge)."""
    from supervision.selectors import unread_badge

    Notification.objects.bulk_create(
        Notification(
            recipient=head_neike, kind="alert", item="/alerts/", dedupe_key=f"a{i}", read_at=timezone.now()
        )
        for i in range(50)
    )
    Notification.objects.create(recipient=head_neike, kind="alert", item="/alerts/", dedupe_key="new")
    assert unread_badge(head_neike, limit=100, path="/alerts/") == (["/alerts/"], True)
    assert unread_badge(head_neike, limit=100, path="/elsewhere/")[1] is False
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT 1 FROM supervision_notification WHERE item = %s AND recipient_id = %s AND read_at IS NULL",
            ["/alerts/", head_neike.pk],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread_item" in plan
