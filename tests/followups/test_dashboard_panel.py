"""The dashboard's calls panel: its two numbers in one query, equal to the lists they stand for."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from followups import selectors
from followups.models import TaskStatus
from supervision.models import Role
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task


def test_calls_panel_counts_my_list_today_and_the_pool_as_the_lists_do(
    caller, neike, django_assert_num_queries
):
    today = timezone.localdate()
    other = UserFactory(username="caller-2", roles=[Role.FOLLOWUP])
    stay = lambda: DischargeStayFactory(department=neike)  # noqa: E731
    make_task(stay=stay(), assigned_to=caller)  # mine, due today
    make_task(stay=stay(), assigned_to=caller, due_on=today - dt.timedelta(days=2))  # mine, overdue
    make_task(stay=stay(), assigned_to=caller, due_on=today + dt.timedelta(days=1))  # mine, tomorrow
    tomorrow = timezone.now() + dt.timedelta(days=1, hours=1)
    make_task(stay=stay(), assigned_to=caller, status=TaskStatus.CALLBACK, next_attempt_at=tomorrow)  # later
    make_task(stay=stay(), assigned_to=caller, status=TaskStatus.DONE)  # done
    make_task(stay=stay(), assigned_to=other)  # someone else's
    make_task(stay=stay())  # the pool
    make_task(stay=stay(), due_on=today - dt.timedelta(days=1))  # the pool, from yesterday
    make_task(stay=stay(), due_on=today + dt.timedelta(days=3))  # not due yet

    with django_assert_num_queries(1):
        counts = selectors.calls_panel_counts(caller, today=today)
    assert counts == {
        "due": selectors.my_tasks_today(caller, today=today).count(),
        "pool": selectors.pool_tasks(today=today).count(),
    }
    assert counts == {"due": 2, "pool": 2}
