"""Every day staff type or see in a form is year-month-day (supervision.forms.DateFieldYMD), never the
browser's ``<input type="date">``, which Chromium draws in its own locale (12/07/2026 in en-US); a
refused day says what to type in the reader's language and shows again what was typed."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import django_filters as df
import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from supervision.forms import DateFieldYMD, parse_date_ymd
from supervision.templatetags.ducha import date_ymd_input

APPS = ("supervision", "inspections", "followups", "complaints", "surveys", "servicedesk", "reports")


def _classes(module_suffix: str, base: type):
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.{module_suffix}")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                yield f"{cls.__module__}.{name}", cls


def _is_month(field: forms.Field) -> bool:
    """A month (first day) typed as YYYY-MM: another field, not a day."""
    return field.widget.attrs.get("type") == "month" or "%Y-%m" in (
        getattr(field, "input_formats", None) or ()
    )


def test_every_date_field_of_every_form_is_the_year_month_day_field():
    seen = 0
    for path, form_class in _classes("forms", forms.BaseForm):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField) and not _is_month(field):
                seen += 1
                assert isinstance(field, DateFieldYMD), f"{path}.{name} is a {type(field).__name__}"
                assert field.widget.input_type == "text", f"{path}.{name}"
    assert seen >= 20  # deadlines, due dates, periods, a form's date …


def test_every_date_filter_of_every_list_is_the_year_month_day_field():
    seen = 0
    for path, filterset in _classes("filters", df.FilterSet):
        for name, filter_ in filterset.base_filters.items():
            if isinstance(filter_, df.DateFilter):
                seen += 1
                assert issubclass(filter_.field_class, DateFieldYMD), f"{path}.{name}"
                assert "widget" not in filter_.extra, f"{path}.{name}: a widget of its own"
    assert seen >= 6  # findings, complaints, questionnaires: from and to


class _Form(forms.Form):
    day = DateFieldYMD()


@pytest.mark.parametrize("typed", ["2026-12-07", "2026/12/07", "2026.12.07", "2026-12-7", " 2026-12-07 "])
def test_a_day_is_read_year_first_with_any_of_the_usual_separators(typed):
    form = _Form(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter a date as year-month-day, e.g. 2026-12-07."),
        ("zh-hans", "请按“年-月-日”填写日期，例如 2026-12-07。"),
    ],
)
@pytest.mark.parametrize("typed", ["12/07/2026", "07.12.2026", "2026-13-01", "2026-02-30", "yesterday"])
def test_a_month_first_or_impossible_day_is_refused_in_the_readers_language_and_shown_again(
    typed, language, message
):
    with translation.override(language):
        form = _Form(data={"day": typed})
        assert form.errors["day"] == [message]
        html = str(form["day"])
    assert f'value="{typed}"' in html


def test_the_input_is_plain_text_with_the_format_as_its_hint_in_each_language():
    for language, hint in (("zh-hans", "年-月-日"), ("en", "YYYY-MM-DD")):
        with translation.override(language):
            html = str(_Form(initial={"day": dt.date(2026, 12, 7)})["day"])
        assert 'type="text"' in html and 'type="date"' not in html
        assert f'placeholder="{hint}"' in html and 'value="2026-12-07"' in html
        assert 'inputmode="numeric"' in html and 'class="date-ymd"' in html


def test_a_hand_written_forms_day_is_read_as_the_field_reads_it():
    assert parse_date_ymd("") is None and parse_date_ymd(None) is None
    assert parse_date_ymd("2026/12/07") == dt.date(2026, 12, 7)
    with translation.override("en"), pytest.raises(ValueError, match="year-month-day"):
        parse_date_ymd("12/07/2026")


def test_a_hand_written_forms_input_shows_the_day_used_or_what_was_typed_when_it_is_no_day():
    day = dt.date(2026, 1, 1)
    used = date_ymd_input("start", day, "2026/01/01", id="f-start", **{"class": "form-control date-ymd"})
    assert 'value="2026-01-01"' in used and 'id="f-start"' in used and 'type="text"' in used
    assert 'class="form-control date-ymd"' in used
    assert 'value="12/07/2026"' in date_ymd_input("start", day, "12/07/2026")


@pytest.mark.parametrize(
    ("url_name", "field"),
    [("complaints:figures", "start"), ("inspections:figures", "end"), ("surveys:results", "start")],
)
def test_a_figures_page_with_a_month_first_day_says_what_to_type_and_keeps_it(
    client_for, supervisor, url_name, field
):
    page = client_for(supervisor).get(reverse(url_name), {field: "12/07/2026"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "请按“年-月-日”填写日期，例如 2026-12-07。" in html
    assert f'name="{field}" value="12/07/2026"' in html
    assert 'type="date"' not in html


@pytest.mark.parametrize("url_name", ["complaints:figures", "inspections:figures", "surveys:results"])
def test_a_figures_page_reads_a_period_typed_with_slashes(client_for, supervisor, url_name):
    page = client_for(supervisor).get(reverse(url_name), {"start": "2026/11/01", "end": "2026/11/30"})
    html = page.content.decode()
    assert page.status_code == 200 and "alert-danger" not in html
    assert 'name="start" value="2026-11-01"' in html and 'name="end" value="2026-11-30"' in html


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("finding_list", {"found_from": "12/07/2026"}),
        ("complaints:list", {"received_to": "12/07/2026"}),
        ("surveys:response_list", {"date_from": "12/07/2026"}),
    ],
)
def test_a_lists_filter_refuses_a_month_first_day_in_the_readers_language_and_keeps_it(
    client_for, supervisor, url_name, params
):
    client = client_for(supervisor)
    ((name, typed),) = params.items()
    html = client.get(reverse(url_name), params).content.decode()
    assert f'name="{name}" id="id_{name}" value="{typed}" class="form-control is-invalid"' in html
    assert "请按“年-月-日”填写日期，例如 2026-12-07。" in html
    supervisor.language = "en"
    supervisor.save()
    html = client.get(reverse(url_name), params).content.decode()
    assert "Enter a date as year-month-day, e.g. 2026-12-07." in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("day", "typed", "attrs"),
    [
        (dt.date(2026, 1, 1), "", {"id": "id_start", "class": "form-control date-ymd"}),
        (
            dt.date(2026, 12, 7),
            "2026/12/07",
            {"id": "f-end", "class": "form-control form-control-lg date-ymd"},
        ),
        (dt.date(2026, 12, 7), '12/07/"<2026>&', {"id": "f-start"}),
        (None, "", {"required": True, "disabled": False, "data-x": 3}),
        ("", "", {}),
    ],
)
def test_a_hand_written_forms_input_is_the_widgets_own_markup_byte_for_byte(language, day, typed, attrs):
    """date_ymd_input writes in Python what Django's date.html → input.html → attrs.html write."""
    from supervision.forms import DateInputYMD

    with translation.override(language):
        try:
            parse_date_ymd(typed)
            value = day
        except ValueError:
            value = typed
        assert date_ymd_input("start", day, typed, **attrs) == DateInputYMD(attrs).render("start", value)
