"""Questionnaire versions: published is frozen, editing makes a new version, old answers keep meaning."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision.errors import ActionNotAllowed
from surveys import services
from surveys.models import Dimension, QuestionKind, Questionnaire, QuestionnaireStatus
from surveys.selectors import questionnaire_current

from .factories import submit


def test_seeded_inpatient_and_outpatient_questionnaires_are_published(db):
    for code in ("inpatient", "outpatient"):
        q = questionnaire_current(code)
        assert q is not None and q.status == QuestionnaireStatus.PUBLISHED
        dimensions = set(q.sections.values_list("dimension", flat=True))
        assert {
            Dimension.ENVIRONMENT,
            Dimension.SKILL,
            Dimension.ATTITUDE,
            Dimension.COST,
            Dimension.WAITING,
        } <= dimensions
        assert q.questions.filter(kind=QuestionKind.SCALE, required=True).exists()
        assert q.questions.filter(kind=QuestionKind.PRAISE).exists()
        assert q.questions.filter(kind=QuestionKind.TEXT).exists()


def test_published_questionnaire_refuses_edits(small_q):
    question = small_q.questions.first()
    with pytest.raises(ActionNotAllowed):
        services.question_save(
            questionnaire=small_q,
            question=question,
            section=question.section,
            kind=question.kind,
            text="改了",
        )
    with pytest.raises(ActionNotAllowed):
        services.question_delete(question=question)
    with pytest.raises(ActionNotAllowed):
        services.section_save(questionnaire=small_q, title="新", dimension=Dimension.COST, order=9)
    question.refresh_from_db()
    assert question.text != "改了"


def test_editing_makes_a_new_version_and_old_responses_keep_their_questions(small_q, neike, supervisor):
    old = submit(small_q, neike, dt.date(2026, 3, 1), e1=5, a1=4)
    draft = services.questionnaire_new_version(questionnaire=small_q, actor=supervisor)
    assert (draft.code, draft.version, draft.status) == ("small", 2, QuestionnaireStatus.DRAFT)
    assert draft.questions.count() == small_q.questions.count()
    copy = draft.questions.get(text="e1")
    services.question_save(
        questionnaire=draft,
        question=copy,
        section=copy.section,
        kind=QuestionKind.SCALE,
        text="环境整洁（新）",
        required=True,
    )
    services.questionnaire_publish(questionnaire=draft, actor=supervisor)

    assert questionnaire_current("small").pk == draft.pk
    small_q.refresh_from_db()
    assert small_q.status == QuestionnaireStatus.RETIRED
    # the old response still points at the old version's question text and value
    answer = old.answers.get(question__text="e1")
    assert (answer.question.questionnaire_id, answer.scale_value) == (small_q.pk, 5)
    assert old.questionnaire_id == small_q.pk
    assert set(small_q.questions.values_list("text", flat=True)) >= {"e1", "e2", "a1"}


def test_only_one_draft_per_code(small_q, supervisor):
    services.questionnaire_new_version(questionnaire=small_q, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.questionnaire_new_version(questionnaire=small_q, actor=supervisor)
    assert Questionnaire.objects.filter(code="small").count() == 2


def test_publish_needs_a_question_and_a_draft_cannot_be_answered(supervisor, neike):
    q = services.questionnaire_create(code="empty", title="空", actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.questionnaire_publish(questionnaire=q, actor=supervisor)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.response_submit(questionnaire=q, channel="paper", department=neike, answers={})


def test_choice_questions_need_two_choices(supervisor):
    from django.core.exceptions import ValidationError

    q = services.questionnaire_create(code="c", title="c", actor=supervisor)
    s = services.section_save(questionnaire=q, title="s", dimension=Dimension.OVERALL, order=1)
    with pytest.raises(ValidationError):
        services.question_save(
            questionnaire=q, section=s, kind=QuestionKind.SINGLE, text="x", choices=["只有一个"]
        )
