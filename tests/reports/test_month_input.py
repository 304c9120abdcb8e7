"""A monthly report's month is typed year-month as every month input (supervision.forms.MonthInputYM),
read with the usual separators, and a month that is none is refused on the form in the reader's
language (reports.periods.parse_period's message), what was typed shown again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from reports.forms import ReportRequestForm


def _form(user, month, kind="monthly"):
    return ReportRequestForm({"kind": kind, "month": month, "format": "pdf"}, user=user)


@pytest.mark.parametrize("typed", ["2026-10", "2026/10", "2026.10", " 2026-10 "])
def test_a_month_is_read_year_first_with_any_of_the_usual_separators(supervisor, typed):
    form = _form(supervisor, typed)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["period_start"], form.cleaned_data["period_end"]) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "月报期间请按 2026-10 的格式填写。"), ("en", "A monthly period is written like 2026-10.")],
)
@pytest.mark.parametrize("typed", ["2026-13", "10/2026", "October", ""])
def test_a_month_that_is_none_is_refused_in_the_readers_language_and_kept(
    supervisor, typed, language, message
):
    with translation.override(language):
        form = _form(supervisor, typed)
        assert form.errors["month"] == [message]
        html = str(form["month"])
    assert f'value="{typed}"' in html or not typed
    assert 'type="text"' in html and 'data-calendar-kind="month"' in html


def test_another_kinds_request_ignores_the_month_input(supervisor):
    form = ReportRequestForm(
        {"kind": "annual", "year": "2025", "month": "nonsense", "format": "pdf"}, user=supervisor
    )
    assert form.is_valid(), form.errors
