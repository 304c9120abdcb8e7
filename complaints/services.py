"""Write side of complaints. Atomic, keyword-only ``complaint_<verb>`` functions.

Every status change goes through the ``COMPLAINTS`` state machine (``supervision.workflow``), which
re-reads the complaint under a row lock (``select_for_update``), so two people pressing the same
button cannot both succeed; a refused action raises ``ActionNotAllowed`` and changes nothing. Every
step writes a ``ComplaintTransition`` row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision import events, privacy
from supervision import texts as core_texts
from supervision.errors import ActionNotAllowed
from supervision.infra.cleaning import clean_text, phone_digits
from supervision.infra.uploads import CleanUpload
from supervision.infra.wording import Worded
from supervision.models import (
    Category,
    Department,
    EscalationRung,
    FindingSource,
    NotificationKind,
    Role,
    RungTarget,
    Severity,
    SiteConfig,
    Staff,
    User,
)
from supervision.services import (
    department_heads,
    finding_create,
    ladder_for,
    ladder_recipients,
    notification_send,
    users_with_role,
)
from supervision.texts import with_text
from supervision.workflow import Action, Machine

from . import letters, texts, workdays
from .models import (
    AWAITING_ANSWER,
    VALID_DETERMINATIONS,
    AnswerKind,
    AnswerMethod,
    AttachmentKind,
    Complaint,
    ComplaintAction,
    ComplaintAssignment,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintLetter,
    ComplaintPause,
    ComplaintStatus,
    ComplaintTransition,
    ContactRating,
    Determination,
    NotAcceptedReason,
    OwnerChange,
    PauseKind,
    ReplyTemplate,
    Satisfaction,
    Verdict,
    VerdictAnswer,
    VerdictChannel,
    VerdictLink,
)

logger = logging.getLogger(__name__)

ACK_WORKING_DAYS = 1
ANSWER_WORKING_DAYS = 5
ANSWER_WORKING_DAYS_SEVERAL = 10
MAX_CONTENT = 4000
HANDLER_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
OWNER_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FOLLOWUP)
EXTRA_FIELDS = frozenset({"complainant_email", "referral_no", "referral_due"})
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


# --- helpers -----------------------------------------------------------------------------------


def due_dates(
    received_on: dt.date,
    *,
    several_departments: bool = False,
    referral_due: dt.date | None = None,
    paused: int = 0,
) -> tuple[dt.date, dt.date]:
    """(acknowledge by, answer by): 1 working day; 5 working days, 10 when several departments
    must be coordinated, plus the ``paused`` working days the clock stood still; a 12345
    referral's own due date wins."""
    ack_due = workdays.add_working_days(received_on, ACK_WORKING_DAYS)
    if referral_due:
        return ack_due, referral_due
    limit = ANSWER_WORKING_DAYS_SEVERAL if several_departments else ANSWER_WORKING_DAYS
    return ack_due, workdays.add_working_days(received_on, limit + paused)


def _tracking_code() -> str:
    while True:
        raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        if not Complaint.objects.filter(tracking_code=code).exists():
            return code


def _required(value: str, message) -> str:
    value = clean_text(value)
    if not value:
        raise ActionNotAllowed(message)
    return value


# --- intake ------------------------------------------------------------------------------------


# A public submission repeated within this window is the first one again (issue 15 item 10).
WEB_RESUBMIT_WINDOW = dt.timedelta(minutes=10)


@transaction.atomic
def complaint_intake(
    *,
    channel: str,
    received_by: User | None,
    content: str,
    department: Department | None = None,
    complainant_name: str = "",
    complainant_phone: str = "",
    source_object: Model | None = None,
    received_at: dt.datetime | None = None,
    **extra,
) -> Complaint:
    """Record a complaint from any channel. The recorder owns it (首诉负责制).

    ``extra`` may hold ``complainant_email``, ``referral_no`` and ``referral_due`` (12345
    referrals: the referral number is required and its due date wins). ``received_by`` is None
    only for the public web form; such a complaint has no owner until a supervisor takes it.
    Raises ``ValidationError`` (keyed by field) and stores nothing when the input is bad.
    """
    unknown = set(extra) - EXTRA_FIELDS
    if unknown:
        raise TypeError(f"complaint_intake() got unexpected arguments: {', '.join(sorted(unknown))}")
    if channel not in ComplaintChannel.values:
        raise ValueError(f"unknown complaint channel {channel!r}")
    errors = {}
    content = clean_text(content)
    if not content:
        errors["content"] = _("Describe the complaint.")
    elif len(content) > MAX_CONTENT:
        errors["content"] = _("At most %(n)s characters.") % {"n": MAX_CONTENT}
    referral_no = clean_text(extra.get("referral_no", ""))[:40]
    referral_due = extra.get("referral_due")
    if channel == ComplaintChannel.CITIZEN_12345 and not referral_no:
        errors["referral_no"] = _("A 12345 referral needs its referral number.")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        errors["received_at"] = _("The time of receipt cannot be in the future.")
    if errors:
        raise ValidationError(errors)

    received_on = timezone.localtime(received_at).date()
    ack_due, answer_due = due_dates(received_on, referral_due=referral_due)
    phone = clean_text(complainant_phone)[:20]
    if channel == ComplaintChannel.WEB and received_by is None:
        # The public form posted again (a double tap, the back button, a resend): the same content
        # from the same contact within minutes is the same complaint, with the same confirmation.
        earlier = (
            Complaint.objects.filter(
                channel=ComplaintChannel.WEB,
                received_by__isnull=True,
                complainant_key=phone_digits(phone),
                department=department,
                content=content,
                received_at__gte=received_at - WEB_RESUBMIT_WINDOW,
            )
            .order_by("-received_at", "-id")
            .first()
        )
        if earlier is not None:
            return earlier
    complaint = Complaint(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        tracking_code=_tracking_code(),
        channel=channel,
        received_at=received_at,
        received_on=received_on,
        received_by=received_by,
        owner=received_by,
        department=department,
        content=content,
        complainant_name=clean_text(complainant_name)[:64],
        complainant_phone=phone,
        complainant_email=clean_text(extra.get("complainant_email", ""))[:254],
        complainant_key=phone_digits(phone),
        referral_no=referral_no,
        referral_due=referral_due,
        ack_due=ack_due,
        answer_due=answer_due,
    )
    if source_object is not None:
        complaint.source_type = ContentType.objects.get_for_model(source_object)
        complaint.source_id = source_object.pk
    complaint.save()
    complaint.number = f"TS{received_on:%Y}-{complaint.pk:06d}"
    Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number)
    COMPLAINTS.record(complaint, action=ComplaintAction.RECEIVE, actor=received_by, from_status="")
    OwnerChange.objects.create(
        complaint=complaint,
        owner=received_by,
        previous_owner=None,
        changed_by=received_by,
        at=timezone.now(),
        note_key=(texts.FIRST_CONTACT if received_by else texts.SUBMITTED_ON_WEB).key,
    )
    pk = complaint.pk
    # Notices go out only after the complaint is safely stored; their failure loses nothing.
    transaction.on_commit(lambda: _notify_new(pk), robust=True)
    return complaint


