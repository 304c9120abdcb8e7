"""What patients said on the calls (the feedback list) with a refused day in its period: no calls
(never another period's, as if they were the ones asked for), the field's error in the reader's
language, what was typed kept (supervision.infra.filtersets)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import Outcome
from tests.followups.factories import add_attempt, make_task

LIST = reverse("followups:feedback_list")
REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
DAY_ZH = "请按“年-月-日”填写日期，例如 2026-12-07。"


@pytest.fixture
def said(neike, caller):
    now = timezone.now()
    return [
        add_attempt(
            make_task(stay_kw={"department": neike}),
            outcome=Outcome.REACHED,
            caller=caller,
            when=now - dt.timedelta(days=days),
            praise=f"护士很耐心{days}",
        )
        for days in (1, 20)
    ]


@pytest.mark.parametrize("typed", ["2026-13-45", "abc"])
@pytest.mark.parametrize("name", ["start", "end"])
def test_a_refused_day_lists_no_call_says_why_and_keeps_what_was_typed(
    client_for, supervisor, said, name, typed
):
    response = client_for(supervisor).get(LIST, {name: typed})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert "护士很耐心" not in html
    assert f'value="{typed}"' in html and "is-invalid" in html
    assert DAY_ZH in html and REFUSED_ZH in html


def test_an_end_before_the_start_is_refused_and_said(client_for, supervisor, said):
    response = client_for(supervisor).get(LIST, {"start": "2026-11-20", "end": "2026-11-01"})
    html = response.content.decode()
    assert response.context["page"].paginator.count == 0
    assert REFUSED_ZH in html and "结束日期早于开始日期" in html


def test_valid_days_list_as_before(client_for, supervisor, said):
    client = client_for(supervisor)
    today = timezone.localdate()
    for params, expected in (
        ({}, 2),
        ({"start": f"{today - dt.timedelta(days=10):%Y-%m-%d}"}, 1),
        ({"start": f"{today - dt.timedelta(days=30):%Y/%m/%d}", "end": f"{today:%Y.%m.%d}"}, 2),
    ):
        response = client.get(LIST, params)
        assert response.context["page"].paginator.count == expected, params
        assert REFUSED_ZH not in response.content.decode()
