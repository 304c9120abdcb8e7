"""Follow-up plans: time points per department and diagnosis, the queue that builds them, the
refusals of a bad plan, versions, deceased and readmitted patients, the rate per time point."""

import datetime as dt
import re

import pytest
from django.utils import translation

from followups import plans, selectors, services
from followups.models import (
    FollowupPlan,
    FollowupTask,
    Outcome,
    TaskMode,
    TaskStatus,
)
from followups.services import PointInput
from supervision.errors import ActionNotAllowed
from tests.factories import DischargeStayFactory
from tests.followups.factories import add_attempt

pytestmark = pytest.mark.django_db

DISCHARGED = dt.date(2026, 9, 1)


def day(n: int) -> dt.date:
    return DISCHARGED + dt.timedelta(days=n)


def three_points(supervisor, department, *, today=dt.date(2026, 8, 1), **kw) -> FollowupPlan:
    """Day 3 call, day 30 call, day 90 letter."""
    return services.plan_save(
        actor=supervisor,
        department=department,
        name=kw.pop("name", "3 / 30 / 90"),
        points=kw.pop(
            "points",
            [
                PointInput(day=3, window_days=4),
                PointInput(day=30, window_days=7, questionnaire_code="chronic"),
                PointInput(day=90, window_days=14, mode=TaskMode.LETTER),
            ],
        ),
        today=today,
        **kw,
    )


def build(*days) -> list:
    return [services.call_queue_build(day=d, assign=False) for d in days]


def points_of(stay) -> list[tuple[int, int, str]]:
    return list(stay.followup_tasks.order_by("point").values_list("point", "point_day", "mode"))


def test_the_queue_builds_each_time_point_when_its_window_opens(supervisor, neike):
    three_points(supervisor, neike)
    stay = DischargeStayFactory(department=neike, discharged_on=DISCHARGED)
    build(day(3))
    assert points_of(stay) == [(1, 3, TaskMode.PHONE)]
    build(day(10), day(29))  # between the windows: nothing new
    assert len(points_of(stay)) == 1
    build(day(31), day(32))  # twice in the day-30 window: built once
    second = stay.followup_tasks.get(point=2)
    assert (second.due_on, second.expires_on, second.questionnaire_code) == (day(31), day(37), "chronic")
    build(day(95))
    assert points_of(stay) == [(1, 3, "phone"), (2, 30, "phone"), (3, 90, "letter")]


def test_a_diagnosis_plan_wins_over_the_department_plan_and_others_keep_theirs(supervisor, neike, waike):
    three_points(supervisor, neike)
    services.plan_save(
        actor=supervisor,
        department=neike,
        icd_prefix="i21",
        name="心梗",
        points=[PointInput(day=7, window_days=3), PointInput(day=60, window_days=5)],
        today=dt.date(2026, 8, 1),
    )
    services.plan_save(
        actor=supervisor,
        department=neike,
        diagnosis_text="糖尿病",
        name="糖尿病 every 3 months",
        points=[PointInput(day=3, window_days=4), PointInput(day=20, repeat_every_months=3, repeat_times=4)],
        today=dt.date(2026, 8, 1),
    )
    heart = DischargeStayFactory(department=neike, discharged_on=DISCHARGED, diagnosis_code="I21.901")
    sugar = DischargeStayFactory(department=neike, discharged_on=DISCHARGED, diagnosis="2型糖尿病")
    other = DischargeStayFactory(department=neike, discharged_on=DISCHARGED, diagnosis="肺炎")
    elsewhere = DischargeStayFactory(department=waike, discharged_on=DISCHARGED, diagnosis_code="I21.9")
    schedules = plans.Schedules(
        {None: services.policy_default()},
    )
    assert [o.day for o in schedules.of_stay(heart)] == [7, 60]
    # Every 3 months from day 20, four times: 1 Sep + 20 d, 1 Dec + 20 d, 1 Mar + 20 d, 1 Jun + 20 d.
    assert [o.day for o in schedules.of_stay(sugar)] == [3, 20, 111, 201, 293]
    assert [o.day for o in schedules.of_stay(other)] == [3, 30, 90]
    assert [o.day for o in schedules.of_stay(elsewhere)] == [3]  # 外科: its policy window
    build(day(3), day(7))
    assert points_of(heart) == [(1, 7, "phone")]
    assert [p for p, _d, _m in points_of(sugar)] == [1]
    assert points_of(elsewhere) == [(1, 3, "phone")]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([PointInput(day=3, window_days=10), PointInput(day=10)], "overlap (days 3–13 and 10–14"),
        ([PointInput(day=0)], "must come after discharge"),
        ([PointInput(day=-2)], "opens on day -2"),
        (
            [PointInput(day=5, window_days=40, repeat_every_months=1, repeat_times=3)],
            "repetitions of time point 1",
        ),
        ([PointInput(day=5, repeat_times=3)], "months between the repetitions"),
        ([], "at least one time point"),
    ],
)
def test_a_bad_plan_is_refused_with_a_clear_message_and_nothing_saved(supervisor, neike, points, message):
    with translation.override("en"), pytest.raises(ActionNotAllowed, match=re.escape(message)):
        services.plan_save(actor=supervisor, department=neike, name="bad", points=points)
    assert not FollowupPlan.objects.exists()