def _notify_new(pk: int) -> None:
    complaint = Complaint.objects.select_related("received_by").get(pk=pk)
    recipients = [u for u in users_with_role(Role.SUPERVISOR) if u.pk != complaint.received_by_id]
    notification_send(
        recipients=recipients,
        kind=NotificationKind.GENERAL,
        key=f"complaint_new:{pk}",
        title=texts.NEW,
        params={"number": complaint.number, "channel": complaint.channel},
        url=complaint.get_absolute_url(),
    )


# --- the state machine ------------------------------------------------------------------------


def _open_assignment_departments(complaint: Complaint) -> set[int]:
    return {a.department_id for a in complaint.assignments.all() if a.replied_at is None}


def _reply_waiting(complaint, actor, context):
    waiting = _open_assignment_departments(complaint) & set(actor.department_ids)
    if context.get("department_id") is not None:
        waiting &= {context["department_id"]}
    if not waiting:
        raise ActionNotAllowed(
            _("There is no investigation reply waiting from your department on this complaint.")
        )


def _not_determined(complaint, actor, context):
    if complaint.determination:
        raise ActionNotAllowed(_("The validity of this complaint has already been determined."))


def _determined(complaint, actor, context):
    if not complaint.determination:
        raise ActionNotAllowed(_("Determine whether the complaint is valid before closing it."))


def _is_owner(complaint, actor) -> bool:
    return complaint.owner_id is not None and complaint.owner_id == actor.pk


def _not_paused(complaint, actor, context):
    # The answer is in the table for paused complaints only to say why it waits (a clear refusal).
    if complaint.status == ComplaintStatus.PAUSED:
        pause = complaint.pauses.filter(ended_at__isnull=True).first()
        raise ActionNotAllowed(
            _("The clock is paused (%(why)s): resume it before answering the complainant.")
            % {"why": pause.get_kind_display() if pause else ComplaintStatus.PAUSED.label}
        )


def _a_rung_is_due(complaint, actor, context):
    today = context.get("today") or timezone.localdate()
    if not rungs_due(complaint, today=today, rungs=context.get("rungs")):
        raise ActionNotAllowed(_("No rung of the escalation ladder is due for this complaint."))


_S = ComplaintStatus
_OPEN = {_S.RECEIVED, _S.ACCEPTED, _S.ASSIGNED, _S.INVESTIGATED, _S.ANSWERED, _S.PAUSED}
_H = HANDLER_ROLES
# The clock can stand still while the office waits for an answer it owes (issue 25 item 1).
_PAUSABLE = {_S.ACCEPTED, _S.ASSIGNED, _S.INVESTIGATED}

# In the order of the buttons: the next step of the workflow first, the side roads after.
COMPLAINTS = Machine(
    Complaint,
    history=ComplaintTransition,
    action_labels=ComplaintAction,
    state_refusal=gettext_lazy("“%(action)s” is not possible while the complaint is “%(status)s”."),
    actions=[
        Action(ComplaintAction.ACCEPT, {_S.RECEIVED}, _S.ACCEPTED, _H),
        Action(ComplaintAction.ASSIGN, {_S.ACCEPTED, _S.ASSIGNED, _S.INVESTIGATED}, _S.ASSIGNED, _H),
        # The status moves on to "investigated" with the last department's reply (the service).
        Action(ComplaintAction.REPLY, {_S.ASSIGNED}, None, (Role.DEPT_HEAD,), guard=_reply_waiting),
        Action(
            ComplaintAction.DETERMINE, _OPEN - {_S.RECEIVED, _S.ASSIGNED}, None, _H, guard=_not_determined
        ),
        Action(
            ComplaintAction.ANSWER,
            {_S.ACCEPTED, _S.INVESTIGATED, _S.PAUSED},
            _S.ANSWERED,
            _H,
            guard=_not_paused,
        ),
        Action(ComplaintAction.CLOSE, {_S.ANSWERED}, _S.CLOSED, _H, guard=_determined),
        Action(ComplaintAction.REOPEN, {_S.CLOSED, _S.NOT_ACCEPTED}, _S.ACCEPTED, _H),
        # The service sets the status: paused, then back to where the clock stopped.
        Action(ComplaintAction.RESUME, {_S.PAUSED}, None, _H, style="outline-success"),
        Action(ComplaintAction.PAUSE, _PAUSABLE, None, _H, style="outline-warning"),
        Action(ComplaintAction.HANDOVER, _OPEN, None, _H, also=_is_owner),
        Action(ComplaintAction.DISPUTE, _OPEN - {_S.RECEIVED} | {_S.CLOSED}, None, _H),
        Action(ComplaintAction.NOT_ACCEPT, {_S.RECEIVED}, _S.NOT_ACCEPTED, _H),
        # The escalation ladder: the schedule only (no role), one rung per step.
        Action(
            ComplaintAction.ESCALATE, set(AWAITING_ANSWER) - {_S.RECEIVED}, None, (), guard=_a_rung_is_due
        ),
    ],
)


