"""The morning queue's queries do not grow with the number of time points due (issue 19 follow-up
item 5): 20 and 200 stays of one department and discharge day, drawn at day 3, called again at day 30
(their day-3 tasks expiring the same morning), take the same queries — only the bulk INSERTs split
into the batches the database's parameter limit allows (SQLite: 999 per statement, so about 38 task
rows; PostgreSQL: 1,000 rows). The ≤ 5 s at 250,000 stays a year is `make bench`'s
(docs/followups.md → Performance)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups import services
from followups.models import DutyRoster, FollowupTask, QueueDraw, TaskTransition
from supervision.models import DischargeStay
from tests.factories import DischargeStayFactory

pytestmark = pytest.mark.django_db

DISCHARGED = dt.date(2026, 9, 1)
BULK = {FollowupTask._meta.db_table: FollowupTask, TaskTransition._meta.db_table: TaskTransition}


def _inserts_at_most(model, rows: int) -> int:
    """How many INSERT statements ``bulk_create`` of ``rows`` rows may take on this database."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    per_statement = min(1000, connection.ops.bulk_batch_size(fields, [None] * rows) or rows)
    return math.ceil(rows / per_statement)


def _queries(day: dt.date, n: int) -> tuple[Counter, services.QueueResult]:
    with CaptureQueriesContext(connection) as captured:
        result = services.call_queue_build(day=day)
    statements: Counter = Counter()
    inserts: Counter = Counter()
    for query in captured.captured_queries:
        table = re.match(r'INSERT INTO "(\w+)"', query["sql"])
        if table and table.group(1) in BULK:
            inserts[table.group(1)] += 1
            statements[f"bulk insert into {table.group(1)}"] = 1  # one bulk_create, however many batches
            continue
        statements[re.sub(r"\d+", "N", query["sql"])[:160]] += 1  # numbers blanked
    for table, count in inserts.items():
        assert count <= _inserts_at_most(BULK[table], n), (table, count)
    return statements, result


def _mornings(n: int, department) -> tuple[Counter, Counter]:
    """Build day 3 and day 30 for ``n`` stays; the statements of each morning."""
    for _ in range(n):
        DischargeStayFactory(department=department, discharged_on=DISCHARGED)
    first, drawn = _queries(DISCHARGED + dt.timedelta(days=3), n)
    assert (drawn.created, drawn.assigned) == (n, n)
    later, built = _queries(DISCHARGED + dt.timedelta(days=30), n)
    assert (built.created, built.later, built.expired, built.assigned) == (n, n, n, n)
    TaskTransition.objects.all().delete()
    FollowupTask.objects.all().delete()
    QueueDraw.objects.all().delete()
    DischargeStay.objects.all().delete()
    return first, later


def test_the_morning_queue_costs_the_same_queries_for_20_and_200_due_points(supervisor, caller, neike):
    services.policy_default()  # created on the first build ever: not part of a morning's cost
    services.plan_save(
        actor=supervisor,
        department=neike,
        name="3 / 30",
        points=[services.PointInput(day=3, window_days=4), services.PointInput(day=30, window_days=7)],
        today=dt.date(2026, 8, 1),
    )
    for offset in (3, 30):
        DutyRoster.objects.create(user=caller, day=DISCHARGED + dt.timedelta(days=offset))
    small = _mornings(20, neike)
    large = _mornings(200, neike)
    for few, many in zip(small, large, strict=True):
        assert many == few, (many - few, few - many)


def _normalised(sql: str) -> str:
    """A statement with its numbers, quoted values and lists of values blanked: its kind."""
    sql = re.sub(r"'[^']*'", "S", sql)
    sql = re.sub(r"\d+", "N", sql)
    return re.sub(r"\((?:\s*(?:%s|N|S|NULL)\s*,)*\s*(?:%s|N|S|NULL)\s*\)", "(L)", sql)


def _readmission_morning(supervisor, caller, departments, *, days: int, per_day: int, readmitted: int):
    """Day 3 draws of ``departments`` × ``days`` discharge days × ``per_day`` stays, with
    ``readmitted`` patients discharged again while their day-30 call is open (the plan restarts):
    the kinds of statement of that morning and how many of each, the bulk inserts' batches as one."""
    first_stays = [
        DischargeStayFactory(
            department=departments[i % len(departments)],
            discharged_on=DISCHARGED,
            patient_name=f"复诊{i}",
            phone=f"1390000{i:04d}",
        )
        for i in range(readmitted)
    ]
    services.call_queue_build(day=DISCHARGED + dt.timedelta(days=3))
    services.call_queue_build(day=DISCHARGED + dt.timedelta(days=31))
    again = DISCHARGED + dt.timedelta(days=33)
    morning = again + dt.timedelta(days=3)
    for i, stay in enumerate(first_stays):
        DischargeStayFactory(
            department=stay.department, discharged_on=again, patient_name=f"复诊{i}", phone=stay.phone
        )
    for department in departments:
        for back in range(days):
            for _ in range(per_day):
                DischargeStayFactory(department=department, discharged_on=again - dt.timedelta(days=back))
    DutyRoster.objects.create(user=caller, day=morning)
    with CaptureQueriesContext(connection) as captured:
        result = services.call_queue_build(day=morning)
    assert result.restarted == readmitted
    assert result.draws == len(departments) * days
    assert result.created == readmitted + len(departments) * days * per_day
    kinds: Counter = Counter()
    for query in captured.captured_queries:
        table = re.match(r'INSERT INTO "(\w+)"', query["sql"])
        kinds[f"insert into {table.group(1)}" if table else _normalised(query["sql"])] += 0 if table else 1
    for table in {k for k in kinds if k.startswith("insert into")}:
        kinds[table] = 1  # one bulk_create, however many batches the database's parameter limit needs
    return kinds


def test_the_queue_costs_the_same_queries_for_few_and_many_departments_days_discharges_and_returns(
    supervisor, caller
):
    """The draws of many departments and discharge days, and the plans restarted for many returning
    patients, are read and written in bulk: 4 draws of 1 stay and 1 restart take the same statements
    as 30 draws of 3 stays and 6 restarts (issue 23 item 3: one query per kind of thing)."""
    from tests.factories import DepartmentFactory

    services.policy_default()
    services.plan_save(
        actor=supervisor,
        name="3 / 30",
        points=[services.PointInput(day=3, window_days=4), services.PointInput(day=30, window_days=7)],
        today=dt.date(2026, 8, 1),
    )
    few = _readmission_morning(
        supervisor, caller, [DepartmentFactory() for _ in range(2)], days=2, per_day=1, readmitted=1
    )
    TaskTransition.objects.all().delete()
    FollowupTask.objects.all().delete()
    QueueDraw.objects.all().delete()
    DischargeStay.objects.all().delete()
    DutyRoster.objects.all().delete()
    many = _readmission_morning(
        supervisor, caller, [DepartmentFactory() for _ in range(6)], days=5, per_day=3, readmitted=6
    )
    assert many == few, (many - few, few - many)
