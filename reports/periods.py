"""Report periods: a month, a year or any inclusive date range."""

from __future__ import annotations

import calendar
import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ReportKind


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(kind: str, period: str | None, start=None, end=None) -> tuple[dt.date, dt.date]:
    """'2026-10' for a month, '2026' for a year, or explicit dates for a range. ValueError when bad."""
    if kind == ReportKind.MONTHLY:
        try:
            year, month = (int(p) for p in (period or "").split("-"))
            return month_bounds(year, month)
        except (ValueError, TypeError) as exc:
            raise ValueError(_("A monthly period is written like 2026-10.")) from exc
    if kind == ReportKind.ANNUAL:
        try:
            year = int(period or "")
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        except ValueError as exc:
            raise ValueError(_("An annual period is written like 2026.")) from exc
    if kind == ReportKind.WEEKLY_MEETING:
        if isinstance(start, str):
            try:
                start = dt.date.fromisoformat(start)
            except ValueError:
                start = None
        if not start:
            raise ValueError(_("A weekly meeting list needs a day of its week."))
        return week_bounds(start)
    if kind == ReportKind.RANGE:
        if isinstance(start, str):
            start = dt.date.fromisoformat(start)
        if isinstance(end, str):
            end = dt.date.fromisoformat(end)
        if not start or not end:
            raise ValueError(_("A date range needs a start and an end date."))
        if end < start:
            raise ValueError(_("The end date is before the start date."))
        if (end - start).days > 366 * 3:
            raise ValueError(_("A date range may cover at most three years."))
        return start, end
    raise ValueError(_("Unknown report kind."))


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return month_bounds(first.year, first.month)


def shift_year(day: dt.date, years: int) -> dt.date:
    return day + relativedelta(years=years)  # 29 February → 28 February


def same_period_last_year(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same period a year earlier: the same month (February whole, 28 or 29 days), the same year,
    or the range one year back."""
    if kind == ReportKind.MONTHLY:
        return month_bounds(start.year - 1, start.month)
    return shift_year(start, -1), shift_year(end, -1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month from start's month to end's month."""
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month += relativedelta(months=1)
    return out


def trend_window(start: dt.date, end: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The window of a trend or run chart: at least ``months`` months ending with the period."""
    first = end.replace(day=1) - relativedelta(months=months - 1)
    return min(first, start.replace(day=1)), month_bounds(end.year, end.month)[1]


def month_label(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_label(kind: str, start: dt.date, end: dt.date) -> str:
    """2026年10月 / 2026年 / 2026-07-01 ~ 2026-09-30 (through the catalogue)."""
    if kind == ReportKind.MONTHLY:
        return _("%(month)s/%(year)s") % {"year": start.year, "month": start.month}
    if kind == ReportKind.ANNUAL:
        return _("year %(year)s") % {"year": start.year}
    if kind == ReportKind.WEEKLY_MEETING:
        return _("week of %(monday)s") % {"monday": f"{start:%Y-%m-%d}"}
    return f"{start:%Y-%m-%d} ~ {end:%Y-%m-%d}"


# --- the written summary's periods: a year, a half-year or a quarter --------------------------------

WRITTEN_PERIODS = ("year", "h1", "h2", "q1", "q2", "q3", "q4")


def annual_year(today: dt.date) -> int:
    """The year whose annual report or summary the office is writing on ``today``.

    A hospital writes its annual summary in December (this year's, handed in before the year ends)
    and in January (the year just ended); from February on, the last whole year is still the one
    to reopen. So December is this year, every other month the year before.
    """
    return today.year if today.month == 12 else today.year - 1


def written_bounds(year: int, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``period`` (one of ``WRITTEN_PERIODS``) of ``year``."""
    if period == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_month, months = (
        (1 + 6 * (int(period[1]) - 1), 6) if period[0] == "h" else (1 + 3 * (int(period[1]) - 1), 3)
    )
    start = dt.date(year, first_month, 1)
    return start, start + relativedelta(months=months) - dt.timedelta(days=1)


def written_period(start: dt.date, end: dt.date) -> str | None:
    """ "year", "h1" … "q4" when ``start`` – ``end`` is exactly a calendar year, half-year or quarter
    (the periods a written summary covers); None otherwise (a month, a week, any other range)."""
    for period in WRITTEN_PERIODS:
        if written_bounds(start.year, period) == (start, end):
            return period
    return None


def written_kind(start: dt.date, end: dt.date) -> str:
    """The report kind of a written summary's period: annual for a year, a range otherwise."""
    return ReportKind.ANNUAL if written_period(start, end) == "year" else ReportKind.RANGE


def written_period_label(start: dt.date, end: dt.date) -> str:
    """2026年 / 2026年上半年 / 2026年第三季度 (through the catalogue)."""
    period = written_period(start, end)
    if period is None:
        return f"{start:%Y-%m-%d} ~ {end:%Y-%m-%d}"
    # Only the period's own label is translated (a summary's page words its title three times).
    return str(_WRITTEN_PERIOD_LABELS[period]) % {"year": start.year}


_WRITTEN_PERIOD_LABELS = {
    "year": gettext_lazy("year %(year)s"),
    "h1": gettext_lazy("first half of %(year)s"),
    "h2": gettext_lazy("second half of %(year)s"),
    "q1": gettext_lazy("first quarter of %(year)s"),
    "q2": gettext_lazy("second quarter of %(year)s"),
    "q3": gettext_lazy("third quarter of %(year)s"),
    "q4": gettext_lazy("fourth quarter of %(year)s"),
}