def may_handle(*, complaint: Complaint, user: User) -> bool:
    """Handlers: supervisors, administrators and the current owner (they may see the contact)."""
    return user.has_role(*HANDLER_ROLES) or _is_owner(complaint, user)


# --- workflow ----------------------------------------------------------------------------------


@transaction.atomic
def complaint_accept(*, complaint: Complaint, actor: User, comment: str = "") -> Complaint:
    def mutate(c):
        c.accepted_at = c.accepted_at or timezone.now()

    return COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.ACCEPT,
        comment=clean_text(comment),
        mutate=mutate,
    )


def _answer_time(answered_at: dt.datetime | None) -> dt.datetime:
    answered_at = answered_at or timezone.now()
    if answered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ActionNotAllowed(_("The time of the answer cannot be in the future."))
    return answered_at


def _record_first_answer(c: Complaint, *, actor: User, method: str, text: str, answered_at: dt.datetime):
    """The answer's how, what and who; the first answer fixes the working days it took (pauses taken
    out) and whether it came within the limit."""
    if answered_at < c.received_at:
        raise ActionNotAllowed(_("The answer cannot be earlier than the receipt of the complaint."))
    if c.paused_working_days and c.pauses.filter(ended_at__gt=answered_at).exists():
        raise ActionNotAllowed(_("The answer cannot be dated before the clock was last resumed."))
    c.answer_method = method
    c.answer_text = text[:4000]
    c.answered_by = actor
    if c.answered_at is None:
        c.answered_at = answered_at
        day = timezone.localtime(answered_at).date()
        taken = workdays.working_days_between(c.received_on, day) - c.paused_working_days
        c.answer_working_days = max(taken, 0)
        c.answered_on_time = day <= c.answer_due


@transaction.atomic
def complaint_not_accept(
    *,
    complaint: Complaint,
    actor: User,
    reason: NotAcceptedReason | None,
    method: str,
    text: str,
    answered_at: dt.datetime | None = None,
    note: str = "",
) -> Complaint:
    """Not accepted (不予受理), for a reason from the list; the complainant is told why, within the
    answer's time limit like any answer, so the refusal and its answer are recorded together."""
    if reason is None or not reason.active:
        raise ActionNotAllowed(_("Choose the reason for not accepting the complaint from the list."))
    if method not in AnswerMethod.values:
        raise ActionNotAllowed(_("Choose how the complainant was told."))
    text = _required(text, _("Summarise what the complainant was told."))
    answered_at = _answer_time(answered_at)
    note = clean_text(note)[:2000]

    def mutate(c):
        c.not_accepted_ground = reason
        c.not_accepted_reason = note or reason.name
        _record_first_answer(c, actor=actor, method=method, text=text, answered_at=answered_at)

    comment = core_texts.LINES(
        head=with_text(reason.name, note),
        text=core_texts.WITH_TEXT(head=texts.ANSWER_METHOD(value=method), text=text),
    )
    return COMPLAINTS.transition(
        complaint, actor=actor, action=ComplaintAction.NOT_ACCEPT, comment=comment, mutate=mutate
    )


@transaction.atomic
def complaint_pause(*, complaint: Complaint, actor: User, kind: str, reason: str) -> Complaint:
    """Stop the answer clock: waiting for the complainant (documents, a visit), mediation or
    litigation. Who, when and why are kept; the due date moves on when the clock runs again."""
    if kind not in PauseKind.values:
        raise ActionNotAllowed(_("Choose why the clock is paused."))
    reason = _required(
        reason, _("Give the reason for pausing the clock: a pause is never recorded without one.")
    )

    def mutate(c):
        ComplaintPause.objects.create(
            complaint=c,
            kind=kind,
            reason=reason[:2000],
            started_at=timezone.now(),
            started_by=actor,
            resume_status=c.status,
        )
        c.status = ComplaintStatus.PAUSED

    return COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.PAUSE,
        comment=with_text(texts.PAUSE_KIND(value=kind), reason),
        mutate=mutate,
    )


