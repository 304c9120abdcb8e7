"""The list of questionnaires returned, and its export, with a refused day in the filter: no rows and
no file (never every response), the field's error in the reader's language, what was typed kept
(supervision.infra.filtersets)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.surveys.factories import submit

LIST = reverse("surveys:response_list")
EXPORT = reverse("surveys:response_export")
REFUSED_ZH = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
EXPORT_REFUSED_ZH = "未导出任何内容：筛选条件有误，请更正后重新导出。"
DAY_ZH = "请按“年-月-日”填写日期，例如 2026-12-07。"


@pytest.fixture
def responses(small_q, neike):
    return [submit(small_q, neike, dt.date(2026, 11, day), e1=5, a1=5) for day in (2, 20)]


@pytest.mark.parametrize("typed", ["2026-13-45", "abc"])
@pytest.mark.parametrize("name", ["date_from", "date_to"])
def test_a_refused_day_lists_no_response_says_why_and_keeps_what_was_typed(
    client_for, supervisor, responses, name, typed
):
    response = client_for(supervisor).get(LIST, {name: typed})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert f'name="{name}" id="id_{name}" value="{typed}" class="form-control is-invalid"' in html
    assert DAY_ZH in html and REFUSED_ZH in html


def test_the_htmx_partial_says_the_filter_must_be_corrected(client_for, supervisor, responses):
    response = client_for(supervisor).get(LIST, {"date_to": "2026-02-30"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<table" not in html and REFUSED_ZH in html and DAY_ZH in html


@pytest.mark.parametrize("params", [{"date_from": "abc"}, {"date_to": "2026-13-45", "channel": "paper"}])
def test_the_export_of_a_refused_filter_gives_no_file_and_goes_back_to_the_list_as_typed(
    client_for, supervisor, responses, params
):
    client = client_for(supervisor)
    response = client.get(EXPORT, params)
    assert response.status_code == 302 and "Content-Disposition" not in response
    assert [str(m) for m in get_messages(response.wsgi_request)] == [EXPORT_REFUSED_ZH]
    assert response["Location"].startswith(LIST + "?")
    page = client.get(response["Location"])
    ((_name, typed),) = [(k, v) for k, v in params.items() if k != "channel"]
    html = page.content.decode()
    assert f'value="{typed}"' in html and REFUSED_ZH in html and page.context["page"].paginator.count == 0


def test_valid_days_list_and_export_as_before(client_for, supervisor, responses):
    client = client_for(supervisor)
    for params, expected in (
        ({}, 2),
        ({"date_from": "2026-11-10"}, 1),
        ({"date_from": "2026/11/01", "date_to": "2026.11.30"}, 2),
        ({"date_to": "2026-11-10"}, 1),
    ):
        assert client.get(LIST, params).context["page"].paginator.count == expected, params
        export = client.get(EXPORT, params)
        assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
        rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(min_row=2))
        assert len(rows) == expected, params
