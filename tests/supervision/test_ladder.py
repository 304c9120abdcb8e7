"""The escalation ladder (升级阶梯) over a calendar with a frozen clock: each rung reported once, on
its day, to its people; serious findings climb their own, faster ladder; beat run twice changes
nothing more; a new deadline starts the ladder again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from supervision import services, tasks
from supervision.models import (
    DepartmentGroup,
    EscalationRung,
    Notification,
    NotificationKind,
    OrderAction,
    OrderTransition,
    RectificationOrder,
    Role,
    RungTarget,
    Severity,
)
from tests.factories import UserFactory, make_finding

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 11, 2)  # a Monday


def _at_nine(day: dt.date):
    # The beat job runs at 09:00 hospital time; the clock is frozen (tick=False).
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=False
    )


@pytest.fixture
def vice_president(neike):
    user = UserFactory(username="vp-medical", full_name="张副院长", roles=[Role.ADMINISTRATOR])
    group = DepartmentGroup.objects.create(name="医疗口", lead=user)
    group.departments.add(neike)
    return user


def _order(neike, supervisor, *, severity=Severity.MODERATE):
    with _at_nine(DEADLINE - dt.timedelta(days=7)):
        return make_finding(department=neike, found_by=supervisor, severity=severity, deadline=DEADLINE).order


def _escalations(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=NotificationKind.ESCALATION)
        .order_by("id")
        .values_list("title_key", flat=True)
    )


def _run_calendar(days: int) -> dict[dt.date, tuple[int, int]]:
    """Run the beat job twice on each day from the day before the deadline: {day: (first, second)}."""
    out = {}
    for offset in range(-1, days):
        day = DEADLINE + dt.timedelta(days=offset)
        with _at_nine(day):
            out[day] = (tasks.escalate_overdue.delay().get(), tasks.escalate_overdue.delay().get())
    return out


def test_the_seeded_ladder_is_head_on_the_deadline_day_vice_president_at_three_meeting_at_seven(db):
    general = [(r.days_overdue, r.target) for r in services.ladder_for(Severity.MODERATE)]
    serious = [(r.days_overdue, r.target) for r in services.ladder_for(Severity.SERIOUS)]
    assert general == [(0, "head"), (3, "vice_president"), (7, "weekly_meeting")]
    assert serious == [(0, "head"), (1, "vice_president"), (3, "weekly_meeting")]


def test_each_rung_is_reported_once_on_its_day_and_beat_twice_changes_nothing(
    neike, supervisor, head_neike, administrator, vice_president
):
    order = _order(neike, supervisor)
    runs = _run_calendar(10)
    climbed = {day: first for day, (first, _second) in runs.items() if first}
    assert climbed == {DEADLINE: 1, DEADLINE + dt.timedelta(days=3): 1, DEADLINE + dt.timedelta(days=7): 1}
    assert all(second == 0 for _first, second in runs.values())  # the second run of a day: nothing

    assert _escalations(head_neike) == ["order.rung_head", "order.rung_meeting"]
    assert _escalations(vice_president) == ["order.escalated", "order.rung_meeting"]  # also an administrator
    assert _escalations(administrator) == ["order.rung_meeting"]
    steps = OrderTransition.objects.filter(order=order, action=OrderAction.ESCALATE).order_by("id")
    assert [(t.actor, t.from_status, t.to_status) for t in steps] == [(None, "issued", "issued")] * 3
    with translation.override("zh-hans"):
        assert [t.comment_text for t in steps] == [
            "升级阶梯：科室负责人，超期 0 天",
            "升级阶梯：分管院长，超期 3 天",
            "升级阶梯：院周会通报，超期 7 天",
        ]
    order.refresh_from_db()
    assert order.current_rung.target == RungTarget.WEEKLY_MEETING


def test_a_serious_finding_climbs_its_own_faster_ladder(neike, supervisor, head_neike, vice_president):
    order = _order(neike, supervisor, severity=Severity.SERIOUS)
    runs = _run_calendar(5)
    climbed = {(day - DEADLINE).days for day, (first, _second) in runs.items() if first}
    assert climbed == {0, 1, 3}
    order.refresh_from_db()
    assert order.current_rung.target == RungTarget.WEEKLY_MEETING


def test_a_missed_week_climbs_every_rung_reached_lowest_first_once(
    neike, supervisor, head_neike, vice_president
):
    order = _order(neike, supervisor)
    with _at_nine(DEADLINE + dt.timedelta(days=8)):
        assert services.orders_climb_ladder() == 3
        assert services.orders_climb_ladder() == 0
    targets = [
        t.comment_params["target"]
        for t in OrderTransition.objects.filter(order=order, action=OrderAction.ESCALATE).order_by("id")
    ]
    assert targets == ["head", "vice_president", "weekly_meeting"]


def test_a_department_without_a_vice_president_goes_to_the_administrators(
    neike, supervisor, head_neike, administrator
):
    _order(neike, supervisor)
    with _at_nine(DEADLINE + dt.timedelta(days=3)):
        services.orders_climb_ladder()
    assert _escalations(administrator) == ["order.escalated"]


def test_orders_the_department_has_done_its_part_of_do_not_climb(neike, supervisor, head_neike):
    order = _order(neike, supervisor)
    RectificationOrder.objects.filter(pk=order.pk).update(status="submitted")
    with _at_nine(DEADLINE + dt.timedelta(days=8)):
        assert services.orders_climb_ladder() == 0
    assert not OrderTransition.objects.filter(order=order, action=OrderAction.ESCALATE).exists()


def test_a_granted_extension_starts_the_ladder_again_for_the_new_deadline(
    neike, supervisor, head_neike, vice_president
):
    order = _order(neike, supervisor)
    with _at_nine(DEADLINE + dt.timedelta(days=3)):
        assert services.orders_climb_ladder() == 2
        services.order_request_extension(
            order=order,
            actor=head_neike,
            requested_deadline=DEADLINE + dt.timedelta(days=10),
            reason="设备到货",
        )
        services.order_decide_extension(order=order, actor=supervisor, grant=True)
        order.refresh_from_db()
        assert order.current_rung is None  # shown no more: the rung was for the old deadline
        assert services.orders_climb_ladder() == 0
    with _at_nine(DEADLINE + dt.timedelta(days=10)):
        assert services.orders_climb_ladder() == 1  # the head again, for the new deadline
    assert _escalations(head_neike) == ["order.rung_head", "order.rung_head"]


def test_rungs_are_configurable(neike, supervisor, head_neike, administrator):
    EscalationRung.objects.filter(severity="").delete()
    EscalationRung.objects.create(days_overdue=2, target=RungTarget.WEEKLY_MEETING)
    order = _order(neike, supervisor)
    with _at_nine(DEADLINE + dt.timedelta(days=1)):
        assert services.orders_climb_ladder() == 0
    with _at_nine(DEADLINE + dt.timedelta(days=2)):
        assert services.orders_climb_ladder() == 1
    order.refresh_from_db()
    assert order.current_rung.days_overdue == 2


def test_the_order_page_shows_the_rung_and_the_history_names_the_system(
    client_for, neike, supervisor, head_neike, vice_president
):
    order = _order(neike, supervisor)
    with _at_nine(DEADLINE + dt.timedelta(days=3)):
        services.orders_climb_ladder()
        html = client_for(head_neike).get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    assert 'id="order-rung"' in html and "分管院长" in html
    assert "系统" in html  # the ladder's steps have no person as actor
    assert 'data-action="escalate"' not in html  # nobody presses the ladder
