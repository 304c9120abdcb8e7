"""Every month staff type is year-month text (supervision.forms.MonthField, MonthInputYM), never the
browser's ``<input type="month">``, which Chromium draws in its own locale ("December 2026"); a
refused month says what to type in the reader's language and shows again what was typed; the
calendar button opens the browser's month picker (static/js/ducha.js, data-calendar-kind)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from supervision.forms import MonthField, MonthInputYM, parse_month_ym

APPS = ("supervision", "inspections", "followups", "complaints", "surveys", "servicedesk", "reports")
MONTH_ZH = "请按“年-月”填写月份，例如 2026-11。"
MONTH_EN = "Enter a month as YYYY-MM, e.g. 2026-11."


class _Form(forms.Form):
    month = MonthField()


def _form_classes():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{cls.__module__}.{name}", cls


def test_no_form_of_any_app_draws_the_browsers_month_input():
    months = 0
    for path, form_class in _form_classes():
        try:
            fields = form_class.base_fields
        except AttributeError:
            continue
        for name, field in fields.items():
            assert field.widget.attrs.get("type") != "month", f"{path}.{name}"
            if isinstance(field.widget, MonthInputYM):
                months += 1
                assert field.widget.input_type == "text", f"{path}.{name}"
    # the round and chart-audit lists, a month's pages and chart sample, the per-person sheet, a report
    assert months >= 5


@pytest.mark.parametrize("typed", ["2026-11", "2026/11", "2026.11", "2026-1", " 2026-11 "])
def test_a_month_is_read_year_first_with_any_of_the_usual_separators(typed):
    form = _Form(data={"month": typed})
    assert form.is_valid(), form.errors
    expected = dt.date(2026, 11, 1) if typed.strip() != "2026-1" else dt.date(2026, 1, 1)
    assert form.cleaned_data["month"] == expected


@pytest.mark.parametrize(("language", "message"), [("en", MONTH_EN), ("zh-hans", MONTH_ZH)])
@pytest.mark.parametrize("typed", ["2026-13", "11/2026", "2026-11-05", "December 2026", "abc"])
def test_a_month_that_is_none_is_refused_in_the_readers_language_and_shown_again(typed, language, message):
    with translation.override(language):
        form = _Form(data={"month": typed})
        assert form.errors["month"] == [message]
        html = str(form["month"])
    assert f'value="{typed}"' in html


def test_the_input_is_plain_text_with_the_format_as_its_hint_and_a_month_calendar():
    for language, hint in (("zh-hans", "年-月"), ("en", "YYYY-MM")):
        with translation.override(language):
            html = str(_Form(initial={"month": dt.date(2026, 11, 1)})["month"])
        assert 'type="text"' in html and 'type="month"' not in html
        assert f'placeholder="{hint}"' in html and 'value="2026-11"' in html
        assert 'inputmode="numeric"' in html and 'maxlength="7"' in html
        assert 'data-calendar-kind="month"' in html and "data-calendar=" in html


def test_a_month_sent_by_a_link_is_read_as_the_field_reads_it():
    assert parse_month_ym("") is None and parse_month_ym(None) is None
    assert parse_month_ym("2026/11") == dt.date(2026, 11, 1)
    with translation.override("en"), pytest.raises(ValueError, match="YYYY-MM"):
        parse_month_ym("2026-13")


def test_the_per_person_sheet_refuses_a_month_that_is_none_and_the_list_shows_it_again(
    client_for, supervisor
):
    client = client_for(supervisor)
    response = client.get(reverse("people_sheet"), {"month": "2026-13"})
    assert response.status_code == 302 and "attachment" not in response.get("Content-Disposition", "")
    assert response.url == f"{reverse('person_list')}?month=2026-13"
    html = client.get(response.url).content.decode()
    assert MONTH_ZH in html  # the message, once
    assert 'name="month" value="2026-13"' in html and "is-invalid" in html
    html = client.get(reverse("person_list")).content.decode()
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert f'value="{last_month:%Y-%m}"' in html and "is-invalid" not in html
