"""The phone channel as the follow-up app will use it (contract in docs/surveys.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from supervision.errors import ActionNotAllowed
from surveys import selectors, services
from surveys.forms import QuestionnaireForm
from surveys.models import Channel, SurveyResponse
from surveys.selectors import questionnaire_current
from tests.factories import DischargeStayFactory


@pytest.fixture
def call(neike):
    # Any model instance stands in for the follow-up call attempt (generic link).
    return DischargeStayFactory(department=neike)


def _post_data(form_q, values: dict, prefix="phone") -> dict:
    return {f"{prefix}-{k}": v for k, v in values.items()}


def test_call_screen_renders_the_current_questionnaire_with_a_prefix(db):
    q = questionnaire_current("inpatient")
    form = QuestionnaireForm(questionnaire=q, prefix="phone")
    html = render_to_string("surveys/_questionnaire_fields.html", {"form": form})
    first = q.questions.first()
    assert f'name="phone-q{first.pk}"' in html
    assert "非常满意" in html and first.text in html


def test_phone_answers_are_stored_as_a_phone_response_linked_to_the_call(neike, call, caller):
    q = questionnaire_current("inpatient")
    values = {f.field_name: "5" for f in q.questions.filter(kind="scale")}
    yes_no = q.questions.filter(kind="yes_no").first()
    values[yes_no.field_name] = "yes"
    form = QuestionnaireForm(_post_data(q, values), questionnaire=q, prefix="phone")
    assert form.is_valid(), form.errors
    response = services.response_submit(
        questionnaire=q,
        channel=Channel.PHONE,
        department=neike,
        answers=form.answers(),
        submitted_by=caller,
        source_object=call,
    )
    assert response.channel == "phone" and response.source_object == call and response.is_valid
    assert response.answers.get(question=yes_no).bool_value is True
    today = timezone.localdate()
    assert selectors.survey_summary(start=today, end=today)["satisfaction"] == 100.0


def test_missing_required_answers_are_reported_per_question_and_nothing_is_written(neike, call):
    q = questionnaire_current("inpatient")
    required = q.questions.filter(required=True).first()
    with pytest.raises(ValidationError) as exc:
        services.response_submit(
            questionnaire=q, channel=Channel.PHONE, department=neike, answers={}, source_object=call
        )
    assert required.field_name in exc.value.message_dict
    assert exc.value.message_dict[required.field_name] == ["此题为必答题。"]
    assert not SurveyResponse.objects.exists()


def test_wrong_choice_and_too_long_text_are_refused(neike):
    q = questionnaire_current("inpatient")
    scale = q.questions.filter(kind="scale").first()
    text = q.questions.filter(kind="text").first()
    answers = {f.field_name: 4 for f in q.questions.filter(kind="scale", required=True)}
    answers[scale.field_name] = 9
    answers[text.field_name] = "长" * (text.max_length + 1)
    with pytest.raises(ValidationError) as exc:
        services.response_submit(questionnaire=q, channel=Channel.PHONE, department=neike, answers=answers)
    assert set(exc.value.message_dict) == {scale.field_name, text.field_name}


def test_one_questionnaire_per_call(neike, call):
    q = questionnaire_current("inpatient")
    answers = {f.field_name: 4 for f in q.questions.filter(kind="scale", required=True)}
    services.response_submit(
        questionnaire=q, channel=Channel.PHONE, department=neike, answers=answers, source_object=call
    )
    with pytest.raises(ActionNotAllowed):
        services.response_submit(
            questionnaire=q, channel=Channel.PHONE, department=neike, answers=answers, source_object=call
        )
    assert SurveyResponse.objects.count() == 1
