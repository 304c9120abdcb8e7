"""Factories of the follow-up app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from followups import outcomes, parsing
from followups.models import OUTCOME_RULES, CallAttempt, FollowupTask, TaskStatus
from tests.factories import DischargeStayFactory


def make_task(*, stay=None, assigned_to=None, status=TaskStatus.PENDING, due_on=None, **kw) -> FollowupTask:
    stay = stay or DischargeStayFactory(**kw.pop("stay_kw", {}))
    due_on = due_on or timezone.localdate()
    kw.setdefault("questionnaire_code", "inpatient")
    task = FollowupTask.objects.create(
        stay=stay,
        department=stay.department,
        patient_key=parsing.patient_key(stay.patient_name, stay.phone),
        due_on=due_on,
        expires_on=kw.pop("expires_on", due_on + dt.timedelta(days=4)),
        assigned_to=assigned_to,
        status=status,
        **kw,
    )
    outcomes.stays_refresh([stay.pk])  # the stay's follow-up flags, as the services keep them
    return task


def add_attempt(task, *, outcome, caller=None, when=None, **kw) -> CallAttempt:
    """A raw attempt plus the task fields the services would set (for figure tests)."""
    when = when or timezone.now()
    disposition, contacted, _retry = OUTCOME_RULES[outcome]
    attempt = CallAttempt.objects.create(
        task=task,
        caller=caller,
        caller_name=getattr(caller, "full_name", ""),
        attempted_at=when,
        attempted_on=timezone.localtime(when).date(),
        outcome=outcome,
        disposition=disposition,
        contacted=contacted,
        **kw,
    )
    task.attempt_count += 1
    task.contacted = task.contacted or contacted
    task.save(update_fields=["attempt_count", "contacted"])
    outcomes.stays_refresh([task.stay_id])
    return attempt
