"""Daily queue: policies, sampling, exclusions, idempotence, assignment, expiry."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from followups import outcomes, services
from followups.models import (
    DutyRoster,
    FollowupPolicy,
    FollowupTask,
    PatientFlag,
    QueueDraw,
    TaskMode,
    TaskStatus,
)
from supervision.models import DischargeMethod
from tests.factories import DischargeStayFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)


def stays(department, n, *, discharged_on=DAY - dt.timedelta(days=3), **kw):
    return [DischargeStayFactory(department=department, discharged_on=discharged_on, **kw) for _ in range(n)]


def test_default_policy_follows_up_everyone_in_the_window(neike):
    stays(neike, 4)
    stays(neike, 2, discharged_on=DAY - dt.timedelta(days=1))  # too early (window starts day 3)
    stays(neike, 2, discharged_on=DAY - dt.timedelta(days=9))  # window (day 7) passed
    result = services.call_queue_build(day=DAY)
    assert result.created == 4
    task = FollowupTask.objects.first()
    assert task.due_on == DAY and task.expires_on == DAY - dt.timedelta(days=3) + dt.timedelta(days=7)
    assert task.max_attempts == 3 and task.questionnaire_code == "inpatient"


def test_building_twice_creates_nothing_twice(neike):
    stays(neike, 5)
    first = services.call_queue_build(day=DAY)
    second = services.call_queue_build(day=DAY)
    third = services.call_queue_build(day=DAY + dt.timedelta(days=1))  # same stays still in the window
    assert first.created == 5 and second.created == 0 and third.created == 0
    assert FollowupTask.objects.count() == 5
    assert QueueDraw.objects.count() == 1


def test_command_builds_the_queue_for_a_date(neike):
    stays(neike, 2)
    out = io.StringIO()
    call_command("build_call_queue", "--date", DAY.isoformat(), stdout=out)
    call_command("build_call_queue", "--date", DAY.isoformat(), stdout=out)
    assert FollowupTask.objects.count() == 2
    assert "2 tasks created" in out.getvalue() and "0 tasks created" in out.getvalue()


def test_share_sampling_is_reproducible_and_recorded(neike):
    FollowupPolicy.objects.create(department=neike, share_percent=10)
    created = stays(neike, 95)
    services.call_queue_build(day=DAY)
    draw = QueueDraw.objects.get()
    assert len(draw.selected_ids) == 10  # ceil(95 × 10 %)
    assert draw.eligible_ids == sorted(s.pk for s in created)
    assert set(FollowupTask.objects.values_list("stay_id", flat=True)) == set(draw.selected_ids)
    # the recorded seed and rule reproduce the draw
    assert services.draw_sample(draw.eligible_ids, 10, draw.seed) == draw.selected_ids
    assert draw.seed == services.draw_seed("NK", draw.discharged_on, 1)
    assert draw.policy_snapshot["share_percent"] == 10


def test_fifty_percent_policy_draws_half(neike):
    FollowupPolicy.objects.create(department=neike, share_percent=50)
    stays(neike, 21)
    assert services.call_queue_build(day=DAY).created == 11


def test_late_imported_stays_get_a_second_draw_not_a_redraw(neike):
    FollowupPolicy.objects.create(department=neike, share_percent=50)
    stays(neike, 10)
    services.call_queue_build(day=DAY)
    stays(neike, 4)
    services.call_queue_build(day=DAY)
    draws = list(QueueDraw.objects.order_by("sequence"))
    assert [len(d.considered_ids) for d in draws] == [10, 4]
    assert FollowupTask.objects.count() == 5 + 2


def test_exclusions_died_opted_out_deceased_and_diagnosis(neike, waike):
    FollowupPolicy.objects.create(department=neike, exclude_diagnosis_keywords="精神分裂症，抑郁")
    died = DischargeStayFactory(
        department=neike, discharged_on=DAY - dt.timedelta(days=3), discharge_method=DischargeMethod.DIED
    )
    psych = DischargeStayFactory(
        department=neike, discharged_on=DAY - dt.timedelta(days=3), diagnosis="偏执型精神分裂症"
    )
    opted = DischargeStayFactory(
        department=neike, discharged_on=DAY - dt.timedelta(days=3), patient_name="钱一", phone="13900000001"
    )
    dead = DischargeStayFactory(
        department=neike,
        discharged_on=DAY - dt.timedelta(days=3),
        patient_name="孙二",
        phone="",
        alt_phone="13900000002",
    )
    ok = DischargeStayFactory(department=neike, discharged_on=DAY - dt.timedelta(days=3))
    PatientFlag.objects.create(patient_key="钱一|13900000001", opted_out=True)
    PatientFlag.objects.create(patient_key="孙二|13900000002", deceased=True)
    services.call_queue_build(day=DAY)
    draw = QueueDraw.objects.get()
    assert draw.excluded == {
        str(died.pk): "died_in_hospital",
        str(psych.pk): "diagnosis_excluded",
        str(opted.pk): "opted_out",
        str(dead.pk): "deceased",
    }
    assert list(FollowupTask.objects.values_list("stay_id", flat=True)) == [ok.pk]


def test_inactive_policy_department_is_not_followed_up(neike, waike):
    FollowupPolicy.objects.create(department=waike, active=False)
    stays(neike, 2)
    stays(waike, 3)
    services.call_queue_build(day=DAY)
    assert set(FollowupTask.objects.values_list("department_id", flat=True)) == {neike.pk}


def test_no_phone_becomes_a_letter_or_is_excluded_per_policy(neike, waike):
    FollowupPolicy.objects.create(department=waike, letter_when_no_phone=False)
    stays(neike, 1, phone="")
    stays(waike, 1, phone="")
    services.call_queue_build(day=DAY)
    task = FollowupTask.objects.get()
    assert task.department == neike and task.mode == TaskMode.LETTER
    assert QueueDraw.objects.get(department=waike).excluded.popitem()[1] == "no_phone"


def test_window_per_department(neike, waike):
    FollowupPolicy.objects.create(department=waike, window_start_day=1, window_end_day=2)
    stays(neike, 1, discharged_on=DAY - dt.timedelta(days=1))
    stays(waike, 1, discharged_on=DAY - dt.timedelta(days=1))
    services.call_queue_build(day=DAY)
    assert list(FollowupTask.objects.values_list("department_id", flat=True)) == [waike.pk]


def test_tasks_are_shared_fairly_among_staff_on_duty(neike):
    a = UserFactory(username="fa", roles=["followup"])
    b = UserFactory(username="fb", roles=["followup"])
    off = UserFactory(username="fc", roles=["followup"])
    DutyRoster.objects.create(user=a, day=DAY)
    DutyRoster.objects.create(user=b, day=DAY)
    stays(neike, 7)
    result = services.call_queue_build(day=DAY)
    counts = sorted(
        FollowupTask.objects.filter(assigned_to__isnull=False).values_list("assigned_to", flat=True)
    )
    assert result.assigned == 7
    assert abs(counts.count(a.pk) - counts.count(b.pk)) <= 1
    assert off.pk not in counts


def test_without_roster_tasks_stay_in_the_pool(neike):
    stays(neike, 3)
    services.call_queue_build(day=DAY)
    assert FollowupTask.objects.filter(assigned_to__isnull=True).count() == 3


def test_unreached_tasks_expire_after_the_window(neike):
    stays(neike, 2)
    services.call_queue_build(day=DAY)
    task = FollowupTask.objects.first()
    FollowupTask.objects.filter(pk=task.pk).update(attempt_count=1)
    outcomes.stays_refresh([task.stay_id])  # as a recorded call would have left the stay
    result = services.call_queue_build(day=DAY + dt.timedelta(days=5))
    assert result.expired == 2
    task.refresh_from_db()
    assert task.status == TaskStatus.EXPIRED and task.disposition == "non_contact"
    assert task.transitions.filter(to_status=TaskStatus.EXPIRED).exists()


def test_beat_job_and_celery_task_build_the_queue(neike):
    from followups.schedules import DEFAULT_SCHEDULES
    from followups.tasks import build_call_queue

    assert [job.task for job in DEFAULT_SCHEDULES] == [
        "followups.build_call_queue",
        "followups.sweep_imports",
    ]
    stays(neike, 2)
    assert build_call_queue(DAY.isoformat())["created"] == 2
    assert build_call_queue(DAY.isoformat())["created"] == 0


def test_draw_page_explains_the_draw_and_the_policy_in_the_users_words(neike, client_for, supervisor):
    FollowupPolicy.objects.create(department=neike, share_percent=50, exclude_diagnosis_keywords="精神")
    stays(neike, 4)
    services.call_queue_build(day=DAY)
    draw = QueueDraw.objects.get(department=neike)
    html = client_for(supervisor).get(f"/followups/queue/draws/{draw.pk}/").content.decode()
    assert "从 4 例符合条件的出院病例中随机抽取 2 例" in html
    assert "第 3 天至第 7 天" in html
    assert "精神" in html
    assert "{&#x27;" not in html and "policy_id" not in html  # not the stored JSON
    assert "random.Random" in html  # the exact method stays on the page, folded away, for audit
