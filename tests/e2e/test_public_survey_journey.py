"""Journey: a patient scans the department's QR code and fills the public survey on a phone."""

from __future__ import annotations

import datetime as dt
import time

from django.urls import reverse

from supervision.infra import public
from surveys import services
from surveys.models import Channel, SurveyResponse
from surveys.selectors import questionnaire_current

from .conftest import journey_marks

pytestmark = journey_marks()

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
ANSWER = {"scale": "5", "yes_no": "yes"}


def test_patient_fills_the_public_survey_on_a_phone_and_sees_the_thanks_page(
    session_for, shots, roles_groups, supervisor, neike
):
    questionnaire = questionnaire_current("outpatient")
    assert questionnaire is not None, "the seeded outpatient questionnaire is missing"
    campaign = services.campaign_save(
        name="门诊满意度扫码调查",
        questionnaire=questionnaire,
        start=dt.date(2020, 1, 1),
        end=dt.date(2099, 12, 31),
        departments=[neike],
        channels=[Channel.WEB],
        actor=supervisor,
    )
    # The URL printed as the QR code on the department's poster.
    link = reverse("surveys:public_department", args=[campaign.public_key, neike.code])

    page = session_for(None, **PHONE)
    page.goto(link)
    opened = time.monotonic()
    assert page.viewport_size == {"width": 390, "height": 844}
    assert "内科" in page.content()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "survey-opened-on-phone")

    # Sent with every answer but the last required one (far down the phone's page): the page comes
    # back with that question in view, not at the top.
    required = [q for q in questionnaire.questions.all() if q.kind in ANSWER and q.required]
    assert len(required) > 3, "the journey needs a questionnaire longer than one screen"
    for question in required[:-1]:
        option = page.locator(f"input[name='{question.field_name}'][value='{ANSWER[question.kind]}']")
        page.tap(f"label[for='{option.get_attribute('id')}']")
    time.sleep(max(0.0, public.MIN_SECONDS + 0.5 - (time.monotonic() - opened)))
    with page.expect_navigation():
        page.tap("button.survey-submit")
    assert "还有题目未作答，已在下方标红。" in page.content()
    first_error = page.locator(".survey-question.has-error").first
    assert first_error.get_attribute("data-field") == required[-1].field_name
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('.survey-question.has-error')"
    )
    box = first_error.bounding_box()
    assert box is not None and 0 <= box["y"] < 844, "the unanswered question is not on the screen"
    assert page.evaluate("window.scrollY") > 0
    shots(page, "survey-refused-first-question-in-view")
    opened = time.monotonic()

    answered = 0
    text_question = None
    for question in questionnaire.questions.all():
        if question.kind in ANSWER:
            option = page.locator(f"input[name='{question.field_name}'][value='{ANSWER[question.kind]}']")
            page.tap(f"label[for='{option.get_attribute('id')}']")
            answered += 1
        elif question.kind == "text" and text_question is None:
            text_question = question
        else:
            assert not question.required, f"no answer rule for required {question.kind} question"
    if text_question is not None:
        page.fill(f"[name='{text_question.field_name}']", "挂号窗口的护士很耐心，谢谢！")
    shots(page, "survey-answered")

    # A person takes more than public.MIN_SECONDS to read a form; the server refuses faster posts.
    time.sleep(max(0.0, public.MIN_SECONDS + 0.5 - (time.monotonic() - opened)))
    with page.expect_navigation():
        page.tap("button.survey-submit")
    assert page.url.endswith(reverse("surveys:public_thanks"))
    assert "感谢您的参与" in page.content()
    shots(page, "thanks-page")

    response = SurveyResponse.objects.get()
    assert (response.channel, response.department, response.campaign) == (Channel.WEB, neike, campaign)
    assert response.answers.count() == answered + (1 if text_question is not None else 0)
