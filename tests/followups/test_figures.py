"""Every figure against a hand count, and history imports feeding the follow-up rate."""

import datetime as dt

import pytest
from django.utils import timezone

from followups import selectors
from followups.importing import HISTORY_HEADERS, history_import
from followups.models import (
    CallAttempt,
    FollowupTask,
    Outcome,
    PatientFlag,
    SpotCheck,
    TaskSource,
    TaskStatus,
)
from supervision.models import ImportRun
from tests.factories import DischargeStayFactory, StaffFactory, UserFactory

from .conftest import make_xlsx
from .factories import add_attempt, make_task

pytestmark = pytest.mark.django_db

JAN, FEB = dt.date(2026, 1, 15), dt.date(2026, 2, 10)


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def hospital(neike, waike, caller, supervisor):
    """内科 January: 5 discharged; stay A reached twice (counts once), B refused, C no answer ×2, D letter done,
    E never attempted.  内科 February: 2 discharged, one reached.  外科 January: 4 discharged, 1 reached
    (after a no answer), 3 without a task."""
    s = {}
    for key in "ABCDE":
        s[key] = DischargeStayFactory(department=neike, discharged_on=JAN)
    a = make_task(stay=s["A"])
    add_attempt(
        a,
        outcome=Outcome.REACHED,
        caller=caller,
        when=at(JAN + dt.timedelta(days=3)),
        satisfaction="satisfied",
    )
    add_attempt(
        a,
        outcome=Outcome.REACHED,
        caller=caller,
        when=at(JAN + dt.timedelta(days=4)),
        satisfaction="dissatisfied",
    )
    b = make_task(stay=s["B"])
    add_attempt(b, outcome=Outcome.REFUSED, caller=caller, when=at(JAN + dt.timedelta(days=3), 11))
    c = make_task(stay=s["C"])
    add_attempt(c, outcome=Outcome.NO_ANSWER, caller=caller, when=at(JAN + dt.timedelta(days=3), 12))
    add_attempt(c, outcome=Outcome.NO_ANSWER, caller=supervisor, when=at(JAN + dt.timedelta(days=4), 12))
    d = make_task(stay=s["D"])
    add_attempt(d, outcome=Outcome.LETTER_DONE, caller=caller, when=at(JAN + dt.timedelta(days=5)))
    make_task(stay=s["E"])
    f1 = DischargeStayFactory(department=neike, discharged_on=FEB)
    DischargeStayFactory(department=neike, discharged_on=FEB)
    nurse = StaffFactory(department=neike)
    att = add_attempt(
        make_task(stay=f1),
        outcome=Outcome.REACHED,
        caller=caller,
        when=at(FEB + dt.timedelta(days=3)),
        praise="好",
    )
    att.praised_staff.set([nurse])
    w = [DischargeStayFactory(department=waike, discharged_on=JAN) for _ in range(4)]
    wt = make_task(stay=w[0])
    add_attempt(wt, outcome=Outcome.NO_ANSWER, caller=caller, when=at(JAN + dt.timedelta(days=3), 15))
    add_attempt(wt, outcome=Outcome.REACHED, caller=caller, when=at(JAN + dt.timedelta(days=4), 15))
    return s


def test_follow_up_rate_per_department_and_month_by_hand(hospital, neike, waike):
    table = selectors.followup_month_department_table(start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28))
    rows = {r["department"]: r for r in table["rows"]}
    nk_jan, nk_feb = rows["内科"]["cells"]
    # 内科 January: A (reached, twice → once) + D (letter) = 2 of 5
    assert (nk_jan["discharged"], nk_jan["due"], nk_jan["attempted"], nk_jan["reached"], nk_jan["rate"]) == (
        5,
        5,
        4,
        2,
        40.0,
    )
    assert (nk_feb["discharged"], nk_feb["reached"], nk_feb["rate"]) == (2, 1, 50.0)
    wk_jan, wk_feb = rows["外科"]["cells"]
    assert (wk_jan["discharged"], wk_jan["due"], wk_jan["reached"], wk_jan["rate"]) == (4, 1, 1, 25.0)
    assert wk_feb["discharged"] == 0 and wk_feb["rate"] is None
    assert rows["内科"]["total"]["rate"] == 100 * 3 / 7  # exact, rounded only when shown
    assert table["totals"][0]["rate"] == 100 * 3 / 9
    assert table["total"]["reached"] == 4 and table["total"]["discharged"] == 11
    assert rows["外科"]["lowest"] is True  # 25 % is the lowest
    assert rows["内科"]["lowest"] is False  # of two departments only one is marked


