"""A moment typed by staff is a year-first date and a 24-hour time (supervision.forms.DateTimeField24),
never the browser's ``datetime-local``, which Chromium draws month-first with AM/PM (上午/下午 in
zh-CN); read in the current time zone; every form that had datetime-local uses this one field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils import timezone, translation

from complaints.forms import AnswerForm, IntakeForm, NotAcceptForm
from followups.forms import CallForm
from inspections.forms import RoundStartForm
from supervision.forms import DateTimeField24, FindingForm, PatientToldForm


class _Form(forms.Form):
    at = DateTimeField24()
    later = DateTimeField24(required=False)


def _clean(date: str, time: str, **more):
    form = _Form(data={"at_0": date, "at_1": time, **more})
    form.is_valid()
    return form


@pytest.mark.parametrize("date", ["2026-12-01", "2026/12/01", "2026.12.01", "2026-12-1"])
def test_a_year_first_date_and_a_24_hour_time_are_read_in_the_hospitals_time_zone(date):
    form = _clean(date, "20:05")
    assert form.errors == {}
    assert form.cleaned_data["at"] == dt.datetime(2026, 12, 1, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert form.cleaned_data["at"] == dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)


def test_the_time_is_read_in_the_current_time_zone():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        form = _clean("2026-07-01", "08:00")
    assert form.cleaned_data["at"] == dt.datetime(2026, 7, 1, 6, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("date", "time"), [("2026-03-29", "02:30"), ("2026-10-25", "02:30")])
def test_a_time_that_does_not_exist_or_exists_twice_there_is_refused_not_guessed(date, time):
    # Berlin skips 02:00–03:00 on 29 March 2026 and lives 02:00–03:00 twice on 25 October.
    with timezone.override(ZoneInfo("Europe/Berlin")), translation.override("en"):
        form = _clean(date, time)
    assert "at" in form.errors
    assert "Europe/Berlin" in form.errors["at"][0]


@pytest.mark.parametrize(
    ("date", "time", "wrong"),
    [
        ("12/01/2026", "20:05", "date"),  # month first: the ambiguity this field removes
        ("01.12.2026", "20:05", "date"),
        ("2026-13-01", "20:05", "date"),
        ("2026-12-01", "8:05 PM", "time"),
        ("2026-12-01", "下午8:05", "time"),
        ("2026-12-01", "24:00", "time"),
        ("2026-12-01", "", "required"),
        ("", "20:05", "required"),
    ],
)
def test_a_month_first_date_or_a_12_hour_time_is_refused_with_what_to_type(date, time, wrong):
    with translation.override("en"):
        form = _clean(date, time)
        message = form.errors["at"][0]
    assert {
        "date": "Enter a date as year-month-day, e.g. 2026-12-07.",
        "time": "Enter a time on a 24-hour clock, e.g. 08:00 or 20:30.",
        "required": "This field is required.",
    }[wrong] == message


def test_an_optional_moment_may_stay_empty_but_not_half_typed():
    assert _clean("2026-12-01", "20:05").cleaned_data["later"] is None
    half = _clean("2026-12-01", "20:05", later_0="2026-12-02", later_1="")
    assert "later" in half.errors


def test_the_form_refused_shows_again_exactly_what_was_typed():
    html = str(_clean("2026-13-01", "25:00")["at"])
    assert 'value="2026-13-01"' in html and 'value="25:00"' in html


def test_a_stored_moment_is_shown_on_the_current_time_zones_clock_without_seconds():
    class Form(forms.Form):
        at = DateTimeField24(initial=dt.datetime(2026, 12, 1, 12, 5, 42, tzinfo=dt.UTC))

    html = str(Form()["at"])
    assert 'value="2026-12-01"' in html and 'value="20:05"' in html


def test_the_inputs_are_plain_text_with_a_hint_and_no_browser_drawn_clock():
    with translation.override("zh-hans"):
        html = str(_Form()["at"])
    assert "datetime-local" not in html and 'type="date"' not in html and 'type="time"' not in html
    assert html.count('type="text"') == 2
    assert 'placeholder="年-月-日"' in html and 'placeholder="08:00"' in html
    assert 'inputmode="numeric"' in html


EVERY_FORM_THAT_HAD_DATETIME_LOCAL = [
    (FindingForm, "found_at", {}),
    (PatientToldForm, "told_at", {}),
    (RoundStartForm, "started_at", {}),
    (IntakeForm, "received_at", {}),
    (NotAcceptForm, "answered_at", {}),
    (AnswerForm, "answered_at", {}),
    (CallForm, "callback_at", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "name", "kwargs"), EVERY_FORM_THAT_HAD_DATETIME_LOCAL)
def test_every_form_that_had_datetime_local_uses_the_one_field(form_class, name, kwargs):
    form = form_class(**kwargs)
    assert type(form.fields[name]) is DateTimeField24
    html = str(form[name])
    assert "datetime-local" not in html
    assert f'name="{name}_0"' in html and f'name="{name}_1"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("form_class", "name", "kwargs"), EVERY_FORM_THAT_HAD_DATETIME_LOCAL)
def test_every_such_form_reads_a_moment_typed_a_minute_ago_and_refuses_a_12_hour_one(
    form_class, name, kwargs
):
    now = timezone.localtime() - dt.timedelta(minutes=1)
    typed = {f"{name}_0": f"{now:%Y-%m-%d}", f"{name}_1": f"{now:%H:%M}"}
    with translation.override("en"):
        form = form_class(data=typed, **kwargs)
        form.is_valid()
        errors = [str(message) for message in form.errors.get(name, [])]
    if name == "callback_at":
        # A call-back lies ahead: read as typed, then refused as before for being in the past.
        assert errors == ["The call-back time must be in the future."]
    else:
        assert errors == []
        assert form.cleaned_data[name] == now.replace(second=0, microsecond=0)
    twelve_hour = form_class(data={**typed, f"{name}_1": now.strftime("%I:%M %p")}, **kwargs)
    twelve_hour.is_valid()
    assert name in twelve_hour.errors
