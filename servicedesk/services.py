"""Write side of the service desk. Atomic, keyword-only ``<noun>_<verb>`` functions.

The desk log's save is the hot path (hundreds a day, during a queue): it validates in memory and
writes one INSERT. Bad input raises ``ValidationError`` keyed by field and stores nothing; a step the
user may not take raises ``ActionNotAllowed``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import ComplaintChannel
from complaints.services import complaint_intake
from supervision.errors import ActionNotAllowed
from supervision.infra.cleaning import clean_text
from supervision.models import Department, Role, User

from .models import (
    DeskEntry,
    EntryKind,
    ServiceCentre,
    ServiceKind,
)

OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)
UNDO_WINDOW = dt.timedelta(minutes=1)
MAX_COST = Decimal("100000")
MAX_SLIPS = 200

# field → its longest accepted length (the model's), for the "at most n characters" message.
_LIMITS = {
    "topic": 200,
    "note": 2000,
    "escort_from": 64,
    "escort_to": 64,
    "recovery_failed": 1000,
    "recovery_done": 1000,
    "recovery_approved_by": 64,
}


def _too_long(n: int) -> str:
    return _("At most %(n)s characters.") % {"n": n}


# --- the desk log ---------------------------------------------------------------------------------


def _entry_errors(kind: str, values: dict) -> dict:
    errors = {}
    if kind not in EntryKind.values:
        errors["kind"] = _("Choose what kind of work this was.")
        return errors
    for name, limit in _LIMITS.items():
        if len(values.get(name, "")) > limit:
            errors[name] = _too_long(limit)
    if kind == EntryKind.SERVICE and values.get("service_kind") is None:
        errors["service_kind"] = _("Choose the small service.")
    if kind == EntryKind.COORDINATION and not values.get("note"):
        errors["note"] = _("Say what happened.")
    if kind == EntryKind.RECOVERY:
        if not values.get("recovery_failed"):
            errors["recovery_failed"] = _("Say what failed.")
        if not values.get("recovery_done"):
            errors["recovery_done"] = _("Say what was done.")
        cost = values.get("recovery_cost")
        if cost is not None and not (Decimal(0) <= cost < MAX_COST):
            errors["recovery_cost"] = _("Enter a cost between 0 and 99,999.99 yuan.")
    minutes = values.get("escort_minutes")
    if minutes is not None and not (0 < minutes <= 600):
        errors["escort_minutes"] = _("Enter the minutes the escort took (1 to 600).")
    return errors


def entry_record(
    *,
    centre: ServiceCentre,
    actor: User,
    kind: str,
    department: Department | None = None,
    service_kind: ServiceKind | None = None,
    topic: str = "",
    note: str = "",
    escort_from: str = "",
    escort_to: str = "",
    escort_minutes: int | None = None,
    escort_mode: str = "",
    recovery_failed: str = "",
    recovery_done: str = "",
    recovery_cost: Decimal | None = None,
    recovery_approved_by: str = "",
    recovery_response: str = "",
    client_token: uuid.UUID | None = None,
    recorded_at: dt.datetime | None = None,
) -> tuple[DeskEntry, bool]:
    """Log one piece of desk work: (the entry, whether it is new).

    The caller has checked that ``actor`` works at ``centre`` (the form offers only their centres).
    A ``client_token`` seen before returns the entry stored under it: a form sent again after a
    dropped connection is stored once. One INSERT; nothing else is written.
    """
    values = {
        "topic": clean_text(topic, single_line=True),
        "note": clean_text(note),
        "escort_from": clean_text(escort_from, single_line=True),
        "escort_to": clean_text(escort_to, single_line=True),
        "escort_minutes": escort_minutes,
        "recovery_failed": clean_text(recovery_failed),
        "recovery_done": clean_text(recovery_done),
        "recovery_cost": recovery_cost,
        "recovery_approved_by": clean_text(recovery_approved_by, single_line=True),
        "service_kind": service_kind,
    }
    errors = _entry_errors(kind, values)
    if errors:
        raise ValidationError(errors)
    at = recorded_at or timezone.now()
    entry = DeskEntry(
        centre=centre,
        kind=kind,
        recorded_by=actor,
        recorded_at=at,
        recorded_on=timezone.localtime(at).date(),
        department=department,
        service_kind=service_kind if kind == EntryKind.SERVICE else None,
        escort_mode=escort_mode if kind == EntryKind.ESCORT else "",
        recovery_response=recovery_response if kind == EntryKind.RECOVERY else "",
        client_token=client_token,
        **{k: v for k, v in values.items() if k != "service_kind"},
    )
    if client_token is None:
        entry.save(force_insert=True)
        return entry, True
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        # The same form again: the entry stored the first time (only the recorder's own).
        earlier = DeskEntry.objects.filter(client_token=client_token, recorded_by=actor).first()
        if earlier is None:
            raise
        return earlier, False
    return entry, True


def may_undo(entry: DeskEntry, user: User, *, now: dt.datetime | None = None) -> bool:
    """The recorder may take an entry back within a minute of saving it (a wrong tap), unless it
    has become a complaint."""
    now = now or timezone.now()
    return (
        entry.recorded_by_id == user.pk
        and entry.complaint_id is None
        and now - entry.recorded_at <= UNDO_WINDOW
    )


@transaction.atomic
def entry_undo(*, entry: DeskEntry, actor: User) -> None:
    locked = DeskEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.recorded_by_id != actor.pk:
        raise ActionNotAllowed(_("Only the person who logged an entry can undo it."))
    if not may_undo(locked, actor):
        raise ActionNotAllowed(_("An entry can be undone only within a minute of saving it."))
    locked.delete()


def may_make_complaint(entry: DeskEntry, user: User) -> bool:
    return (
        entry.kind in (EntryKind.COORDINATION, EntryKind.RECOVERY)
        and entry.complaint_id is None
        and (user.has_role(*OFFICE) or (user.has_role(Role.DESK) and entry.recorded_by_id == user.pk))
    )


@transaction.atomic
def entry_make_complaint(*, entry: DeskEntry, actor: User):
    """Turn a coordination (or a failed service) into a complaint, received at the front desk by the
    desk person who logged it: they are its first-contact owner (首诉负责制), whoever presses."""
    locked = DeskEntry.objects.select_for_update().select_related("recorded_by").get(pk=entry.pk)
    if not may_make_complaint(locked, actor):
        if locked.complaint_id is not None:
            raise ActionNotAllowed(_("This entry is already a complaint."))
        raise ActionNotAllowed(_("Only coordinations and service recoveries can become complaints."))
    content = locked.note or locked.recovery_failed or locked.topic
    if locked.kind == EntryKind.RECOVERY and locked.recovery_done:
        content = f"{content}\n{locked.recovery_done}"
    complaint = complaint_intake(
        channel=ComplaintChannel.FRONT_DESK,
        received_by=locked.recorded_by,
        content=content,
        department=locked.department,
        source_object=locked,
        received_at=locked.recorded_at,
    )
    DeskEntry.objects.filter(pk=locked.pk).update(complaint=complaint)
    return complaint
