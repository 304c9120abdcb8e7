"""'My calls today' reads its count, its page's rows and the pool through statements kept between views
(supervision.infra.statements): every view still shows the rows as they are now, each caller's own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups import selectors, services
from followups.models import TaskStatus
from supervision.infra import statements
from supervision.models import Role
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_statements():
    statements.forget()
    yield
    statements.forget()


@pytest.fixture
def caller_wu(db):
    return UserFactory(username="caller-wu", full_name="吴回访", roles=[Role.FOLLOWUP])


def _task(neike, name, **kw):
    return make_task(stay=DischargeStayFactory(department=neike, patient_name=name), **kw)


def test_my_calls_today_shows_a_claim_made_after_its_statements_were_kept(
    client_for, caller, caller_wu, supervisor, neike
):
    mine = _task(neike, "张伟", assigned_to=caller)
    pooled = _task(neike, "李娜")
    client = client_for(caller)
    first = client.get("/followups/").content.decode()  # the statements are built and kept here
    assert "张伟" in first and "李娜" in first and "is on it" not in first and "正在处理" not in first

    services.task_claim(task=pooled, actor=caller_wu)  # the pool task is now 吴回访's
    services.task_claim(task=mine, actor=supervisor)  # the office holds the caller's own task
    again = client_for(caller).get("/followups/").content.decode()
    assert "李娜" not in again  # gone from the pool
    assert "张伟" in again and supervisor.full_name in again  # "… is on it" on the caller's row
    theirs = client_for(caller_wu).get("/followups/").content.decode()
    assert "李娜" in theirs and "张伟" not in theirs


def test_two_callers_never_share_a_kept_list(client_for, caller, caller_wu, neike):
    _task(neike, "张伟", assigned_to=caller)
    _task(neike, "王芳", assigned_to=caller_wu)
    for _ in range(2):  # the second round reads the kept statements
        first = client_for(caller).get("/followups/")
        second = client_for(caller_wu).get("/followups/")
        assert [t.stay.patient_name for t in first.context["mine"]] == ["张伟"]
        assert "张伟" in first.content.decode() and "王芳" not in first.content.decode()
        assert "王芳" in second.content.decode() and "张伟" not in second.content.decode()


def test_the_count_and_each_page_follow_new_tasks(client_for, caller, neike, settings):
    settings.DUCHA_PAGE_SIZE = 2
    for name in ("甲一", "乙二", "丙三"):
        _task(neike, name, assigned_to=caller)
    client = client_for(caller)
    assert client.get("/followups/").context["page"].paginator.count == 3
    page_two = client.get("/followups/?page=2").content.decode()
    assert "丙三" in page_two and "甲一" not in page_two
    _task(neike, "丁四", assigned_to=caller)
    _task(neike, "戊五", assigned_to=caller, status=TaskStatus.CALLBACK)  # a call-back due now: first
    response = client.get("/followups/?page=3")
    assert response.context["page"].paginator.count == 5
    assert "丁四" in response.content.decode()  # the last page: three to do after the call-back
    assert selectors.my_tasks_count(caller, "callbacks", today=response.context["today"]) == 1


def test_my_calls_today_reads_as_many_queries_whatever_the_rows(client_for, caller, neike):
    client = client_for(caller)

    def queries():
        with CaptureQueriesContext(connection) as q:
            assert client.get("/followups/").status_code == 200
        return len(q)

    _task(neike, "张伟", assigned_to=caller)
    _task(neike, "李娜")
    few = queries()
    for i in range(6):
        _task(neike, f"病人{i}", assigned_to=caller)
        _task(neike, f"池中{i}")
    assert queries() == few