@transaction.atomic
def complaint_resume(*, complaint: Complaint, actor: User | None, comment: str = "") -> Complaint:
    """Run the clock again: the working days it stood still (after the day it stopped, up to and
    including today) move the answer's due date on by as many working days."""
    comment = clean_text(comment)[:2000]
    moved = {}

    def mutate(c):
        pause = ComplaintPause.objects.select_for_update().get(complaint=c, ended_at__isnull=True)
        now = timezone.now()
        days = workdays.working_days_between(
            timezone.localtime(pause.started_at).date(), timezone.localdate(now)
        )
        pause.ended_at, pause.ended_by, pause.working_days = now, actor, days
        pause.save(update_fields=["ended_at", "ended_by", "working_days"])
        c.paused_working_days += days
        c.answer_due = workdays.add_working_days(c.answer_due, days)
        c.status = pause.resume_status
        moved.update(days=days, due=c.answer_due.isoformat())

    return COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.RESUME,
        comment=lambda c: with_text(texts.RESUMED(**moved), comment),
        mutate=mutate,
    )


@transaction.atomic
def complaint_handover(*, complaint: Complaint, actor: User, to_user: User, note: str = "") -> Complaint:
    """Hand the complaint over on the record; the chain of owners keeps every step."""
    note = clean_text(note)[:500]
    if not to_user.is_active or not to_user.has_role(*OWNER_ROLES):
        raise ActionNotAllowed(_("The complaint can only be handed over to complaint handlers."))
    previous = {}

    def mutate(c):
        if c.owner_id == to_user.pk:
            raise ActionNotAllowed(_("This person already owns the complaint."))
        previous["owner"] = c.owner
        c.owner = to_user

    locked = COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.HANDOVER,
        comment=with_text(texts.HANDOVER(person=to_user.display_name), note),
        mutate=mutate,
    )
    OwnerChange.objects.create(
        complaint=locked,
        owner=to_user,
        previous_owner=previous["owner"],
        changed_by=actor,
        at=timezone.now(),
        note=note,
    )
    notification_send(
        recipients=[to_user],
        kind=NotificationKind.GENERAL,
        key=f"complaint_handover:{locked.pk}:{locked.owner_changes.count()}",
        title=texts.HANDED_OVER,
        params={"number": locked.number},
        body=note,
        url=locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def complaint_assign(
    *,
    complaint: Complaint,
    actor: User,
    departments: Iterable[Department],
    instructions: str = "",
) -> Complaint:
    """Ask one or more departments to investigate. Several departments: 10 working days."""
    departments = list(departments)
    if not departments:
        raise ActionNotAllowed(_("Choose at least one department."))
    instructions = clean_text(instructions)[:2000]
    created = []

    def mutate(c):
        already = set(c.assignments.values_list("department_id", flat=True))
        new = [d for d in departments if d.pk not in already]
        if not new:
            raise ActionNotAllowed(_("These departments are already assigned."))
        for d in new:
            created.append(
                ComplaintAssignment.objects.create(
                    complaint=c,
                    department=d,
                    assigned_by=actor,
                    assigned_at=timezone.now(),
                    instructions=instructions,
                )
            )
        if c.department_id is None:
            c.department = new[0]
        if len(already) + len(new) > 1 and not c.referral_due:
            _ack, longer = due_dates(c.received_on, several_departments=True, paused=c.paused_working_days)
            c.answer_due = max(c.answer_due, longer)

    locked = COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.ASSIGN,
        comment=with_text(core_texts.LIST(items=[d.name for d in departments]), instructions),
        mutate=mutate,
    )
    for assignment in created:
        notification_send(
            recipients=list(department_heads(assignment.department_id)),
            kind=NotificationKind.GENERAL,
            key=f"complaint_assigned:{locked.pk}:{assignment.department_id}",
            title=texts.ASSIGNED,
            params={"number": locked.number, "due": locked.answer_due.isoformat()},
            body=instructions,
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def complaint_reply(*, complaint: Complaint, actor: User, department: Department, reply: str) -> Complaint:
    """A department head writes their department's investigation reply."""
    reply = _required(reply, _("Write the investigation reply."))

    def mutate(c):
        assignment = ComplaintAssignment.objects.select_for_update().get(complaint=c, department=department)
        assignment.reply = reply[:4000]
        assignment.replied_at = timezone.now()
        assignment.replied_by = actor
        assignment.save()
        if not c.assignments.filter(replied_at__isnull=True).exists():
            c.status = ComplaintStatus.INVESTIGATED  # the last department's reply

    locked = COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.REPLY,
        comment=core_texts.WITH_TEXT(head=department.name, text=reply),
        mutate=mutate,
        save=["status"],
        context={"department_id": department.pk},
    )
    if locked.owner_id:
        notification_send(
            recipients=[locked.owner],
            kind=NotificationKind.GENERAL,
            key=f"complaint_replied:{locked.pk}:{department.pk}",
            title=texts.REPLIED,
            params={"number": locked.number, "department": department.name},
            url=locked.get_absolute_url(),
        )
    return locked


