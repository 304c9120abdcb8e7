""" "Needs me now" (supervision.queues): each queue's membership per role and department, the
channel contract's ``queues`` hook, the filtered lists the counts open, and bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from followups.models import TaskStatus
from supervision import queues, services
from supervision.channels import Channel, QueueEntry, registered
from supervision.models import (
    EscalationRung,
    FindingSource,
    OrderStatus,
    RectificationOrder,
    RungTarget,
)
from tests.complaints.factories import assigned
from tests.factories import StaffFactory, make_finding
from tests.followups.factories import make_task


def counts(user, today=None) -> dict[str, int]:
    return {e.key: e.count for e in queues.needs_me_now(user, today=today)}


def order_of(department, supervisor, status=None, **fields):
    order = make_finding(department=department, found_by=supervisor).order
    if status or fields:
        RectificationOrder.objects.filter(pk=order.pk).update(
            **({"status": status} if status else {}), **fields
        )
        order.refresh_from_db()
    return order


def test_a_head_counts_orders_to_acknowledge_and_to_respond_of_their_own_department_only(
    supervisor, head_neike, head_waike, neike, waike
):
    order_of(neike, supervisor)  # issued
    order_of(neike, supervisor)
    order_of(neike, supervisor, OrderStatus.ACKNOWLEDGED)
    order_of(neike, supervisor, OrderStatus.RETURNED)
    order_of(neike, supervisor, OrderStatus.SUBMITTED)  # waits for the supervisor, not the head
    order_of(waike, supervisor)  # another department's

    mine = counts(head_neike)
    assert mine["orders_to_acknowledge"] == 2
    assert mine["orders_to_respond"] == 2
    other = counts(head_waike)
    assert other["orders_to_acknowledge"] == 1
    assert other["orders_to_respond"] == 0


def test_acknowledging_moves_an_order_from_one_head_queue_to_the_next(supervisor, head_neike, neike):
    order = order_of(neike, supervisor)
    assert counts(head_neike)["orders_to_acknowledge"] == 1
    services.order_acknowledge(order=order, actor=head_neike)
    after = counts(head_neike)
    assert after["orders_to_acknowledge"] == 0
    assert after["orders_to_respond"] == 1


def test_corrective_actions_due_this_week_count_the_heads_open_actions_up_to_sunday(
    supervisor, head_neike, head_waike, neike
):
    monday = dt.date(2026, 12, 7)
    order = order_of(neike, supervisor, deadline=monday + dt.timedelta(days=30))
    owner = StaffFactory(department=neike)
    make = order.actions.create
    make(description="本周", owner=owner, due_date=monday + dt.timedelta(days=6), created_by=head_neike)
    make(description="下周", owner=owner, due_date=monday + dt.timedelta(days=7), created_by=head_neike)
    make(description="已完成", owner=owner, due_date=monday, status="done", created_by=head_neike)
    make(
        description="已过期未完成", owner=owner, due_date=monday - dt.timedelta(days=2), created_by=head_neike
    )

    assert counts(head_neike, today=monday)["actions_due_this_week"] == 2
    assert counts(head_waike, today=monday)["actions_due_this_week"] == 0


def test_a_supervisor_counts_responses_to_verify_checks_due_and_observations_to_decide(
    supervisor, volunteer, neike, waike
):
    today = timezone.localdate()
    order_of(neike, supervisor, OrderStatus.SUBMITTED)
    order_of(waike, supervisor, OrderStatus.SUBMITTED)
    order_of(neike, supervisor, OrderStatus.VERIFIED, check_due=today)
    order_of(neike, supervisor, OrderStatus.VERIFIED, check_due=today + dt.timedelta(days=3))  # not yet
    observation = make_finding(
        department=neike, found_by=volunteer, source=FindingSource.VOLUNTEER, needs_rectification=False
    )
    decided = make_finding(
        department=waike, found_by=volunteer, source=FindingSource.VOLUNTEER, needs_rectification=False
    )
    services.finding_decide_no_order(finding=decided, actor=supervisor, reason="已当场处理")

    mine = counts(supervisor)
    assert mine["orders_to_verify"] == 2  # every department
    assert mine["checks_due"] == 1
    assert mine["observations_to_decide"] == 1
    services.finding_order_issue(finding=observation, actor=supervisor, deadline=None, instructions="")
    assert counts(supervisor)["observations_to_decide"] == 0


def test_an_administrator_counts_the_orders_standing_at_the_top_rung(supervisor, administrator, neike):
    top = EscalationRung.objects.filter(target=RungTarget.WEEKLY_MEETING).first()
    lower = EscalationRung.objects.filter(target=RungTarget.HEAD).first()
    past = timezone.localdate() - dt.timedelta(days=10)
    order_of(neike, supervisor, deadline=past, ladder_rung=top, ladder_deadline=past)
    order_of(neike, supervisor, deadline=past, ladder_rung=lower, ladder_deadline=past)
    # Reached the top for an earlier deadline, then extended: the ladder starts again.
    order_of(neike, supervisor, deadline=timezone.localdate(), ladder_rung=top, ladder_deadline=past)
    assert counts(administrator)["orders_at_top_rung"] == 1


def test_each_role_sees_its_own_queues_only(supervisor, head_neike, caller, administrator, volunteer):
    assert set(counts(head_neike)) == {
        "orders_to_acknowledge",
        "orders_to_respond",
        "actions_due_this_week",
        "complaints_to_reply",
        "disputes_answered",  # issue 17: the office's answers to the head's disputes of attributions
        "appeals_answered",
    }
    assert set(counts(supervisor)) == {
        "orders_to_verify",
        "checks_due",
        "observations_to_decide",
        "appeals_to_decide",
        "alerts_unhandled",  # filled by the core since issue 17 item 3
    }
    assert set(counts(caller)) == {"callbacks_due", "calls_today", "windows_closing_today"}
    assert set(counts(administrator)) == {"orders_at_top_rung", "reports_ready"}
    assert counts(volunteer) == {}


def test_a_head_counts_complaints_waiting_for_their_departments_reply(
    supervisor, head_neike, head_waike, neike, waike
):
    waiting = assigned(supervisor=supervisor, departments=[neike])
    assigned(supervisor=supervisor, departments=[waike])
    assert counts(head_neike)["complaints_to_reply"] == 1
    assert counts(head_waike)["complaints_to_reply"] == 1
    complaint_services.complaint_reply(complaint=waiting, actor=head_neike, department=neike, reply="已核实")
    assert counts(head_neike)["complaints_to_reply"] == 0

    # The count opens the complaint list filtered to the same complaints.
    entry = next(e for e in queues.needs_me_now(head_waike) if e.key == "complaints_to_reply")
    assert entry.url.endswith("?awaiting_reply=true")


def test_a_caller_counts_call_backs_due_with_the_earliest_time_todays_list_and_closing_windows(
    caller, supervisor
):
    today = timezone.localdate()
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
    make_task(assigned_to=caller, status=TaskStatus.CALLBACK, next_attempt_at=soon)
    make_task(assigned_to=caller, status=TaskStatus.CALLBACK, next_attempt_at=soon + dt.timedelta(days=2))
    make_task(assigned_to=caller, expires_on=today)
    make_task(assigned_to=supervisor, expires_on=today)  # someone else's
    make_task(assigned_to=caller, status=TaskStatus.DONE, expires_on=today)

    entries = {e.key: e for e in queues.needs_me_now(caller, today=today)}
    assert entries["callbacks_due"].count == 1
    assert entries["callbacks_due"].when == soon
    assert entries["calls_today"].count == 2  # the call-back due today and the task due today
    assert entries["windows_closing_today"].count == 1


def test_a_channel_adds_its_queue_through_the_contract_in_its_slot(supervisor):
    # (The alerts' slot, which this test used to fill, is the core's own queue since issue 17 item 3.)
    def calls(user, *, today):
        return [QueueEntry("calls_today", "Calls", 3, "/calls/")]

    with registered(Channel(app="queue_test", queues=calls)):
        keys = [e.key for e in queues.needs_me_now(supervisor)]
    # After the alerts not yet handled: the slot reserved for it (QUEUE_SLOTS).
    assert keys == [
        "orders_to_verify",
        "checks_due",
        "observations_to_decide",
        "appeals_to_decide",
        "alerts_unhandled",
        "calls_today",
    ]


def test_the_finding_list_filtered_to_a_queue_shows_the_counted_orders_only(
    client_for, supervisor, head_neike, neike, waike
):
    to_ack = order_of(neike, supervisor)
    order_of(neike, supervisor, OrderStatus.ACKNOWLEDGED)
    order_of(waike, supervisor)
    response = client_for(head_neike).get(reverse("finding_list"), {"queue": "orders_to_acknowledge"})
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert [f.pk for f in rows] == [to_ack.finding_id]


def test_a_queues_list_names_the_queue_above_the_rows_and_leaves_the_filter_panel_closed(
    client_for, supervisor, head_neike, neike
):
    order_of(neike, supervisor)
    client = client_for(head_neike)
    page = client.get(reverse("finding_list"), {"queue": "orders_to_acknowledge"}).content.decode()
    # On a phone the open panel filled the screen and its select cut the queue's name to "待签收的整改…".
    assert "待我处理：<strong>待签收的整改单</strong>" in page
    assert f'<a href="{reverse("finding_list")}">全部问题</a>' in page
    assert '<details class="card mb-3" >' in page
    # Filters the reader chose keep the panel open; the list unfiltered names no queue.
    filtered = client.get(reverse("finding_list"), {"queue": "orders_to_acknowledge", "severity": "minor"})
    assert '<details class="card mb-3" open>' in filtered.content.decode()
    assert "待我处理：" not in client.get(reverse("finding_list")).content.decode()
    # The htmx partial (the queue chosen in the panel) carries the caption with the rows.
    part = (
        client_for(supervisor)
        .get(reverse("finding_list"), {"queue": "orders_to_verify"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in part and "待我处理：<strong>待验收的整改反馈</strong>" in part


@pytest.mark.parametrize(
    "persona, key",
    [
        ("head_neike", "orders_to_acknowledge"),
        ("head_neike", "orders_to_respond"),
        ("supervisor", "orders_to_verify"),
        ("supervisor", "checks_due"),
        ("administrator", "orders_at_top_rung"),
    ],
)
def test_each_order_queues_list_shows_exactly_the_orders_its_count_counts(
    request, client_for, supervisor, neike, waike, persona, key
):
    # The list filters on the finding's joined order, the count on the orders: the same condition
    # written from two sides (queues.order_condition ``via``), so every state and field it reads is here.
    today = timezone.localdate()
    past = today - dt.timedelta(days=10)
    top = EscalationRung.objects.filter(target=RungTarget.WEEKLY_MEETING).first()
    for department in (neike, waike):
        order_of(department, supervisor)
        for status in (OrderStatus.ACKNOWLEDGED, OrderStatus.RETURNED, OrderStatus.SUBMITTED):
            order_of(department, supervisor, status)
        order_of(department, supervisor, OrderStatus.VERIFIED, check_due=today)
        order_of(department, supervisor, OrderStatus.VERIFIED, check_due=today + dt.timedelta(days=1))
        order_of(department, supervisor, OrderStatus.CLOSED)
        order_of(department, supervisor, deadline=past, ladder_rung=top, ladder_deadline=past)
        order_of(department, supervisor, deadline=today, ladder_rung=top, ladder_deadline=past)
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse("finding_list"), {"queue": key})

    assert response.status_code == 200
    page = response.context["page"]
    counted = queues.scope_of(user).filter(
        RectificationOrder.objects.filter(queues.order_condition(key, today)), owner_field=None
    )
    assert {f.pk for f in page} == set(counted.values_list("finding_id", flat=True))
    assert page.paginator.count == counts(user)[key] > 0


def test_a_heads_queue_list_scopes_the_orders_by_their_own_department_as_the_count_does(
    client_for, supervisor, head_neike, neike, waike
):
    mine = order_of(neike, supervisor, OrderStatus.ACKNOWLEDGED)
    # A finding of 内科 whose order another department answers (moved in the admin): the count,
    # which scopes the orders, leaves it out, and so does the list it opens.
    moved = order_of(neike, supervisor, OrderStatus.ACKNOWLEDGED)
    RectificationOrder.objects.filter(pk=moved.pk).update(department=waike)

    response = client_for(head_neike).get(reverse("finding_list"), {"queue": "orders_to_respond"})

    assert [f.pk for f in response.context["page"]] == [mine.finding_id]
    assert counts(head_neike)["orders_to_respond"] == 1
    assert moved.finding.department == neike


def test_the_dashboard_shows_the_counts_first_and_the_partial_refreshes_them(
    client_for, supervisor, head_neike, neike
):
    order_of(neike, supervisor)
    client = client_for(head_neike)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'hx-get="/needs-me/"' in page and 'hx-trigger="every 60s"' in page
    # First on the page: before any other section's heading.
    assert page.index('id="needs-me"') < page.index("<h2")
    part = client.get(reverse("needs_me"), HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    html = part.content.decode()
    assert "<html" not in html
    assert 'data-queue="orders_to_acknowledge"' in html
    assert f"{reverse('finding_list')}?queue=orders_to_acknowledge" in html


@pytest.mark.parametrize("persona", ["head_neike", "supervisor", "caller", "administrator"])
def test_the_counts_cost_the_same_queries_with_many_open_items(
    request, persona, supervisor, neike, volunteer, caller, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(persona)
    client = client_for(user)
    client.get(reverse("needs_me"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("needs_me"))
    owner = StaffFactory(department=neike)
    for _ in range(15):
        order = order_of(neike, supervisor)
        order.actions.create(
            description="措施", owner=owner, due_date=timezone.localdate(), created_by=supervisor
        )
        order_of(neike, supervisor, OrderStatus.SUBMITTED)
        make_finding(
            department=neike, found_by=volunteer, source=FindingSource.VOLUNTEER, needs_rectification=False
        )
        make_task(assigned_to=caller, expires_on=timezone.localdate())
    assigned(supervisor=supervisor, departments=[neike])
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("needs_me"))
    assert response.status_code == 200


# --- disputes answered (the head's "disputes and appeals answered") ---------------------------------


def _decided_dispute(department, head, supervisor, *, uphold=False):
    staff = StaffFactory(department=department)
    attribution = make_finding(department=department, found_by=supervisor, staff=[staff]).attributions.get()
    services.attribution_dispute(attribution=attribution, actor=head, reason="当天休息")
    return services.attribution_decide(
        attribution=attribution, actor=supervisor, uphold=uphold, comment="已核实"
    )


def test_a_head_counts_the_offices_answers_to_their_disputes_until_they_see_them(
    client_for, supervisor, head_neike, head_waike, neike, waike
):
    withdrawn = _decided_dispute(neike, head_neike, supervisor)
    upheld = _decided_dispute(neike, head_neike, supervisor, uphold=True)
    # Not counted: a dispute still waiting, and another department's answered dispute.
    waiting = make_finding(department=neike, found_by=supervisor, staff=[StaffFactory(department=neike)])
    services.attribution_dispute(attribution=waiting.attributions.get(), actor=head_neike, reason="不是她")
    _decided_dispute(waike, head_waike, supervisor)

    assert counts(head_neike)["disputes_answered"] == 2
    assert counts(head_waike)["disputes_answered"] == 1
    assert "disputes_answered" not in counts(supervisor)
    entry = next(e for e in queues.needs_me_now(head_neike) if e.key == "disputes_answered")
    assert entry.url == f"{reverse('attribution_disputes')}?answered=1"
    keys = [e.key for e in queues.needs_me_now(head_neike)]
    assert keys.index("disputes_answered") + 1 == keys.index("appeals_answered")

    # The list the count opens holds exactly the counted disputes, with the office's decision …
    response = client_for(head_neike).get(entry.url)
    assert response.status_code == 200
    assert {a.pk for a in response.context["decided"]} == {withdrawn.pk, upheld.pk}
    assert "已核实" in response.content.decode()
    # … and once seen there they leave the count; the other head's stays.
    assert counts(head_neike)["disputes_answered"] == 0
    assert counts(head_waike)["disputes_answered"] == 1
    again = client_for(head_neike).get(entry.url)
    assert list(again.context["decided"]) == []


def test_disputes_answered_are_read_through_the_partial_index_of_decided_attributions(
    supervisor, head_neike, neike
):
    """The count must stay readable from the decided attributions alone (index attribution_decided):
    a condition the index's does not imply would scan every attribution of every year again."""
    from django.db import connection

    from supervision.selectors import disputes_answered

    _decided_dispute(neike, head_neike, supervisor)
    assert disputes_answered(head_neike).count() == 1
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    sql, params = disputes_answered(head_neike).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)  # nosec B608 - the ORM's own statement
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "attribution_decided" in plan


