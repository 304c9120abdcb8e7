"""`manage.py seed_demo`: the demo hospital of the README, loaded once."""

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from supervision.models import Attribution, Department, Finding, OrderStatus, RectificationOrder, User

pytestmark = pytest.mark.django_db


def _counts():
    return (User.objects.count(), Department.objects.count(), Finding.objects.count())


def test_seed_demo_loads_the_documented_users_and_a_worked_hospital_once():
    call_command("seed_demo", verbosity=0)
    usernames = set(User.objects.values_list("username", flat=True))
    assert {"supervisor", "caller", "head-neike", "head-waike", "admin", "volunteer"} <= usernames
    assert User.objects.get(username="head-neike").departments.filter(name="内科").exists()
    assert Department.objects.count() >= 30
    # Every channel produced findings, and orders exist in every state.
    assert {"inspection", "chart_audit", "complaint", "volunteer"} <= set(
        Finding.objects.values_list("source", flat=True)
    )
    assert set(RectificationOrder.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    # Like a real office: old orders have mostly been worked through, not left overdue.
    today = timezone.localdate()
    old = RectificationOrder.objects.filter(finding__found_at__date__lt=today - timezone.timedelta(days=60))
    assert old.filter(status=OrderStatus.CLOSED).count() > old.count() * 0.6
    # Closing the loop (issue 16): a check due today, a failed check reopened, an order at the third rung.
    assert RectificationOrder.objects.filter(status=OrderStatus.VERIFIED, check_due=today).exists()
    reopened = RectificationOrder.objects.filter(
        status=OrderStatus.RETURNED, transitions__action="check_ineffective"
    ).exists()
    assert reopened
    at_meeting = RectificationOrder.objects.filter(
        status__in=["issued", "acknowledged", "returned"],
        ladder_rung__target="weekly_meeting",
        ladder_deadline=F("deadline"),
    )
    assert at_meeting.exists()
    assert (
        User.objects.get(username="vp-medical")
        .department_groups.get()
        .departments.filter(name="内科")
        .exists()
    )

    # People (issue 16 item 5): findings naming staff, one attribution disputed in 内科.
    assert Attribution.objects.filter(finding__source__in=["inspection", "other"]).count() >= 4
    assert Attribution.objects.filter(status="disputed", staff__department__name="内科").count() == 1

    # Issue 17: each user starts with a realistic handful of unread work (3–8), not 48–65; the
    # heads, who have plenty of history, at least three.
    from django.db.models import Count

    from supervision.models import Notification

    unread = dict(
        User.objects.annotate(
            n=Count("notifications", filter=Q(notifications__read_at=None, notifications__moved_on_at=None))
        ).values_list("username", "n")
    )
    assert max(unread.values()) <= 8
    assert 3 <= unread["head-neike"] <= 8
    assert Notification.objects.filter(read_at=None).exclude(moved_on_at=None).count() == 0

    # Issue 17: a handful of alerts on unhappy patients, raised through the services — some to
    # contact, one in recovery, one closed with its outcome.
    from supervision.models import Alert

    statuses = list(Alert.objects.values_list("status", flat=True))
    assert 3 <= len(statuses) <= 8
    assert statuses.count("open") >= 2 and statuses.count("contacted") == 1 and statuses.count("closed") == 1
    closed = Alert.objects.get(status="closed")
    assert closed.outcome == "resolved" and closed.action_taken and closed.transitions.count() == 3

    before = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == before


def test_demo_loaded_before_dawn_dates_nothing_after_the_moment_it_was_loaded():
    # `make run` on a fresh machine at 02:26: nothing may have happened "today at 15:00" yet.
    import datetime as dt

    import time_machine

    from complaints.models import Complaint
    from followups.models import CallAttempt
    from inspections.models import InspectionRound
    from supervision.models import Notification, OrderTransition
    from surveys.models import SurveyResponse

    loaded = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(2, 26)))
    with time_machine.travel(loaded, tick=True):
        call_command("seed_demo", verbosity=0)
        after = timezone.now()
    assert not Finding.objects.filter(found_at__gt=after).exists()
    assert not OrderTransition.objects.filter(at__gt=after).exists()
    assert not Notification.objects.filter(created_at__gt=after).exists()
    assert not InspectionRound.objects.filter(started_at__gt=after).exists()
    assert not InspectionRound.objects.filter(submitted_at__gt=after).exists()
    assert not Complaint.objects.filter(received_at__gt=after).exists()
    assert not CallAttempt.objects.filter(attempted_at__gt=after).exists()
    assert not SurveyResponse.objects.filter(submitted_at__gt=after).exists()
    from supervision.models import Alert

    assert not Alert.objects.filter(
        Q(raised_at__gt=after) | Q(contacted_at__gt=after) | Q(closed_at__gt=after)
    ).exists()