@transaction.atomic
def complaint_determine(
    *,
    complaint: Complaint,
    actor: User,
    determination: str,
    categories: Iterable[Category] = (),
    note: str = "",
    department: Department | None = None,
    severity: str = Severity.MODERATE,
    deadline: dt.date | None = None,
    staff: Iterable[Staff] = (),
) -> Complaint:
    """Valid / partly valid / not valid. A valid or partly valid complaint becomes a finding with a
    rectification order in the department, through the core service, linked both ways; the
    ``staff`` it is about are named in that finding (each counts it on their record)."""
    if determination not in Determination.values:
        raise ActionNotAllowed(_("Choose a determination."))
    categories = list(categories)
    note = clean_text(note)[:2000]

    def mutate(c):
        nonlocal department
        if determination in VALID_DETERMINATIONS:
            if not categories:
                raise ActionNotAllowed(_("A valid complaint needs at least one category."))
            department = department or c.department
            if department is None:
                first = c.assignments.select_related("department").first()
                department = first.department if first else None
            if department is None:
                raise ActionNotAllowed(_("Choose the department responsible for the rectification."))
            description = texts.FINDING(number=c.number, determination=determination, content=c.content)
            if note:
                description = core_texts.LINES(head=description, text=note)
            c.finding = finding_create(
                source=FindingSource.COMPLAINT,
                category=categories[0],
                department=department,
                description=description,
                found_by=actor,
                found_at=timezone.now(),
                severity=severity,
                staff=staff,
                source_object=c,
                needs_rectification=True,
                deadline=deadline,
            )
        c.determination = determination
        c.determination_note = note
        c.categories.set(categories)

    def comment(c) -> Worded:
        text = texts.DETERMINATION(value=determination)
        if categories:
            text = core_texts.WITH_TEXT(
                head=text, text=core_texts.LIST(items=[cat.name for cat in categories])
            )
        if c.finding_id:
            text = core_texts.ARROW(head=text, target=c.finding.number)
        return text

    return COMPLAINTS.transition(
        complaint, actor=actor, action=ComplaintAction.DETERMINE, comment=comment, mutate=mutate
    )


@transaction.atomic
def complaint_answer(
    *, complaint: Complaint, actor: User, method: str, text: str, answered_at: dt.datetime | None = None
) -> Complaint:
    """Record the answer to the complainant: how, when, by whom. The first answer counts for the
    time limit (a reopened complaint's later answers are in the history)."""
    if method not in AnswerMethod.values:
        raise ActionNotAllowed(_("Choose how the complainant was answered."))
    text = _required(text, _("Summarise the answer given to the complainant."))
    answered_at = _answer_time(answered_at)

    def mutate(c):
        _record_first_answer(c, actor=actor, method=method, text=text, answered_at=answered_at)

    comment = core_texts.WITH_TEXT(head=texts.ANSWER_METHOD(value=method), text=text)
    return COMPLAINTS.transition(
        complaint, actor=actor, action=ComplaintAction.ANSWER, comment=comment, mutate=mutate
    )


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: User, satisfaction: str, comment: str = "") -> Complaint:
    if satisfaction not in Satisfaction.values:
        raise ActionNotAllowed(_("Record the complainant's satisfaction with the handling."))

    def mutate(c):
        c.closed_at = timezone.now()
        c.satisfaction = satisfaction

    return COMPLAINTS.transition(
        complaint,
        actor=actor,
        action=ComplaintAction.CLOSE,
        comment=with_text(texts.SATISFACTION(value=satisfaction), clean_text(comment)),
        mutate=mutate,
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor: User, reason: str) -> Complaint:
    reason = _required(reason, _("Give the reason for reopening the complaint."))

    def mutate(c):
        c.reopen_count += 1
        c.closed_at = None
        c.satisfaction = ""
        if c.accepted_at is None:
            # A refusal reopened (never accepted): the refusal and what the complainant was told stay
            # in the history, but they are not this complaint's answer — the first answer to the
            # accepted complaint fixes the working days and the time limit, and a letter's "what was
            # found" no longer gives the refusal's reason.
            c.accepted_at = timezone.now()
            c.not_accepted_ground = None
            c.not_accepted_reason = ""
            c.answered_at = c.answered_by = c.answer_working_days = c.answered_on_time = None
            c.answer_method = c.answer_text = ""

    return COMPLAINTS.transition(
        complaint, actor=actor, action=ComplaintAction.REOPEN, comment=reason, mutate=mutate
    )


@transaction.atomic
def complaint_flag_dispute(
    *, complaint: Complaint, actor: User, dispute: bool, amount: Decimal | None = None, note: str = ""
) -> Complaint:
    """Mark (or unmark) that the complaint went to mediation (调解) / dispute, with the amount claimed."""
    note = clean_text(note)[:2000]
    if amount is not None and amount < 0:
        raise ActionNotAllowed(_("The amount cannot be negative."))

    def mutate(c):
        c.dispute = dispute
        c.dispute_amount = amount if dispute else None
        c.dispute_note = note

    if dispute:
        comment = with_text(texts.DISPUTE(), f"¥{amount}" if amount is not None else "")
    else:
        comment = texts.DISPUTE_REMOVED()
    if note:
        comment = core_texts.WITH_NOTE(head=comment, text=note)
    return COMPLAINTS.transition(
        complaint, actor=actor, action=ComplaintAction.DISPUTE, comment=comment, mutate=mutate
    )


def complaint_contact_reveal(*, complaint: Complaint, user: User, request=None) -> dict:
    """Full contact details for a handler, logged in RevealLog; refused for anyone else."""
    if not may_handle(complaint=complaint, user=user):
        raise ActionNotAllowed(_("Only the people handling this complaint may see the full contact details."))
    shown = {}
    for field in ("complainant_phone", "complainant_email"):
        value = getattr(complaint, field)
        if value:
            shown[field] = privacy.contact_reveal(
                user=user,
                subject=complaint,
                field=field,
                value=value,
                purpose=texts.REVEAL_PURPOSE,
                request=request,
            )
    return shown


# --- the complainant's verdict (issue 25 item 2) -----------------------------------------------

VERDICT_LINK_DAYS = 30  # a personal verdict link expires this many days after it is issued
VERDICT_STATUSES = (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED)


def verdict_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verdict_possible(complaint: Complaint) -> None:
    if complaint.answered_at is None or complaint.status not in VERDICT_STATUSES:
        raise ActionNotAllowed(_("The complainant can give a verdict once the answer is recorded."))
    if Verdict.objects.filter(complaint=complaint).exists():
        raise ActionNotAllowed(_("The complainant's verdict on this complaint has already been given."))


