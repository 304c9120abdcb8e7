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
        ("en", "Across all channels 12,345 service problems of all kinds were found, of which 1,000"),
    ],
)
def test_a_stored_sentence_groups_its_counts_in_the_readers_language(language, expected):
    with translation.override(language):
        text = render(texts.WORK_FINDINGS.key, PARAMS)
    assert text.startswith(expected)
    assert "2,000" in text and "12345" not in text


def test_a_change_against_last_year_groups_its_count():
    with translation.override("zh-hans"):
        assert texts.word_change({"now": 12000, "last": 1000}) == "较去年同期增加 11,000"
    with translation.override("en"):
        assert (
            texts.word_change({"now": 1000, "last": 12000}) == "down 11,000 against the same period last year"
        )
        assert texts.word_figure(1234567) == "1,234,567"
