"""A finding's "found at" lies in a sane window (issue 15 item 13): a volunteer's typo of 2001 or
2099 is refused with a message in the form and in the service, and the form keeps what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from supervision.models import Category, Finding
from tests.factories import make_finding, moment


def _post(client, neike, found_at: str):
    return client.post(
        reverse("finding_create"),
        {
            "department": neike.pk,
            "category": Category.objects.get(code="hygiene").pk,
            "severity": "minor",
            **moment("found_at", found_at),
            "description": "楼梯间堆放杂物",
        },
    )


@pytest.mark.parametrize(
    ("found_at", "words"), [("2001-03-04T09:30", "不能早于"), ("2099-03-04T09:30", "不能晚于当前时间")]
)
def test_the_finding_form_refuses_a_time_found_far_out_and_keeps_the_text(
    client_for, volunteer, neike, found_at, words
):
    response = _post(client_for(volunteer), neike, found_at)
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert "楼梯间堆放杂物" in page
    assert not Finding.objects.exists()


def test_the_refusal_names_the_earliest_day_allowed(client_for, volunteer, neike, settings):
    settings.FINDING_BACKDATE_DAYS = 30
    earliest = timezone.localdate() - dt.timedelta(days=30)
    page = _post(client_for(volunteer), neike, "2001-03-04T09:30").content.decode()
    assert earliest.isoformat() in page and "30" in page


def test_a_time_found_last_month_or_a_few_minutes_ahead_is_accepted(client_for, volunteer, neike):
    last_month = timezone.localtime() - dt.timedelta(days=31)
    assert _post(client_for(volunteer), neike, f"{last_month:%Y-%m-%dT%H:%M}").status_code == 302
    # A phone's clock a few minutes fast is not a typo.
    ahead = timezone.localtime() + dt.timedelta(minutes=5)
    assert _post(client_for(volunteer), neike, f"{ahead:%Y-%m-%dT%H:%M}").status_code == 302
    assert Finding.objects.count() == 2


@pytest.mark.parametrize(
    "found_at",
    [dt.datetime(2001, 3, 4, 9, 30, tzinfo=dt.UTC), dt.datetime(2099, 3, 4, 9, 30, tzinfo=dt.UTC)],
)
def test_the_service_refuses_it_too_whoever_calls_it(neike, supervisor, found_at):
    with pytest.raises(ValidationError) as refused:
        make_finding(department=neike, found_by=supervisor, found_at=found_at)
    assert refused.value.code in ("found_at_too_old", "found_at_future")
    assert not Finding.objects.exists()