def test_a_table_built_from_the_cells_of_a_wider_window_is_the_table_read_for_its_months(
    hospital, neike, waike, django_assert_num_queries
):
    """A report reads the month × department counts once for its trend and builds its period's,
    last year's and the written summary's tables from them: each must be the table read alone."""
    DischargeStayFactory(department=waike, discharged_on=dt.date(2025, 12, 31))  # outside January
    DischargeStayFactory(department=waike, discharged_on=dt.date(2026, 3, 1))  # outside February
    cells = selectors.followup_month_department_cells(start=dt.date(2025, 12, 1), end=dt.date(2026, 3, 31))
    for start, end, lowest in [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), 3),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), 3),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 28), 1),
        (dt.date(2025, 12, 1), dt.date(2026, 3, 31), 3),
    ]:
        with django_assert_num_queries(0):
            built = selectors.followup_month_department_table(
                start=start, end=end, lowest=lowest, cells=cells
            )
        assert built == selectors.followup_month_department_table(start=start, end=end, lowest=lowest)
    for start, end in [
        (dt.date(2026, 1, 2), dt.date(2026, 1, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 4, 30)),
    ]:
        with pytest.raises(ValueError):  # not whole months, or outside the window read
            selectors.followup_month_department_table(start=start, end=end, cells=cells)


def test_summary_and_department_scoping(hospital, neike):
    jan = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 31)}
    assert selectors.followup_summary(**jan) == {
        "discharged": 9, "due": 6, "attempted": 5, "reached": 3, "rate": 100 * 3 / 9,
    }  # fmt: skip
    assert selectors.followup_summary(**jan, departments=[neike.pk])["rate"] == 40.0
    assert selectors.followup_summary(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))["rate"] is None


def test_rate_counts_by_month_of_discharge_not_of_call(neike, caller):
    stay = DischargeStayFactory(department=neike, discharged_on=dt.date(2026, 1, 30))
    add_attempt(make_task(stay=stay), outcome=Outcome.REACHED, caller=caller, when=at(dt.date(2026, 2, 3)))
    assert selectors.followup_summary(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))["reached"] == 1
    assert selectors.followup_summary(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))["reached"] == 0


def test_outcomes_contact_satisfaction_praise_attempts_and_callers(hospital, caller, supervisor):
    period = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 2, 28)}
    outcomes = {o["outcome"]: o["count"] for o in selectors.outcome_breakdown(**period)}
    assert outcomes[Outcome.REACHED] == 4 and outcomes[Outcome.NO_ANSWER] == 3
    assert outcomes[Outcome.REFUSED] == 1 and outcomes[Outcome.LETTER_DONE] == 1
    assert selectors.contact_success(**period) == {"attempts": 9, "contacted": 5, "rate": 100 * 5 / 9}
    assert selectors.call_satisfaction(**period) == {
        "satisfied": 1,
        "dissatisfied": 1,
        "asked": 2,
        "rate": 50.0,
    }
    assert selectors.praise_counts(**period) == {"calls_with_praise": 1, "staff_praises": 1}
    # attempted stays: A 2, B 1, C 2, D 1, F1 1, W0 2 → 9 / 6
    assert selectors.attempts_per_stay(**period) == {"stays": 6, "average": 1.5}
    callers = {c["caller"]: c for c in selectors.calls_per_caller(**period)}
    assert callers["林回访"]["calls"] == 8 and callers["周督察"]["calls"] == 1
    assert callers["林回访"]["days"] == 4  # Jan 18, 19, 20 and Feb 13
    assert callers["林回访"]["per_day"] == 2.0
    per_day = selectors.calls_per_caller_per_day(**period)
    assert {"day": dt.date(2026, 1, 18), "caller": "林回访", "calls": 4} in per_day


