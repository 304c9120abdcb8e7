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


# --- the follow-up task list, the discharged stays, "my calls today": a status, department or queue
# that is not one lists nothing and says why (it used to be ignored: every task shown as filtered) ---

TASKS = reverse("followups:task_list")
STAYS = reverse("followups:stay_list")
MINE = reverse("followups:my_tasks")
NOT_A_CHOICE_ZH = "选择一个有效的选项"


@pytest.fixture
def tasks(neike, waike, caller):
    return [
        make_task(stay_kw={"department": neike, "patient_name": "张内科"}),
        make_task(stay_kw={"department": waike, "patient_name": "李外科"}, assigned_to=caller),
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"department": "abc"},
        {"department": "999999"},
        {"status": "pending", "department": "x"},
    ],
)
def test_task_list_with_a_status_or_department_that_is_not_one_lists_no_task_and_says_why(
    client_for, supervisor, tasks, params
):
    response = client_for(supervisor).get(TASKS, params)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert "张内科" not in html and "李外科" not in html
    assert REFUSED_ZH in html and NOT_A_CHOICE_ZH in html and "is-invalid" in html


def test_task_list_refused_in_the_htmx_partial_names_the_refused_field(client_for, supervisor, tasks):
    response = client_for(supervisor).get(TASKS, {"status": "lost"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="task-table"' in html and 'data-refused="status "' in html and "张内科" not in html


def test_task_list_valid_filters_list_as_before(client_for, supervisor, caller, tasks, neike, waike):
    client = client_for(supervisor)
    assert client.get(TASKS).context["page"].paginator.count == 2
    assert client.get(TASKS, {"department": neike.pk}).context["page"].paginator.count == 1
    assert client.get(TASKS, {"status": "pending", "department": ""}).context["page"].paginator.count == 2
    assert client.get(TASKS, {"status": "done"}).context["page"].paginator.count == 0
    assert REFUSED_ZH not in client.get(TASKS, {"status": "done"}).content.decode()


def test_task_list_another_departments_id_is_refused_to_a_head_not_shown(
    client_for, head_neike, tasks, waike
):
    response = client_for(head_neike).get(TASKS, {"department": waike.pk})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert REFUSED_ZH in html and "李外科" not in html


def test_task_list_stays_closed_to_a_volunteer(client_for, volunteer, tasks):
    assert client_for(volunteer).get(TASKS, {"status": "lost"}).status_code == 403


def test_stay_list_with_a_department_that_is_not_one_lists_no_stay(client_for, supervisor, tasks):
    response = client_for(supervisor).get(STAYS, {"department": "abc", "q": "ZY"})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert REFUSED_ZH in html and 'value="ZY"' in html and "张内科" not in html
    assert client_for(supervisor).get(STAYS).context["page"].paginator.count == 2


def test_my_calls_with_a_queue_that_is_not_one_lists_no_call_and_offers_the_whole_list(
    client_for, caller, tasks
):
    client = client_for(caller)
    response = client.get(MINE, {"show": "yesterday"})
    html = response.content.decode()
    assert response.status_code == 200 and REFUSED_ZH in html and "李外科" not in html
    assert "显示今天全部回访" in html or 'href="/followups/"' in html
    assert "李外科" in client.get(MINE).content.decode()
    assert REFUSED_ZH not in client.get(MINE, {"show": "callbacks"}).content.decode()


@pytest.mark.parametrize("params", [{"department": "abc"}, {"domain": "-1"}, {"topic": "x"}])
def test_feedback_with_a_figures_id_that_is_not_one_lists_no_call(client_for, supervisor, said, params):
    response = client_for(supervisor).get(LIST, params)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"].paginator.count == 0
    assert REFUSED_ZH in html and "护士很耐心" not in html


def test_feedback_of_one_department_lists_its_calls_only(client_for, supervisor, said, neike, waike):
    client = client_for(supervisor)
    assert client.get(LIST, {"department": neike.pk}).context["page"].paginator.count == 2
    assert client.get(LIST, {"department": waike.pk}).context["page"].paginator.count == 0
