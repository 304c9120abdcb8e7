"""Hypothesis settings of the fuzz suite: no example database (runs are reproducible from the
seed Hypothesis prints on failure, and no .hypothesis/ directory is left in the checkout).

``make test`` on a developer's machine draws new random inputs on every run — that is how the suite
keeps finding bugs. The gate that decides whether main lands (.ci/run sets
HYPOTHESIS_DERANDOMIZE=1) draws the same inputs every time, as Hypothesis recommends for CI, so a
landing is not decided by which random inputs one run happened to draw."""

import datetime as dt
import os

import pytest
from hypothesis import settings

settings.register_profile(
    "ducha-fuzz",
    database=None,
    deadline=None,
    print_blob=True,
    derandomize=os.environ.get("HYPOTHESIS_DERANDOMIZE") == "1",
)
settings.load_profile("ducha-fuzz")


@pytest.fixture
def ctx(neike, waike, supervisor, head_neike):
    """What the forms' constructors need: departments, a user, a questionnaire, a campaign, criteria."""
    from inspections.models import ChartCriterion, CriterionLevel
    from supervision.models import Department
    from surveys import services
    from surveys.models import Channel, Dimension, QuestionKind
    from tests.surveys.factories import make_questionnaire

    questionnaire = make_questionnaire(
        supervisor,
        code="fuzzq",
        sections=[
            (
                "态度",
                Dimension.ATTITUDE,
                [
                    ("a1", QuestionKind.SCALE, True),
                    ("yn", QuestionKind.YES_NO, False),
                    ("one", QuestionKind.SINGLE, False, ["甲", "乙"]),
                    ("many", QuestionKind.MULTIPLE, False, ["红", "绿"]),
                    ("t", QuestionKind.TEXT, False),
                    ("p", QuestionKind.PRAISE, False),
                ],
            )
        ],
    )
    campaign = services.campaign_save(
        name="模糊测试",
        questionnaire=questionnaire,
        start=dt.date(2024, 1, 1),
        end=dt.date(2030, 12, 31),
        departments=[neike, waike],
        channels=Channel.values,
        actor=supervisor,
    )
    criterion = ChartCriterion.objects.create(
        section="s", text="c", points=1, max_points=5, level=CriterionLevel.NORMAL
    )
    return {
        "departments": Department.objects.filter(pk__in=[neike.pk, waike.pk]),
        "department": neike,
        "supervisor": supervisor,
        "head": head_neike,
        "questionnaire": questionnaire,
        "campaign": campaign,
        "criteria": [criterion],
    }
