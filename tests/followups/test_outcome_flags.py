"""The stays' follow-up flags (``followups.outcomes``): the follow-up rate counts stays by them, and
its figures are the ones the join of every stay to its tasks gave — for stays with several tasks,
reached at one time point and not another, attempted and never reached, cancelled, without a task."""

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followups import outcomes, selectors, services
from followups.models import FollowupTask, Outcome, TaskStatus
from supervision.models import DischargeStay
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task

pytestmark = pytest.mark.django_db

# The counts as they were read before the flags: every stay of the period joined to its tasks.
JOINED = {
    "discharged": Count("id", distinct=True),
    "due": Count("followup_tasks__stay_id", distinct=True),
    "attempted": Count("id", distinct=True, filter=Q(followup_tasks__attempt_count__gt=0)),
    "reached": Count("id", distinct=True, filter=Q(followup_tasks__contacted=True)),
}
START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def joined_cells(departments=None) -> list[dict]:
    qs = DischargeStay.objects.filter(discharged_on__gte=START, discharged_on__lte=END)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    rows = qs.annotate(month=TruncMonth("discharged_on")).values("department_id", "month").annotate(**JOINED)
    return sorted(
        (
            {**r, "month": r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]}
            for r in rows.order_by()
        ),
        key=lambda r: (r["department_id"], r["month"]),
    )


def flagged_cells(departments=None) -> list[dict]:
    cells = selectors.followup_month_department_cells(start=START, end=END, departments=departments)["cells"]
    return sorted(cells, key=lambda r: (r["department_id"], r["month"]))


def flags() -> dict[int, tuple[bool, bool, bool]]:
    return {
        pk: (due, attempted, reached)
        for pk, due, attempted, reached in DischargeStay.objects.values_list(
            "pk", "followup_due", "followup_attempted", "followup_reached"
        )
    }


# A stay: its department (0/1), day of the period, and its tasks as (attempts, contacted, status).
tasks_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.booleans(),
        st.sampled_from([TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELLED]),
    ),
    max_size=3,
)
stays_strategy = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, (END - START).days + 20), tasks_strategy),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    deadline=None,
    database=None,
    derandomize=os.environ.get("HYPOTHESIS_DERANDOMIZE") == "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stays=stays_strategy)
def test_counts_by_the_flags_equal_the_join_of_the_stays_to_their_tasks(neike, waike, stays):
    FollowupTask.objects.all().delete()
    DischargeStay.objects.all().delete()
    departments = [neike, waike]
    for department, day, tasks in stays:
        stay = DischargeStayFactory(
            department=departments[department], discharged_on=START + dt.timedelta(days=day)
        )
        for point, (attempts, contacted, status) in enumerate(tasks, start=1):
            # Written raw (no flags kept): as the rows stood before the flags existed.
            FollowupTask.objects.filter(pk=make_task(stay=stay, point=point, status=status).pk).update(
                attempt_count=attempts, contacted=contacted and attempts > 0
            )
    DischargeStay.objects.update(followup_due=False, followup_attempted=False, followup_reached=False)
    # The migration's fill (one UPDATE … FROM) and the services' recomputation agree…
    fill = MigrationExecutor(connection).loader.get_migration("followups", "0013_stay_followup_outcome_fill")
    from django.apps import apps

    # The function as the migration runs it, given what it uses of a schema editor.
    fill.operations[0].code(
        apps, SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    )
    filled = flags()
    assert outcomes.stays_out_of_step().count() == 0
    outcomes.stays_refresh(filled)
    assert flags() == filled
    # … and the figures read by the flags are the join's, per cell and for any departments.
    assert flagged_cells() == joined_cells()
    assert flagged_cells([neike.pk]) == joined_cells([neike.pk])
    summary = selectors.followup_summary(start=START, end=END)
    assert {k: summary[k] for k in JOINED} == DischargeStay.objects.filter(
        discharged_on__gte=START, discharged_on__lte=END
    ).aggregate(**JOINED)


def test_a_stay_reached_at_its_second_time_point_only_is_reached_once_through_the_calls(neike):
    caller = UserFactory(username="fu-caller", roles=["followup"])
    stay = DischargeStayFactory(department=neike, discharged_on=dt.date(2026, 1, 10), phone="13800138000")
    first = make_task(stay=stay, point=1, assigned_to=caller)
    second = make_task(stay=stay, point=2, assigned_to=caller)
    assert flags()[stay.pk] == (True, False, False)
    for task, outcome in ((first, Outcome.NO_ANSWER), (first, Outcome.WRONG_NUMBER)):
        services.task_claim(task=task, actor=caller)
        services.call_record(task=task, actor=caller, data=services.CallInput(outcome=outcome))
    assert flags()[stay.pk] == (True, True, False)
    services.task_claim(task=second, actor=caller)
    services.call_record(task=second, actor=caller, data=services.CallInput(outcome=Outcome.REACHED))
    assert flags()[stay.pk] == (True, True, True)
    jan = selectors.followup_summary(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert (jan["discharged"], jan["due"], jan["attempted"], jan["reached"]) == (1, 1, 1, 1)


def test_a_second_unreached_call_writes_nothing_to_the_stay(neike, django_assert_num_queries):
    caller = UserFactory(username="fu-caller", roles=["followup"])
    stay = DischargeStayFactory(department=neike, phone="13800138000")
    task = make_task(stay=stay, assigned_to=caller)
    services.task_claim(task=task, actor=caller)
    services.call_record(task=task, actor=caller, data=services.CallInput(outcome=Outcome.NO_ANSWER))
    assert flags()[stay.pk] == (True, True, False)
    locked = FollowupTask.objects.select_related("stay").get(pk=task.pk)
    with django_assert_num_queries(0):  # the stay read under the task's lock already says so
        outcomes.stay_mark_attempt(locked.stay, reached=False)
    services.task_claim(task=task, actor=caller)
    services.call_record(task=task, actor=caller, data=services.CallInput(outcome=Outcome.REACHED))
    assert flags()[stay.pk] == (True, True, True)


def test_a_task_deleted_in_the_admin_takes_its_stays_flags_with_it(admin_client, neike):
    kept, alone, bulk = (DischargeStayFactory(department=neike) for _ in range(3))
    make_task(stay=kept, point=1)
    other = make_task(stay=kept, point=2)
    FollowupTask.objects.filter(pk=other.pk).update(attempt_count=1, contacted=True)
    outcomes.stays_refresh([kept.pk])
    lone = make_task(stay=alone)
    several = make_task(stay=bulk)
    assert flags()[kept.pk] == (True, True, True) and flags()[alone.pk] == (True, False, False)
    response = admin_client.post(f"/admin/followups/followuptask/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(
        "/admin/followups/followuptask/",
        {"action": "delete_selected", "_selected_action": [lone.pk, several.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert flags()[kept.pk] == (True, False, False)  # its other task is left, never attempted
    assert flags()[alone.pk] == flags()[bulk.pk] == (False, False, False)
