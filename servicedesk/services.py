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
from supervision.models import Department, Role, Staff, User

from . import search
from .models import (
    BoxOpening,
    DeskEntry,
    EntryKind,
    KnowledgeEntry,
    KnowledgeFlag,
    ServiceCentre,
    ServiceKind,
    Slip,
    SlipKind,
    SuggestionBox,
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


# --- the knowledge base -----------------------------------------------------------------------

REVIEW_AFTER = dt.timedelta(days=180)
KNOWLEDGE_EDITORS = (Role.DESK, *OFFICE)
_KNOWLEDGE_LIMITS = {
    "title": 128,
    "body": 4000,
    "location": 128,
    "hours": 128,
    "specialties": 256,
    "hospital": 64,
    "keywords": 256,
}


def knowledge_keys(entry: KnowledgeEntry, department_name: str = "") -> None:
    """Fill the derived search columns of ``entry`` (before it is saved)."""
    entry.initials = search.initials_key(entry.title, entry.keywords, entry.specialties)
    entry.search_text = search.search_text_of(
        entry.title,
        entry.keywords,
        entry.specialties,
        entry.location,
        entry.hours,
        entry.hospital,
        department_name,
        entry.body,
    )


@transaction.atomic
def knowledge_save(*, actor: User, entry: KnowledgeEntry | None = None, **fields) -> KnowledgeEntry:
    """Create or change a knowledge-base entry. Saving it is a review: the open "wrong answer"
    flags are resolved and, unless a date is given, the next review is in six months."""
    if not actor.has_role(*KNOWLEDGE_EDITORS):
        raise ActionNotAllowed(_("You may not change the knowledge base."))
    entry = entry or KnowledgeEntry()
    for name, value in fields.items():
        if name in _KNOWLEDGE_LIMITS:
            value = clean_text(value or "", single_line=name != "body")
        setattr(entry, name, value)
    errors = {
        name: _too_long(limit)
        for name, limit in _KNOWLEDGE_LIMITS.items()
        if len(getattr(entry, name) or "") > limit
    }
    if not entry.title:
        errors["title"] = _("Give the entry a title.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if not fields.get("review_due"):
        entry.review_due = today + REVIEW_AFTER
    if entry.owner_id is None:
        entry.owner = actor
    knowledge_keys(entry, entry.department.name if entry.department_id else "")
    duplicate = KnowledgeEntry.objects.filter(kind=entry.kind, title=entry.title, hospital=entry.hospital)
    if duplicate.exclude(pk=entry.pk).exists():
        raise ValidationError({"title": _("The knowledge base already has an entry with this title.")})
    entry.save()
    KnowledgeFlag.objects.filter(entry=entry, resolved_at__isnull=True).update(
        resolved_by=actor, resolved_at=timezone.now()
    )
    return entry


def knowledge_flag(*, entry: KnowledgeEntry, actor: User, note: str) -> KnowledgeFlag:
    """The desk found an answer wrong: the entry shows the flag until its next save."""
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say what is wrong with the answer.")})
    if len(note) > 1000:
        raise ValidationError({"note": _too_long(1000)})
    return KnowledgeFlag.objects.create(entry=entry, note=note, flagged_by=actor)


# --- the suggestion box ---------------------------------------------------------------------------

BOX_KEEPERS = (Role.DESK, *OFFICE)


def _slip_errors(index: int, slip: dict) -> dict:
    errors = {}
    prefix = _("Slip %(n)s") % {"n": index}
    if slip.get("kind") not in SlipKind.values:
        errors[f"{index}-kind"] = f"{prefix}: " + _("choose praise, suggestion or complaint.")
    if not slip["content"]:
        errors[f"{index}-content"] = f"{prefix}: " + _("copy what the slip says.")
    elif len(slip["content"]) > 2000:
        errors[f"{index}-content"] = f"{prefix}: " + _too_long(2000)
    for name, limit in (("praised_name", 64), ("writer", 64), ("writer_phone", 20)):
        if len(slip[name]) > limit:
            errors[f"{index}-{name}"] = f"{prefix}: " + _too_long(limit)
    return errors


def _match_staff(slip: Slip) -> None:
    """A praised name matched to the roster where exactly one active member of the department has it."""
    if slip.staff_id or not slip.praised_name or not slip.department_id:
        return
    candidates = list(
        Staff.objects.filter(name=slip.praised_name, active=True, department_id=slip.department_id)[:2]
    )
    if len(candidates) == 1:
        slip.staff = candidates[0]


@transaction.atomic
def opening_record(
    *, box: SuggestionBox, actor: User, opened_on: dt.date, witness: str = "", slips: list[dict]
) -> BoxOpening:
    """Record one opening of ``box`` and every slip found in it, all or nothing.

    A complaint slip becomes a complaint (channel: suggestion box) received by the person who opened
    the box, who owns it first; a praise slip is an entry of the praise ledger (matched to the roster
    when the name is unambiguous). ``slips``: dicts of kind, content, department, staff,
    praised_name, writer, writer_phone."""
    if not actor.has_role(*BOX_KEEPERS):
        raise ActionNotAllowed(_("You may not record box openings."))
    errors = {}
    if opened_on > timezone.localdate():
        errors["opened_on"] = _("The opening date cannot be in the future.")
    elif BoxOpening.objects.filter(box=box, opened_on=opened_on).exists():
        errors["opened_on"] = _("This box's opening on that day is already recorded.")
    if len(slips) > MAX_SLIPS:
        errors["slips"] = _("At most %(n)s slips in one opening.") % {"n": MAX_SLIPS}
    cleaned = []
    for index, slip in enumerate(slips, 1):
        slip = {
            **slip,
            "content": clean_text(slip.get("content", "")),
            "praised_name": clean_text(slip.get("praised_name", ""), single_line=True),
            "writer": clean_text(slip.get("writer", ""), single_line=True),
            "writer_phone": clean_text(slip.get("writer_phone", ""), single_line=True),
        }
        errors.update(_slip_errors(index, slip))
        cleaned.append(slip)
    if errors:
        raise ValidationError(errors)
    # A complaint found in the box counts from the day the box was opened (the figures, the time limits).
    received_at = timezone.now()
    if opened_on < timezone.localdate():
        received_at = timezone.make_aware(dt.datetime.combine(opened_on, dt.time(12)))
    opening = BoxOpening.objects.create(
        box=box, opened_on=opened_on, opened_by=actor, witness=clean_text(witness, single_line=True)[:64]
    )
    for slip in cleaned:
        row = Slip(
            opening=opening,
            kind=slip["kind"],
            content=slip["content"],
            department=slip.get("department") or box.department,
            staff=slip.get("staff") if slip["kind"] == SlipKind.PRAISE else None,
            praised_name=slip["praised_name"] if slip["kind"] == SlipKind.PRAISE else "",
            writer=slip["writer"],
            writer_phone=slip["writer_phone"],
        )
        if row.kind == SlipKind.PRAISE:
            _match_staff(row)
        row.save()
        if row.kind == SlipKind.COMPLAINT:
            row.complaint = complaint_intake(
                channel=ComplaintChannel.SUGGESTION_BOX,
                received_by=actor,
                content=row.content,
                department=row.department,
                complainant_name=row.writer,
                complainant_phone=row.writer_phone,
                source_object=row,
                received_at=received_at,
            )
            Slip.objects.filter(pk=row.pk).update(complaint=row.complaint)
    return opening
