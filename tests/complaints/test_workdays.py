"""Working-day arithmetic on the official calendar (seeded by the data migration)."""

import datetime as dt

import pytest

from complaints import services, workdays
from complaints.models import CalendarDay, CalendarYear, DayKind

from .factories import at, make_complaint

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_labour_day_holiday_is_skipped():
    # Thu 30 Apr 2026; 1–5 May are off; Wed 6 May is the next working day.
    assert workdays.add_working_days(D("2026-04-30"), 1) == D("2026-05-06")


def test_tiaoxiu_saturday_counts_as_a_working_day():
    # Sat 9 May 2026 is worked in exchange for the Labour Day break.
    assert workdays.is_working_day(D("2026-05-09"))
    assert workdays.add_working_days(D("2026-05-08"), 1) == D("2026-05-09")
    # An ordinary Saturday is not.
    assert not workdays.is_working_day(D("2026-05-16"))


def test_five_working_days_across_holiday_and_tiaoxiu_saturday():
    # 6, 7, 8 May, Sat 9 May (调休), Mon 11 May.
    assert workdays.add_working_days(D("2026-04-30"), 5) == D("2026-05-11")
    assert workdays.working_days_between(D("2026-04-30"), D("2026-05-11")) == 5


def test_spring_festival_limits():
    # Fri 13 Feb 2026: Sat 14 Feb worked, 15–23 Feb off, then 24–27 Feb; Sat 28 Feb worked.
    assert workdays.add_working_days(D("2026-02-13"), 5) == D("2026-02-27")
    assert workdays.add_working_days(D("2026-02-13"), 10) == D("2026-03-05")


def test_complaint_due_dates_follow_the_calendar():
    complaint = make_complaint(received_by=None, received_at=at("2026-04-30"))
    assert complaint.ack_due == D("2026-05-06")
    assert complaint.answer_due == D("2026-05-11")


def test_referral_due_date_wins():
    complaint = make_complaint(
        received_by=None,
        channel="citizen_12345",
        referral_no="GD20260430001",
        referral_due=D("2026-05-07"),
        received_at=at("2026-04-30"),
    )
    assert complaint.answer_due == D("2026-05-07")


def test_working_days_between_is_zero_for_same_day():
    assert workdays.working_days_between(D("2026-05-11"), D("2026-05-11")) == 0


def test_year_without_data_counts_weekends_only():
    assert not CalendarDay.objects.filter(date__year=2030).exists()
    # Tue 1 Jan 2030 is a working day as far as the (empty) data knows.
    assert workdays.add_working_days(D("2029-12-31"), 1) == D("2030-01-01")


def test_administrator_added_day_changes_the_arithmetic():
    CalendarDay.objects.create(date=D("2027-02-08"), kind=DayKind.HOLIDAY, name="春节")
    assert workdays.add_working_days(D("2027-02-05"), 1) == D("2027-02-09")


def test_2026_seed_matches_chinese_calendar_package():
    chinese_calendar = pytest.importorskip("chinese_calendar")
    seeded = {d.date: d.kind for d in CalendarDay.objects.filter(date__year=2026)}
    day = D("2026-01-01")
    while day.year == 2026:
        official_working = chinese_calendar.is_workday(day)
        assert workdays.is_working_day(day, {k: v == DayKind.WORKDAY for k, v in seeded.items()}) == (
            official_working
        ), day
        day += dt.timedelta(days=1)
    assert CalendarYear.objects.get(year=2026).complete


def test_2027_has_only_fixed_date_holidays_and_is_marked_incomplete():
    year = CalendarYear.objects.get(year=2027)
    assert not year.complete
    days = CalendarDay.objects.filter(date__year=2027)
    assert not days.filter(kind=DayKind.WORKDAY).exists()
    assert sorted(d.date for d in days) == [
        D("2027-01-01"),
        D("2027-05-01"),
        D("2027-05-02"),
        D("2027-10-01"),
        D("2027-10-02"),
        D("2027-10-03"),
    ]


def test_several_departments_get_ten_working_days(supervisor, neike, waike):
    complaint = make_complaint(received_by=supervisor, received_at=at("2026-02-13"))
    services.complaint_accept(complaint=complaint, actor=supervisor)
    complaint = services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike, waike])
    assert complaint.answer_due == D("2026-03-05")


def test_tiaoxiu_day_on_a_weekday_is_refused():
    from django.core.exceptions import ValidationError

    day = CalendarDay(date=D("2027-02-10"), kind=DayKind.WORKDAY, name="春节")
    with pytest.raises(ValidationError):
        day.full_clean()
    CalendarDay(date=D("2027-02-20"), kind=DayKind.WORKDAY, name="春节").full_clean()  # a Saturday


def test_calendar_command_finds_no_difference_for_2026():
    import io

    from django.core.management import call_command

    pytest.importorskip("chinese_calendar")
    out = io.StringIO()
    call_command("complaints_calendar", year=2026, stdout=out)
    assert "matches" in out.getvalue()


def test_calendar_command_repairs_a_year_from_the_package():
    import io

    from django.core.management import call_command

    pytest.importorskip("chinese_calendar")
    CalendarDay.objects.filter(date=D("2026-05-09")).delete()  # the 调休 Saturday lost
    CalendarDay.objects.create(date=D("2026-03-02"), kind=DayKind.HOLIDAY, name="错误")
    out = io.StringIO()
    call_command("complaints_calendar", year=2026, stdout=out)
    assert "+ 2026-05-09" in out.getvalue() and "- 2026-03-02" in out.getvalue()
    assert not CalendarDay.objects.filter(date=D("2026-05-09")).exists()  # without --apply nothing changes
    call_command("complaints_calendar", year=2026, apply=True, stdout=io.StringIO())
    assert workdays.is_working_day(D("2026-05-09")) and workdays.is_working_day(D("2026-03-02"))


def test_calendar_command_refuses_a_year_the_package_does_not_cover():
    from django.core.management import CommandError, call_command

    pytest.importorskip("chinese_calendar")
    with pytest.raises(CommandError):
        call_command("complaints_calendar", year=2099, apply=True)
    assert not CalendarYear.objects.filter(year=2099).exists()
