"""One caller, one row (issue 19 item 5): a caller name in imported follow-up records is the Ducha user
of that name in the follow-up role, or the user it is mapped to; the workload tables never split one
person between the calls made in Ducha and those imported under the name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from followups import selectors
from followups.importing import HISTORY_HEADERS, history_import
from followups.models import CallAttempt, CallerAlias, Outcome
from supervision.models import Role
from tests.factories import DischargeStayFactory, UserFactory

from .conftest import make_xlsx
from .factories import add_attempt, make_task

pytestmark = pytest.mark.django_db

JAN = dt.date(2026, 1, 15)
PERIOD = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 31)}


def _import(rows):
    return history_import(
        source=make_xlsx(HISTORY_HEADERS, rows, "history.xlsx"), file_name="h.xlsx", actor=None
    )


def _stays(neike, n):
    return [
        DischargeStayFactory(department=neike, discharged_on=JAN, admission_no=f"ZY{i}") for i in range(n)
    ]


def _call_in_ducha(neike, caller, day):
    task = make_task(stay=DischargeStayFactory(department=neike, discharged_on=JAN))
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    add_attempt(task, outcome=Outcome.REACHED, caller=caller, when=when)


def test_imported_calls_under_a_users_name_and_calls_made_in_ducha_are_one_row(neike, caller):
    _stays(neike, 2)
    report = _import(
        [
            ["ZY0", "2026-01-15", "2026-01-18", "成功", "林回访", "电话", "满意", ""],
            ["ZY1", "2026-01-15", "2026-01-19", "无人接听", "林 回访", "电话", "", ""],  # a space typed
        ]
    )
    assert report.ok, report.errors
    assert set(CallAttempt.objects.values_list("caller_id", flat=True)) == {caller.pk}
    _call_in_ducha(neike, caller, dt.date(2026, 1, 19))
    rows = selectors.calls_per_caller(**PERIOD)
    assert [(r["caller"], r["calls"], r["reached"], r["days"]) for r in rows] == [("林回访", 3, 2, 2)]
    per_day = selectors.calls_per_caller_per_day(**PERIOD)
    assert {"day": dt.date(2026, 1, 19), "caller": "林回访", "calls": 2} in per_day and len(per_day) == 2


def test_a_name_mapped_in_the_admin_is_that_user(neike, caller):
    CallerAlias.objects.create(name="小林", user=caller)
    _stays(neike, 1)
    assert _import([["ZY0", "2026-01-15", "2026-01-18", "成功", "小林", "电话", "", ""]]).ok
    _call_in_ducha(neike, caller, dt.date(2026, 1, 20))
    assert [(r["caller"], r["calls"]) for r in selectors.calls_per_caller(**PERIOD)] == [("林回访", 2)]


def test_records_imported_before_the_matching_are_counted_with_their_user(neike, caller):
    # Rows written without a user (an earlier import) still join the person's row when read.
    task = make_task(stay=DischargeStayFactory(department=neike, discharged_on=JAN))
    add_attempt(task, outcome=Outcome.NO_ANSWER, when=timezone.make_aware(dt.datetime(2026, 1, 18, 9)))
    CallAttempt.objects.update(caller_name="林回访")
    _call_in_ducha(neike, caller, dt.date(2026, 1, 18))
    rows = selectors.calls_per_caller(**PERIOD)
    assert [(r["caller"], r["calls"], r["days"]) for r in rows] == [("林回访", 2, 1)]


def test_a_name_nobody_in_the_follow_up_role_has_stays_its_own_row(neike, caller):
    UserFactory(username="lin-doctor", full_name="老回访员", roles=[Role.DEPT_HEAD], head_of=[neike])
    _stays(neike, 1)
    assert _import([["ZY0", "2026-01-15", "2026-01-18", "成功", "老回访员", "电话", "", ""]]).ok
    assert CallAttempt.objects.get().caller_id is None  # a namesake outside the follow-up role is not them
    assert [r["caller"] for r in selectors.calls_per_caller(**PERIOD)] == ["老回访员"]


def test_a_name_two_callers_share_is_refused_until_it_is_mapped(neike):
    first = UserFactory(username="wf1", full_name="王芳", roles=[Role.FOLLOWUP])
    UserFactory(username="wf2", full_name="王芳", roles=[Role.FOLLOWUP])
    _stays(neike, 1)
    rows = [["ZY0", "2026-01-15", "2026-01-18", "成功", "王芳", "电话", "", ""]]
    refused = _import(rows)
    assert not refused.ok and not CallAttempt.objects.exists()
    assert any("回访人姓名对照" in str(e) for e in refused.errors), refused.errors
    CallerAlias.objects.create(name="王芳", user=first)
    assert _import(rows).ok
    assert CallAttempt.objects.get().caller_id == first.pk
