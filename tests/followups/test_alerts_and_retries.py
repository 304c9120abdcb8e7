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


def _low_questionnaire():
    """The call's questionnaire answered with every scale at 1 (below the seeded threshold 2)."""
    from surveys.forms import QuestionnaireForm
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("inpatient")
    values = {f"q-{x.field_name}": "1" for x in q.questions.filter(kind="scale")}
    for x in q.questions.filter(kind="yes_no"):
        values[f"q-{x.field_name}"] = "no"
    form = QuestionnaireForm(values, questionnaire=q, prefix="q")
    assert form.is_valid(), form.errors
    return q, form.answers()


def test_a_not_satisfied_call_whose_questionnaire_scored_low_is_one_alert_told_once(
    neike, caller, head_neike, supervisor, django_capture_on_commit_callbacks
):
    from supervision.models import Notification, NotificationKind
    from surveys import tasks as survey_tasks

    q, answers = _low_questionnaire()
    task = _task(neike, caller)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _call(
            task,
            caller,
            Outcome.REACHED,
            satisfaction=Satisfaction.DISSATISFIED,
            notes="护士态度差",
            answers=answers,
            questionnaire=q,
        )
    alert = Alert.objects.get()  # one patient contact, one alert
    assert alert.kind == AlertKind.CALL_NOT_SATISFIED and alert.source == attempt
    assert alert.lowest_score == 1 and alert.items and "态度差" in alert.note
    # Both workers delivered again, in either order: nothing changes, nobody is told twice.
    before = (alert.items, alert.note, alert.lowest_score)
    assert survey_tasks.raise_alert(attempt.survey_response_id) is True
    assert tasks.raise_alert(attempt.pk) is True
    alert.refresh_from_db()
    assert Alert.objects.count() == 1 and (alert.items, alert.note, alert.lowest_score) == before
    told = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert sorted(told.values_list("recipient", flat=True)) == sorted([head_neike.pk, supervisor.pk])


def test_the_call_worker_after_the_questionnaires_one_makes_the_alert_the_calls(neike, caller):
    q, answers = _low_questionnaire()
    task = _task(neike, caller)  # on-commit callbacks not run: the workers are called by hand
    attempt = _call(
        task,
        caller,
        Outcome.REACHED,
        satisfaction=Satisfaction.DISSATISFIED,
        notes="等太久",
        answers=answers,
        questionnaire=q,
    )
    from surveys.models import SurveyResponse
    from surveys.services import response_raise_alert

    first = response_raise_alert(response=SurveyResponse.objects.get(pk=attempt.survey_response_id))
    assert first.kind == AlertKind.SURVEY_LOW_SCORE and first.source == attempt
    second = services.attempt_raise_alert(attempt=attempt)
    assert second.pk == first.pk and Alert.objects.count() == 1
    assert (
        second.kind == AlertKind.CALL_NOT_SATISFIED and "等太久" in second.note and second.lowest_score == 1
    )


def test_a_satisfied_call_with_a_low_questionnaire_score_is_one_survey_alert(
    neike, caller, django_capture_on_commit_callbacks
):
    q, answers = _low_questionnaire()
    with django_capture_on_commit_callbacks(execute=True):
        attempt = _call(
            _task(neike, caller),
            caller,
            Outcome.REACHED,
            satisfaction=Satisfaction.SATISFIED,
            answers=answers,
            questionnaire=q,
        )
    alert = Alert.objects.get()
    assert (
        alert.kind == AlertKind.SURVEY_LOW_SCORE
        and alert.source == attempt
        and alert.stay == attempt.task.stay
    )


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


# --- retries inside the office's calling hours (issue 17: a retry at 01:29 was seen) -------------


