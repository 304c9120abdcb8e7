"""A list filter that was sent and refused (a day typed 2026-13-45 or "abc", a choice that is none)
lists no rows, never every row: the field's error in the reader's language, what was typed kept,
a short message in place of the rows (also in the htmx partial, which is all htmx swaps). The
finding list here; each app's lists in its own tests/<app>/test_filter_refused.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.filters import FindingFilter
from supervision.infra.filtersets import filter_refused
from supervision.models import Finding
from tests.factories import make_finding

REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
REFUSED_EN = "The filter has an error, so no rows are shown. Correct it and filter again."
DAY_ZH = "请按“年-月-日”填写日期，例如 2026-12-07。"
DAY_EN = "Enter a date as year-month-day, e.g. 2026-12-07."


@pytest.fixture
def two_findings(neike, waike, supervisor):
    return [make_finding(department=d, found_by=supervisor) for d in (neike, waike)]


@pytest.mark.parametrize("typed", ["2026-13-45", "abc", "12/07/2026"])
@pytest.mark.parametrize("name", ["found_from", "found_to"])
def test_a_refused_day_lists_no_finding_says_why_in_chinese_and_keeps_what_was_typed(
    client_for, supervisor, two_findings, name, typed
):
    response = client_for(supervisor).get(reverse("finding_list"), {name: typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert not any(f.number in html for f in two_findings)
    assert f'name="{name}" id="id_{name}" value="{typed}" class="form-control is-invalid"' in html
    assert DAY_ZH in html and REFUSED_ZH in html
    assert '<details class="card mb-3" open>' in html  # the panel with the error is open


def test_the_htmx_partial_of_a_refused_filter_names_the_field_and_its_error(
    client_for, supervisor, two_findings
):
    supervisor.language = "en"
    supervisor.save()
    response = client_for(supervisor).get(
        reverse("finding_list"), {"found_from": "abc"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html and "<table" not in html
    assert REFUSED_EN in html and f"From: {DAY_EN}" in html
    assert not any(f.number in html for f in two_findings)


def test_a_choice_that_is_none_is_refused_as_a_day_is(client_for, supervisor, two_findings):
    response = client_for(supervisor).get(reverse("finding_list"), {"queue": "nonsense"})
    assert response.context["page"].paginator.count == 0
    assert REFUSED_ZH in response.content.decode()


def test_valid_days_filter_as_before(client_for, supervisor, two_findings):
    client = client_for(supervisor)
    today = timezone.localdate()
    Finding.objects.filter(pk=two_findings[1].pk).update(found_at=timezone.now() - dt.timedelta(days=40))
    for params, expected in (
        ({}, 2),
        ({"found_from": f"{today - dt.timedelta(days=10):%Y-%m-%d}"}, 1),
        ({"found_from": f"{today - dt.timedelta(days=50):%Y/%m/%d}", "found_to": f"{today:%Y.%m.%d}"}, 2),
        ({"found_to": f"{today - dt.timedelta(days=20):%Y-%m-%d}"}, 1),
    ):
        response = client.get(reverse("finding_list"), params)
        html = response.content.decode()
        assert response.context["page"].paginator.count == expected, params
        assert REFUSED_ZH not in html and "is-invalid" not in html


def test_the_shared_filter_set_filters_a_refused_form_to_nothing(rf, supervisor, two_findings):
    request = rf.get("/")
    request.user = supervisor
    refused = FindingFilter({"found_to": "2026-02-30"}, queryset=Finding.objects.all(), request=request)
    assert refused.refused and filter_refused(refused.form) and not refused.qs.exists()
    unbound = FindingFilter(None, queryset=Finding.objects.all(), request=request)
    assert not unbound.refused and unbound.qs.count() == 2
    valid = FindingFilter({"found_to": "2099-01-01"}, queryset=Finding.objects.all(), request=request)
    assert not valid.refused and valid.qs.count() == 2
