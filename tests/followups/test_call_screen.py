"""The call screen asks each question in one place (issue 19 item 2): what the questionnaire asks
(overall satisfaction, praise, comments) the call form does not, and the call's fields are filled
from the answers; a not-satisfied call is coded (domain, topics) and guidance is recorded by kind."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.utils.html import strip_tags

from followups.models import (
    CallAttempt,
    DissatisfactionDomain,
    DissatisfactionTopic,
    GuidanceKind,
    Satisfaction,
)
from supervision.models import Staff
from surveys.models import SurveyResponse
from surveys.selectors import questionnaire_current
from tests.factories import DischargeStayFactory

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(client_for, caller, neike):
    task = make_task(stay=DischargeStayFactory(department=neike, phone="13812345678"), assigned_to=caller)
    client = client_for(caller)
    assert client.post(f"/followups/tasks/{task.pk}/claim/").status_code == 302
    return client, task


def questions_asked(html: str) -> list[str]:
    """Every question the call form and the questionnaire ask: the text of each label and legend of
    the call form (the option labels of a choice excluded, they are answers, not questions)."""
    form = html[html.index('class="card mb-3 fu-call-form"') :]
    form = form[: form.index("</form>")]
    form = re.sub(r'<label class="btn[^"]*survey-option".*?</label>', "", form, flags=re.S)
    form = re.sub(r'<div class="form-check[^"]*">.*?</div>', "", form, flags=re.S)
    form = re.sub(r'<span class="(?:text-danger|visually-hidden)"[^>]*>.*?</span>', "", form, flags=re.S)
    texts = re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", form, flags=re.S)
    return [re.sub(r"\s+|\*", "", strip_tags(t)) for t in texts if strip_tags(t).strip()]


def _required(questionnaire, value="4") -> dict:
    data = {}
    for q in questionnaire.questions.filter(required=True):
        data[f"q-{q.field_name}"] = value if q.kind == "scale" else "yes"
    return data


def test_the_call_screen_never_renders_the_same_question_twice(claimed):
    client, task = claimed
    html = client.get(f"/followups/tasks/{task.pk}/").content.decode()
    asked = questions_asked(html)
    assert asked, "no questions found on the call screen"
    assert [q for q, n in Counter(asked).items() if n > 1] == []
    # The questionnaire asks satisfaction, praise and comments: the call form's own fields are gone.
    for name in ("satisfaction", "praise", "praised_staff", "feedback"):
        assert f'name="{name}"' not in html, name
    assert "您对本次住院的总体满意度" in asked and "您的意见和建议" in asked
    assert "总体满意度" not in asked and "表扬" not in asked and "患者反映的内容" not in asked


def test_without_a_questionnaire_the_call_form_asks_satisfaction_praise_and_comments(
    client_for, caller, neike
):
    task = make_task(
        stay=DischargeStayFactory(department=neike, phone="13812345678"),
        assigned_to=caller,
        questionnaire_code="",
    )
    client = client_for(caller)
    client.post(f"/followups/tasks/{task.pk}/claim/")
    html = client.get(f"/followups/tasks/{task.pk}/").content.decode()
    for name in ("satisfaction", "praise", "praised_staff", "feedback"):
        assert f'name="{name}"' in html, name
    assert [q for q, n in Counter(questions_asked(html)).items() if n > 1] == []


def test_the_calls_satisfaction_praise_and_comments_come_from_the_answers(claimed, neike):
    client, task = claimed
    questionnaire = questionnaire_current("inpatient")
    common = {q.kind: q for q in questionnaire.questions.filter(section__dimension="overall")}
    nurse = Staff.objects.create(name="周护士", department=neike, employee_no="N-77")
    nursing = DissatisfactionDomain.objects.get(name="护理")
    puncture = DissatisfactionTopic.objects.get(name="静脉穿刺")
    data = {
        "outcome": "reached",
        "survey_taken": "1",
        **_required(questionnaire),
        f"q-{common['scale'].field_name}": "2",
        f"q-{common['praise'].field_name}_staff": [nurse.pk],
        f"q-{common['praise'].field_name}": "王医生",
        f"q-{common['text'].field_name}": "扎针扎了三次。",
        "feedback_kind": "suggestion",
        "dissatisfied_domain": nursing.pk,
        "dissatisfied_topics": [puncture.pk],
        "guidance_kinds": [GuidanceKind.objects.get(code="return-visit").pk],
    }
    response = client.post(f"/followups/tasks/{task.pk}/call/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.satisfaction == Satisfaction.DISSATISFIED
    assert attempt.dissatisfied_domain == nursing
    assert list(attempt.dissatisfied_topics.all()) == [puncture]
    assert list(attempt.praised_staff.all()) == [nurse] and attempt.praise == "王医生"
    assert attempt.feedback == "扎针扎了三次。" and attempt.feedback_kind == "suggestion"
    assert [k.name for k in attempt.guidance_kinds.all()] == ["指导复查"] and attempt.guidance_given
    assert SurveyResponse.objects.get().source_id == attempt.pk


def test_satisfaction_answered_without_the_rest_of_the_questionnaire_is_the_calls(claimed):
    client, task = claimed
    overall = questionnaire_current("inpatient").questions.get(section__dimension="overall", kind="scale")
    response = client.post(
        f"/followups/tasks/{task.pk}/call/", {"outcome": "reached", f"q-{overall.field_name}": "5"}
    )
    assert response.status_code == 302
    assert CallAttempt.objects.get(task=task).satisfaction == Satisfaction.SATISFIED
    assert not SurveyResponse.objects.exists()  # the patient did not answer the questionnaire


def test_not_satisfied_without_saying_with_what_is_refused_and_keeps_the_notes(claimed):
    client, task = claimed
    overall = questionnaire_current("inpatient").questions.get(section__dimension="overall", kind="scale")
    response = client.post(
        f"/followups/tasks/{task.pk}/call/",
        {"outcome": "reached", f"q-{overall.field_name}": "1", "notes": "情绪激动"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择患者不满意的方面" in body and "情绪激动" in body
    assert not CallAttempt.objects.exists()


def test_a_complaint_needs_the_comments_written_in_the_questionnaire(claimed):
    client, task = claimed
    response = client.post(
        f"/followups/tasks/{task.pk}/call/", {"outcome": "reached", "feedback_kind": "suggestion"}
    )
    assert response.status_code == 400
    assert "请在问卷的意见和建议中写下患者所说的话" in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_no_answer_records_nothing_of_the_reached_questions(claimed):
    client, task = claimed
    overall = questionnaire_current("inpatient").questions.get(section__dimension="overall", kind="scale")
    response = client.post(
        f"/followups/tasks/{task.pk}/call/",
        {
            "outcome": "no_answer",
            f"q-{overall.field_name}": "1",
            "guidance_kinds": [GuidanceKind.objects.get(code="health").pk],
        },
    )
    assert response.status_code == 302
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.satisfaction == "" and not attempt.guidance_kinds.exists() and not attempt.guidance_given
