"""Fixtures of the surveys tests: a small questionnaire whose figures are easy to count by hand."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache

from supervision.infra.public import SALT
from surveys import services
from surveys.models import Channel, Dimension, QuestionKind

from .factories import make_questionnaire


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_q(supervisor):
    """environment: 2 scale (e1 required, e2 optional); attitude: 1 scale (a1 required);
    general: yes/no, single, multiple, free text, praise."""
    return make_questionnaire(
        supervisor,
        code="small",
        sections=[
            (
                "环境",
                Dimension.ENVIRONMENT,
                [("e1", QuestionKind.SCALE, True), ("e2", QuestionKind.SCALE, False)],
            ),
            ("态度", Dimension.ATTITUDE, [("a1", QuestionKind.SCALE, True)]),
            (
                "其他",
                Dimension.OVERALL,
                [
                    ("yn", QuestionKind.YES_NO, False),
                    ("one", QuestionKind.SINGLE, False, ["甲", "乙"]),
                    ("many", QuestionKind.MULTIPLE, False, ["红", "绿", "蓝"]),
                    ("text", QuestionKind.TEXT, False),
                    ("praise", QuestionKind.PRAISE, False),
                ],
            ),
        ],
    )


@pytest.fixture
def campaign(small_q, supervisor, neike, waike):
    return services.campaign_save(
        name="2026 测试批次",
        questionnaire=small_q,
        start=dt.date(2024, 1, 1),
        end=dt.date(2030, 12, 31),
        departments=[neike, waike],
        target_count=10,
        channels=Channel.values,
        actor=supervisor,
    )


def q(questionnaire, key: str) -> str:
    """Field name of the question whose text is ``key``."""
    return questionnaire.questions.get(text=key).field_name


@pytest.fixture
def fname(small_q):
    return lambda key: q(small_q, key)


@pytest.fixture
def aged_form_token():
    """A honeypot timestamp token signed 10 s ago (a person had time to read the form)."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 10):
        return signing.TimestampSigner(salt=SALT).sign("1")
