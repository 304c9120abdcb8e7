"""The inspection lists' month filters, typed year-month (supervision.forms.MonthField): a refused
month lists no rows (never every round or chart), says why in the reader's language and keeps what
was typed; a month's pages (plan, coverage, schedule, hand rub) given no month say so and show this
month; a chart sample asked for a month that is none says so on the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services
from tests.factories import DischargeStayFactory
from tests.inspections.factories import make_template, start_round

REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
MONTH_ZH = "请按“年-月”填写月份，例如 2026-11。"
MONTH = dt.date(2026, 10, 1)


@pytest.fixture
def rounds(supervisor, neike):
    template = make_template()
    return [start_round(actor=supervisor, department=neike, template=template) for _ in range(2)]


@pytest.fixture
def audits(neike):
    for no in ("NK00001", "NK00002"):
        DischargeStayFactory(department=neike, admission_no=no, discharged_on=MONTH)
    sample, _ = services.chart_sample_draw(month=MONTH)
    return list(sample.audits.all())


@pytest.mark.parametrize(
    ("url_name", "rows"), [("inspections:round_list", "rounds"), ("inspections:audit_list", "audits")]
)
@pytest.mark.parametrize("typed", ["2026-13", "abc", "11/2026"])
def test_a_refused_month_lists_nothing_says_why_and_keeps_what_was_typed(
    request, client_for, supervisor, url_name, rows, typed
):
    assert len(request.getfixturevalue(rows)) == 2
    response = client_for(supervisor).get(reverse(url_name), {"month": typed})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert f'name="month" id="id_month" value="{typed}" class="form-control is-invalid"' in html
    assert MONTH_ZH in html and REFUSED_ZH in html
    partial = client_for(supervisor).get(reverse(url_name), {"month": typed}, HTTP_HX_REQUEST="true")
    assert REFUSED_ZH in partial.content.decode() and "<table" not in partial.content.decode()


@pytest.mark.parametrize(
    ("url_name", "rows"), [("inspections:round_list", "rounds"), ("inspections:audit_list", "audits")]
)
def test_a_month_filters_as_before_and_is_drawn_as_year_month_text(
    request, client_for, supervisor, url_name, rows
):
    request.getfixturevalue(rows)
    client = client_for(supervisor)
    month = timezone.localdate() if rows == "rounds" else MONTH
    for typed, expected in ((f"{month:%Y-%m}", 2), (f"{month:%Y/%m}", 2), ("2001-01", 0), ("", 2)):
        response = client.get(reverse(url_name), {"month": typed})
        html = response.content.decode()
        assert response.context["page"].paginator.count == expected, typed
        assert REFUSED_ZH not in html and 'type="month"' not in html
    assert 'data-calendar-kind="month"' in html and 'placeholder="年-月"' in html


@pytest.mark.parametrize(
    "url_name", ["inspections:plan", "inspections:coverage", "inspections:schedule", "inspections:hand_rub"]
)
def test_a_months_page_given_no_month_says_so_and_shows_this_month(client_for, supervisor, url_name):
    client = client_for(supervisor)
    response = client.get(reverse(url_name), {"month": "2026-13"})
    assert response.status_code == 200 and MONTH_ZH in response.content.decode()
    assert response.context["month"] == timezone.localdate().replace(day=1)
    fine = client.get(reverse(url_name), {"month": "2026/10"})
    assert fine.context["month"] == MONTH and MONTH_ZH not in fine.content.decode()


def test_a_chart_sample_for_a_month_that_is_none_is_refused_on_the_form_as_typed(client_for, supervisor):
    response = client_for(supervisor).post(reverse("inspections:sample_list"), {"month": "2026-13"})
    html = response.content.decode()
    assert MONTH_ZH in html and 'value="2026-13"' in html and 'type="month"' not in html
