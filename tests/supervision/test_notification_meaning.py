"""Notifications that mean something (issue 17 item 2): read on open, moved on when the item moves
on, one page grouped by item, a daily e-mail digest (escalations and alerts at once), each person's
choice."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from supervision import services, tasks, texts
from supervision.models import EmailDigest, EmailMode, Notification, NotificationKind
from tests.complaints.factories import assigned
from tests.factories import StaffFactory, make_finding

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def work(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, moved_on_at__isnull=True).count()


def notify(user, key, *, url="", kind=NotificationKind.GENERAL, number="ZG2026-000001"):
    services.notification_send(
        recipients=[user], kind=kind, key=key, title=texts.ORDER_SUBMITTED, params={"number": number}, url=url
    )


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DUCHA_BASE_URL = "https://ducha.example.cn"
    mail.outbox.clear()


# --- read on open ----------------------------------------------------------------------------


def test_opening_the_order_marks_its_notices_read_and_only_those(client_for, neike, supervisor, head_neike):
    first = make_finding(department=neike, found_by=supervisor)
    other = make_finding(department=neike, found_by=supervisor)
    services.orders_remind_due_soon(today=first.order.deadline - dt.timedelta(days=1))  # a 2nd notice on each
    assert work(head_neike) == 4
    client = client_for(head_neike)
    page = client.get(first.get_absolute_url())
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 2  # the bell already says so on that page
    assert not Notification.objects.filter(
        recipient=head_neike, item=first.get_absolute_url(), read_at=None
    ).exists()
    assert (
        Notification.objects.filter(recipient=head_neike, item=other.get_absolute_url(), read_at=None).count()
        == 2
    )


def test_opening_a_channels_item_reads_its_notices_too(client_for, supervisor, head_neike, neike):
    complaint = assigned(supervisor=supervisor, departments=[neike])
    assert work(head_neike) == 1
    client_for(head_neike).get(reverse("complaints:detail", args=[complaint.pk]))
    assert work(head_neike) == 0


def test_someone_elses_opening_reads_nothing_of_mine(client_for, neike, supervisor, head_neike):
    finding = make_finding(department=neike, found_by=supervisor)
    client_for(supervisor).get(finding.get_absolute_url())
    assert work(head_neike) == 1


# --- moved on --------------------------------------------------------------------------------


def test_a_notice_whose_order_moved_on_no_longer_counts_as_unread_work(
    client_for, neike, supervisor, head_neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    services.order_acknowledge(order=finding.order, actor=head_neike)  # e.g. from the API, page never opened
    notice = Notification.objects.get(recipient=head_neike, kind=NotificationKind.ORDER_ISSUED)
    assert notice.read_at is None and notice.moved_on_at is not None
    page = client_for(head_neike).get(reverse("notification_list"))
    assert page.context["unread_notifications"] == 0
    (group,) = page.context["groups"]
    assert (group["unread"], group["moved_on"]) == (0, 1)


def test_the_step_that_moves_an_order_on_leaves_its_own_new_notices_as_work(neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    services.order_acknowledge(order=order, actor=head_neike)
    services.order_submit(order=order, actor=head_neike, cause="排班不足", corrective_action="已调整排班")
    submitted = Notification.objects.get(recipient=supervisor, dedupe_key__startswith="order_submitted")
    assert submitted.is_work
    services.order_verify(order=order, actor=supervisor, check_due=order.deadline + dt.timedelta(days=30))
    submitted.refresh_from_db()
    assert submitted.moved_on_at is not None  # verified: no longer waiting for the supervisor


def test_a_corrective_action_step_does_not_move_its_orders_notices_on(neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    services.order_acknowledge(order=order, actor=head_neike)
    services.orders_remind_due_soon(today=order.deadline - dt.timedelta(days=1))
    action = services.order_plan_action(
        order=order,
        actor=head_neike,
        description="调整排班",
        owner=StaffFactory(department=neike),
        due_date=order.deadline,
    )
    services.corrective_action_start(corrective_action=action, actor=head_neike)
    assert Notification.objects.get(recipient=head_neike, kind=NotificationKind.DUE_SOON).is_work


def test_an_escalation_leaves_the_heads_notices_as_work(neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    services.orders_climb_ladder(today=order.deadline)  # the day-0 rung: the status does not change
    assert work(head_neike) == 2
    assert Notification.objects.filter(recipient=head_neike, kind=NotificationKind.ESCALATION).exists()


# --- one page grouped by item ----------------------------------------------------------------


def test_the_notifications_page_groups_notices_by_item_newest_item_first(client_for, head_neike):
    notify(head_neike, "a1", url="/findings/1/")
    notify(head_neike, "b1", url="/findings/2/#order")
    notify(head_neike, "a2", url="/findings/1/?tab=history")
    notify(head_neike, "digest")  # no page: a group of its own
    page = client_for(head_neike).get(reverse("notification_list"))
    groups = page.context["groups"]
    assert [g["item"] for g in groups] == ["#digest", "/findings/1/", "/findings/2/"]
    assert [g["total"] for g in groups] == [1, 2, 1]
    assert [n.dedupe_key for n in groups[1]["notices"]] == ["a2", "a1"]


def test_the_notifications_page_costs_the_same_queries_with_many_items(
    client_for, head_neike, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify(head_neike, "one", url="/findings/1/")
    client = client_for(head_neike)
    client.get(reverse("notification_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notification_list"))
    for i in range(60):
        notify(head_neike, f"k{i}", url=f"/findings/{i % 25}/")
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("notification_list")).status_code == 200


# --- e-mail: the daily digest ----------------------------------------------------------------


def test_the_daily_digest_groups_a_persons_notices_by_item_once_a_day(outbox, head_neike, supervisor):
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI), tick=False):
        notify(head_neike, "a1", url="/findings/1/", number="ZG2026-000001")
        notify(head_neike, "b1", url="/findings/2/", number="ZG2026-000002")
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI), tick=False):
        notify(head_neike, "a2", url="/findings/1/", number="ZG2026-000001")
        notify(head_neike, "read", url="/findings/3/")
        services.notification_mark_read(
            user=head_neike, notification_id=Notification.objects.get(dedupe_key="read").pk
        )
        notify(head_neike, "up", url="/findings/4/", kind=NotificationKind.ESCALATION)
    # The sweep sends the escalation at once and holds the others for the digest.
    assert services.notifications_email_pending() == 1
    assert mail.outbox[0].to == [head_neike.email]

    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert tasks.email_digest.delay().get() == 1
        assert tasks.email_digest.delay().get() == 0  # a rerun the same day sends nothing
    digest = mail.outbox[1]
    assert digest.to == [head_neike.email]
    assert "3" in digest.subject  # three notices still news: the read one is left out
    body = digest.body
    # One block per item, the item with the newest notice first, its notices under it.
    assert body.index("/findings/1/") < body.index("/findings/2/")
    assert body.count("https://ducha.example.cn/findings/1/") == 1
    assert "/findings/3/" not in body
    assert EmailDigest.objects.get(recipient=head_neike).notice_count == 3
    assert not Notification.objects.filter(recipient=head_neike, emailed_at__isnull=True).exists()

    with time_machine.travel(dt.datetime(2026, 12, 7, 15, 0, tzinfo=SHANGHAI), tick=False):
        notify(head_neike, "late", url="/findings/5/")
        assert services.notifications_email_digest() == 0  # today's digest has gone: tomorrow's
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert services.notifications_email_digest() == 1
    assert len(mail.outbox) == 3


def test_a_digest_leaves_out_notices_moved_on_and_sends_nothing_when_nothing_is_news(
    outbox, neike, supervisor, head_neike
):
    order = make_finding(department=neike, found_by=supervisor).order
    services.order_acknowledge(order=order, actor=head_neike)
    assert services.notifications_email_digest() == 0
    assert mail.outbox == []


def test_each_person_may_choose_every_notice_at_once(client_for, outbox, head_neike):
    client = client_for(head_neike)
    assert client.get(reverse("notification_preferences")).status_code == 200
    response = client.post(reverse("notification_preferences"), {"email_mode": EmailMode.IMMEDIATE})
    assert response.status_code == 302
    head_neike.refresh_from_db()
    assert head_neike.email_mode == EmailMode.IMMEDIATE
    notify(head_neike, "now", url="/findings/1/")
    assert services.notifications_email_pending() == 1
    assert services.notifications_email_digest() == 0


def test_a_bad_choice_is_refused_with_a_message_and_changes_nothing(client_for, head_neike):
    response = client_for(head_neike).post(reverse("notification_preferences"), {"email_mode": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors
    head_neike.refresh_from_db()
    assert head_neike.email_mode == EmailMode.DAILY
