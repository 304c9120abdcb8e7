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


def test_caller_counts_are_the_panels_and_the_queues_numbers_in_one_query(
    caller, neike, django_assert_num_queries
):
    today = timezone.localdate()
    other = UserFactory(username="caller-2", roles=[Role.FOLLOWUP])
    stay = lambda: DischargeStayFactory(department=neike)  # noqa: E731
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    make_task(stay=stay(), assigned_to=caller)  # mine, due today
    make_task(stay=stay(), assigned_to=caller, due_on=today - dt.timedelta(days=2))  # mine, overdue
    make_task(stay=stay(), assigned_to=caller, due_on=today + dt.timedelta(days=1), expires_on=today)
    make_task(stay=stay(), assigned_to=caller, status=TaskStatus.CALLBACK, next_attempt_at=soon)  # due
    later = soon + dt.timedelta(days=2)
    make_task(stay=stay(), assigned_to=caller, status=TaskStatus.CALLBACK, next_attempt_at=later)
    make_task(stay=stay(), assigned_to=caller, status=TaskStatus.DONE, expires_on=today)  # done
    make_task(stay=stay(), assigned_to=other, expires_on=today)  # someone else's
    make_task(stay=stay(), expires_on=today)  # the pool, its window closing today
    make_task(stay=stay(), due_on=today - dt.timedelta(days=1))  # the pool, from yesterday
    make_task(stay=stay(), due_on=today + dt.timedelta(days=3))  # not due yet

    with django_assert_num_queries(1):
        counts = selectors.caller_counts(caller, today=today)
    panel = selectors.calls_panel_counts(caller, today=today)
    assert counts == {**selectors.caller_queue_counts(caller, today=today), "pool": panel["pool"]}
    assert counts["calls_today"] == panel["due"]
    assert counts == {
        "callbacks_due": 1,
        "next_callback": soon,
        "calls_today": 3,
        "windows_closing_today": 1,
        "pool": 2,
    }


def test_a_callers_dashboard_reads_the_tasks_once_for_the_calls_panel_and_needs_me_now(
    client_for, caller, neike
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    today = timezone.localdate()
    make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller, expires_on=today)
    make_task(stay=DischargeStayFactory(department=neike))  # the pool
    client = client_for(caller)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboard"))
    tasks = [q for q in queries.captured_queries if '"followups_followuptask"' in q["sql"]]
    assert len(tasks) == 1
    calls = next(p for p in page.context["panels"] if p.template == "followups/_panel_calls.html")
    assert calls.context == {"due": 2, "pool": 1, "url": reverse("followups:my_tasks")}
    entries = {e.key: e.count for e in page.context["needs_me"]}
    assert (entries["calls_today"], entries["windows_closing_today"]) == (2, 1)
    # Alone (htmx's refresh each minute), "needs me now" reads its own four numbers.
    with CaptureQueriesContext(connection) as queries:
        alone = client.get(reverse("needs_me"))
    assert [e.count for e in alone.context["needs_me"] if e.key == "calls_today"] == [2]
    assert len([q for q in queries.captured_queries if '"followups_followuptask"' in q["sql"]]) == 1


def test_the_calls_panel_is_drawn_once_per_content_and_shows_a_new_number_at_once(client_for, caller, neike):
    from django.urls import reverse

    make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    client = client_for(caller)
    first = client.get(reverse("dashboard"))
    calls = next(p for p in first.context["panels"] if p.template == "followups/_panel_calls.html")
    assert calls.html in first.content.decode()
    assert '<span class="fs-3 me-1">1</span>' in calls.html
    again = client.get(reverse("dashboard"))
    assert next(p.html for p in again.context["panels"] if p.template == calls.template) == calls.html
    make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller)
    assert '<span class="fs-3 me-1">2</span>' in client.get(reverse("dashboard")).content.decode()


def test_the_pools_claim_forms_carry_the_pages_csrf_token(caller, neike):
    import re

    from django.test import Client
    from django.urls import reverse

    task = make_task(stay=DischargeStayFactory(department=neike))  # the pool
    client = Client(enforce_csrf_checks=True)
    client.force_login(caller)
    html = client.get(reverse("followups:my_tasks")).content.decode()
    claim = reverse("followups:task_claim", args=[task.pk])
    form = re.search(rf'<form method="post" action="{claim}">(.*?)</form>', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert html.count(f'value="{token}"') >= 2  # the same token as the page's own forms
    response = client.post(claim, {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    task.refresh_from_db()
    assert task.assigned_to == caller
