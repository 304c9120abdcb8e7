"""Seed the official working-day calendar for 2026 (complete) and 2027 (fixed-date holidays only).

2026: 国务院办公厅关于2026年部分节假日安排的通知 (November 2025), checked day by day against the
``chinese-calendar`` package 1.11.0, which carries the same schedule.

2027: when this was written the State Council had not published the 2027 schedule and no package
carried it. Only the statutory holidays on fixed Gregorian dates are seeded (元旦 1 January,
劳动节 1–2 May, 国庆节 1–3 October, per the 全国年节及纪念日放假办法 as revised in 2024). The
lunar holidays (春节, 清明, 端午, 中秋), the bridging days off and every 调休 working weekend
must be entered by an administrator when the notice is published; the year stays marked
incomplete until then.
"""

import datetime as dt

from django.db import migrations


def span(first, last):
    day = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last)
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


HOLIDAYS_2026 = [
    ("元旦", "2026-01-01", "2026-01-03"),
    ("春节", "2026-02-15", "2026-02-23"),
    ("清明节", "2026-04-04", "2026-04-06"),
    ("劳动节", "2026-05-01", "2026-05-05"),
    ("端午节", "2026-06-19", "2026-06-21"),
    ("中秋节", "2026-09-25", "2026-09-27"),
    ("国庆节", "2026-10-01", "2026-10-07"),
]
WORKDAYS_2026 = [
    ("元旦", "2026-01-04"),
    ("春节", "2026-02-14"),
    ("春节", "2026-02-28"),
    ("劳动节", "2026-05-09"),
    ("国庆节", "2026-09-20"),
    ("国庆节", "2026-10-10"),
]
HOLIDAYS_2027_FIXED = [
    ("元旦", "2027-01-01", "2027-01-01"),
    ("劳动节", "2027-05-01", "2027-05-02"),
    ("国庆节", "2027-10-01", "2027-10-03"),
]


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("complaints", "CalendarYear")
    CalendarDay = apps.get_model("complaints", "CalendarDay")
    CalendarYear.objects.get_or_create(
        year=2026,
        defaults={
            "complete": True,
            "source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月）",
            "note": "Checked against the chinese-calendar package 1.11.0.",
        },
    )
    CalendarYear.objects.get_or_create(
        year=2027,
        defaults={
            "complete": False,
            "source": "全国年节及纪念日放假办法（2024年修订）：仅固定公历日期的法定节假日",
            "note": (
                "2027年国务院放假安排尚未公布。仅录入了元旦、劳动节、国庆节的固定日期法定假日；"
                "春节、清明节、端午节、中秋节、连休调整的休息日及全部调休上班日须在国务院办公厅通知发布后由管理员补录，"
                "补录完成后勾选“完整”。"
            ),
        },
    )
    for name, first, last in HOLIDAYS_2026 + HOLIDAYS_2027_FIXED:
        for day in span(first, last):
            CalendarDay.objects.get_or_create(date=day, defaults={"kind": "holiday", "name": name})
    for name, day in WORKDAYS_2026:
        CalendarDay.objects.get_or_create(
            date=dt.date.fromisoformat(day), defaults={"kind": "workday", "name": name}
        )


def unseed(apps, schema_editor):
    apps.get_model("complaints", "CalendarDay").objects.filter(date__year__in=[2026, 2027]).delete()
    apps.get_model("complaints", "CalendarYear").objects.filter(year__in=[2026, 2027]).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
