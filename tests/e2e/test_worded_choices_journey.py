"""Journey (zh-CN Chromium, a tablet): what a hospital user reads around a recorded answer and in a
form's selects — the call screen's dissatisfied answer in full-width brackets and colons
(不满意（服务态度：态度生硬、推诿）, 建议…：…), the new-finding form's selects saying 请选择 and the
finding list's filter 全部, never Django's "---------" ({% brackets %}, {% labelsep %},
supervision.forms.WordedEmptyChoice)."""

from __future__ import annotations

from followups.models import DissatisfactionDomain, DissatisfactionTopic, FeedbackKind, Outcome, Satisfaction
from tests.followups.factories import add_attempt, make_task

from .conftest import journey_marks

pytestmark = journey_marks()

TABLET = {"width": 768, "height": 1024}


def test_the_call_screen_and_the_finding_form_read_in_chinese_punctuation_and_words(
    session_for, shots, roles_groups, supervisor, caller, neike
):
    domain, _ = DissatisfactionDomain.objects.get_or_create(code="attitude-j", defaults={"name": "服务态度J"})
    topics = [
        DissatisfactionTopic.objects.get_or_create(code=code, defaults={"name": name, "domain": domain})[0]
        for code, name in (("cold-j", "态度生硬"), ("push-j", "推诿"))
    ]
    task = make_task(stay_kw={"department": neike, "patient_name": "张满意"}, assigned_to=caller)
    attempt = add_attempt(
        task,
        outcome=Outcome.REACHED,
        caller=caller,
        satisfaction=Satisfaction.DISSATISFIED,
        dissatisfied_domain=domain,
        feedback_kind=FeedbackKind.SUGGESTION,
        feedback="希望增加夜间探视时间",
    )
    attempt.dissatisfied_topics.set(topics)
    page = session_for(supervisor, viewport=TABLET)
    page.goto(f"/followups/tasks/{task.pk}/")
    calls = page.inner_text("main")
    assert "（服务态度J：态度生硬、推诿）" in calls and "(" not in calls.split("服务态度J")[0][-3:]
    assert "：希望增加夜间探视时间" in calls and ": 希望" not in calls
    shots(page, "call-screen-dissatisfied-answer")
    page.goto("/findings/new/")
    department = page.locator("select[name=department]")
    assert department.locator("option").first.inner_text() == "请选择"
    assert "---------" not in page.content()
    shots(page, "finding-form-choose")
    page.goto("/findings/")
    page.click("details.card > summary")
    assert page.locator("select[name=category] option").first.inner_text() == "全部"
    shots(page, "finding-filter-all")
