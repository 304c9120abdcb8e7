"""Dates read the same way on every page: 2026年12月6日 15:01 in Chinese, 6 Dec 2026, 15:01 in English."""

import datetime as dt

from django.utils import translation
from django.utils.formats import date_format

MOMENT = dt.datetime(2026, 12, 6, 15, 1)


def test_english_uses_one_date_style_and_a_24_hour_clock():
    with translation.override("en"):
        assert date_format(MOMENT, "DATETIME_FORMAT") == "6 Dec 2026, 15:01"
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "6 Dec 2026, 15:01"
        assert date_format(MOMENT.date(), "DATE_FORMAT") == date_format(MOMENT.date(), "SHORT_DATE_FORMAT")


def test_chinese_keeps_djangos_chinese_dates():
    with translation.override("zh-hans"):
        assert date_format(MOMENT.date(), "DATE_FORMAT") == "2026年12月6日"
        assert date_format(MOMENT, "DATETIME_FORMAT") == "2026年12月6日 15:01"