@transaction.atomic
def verdict_link_issue(*, complaint: Complaint, actor: User) -> tuple[VerdictLink, str]:
    """A new personal link to the verdict form: (the link row, the token to put in the URL).

    Only the token's hash is stored, so the token is returned once, here; earlier unused links of the
    complaint are revoked (the latest text message or letter is the one that works)."""
    if not actor.has_role(*HANDLER_ROLES):
        raise ActionNotAllowed(_("Only the complaints office sends verdict links."))
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _verdict_possible(locked)
    now = timezone.now()
    VerdictLink.objects.filter(complaint=locked, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(24)
    link = VerdictLink.objects.create(
        complaint=locked,
        token_hash=verdict_token_hash(token),
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=VERDICT_LINK_DAYS),
    )
    return link, token


def _verdict_answers(handled: str, fair: str, contact: str) -> None:
    if handled not in VerdictAnswer.values or fair not in VerdictAnswer.values:
        raise ActionNotAllowed(_("Answer every question."))
    if contact not in ContactRating.values:
        raise ActionNotAllowed(_("Answer every question."))


@transaction.atomic
def verdict_submit(*, token: str, handled: str, fair: str, contact: str) -> Verdict:
    """The complainant's answers through their personal link: once, before the link expires."""
    _verdict_answers(handled, fair, contact)
    link = (
        VerdictLink.objects.select_for_update()
        .select_related("complaint")
        .filter(token_hash=verdict_token_hash(token or ""))
        .first()
    )
    if link is None:
        raise ActionNotAllowed(_("This link is not valid. Check the address, or call the complaints office."))
    if link.used_at is not None or Verdict.objects.filter(complaint_id=link.complaint_id).exists():
        raise ActionNotAllowed(_("This link has already been used: your verdict was received. Thank you."))
    if link.revoked_at is not None:
        raise ActionNotAllowed(_("This link was replaced by a newer one; use the latest message or letter."))
    now = timezone.now()
    if link.expires_at <= now:
        raise ActionNotAllowed(
            _("This link expired on %(date)s. Call the complaints office to give your verdict.")
            % {"date": date_format(timezone.localtime(link.expires_at), "DATE_FORMAT")}
        )
    verdict = Verdict.objects.create(
        complaint=link.complaint,
        handled=handled,
        fair=fair,
        contact=contact,
        channel=VerdictChannel.LINK,
        answered_at=now,
    )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return verdict


