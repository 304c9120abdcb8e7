"""Rounds scheduled to named inspectors on dates: weekly, one-off and unannounced; a round started for the
department near the date fulfils it; a passed date without one is missed; the inspector is reminded the
day before, once."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services, tasks
from inspections.models import ScheduledRound
from supervision.errors import ActionNotAllowed
from supervision.models import Notification

from .factories import make_template, start_round

URL = reverse("inspections:schedule")


def test_weekly_dates_are_every_chosen_weekday_in_the_period():
    days = services.weekly_dates(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31), weekday=2)
    assert days == [
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 9),
        dt.date(2026, 12, 16),
        dt.date(2026, 12, 23),
        dt.date(2026, 12, 30),
    ]


def test_unannounced_dates_are_distinct_working_days_of_the_month_from_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, tzinfo=timezone.get_current_timezone()))
    days = services.unannounced_dates(month=dt.date(2026, 12, 1), count=5, rng=random.Random(3))
    assert len(set(days)) == 5
    assert all(d.month == 12 and d >= dt.date(2026, 12, 10) and d.weekday() < 5 for d in days)


def test_a_round_started_near_the_date_fulfils_the_scheduled_round(supervisor, neike):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.schedule_add(
        entries=[(neike, tomorrow)], inspector=supervisor, round_type="routine", actor=supervisor
    )
    rnd = start_round(actor=supervisor, department=neike)
    entry = ScheduledRound.objects.get()
    assert entry.round == rnd and entry.status(timezone.localdate()) == "done"


def test_a_date_passed_without_a_round_is_missed_and_counted(supervisor, neike, time_machine):
    tz = timezone.get_current_timezone()
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=tz))
    services.schedule_add(
        entries=[(neike, dt.date(2026, 12, 2)), (neike, dt.date(2026, 12, 20))],
        inspector=supervisor,
        round_type="routine",
        actor=supervisor,
    )
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, tzinfo=tz))
    counts = selectors.schedule_counts(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    assert (
        counts[neike.pk]["scheduled"] == 2
        and counts[neike.pk]["missed"] == 1
        and counts[neike.pk]["done"] == 0
    )
    row = next(
        r
        for r in selectors.coverage(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
        if r["department_id"] == neike.pk
    )
    assert (row["scheduled"], row["missed"]) == (2, 1)


def test_scheduling_in_the_past_or_to_a_non_supervisor_is_refused(supervisor, caller, neike):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ActionNotAllowed):
        services.schedule_add(
            entries=[(neike, yesterday)], inspector=supervisor, round_type="routine", actor=supervisor
        )
    with pytest.raises(ActionNotAllowed):
        services.schedule_add(
            entries=[(neike, timezone.localdate())], inspector=caller, round_type="routine", actor=supervisor
        )
    assert not ScheduledRound.objects.exists()


def test_the_inspector_is_reminded_the_day_before_once(supervisor, neike, time_machine):
    tz = timezone.get_current_timezone()
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=tz))
    services.schedule_add(
        entries=[(neike, dt.date(2026, 12, 3))], inspector=supervisor, round_type="routine", actor=supervisor
    )
    assert tasks.remind_scheduled_rounds() == 0  # two days before: not yet
    time_machine.move_to(dt.datetime(2026, 12, 2, 16, tzinfo=tz))
    assert tasks.remind_scheduled_rounds() == 1
    assert tasks.remind_scheduled_rounds() == 0  # beat twice: nothing more
    notice = Notification.objects.get(recipient=supervisor, dedupe_key__startswith="scheduled_round:")
    assert neike.name in notice.title_text


def test_a_done_or_missed_round_cannot_be_removed(supervisor, neike):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.schedule_add(
        entries=[(neike, tomorrow)], inspector=supervisor, round_type="routine", actor=supervisor
    )
    start_round(actor=supervisor, department=neike)
    with pytest.raises(ActionNotAllowed):
        services.schedule_remove(entry=ScheduledRound.objects.get(), actor=supervisor)


def test_supervisor_schedules_weekly_rounds_from_the_page(client_for, supervisor, neike, waike):
    today = timezone.localdate()
    response = client_for(supervisor).post(
        f"{URL}?month={today:%Y-%m}",
        {
            "mode": "weekly",
            "departments": [neike.pk, waike.pk],
            "inspector": supervisor.pk,
            "round_type": "routine",
            "start": (today + dt.timedelta(days=1)).isoformat(),
            "end": (today + dt.timedelta(days=14)).isoformat(),
            "weekday": (today.weekday() + 1) % 7,
        },
    )
    assert response.status_code == 302
    assert ScheduledRound.objects.count() == 4  # two weeks × two departments


def test_a_bad_schedule_form_keeps_what_was_typed(client_for, supervisor, neike):
    response = client_for(supervisor).post(
        URL,
        {
            "mode": "weekly",
            "departments": [neike.pk],
            "inspector": supervisor.pk,
            "round_type": "routine",
            "start": "2026-12-20",
            "end": "2026-12-01",
            "weekday": "2",
        },
    )
    assert response.status_code == 400
    assert 'value="2026-12-20"' in response.content.decode()


def test_administrator_reads_heads_are_refused(client_for, administrator, head_neike):
    assert client_for(administrator).get(URL).status_code == 200
    assert client_for(administrator).post(URL, {}).status_code == 403
    assert client_for(head_neike).get(URL).status_code == 403


def test_schedule_page_queries_do_not_grow_with_rows(
    client_for, supervisor, neike, django_assert_max_num_queries
):
    client = client_for(supervisor)
    start = timezone.localdate() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=27)
    days = services.weekly_dates(start=start, end=end, weekday=start.weekday())
    services.schedule_add(
        entries=[(neike, d) for d in days], inspector=supervisor, round_type="routine", actor=supervisor
    )
    client.get(URL)
    with django_assert_max_num_queries(20):
        assert client.get(f"{URL}?month={start:%Y-%m}").status_code == 200


def test_start_link_suggests_the_departments_checklist(client_for, supervisor, neike):
    template = make_template(code="ward-x")
    rnd = start_round(actor=supervisor, department=neike, template=template)
    assert services.suggested_template(neike) == rnd.template
    page = (
        client_for(supervisor)
        .get(reverse("inspections:round_create") + f"?department={neike.pk}&round_type=unannounced")
        .content.decode()
    )
    assert f'value="{template.pk}" selected' in page
    assert 'value="unannounced" selected' in page
