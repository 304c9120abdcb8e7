"""The migration to follow-up plans keeps every task and makes it its stay's time point 1."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migrating import migrate_to, restore

# The stay fields added with the plans (ICD-10 code, address) come off too: old rows lack them.
BEFORE = [("followups", "0005_stored_text_keys"), ("supervision", "0015_finding_decision")]
AFTER = [("followups", "0006_plans_time_points")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_tasks_become_time_point_one_with_their_policy_window_start():
    try:
        old = migrate_to(*BEFORE)
        Department = old.get_model("supervision", "Department")
        Stay = old.get_model("supervision", "DischargeStay")
        Policy = old.get_model("followups", "FollowupPolicy")
        Task = old.get_model("followups", "FollowupTask")
        cardio = Department.objects.create(code="MIG1", name="迁移心内科")
        other = Department.objects.create(code="MIG2", name="迁移外科")
        Policy.objects.update_or_create(
            department=None, defaults={"window_start_day": 2, "window_end_day": 6}
        )
        Policy.objects.create(department=cardio, window_start_day=5, window_end_day=9)
        ids = {}
        for department in (cardio, other):
            stay = Stay.objects.create(
                admission_no=f"ZYMIG{department.code}",
                patient_name="迁移",
                department=department,
                admitted_on=dt.date(2026, 1, 1),
                discharged_on=dt.date(2026, 1, 5),
            )
            task = Task.objects.create(
                stay=stay,
                department=department,
                due_on=dt.date(2026, 1, 8),
                expires_on=dt.date(2026, 1, 12),
                status="done",
                contacted=True,
            )
            ids[department.code] = (stay.pk, task.pk)

        new = migrate_to(*AFTER)
        Task = new.get_model("followups", "FollowupTask")
        rows = {t.pk: t for t in Task.objects.filter(pk__in=[t for _s, t in ids.values()])}
        assert len(rows) == 2
        cardio_task = rows[ids["MIG1"][1]]
        other_task = rows[ids["MIG2"][1]]
        # Every row kept, with its stay and status; point 1 opened on the department's policy day.
        assert (cardio_task.stay_id, cardio_task.status, cardio_task.contacted) == (
            ids["MIG1"][0],
            "done",
            True,
        )
        assert (cardio_task.point, cardio_task.point_day) == (1, 5)
        assert (other_task.point, other_task.point_day) == (1, 2)
        assert cardio_task.plan_point_id is None
        # The stay may now hold a second time point (the one-to-one is gone) …
        Task.objects.create(
            stay_id=ids["MIG1"][0],
            department_id=cardio_task.department_id,
            point=2,
            point_day=30,
            due_on=dt.date(2026, 2, 4),
            expires_on=dt.date(2026, 2, 8),
        )
        assert Task.objects.filter(stay_id=ids["MIG1"][0]).count() == 2
    finally:
        restore()
