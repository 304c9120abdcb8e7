"""Issue 15 item 14: a head queued 48 report builds in a loop.

Now a person gets one pending build per kind, scope (departments) and format: asking for another
period while one is queued or being built points to that one, with a message.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError
from django.urls import reverse

from reports import services
from reports.models import Report, ReportStatus
from supervision.errors import ActionNotAllowed

MONTHS = [(dt.date(2026, m, 1), dt.date(2026, m + 1, 1) - dt.timedelta(days=1)) for m in range(1, 11)]


def ask(user, department, period, fmt="pdf"):
    return services.report_request(
        kind="monthly",
        start=period[0],
        end=period[1],
        fmt=fmt,
        departments=[department],
        requested_by=user,
        enqueue=False,
    )


def test_a_loop_of_requests_queues_one_build(head_neike, neike):
    first = ask(head_neike, neike, MONTHS[0])
    for period in MONTHS[1:]:
        assert ask(head_neike, neike, period) == first
    assert Report.objects.count() == 1 and first.status == ReportStatus.QUEUED


def test_another_format_or_department_is_a_build_of_its_own(head_neike, neike, waike, administrator):
    ask(head_neike, neike, MONTHS[0])
    ask(head_neike, neike, MONTHS[1], fmt="xlsx")
    ask(administrator, waike, MONTHS[1])
    assert Report.objects.count() == 3


def test_the_next_period_is_queued_once_the_pending_one_is_ready_or_failed(head_neike, neike):
    first = ask(head_neike, neike, MONTHS[0])
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.READY)
    second = ask(head_neike, neike, MONTHS[1])
    assert second != first and second.status == ReportStatus.QUEUED
    Report.objects.filter(pk=second.pk).update(status=ReportStatus.FAILED)
    assert ask(head_neike, neike, MONTHS[2]).period_start == MONTHS[2][0]


def test_a_building_report_holds_the_next_request_back_too(head_neike, neike):
    first = ask(head_neike, neike, MONTHS[0])
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.BUILDING)
    assert ask(head_neike, neike, MONTHS[1]) == first


def test_the_schedule_is_never_held_back_by_a_persons_request(head_neike, neike):
    ask(head_neike, neike, MONTHS[0])
    scheduled = services.report_request(
        kind="monthly", start=MONTHS[1][0], end=MONTHS[1][1], fmt="pdf", departments=[neike], enqueue=False
    )
    assert scheduled.period_start == MONTHS[1][0] and Report.objects.count() == 2


def test_a_refused_requester_is_still_refused_while_a_build_is_pending(
    head_neike, neike, waike, administrator
):
    ask(administrator, waike, MONTHS[0])
    with pytest.raises(ActionNotAllowed):
        ask(head_neike, waike, MONTHS[1])  # another department's report: refused, not pointed to it


def test_the_request_page_points_to_the_pending_build_with_a_message(client_for, head_neike, neike):
    first = ask(head_neike, neike, MONTHS[0])
    client = client_for(head_neike)
    response = client.post(
        reverse("reports:request"),
        {"kind": "monthly", "month": f"{MONTHS[1][0]:%Y-%m}", "format": "pdf", "departments": [neike.pk]},
    )
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert first.title in message and "仍在生成" in message
    assert Report.objects.count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_the_same_moment_queue_one_build(neike):
    from supervision.models import Role
    from tests.factories import UserFactory
    from tests.races import on_postgresql, run_at_once

    head = UserFactory(username="race-head", roles=[Role.DEPT_HEAD], head_of=[neike])
    outcomes = run_at_once(
        {
            f"month {n}": (lambda period=period: ask(head, neike, period))
            for n, period in enumerate(MONTHS[:2])
        },
        refusals=(ActionNotAllowed,),
        tolerate=() if on_postgresql() else (OperationalError,),
    )
    assert "won" in outcomes.values() and not any(v.startswith("error") for v in outcomes.values()), outcomes
    assert Report.objects.filter(status=ReportStatus.QUEUED).count() == 1
