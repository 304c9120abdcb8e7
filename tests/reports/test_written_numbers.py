"""The written summary's generated sentences group the counts as the reader's language writes
them (12,345 in Chinese and English alike, supervision/formats), never 12345."""

from __future__ import annotations

import pytest
from django.utils import translation

from reports import texts
from supervision.infra.wording import render

PARAMS = {"total": 12345, "attitude": 1000, "process": 3, "discipline": 0, "orders": 2000}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "各渠道共发现各类服务问题 12,345 起，其中服务态度问题 1,000 起"),
        ("en", "Service problems of all kinds found across all channels: 12,345 (service attitude 1,000"),
    ],
)
def test_a_stored_sentence_groups_its_counts_in_the_readers_language(language, expected):
    with translation.override(language):
        text = render(texts.WORK_FINDINGS.key, PARAMS)
    assert text.startswith(expected)
    assert "2,000" in text and "12345" not in text


@pytest.mark.parametrize(
    ("orders", "english", "chinese"),
    [
        (1, "; 1 rectification order was issued.", "；共下发整改通知单 1 份。"),
        (2000, "; 2,000 rectification orders were issued.", "；共下发整改通知单 2,000 份。"),
    ],
)
def test_a_stored_sentence_agrees_with_its_count_in_english(orders, english, chinese):
    params = {**PARAMS, "orders": orders}
    with translation.override("en"):
        assert render(texts.WORK_FINDINGS.key, params).endswith(english)
        assert render(texts.PROBLEM_OVERDUE.key, {"n": 1}) == "1 rectification order is overdue."
        assert render(texts.PROBLEM_OVERDUE.key, {"n": 3}) == "3 rectification orders are overdue."
        assert render(texts.MEASURE_OVERDUE.key, {"n": 1}) == (
            "Escalate the overdue order along the escalation ladder until it is rectified."
        )
        assert render(texts.WORK_COMPLAINTS.key, {"total": 1, "valid": 1}) == (
            "Complaints: 1 complaint was received; found valid: 1."
        )
    with translation.override("zh-hans"):  # one form in Chinese
        assert render(texts.WORK_FINDINGS.key, params).endswith(chinese)
        assert (
            render(texts.MEASURE_OVERDUE.key, {"n": 1})
            == "对 1 份逾期整改通知单按督办程序逐级督办，直至整改到位。"
        )


def test_a_change_against_last_year_groups_its_count():
    with translation.override("zh-hans"):
        assert texts.word_change({"now": 12000, "last": 1000}) == "较去年同期增加 11,000"
    with translation.override("en"):
        assert (
            texts.word_change({"now": 1000, "last": 12000}) == "down 11,000 against the same period last year"
        )
        assert texts.word_figure(1234567) == "1,234,567"


@pytest.mark.django_db
def test_the_reports_rectification_sentence_agrees_with_one_order(neike, supervisor):
    import datetime as dt

    from reports.builders import build_content
    from tests.factories import make_finding

    from .conftest import at

    make_finding(
        department=neike, found_by=supervisor, found_at=at(dt.date(2026, 3, 4)), deadline=dt.date(2026, 3, 20)
    )
    with translation.override("en"):
        content = build_content(
            kind="monthly", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), today=dt.date(2026, 4, 2)
        )
        first = content.section("rectification").paragraphs[0]
    assert first.startswith(
        "1 rectification order was issued for the findings of this period. Verified and closed: 0"
    )
    with translation.override("zh-hans"):
        content = build_content(
            kind="monthly", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), today=dt.date(2026, 4, 2)
        )
    assert content.section("rectification").paragraphs[0].startswith("本期发现问题共下发整改单 1 份")