def test_only_the_follow_up_office_edits_plans(caller, neike):
    with pytest.raises(ActionNotAllowed):
        services.plan_save(actor=caller, department=neike, name="x", points=[PointInput(day=3)])


def test_a_plan_change_applies_to_stays_discharged_after_it_and_never_rewrites_tasks(supervisor, neike):
    plan = three_points(supervisor, neike)
    before = DischargeStayFactory(department=neike, discharged_on=DISCHARGED)
    build(day(3))
    first = before.followup_tasks.get()
    add_attempt(first, outcome=Outcome.REACHED)
    first.status = TaskStatus.DONE
    first.save()
    snapshot = FollowupTask.objects.values().get(pk=first.pk)
    # Changed on 10 September: day 14 instead of day 30, no letter.
    services.plan_save(
        actor=supervisor,
        replaces=plan,
        name="3 / 14",
        points=[PointInput(day=3, window_days=4), PointInput(day=14, window_days=3)],
        today=day(9),
    )
    after = DischargeStayFactory(department=neike, discharged_on=day(10))
    build(day(13), day(24), day(31), day(95))
    assert FollowupTask.objects.values().get(pk=first.pk) == snapshot
    assert [d for _p, d, _m in points_of(before)] == [3, 30, 90]  # the version of its discharge day
    assert [d for _p, d, _m in points_of(after)] == [3, 14]
    assert FollowupPlan.objects.filter(department=neike).count() == 2


def test_a_deceased_patient_cancels_every_later_time_point(supervisor, neike, caller):
    three_points(supervisor, neike)
    stay = DischargeStayFactory(department=neike, discharged_on=DISCHARGED)
    build(day(3), day(31))
    first, second = stay.followup_tasks.order_by("point")
    first.status = TaskStatus.DONE
    first.save()
    second.assigned_to = caller
    second.save()
    services.task_claim(task=second, actor=caller)
    services.call_record(task=second, actor=caller, data=services.CallInput(outcome=Outcome.DECEASED))
    build(day(95))  # day 90 is never built
    assert points_of(stay) == [(1, 3, "phone"), (2, 30, "phone")]


def test_a_death_recorded_on_another_stay_cancels_this_stays_open_and_later_points(
    supervisor, neike, waike, caller
):
    three_points(supervisor, neike, restart_on_readmission=False)  # only the death stops it
    stay = DischargeStayFactory(
        department=neike, discharged_on=DISCHARGED, patient_name="赵强", phone="13900000009"
    )
    # Readmitted to 外科 (no plan: its policy window) and discharged on day 28.
    surgery = DischargeStayFactory(
        department=waike, discharged_on=day(28), patient_name="赵强", phone="13900000009"
    )
    build(day(3), day(31))
    open_point = stay.followup_tasks.get(point=2)
    assert open_point.status == TaskStatus.PENDING
    surgery_task = surgery.followup_tasks.get()
    surgery_task.assigned_to = caller
    surgery_task.save()
    services.task_claim(task=surgery_task, actor=caller)
    services.call_record(task=surgery_task, actor=caller, data=services.CallInput(outcome=Outcome.DECEASED))
    open_point.refresh_from_db()
    assert open_point.status == TaskStatus.CANCELLED
    build(day(95))
    assert not stay.followup_tasks.filter(point=3).exists()


