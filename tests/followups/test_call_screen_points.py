"""The call screen says which time point the task is (出院第 90 天回访（3/3）) and its window, and what
happened at the stay's other time points: calls, letters and web links with dates and outcomes,
the points still to come with their window (issue 19, follow-up item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from followups import services
from followups.models import FollowupTask, Outcome, TaskMode, WebLink
from tests.factories import DischargeStayFactory

from .factories import add_attempt

pytestmark = pytest.mark.django_db

DISCHARGED = dt.date(2026, 1, 5)


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def three_points(supervisor, neike, caller):
    """Day 3 call (reached, satisfied), day 30 web form (letter with link sent, never answered),
    day 90 call: the task on the screen."""
    P = services.PointInput
    services.plan_save(
        actor=supervisor, department=neike, name="3 / 30 / 90", today=dt.date(2025, 12, 1),
        points=[P(day=3), P(day=30, window_days=7, mode=TaskMode.WEB), P(day=90, window_days=14)],
    )  # fmt: skip
    stay = DischargeStayFactory(department=neike, discharged_on=DISCHARGED, phone="13812345678")
    services.call_queue_build(day=DISCHARGED + dt.timedelta(days=3), assign=False)
    first = stay.followup_tasks.get(point=1)
    add_attempt(
        first, outcome=Outcome.REACHED, caller=caller, when=_at(dt.date(2026, 1, 9)), satisfaction="satisfied"
    )
    services.call_queue_build(day=DISCHARGED + dt.timedelta(days=30), assign=False)
    web = stay.followup_tasks.get(point=2)
    services.web_link_issue(task=web, actor=caller, now=_at(dt.date(2026, 2, 4)))
    services.letters_mark_sent(tasks=[web], actor=caller, on=dt.date(2026, 2, 5))
    services.call_queue_build(day=DISCHARGED + dt.timedelta(days=90), assign=False)
    current = stay.followup_tasks.get(point=3)
    FollowupTask.objects.filter(pk=current.pk).update(assigned_to=caller)
    return stay, current


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_the_screen_names_the_time_point_and_shows_the_other_points_contacts(
    client_for, caller, three_points
):
    _stay, task = three_points
    page = client_for(caller).get(f"/followups/tasks/{task.pk}/")
    assert page.status_code == 200
    text = _text(page)
    assert "出院第 90 天回访（3/3）" in text
    assert "随访时限 2026年4月5日 – 2026年4月19日" in text
    other = text[text.index("其他随访时间点") :]
    # Day 3: the call reached the patient, satisfied, with its date.
    assert "出院第 3 天回访（1/3）" in other and "2026年1月9日 电话：已接通（满意）" in other
    # Day 30: the letter with the link — when it was issued, until when it works, when it was posted.
    assert "出院第 30 天网上问卷回访（2/3）" in other
    assert "2026年2月4日 问卷链接已生成 · 有效期至 2026年2月11日" in other
    assert "2026年2月5日 含问卷链接的信函已寄出" in other


def test_a_point_still_to_come_is_listed_with_its_window(client_for, caller, supervisor, three_points):
    stay, _task = three_points
    first = stay.followup_tasks.get(point=1)
    FollowupTask.objects.filter(pk=first.pk).update(assigned_to=caller)
    text = _text(client_for(supervisor).get(f"/followups/tasks/{first.pk}/"))
    assert "出院第 3 天回访（1/3）" in text
    assert "尚未开始" not in text  # every point is built
    FollowupTask.objects.filter(stay=stay, point=3).delete()
    text = _text(client_for(supervisor).get(f"/followups/tasks/{first.pk}/"))
    assert "出院第 90 天回访（3/3）尚未开始 随访时限 2026年4月5日 – 2026年4月19日" in text


def test_a_stay_with_one_follow_up_has_no_count_and_no_other_points(client_for, caller, neike):
    from .factories import make_task

    task = make_task(stay=DischargeStayFactory(department=neike), assigned_to=caller, point_day=3)
    text = _text(client_for(caller).get(f"/followups/tasks/{task.pk}/"))
    assert "出院第 3 天回访" in text and "（1/1）" not in text and "其他随访时间点" not in text


def test_the_time_points_follow_the_pages_roles_and_departments(
    client_for, head_neike, head_waike, volunteer, three_points
):
    _stay, task = three_points
    assert "出院第 90 天回访（3/3）" in _text(client_for(head_neike).get(f"/followups/tasks/{task.pk}/"))
    assert client_for(head_waike).get(f"/followups/tasks/{task.pk}/").status_code == 404
    assert client_for(volunteer).get(f"/followups/tasks/{task.pk}/").status_code == 403


def test_the_other_points_cost_the_same_queries_however_many_contacts(client_for, caller, three_points):
    stay, task = three_points
    client = client_for(caller)
    url = f"/followups/tasks/{task.pk}/"
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    first, web = stay.followup_tasks.get(point=1), stay.followup_tasks.get(point=2)
    for day in (10, 11, 12):
        add_attempt(first, outcome=Outcome.NO_ANSWER, caller=caller, when=_at(dt.date(2026, 1, day)))
    # A second letter's link (the task has expired since, so straight into the table).
    WebLink.objects.create(
        task=web,
        token_hash="0" * 64,
        expires_at=_at(dt.date(2026, 2, 14), 0),
        created_at=_at(dt.date(2026, 2, 6)),
    )
    add_attempt(web, outcome=Outcome.WEB_DONE, when=_at(dt.date(2026, 2, 7)), mode=TaskMode.WEB)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    text = _text(page)
    assert "2026年1月12日 电话：无人接听" in text and "（满意）" in text
