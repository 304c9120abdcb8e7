"""The report's paragraphs agree with their leading count in English — 1 complaint was received,
2 complaints were received — and say the other counts as "label: n", right for 1 as for many;
Chinese has one form (msgstr[0])."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from reports.builders import build_content
from reports.sections.followups import calls_sentence
from reports.sections.surveys import SurveyFigures, survey_sentence
from tests.complaints.factories import make_complaint
from tests.factories import make_finding

from .conftest import at

MARCH = {
    "kind": "monthly",
    "start": dt.date(2026, 3, 1),
    "end": dt.date(2026, 3, 31),
    "today": dt.date(2026, 4, 2),
}


def _surveys(distributed: int, valid: int, *, incomplete: bool = False) -> SurveyFigures:
    return SurveyFigures(
        distributed=distributed,
        distributed_recorded=distributed,
        valid_returned=valid,
        satisfaction=90.0,
        distribution_incomplete=incomplete,
        change_pp=None,
        attitude_change_pp=None,
        staff_praises=0,
    )


@pytest.mark.parametrize(
    ("n", "english"),
    [
        (
            1,
            "1 questionnaire was distributed; valid questionnaires returned: 1; overall patient satisfaction",
        ),
        (
            2,
            "2 questionnaires were distributed; valid questionnaires returned: 2; overall patient satisfaction",
        ),
    ],
)
def test_the_survey_sentence_agrees_with_the_questionnaires_distributed(n, english):
    with translation.override("en"):
        assert survey_sentence(_surveys(n, n)).startswith(english)
        assert survey_sentence(_surveys(n, n, incomplete=True)).startswith(
            f"{n} valid questionnaire{'s were' if n > 1 else ' was'} returned; overall patient satisfaction"
        )
    with translation.override("zh-hans"):
        assert survey_sentence(_surveys(n, n)).startswith(f"共发放调查问卷 {n} 份，回收有效问卷 {n} 份")


@pytest.mark.parametrize(
    ("attempts", "english"),
    [
        (1, "1 call or letter attempt was made; reached the patient or family: 1"),
        (2, "2 call and letter attempts were made; reached the patient or family: 1"),
    ],
)
def test_the_calls_sentence_agrees_with_the_attempts(attempts, english):
    success = {"attempts": attempts, "contacted": 1, "rate": 100.0 / attempts}
    with translation.override("en"):
        assert calls_sentence(success, []).startswith(english)
    with translation.override("zh-hans"):
        assert calls_sentence(success, []).startswith(f"共回访 {attempts} 人次，成功回访 1 人次")


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 2])
def test_the_findings_and_complaints_paragraphs_agree_with_their_count(n, neike, supervisor):
    for day in range(n):
        make_finding(department=neike, found_by=supervisor, found_at=at(dt.date(2026, 3, 4 + day)))
        make_complaint(received_by=supervisor, received_at=at(dt.date(2026, 3, 4 + day)), department=neike)
    with translation.override("en"):
        content = build_content(**MARCH)
        findings = content.section("findings").paragraphs
        complaints = content.section("complaints").paragraphs
    if n == 1:
        assert "In this period 1 service problem was found (service attitude: " in " ".join(findings)
        assert complaints[0].startswith("1 complaint was received. Accepted: 0, not accepted: 0;")
    else:
        assert "In this period 2 service problems of all kinds were found (service attitude: " in " ".join(
            findings
        )
        assert complaints[0].startswith("2 complaints were received. Accepted: 0, not accepted: 0;")
    with translation.override("zh-hans"):
        content = build_content(**MARCH)
    assert content.section("complaints").paragraphs[0].startswith(f"本期共收到投诉 {n} 件")