def test_a_readmission_restarts_the_plan_when_the_plan_says_so(supervisor, neike, waike):
    three_points(supervisor, neike)
    three_points(supervisor, waike, restart_on_readmission=False)
    first = DischargeStayFactory(
        department=neike, discharged_on=DISCHARGED, patient_name="王芳", phone="13900000001"
    )
    keeps = DischargeStayFactory(
        department=waike, discharged_on=DISCHARGED, patient_name="李雷", phone="13900000002"
    )
    build(day(3), day(31))
    assert first.followup_tasks.count() == 2
    # Both readmitted and discharged again on day 33, while their day-30 call is open.
    again = DischargeStayFactory(
        department=neike, discharged_on=day(33), patient_name="王芳", phone="13900000001"
    )
    DischargeStayFactory(department=waike, discharged_on=day(33), patient_name="李雷", phone="13900000002")
    result = build(day(36))[0]
    assert result.restarted == 1
    assert first.followup_tasks.get(point=2).status == TaskStatus.CANCELLED
    assert keeps.followup_tasks.get(point=2).status == TaskStatus.PENDING
    build(day(95))
    assert [p for p, _d, _m in points_of(first)] == [1, 2]  # day 90 of the first stay never built
    assert [p for p, _d, _m in points_of(keeps)] == [1, 2, 3]
    assert again.followup_tasks.get().point == 1


def test_the_rate_counts_a_stay_once_across_time_points_and_each_point_has_its_own(supervisor, neike):
    three_points(supervisor, neike)
    reached_twice, reached_late, never = (
        DischargeStayFactory(department=neike, discharged_on=DISCHARGED) for _ in range(3)
    )
    DischargeStayFactory(department=neike, discharged_on=DISCHARGED, phone="")  # day 3 becomes a letter
    build(day(3), day(31))
    for stay, points in ((reached_twice, (1, 2)), (reached_late, (2,))):
        for point in points:
            add_attempt(stay.followup_tasks.get(point=point), outcome=Outcome.REACHED)
    add_attempt(never.followup_tasks.get(point=1), outcome=Outcome.NO_ANSWER)
    period = {"start": DISCHARGED, "end": DISCHARGED}
    summary = selectors.followup_summary(**period)
    assert (summary["discharged"], summary["due"], summary["attempted"], summary["reached"]) == (4, 4, 3, 2)
    assert summary["rate"] == 50
    table = selectors.followup_month_department_table(start=DISCHARGED, end=day(29))
    assert table["total"]["reached"] == 2 and table["total"]["discharged"] == 4
    by_point = {r["day"]: r for r in selectors.followup_by_point(**period)}
    assert (by_point[3]["tasks"], by_point[3]["reached"], by_point[3]["rate"]) == (4, 1, 25)
    assert (by_point[30]["tasks"], by_point[30]["reached"], by_point[30]["rate"]) == (4, 2, 50)
    rows = selectors.stay_rows(**period)
    assert len(rows) == 4  # one row per stay, not per task