@transaction.atomic
def verdict_record_by_phone(
    *, complaint: Complaint, actor: User, handled: str, fair: str, contact: str
) -> Verdict:
    """The office asked the complainant on the telephone and enters the answers. Never the person who
    answered the complaint: a handler does not rate their own handling, nor learn a rating."""
    if not actor.has_role(*HANDLER_ROLES):
        raise ActionNotAllowed(_("Only the complaints office records verdicts."))
    _verdict_answers(handled, fair, contact)
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _verdict_possible(locked)
    if locked.answered_by_id == actor.pk:
        raise ActionNotAllowed(
            _("You answered this complaint: a colleague asks the complainant for the verdict and enters it.")
        )
    now = timezone.now()
    VerdictLink.objects.filter(complaint=locked, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return Verdict.objects.create(
        complaint=locked,
        handled=handled,
        fair=fair,
        contact=contact,
        channel=VerdictChannel.PHONE,
        answered_at=now,
    )


# --- attachments (issue 25 item 3) ---------------------------------------------------------------


@transaction.atomic
def complaint_attachment_add(
    *, complaint: Complaint, actor: User, upload: CleanUpload, kind: str, note: str = ""
) -> ComplaintAttachment:
    """Keep a letter, photo or note of a recording (already checked by ``uploads.clean_upload``:
    type by content, size, metadata stripped). Not shared with the departments until the office says so."""
    if not may_handle(complaint=complaint, user=actor):
        raise ActionNotAllowed(_("Only the people handling this complaint may add files to it."))
    if kind not in AttachmentKind.values:
        raise ActionNotAllowed(_("Choose what the file is."))
    attachment = ComplaintAttachment(
        complaint=complaint,
        kind=kind,
        note=clean_text(note)[:500],
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, ContentFile(upload.data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def complaint_attachment_share(*, attachment: ComplaintAttachment, actor: User, shared: bool) -> None:
    """Show (or hide) one file to the departments assigned to the complaint."""
    if not actor.has_role(*HANDLER_ROLES):
        raise ActionNotAllowed(_("Only the complaints office decides what the departments see."))
    attachment.shared = shared
    attachment.shared_at = timezone.now() if shared else None
    attachment.shared_by = actor if shared else None
    attachment.save(update_fields=["shared", "shared_at", "shared_by"])


# --- reply templates and letters (issue 25 item 4) ----------------------------------------------


@transaction.atomic
def reply_template_save(
    *,
    actor: User,
    name: str,
    kind: str,
    body: str,
    active: bool = True,
    template: ReplyTemplate | None = None,
) -> ReplyTemplate:
    """Create or change a template; an unknown placeholder is refused (ValidationError keyed by field)."""
    if not actor.has_role(*HANDLER_ROLES):
        raise ActionNotAllowed(_("Only the complaints office edits reply templates."))
    name, body = clean_text(name)[:100], clean_text(body)
    errors = {}
    if not name:
        errors["name"] = [_("Give the template a name.")]
    elif ReplyTemplate.objects.filter(name=name).exclude(pk=getattr(template, "pk", None)).exists():
        errors["name"] = [_("Another template has this name.")]
    if kind not in AnswerKind.values:
        errors["kind"] = [_("Choose the kind of answer.")]
    if not body:
        errors["body"] = [_("Write the template's text.")]
    elif len(body) > 4000:
        errors["body"] = [_("At most %(n)s characters.") % {"n": 4000}]
    else:
        try:
            letters.placeholders_check(body)
        except ValidationError as exc:
            errors["body"] = exc.messages
    if errors:
        raise ValidationError(errors)
    template = template or ReplyTemplate()
    template.name, template.kind, template.body, template.active = name, kind, body, active
    template.updated_by = actor
    template.save()
    return template


MAX_LETTER = 6000


@transaction.atomic
def complaint_letter_create(
    *,
    complaint: Complaint,
    actor: User,
    body: str,
    template: ReplyTemplate | None = None,
    record_answer: bool = False,
    base_url: str = "",
) -> ComplaintLetter:
    """Freeze an answer letter: its text as written now and its PDF, kept on the record and never
    printed again from the template. ``record_answer`` also records it as the answer to the
    complainant (by letter). Once the complaint is answered and has no verdict yet, a new verdict
    link is printed on the letter as a QR code (``base_url``: the site's address for it)."""
    if not actor.has_role(*HANDLER_ROLES):
        raise ActionNotAllowed(_("Only the complaints office writes answer letters."))
    body = clean_text(body)
    if not body:
        raise ActionNotAllowed(_("Write the letter's text."))
    if len(body) > MAX_LETTER:
        raise ActionNotAllowed(_("At most %(n)s characters.") % {"n": MAX_LETTER})
    if record_answer:
        complaint = complaint_answer(complaint=complaint, actor=actor, method=AnswerMethod.LETTER, text=body)
    link, url = None, ""
    complaint.refresh_from_db()
    try:
        _verdict_possible(complaint)
    except ActionNotAllowed:
        pass  # not answered yet, or the verdict is in: a letter without the code
    else:
        link, token = verdict_link_issue(complaint=complaint, actor=actor)
        url = base_url.rstrip("/") + reverse("complaints:verdict_public", args=[token])
    letter = ComplaintLetter(
        complaint=complaint, template=template, body=body, verdict_link=link, created_by=actor
    )
    pdf = letters.letter_pdf(complaint=complaint, body=body, verdict_url=url)
    letter.pdf.save(f"{letter.token}.pdf", ContentFile(pdf), save=False)
    letter.save()
    return letter


# --- reminders and escalation (Celery beat) ----------------------------------------------------


def _recipients_for(complaint: Complaint, *, supervisors: list[User]) -> list[User]:
    people = [complaint.owner] if complaint.owner_id else list(supervisors)
    for assignment in complaint.assignments.all():
        if assignment.replied_at is None:
            people.extend(department_heads(assignment.department_id))
    return people


def _awaiting():
    return (
        Complaint.objects.filter(status__in=AWAITING_ANSWER)
        .select_related("owner")
        .prefetch_related("assignments")
    )


def complaints_remind_due_soon(*, today: dt.date | None = None) -> int:
    """Complaints whose answer is due today or on the next working day; once per complaint and due date."""
    today = today or timezone.localdate()
    horizon = workdays.add_working_days(today, 1)
    supervisors = list(users_with_role(Role.SUPERVISOR))
    count = 0
    for c in _awaiting().filter(answer_due__gte=today, answer_due__lte=horizon):
        count += notification_send(
            recipients=_recipients_for(c, supervisors=supervisors),
            kind=NotificationKind.DUE_SOON,
            key=f"complaint_due_soon:{c.pk}:{c.answer_due.isoformat()}",
            title=texts.DUE_SOON,
            params={"number": c.number, "due": c.answer_due.isoformat()},
            url=c.get_absolute_url(),
        )
    for c in Complaint.objects.filter(
        status=ComplaintStatus.RECEIVED, ack_due__gte=today, ack_due__lte=horizon
    ):
        count += notification_send(
            recipients=[c.owner] if c.owner_id else supervisors,
            kind=NotificationKind.DUE_SOON,
            key=f"complaint_ack_due:{c.pk}:{c.ack_due.isoformat()}",
            title=texts.ACK_DUE,
            params={"number": c.number, "due": c.ack_due.isoformat()},
            url=c.get_absolute_url(),
        )
    return count


def complaints_notify_overdue(*, today: dt.date | None = None) -> int:
    """Overdue answers. The departments still to reply and the supervisors hear once per due date;
    the owner (the supervisors when nobody owns it) is reminded every working day until the
    complainant is answered — one notice per complaint and day, none on a holiday or a weekend off.
    Running it twice the same day sends nothing more."""
    today = today or timezone.localdate()
    working = workdays.is_working_day(today)
    supervisors = list(users_with_role(Role.SUPERVISOR))
    count = 0
    for c in _awaiting().filter(answer_due__lt=today):
        due = c.answer_due.isoformat()
        owners = [c.owner] if c.owner_id else supervisors
        if working:
            count += notification_send(
                recipients=owners,
                kind=NotificationKind.OVERDUE_DIGEST,
                key=f"complaint_overdue_daily:{c.pk}:{today.isoformat()}",
                title=texts.STILL_OVERDUE,
                params={"number": c.number, "due": due, "days": overdue_working_days(c, today)},
                url=c.get_absolute_url(),
            )
        # On a day off the owner's first reminder waits for the next working day; the others do not.
        others = _recipients_for(c, supervisors=supervisors) + supervisors
        count += notification_send(
            recipients=[u for u in others if u not in owners] if working else others,
            kind=NotificationKind.OVERDUE_DIGEST,
            key=f"complaint_overdue:{c.pk}:{due}",
            title=texts.OVERDUE,
            params={"number": c.number, "due": due},
            url=c.get_absolute_url(),
        )
        events.announce(events.complaint_overdue, complaint=c, key=f"complaint_overdue:{c.pk}:{due}")
    return count


# --- the escalation ladder -------------------------------------------------------------------


def overdue_working_days(complaint: Complaint, today: dt.date) -> int:
    """Working days after the answer's due date, up to and including ``today`` (0 until overdue)."""
    return workdays.working_days_between(complaint.answer_due, today)


def rungs_due(
    complaint: Complaint, *, today: dt.date, rungs: list[EscalationRung] | None = None
) -> list[EscalationRung]:
    """The rungs of the ladder (its general rungs: a complaint has no severity) an overdue complaint
    has reached by ``today`` and not yet been reported at for its due date. Complaints count working
    days overdue, as their time limits do."""
    if complaint.status not in AWAITING_ANSWER or complaint.answer_due >= today:
        return []
    late = overdue_working_days(complaint, today)
    current = complaint.ladder_rung if complaint.ladder_due == complaint.answer_due else None
    reached = current.days_overdue if current is not None else -1
    return [r for r in ladder_for("", rungs) if reached < r.days_overdue <= late]


_RUNG_TITLES = {
    RungTarget.HEAD: texts.RUNG_HEAD,
    RungTarget.VICE_PRESIDENT: texts.RUNG_VICE_PRESIDENT,
    RungTarget.WEEKLY_MEETING: texts.RUNG_MEETING,
}


def _report_rung(complaint: Complaint, rung: EscalationRung, today: dt.date) -> int:
    recipients = ladder_recipients(target=rung.target, department_id=complaint.department_id)
    if not recipients:  # a department without a head: the office hears instead of no one
        recipients = list(users_with_role(Role.SUPERVISOR))
    days = overdue_working_days(complaint, today)
    if complaint.department_id is None:
        title, params = texts.ESCALATED, {"number": complaint.number, "days": days}
    else:
        title = _RUNG_TITLES.get(rung.target, texts.RUNG_MEETING)
        params = {"number": complaint.number, "department": complaint.department.name, "days": days}
    return notification_send(
        recipients=recipients,
        kind=NotificationKind.ESCALATION,
        key=f"complaint_rung:{complaint.pk}:{rung.pk}:{complaint.answer_due.isoformat()}",
        title=title,
        params=params,
        url=complaint.get_absolute_url(),
    )


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, today: dt.date | None = None) -> int:
    """Climb the ladder for one overdue complaint: every rung reached and not yet reported, lowest
    first, each one history row and its notices. Run again the same day: nothing (the guard refuses)."""
    today = today or timezone.localdate()
    rungs = list(EscalationRung.objects.all())
    climbed: list[EscalationRung] = []

    def mutate(c):
        rung = rungs_due(c, today=today, rungs=rungs)[0]  # the guard has seen one is due
        c.ladder_rung, c.ladder_due = rung, c.answer_due
        climbed.append(rung)

    def note(c):
        return texts.RUNG_NOTE(target=c.ladder_rung.target, days=c.ladder_rung.days_overdue)

    while True:
        try:
            locked = COMPLAINTS.transition(
                complaint,
                actor=None,
                action=ComplaintAction.ESCALATE,
                context={"today": today, "rungs": rungs},
                mutate=mutate,
                save=["ladder_rung", "ladder_due"],
                comment=note,
            )
        except ActionNotAllowed:
            return len(climbed)
        _report_rung(locked, climbed[-1], today)


def complaints_escalate(*, today: dt.date | None = None) -> int:
    """Beat: every overdue complaint climbs the escalation ladder (supervision.EscalationRung, the
    general rungs, in working days overdue). Only on working days. With no general rung configured,
    answers overdue by more than ``SiteConfig.escalate_after_overdue_days`` working days go to the
    administrators instead, once per due date."""
    today = today or timezone.localdate()
    if not workdays.is_working_day(today):
        return 0
    rungs = list(EscalationRung.objects.all())
    if not ladder_for("", rungs):
        return _escalate_to_administrators(today)
    count = 0
    overdue = (
        Complaint.objects.filter(status__in=AWAITING_ANSWER, answer_due__lt=today)
        .select_related("ladder_rung", "department")
        .order_by("answer_due", "id")
    )
    for c in overdue.iterator(chunk_size=500):
        if rungs_due(c, today=today, rungs=rungs):
            count += complaint_escalate(complaint=c, today=today)
    return count


def _escalate_to_administrators(today: dt.date) -> int:
    days = SiteConfig.get().escalate_after_overdue_days
    admins = list(users_with_role(Role.ADMINISTRATOR))
    count = 0
    # Working days never exceed calendar days: the date filter keeps the candidates few.
    for c in _awaiting().filter(answer_due__lt=today - dt.timedelta(days=days)).select_related("department"):
        late = workdays.working_days_between(c.answer_due, today)
        if late <= days:
            continue
        count += notification_send(
            recipients=admins,
            kind=NotificationKind.ESCALATION,
            key=f"complaint_escalation:{c.pk}:{c.answer_due.isoformat()}",
            title=texts.ESCALATED,
            params={"number": c.number, "days": late},
            url=c.get_absolute_url(),
        )
    return count