def test_the_answered_disputes_list_is_for_the_heads_reading_roles_and_scoped(
    client_for, supervisor, head_neike, head_waike, caller, volunteer, neike
):
    _decided_dispute(neike, head_neike, supervisor)
    url = f"{reverse('attribution_disputes')}?answered=1"
    assert client_for(caller).get(url).status_code == 403
    assert client_for(volunteer).get(url).status_code == 403
    # Another department's head sees none of them (and reads no one's notice).
    other = client_for(head_waike).get(url)
    assert other.status_code == 200 and list(other.context["decided"]) == []
    assert counts(head_neike)["disputes_answered"] == 1
    # The office decides; it has no answers waiting.
    assert list(client_for(supervisor).get(url).context["decided"]) == []


def test_the_answered_disputes_list_takes_a_bounded_number_of_queries(
    client_for, supervisor, head_neike, neike, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(head_neike)
    url = f"{reverse('attribution_disputes')}?answered=1"
    _decided_dispute(neike, head_neike, supervisor)
    client.get(url)  # warm the session and caches
    _decided_dispute(neike, head_neike, supervisor)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        _decided_dispute(neike, head_neike, supervisor)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["decided"]) == 6


# --- the bell rides along with the minute's refresh ------------------------------------------------


def test_the_minutes_refresh_brings_the_bells_count_out_of_band_in_the_same_request(
    client_for, supervisor, head_neike, neike
):
    client = client_for(head_neike)
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('id="bell-badge"') == 1 and "hx-swap-oob" not in page
    order_of(neike, supervisor)
    order_of(neike, supervisor)
    part = client.get(reverse("needs_me"), HTTP_HX_REQUEST="true").content.decode()
    assert (
        '<span id="bell-badge" hx-swap-oob="true"><span class="badge rounded-pill bg-danger">2</span>' in part
    )
    services.notification_mark_read(user=head_neike)
    part = client.get(reverse("needs_me"), HTTP_HX_REQUEST="true").content.decode()
    assert '<span id="bell-badge" hx-swap-oob="true"></span>' in part  # read: the badge goes


