"""The rows' filters ``day`` and ``truncate`` (supervision.templatetags.ducha) give exactly what
Django's ``date:"DATE_FORMAT"`` and ``truncatechars`` give, in templates, in both languages."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe

DJANGO = engines["django"]


def _render(source: str, **context) -> str:
    return DJANGO.from_string("{% load ducha %}" + source).render(context)


SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = [
    dt.date(2026, 1, 1),
    dt.date(2026, 12, 31),
    # A moment whose day in Shanghai is not its day in UTC (both filters show the local day).
    dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 4, 1, 0, 5, tzinfo=SHANGHAI),
    dt.datetime(2025, 2, 28, 23, 59),  # a naive moment, as a date column read without zone
    None,
    "",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", DAYS, ids=repr)
def test_day_is_the_date_filter_with_the_date_format(language, value):
    with translation.override(language):
        expected = _render('{{ v|date:"DATE_FORMAT" }}', v=value)
        assert _render("{{ v|day }}", v=value) == expected


def test_day_follows_the_active_language_in_one_process():
    day = dt.date(2026, 12, 7)
    with translation.override("en"):
        en = _render("{{ v|day }}", v=day)
    with translation.override("zh-hans"):
        zh = _render("{{ v|day }}", v=day)
    assert (en, zh) == ("7 Dec 2026", "2026年12月7日")


TEXTS = [
    "",
    "短",
    "病历 BZ00012345：87 分 · 乙级",
    "经核实，已对当事人进行批评教育" * 6,  # longer than every length below
    "x" * 80,
    "x" * 81,
    "x" * 79 + "\u0301" + "yz",  # a combining mark before the cut counts for nothing
    "e\u0301" * 50,  # not in normal form (NFC composes each pair)
    "\u0301" + "a" * 100,
    '<b>已整改</b> & "复查"' * 8,
    "行一\n行二\n" * 20,
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("length", [-1, 0, 1, 2, 20, 80, 100, "x"])
@pytest.mark.parametrize("text", TEXTS, ids=lambda t: f"{len(t)} chars")
def test_truncate_is_truncatechars(language, length, text):
    with translation.override(language):
        for value in (text, mark_safe(text)):  # noqa: S308 # the tests' own text
            expected = _render("{{ v|truncatechars:n }}", v=value, n=length)
            assert _render("{{ v|truncate:n }}", v=value, n=length) == expected


def test_truncate_takes_a_text_short_enough_as_it_is_and_cuts_a_long_one_with_the_ellipsis():
    from supervision.templatetags.ducha import truncate

    text = "经核实，已对当事人进行批评教育"
    assert truncate(text, 15) is text
    assert unicodedata.is_normalized("NFC", truncate(text * 9, 80))
    with translation.override("en"):
        assert truncate(text * 9, 10) == text[:9] + "…"
