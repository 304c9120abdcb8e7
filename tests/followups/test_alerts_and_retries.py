"""Issue 17 on the follow-up channel: a call recorded "not satisfied" raises an alert (with the
patient, never contacted after an opt-out), and a retry after an unreached call stays inside the
task's window (moved to its last day, or the window extended by policy), shown to the caller."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from followups import selectors, services, tasks
from followups.models import (
    FollowupPolicy,
    Outcome,
    RetryAdjustment,
    RetryBeyondWindow,
    Satisfaction,
    TaskStatus,
)
from supervision import services as core_services
from supervision.errors import ActionNotAllowed
from supervision.models import Alert, AlertKind, AlertOutcome
from supervision.workflow import allowed_actions
from tests.factories import DischargeStayFactory

from .factories import make_task

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _task(neike, caller, **kw):
    return make_task(
        stay=DischargeStayFactory(department=neike, patient_name="张伟", phone="13800138000"),
        assigned_to=caller,
        **kw,
    )


def _call(task, caller, outcome, **kw):
    services.task_claim(task=task, actor=caller)
    return services.call_record(task=task, actor=caller, data=services.CallInput(outcome=outcome, **kw))


# --- alerts -------------------------------------------------------------------------------------


def test_a_call_recorded_not_satisfied_raises_one_alert_with_the_patient(
    neike, caller, head_neike, supervisor, django_capture_on_commit_callbacks
):
    task = _task(neike, caller)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _call(
            task, caller, Outcome.REACHED, satisfaction=Satisfaction.DISSATISFIED, notes="换药时等了两个小时"
        )
    assert tasks.raise_alert(attempt.pk) is True  # delivered twice: still one alert
    alert = Alert.objects.get()
    assert (alert.kind, alert.stay, alert.department) == (AlertKind.CALL_NOT_SATISFIED, task.stay, neike)
    assert "两个小时" in alert.note
    assert [a.name for a in allowed_actions(alert, head_neike)] == ["contact", "close"]


def test_a_satisfied_call_raises_nothing(neike, caller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _call(_task(neike, caller), caller, Outcome.REACHED, satisfaction=Satisfaction.SATISFIED)
    assert not Alert.objects.exists()


def test_a_patient_who_opted_out_on_the_call_is_never_contacted_for_the_alert(
    neike, caller, head_neike, client_for, django_capture_on_commit_callbacks
):
    task = _task(neike, caller)
    with django_capture_on_commit_callbacks(execute=True):
        _call(task, caller, Outcome.REACHED, satisfaction=Satisfaction.DISSATISFIED, opted_out=True)
    alert = Alert.objects.get()
    assert selectors.patient_do_not_contact(task.stay)
    assert [a.name for a in allowed_actions(alert, head_neike)] == ["close"]
    with pytest.raises(ActionNotAllowed):
        core_services.alert_contact(alert=alert, actor=head_neike, contact_note="打了电话")
    page = client_for(head_neike).get(reverse("alert_detail", args=[alert.pk]))
    assert 'id="no-contact"' in page.content.decode() and 'data-action="contact"' not in page.content.decode()
    closed = core_services.alert_close(
        alert=alert, actor=head_neike, action_taken="科室讨论改进", outcome=AlertOutcome.NOT_CONTACTED
    )
    assert closed.contacted_at is None


def test_a_flag_set_after_the_alert_still_stops_the_contact(neike, caller, head_neike):
    task = _task(neike, caller)
    attempt = _call(task, caller, Outcome.REACHED, satisfaction=Satisfaction.DISSATISFIED)
    alert = services.attempt_raise_alert(attempt=attempt)
    assert "contact" in [a.name for a in allowed_actions(alert, head_neike)]
    services.patient_flag_opt_out(stay=task.stay, actor=caller)
    assert "contact" not in [a.name for a in allowed_actions(alert, head_neike)]


# --- retries inside the window (frozen clock) ------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def test_a_retry_inside_the_window_keeps_the_spacing(neike, caller):
    day = dt.date(2026, 12, 7)
    with time_machine.travel(_at(day, 10), tick=False):
        task = _task(neike, caller, due_on=day, expires_on=day + dt.timedelta(days=3))
        _call(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.status == TaskStatus.CALLBACK
    assert task.next_attempt_at == _at(day + dt.timedelta(days=1), 10)
    assert task.retry_adjustment == RetryAdjustment.NONE


def test_a_retry_after_the_window_moves_to_its_last_day(neike, caller):
    day = dt.date(2026, 12, 7)
    with time_machine.travel(_at(day, 10), tick=False):
        task = _task(neike, caller, due_on=day, expires_on=day + dt.timedelta(days=1), retry_spacing_hours=48)
        _call(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.next_attempt_at == _at(day + dt.timedelta(days=1), 10)  # the last day, same time
    assert task.expires_on == day + dt.timedelta(days=1)
    assert task.retry_adjustment == RetryAdjustment.MOVED


def test_on_the_last_day_the_retry_is_later_the_same_day(neike, caller):
    day = dt.date(2026, 12, 7)
    with time_machine.travel(_at(day, 15), tick=False):
        task = _task(neike, caller, due_on=day, expires_on=day)
        _call(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.next_attempt_at == _at(day, 16)
    assert task.retry_adjustment == RetryAdjustment.MOVED


def test_a_policy_may_extend_the_window_to_the_retry_instead(neike, caller):
    FollowupPolicy.objects.create(department=neike, retry_beyond_window=RetryBeyondWindow.EXTEND)
    day = dt.date(2026, 12, 7)
    with time_machine.travel(_at(day, 10), tick=False):
        task = _task(neike, caller, due_on=day, expires_on=day)
        _call(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.next_attempt_at == _at(day + dt.timedelta(days=1), 10)
    assert task.expires_on == day + dt.timedelta(days=1)
    assert task.retry_adjustment == RetryAdjustment.EXTENDED


def test_the_caller_is_told_when_the_task_comes_back_and_which_rule_moved_it(neike, caller, client_for):
    day = timezone.localdate()
    task = _task(neike, caller, due_on=day, expires_on=day)
    c = client_for(caller)
    c.post(reverse("followups:task_claim", args=[task.pk]))
    done = c.post(reverse("followups:task_call", args=[task.pk]), {"outcome": Outcome.NO_ANSWER}, follow=True)
    said = " ".join(str(m) for m in done.context["messages"])
    assert "下次" in said and "最后一天" in said, said
    page = c.get(reverse("followups:task_detail", args=[task.pk]))
    assert 'id="next-attempt"' in page.content.decode()


def test_call_backs_due_come_first_at_their_time(neike, caller):
    day = dt.date(2026, 12, 7)
    with time_machine.travel(_at(day, 11), tick=False):
        pending = _task(neike, caller, due_on=day - dt.timedelta(days=1))
        later = _task(neike, caller, due_on=day, status=TaskStatus.CALLBACK, next_attempt_at=_at(day, 15))
        due = _task(neike, caller, due_on=day, status=TaskStatus.CALLBACK, next_attempt_at=_at(day, 9))
        tomorrow = _task(
            neike,
            caller,
            due_on=day,
            status=TaskStatus.CALLBACK,
            next_attempt_at=_at(day + dt.timedelta(days=1), 9),
        )
        listed = list(selectors.my_tasks_today(caller))
    assert listed == [due, later, pending]
    assert tomorrow not in listed