def _hm(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def _retry_after(neike, caller, *, now, expires_on, spacing=24):
    with time_machine.travel(now, tick=False):
        task = _task(
            neike, caller, due_on=timezone.localdate(), expires_on=expires_on, retry_spacing_hours=spacing
        )
        _call(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    return task


def test_a_retry_spaced_past_midnight_waits_for_the_calling_hours_next_morning(neike, caller):
    monday = dt.date(2026, 12, 7)
    task = _retry_after(
        neike, caller, now=_hm(monday, 21, 29), expires_on=monday + dt.timedelta(days=3), spacing=4
    )
    assert task.next_attempt_at == _hm(monday + dt.timedelta(days=1), 8)  # not 01:29
    assert task.retry_adjustment == RetryAdjustment.HOURS


def test_a_retry_spaced_before_the_calling_hours_waits_for_them_the_same_day(neike, caller):
    monday = dt.date(2026, 12, 7)
    task = _retry_after(
        neike, caller, now=_hm(monday, 7, 30), expires_on=monday + dt.timedelta(days=3), spacing=24
    )
    assert task.next_attempt_at == _hm(monday + dt.timedelta(days=1), 8)
    assert task.retry_adjustment == RetryAdjustment.HOURS


def test_the_calling_hours_are_the_policys(neike, caller):
    FollowupPolicy.objects.create(department=neike, calling_from=dt.time(9), calling_until=dt.time(17, 30))
    monday = dt.date(2026, 12, 7)
    task = _retry_after(
        neike, caller, now=_hm(monday, 16), expires_on=monday + dt.timedelta(days=3), spacing=2
    )
    assert task.next_attempt_at == _hm(monday + dt.timedelta(days=1), 9)


def test_on_the_last_day_after_hours_across_midnight_the_retry_stays_on_the_last_day(neike, caller):
    monday = dt.date(2026, 12, 7)
    # 19:30 on the last day: an hour later is after the calling hours, the next morning after the
    # window; the task stays due now, for one more try before 20:00.
    task = _retry_after(neike, caller, now=_hm(monday, 19, 30), expires_on=monday)
    assert task.next_attempt_at == _hm(monday, 19, 30)
    assert task.retry_adjustment == RetryAdjustment.MOVED
    assert task.expires_on == monday


def test_a_call_recorded_after_hours_on_the_last_day_leaves_no_calling_time_and_says_so(
    neike, caller, client_for
):
    monday = dt.date(2026, 12, 7)
    task = _retry_after(neike, caller, now=_hm(monday, 21), expires_on=monday)
    assert task.retry_adjustment == RetryAdjustment.NO_TIME_LEFT and task.expires_on == monday
    with time_machine.travel(_hm(monday, 21, 5), tick=False):
        page = client_for(caller).get(reverse("followups:task_detail", args=[task.pk])).content.decode()
    assert "窗口内已无可拨打时间" in page, page


def test_a_retry_moved_to_the_last_day_keeps_the_calling_hours(neike, caller):
    monday = dt.date(2026, 12, 7)
    # 21:00 + 48 h is Wednesday after hours → Thursday 08:00, after the window: Tuesday 08:00.
    task = _retry_after(
        neike, caller, now=_hm(monday, 21), expires_on=monday + dt.timedelta(days=1), spacing=48
    )
    assert task.next_attempt_at == _hm(monday + dt.timedelta(days=1), 8)
    assert task.retry_adjustment == RetryAdjustment.MOVED


def test_an_extended_window_ends_on_the_day_of_the_retry_inside_the_calling_hours(neike, caller):
    FollowupPolicy.objects.create(department=neike, retry_beyond_window=RetryBeyondWindow.EXTEND)
    monday = dt.date(2026, 12, 7)
    task = _retry_after(neike, caller, now=_hm(monday, 21, 29), expires_on=monday, spacing=4)
    assert task.next_attempt_at == _hm(monday + dt.timedelta(days=1), 8)
    assert (task.expires_on, task.retry_adjustment) == (
        monday + dt.timedelta(days=1),
        RetryAdjustment.EXTENDED,
    )


def test_working_days_only_skips_the_weekend_and_a_holiday(neike, caller):
    from complaints.models import CalendarDay, DayKind

    FollowupPolicy.objects.create(department=neike, calling_working_days_only=True)
    friday = dt.date(2026, 12, 11)
    CalendarDay.objects.create(date=dt.date(2026, 12, 14), kind=DayKind.HOLIDAY)  # Monday off
    task = _retry_after(neike, caller, now=_hm(friday, 10), expires_on=friday + dt.timedelta(days=6))
    assert task.next_attempt_at == _hm(dt.date(2026, 12, 15), 8)
    assert task.retry_adjustment == RetryAdjustment.HOURS


def test_working_days_only_and_a_window_ending_on_sunday_retry_on_friday(neike, caller):
    FollowupPolicy.objects.create(department=neike, calling_working_days_only=True)
    friday = dt.date(2026, 12, 11)
    task = _retry_after(neike, caller, now=_hm(friday, 10), expires_on=friday + dt.timedelta(days=2))
    assert task.next_attempt_at == _hm(friday, 11)  # the window's last working day, an hour later
    assert task.retry_adjustment == RetryAdjustment.MOVED


def test_the_page_names_the_calling_hours_that_moved_the_retry(neike, caller, client_for):
    monday = dt.date(2026, 12, 7)
    task = _retry_after(
        neike, caller, now=_hm(monday, 21, 29), expires_on=monday + dt.timedelta(days=3), spacing=4
    )
    with time_machine.travel(_hm(monday, 21, 30), tick=False):
        page = client_for(caller).get(reverse("followups:task_detail", args=[task.pk])).content.decode()
    assert "08:00–20:00" in page and "拨打时间" in page, page


def test_calling_hours_that_end_before_they_start_are_refused_in_the_form(neike):
    from followups.forms import PolicyForm

    form = PolicyForm(
        {
            "department": neike.pk,
            "active": "on",
            "share_percent": 100,
            "window_start_day": 3,
            "window_end_day": 7,
            "max_attempts": 3,
            "retry_spacing_hours": 24,
            "calling_from": "20:00",
            "calling_until": "08:00",
            "questionnaire_code": "inpatient",
        }
    )
    assert not form.is_valid()
    assert form.errors["calling_until"]
    default = PolicyForm({**form.data, "calling_from": "", "calling_until": ""})
    assert default.is_valid(), default.errors
    assert (default.cleaned_data["calling_from"], default.cleaned_data["calling_until"]) == (
        dt.time(8),
        dt.time(20),
    )


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
