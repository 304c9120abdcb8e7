"""Working-day arithmetic on China's official calendar.

A day is a working day when it is Monday–Friday and not a public holiday, or when it is a weekend
day the State Council made a working day (调休). Holidays and 调休 days are rows of
``CalendarDay`` that an administrator maintains per year; a year with no data falls back to
plain weekends (the calendar page warns about such years).

Time limits count whole working days after the day of receipt: a complaint received on a Friday
with a limit of 1 working day is due on the next working day (usually Monday).
"""

from __future__ import annotations

import datetime as dt

from .models import CalendarDay, DayKind

ONE_DAY = dt.timedelta(days=1)


def exceptions_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """{date: is_working_day} for every calendar exception in [start, end] (one query)."""
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    return {day: kind == DayKind.WORKDAY for day, kind in rows}


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = exceptions_between(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
    if days <= 0:
        return start
    # Long holidays (春节, 国庆) add at most ~9 days; the window grows if ever needed.
    window = days * 2 + 21
    while True:
        exceptions = exceptions_between(start, start + dt.timedelta(days=window))
        day, left = start, days
        for _ in range(window):
            day += ONE_DAY
            if is_working_day(day, exceptions):
                left -= 1
                if left == 0:
                    return day
        window *= 2


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end (0 when end <= start): 'how many working days it took'."""
    if end <= start:
        return 0
    exceptions = exceptions_between(start + ONE_DAY, end)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working_day(day, exceptions):
            count += 1
    return count


def year_exceptions(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))
