"""Figures against hand counts (formulas in docs/complaints.md)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import selectors, services
from supervision.infra import statements
from supervision.models import Department, Role
from tests.factories import DepartmentFactory, UserFactory, category

from .factories import at, make_complaint, not_accept

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
START, END, TODAY = D("2026-03-01"), D("2026-04-30"), D("2026-11-23")


@pytest.fixture
def data(supervisor, head_neike, neike, waike):
    erke = DepartmentFactory(code="EK", name="儿科")
    yanke = DepartmentFactory(code="YK", name="眼科")
    DepartmentFactory(code="XX", name="停用科", active=False)
    # c1: hotline, 内科, answered after 2 working days, valid (attitude); also assigned to 眼科.
    c1 = make_complaint(
        received_by=supervisor,
        department=neike,
        received_at=at("2026-03-02"),
        complainant_phone="13800000001",
    )
    services.complaint_accept(complaint=c1, actor=supervisor)
    services.complaint_assign(complaint=c1, actor=supervisor, departments=[neike, yanke])
    head_yanke = UserFactory(username="head-yanke", roles=[Role.DEPT_HEAD], head_of=[yanke])
    services.complaint_reply(complaint=c1, actor=head_neike, department=neike, reply="属实")
    services.complaint_reply(complaint=c1, actor=head_yanke, department=yanke, reply="已配合调查")
    services.complaint_determine(
        complaint=c1, actor=supervisor, determination="valid", categories=[category("attitude")]
    )
    services.complaint_answer(
        complaint=c1, actor=supervisor, method="phone", text="已答复", answered_at=at("2026-03-04")
    )
    # c2: web, 内科, same phone (repeat), answered after 8 working days (late), not valid.
    c2 = make_complaint(
        received_by=None,
        channel="web",
        department=neike,
        received_at=at("2026-03-10"),
        complainant_phone="138-0000-0001",
    )
    services.complaint_accept(complaint=c2, actor=supervisor)
    services.complaint_determine(complaint=c2, actor=supervisor, determination="not_valid")
    services.complaint_answer(
        complaint=c2, actor=supervisor, method="letter", text="书面答复", answered_at=at("2026-03-20")
    )
    # c3: letter, 外科, not accepted.
    c3 = make_complaint(
        received_by=supervisor,
        channel="letter",
        department=waike,
        received_at=at("2026-04-01"),
        complainant_phone="13800000002",
    )
    not_accept(c3, actor=supervisor)
    # c4: hotline, 外科, still waiting and past its due date (10 April).
    make_complaint(
        received_by=supervisor,
        department=waike,
        received_at=at("2026-04-02"),
        complainant_phone="13800000003",
    )
    # c5: outside the period, 儿科.
    make_complaint(received_by=supervisor, department=erke, received_at=at("2026-06-01"))
    return {"erke": erke, "yanke": yanke}


def fig(**kw):
    return selectors.figures(start=START, end=END, today=TODAY, **kw)


def test_counts_by_channel_department_month(data, neike, waike):
    f = fig()
    assert f.total == 4
    channels = {r["channel"]: r["count"] for r in f.by_channel}
    assert channels["hotline"] == 2 and channels["web"] == 1 and channels["letter"] == 1
    assert sum(channels.values()) == 4 and channels["citizen_12345"] == 0
    assert [(r["department"], r["count"]) for r in f.by_department] == [("内科", 2), ("外科", 2)]
    assert f.by_month == [{"month": "2026-03", "count": 2}, {"month": "2026-04", "count": 2}]
    assert f.by_category == [
        {"category_id": category("attitude").pk, "category": category("attitude").name, "count": 1}
    ]


def test_shares_and_average(data):
    f = fig()
    assert f.accepted == {
        "accepted": 2,
        "not_accepted": 1,
        "decided": 3,
        "share": 200 / 3,
    }  # exact, rounded when shown
    # on time: c1; late: c2; overdue unanswered: c4 → 1 / 3.
    assert f.on_time == {"on_time": 1, "answered": 2, "overdue_unanswered": 1, "share": 100 / 3}
    assert f.average_days == {"answered": 2, "average": 5.0}  # (2 + 8) / 2
    assert f.valid["share"] == 50.0 and f.valid["determined"] == 2


def test_repeat_complainants_are_matched_on_digits_and_masked(data):
    repeat = fig().repeat
    assert repeat["count"] == 1
    assert repeat["rows"] == [{"phone": "138****0001", "count": 2}]


def test_reward_list_is_departments_without_complaints(data, neike, waike):
    # 内科, 外科 had complaints; 眼科 was assigned one; 儿科's complaint is outside the period;
    # the inactive department is left out.
    names = {r["department"] for r in fig().reward_list}
    assert names == {"儿科"} | set(
        Department.objects.filter(active=True)
        .exclude(code__in=["NK", "WK", "YK", "EK"])
        .values_list("name", flat=True)
    )
    assert "儿科" in names and "眼科" not in names and "停用科" not in names


def test_not_accepted_complaint_does_not_remove_a_department_from_the_reward_list(supervisor, neike):
    c = make_complaint(received_by=supervisor, department=neike, received_at=at("2026-03-05"))
    not_accept(c, actor=supervisor, reason="repeated")
    assert [r["department"] for r in fig(departments=[neike.pk]).reward_list] == ["内科"]


def test_department_filter(data, neike):
    f = fig(departments=[neike.pk])
    assert f.total == 2
    assert f.accepted["share"] == 100.0


def test_no_data_gives_none_not_zero(db):
    f = selectors.figures(start=D("2025-01-01"), end=D("2025-01-31"), today=TODAY)
    assert f.total == 0
    assert f.accepted["share"] is None and f.on_time["share"] is None
    assert f.valid["share"] is None and f.average_days["average"] is None


def test_figures_query_count_does_not_grow(data, supervisor, neike, django_assert_num_queries):
    with CaptureQueriesContext(connection) as first:
        fig()
    for day in ("2026-03-11", "2026-03-12", "2026-04-13"):
        make_complaint(received_by=supervisor, department=neike, received_at=at(day))
    with django_assert_num_queries(len(first)):
        fig()


def test_figures_at_once_equal_each_figure_worked_out_alone(data, supervisor, neike):
    # figures() reads the period's counts in one aggregate query: the same counts as each figure's own
    # function, for the whole hospital and for one department.
    c = make_complaint(received_by=supervisor, department=neike, received_at=at("2026-03-20"))
    not_accept(c, actor=supervisor, reason="repeated")
    for departments in (None, [neike.pk]):
        kw = {"start": START, "end": END, "departments": departments}
        f = selectors.figures(**kw, today=TODAY)
        assert f.total == selectors._period(START, END, departments).count()
        assert f.accepted == selectors.accepted_share(**kw)
        assert f.on_time == selectors.answered_on_time_share(**kw, today=TODAY)
        assert f.average_days == selectors.average_working_days_to_answer(**kw)
        assert f.valid == selectors.valid_share(**kw)
        assert f.satisfaction == selectors.outcome_satisfaction(**kw)
        assert f.intake == selectors.intake(**kw)
        assert f.repeat == selectors.repeat_complainants(**kw)
        assert f.verdicts == selectors.verdicts(**kw)
        assert f.by_channel == selectors.by_channel(**kw)
        assert f.by_category == selectors.by_category(**kw)
        assert f.by_department == selectors.by_department(**kw)
        assert f.by_month == selectors.by_month(**kw)
    assert fig().intake["not_accepted"] == 2 and fig().intake["by_reason"][0]["count"] == 1


def test_figures_build_their_reads_once_per_period_and_the_period_once_per_call(data, neike, monkeypatch):
    # Eight reads kept as statements per period and departments (built by the ORM once), the repeat
    # complainants read by the ORM from one period built per call (docs/performance.md → API figures,
    # stop 21 and 22); the figures the same on every call.
    statements.forget()
    built = []
    period = selectors._period
    monkeypatch.setattr(selectors, "_period", lambda *a: built.append(a) or period(*a))
    for departments in (None, [neike.pk]):
        first = selectors.figures(start=START, end=END, departments=departments, today=TODAY)
        assert len(built) > 1
        built.clear()
        assert selectors.figures(start=START, end=END, departments=departments, today=TODAY) == first
        # On SQLite the months' days are dates the ORM converts: that read is built on every call there.
        assert built[0] == (START, END, departments)
        assert len(built) == (1 if connection.vendor == "postgresql" else 2)
        built.clear()
    statements.forget()


def test_repeat_complainants_count_every_one_beyond_the_rows_shown(data, supervisor, neike):
    # The count rides on the top rows (a window over the groups): it still counts those past the limit.
    for phone in ("13900000001", "13900000002", "13900000003"):
        for day in ("2026-03-03", "2026-03-04"):
            make_complaint(
                received_by=supervisor, department=neike, received_at=at(day), complainant_phone=phone
            )
    repeat = selectors.repeat_complainants(start=START, end=END, limit=2)
    assert repeat["count"] == 4 and len(repeat["rows"]) == 2
    assert selectors.repeat_complainants(start=START, end=END, minimum=3)["count"] == 0


def test_figures_take_ten_queries_and_nine_without_the_handlers(data, django_assert_num_queries):
    # Was 19: the period's counts are one aggregate, the repeat count rides on its rows and the
    # verdicts' total is the sum of their rows per department.
    with django_assert_num_queries(10):
        fig()
    with django_assert_num_queries(9):
        f = fig(handlers=False)
    assert f.verdicts["by_handler"] == []


def test_the_months_added_up_from_days_are_the_months_of_truncated_days(data, neike):
    """``by_month`` counts per day received and adds the days up per month: the same counts as
    grouping by ``TruncMonth``, every month of the period listed."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    for departments in (None, [neike.pk]):
        truncated = {
            r["month"].strftime("%Y-%m"): r["n"]
            for r in selectors._period(START, END, departments)
            .annotate(month=TruncMonth("received_on"))
            .values("month")
            .annotate(n=Count("id"))
            .order_by()
        }
        months = selectors.by_month(start=START, end=END, departments=departments)
        assert {m["month"]: m["count"] for m in months if m["count"]} == truncated
        assert [m["month"] for m in months][:2] == [
            f"{START:%Y-%m}",
            f"{START.replace(month=START.month % 12 + 1):%Y-%m}",
        ]
        assert sum(m["count"] for m in months) == selectors._period(START, END, departments).count() > 0