def test_spot_check_confirmation_per_caller_and_department(neike, waike, caller, supervisor):
    from followups.services import spotcheck_draw, spotcheck_record

    other = UserFactory(username="c3", full_name="郑回访", roles=["followup"])
    day = timezone.localdate() - dt.timedelta(days=2)
    for who, dept in [(caller, neike), (caller, neike), (caller, waike), (other, waike)]:
        add_attempt(
            make_task(stay=DischargeStayFactory(department=dept)),
            outcome=Outcome.REACHED,
            caller=who,
            when=at(day),
        )
    add_attempt(
        make_task(stay=DischargeStayFactory(department=neike)),
        outcome=Outcome.NO_ANSWER,
        caller=caller,
        when=at(day),
    )
    draw = spotcheck_draw(actor=supervisor, start=day, end=day, size=10, seed=7)
    assert draw.population == 4 and len(draw.selected_ids) == 4  # only reached calls are drawn
    checks = {(c.caller_id, c.department_id): c for c in SpotCheck.objects.filter(draw=draw)}
    results = iter(["confirmed", "denied", "confirmed", "unreachable"])
    for check in SpotCheck.objects.filter(draw=draw).order_by("caller_id", "department_id", "id"):
        spotcheck_record(check=check, actor=supervisor, result=next(results))
    today = timezone.localdate()
    figures = selectors.spotcheck_confirmation(start=today, end=today)
    assert figures["total"] == {"confirmed": 2, "denied": 1, "unreachable": 1, "checked": 3, "rate": 200 / 3}
    by_caller = {r["caller"]: r for r in figures["by_caller"]}
    assert by_caller["林回访"]["rate"] == 200 / 3 and by_caller["郑回访"]["rate"] is None
    assert len(checks) == 3


def test_spot_check_draw_is_reproducible_from_its_seed(neike, caller, supervisor):
    from followups.services import spotcheck_draw

    day = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(20):
        add_attempt(
            make_task(stay=DischargeStayFactory(department=neike)),
            outcome=Outcome.REACHED,
            caller=caller,
            when=at(day),
        )
    first = spotcheck_draw(actor=supervisor, start=day, end=day, size=5, seed=42)
    second = spotcheck_draw(actor=supervisor, start=day, end=day, size=5, seed=42)
    assert first.selected_ids == second.selected_ids and len(first.selected_ids) == 5


# --- history ------------------------------------------------------------------------------------


def history_file(rows):
    return make_xlsx(HISTORY_HEADERS, rows, "history.xlsx")


