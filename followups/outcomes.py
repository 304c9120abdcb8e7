"""The stays' follow-up outcome flags (``DischargeStay.followup_due`` / ``_attempted`` / ``_reached``).

The invariant, for every stay at every commit: ``followup_due`` ⇔ the stay has a ``FollowupTask`` (in
any state, cancelled ones too); ``followup_attempted`` ⇔ one of its tasks has ``attempt_count > 0``;
``followup_reached`` ⇔ one of its tasks has ``contacted``. The follow-up rate's counts
(``selectors._STAY_COUNTS``) read the flags instead of joining the period's stays to their tasks.

Every writer of tasks or of those two task fields keeps them, in its own transaction: the queue
build and a stay added by hand (due), a call, a letter or a web form (attempted, reached), the history
import and the admin (recomputed from the tasks). Nothing else changes them: cancelling, expiring or
finishing a task changes its state, not whether it exists, was attempted or reached; tasks are never
deleted with the application (the stay protects them), and retention anonymises, keeping the figures.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from supervision.infra.imports.pipeline import chunks
from supervision.models import DischargeStay

from .models import FollowupTask


def _chunks(ids: Iterable[int]):
    """The distinct ids in order, in slices within SQLite's limit on query parameters."""
    return chunks(sorted(set(ids)))


def stays_mark_due(stay_ids: Iterable[int]) -> int:
    """The stays got a task: one UPDATE per 900 stays, of those not marked yet."""
    return sum(
        DischargeStay.objects.filter(pk__in=chunk, followup_due=False).update(followup_due=True)
        for chunk in _chunks(stay_ids)
    )


def stay_mark_attempt(stay: DischargeStay, *, reached: bool) -> None:
    """One attempt was recorded on a task of ``stay`` (reached or not). ``stay`` is the row read
    under the task's lock: when its flags already say so, nothing is written (no query)."""
    if stay.followup_due and stay.followup_attempted and (stay.followup_reached or not reached):
        return
    changed = {"followup_due": True, "followup_attempted": True}
    if reached:
        changed["followup_reached"] = True
    DischargeStay.objects.filter(pk=stay.pk).update(**changed)
    for name, value in changed.items():
        setattr(stay, name, value)


def stays_refresh(stay_ids: Iterable[int]) -> int:
    """Recompute the flags of these stays from their tasks (one UPDATE per 900 stays): for writers
    that replace task counts wholesale (the history import) or edit tasks freely (the admin)."""
    tasks = FollowupTask.objects.filter(stay_id=OuterRef("pk"))
    return sum(
        DischargeStay.objects.filter(pk__in=chunk).update(
            followup_due=Exists(tasks),
            followup_attempted=Exists(tasks.filter(attempt_count__gt=0)),
            followup_reached=Exists(tasks.filter(contacted=True)),
        )
        for chunk in _chunks(stay_ids)
    )


def stays_out_of_step(stays=None):
    """The stays whose flags disagree with their tasks (none, while the invariant holds): for tests
    and for checking a database by hand (``stays_out_of_step().count()``)."""
    tasks = FollowupTask.objects.filter(stay_id=OuterRef("pk"))
    qs = (stays if stays is not None else DischargeStay.objects.all()).alias(
        has_task=Exists(tasks),
        has_attempt=Exists(tasks.filter(attempt_count__gt=0)),
        has_contact=Exists(tasks.filter(contacted=True)),
    )
    return qs.filter(
        Q(followup_due=True, has_task=False)
        | Q(followup_due=False, has_task=True)
        | Q(followup_attempted=True, has_attempt=False)
        | Q(followup_attempted=False, has_attempt=True)
        | Q(followup_reached=True, has_contact=False)
        | Q(followup_reached=False, has_contact=True)
    )
