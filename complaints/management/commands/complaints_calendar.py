"""Compare (and optionally update) a year of the working-day calendar with the chinese-calendar package.

    manage.py complaints_calendar --year 2027           # list the differences, change nothing
    manage.py complaints_calendar --year 2027 --apply   # make the year match the package, mark it complete

The package (pip install chinese-calendar) carries the State Council's schedule once it is
published and a new version of the package is released; until then it reports that it has no data
for the year and nothing is changed. Administrators can always maintain the days by hand in the admin.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints.models import CalendarDay, CalendarYear, DayKind

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def package_year(year: int) -> tuple[dict[dt.date, tuple[str, str]], str]:
    """{date: (kind, name)} of the package's exceptions for ``year``, and the package version."""
    try:
        import chinese_calendar
    except ImportError:
        raise CommandError(
            "The chinese-calendar package is not installed (pip install chinese-calendar)."
        ) from None
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        raise CommandError(
            f"chinese-calendar {getattr(chinese_calendar, '__version__', '')} has no data for {year} yet; "
            "enter the State Council's schedule in the admin."
        ) from None
    days = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            days[day] = (DayKind.HOLIDAY, NAMES.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (DayKind.WORKDAY, NAMES.get(str(name), str(name)))
    return days, getattr(chinese_calendar, "__version__", "")


class Command(BaseCommand):
    help = (
        "Compare a year of the working-day calendar with the chinese-calendar package; --apply to update it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--apply", action="store_true", help="make the year match the package")

    def handle(self, *args, year, apply, **options):
        wanted, version = package_year(year)
        have = {d.date: (d.kind, d.name) for d in CalendarDay.objects.filter(date__year=year)}
        missing = sorted(set(wanted) - set(have))
        extra = sorted(set(have) - set(wanted))
        changed = sorted(d for d in set(wanted) & set(have) if wanted[d][0] != have[d][0])
        for day in missing:
            self.stdout.write(f"+ {day.isoformat()} {wanted[day][0]} {wanted[day][1]}")
        for day in extra:
            self.stdout.write(f"- {day.isoformat()} {have[day][0]} {have[day][1]}")
        for day in changed:
            self.stdout.write(f"~ {day.isoformat()} {have[day][0]} → {wanted[day][0]}")
        if not (missing or extra or changed):
            self.stdout.write(self.style.SUCCESS(f"{year}: the calendar matches chinese-calendar {version}."))
        if not apply:
            return
        with transaction.atomic():
            CalendarDay.objects.filter(date__in=extra).delete()
            for day in missing + changed:
                kind, name = wanted[day]
                CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
            CalendarYear.objects.update_or_create(
                year=year, defaults={"complete": True, "source": f"chinese-calendar {version}"}
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}: updated ({len(missing)} added, {len(extra)} removed, {len(changed)} changed)."
            )
        )
