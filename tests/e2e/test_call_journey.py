"""Journey: a follow-up caller works the call list — opens today's task, claims it, reveals the
number, records "reached" with the questionnaire answered on the call screen, and saves."""

from __future__ import annotations

from followups.models import CallAttempt, TaskStatus
from supervision.models import RevealLog
from surveys.models import Channel, SurveyResponse
from surveys.selectors import questionnaire_current
from tests.factories import DischargeStayFactory
from tests.followups.factories import make_task

from .conftest import journey_marks

pytestmark = journey_marks()

ANSWER = {"scale": "5", "yes_no": "yes"}


def choose(page, name: str, value: str) -> None:
    """Tap the button-like label of one radio option, as a finger would."""
    option = page.locator(f"input[name='{name}'][value='{value}']")
    page.click(f"label[for='{option.get_attribute('id')}']")


def test_caller_claims_reveals_and_records_a_reached_call_with_the_questionnaire(
    session_for, shots, roles_groups, caller, neike
):
    stay = DischargeStayFactory(department=neike, patient_name="张秀英", phone="13812345678")
    task = make_task(stay=stay, assigned_to=caller)
    questionnaire = questionnaire_current(task.questionnaire_code)
    assert questionnaire is not None, "the seeded inpatient questionnaire is missing"

    page = session_for(caller)
    page.goto("/followups/")
    assert "张秀英" in page.inner_text(".fu-tasks")
    assert "13812345678" not in page.content()  # masked in the list
    shots(page, "call-list-today")

    with page.expect_navigation():
        page.click(f"a[href='/followups/tasks/{task.pk}/']")
    shots(page, "task-opened")
    with page.expect_navigation():
        page.click(f"form[action='/followups/tasks/{task.pk}/claim/'] button")
    shots(page, "task-claimed")

    with page.expect_response(f"**/followups/tasks/{task.pk}/reveal/"):
        page.click("#phone-slot button")
    page.wait_for_selector("#phone-slot >> text=13812345678")
    assert RevealLog.objects.filter(user=caller).exists()
    shots(page, "number-revealed")

    choose(page, "outcome", "reached")
    page.check("#survey_taken")
    answered = 0
    for question in questionnaire.questions.all():
        if question.kind in ANSWER:
            choose(page, f"q-{question.field_name}", ANSWER[question.kind])
            answered += 1
        else:
            assert not question.required, f"no answer rule for required {question.kind} question"
    assert answered
    page.fill("textarea[name=notes]", "恢复良好，已提醒复诊。")
    shots(page, "call-form-filled")
    with page.expect_navigation():
        page.click(".fu-call-form button.btn-primary")
    assert page.url.endswith("/followups/")
    shots(page, "call-saved-back-on-list")

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.contacted
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.outcome == "reached"
    response = SurveyResponse.objects.get()
    assert response.channel == Channel.PHONE and response.department == neike
    assert response.answers.count() == answered


def test_caller_records_no_answer_without_touching_the_questionnaire(
    session_for, shots, roles_groups, caller, neike
):
    # The questionnaire on the call screen is for a patient who answers: its required questions must
    # not stop the browser from saving "no answer" (they are checked on the server when it is ticked).
    stay = DischargeStayFactory(department=neike, patient_name="李建国", phone="13900001111")
    task = make_task(stay=stay, assigned_to=caller)
    assert questionnaire_current(task.questionnaire_code).questions.filter(required=True).exists()

    page = session_for(caller)
    page.goto(f"/followups/tasks/{task.pk}/")
    with page.expect_navigation():
        page.click(f"form[action='/followups/tasks/{task.pk}/claim/'] button")
    choose(page, "outcome", "no_answer")
    shots(page, "no-answer-chosen")
    with page.expect_navigation():
        page.click(".fu-call-form button.btn-primary")
    shots(page, "no-answer-saved")

    attempt = CallAttempt.objects.get(task=task)
    assert attempt.outcome == "no_answer"
    assert not SurveyResponse.objects.exists()


def test_caller_who_ticks_answered_gets_the_missing_questions_in_chinese_and_keeps_the_notes(
    session_for, shots, roles_groups, caller, neike
):
    stay = DischargeStayFactory(department=neike, patient_name="王淑芬", phone="13900002222")
    task = make_task(stay=stay, assigned_to=caller)

    page = session_for(caller)
    page.goto(f"/followups/tasks/{task.pk}/")
    with page.expect_navigation():
        page.click(f"form[action='/followups/tasks/{task.pk}/claim/'] button")
    choose(page, "outcome", "reached")
    page.check("#survey_taken")
    page.fill("textarea[name=notes]", "患者说稍后再答。")
    with page.expect_navigation():
        page.click(".fu-call-form button.btn-primary")
    shots(page, "answered-but-empty")

    assert "此题为必答题" in page.inner_text(".fu-call-form")
    assert page.input_value("textarea[name=notes]") == "患者说稍后再答。"
    assert not CallAttempt.objects.filter(task=task).exists()
