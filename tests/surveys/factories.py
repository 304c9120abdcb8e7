"""Helpers to build questionnaires and responses for the surveys tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from surveys import services
from surveys.models import Channel, Questionnaire


def make_questionnaire(actor, *, code: str, sections, publish: bool = True) -> Questionnaire:
    """sections: [(title, dimension, [(text, kind, required[, choices]), ...]), ...]."""
    questionnaire = services.questionnaire_create(code=code, title=f"问卷 {code}", actor=actor)
    for s_order, (title, dimension, questions) in enumerate(sections, 1):
        section = services.section_save(
            questionnaire=questionnaire, title=title, dimension=dimension, order=s_order
        )
        for order, item in enumerate(questions, 1):
            text, kind, required = item[:3]
            services.question_save(
                questionnaire=questionnaire,
                section=section,
                kind=kind,
                text=text,
                required=required,
                order=order,
                choices=item[3] if len(item) > 3 else (),
            )
    if publish:
        services.questionnaire_publish(questionnaire=questionnaire, actor=actor)
    questionnaire.refresh_from_db()
    return questionnaire


def submit(questionnaire, department, day: dt.date, *, channel=Channel.PAPER, campaign=None, **answers):
    """Submit answers given by question text: submit(q, dept, day, e1=5, a1=3)."""
    by_text = {q.text: q.field_name for q in questionnaire.questions.all()}
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return services.response_submit(
        questionnaire=questionnaire,
        channel=channel,
        department=department,
        answers={by_text[k]: v for k, v in answers.items()},
        campaign=campaign,
        submitted_at=moment,
        allow_incomplete=True,
    )