def _shown(html: str) -> dict[str, int]:
    """The strip's counts as the page shows them, by queue."""
    found = re.findall(
        r'data-queue="(\w+)">\s*<div class="card-body py-2">\s*<div [^>]*data-count>(\d+)<', html
    )
    return {key: int(n) for key, n in found}


def test_each_entry_is_drawn_once_per_content_and_a_changed_count_is_drawn_anew(
    client_for, supervisor, head_neike, head_waike, neike, waike
):
    # The entries' HTML comes from the row cache (supervision.infra.fragments), keyed by what each
    # shows: the same count twice is the same HTML, a new count a new entry, another head's their own.
    order = order_of(neike, supervisor)
    order_of(waike, supervisor)
    order_of(waike, supervisor)
    first = client_for(head_neike).get(reverse("needs_me")).content.decode()
    assert client_for(head_neike).get(reverse("needs_me")).content.decode() == first
    assert _shown(first)["orders_to_acknowledge"] == 1
    waike_html = client_for(head_waike).get(reverse("needs_me")).content.decode()
    assert _shown(waike_html)["orders_to_acknowledge"] == 2
    services.order_acknowledge(order=order, actor=head_neike)
    after = _shown(client_for(head_neike).get(reverse("dashboard")).content.decode())
    assert (after["orders_to_acknowledge"], after["orders_to_respond"]) == (0, 1)
