"""The desk log's entries behind a count of the work pages (?person=…&start=…&end=…) with a day edited
into one that is none: no entries (never every entry), the day's error in the reader's language, and
the period shown in inputs as typed, to be corrected (supervision.infra.filtersets)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from servicedesk import services
from servicedesk.models import EntryKind

LIST = reverse("servicedesk:entries")
REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
DAY_ZH = "请按“年-月-日”填写日期，例如 2026-12-07。"


@pytest.fixture
def entries(centre, desk, neike):
    now = timezone.now()
    return [
        services.entry_record(
            centre=centre, actor=desk, kind=EntryKind.CONSULTATION, department=neike,
            topic=f"咨询{days}", recorded_at=now - dt.timedelta(days=days),
        )[0]
        for days in (1, 40)
    ]  # fmt: skip


@pytest.mark.parametrize("typed", ["2026-13-45", "abc"])
@pytest.mark.parametrize("name", ["start", "end"])
def test_a_refused_day_lists_no_entry_says_why_and_shows_the_period_as_typed(
    client_for, supervisor, entries, name, typed
):
    response = client_for(supervisor).get(LIST, {name: typed, "person": entries[0].recorded_by_id})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert "咨询1" not in html and "咨询40" not in html
    assert f'name="{name}" value="{typed}"' in html and 'type="hidden" name="person"' in html
    assert DAY_ZH in html and REFUSED_ZH in html


def test_valid_days_list_as_before(client_for, supervisor, entries):
    client = client_for(supervisor)
    today = timezone.localdate()
    for params, expected in (
        ({}, 2),
        ({"start": f"{today - dt.timedelta(days=10):%Y-%m-%d}"}, 1),
        ({"start": f"{today - dt.timedelta(days=50):%Y/%m/%d}", "end": f"{today:%Y.%m.%d}"}, 2),
        ({"end": f"{today - dt.timedelta(days=20):%Y-%m-%d}"}, 1),
    ):
        response = client.get(LIST, params)
        html = response.content.decode()
        assert response.context["page"].paginator.count == expected, params
        assert REFUSED_ZH not in html and 'type="text" name="start"' not in html


@pytest.mark.parametrize("params", [{"kind": "gossip"}, {"person": "abc"}, {"person": "0"}])
def test_a_kind_or_person_that_is_not_one_lists_no_entry_and_says_why(
    client_for, supervisor, entries, params
):
    response = client_for(supervisor).get(LIST, params)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert "咨询1" not in html and "咨询40" not in html and REFUSED_ZH in html
    # A refused person is not carried on by the kind filter's form (it could not be corrected there).
    if "person" in params:
        assert 'name="person"' not in html


def test_one_kind_and_one_persons_entries_list_as_before(client_for, supervisor, entries, desk):
    client = client_for(supervisor)
    assert client.get(LIST, {"kind": EntryKind.CONSULTATION}).context["page"].paginator.count == 2
    assert client.get(LIST, {"person": desk.pk}).context["page"].paginator.count == 2
    assert client.get(LIST, {"person": supervisor.pk}).context["page"].paginator.count == 0