def test_a_point_cancelled_by_a_death_is_in_no_rate_and_the_page_and_report_agree(
    client_for, supervisor, neike, caller
):
    """Two stays reached at day 3; one dies before day 30 (its open day-30 task is cancelled), the
    other's day-30 call finds the patient readmitted (ineligible): day 30 then has one task that
    counts, a third stay's, reached. Rate per point: day 3 = 3 of 3, day 30 = 1 of 1 — not 1 of 3.
    The figures page and the report's table show the same rows (one selector)."""
    from reports.builders import build_content

    three_points(supervisor, neike)
    died, readmitted, well = (
        DischargeStayFactory(department=neike, discharged_on=DISCHARGED) for _ in range(3)
    )
    build(day(3))
    for stay in (died, readmitted, well):
        add_attempt(stay.followup_tasks.get(point=1), outcome=Outcome.REACHED)
    FollowupTask.objects.filter(point=1).update(status=TaskStatus.DONE, disposition="complete")
    build(day(31))
    services.patient_flag_deceased(stay=died, actor=caller)
    later = died.followup_tasks.get(point=2)
    assert later.status == TaskStatus.CANCELLED
    task = readmitted.followup_tasks.get(point=2)
    services.task_claim(task=task, actor=caller)
    services.call_record(task=task, actor=caller, data=services.CallInput(outcome=Outcome.READMITTED))
    add_attempt(well.followup_tasks.get(point=2), outcome=Outcome.REACHED)

    period = {"start": DISCHARGED, "end": DISCHARGED}
    by_point = {r["day"]: r for r in selectors.followup_by_point(**period)}
    assert (by_point[3]["tasks"], by_point[3]["reached"]) == (3, 3)
    assert (by_point[30]["tasks"], by_point[30]["reached"], by_point[30]["rate"]) == (1, 1, 100)
    summary = selectors.followup_summary(**period)  # the indicator: each stay once, all three reached
    assert (summary["discharged"], summary["reached"], summary["rate"]) == (3, 3, 100)

    page = client_for(supervisor).get(f"/followups/figures/?start={DISCHARGED}&end={DISCHARGED}")
    shown = [
        (r["day"], r["tasks"], r["attempted"], r["reached"], r["rate"]) for r in page.context["by_point"]
    ]
    with translation.override("zh-hans"):
        content = build_content(
            kind="monthly", start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30), today=day(60)
        )
    table = next(t for t in content.section("followups").tables if t.title == "各随访时间点的回访率")
    month = selectors.followup_by_point(start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
    assert [r[1:] for r in table.rows] == [
        [r["tasks"], r["attempted"], r["reached"], r["rate"]] for r in month
    ]
    assert [r[0] for r in table.rows] == ["第 3 天", "第 30 天"]
    assert shown == [
        (r["day"], r["tasks"], r["attempted"], r["reached"], r["rate"]) for r in by_point.values()
    ]


def test_the_queue_without_plans_is_the_policy_window_as_before(neike):
    stay = DischargeStayFactory(department=neike, discharged_on=DISCHARGED)
    build(day(3), day(31), day(95))
    assert points_of(stay) == [(1, 3, "phone")]


def test_the_figures_page_shows_the_rate_per_time_point(client_for, supervisor, neike):
    three_points(supervisor, neike)
    stay = DischargeStayFactory(department=neike, discharged_on=DISCHARGED)
    build(day(3), day(31))
    add_attempt(stay.followup_tasks.get(point=2), outcome=Outcome.REACHED)
    page = client_for(supervisor).get(f"/followups/figures/?start={DISCHARGED}&end={day(29)}")
    body = page.content.decode()
    assert page.status_code == 200 and "各随访时间点的回访率" in body
    by_point = {r["day"]: r for r in page.context["by_point"]}
    assert (by_point[3]["reached"], by_point[30]["reached"]) == (0, 1)


def test_a_later_point_built_the_morning_its_patient_is_drawn_again_is_written_cancelled(
    supervisor, neike, caller
):
    """The day-30 point of the first stay and the day-3 point of the new one open the same morning:
    the day-30 task is built and cancelled by the readmission at once, with its history row, and
    takes a caller's share like every new phone task."""
    from followups.models import Disposition, DutyRoster, TaskAction

    three_points(supervisor, neike)
    first = DischargeStayFactory(
        department=neike, discharged_on=DISCHARGED, patient_name="王芳", phone="13900000001"
    )
    build(day(3))
    again = DischargeStayFactory(
        department=neike, discharged_on=day(27), patient_name="王芳", phone="13900000001"
    )
    DutyRoster.objects.create(user=caller, day=day(30))
    result = services.call_queue_build(day=day(30))
    assert (result.created, result.later, result.restarted, result.assigned) == (2, 1, 1, 2)
    cancelled = first.followup_tasks.get(point=2)
    assert (cancelled.status, cancelled.disposition) == (TaskStatus.CANCELLED, Disposition.INELIGIBLE)
    assert cancelled.finished_at is not None and cancelled.assigned_to == caller
    step = cancelled.transitions.get()
    assert (step.action, step.from_status, step.to_status, step.comment_key) == (
        TaskAction.CANCEL,
        TaskStatus.PENDING,
        TaskStatus.CANCELLED,
        "followup_task.readmitted",
    )
    assert again.followup_tasks.get().status == TaskStatus.PENDING
