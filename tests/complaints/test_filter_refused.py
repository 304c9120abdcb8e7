"""The complaint list with a refused day in its filter: no rows (never every complaint), the field's
error in the reader's language, what was typed kept (supervision.infra.filtersets)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.complaints.factories import at, make_complaint

LIST = reverse("complaints:list")
REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
DAY_ZH = "请按“年-月-日”填写日期，例如 2026-12-07。"


@pytest.fixture
def complaints(supervisor):
    return [
        make_complaint(received_by=supervisor, received_at=at("2026-11-02")),
        make_complaint(received_by=supervisor, received_at=at("2026-11-20")),
    ]


@pytest.mark.parametrize("typed", ["2026-13-45", "abc"])
@pytest.mark.parametrize("name", ["received_from", "received_to"])
def test_a_refused_day_lists_no_complaint_says_why_and_keeps_what_was_typed(
    client_for, supervisor, complaints, name, typed
):
    response = client_for(supervisor).get(LIST, {name: typed})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert not any(c.number in html for c in complaints)
    assert f'name="{name}" id="id_{name}" value="{typed}" class="form-control is-invalid"' in html
    assert DAY_ZH in html and REFUSED_ZH in html


def test_the_htmx_partial_says_the_filter_must_be_corrected(client_for, supervisor, complaints):
    response = client_for(supervisor).get(LIST, {"received_to": "2026-02-30"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and REFUSED_ZH in html and f"收到日期至：{DAY_ZH}" in html
    assert not any(c.number in html for c in complaints)


def test_valid_days_filter_as_before(client_for, supervisor, complaints):
    client = client_for(supervisor)
    for params, expected in (
        ({}, 2),
        ({"received_from": "2026-11-10"}, 1),
        ({"received_from": "2026/11/01", "received_to": "2026.11.30"}, 2),
        ({"received_to": "2026-11-10"}, 1),
    ):
        response = client.get(LIST, params)
        assert response.context["page"].paginator.count == expected, params
        assert REFUSED_ZH not in response.content.decode()