def test_history_import_feeds_the_rate_like_calls_made_here(neike):
    stays = [
        DischargeStayFactory(department=neike, discharged_on=JAN, admission_no=f"ZY{i}") for i in range(4)
    ]
    rows = [
        ["ZY0", "2026-01-15", "2026-01-18", "成功", "老回访员", "电话", "满意", ""],
        ["ZY0", "2026-01-15", "2026-01-19", "成功", "老回访员", "电话", "", ""],
        ["ZY1", "2026-01-15", "2026-01-18", "无人接听", "老回访员", "", "", ""],
        ["ZY2", "2026-01-15", "2026-01-20", "信函", "老回访员", "信函", "", ""],
        ["ZY3", "2026-01-15", "2026-01-18", "死亡", "老回访员", "电话", "", ""],
    ]
    report = history_import(source=history_file(rows), file_name="history.xlsx", actor=None)
    assert report.ok, report.errors
    assert report.created == 5
    jan = selectors.followup_summary(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert (jan["discharged"], jan["attempted"], jan["reached"], jan["rate"]) == (4, 4, 2, 50.0)
    task = FollowupTask.objects.get(stay=stays[0])
    assert task.source == TaskSource.HISTORY and task.status == TaskStatus.DONE and task.attempt_count == 2
    assert CallAttempt.objects.filter(caller_name="老回访员").count() == 5
    assert PatientFlag.objects.get(patient_key=f"{stays[3].patient_name}|{stays[3].phone}").deceased
    assert {
        c["caller"] for c in selectors.calls_per_caller(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    } == {"老回访员"}
    again = history_import(source=history_file(rows), file_name="history.xlsx", actor=None)
    assert again.ok and again.created == 0 and again.unchanged == 5
    assert CallAttempt.objects.count() == 5
    assert ImportRun.objects.filter(kind="followup_history", succeeded=True).count() == 2


def test_history_import_refuses_unknown_stays_and_bad_values(neike):
    DischargeStayFactory(department=neike, discharged_on=JAN, admission_no="ZY0")
    rows = [
        ["ZY0", "2026-01-15", "2026-01-18", "成功", "", "", "", ""],
        ["ZY9", "2026-01-15", "2026-01-18", "成功", "", "", "", ""],
        ["ZY0", "2026-01-15", "2026-01-10", "成功", "", "", "", ""],
        ["ZY0", "2026-01-15", "2026-01-18", "聊得很好", "", "", "", ""],
        ["ZY0", "2026-01-15", "2026-01-18", "成功", "", "", "", ""],
    ]
    report = history_import(source=history_file(rows), file_name="history.xlsx", actor=None)
    assert not report.ok
    by_row = {e.row: e.message for e in report.errors}
    assert "请先导入出院记录" in by_row[3]
    assert "回访日期早于出院日期" in by_row[4]
    assert "聊得很好" in by_row[5]
    assert "重复" in by_row[6]
    assert not CallAttempt.objects.exists() and not FollowupTask.objects.exists()


def test_history_for_a_queued_task_closes_it_when_reached(neike):
    stay = DischargeStayFactory(department=neike, discharged_on=JAN, admission_no="ZY0")
    task = make_task(stay=stay)
    rows = [["ZY0", "2026-01-15", "2026-01-18", "成功", "甲", "", "", ""]]
    assert history_import(source=history_file(rows), file_name="h.xlsx", actor=None).ok
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.contacted and task.source == TaskSource.QUEUE


def test_import_followups_command(neike, tmp_path):
    import io

    from django.core.management import call_command

    DischargeStayFactory(department=neike, discharged_on=JAN, admission_no="ZY0")
    path = tmp_path / "h.xlsx"
    path.write_bytes(history_file([["ZY0", "2026-01-15", "2026-01-18", "成功", "甲", "", "", ""]]).read())
    out = io.StringIO()
    call_command("import_followups", str(path), stdout=out)
    assert "新增 1 条" in out.getvalue()


def test_figures_page_marks_the_lowest_department(client_for, supervisor, hospital):
    response = client_for(supervisor).get("/followups/figures/?start=2026-01-01&end=2026-02-28")
    body = response.content.decode()
    rows = {r["department"]: r for r in response.context["table"]["rows"]}
    assert rows["外科"]["lowest"] and "最低" in body
    assert "40.00%" in body and "2/5" in body  # two decimals, as the hospital writes rates


def test_the_month_department_tables_grand_total_is_the_summary(hospital, neike, waike):
    # The API gives the table's total as the period's summary (one query fewer, the largest): a stay
    # is in one department's month only, so the distinct stays of the cells add up to the summary's.
    for departments in (None, [neike.pk], [waike.pk], [neike.pk, waike.pk]):
        for start, end in (
            (dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
            (dt.date(2026, 1, 20), dt.date(2026, 3, 31)),
        ):
            kw = {"start": start, "end": end, "departments": departments}
            total = selectors.followup_month_department_table(**kw)["total"]
            assert total == selectors.followup_summary(**kw)
    assert selectors.followup_summary(start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28))["reached"] == 4
