"""The call screen's services: claims, recording calls, retries, deceased suppression, hand-offs."""

import datetime as dt

import pytest
from django.utils import timezone

from followups import services
from followups.models import (
    CallAttempt,
    Disposition,
    FeedbackKind,
    FollowupPolicy,
    FollowupTask,
    Outcome,
    PatientFlag,
    TaskMode,
    TaskStatus,
)
from supervision.errors import ActionNotAllowed
from supervision.models import Finding, FindingSource, RevealLog
from tests.factories import DischargeStayFactory, StaffFactory, UserFactory, category

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_caller(db):
    return UserFactory(username="caller2", full_name="吴回访", roles=["followup"])


@pytest.fixture
def task(neike, caller):
    return make_task(
        stay=DischargeStayFactory(department=neike, patient_name="张伟", phone="13800138000"),
        assigned_to=caller,
    )


def claim(task, user, now=None):
    return services.task_claim(task=task, actor=user, now=now)


def record(task, user, outcome, **kw):
    return services.call_record(task=task, actor=user, data=services.CallInput(outcome=outcome, **kw))


# --- claims -----------------------------------------------------------------------------------


def test_claim_race_only_one_caller_wins(neike, caller, other_caller):
    pool = make_task(stay=DischargeStayFactory(department=neike))
    # both loaded the task before either claimed it (a stale read as in a real race)
    seen_by_a = FollowupTask.objects.get(pk=pool.pk)
    seen_by_b = FollowupTask.objects.get(pk=pool.pk)
    claim(seen_by_a, caller)
    with pytest.raises(ActionNotAllowed):
        claim(seen_by_b, other_caller)
    pool.refresh_from_db()
    assert pool.claimed_by == caller and pool.assigned_to == caller


def test_claim_compare_and_set_refuses_when_both_passed_the_check(neike, caller, other_caller, monkeypatch):
    """Without row locks (SQLite) both may pass the re-read; the conditional UPDATE still lets one win."""
    pool = make_task(stay=DischargeStayFactory(department=neike))
    stale = FollowupTask.objects.select_related("stay", "department").get(pk=pool.pk)
    claim(pool, caller)
    monkeypatch.setattr(services.TASKS, "lock", lambda task: stale)
    with pytest.raises(ActionNotAllowed, match="正在处理"):
        claim(stale, other_caller)
    pool.refresh_from_db()
    assert pool.claimed_by == caller
    assert pool.transitions.filter(action="claim").count() == 1


def test_claim_expires_so_another_caller_may_take_over(neike, caller, supervisor):
    pool = make_task(stay=DischargeStayFactory(department=neike))
    start = timezone.now()
    claim(pool, caller, now=start)
    with pytest.raises(ActionNotAllowed):
        claim(pool, supervisor, now=start + dt.timedelta(minutes=10))
    claim(pool, supervisor, now=start + dt.timedelta(minutes=services.CLAIM_MINUTES + 1))
    pool.refresh_from_db()
    assert pool.claimed_by == supervisor


def test_task_assigned_to_someone_else_cannot_be_claimed(task, other_caller, volunteer):
    with pytest.raises(ActionNotAllowed, match="已分配给"):
        claim(task, other_caller)
    with pytest.raises(ActionNotAllowed):
        claim(task, volunteer)


def test_recording_requires_holding_the_claim(task, caller, other_caller):
    with pytest.raises(ActionNotAllowed, match="请先领取"):
        record(task, caller, Outcome.REACHED)
    assert not CallAttempt.objects.exists()


# --- outcomes --------------------------------------------------------------------------------


