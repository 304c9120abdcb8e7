#!/usr/bin/env python
"""Time the morning queue build and the call lists with a large task table.

    .venv/bin/python benchmarks/bench_call_queue.py [--tasks 1000000] [--per-day 200] [--callers 10] [--repeats 5]

In a throw-away test database (Django's test-database creation on the configured backend):
1. loads ``--tasks`` finished historical stays + tasks (bulk, spread over 3 years, 10 departments,
   ``--callers`` follow-up users) so the table is the size a large hospital reaches;
2. adds ``--per-day`` discharges for each of the last 8 days and times ``call_queue_build`` for today
   (first run builds, second run must create nothing: idempotence under load);
3. times the caller's list (``my_tasks_today``), the pool and the month × department figures,
   each ``--repeats`` times, with the query count and the query plan of the caller's list.
Prints JSON (seconds median/min/max, queries).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from followups import selectors, services  # noqa: E402
from followups.models import Disposition, DutyRoster, FollowupTask, TaskSource, TaskStatus  # noqa: E402
from supervision.models import Department, DepartmentKind, DischargeStay, Role, User  # noqa: E402

BATCH = 5000


def timed(fn, repeats: int) -> dict:
    seconds, queries = [], 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return {
        "seconds_median": round(statistics.median(seconds), 4),
        "seconds_min": round(min(seconds), 4),
        "seconds_max": round(max(seconds), 4),
        "queries": queries,
    }


def load_history(n: int, departments, callers, rng) -> None:
    today = timezone.localdate()
    for start in range(0, n, BATCH):
        stays = []
        for i in range(start, min(n, start + BATCH)):
            discharged = today - dt.timedelta(days=30 + rng.randrange(3 * 365))
            stays.append(
                DischargeStay(
                    admission_no=f"H{i:09d}",
                    patient_name="患者",
                    phone=f"138{i:08d}",
                    department_id=rng.choice(departments),
                    admitted_on=discharged - dt.timedelta(days=5),
                    discharged_on=discharged,
                    # Each gets one reached task below: its follow-up flags (followups.outcomes).
                    followup_due=True,
                    followup_attempted=True,
                    followup_reached=True,
                )
            )
        DischargeStay.objects.bulk_create(stays, batch_size=BATCH)
        ids = DischargeStay.objects.filter(admission_no__in=[s.admission_no for s in stays]).values_list(
            "id", "department_id", "discharged_on"
        )
        FollowupTask.objects.bulk_create(
            [
                FollowupTask(
                    stay_id=sid,
                    department_id=dept,
                    source=TaskSource.QUEUE,
                    status=TaskStatus.DONE,
                    disposition=Disposition.COMPLETE,
                    contacted=True,
                    attempt_count=1,
                    due_on=d + dt.timedelta(days=3),
                    expires_on=d + dt.timedelta(days=7),
                    assigned_to_id=rng.choice(callers),
                )
                for sid, dept, d in ids
            ],
            batch_size=BATCH,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=200)
    parser.add_argument("--callers", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(3)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        departments = [
            Department.objects.get_or_create(
                code=f"B{i}", defaults={"name": f"科室{i}", "kind": DepartmentKind.CLINICAL}
            )[0].pk
            for i in range(10)
        ]
        group = Group.objects.get(name=Role.FOLLOWUP)
        callers = []
        for i in range(args.callers):
            user = User.objects.create(username=f"bench-caller-{i}", full_name=f"回访员{i}")
            user.groups.add(group)
            callers.append(user.pk)
        today = timezone.localdate()
        for pk in callers:
            DutyRoster.objects.create(user_id=pk, day=today)
        start = time.perf_counter()
        load_history(args.tasks, departments, callers, rng)
        load_seconds = time.perf_counter() - start
        fresh = []
        for back in range(1, 9):
            for i in range(args.per_day):
                fresh.append(
                    DischargeStay(
                        admission_no=f"N{back:02d}{i:06d}",
                        patient_name="新患者",
                        phone=f"139{back:02d}{i:06d}",
                        department_id=rng.choice(departments),
                        admitted_on=today - dt.timedelta(days=back + 5),
                        discharged_on=today - dt.timedelta(days=back),
                    )
                )
        DischargeStay.objects.bulk_create(fresh, batch_size=BATCH)

        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            built = services.call_queue_build(day=today)
            build_seconds = time.perf_counter() - t0
        with CaptureQueriesContext(connection) as ctx2:
            t0 = time.perf_counter()
            again = services.call_queue_build(day=today)
            rebuild_seconds = time.perf_counter() - t0

        caller = User.objects.get(pk=callers[0])
        month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        list_qs = selectors.my_tasks_today(caller, today=today)
        out = {
            "tasks_in_table": FollowupTask.objects.count(),
            "load_seconds": round(load_seconds, 1),
            "queue_build": {
                "seconds": round(build_seconds, 3),
                "queries": len(ctx.captured_queries),
                "created": built.created,
                "assigned": built.assigned,
            },
            "queue_rebuild_same_day": {
                "seconds": round(rebuild_seconds, 3),
                "queries": len(ctx2.captured_queries),
                "created": again.created,
            },
            "my_tasks_today": timed(lambda: list(list_qs.all()[:200]), args.repeats),
            "pool_tasks": timed(lambda: list(selectors.pool_tasks(today=today)[:50]), args.repeats),
            "figures_month_department_two_months": timed(
                lambda: selectors.followup_month_department_table(start=month_start, end=today), args.repeats
            ),
            "my_tasks_plan": list_qs[:200].explain(),
            "database": connection.vendor,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
