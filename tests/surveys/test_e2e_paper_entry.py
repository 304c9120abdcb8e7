"""Real-browser journey (make test-e2e): type two paper forms with the keyboard only."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.models import Group

from supervision.models import Role
from surveys.models import SurveyResponse
from tests.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/system-deps --with-browser)"
)
def test_two_paper_forms_typed_with_the_keyboard_only(live_server):
    import datetime as dt

    from playwright.sync_api import sync_playwright

    from surveys import services
    from surveys.models import Channel

    from .factories import make_questionnaire

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    dept = DepartmentFactory(code="NK", name="内科")
    user = UserFactory(username="typist", roles=[Role.SUPERVISOR])
    user.set_password("pw-e2e-123")
    user.save()
    from surveys.models import Dimension, QuestionKind

    q = make_questionnaire(
        user,
        code="e2e",
        sections=[
            (
                "环境",
                Dimension.ENVIRONMENT,
                [("e1", QuestionKind.SCALE, True), ("e2", QuestionKind.SCALE, True)],
            )
        ],
    )
    campaign = services.campaign_save(
        name="e2e",
        questionnaire=q,
        start=dt.date(2020, 1, 1),
        end=dt.date(2099, 1, 1),
        channels=[Channel.PAPER],
        actor=user,
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "typist")
        page.fill("input[name=password]", "pw-e2e-123")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{live_server.url}/surveys/campaigns/{campaign.pk}/paper/")
        # department: the select has focus when nothing is carried over
        page.keyboard.press("ArrowDown")
        page.focus(".survey-question input")
        page.keyboard.press("1")  # e1 非常满意, moves to e2
        page.keyboard.press("4")  # e2 不满意
        page.keyboard.press("Enter")  # save, next form
        page.wait_for_url("**/paper/?department=*")
        # department and date carried over: focus is already on the first question
        page.keyboard.press("2")
        page.keyboard.press("2")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=第 2 份已保存")
        browser.close()
    values = list(
        SurveyResponse.objects.order_by("id")
        .values_list("answers__scale_value", flat=True)
        .order_by("id", "answers__question__order")
    )
    assert values == [5, 2, 4, 4]
    assert set(SurveyResponse.objects.values_list("department", flat=True)) == {dept.pk}