def test_reached_call_completes_the_task(task, caller):
    claim(task, caller)
    attempt = record(task, caller, Outcome.REACHED, satisfaction="satisfied", guidance_given=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.contacted and task.disposition == Disposition.COMPLETE
    assert attempt.contacted and attempt.disposition == Disposition.COMPLETE
    assert task.claimed_by is None
    assert task.transitions.filter(action="call", from_status="pending", to_status="done").exists()


def test_reached_but_ended_early_is_partial_and_still_counts(task, caller):
    claim(task, caller)
    record(task, caller, Outcome.REACHED, ended_early=True)
    task.refresh_from_db()
    assert task.disposition == Disposition.PARTIAL and task.contacted


def test_unreached_calls_are_retried_per_policy_then_closed(task, caller):
    now = timezone.now()
    for n, outcome in enumerate([Outcome.NO_ANSWER, Outcome.SWITCHED_OFF], 1):
        claim(task, caller)
        record(task, caller, outcome)
        task.refresh_from_db()
        assert task.status == TaskStatus.CALLBACK and task.attempt_count == n
        assert task.next_attempt_at >= now + dt.timedelta(hours=task.retry_spacing_hours)
    claim(task, caller)
    record(task, caller, Outcome.NO_ANSWER)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.disposition == Disposition.NON_CONTACT
    assert not task.contacted
    with pytest.raises(ActionNotAllowed, match="已结束"):
        claim(task, caller)


@pytest.mark.parametrize(
    ("outcome", "disposition"),
    [
        (Outcome.REFUSED, Disposition.REFUSAL),
        (Outcome.BARRIER, Disposition.OTHER),
        (Outcome.TRANSFERRED, Disposition.OTHER),
        (Outcome.READMITTED, Disposition.INELIGIBLE),
        (Outcome.DECEASED, Disposition.INELIGIBLE),
        (Outcome.OTHER, Disposition.OTHER),
    ],
)
def test_final_outcomes_map_to_dispositions(task, caller, outcome, disposition):
    claim(task, caller)
    record(task, caller, outcome)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.disposition == disposition and not task.contacted


def test_scam_hangup_is_a_refusal_that_may_be_retried(task, caller):
    claim(task, caller)
    record(task, caller, Outcome.SCAM_HANGUP)
    task.refresh_from_db()
    assert task.status == TaskStatus.CALLBACK


def test_call_back_at_a_time_keeps_the_task_open(task, caller):
    claim(task, caller)
    later = timezone.now() + dt.timedelta(hours=3)
    record(task, caller, Outcome.REACHED, callback_at=later, notes="问专科医生关于用药")
    task.refresh_from_db()
    assert task.status == TaskStatus.CALLBACK and task.next_attempt_at == later and task.contacted


def test_call_back_in_the_past_is_refused(task, caller):
    claim(task, caller)
    with pytest.raises(ActionNotAllowed, match="回拨时间"):
        record(task, caller, Outcome.REACHED, callback_at=timezone.now() - dt.timedelta(minutes=1))
    assert not CallAttempt.objects.exists()


def test_deceased_patient_is_never_contacted_again_also_for_later_stays(neike, waike, task, caller):
    later_stay = DischargeStayFactory(
        department=waike, patient_name="张伟", phone="138-0013-8000".replace("-", ""), admission_no="ZY-NEW"
    )
    open_other = make_task(stay=later_stay)
    claim(task, caller)
    record(task, caller, Outcome.DECEASED)
    assert PatientFlag.objects.get(patient_key="张伟|13800138000").deceased
    open_other.refresh_from_db()
    assert open_other.status == TaskStatus.CANCELLED and open_other.disposition == Disposition.INELIGIBLE
    # a stay discharged after the death was recorded is excluded by the queue
    third = DischargeStayFactory(
        department=neike, patient_name="张伟", phone="13800138000", admission_no="ZY-3"
    )
    services.call_queue_build(day=third.discharged_on + dt.timedelta(days=3))
    assert not FollowupTask.objects.filter(stay=third).exists()
    with pytest.raises(ActionNotAllowed, match="已故"):
        services.task_add_manual(stay=third, actor=UserFactory(username="sv2", roles=["supervisor"]))


def test_same_name_with_another_phone_is_another_person(neike, task, caller):
    claim(task, caller)
    record(task, caller, Outcome.DECEASED)
    namesake = DischargeStayFactory(department=neike, patient_name="张伟", phone="13911112222")
    services.call_queue_build(day=namesake.discharged_on + dt.timedelta(days=3))
    assert FollowupTask.objects.filter(stay=namesake).exists()


def test_opt_out_excludes_later_stays(neike, task, caller):
    claim(task, caller)
    record(task, caller, Outcome.REFUSED, opted_out=True)
    later = DischargeStayFactory(department=neike, patient_name="张伟", phone="13800138000")
    services.call_queue_build(day=later.discharged_on + dt.timedelta(days=3))
    assert not FollowupTask.objects.filter(stay=later).exists()


def test_letter_follow_up_counts_as_completed_contact(neike, caller):
    letter = make_task(
        stay=DischargeStayFactory(department=neike, phone=""), mode=TaskMode.LETTER, assigned_to=caller
    )
    claim(letter, caller)
    with pytest.raises(ActionNotAllowed, match="信函"):
        record(letter, caller, Outcome.NO_ANSWER)
    record(letter, caller, Outcome.LETTER_DONE, notes="寄至家庭住址")
    letter.refresh_from_db()
    assert (
        letter.status == TaskStatus.DONE and letter.contacted and letter.disposition == Disposition.COMPLETE
    )


# --- hand-offs --------------------------------------------------------------------------------


def test_service_problem_becomes_a_followup_finding(task, caller):
    claim(task, caller)
    attempt = record(
        task,
        caller,
        Outcome.REACHED,
        feedback_kind=FeedbackKind.FINDING,
        feedback="夜班护士态度生硬",
        finding_category=category("attitude"),
    )
    finding = Finding.objects.get()
    assert finding.source == FindingSource.FOLLOWUP and finding.department == task.department
    assert finding.source_object == attempt and attempt.finding == finding


def test_complaint_goes_to_the_complaints_app_owned_by_the_caller(task, caller):
    from complaints.models import Complaint

    claim(task, caller)
    attempt = record(
        task, caller, Outcome.REACHED, feedback_kind=FeedbackKind.COMPLAINT, feedback="收费不清楚"
    )
    complaint = Complaint.objects.get(pk=attempt.complaint_id)
    assert complaint.channel == "followup"
    assert complaint.source_object == attempt


def test_praise_names_staff(task, caller, neike):
    nurse = StaffFactory(department=neike, name="刘护士")
    claim(task, caller)
    attempt = record(task, caller, Outcome.REACHED, praise="护士很耐心", praised_staff=[nurse])
    assert list(attempt.praised_staff.all()) == [nurse]


def test_questionnaire_answers_are_a_phone_response_linked_to_the_attempt(task, caller):
    from surveys.forms import QuestionnaireForm
    from surveys.models import SurveyResponse
    from surveys.selectors import questionnaire_current

    q = questionnaire_current("inpatient")
    values = {f"q-{x.field_name}": "5" for x in q.questions.filter(kind="scale")}
    for x in q.questions.filter(kind="yes_no"):
        values[f"q-{x.field_name}"] = "yes"
    form = QuestionnaireForm(values, questionnaire=q, prefix="q")
    assert form.is_valid(), form.errors
    claim(task, caller)
    attempt = record(task, caller, Outcome.REACHED, answers=form.answers(), questionnaire=q)
    response = SurveyResponse.objects.get(pk=attempt.survey_response_id)
    assert response.channel == "phone" and response.source_object == attempt


# --- privacy ------------------------------------------------------------------------------------


def test_full_number_only_for_the_holder_and_every_reveal_is_logged(task, caller, other_caller, supervisor):
    with pytest.raises(ActionNotAllowed):
        services.task_reveal_phone(task=task, actor=caller)
    claim(task, caller)
    task.refresh_from_db()
    assert services.task_reveal_phone(task=task, actor=caller) == {"phone": "13800138000"}
    with pytest.raises(ActionNotAllowed):
        services.task_reveal_phone(task=task, actor=supervisor)
    log = RevealLog.objects.get()
    assert log.user == caller and log.field == "phone" and log.subject == task.stay


def test_supervisor_adds_a_stay_by_hand_once(neike, supervisor, caller):
    stay = DischargeStayFactory(department=neike)
    task = services.task_add_manual(stay=stay, actor=supervisor)
    assert task.source == "manual" and task.status == TaskStatus.PENDING
    with pytest.raises(ActionNotAllowed, match="已在随访名单"):
        services.task_add_manual(stay=stay, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.task_add_manual(stay=DischargeStayFactory(department=neike), actor=caller)


def test_call_back_request_after_the_last_unreached_attempt_closes_the_task(task, caller):
    FollowupTask.objects.filter(pk=task.pk).update(max_attempts=1)
    task.refresh_from_db()
    claim(task, caller)
    record(task, caller, Outcome.NO_ANSWER, callback_at=timezone.now() + dt.timedelta(hours=2))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.disposition == Disposition.NON_CONTACT


def test_only_one_default_policy(client_for, administrator):
    services.policy_default()
    response = client_for(administrator).post(
        "/followups/policies/new/",
        {"active": "on", "share_percent": 50, "window_start_day": 3, "window_end_day": 7,
         "max_attempts": 3, "retry_spacing_hours": 24, "questionnaire_code": "inpatient"},
    )  # fmt: skip
    assert response.status_code == 200 and "默认策略已存在" in response.content.decode()


def test_wrong_number_tries_the_other_number_then_a_letter(neike, caller):
    stay = DischargeStayFactory(department=neike, phone="13800000001", alt_phone="01065123456")
    wrong = make_task(stay=stay, assigned_to=caller)
    claim(wrong, caller)
    record(wrong, caller, Outcome.WRONG_NUMBER)
    wrong.refresh_from_db()
    assert wrong.status == TaskStatus.CALLBACK and wrong.mode == TaskMode.PHONE
    claim(wrong, caller)
    record(wrong, caller, Outcome.WRONG_NUMBER)
    wrong.refresh_from_db()
    assert wrong.status == TaskStatus.PENDING and wrong.mode == TaskMode.LETTER and not wrong.contacted
    claim(wrong, caller)
    record(wrong, caller, Outcome.LETTER_DONE)
    wrong.refresh_from_db()
    assert wrong.status == TaskStatus.DONE and wrong.contacted


def test_wrong_number_without_letters_is_a_final_non_contact(neike, caller):
    from followups.models import FollowupPolicy

    FollowupPolicy.objects.create(department=neike, letter_when_no_phone=False)
    wrong = make_task(stay=DischargeStayFactory(department=neike, alt_phone=""), assigned_to=caller)
    claim(wrong, caller)
    record(wrong, caller, Outcome.WRONG_NUMBER)
    wrong.refresh_from_db()
    assert wrong.status == TaskStatus.DONE and wrong.disposition == Disposition.NON_CONTACT


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_policy_forms_calling_hours_are_typed_on_a_24_hour_clock(
    client_for, administrator, neike, language
):
    # <input type="time"> follows the browser's locale (上午/下午 in zh-CN Chromium, AM/PM in
    # English); the calling hours are a plain HH:MM field in every language.
    administrator.language = language
    administrator.save(update_fields=["language"])
    client = client_for(administrator)
    page = client.get("/followups/policies/new/").content.decode()
    assert 'type="time"' not in page
    assert 'name="calling_until" value="20:00"' in page and 'inputmode="numeric"' in page
    data = {"department": neike.pk, "active": "on", "share_percent": 100, "window_start_day": 3,
            "window_end_day": 7, "max_attempts": 3, "retry_spacing_hours": 24,
            "questionnaire_code": "inpatient", "calling_from": "7:30", "calling_until": "21:15"}  # fmt: skip
    assert client.post("/followups/policies/new/", data).status_code == 302
    policy = FollowupPolicy.objects.get(department=neike)
    assert (policy.calling_from, policy.calling_until) == (dt.time(7, 30), dt.time(21, 15))
    page = client.get(f"/followups/policies/{policy.pk}/").content.decode()
    assert 'value="07:30"' in page and 'value="21:15"' in page
    refused = client.post(f"/followups/policies/{policy.pk}/", {**data, "calling_until": "9:00 PM"})
    assert refused.status_code == 200 and "calling_until" in refused.context["form"].errors
