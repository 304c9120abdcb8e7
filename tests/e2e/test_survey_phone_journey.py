"""Journey: the public survey on a phone (390 px): each 5-point scale is one row of five targets of at
least 44 × 44 px, and a screen reader meets every question as a named group of labelled radio buttons."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from surveys import services
from surveys.models import Channel, Scale
from surveys.selectors import questionnaire_current

from .conftest import journey_marks

pytestmark = journey_marks()

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
TARGET = 44  # px, WCAG 2.5.5 / Apple HIG minimum touch target


def test_a_scale_question_is_one_row_of_large_labelled_targets_on_a_phone(
    session_for, shots, roles_groups, supervisor, neike
):
    questionnaire = questionnaire_current("outpatient")
    campaign = services.campaign_save(
        name="门诊满意度扫码调查",
        questionnaire=questionnaire,
        start=dt.date(2020, 1, 1),
        end=dt.date(2099, 12, 31),
        departments=[neike],
        channels=[Channel.WEB],
        actor=supervisor,
    )
    page = session_for(None, **PHONE)
    page.goto(reverse("surveys:public_department", args=[campaign.public_key, neike.code]))
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\npublic survey page height at 390 px: {height} px")
    shots(page, "survey-on-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    scales = [q for q in questionnaire.questions.all() if q.kind == "scale"]
    assert len(scales) >= 5
    for question in scales:
        # What a screen reader announces: a group named by the question, five radio buttons named by their label.
        group = page.get_by_role("group", name=question.text)  # "<question> 必填" when required
        assert group.count() == 1, question.text
        radios = group.get_by_role("radio")
        assert radios.count() == 5
        for choice in Scale:
            assert group.get_by_role("radio", name=_zh(choice), exact=True).count() == 1
        boxes = [
            page.locator(f"label[for='{radios.nth(i).get_attribute('id')}']").bounding_box() for i in range(5)
        ]
        assert len({round(b["y"]) for b in boxes}) == 1, f"{question.text}: the scale is not one row"
        assert all(b["width"] >= TARGET and b["height"] >= TARGET for b in boxes), boxes
        assert boxes[-1]["x"] + boxes[-1]["width"] <= 390

    # A tap on a label answers (the radio is checked), and the choice is visible.
    first = page.get_by_role("group", name=scales[0].text)
    page.tap(f"label[for='{first.get_by_role('radio').nth(1).get_attribute('id')}']")
    assert first.get_by_role("radio", name=_zh(Scale.SATISFIED), exact=True).is_checked()
    shots(page, "survey-one-answer")


def _zh(choice) -> str:
    return {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}[int(choice)]
