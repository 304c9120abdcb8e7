"""Journey: the call screen of a reached call fits in about two screens of a 1280 × 800 display and
stays usable on a tablet; with "no answer" chosen only what applies to it is shown (issue 19 item 2).
The heights measured are printed (pytest -s) and the screenshots kept under var/e2e/."""

from __future__ import annotations

from followups.models import CallAttempt, Satisfaction
from surveys.selectors import questionnaire_current
from tests.factories import DischargeStayFactory
from tests.followups.factories import make_task

from .conftest import journey_marks

pytestmark = journey_marks()

SCREEN = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}  # a 10.9-inch tablet held upright


def choose(page, name: str, value: str) -> None:
    option = page.locator(f"input[name='{name}'][value='{value}']")
    page.click(f"label[for='{option.get_attribute('id')}']")


def height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def visible(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def _claimed(session_for, caller, task, viewport):
    page = session_for(caller, viewport=viewport)
    page.goto(f"/followups/tasks/{task.pk}/")
    if page.locator(f"form[action='/followups/tasks/{task.pk}/claim/'] button").count():
        with page.expect_navigation():
            page.click(f"form[action='/followups/tasks/{task.pk}/claim/'] button")
    return page


def test_reached_call_fits_two_screens_and_no_answer_shows_only_what_applies(
    session_for, shots, roles_groups, caller, neike
):
    stay = DischargeStayFactory(department=neike, patient_name="赵桂兰", phone="13812340000")
    task = make_task(stay=stay, assigned_to=caller)
    questionnaire = questionnaire_current(task.questionnaire_code)
    overall = questionnaire.questions.get(section__dimension="overall", kind="scale")

    page = _claimed(session_for, caller, task, SCREEN)
    choose(page, "outcome", "reached")
    page.check("#survey_taken")
    reached = height(page)
    shots(page, "reached-1280x800")
    choose(page, "outcome", "no_answer")
    no_answer = height(page)
    shots(page, "no-answer-1280x800")
    print(f"\ncall screen at 1280x800: reached {reached}px, no answer {no_answer}px")
    assert reached <= 2 * SCREEN["height"] + 200, reached
    # "No answer": no questionnaire, no satisfaction, praise, complaint or opt-out; notes and call-back stay.
    assert not visible(page, ".fu-reached")
    assert not visible(page, "[name=feedback_kind]")
    assert not visible(page, "[name=opted_out]")
    assert (
        visible(page, "[name=notes]")
        and visible(page, "[name=callback_at_0]")
        and visible(page, "[name=callback_at_1]")
    )

    # Reached again: a "not satisfied" answer in the questionnaire asks what about, and it is recorded.
    choose(page, "outcome", "reached")
    for question in questionnaire.questions.filter(required=True):
        choose(page, f"q-{question.field_name}", "4" if question.kind == "scale" else "yes")
    assert not visible(page, ".fu-unhappy")
    choose(page, f"q-{overall.field_name}", "2")
    assert visible(page, ".fu-unhappy")
    page.select_option("select[name=dissatisfied_domain]", label="护理")
    page.check("text=静脉穿刺")
    shots(page, "not-satisfied-coded")
    with page.expect_navigation():
        page.click(".fu-call-form button.btn-primary")
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.satisfaction == Satisfaction.DISSATISFIED
    assert attempt.dissatisfied_domain.name == "护理"
    assert [t.name for t in attempt.dissatisfied_topics.all()] == ["静脉穿刺"]


def test_call_screen_on_a_tablet_has_one_column_and_large_targets(
    session_for, shots, roles_groups, caller, neike
):
    task = make_task(stay=DischargeStayFactory(department=neike, phone="13812341111"), assigned_to=caller)
    page = _claimed(session_for, caller, task, TABLET)
    choose(page, "outcome", "reached")
    page.check("#survey_taken")
    tablet = height(page)
    shots(page, "reached-tablet")
    print(f"\ncall screen on a tablet (820x1180): reached {tablet}px")
    box = page.locator("label[for^='id_outcome_']").first.bounding_box()
    assert box["height"] >= 24  # a finger's target
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]  # no sideways scrolling
