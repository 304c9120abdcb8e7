"""One single-use survey link sent twice at the same moment (a double tap on a slow phone, two tabs)
stores one questionnaire (issue 15 item 21), for real in two connections on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from surveys import services
from surveys.models import Channel, SurveyResponse, SurveyToken
from tests.races import run_at_once

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_one_link_sent_twice_at_once_stores_one_questionnaire(campaign, small_q, neike, supervisor, fname):
    token = services.tokens_issue(campaign=campaign, department=neike, count=1, actor=supervisor)[0]
    answers = {fname("e1"): 5, fname("a1"): 4}

    def send(key):
        return lambda: services.response_submit(
            questionnaire=small_q,
            channel=Channel.WEB,
            department=neike,
            campaign=campaign,
            answers=answers,
            token=token.token,
            idempotency_key=key,  # two taps of two pages: different keys, the same link
        )

    outcomes = run_at_once({"a": send("tap-a"), "b": send("tap-b")}, refusals=(ValidationError,))
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    assert SurveyResponse.objects.filter(token=token).count() == 1
    assert SurveyResponse.objects.count() == 1
    assert SurveyToken.objects.get(pk=token.pk).used_at is not None
