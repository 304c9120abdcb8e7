"""Write-side services of the core. Atomic, keyword-only, ``<noun>_<verb>``.

Channel apps create findings only through :func:`finding_create`. Every order transition
goes through the ``ORDERS`` state machine (``supervision.workflow``), which re-reads the order under
a row lock, so two people pressing at the same moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from . import events, texts
from .channels import do_not_contact
from .errors import ActionNotAllowed
from .infra.tasking import enqueue_on_commit
from .infra.uploads import CleanUpload
from .infra.wording import Message, Worded
from .models import (
    IMMEDIATE_KINDS,
    ActionStatus,
    Alert,
    AlertAction,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    AlertTransition,
    Attachment,
    Attribution,
    AttributionAction,
    AttributionStatus,
    AttributionTransition,
    Category,
    CauseCategory,
    CorrectiveAction,
    CorrectiveActionStep,
    CorrectiveActionTransition,
    DeadlineExtension,
    Department,
    DepartmentGroup,
    EmailDigest,
    EmailMode,
    EscalationRung,
    ExtensionStatus,
    Finding,
    FindingOrigin,
    FindingSource,
    Notification,
    NotificationKind,
    OrderAction,
    OrderStatus,
    OrderTerm,
    OrderTransition,
    PatientToldMethod,
    RectificationOrder,
    Role,
    RungTarget,
    Severity,
    SiteConfig,
    Staff,
    User,
    check_found_at,
    notification_item,
)
from .selectors import DISPUTE_DECIDED_KEY
from .workflow import Action, Machine, notices_moved_on

logger = logging.getLogger(__name__)


# --- findings --------------------------------------------------------------------------------


def finding_find_recurrence(
    *, department: Department, category: Category, found_at: dt.datetime, exclude_pk=None
):
    """The latest earlier finding of the same category in the same department within the window."""
    window = SiteConfig.get().recurrence_window_days
    qs = Finding.objects.filter(
        department=department,
        category=category,
        found_at__lte=found_at,
        found_at__gte=found_at - dt.timedelta(days=window),
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("-found_at", "-id").first()


def _site_wording(text) -> str:
    """A text the application wrote, worded in the site's language (what is searched); else as is."""
    if isinstance(text, Worded):
        with override(settings.LANGUAGE_CODE):
            return str(text)
    return text


@transaction.atomic
def finding_create(
    *,
    source: str,
    category: Category,
    department: Department,
    description: str | Worded,
    found_by: User,
    origin: str = "",
    found_at: dt.datetime | None = None,
    severity: str = Severity.MODERATE,
    location: str | Worded = "",
    staff: Iterable[Staff] = (),
    source_object: Model | None = None,
    needs_rectification: bool = True,
    deadline: dt.date | None = None,
    instructions: str = "",
    attachments: Iterable[CleanUpload] = (),
) -> Finding:
    """Record a finding from any channel; open a rectification order unless told not to.

    ``source_object`` links back to the channel's record (an inspection item, a complaint,
    a survey response …). Recurrence is detected here, whatever channel each finding came from.
    """
    if source not in FindingSource.values:
        raise ValueError(f"unknown finding source {source!r}")
    if origin and origin not in FindingOrigin.values:
        raise ValueError(f"unknown finding origin {origin!r}")
    found_at = found_at or timezone.now()
    check_found_at(found_at)
    finding = Finding(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        source=source,
        origin=origin,
        category=category,
        department=department,
        description=_site_wording(description).strip()[:4000],
        description_key=description.key if isinstance(description, Worded) else "",
        description_params=description.params if isinstance(description, Worded) else {},
        severity=severity,
        found_at=found_at,
        location=_site_wording(location)[:128],
        location_key=location.key if isinstance(location, Worded) else "",
        location_params=location.params if isinstance(location, Worded) else {},
        found_by=found_by,
        recurrence_of=finding_find_recurrence(department=department, category=category, found_at=found_at),
    )
    if source_object is not None:
        finding.source_type = ContentType.objects.get_for_model(source_object)
        finding.source_id = source_object.pk
    finding.save()  # no change reason: the history's type already says "created"
    finding.number = f"WT{timezone.localtime(found_at):%Y}-{finding.pk:06d}"
    Finding.objects.filter(pk=finding.pk).update(number=finding.number)
    finding.history.filter(number__startswith="tmp-").update(number=finding.number)
    attributions_add(finding=finding, staff=staff, actor=found_by)
    for upload in attachments:
        attachment_add(finding=finding, upload=upload, actor=found_by)
    orders_fail_check_on_recurrence(finding=finding)
    if needs_rectification:
        order_issue(finding=finding, actor=found_by, deadline=deadline, instructions=instructions)
    return finding


def attachment_add(
    *,
    finding: Finding,
    upload: CleanUpload,
    actor: User,
    order: RectificationOrder | None = None,
    corrective_action: CorrectiveAction | None = None,
):
    attachment = Attachment(
        finding=finding,
        order=order,
        corrective_action=corrective_action,
        round=order.round if order is not None else None,  # evidence: the submission round it is for
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, ContentFile(upload.data), save=False)
    attachment.save()
    return attachment


# --- orders: the state machine ---------------------------------------------------------------


def _pending_extension(order: RectificationOrder) -> bool:
    # Reads the prefetched extensions on a page; one small query on the locked order.
    return any(e.status == ExtensionStatus.PENDING for e in order.extensions.all())


def _no_pending_extension(order, actor, context):
    if _pending_extension(order):
        raise ActionNotAllowed(_("An extension request for this order is already waiting for a decision."))


def _a_pending_extension(order, actor, context):
    if not _pending_extension(order):
        raise ActionNotAllowed(_("There is no extension request waiting for a decision."))


def _check_is_due(order, actor, context):
    # "Effective" needs the observation period to have passed; "not effective" may come any time.
    today = context.get("today") or timezone.localdate()
    if order.check_due and order.check_due > today:
        raise ActionNotAllowed(
            _("The effectiveness check is due on %(date)s; it can be recorded from that day.")
            % {"date": date_format(order.check_due, "DATE_FORMAT")}
        )


def _a_rung_is_due(order, actor, context):
    if not rungs_due(order, today=context.get("today") or timezone.localdate()):
        raise ActionNotAllowed(_("No rung of the escalation ladder is due for this order."))


def _every_action_done(order, actor, context):
    # Reads the prefetched actions on a page; one small query on the locked order.
    actions = order.actions.all()
    undone = sum(1 for a in actions if a.status != ActionStatus.DONE)
    if undone:
        raise ActionNotAllowed(
            ngettext(
                "The order can be submitted once every corrective action is done: %(undone)s of %(total)s is not.",
                "The order can be submitted once every corrective action is done: %(undone)s of %(total)s are not.",
                undone,
            )
            % {"undone": undone, "total": len(actions)}
        )


_S = OrderStatus
_HEAD = (Role.DEPT_HEAD,)  # of the order's own department: scoped=True
_SUPERVISOR = (Role.SUPERVISOR,)
# Waiting for the department: extensions may be asked for and the escalation ladder applies.
_EXTENDABLE = {_S.ISSUED, _S.ACKNOWLEDGED, _S.RETURNED}
# Granting and refusing differ only in the outcome the service records.
_DECIDE = {"sources": {*_EXTENDABLE, _S.SUBMITTED}, "target": None, "roles": _SUPERVISOR}

ORDERS = Machine(
    RectificationOrder,
    history=OrderTransition,
    action_labels=OrderAction,
    state_refusal=gettext_lazy("“%(action)s” is not possible while the order is “%(status)s”."),
    scope_refusal=gettext_lazy("You may not “%(action)s”: the order belongs to another department."),
    lock_related=("finding",),
    subject="order",
    actions=[
        Action(OrderAction.ACKNOWLEDGE, {_S.ISSUED}, _S.ACKNOWLEDGED, _HEAD, scoped=True, style="primary"),
        Action(
            OrderAction.SUBMIT,
            {_S.ACKNOWLEDGED, _S.RETURNED},
            _S.SUBMITTED,
            _HEAD,
            scoped=True,
            guard=_every_action_done,
            style="primary",
        ),
        Action(OrderAction.VERIFY, {_S.SUBMITTED}, _S.VERIFIED, _SUPERVISOR, style="success"),
        Action(OrderAction.RETURN, {_S.SUBMITTED}, _S.RETURNED, _SUPERVISOR, style="warning"),
        Action(
            OrderAction.REQUEST_EXTENSION,
            _EXTENDABLE,
            None,
            _HEAD,
            scoped=True,
            guard=_no_pending_extension,
            style="outline-secondary",
        ),
        Action(OrderAction.GRANT_EXTENSION, **_DECIDE, guard=_a_pending_extension, style="outline-success"),
        Action(OrderAction.REFUSE_EXTENSION, **_DECIDE, guard=_a_pending_extension, style="outline-danger"),
        # The effectiveness check (效果评价); "not effective" is also recorded by the system when the
        # same problem is found again in the department before the check (actor None).
        Action(
            OrderAction.CHECK_EFFECTIVE,
            {_S.VERIFIED},
            _S.CLOSED,
            _SUPERVISOR,
            guard=_check_is_due,
            style="success",
        ),
        Action(OrderAction.CHECK_INEFFECTIVE, {_S.VERIFIED}, _S.RETURNED, _SUPERVISOR, style="danger"),
        # The escalation ladder: the schedule only (no role), one rung per step.
        Action(OrderAction.ESCALATE, _EXTENDABLE, None, (), guard=_a_rung_is_due),
        # Adds a row of CorrectiveAction (whose machine is below); the order's own status is unchanged.
        Action(OrderAction.PLAN_ACTION, _EXTENDABLE, None, _HEAD, scoped=True, style="outline-primary"),
    ],
)


# --- corrective actions: the state machine ----------------------------------------------------

# The department works on its actions while the order is in its hands (not submitted, not closed).
_IN_THE_DEPARTMENTS_HANDS = _EXTENDABLE


def _order_in_the_departments_hands(action, actor, context):
    if action.order.status not in _IN_THE_DEPARTMENTS_HANDS:
        raise ActionNotAllowed(
            _(
                "The order is “%(status)s”: its corrective actions change only while the department works on it."
            )
            % {"status": action.order.get_status_display()}
        )


def _order_submitted(action, actor, context):
    # Submitted: inside the order's return (its actions go back first); returned: inside a failed
    # effectiveness check, which reopens the order as returned and then its actions.
    if action.order.status not in (_S.SUBMITTED, _S.RETURNED):
        raise ActionNotAllowed(_("An action is sent back for redoing only when its order is returned."))


_A = ActionStatus
_STEP = CorrectiveActionStep
_WORK = {"roles": _HEAD, "scoped": True, "guard": _order_in_the_departments_hands}

CORRECTIVE_ACTIONS = Machine(
    CorrectiveAction,
    history=CorrectiveActionTransition,
    action_labels=CorrectiveActionStep,
    state_refusal=gettext_lazy("“%(action)s” is not possible while the corrective action is “%(status)s”."),
    scope_refusal=gettext_lazy("You may not “%(action)s”: the order belongs to another department."),
    lock_related=("order",),
    subject="corrective_action",
    # An action's page is its order's: starting one must not move the order's notices on.
    moves_notices=False,
    actions=[
        Action(_STEP.START, {_A.PLANNED}, _A.IN_PROGRESS, **_WORK, style="outline-primary"),
        Action(_STEP.COMPLETE, {_A.PLANNED, _A.IN_PROGRESS}, _A.DONE, **_WORK, style="success"),
        Action(_STEP.ATTACH, {_A.PLANNED, _A.IN_PROGRESS, _A.DONE}, None, **_WORK, style="outline-secondary"),
        Action(_STEP.REOPEN, {_A.DONE}, _A.IN_PROGRESS, **_WORK, style="outline-warning"),
        # Only inside the return of the whole order (order_return's ``redo``), never a button of its own.
        Action(_STEP.REDO, {_A.DONE}, _A.IN_PROGRESS, _SUPERVISOR, guard=_order_submitted, style="warning"),
    ],
)


def _required(value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionNotAllowed(message)
    return value


def order_terms(*, category_id: int | None, severity: str) -> tuple[int, int]:
    """(deadline days, effectiveness-check days) for an order of this category and severity: the
    most specific rule with a value (category and severity, category, severity), else the system
    parameters' defaults."""
    rules = {
        (t.category_id, t.severity): t
        for t in OrderTerm.objects.filter(
            Q(category_id=category_id) | Q(category__isnull=True), severity__in=[severity, ""]
        ).order_by("-id")  # the oldest rule last, so it wins over a duplicate
    }
    config = SiteConfig.get()
    chain = [rules.get(k) for k in ((category_id, severity), (category_id, ""), (None, severity), (None, ""))]

    def first(field, default):
        return next((getattr(t, field) for t in chain if t and getattr(t, field) is not None), default)

    return first("deadline_days", config.default_deadline_days), first(
        "check_days", config.default_check_days
    )


def order_default_deadline(finding: Finding, today: dt.date | None = None) -> dt.date:
    days, _check = order_terms(category_id=finding.category_id, severity=finding.severity)
    return (today or timezone.localdate()) + dt.timedelta(days=days)


def order_default_check_due(order: RectificationOrder, today: dt.date | None = None) -> dt.date:
    _days, check = order_terms(category_id=order.finding.category_id, severity=order.finding.severity)
    return (today or timezone.localdate()) + dt.timedelta(days=check)


@transaction.atomic
def order_issue(*, finding: Finding, actor: User, deadline: dt.date | None = None, instructions: str = ""):
    if hasattr(finding, "order"):
        raise ActionNotAllowed(_("This finding already has a rectification order."))
    deadline = deadline or order_default_deadline(finding)
    order = RectificationOrder(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        finding=finding,
        department_id=finding.department_id,
        found_at=finding.found_at,
        deadline=deadline,
        issued_by=actor,
        issued_at=timezone.now(),
        instructions=instructions.strip()[:2000],
    )
    order._change_reason = OrderAction.ISSUE.value  # history reasons are action codes, worded when shown
    order.save()
    order.number = f"ZG{timezone.localtime(order.issued_at):%Y}-{order.pk:06d}"
    RectificationOrder.objects.filter(pk=order.pk).update(number=order.number)
    order.history.filter(number__startswith="tmp-").update(number=order.number)
    ORDERS.record(order, action=OrderAction.ISSUE, actor=actor, from_status="", comment=order.instructions)
    notify_department_heads(
        department_id=order.department_id,
        kind=NotificationKind.ORDER_ISSUED,
        key=f"order_issued:{order.pk}",
        title=texts.ORDER_ISSUED,
        params={"number": order.number, "deadline": deadline.isoformat()},
        body=finding.description_stored,
        url=order.get_absolute_url(),
    )
    return order


def _tell_the_volunteer(finding: Finding, title, **params) -> None:
    """Whoever raised an observation (a volunteer) is told what became of it, once per outcome."""
    if finding.source != FindingSource.VOLUNTEER:
        return
    notification_send(
        recipients=[finding.found_by],
        kind=NotificationKind.ORDER_UPDATED,
        key=f"{title.key}:{finding.pk}",
        title=title,
        params={"number": finding.number, **params},
        url=finding.get_absolute_url(),
    )


@transaction.atomic
def finding_decide_no_order(*, finding: Finding, actor: User, reason: str) -> Finding:
    """A supervisor decides that a finding recorded without an order (a volunteer's observation)
    needs none, with the reason the volunteer reads; once. An order may still follow later."""
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors decide on observations."))
    reason = _required(reason, _("Give the reason no order is needed."))
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if hasattr(locked, "order"):
        raise ActionNotAllowed(_("This finding already has a rectification order."))
    if locked.decided_at is not None:
        raise ActionNotAllowed(_("This finding has already been decided."))
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = reason
    locked.save(update_fields=["decided_at", "decided_by", "decision_note"])
    notices_moved_on(locked, before=locked.decided_at)  # decided: earlier notices about it are history
    _tell_the_volunteer(locked, texts.OBSERVATION_NO_ORDER)
    return locked


@transaction.atomic
def finding_order_issue(
    *, finding: Finding, actor: User, deadline: dt.date | None = None, instructions: str = ""
) -> RectificationOrder:
    """A supervisor turns a finding recorded without an order (a volunteer's observation, or one logged
    as "no order") into a rectification order, once."""
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors issue rectification orders."))
    if deadline and deadline < timezone.localdate():
        raise ActionNotAllowed(_("The deadline cannot be in the past."))
    locked = Finding.objects.select_for_update().get(pk=finding.pk)  # two supervisors at once: one order
    notices_moved_on(locked, before=timezone.now())  # decided: earlier notices about it are history
    order = order_issue(finding=locked, actor=actor, deadline=deadline, instructions=instructions)
    _tell_the_volunteer(locked, texts.OBSERVATION_ORDERED, order=order.number)
    return order


@transaction.atomic
def order_acknowledge(*, order: RectificationOrder, actor: User, comment: str = "") -> RectificationOrder:
    return ORDERS.transition(order, actor=actor, action=OrderAction.ACKNOWLEDGE, comment=comment)


def _why_chain(whys: Iterable[str]) -> list[str]:
    """The answers to "why?", in order, without the empty ones; at most five."""
    chain = [w.strip() for w in whys if w and w.strip()]
    if len(chain) > MAX_WHYS:
        raise ActionNotAllowed(_("A why-chain has at most five steps."))
    return chain


MAX_WHYS = 5


def _due_within_deadline(order: RectificationOrder, due_date: dt.date) -> None:
    if due_date > order.deadline:
        raise ActionNotAllowed(
            _(
                "The due date %(due)s is after the order's deadline %(deadline)s. Choose a date up to the "
                "deadline, or first ask the supervisor for a later deadline with “%(extension)s”."
            )
            % {
                "due": date_format(due_date, "DATE_FORMAT"),
                "deadline": date_format(order.deadline, "DATE_FORMAT"),
                "extension": OrderAction.REQUEST_EXTENSION.label,
            }
        )


def _action_create(*, order, actor, description: str, due_date: dt.date, owner=None, done: bool = False):
    """A new row of the order's actions (the machine's step outside the table: "add")."""
    now = timezone.now()
    action = CorrectiveAction.objects.create(
        order=order,
        description=description,
        owner=owner,
        due_date=due_date,
        status=ActionStatus.DONE if done else ActionStatus.PLANNED,
        done_at=now if done else None,
        round=order.round,
        created_by=actor,
        created_at=now,
    )
    CORRECTIVE_ACTIONS.record(action, action=CorrectiveActionStep.ADD, actor=actor, from_status="")
    return action


@transaction.atomic
def order_plan_action(
    *, order: RectificationOrder, actor: User, description: str, owner: Staff, due_date: dt.date
) -> CorrectiveAction:
    """The head adds one corrective action: what, who from the roster, by when (up to the deadline)."""
    description = _required(description, _("Describe the corrective action."))
    if owner is None or not owner.active or owner.department_id != order.department_id:
        raise ActionNotAllowed(_("Choose the action's owner from the department's active staff."))
    if due_date < timezone.localdate():
        raise ActionNotAllowed(_("The due date cannot be in the past."))
    created = []

    def mutate(o):
        _due_within_deadline(o, due_date)  # the locked order's deadline (an extension may just have moved it)
        created.append(
            _action_create(order=o, actor=actor, description=description, owner=owner, due_date=due_date)
        )

    ORDERS.transition(
        order, actor=actor, action=OrderAction.PLAN_ACTION, comment=description, mutate=mutate, save=False
    )
    return created[0]


@transaction.atomic
def corrective_action_start(*, corrective_action: CorrectiveAction, actor: User, comment: str = ""):
    return CORRECTIVE_ACTIONS.transition(
        corrective_action, actor=actor, action=CorrectiveActionStep.START, comment=comment
    )


@transaction.atomic
def corrective_action_complete(
    *,
    corrective_action: CorrectiveAction,
    actor: User,
    result: str = "",
    evidence: Iterable[CleanUpload] = (),
) -> CorrectiveAction:
    result = (result or "").strip()

    def mutate(a):
        a.done_at = timezone.now()
        a.result = result

    locked = CORRECTIVE_ACTIONS.transition(
        corrective_action, actor=actor, action=CorrectiveActionStep.COMPLETE, comment=result, mutate=mutate
    )
    _action_evidence(locked, actor, evidence)
    return locked


@transaction.atomic
def corrective_action_attach(
    *, corrective_action: CorrectiveAction, actor: User, evidence: Iterable[CleanUpload]
) -> CorrectiveAction:
    evidence = list(evidence)
    if not evidence:
        raise ActionNotAllowed(_("Choose at least one file."))
    locked = CORRECTIVE_ACTIONS.transition(
        corrective_action,
        actor=actor,
        action=CorrectiveActionStep.ATTACH,
        comment=lambda a: texts.LIST(items=[u.name for u in evidence]),  # the language's separator
        save=False,  # the files are rows of their own
    )
    _action_evidence(locked, actor, evidence)
    return locked


@transaction.atomic
def corrective_action_reopen(*, corrective_action: CorrectiveAction, actor: User, reason: str):
    reason = _required(reason, _("Give the reason for reopening the action."))

    def mutate(a):
        a.done_at = None

    return CORRECTIVE_ACTIONS.transition(
        corrective_action, actor=actor, action=CorrectiveActionStep.REOPEN, comment=reason, mutate=mutate
    )


def _action_evidence(action: CorrectiveAction, actor: User, evidence: Iterable[CleanUpload]) -> None:
    order = action.order
    for upload in evidence:
        attachment_add(
            finding=order.finding, order=order, corrective_action=action, upload=upload, actor=actor
        )


@transaction.atomic
def order_submit(
    *,
    order: RectificationOrder,
    actor: User,
    cause: str,
    cause_categories: Iterable[CauseCategory] = (),
    why_chain: Iterable[str] = (),
    corrective_action: str = "",
    evidence: Iterable[CleanUpload] = (),
    comment: str = "",
) -> RectificationOrder:
    """The head sends the department's response for verification: the root-cause analysis, and the
    corrective actions, every one of them done (the table's guard). ``corrective_action``, a text,
    records one more action done now: the short way for a problem fixed on the spot."""
    cause = _required(cause, _("State the cause of the problem."))
    whys = _why_chain(why_chain)
    categories = list(cause_categories)
    quick = (corrective_action or "").strip()

    def mutate(o):
        if not quick and not o.actions.exists():
            raise ActionNotAllowed(
                _("State the corrective action taken, or add the corrective actions first.")
            )
        if quick:
            _action_create(order=o, actor=actor, description=quick, due_date=o.deadline, done=True)
        o.cause = cause
        o.why_chain = whys
        o.cause_categories.set(categories)
        o.submitted_at = timezone.now()

    locked = ORDERS.transition(order, actor=actor, action=OrderAction.SUBMIT, comment=comment, mutate=mutate)
    for upload in evidence:
        attachment_add(finding=locked.finding, order=locked, upload=upload, actor=actor)
    notification_send(
        recipients=[locked.issued_by],
        kind=NotificationKind.ORDER_UPDATED,
        key=f"order_submitted:{locked.pk}:{locked.transitions.count()}",
        title=texts.ORDER_SUBMITTED,
        params={"number": locked.number},
        url=locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def order_verify(
    *, order: RectificationOrder, actor: User, comment: str = "", check_due: dt.date | None = None
) -> RectificationOrder:
    """The fix is accepted; its effectiveness is checked on ``check_due`` (by default after the
    category's and severity's check period), and only then is the order closed for good."""
    today = timezone.localdate()
    if check_due is not None and check_due < today:
        raise ActionNotAllowed(_("The effectiveness check date cannot be in the past."))

    def mutate(o):
        o.closed_at = timezone.now()
        o.closed_on_time = timezone.localtime(o.closed_at).date() <= o.deadline
        o.check_due = check_due or order_default_check_due(o, today)

    locked = ORDERS.transition(order, actor=actor, action=OrderAction.VERIFY, comment=comment, mutate=mutate)
    _tell_the_volunteer(locked.finding, texts.OBSERVATION_CLOSED, order=locked.number)
    notify_department_heads(
        department_id=locked.department_id,
        kind=NotificationKind.ORDER_UPDATED,
        key=f"order_verified:{locked.pk}:{locked.transitions.count()}",
        title=texts.ORDER_VERIFIED_CHECK,
        params={"number": locked.number, "check": locked.check_due.isoformat()},
        url=locked.get_absolute_url(),
    )
    return locked


def _reopen(o: RectificationOrder, deadline: dt.date) -> None:
    """A check found the fix did not hold: the department works on the same order again (its
    history kept), to a new deadline."""
    o.deadline = deadline
    o.check_due = None
    o.closed_at = None
    o.closed_on_time = None


@transaction.atomic
def order_check(
    *,
    order: RectificationOrder,
    actor: User,
    effective: bool,
    comment: str = "",
    deadline: dt.date | None = None,
    redo: Iterable[CorrectiveAction] = (),
) -> RectificationOrder:
    """Record the effectiveness check (效果评价): effective closes the order for good; not
    effective reopens it for the department with a new deadline (a reason is required), and its
    corrective actions with it: those ``redo`` names (the ones the failed check concerns), or every
    done action when none is named — a reopened order's plan is never all "done" already."""
    today = timezone.localdate()
    comment = (comment or "").strip()
    if effective:
        locked = ORDERS.transition(
            order, actor=actor, action=OrderAction.CHECK_EFFECTIVE, comment=comment, context={"today": today}
        )
        notify_department_heads(
            department_id=locked.department_id,
            kind=NotificationKind.ORDER_UPDATED,
            key=f"order_closed:{locked.pk}",
            title=texts.ORDER_VERIFIED,
            params={"number": locked.number},
            url=locked.get_absolute_url(),
        )
        return locked
    if deadline is not None and deadline < today:
        raise ActionNotAllowed(_("The deadline cannot be in the past."))

    redo = list(redo)
    if any(a.order_id != order.pk for a in redo):
        raise ActionNotAllowed(_("Name only actions of this order."))

    def mutate(o):
        _required(comment, _("Say what shows that the rectification did not hold."))
        _reopen(o, deadline or order_default_deadline(o.finding, today))

    locked = ORDERS.transition(
        order, actor=actor, action=OrderAction.CHECK_INEFFECTIVE, comment=comment, mutate=mutate
    )
    _redo_actions(locked, actor=actor, comment=comment, actions=redo)
    _notify_reopened(locked, body=comment)
    return locked


def _redo_actions(order: RectificationOrder, *, actor: User | None, comment, actions) -> None:
    """After a failed check (the order now returned): the named actions, or every done one, go back
    to "in progress" through their own machine, each with the check's note in its history."""
    if not actions:
        actions = list(CorrectiveAction.objects.filter(order=order, status=ActionStatus.DONE))
    for action in actions:
        CORRECTIVE_ACTIONS.transition(action, actor=actor, action=CorrectiveActionStep.REDO, comment=comment)


def _notify_reopened(order: RectificationOrder, *, body) -> None:
    notify_department_heads(
        department_id=order.department_id,
        kind=NotificationKind.ORDER_UPDATED,
        key=f"order_reopened:{order.pk}:{order.deadline.isoformat()}",
        title=texts.ORDER_REOPENED,
        params={"number": order.number, "deadline": order.deadline.isoformat()},
        body=body,
        url=order.get_absolute_url(),
    )


def orders_fail_check_on_recurrence(*, finding: Finding) -> list[RectificationOrder]:
    """The same problem (category) found again in the department after an order's verification
    and before its effectiveness check: that check counts as not effective, recorded by the system,
    and the order is reopened."""
    found_on = timezone.localtime(finding.found_at).date()
    waiting = RectificationOrder.objects.filter(
        status=OrderStatus.VERIFIED,
        department_id=finding.department_id,
        finding__category_id=finding.category_id,
        closed_at__lte=finding.found_at,
        check_due__gte=found_on,
    ).exclude(finding_id=finding.pk)
    reopened = []
    for order in waiting:
        note = texts.CHECK_FAILED_BY_RECURRENCE(number=finding.number)
        locked = ORDERS.transition(
            order,
            actor=None,
            action=OrderAction.CHECK_INEFFECTIVE,
            comment=note,
            mutate=lambda o: _reopen(o, order_default_deadline(o.finding)),
        )
        _redo_actions(locked, actor=None, comment=note, actions=())
        _notify_reopened(locked, body=note)
        reopened.append(locked)
    return reopened


@transaction.atomic
def order_return(
    *, order: RectificationOrder, actor: User, reason: str, redo: Iterable[CorrectiveAction] = ()
) -> RectificationOrder:
    """The supervisor sends the response back with the reason, naming the actions to redo (each goes
    back to "in progress" through its own machine, in the same transaction)."""
    reason = _required(reason, _("Give the reason for returning the order."))
    redo = list(redo)
    if any(a.order_id != order.pk for a in redo):
        raise ActionNotAllowed(_("Name only actions of this order."))

    def mutate(o):
        o.return_count += 1

    # The actions first, while the order is still "submitted" (their guard); any refusal undoes all.
    for action in redo:
        CORRECTIVE_ACTIONS.transition(action, actor=actor, action=CorrectiveActionStep.REDO, comment=reason)
    locked = ORDERS.transition(order, actor=actor, action=OrderAction.RETURN, comment=reason, mutate=mutate)
    notify_department_heads(
        department_id=locked.department_id,
        kind=NotificationKind.ORDER_UPDATED,
        key=f"order_returned:{locked.pk}:{locked.return_count}",
        title=texts.ORDER_RETURNED,
        params={"number": locked.number},
        body=reason,
        url=locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def order_request_extension(
    *, order: RectificationOrder, actor: User, requested_deadline: dt.date, reason: str
) -> DeadlineExtension:
    reason = _required(reason, _("Give the reason for the extension."))
    created = []

    def mutate(o):
        if requested_deadline <= o.deadline:
            raise ActionNotAllowed(_("The requested deadline must be later than the current one."))
        created.append(
            DeadlineExtension.objects.create(
                order=o,
                requested_at=timezone.now(),
                requested_by=actor,
                current_deadline=o.deadline,
                requested_deadline=requested_deadline,
                reason=reason,
            )
        )

    locked = ORDERS.transition(
        order,
        actor=actor,
        action=OrderAction.REQUEST_EXTENSION,
        comment=texts.with_text(texts.DATE(date=requested_deadline), reason),
        mutate=mutate,
        save=False,  # the order itself does not change
    )
    extension = created[0]
    notification_send(
        recipients=[locked.issued_by],
        kind=NotificationKind.ORDER_UPDATED,
        key=f"extension_requested:{extension.pk}",
        title=texts.ORDER_EXTENSION_REQUESTED,
        params={"number": locked.number},
        body=reason,
        url=locked.get_absolute_url(),
    )
    return extension


@transaction.atomic
def order_decide_extension(
    *, order: RectificationOrder, actor: User, grant: bool, comment: str = ""
) -> DeadlineExtension:
    action = OrderAction.GRANT_EXTENSION if grant else OrderAction.REFUSE_EXTENSION
    decided = []
    comment = (comment or "").strip() if not grant else comment

    def mutate(o):
        if not grant:  # after the check: "no request waiting" comes first
            _required(comment, _("Give the reason for refusing the extension."))
        extension = DeadlineExtension.objects.select_for_update().get(order=o, status=ExtensionStatus.PENDING)
        extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.decision_comment = comment
        extension.save()
        decided.append(extension)
        if grant:
            o.deadline = extension.requested_deadline

    # Only a granted extension changes the order (its deadline).
    locked = ORDERS.transition(
        order,
        actor=actor,
        action=action,
        comment=comment,
        mutate=mutate,
        save=["deadline"] if grant else False,
    )
    extension = decided[0]
    notify_department_heads(
        department_id=locked.department_id,
        kind=NotificationKind.ORDER_UPDATED,
        key=f"extension_decided:{extension.pk}",
        title=(texts.ORDER_EXTENSION_GRANTED if grant else texts.ORDER_EXTENSION_REFUSED),
        params={"number": locked.number, "deadline": locked.deadline.isoformat()},
        body=comment,
        url=locked.get_absolute_url(),
    )
    return extension


# --- notifications ---------------------------------------------------------------------------


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: Message,
    params: dict | None = None,
    body: str | Worded = "",
    url: str = "",
) -> int:
    """Create one notification per recipient unless one with ``key`` exists: idempotent.

    The title is stored as ``title.key`` + ``params`` (dates as ISO strings) and worded when
    shown, in the reader's language on the page and the recipient's in the e-mail; so is a body
    the application wrote (a ``Worded``). A person's words in ``body`` are kept as written.

    The rows are the record of the work; e-mail goes out after commit and, if the broker is
    down, the periodic e-mail sweep sends it later.
    """
    if not isinstance(title, Message):
        raise TypeError(
            "notification_send: title must be a supervision.infra.wording.Message (see <app>/texts.py)"
        )
    stored_params = dict(params or {})
    if isinstance(body, Worded):  # a body the application wrote, worded for the reader too
        stored_params["_body"] = body.as_param()
    now = timezone.now()
    rows = []
    for user in {u.pk: u for u in recipients if u and u.is_active}.values():
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                title_key=title.key,
                params=stored_params,
                body="" if isinstance(body, Worded) else str(body),
                url=url,
                item=notification_item(url, key),
                dedupe_key=key,
                created_at=now,
                # Nothing to e-mail without an address: mark the e-mail step as done.
                emailed_at=None if user.email else now,
            )
        )
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(dedupe_key=key, recipient__in=[r.recipient for r in rows]).values_list(
            "recipient_id", flat=True
        )
    )
    new = [r for r in rows if r.recipient.pk not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if any(r.emailed_at is None for r in new):
        from .tasks import send_pending_emails

        enqueue_on_commit(send_pending_emails, debounce_seconds=5)
    return len(new)


def users_with_role(*roles: str):
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def department_heads(department_id: int):
    return users_with_role(Role.DEPT_HEAD).filter(departments=department_id)


def notify_department_heads(*, department_id: int, **kwargs) -> int:
    return notification_send(recipients=list(department_heads(department_id)), **kwargs)


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def notifications_read_on_open(*, user: User, path: str) -> int:
    """``user`` opened the page at ``path``: their unread notices about it are read."""
    return Notification.objects.filter(recipient=user, item=path, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def user_set_email_mode(*, user: User, email_mode: str) -> User:
    """The person's choice of e-mail: a daily digest (escalations and alerts at once) or every notice."""
    if email_mode not in EmailMode.values:
        raise ActionNotAllowed(_("Choose how you want your notices by e-mail."))
    user.email_mode = email_mode
    user.save(update_fields=["email_mode"])
    return user


def _sent_at_once() -> Q:
    """The notices e-mailed by the sweep as they come: escalations and alerts, and every notice of a
    person who chose "each notice at once"; the others wait for the daily digest."""
    return Q(kind__in=IMMEDIATE_KINDS) | Q(recipient__email_mode=EmailMode.IMMEDIATE)


def notifications_email_digest(*, today: dt.date | None = None) -> int:
    """The daily digest: one e-mail per person with notices waiting for it, grouped by item. Once a
    day per person (``EmailDigest``), so a rerun sends nothing twice; notices read or moved on by
    then are left out (they are no longer news). Returns the number of e-mails sent."""
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    now = timezone.now()
    waiting = (
        Notification.objects.filter(emailed_at__isnull=True, email_gave_up_at__isnull=True)
        .exclude(_sent_at_once())
        .filter(recipient__is_active=True)
    )
    sent = 0
    for recipient_id in sorted(set(waiting.values_list("recipient_id", flat=True))):
        with transaction.atomic():
            if EmailDigest.objects.filter(recipient_id=recipient_id, day=today).exists():
                continue
            batch = list(
                waiting.select_for_update(skip_locked=True)
                .filter(recipient_id=recipient_id)
                .select_related("recipient")
                .order_by("item", "created_at", "id")
            )
            if not batch:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=now)
            news = [n for n in batch if n.is_work]
            if not news:
                continue
            digest = EmailDigest.objects.create(
                recipient_id=recipient_id, day=today, sent_at=now, notice_count=len(news)
            )
        recipient = news[0].recipient
        try:
            with override(recipient.language or settings.LANGUAGE_CODE):
                subject = _one_line(
                    ngettext(
                        "Ducha daily digest: %(count)s notice",
                        "Ducha daily digest: %(count)s notices",
                        len(news),
                    )
                    % {"count": len(news)}
                )
                body = _digest_email_text(news)
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])
            sent += 1
        except Exception as error:
            # Given back: the next run of the job (or tomorrow's) sends them again.
            Notification.objects.filter(pk__in=[n.pk for n in news]).update(emailed_at=None)
            digest.delete()
            logger.warning("daily digest for user %s failed: %s", recipient_id, _one_line(error)[:300])
    return sent


def _digest_email_text(news: list[Notification]) -> str:
    """The digest's text in the active language: one block per item (its newest title, its link and
    the notices about it), then who sent it."""
    groups: dict[str, list[Notification]] = {}
    for n in news:
        groups.setdefault(n.item, []).append(n)
    blocks = []
    for notices in sorted(groups.values(), key=lambda ns: max(n.created_at for n in ns), reverse=True):
        newest = max(notices, key=lambda n: (n.created_at, n.pk))
        lines = [f"■ {newest.title_text}"]
        link = (
            f"{settings.DUCHA_BASE_URL}{newest.url}" if newest.url and settings.DUCHA_BASE_URL else newest.url
        )
        if link:
            lines.append(_("Open it in Ducha: %(link)s") % {"link": link})
        for n in sorted(notices, key=lambda n: (n.created_at, n.pk)):
            when = date_format(timezone.localtime(n.created_at), "SHORT_DATETIME_FORMAT")
            lines.append(f"  · {when} {n.title_text}")
        blocks.append("\n".join(lines))
    blocks.append(
        _("%(hospital)s service supervision (Ducha). This e-mail was sent automatically.")
        % {"hospital": settings.HOSPITAL_NAME}
    )
    return "\n\n".join(blocks)


def _notification_email_text(n: Notification) -> str:
    """The e-mail of a notice: what happened, where to open it (a full link), who sent it.

    In the recipient's language, like the notice's title.
    """
    link = f"{settings.DUCHA_BASE_URL}{n.url}" if n.url and settings.DUCHA_BASE_URL else n.url
    with override(n.recipient.language or settings.LANGUAGE_CODE):
        parts = [n.title_text, n.body_text]
        if link:
            parts.append(_("Open it in Ducha: %(link)s") % {"link": link})
        parts.append(
            _("%(hospital)s service supervision (Ducha). This e-mail was sent automatically.")
            % {"hospital": settings.HOSPITAL_NAME}
        )
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _one_line(text: str) -> str:
    # A header value with a line break is refused (BadHeaderError) on every attempt: a department
    # name typed with Alt+Enter in an Excel cell once put one into every subject naming it.
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def email_retry_delay(attempts: int) -> dt.timedelta:
    """How long a notice waits after its ``attempts``-th failed e-mail: 5, 10, 20 … minutes, at most 6 hours."""
    return min(dt.timedelta(minutes=5) * 2 ** max(attempts - 1, 0), dt.timedelta(hours=6))


def notifications_email_pending(*, limit: int = 200) -> int:
    """Send e-mail for notifications not yet e-mailed. Claim first, so a rerun sends nothing twice.

    A failed send is counted and tried again after a growing pause (``email_retry_delay``); after
    ``EMAIL_MAX_ATTEMPTS`` failures the e-mail is given up with one log line and the admin shows
    it (the notice stays in the app). New notices go before retries, and a notice waiting for its
    retry is not selected, so failing e-mails never hold up the others.
    """
    from django.core.mail import send_mail

    now = timezone.now()
    sent = 0
    with transaction.atomic():
        batch = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(emailed_at__isnull=True, email_gave_up_at__isnull=True)
            .filter(_sent_at_once())
            .filter(Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now))
            .select_related("recipient")
            .order_by("email_attempts", "id")[:limit]
        )
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=now)
    for n in batch:
        try:
            with override(n.recipient.language or settings.LANGUAGE_CODE):
                subject = _one_line(n.title_text)
            send_mail(
                subject=subject,
                message=_notification_email_text(n),
                from_email=None,
                recipient_list=[n.recipient.email],
            )
            sent += 1
        except Exception as error:
            _notification_email_failed(n, error)
    return sent


def _notification_email_failed(n: Notification, error: Exception) -> None:
    attempts = n.email_attempts + 1
    failed_at = timezone.now()
    detail = f"{type(error).__name__}: {_one_line(error)}"[:300]
    update = {"emailed_at": None, "email_attempts": attempts, "email_error": detail}
    if attempts >= settings.EMAIL_MAX_ATTEMPTS:
        update["email_gave_up_at"] = failed_at
        logger.error(
            "e-mail for notification %s to user %s given up after %s attempts: %s",
            n.pk,
            n.recipient_id,
            attempts,
            detail,
        )
    else:
        update["email_retry_at"] = failed_at + email_retry_delay(attempts)
        logger.warning(
            "e-mail for notification %s failed (attempt %s of %s), next try after %s: %s",
            n.pk,
            attempts,
            settings.EMAIL_MAX_ATTEMPTS,
            update["email_retry_at"].isoformat(timespec="minutes"),
            detail,
        )
    Notification.objects.filter(pk=n.pk).update(**update)


def notifications_email_retry(*, notification_ids) -> int:
    """Try the e-mail of these notices again at the next sweep (after the cause was fixed)."""
    return Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True).update(
        email_attempts=0, email_retry_at=None, email_gave_up_at=None, email_error=""
    )


# --- reminders and escalation (run by Celery beat) -------------------------------------------


def orders_remind_due_soon(*, today: dt.date | None = None) -> int:
    """Remind heads of orders due within the configured days. Once per order and deadline."""
    today = today or timezone.localdate()
    days = SiteConfig.get().due_soon_days
    count = 0
    for order in RectificationOrder.objects.due_within(days, today).select_related("finding"):
        count += notify_department_heads(
            department_id=order.department_id,
            kind=NotificationKind.DUE_SOON,
            key=f"due_soon:{order.pk}:{order.deadline.isoformat()}",
            title=texts.ORDER_DUE_SOON,
            params={"number": order.number, "deadline": order.deadline.isoformat()},
            body=order.finding.description_stored,
            url=order.get_absolute_url(),
        )
    return count


def orders_send_overdue_digest(*, today: dt.date | None = None) -> int:
    """One digest a day to each head (their departments) and each supervisor (all departments)."""
    today = today or timezone.localdate()
    overdue = list(
        RectificationOrder.objects.overdue(today)
        .select_related("department")
        .order_by("department_id", "deadline")
    )
    if not overdue:
        return 0
    by_department: dict[int, list[RectificationOrder]] = {}
    for order in overdue:
        by_department.setdefault(order.department_id, []).append(order)

    def lines(orders):
        # Worded for each reader: the deadlines in the reader's date format.
        return texts.LINE_LIST(
            lines=[
                texts.OVERDUE_ORDER(
                    number=o.number,
                    department=o.department.name,
                    deadline=o.deadline,
                    days=o.overdue_days(today),
                )
                for o in orders
            ]
        )

    count = 0
    url = reverse("finding_list") + "?overdue=true"
    heads = users_with_role(Role.DEPT_HEAD).prefetch_related("departments")
    for head in heads:
        mine = [o for d in head.departments.all() for o in by_department.get(d.pk, [])]
        if mine:
            count += notification_send(
                recipients=[head],
                kind=NotificationKind.OVERDUE_DIGEST,
                key=f"overdue_digest:{today.isoformat()}",
                title=texts.ORDERS_OVERDUE,
                params={"count": len(mine)},
                body=lines(mine),
                url=url,
            )
    count += notification_send(
        recipients=list(users_with_role(Role.SUPERVISOR)),
        kind=NotificationKind.OVERDUE_DIGEST,
        key=f"overdue_digest:{today.isoformat()}",
        title=texts.ORDERS_OVERDUE,
        params={"count": len(overdue)},
        body=lines(overdue),
        url=url,
    )
    return count


def orders_remind_checks_due(*, today: dt.date | None = None) -> int:
    """Effectiveness checks due today or earlier and not yet recorded → the supervisor who verified
    the order (every supervisor if that account is gone), once per order and check date."""
    today = today or timezone.localdate()
    supervisors = None
    count = 0
    due = RectificationOrder.objects.filter(status=OrderStatus.VERIFIED, check_due__lte=today)
    for order in due.select_related("department"):
        verifier = (
            OrderTransition.objects.filter(order=order, action=OrderAction.VERIFY, actor__is_active=True)
            .select_related("actor")
            .order_by("-id")
            .first()
        )
        if verifier is not None:
            recipients = [verifier.actor]
        else:
            supervisors = supervisors if supervisors is not None else list(users_with_role(Role.SUPERVISOR))
            recipients = supervisors
        count += notification_send(
            recipients=recipients,
            kind=NotificationKind.CHECK_DUE,
            key=f"check_due:{order.pk}:{order.check_due.isoformat()}",
            title=texts.ORDER_CHECK_DUE,
            params={
                "number": order.number,
                "department": order.department.name,
                "date": order.check_due.isoformat(),
            },
            url=order.get_absolute_url(),
        )
    return count


# --- the escalation ladder -------------------------------------------------------------------


def ladder_for(severity: str, rungs: list[EscalationRung] | None = None) -> list[EscalationRung]:
    """The rungs that apply to an order of ``severity``: its severity's own, else the general ones."""
    rungs = list(EscalationRung.objects.all()) if rungs is None else rungs
    own = [r for r in rungs if r.severity == severity]
    return sorted(own or [r for r in rungs if not r.severity], key=lambda r: r.days_overdue)


def rungs_due(
    order: RectificationOrder, *, today: dt.date, rungs: list[EscalationRung] | None = None
) -> list[EscalationRung]:
    """The rungs ``order`` has reached by ``today`` and not yet been reported at (for its deadline).
    Day 0 is the deadline day itself."""
    if order.status not in _EXTENDABLE:
        return []
    late = (today - order.deadline).days
    if late < 0:
        return []
    current = order.current_rung
    reached = current.days_overdue if current is not None else -1
    return [r for r in ladder_for(order.finding.severity, rungs) if reached < r.days_overdue <= late]


def _vice_presidents(department_id: int) -> list[User]:
    return [
        g.lead
        for g in DepartmentGroup.objects.filter(departments=department_id).select_related("lead")
        if g.lead.is_active
    ]


def ladder_recipients(*, target: str, department_id: int | None) -> list[User]:
    """Who a rung of the escalation ladder reports to about something of ``department_id``: its
    heads; the vice-president in charge (the administrators when nobody is in charge); or, for the
    weekly meeting list, its heads and the administrators. Without a department: the administrators.
    Shared by every ladder (orders here, overdue complaints in their channel)."""
    if department_id is None:
        return list(users_with_role(Role.ADMINISTRATOR))
    if target == RungTarget.HEAD:
        return list(department_heads(department_id))
    if target == RungTarget.VICE_PRESIDENT:
        # A department nobody is in charge of goes to the administrators rather than to no one.
        return _vice_presidents(department_id) or list(users_with_role(Role.ADMINISTRATOR))
    return [*department_heads(department_id), *users_with_role(Role.ADMINISTRATOR)]


_RUNG_TITLES = {
    RungTarget.HEAD: texts.ORDER_RUNG_HEAD,
    RungTarget.VICE_PRESIDENT: texts.ORDER_ESCALATED,
    RungTarget.WEEKLY_MEETING: texts.ORDER_TO_MEETING,
}


def _report_rung(order: RectificationOrder, rung: EscalationRung, today: dt.date) -> int:
    days = (today - order.deadline).days
    return notification_send(
        recipients=ladder_recipients(target=rung.target, department_id=order.department_id),
        kind=NotificationKind.ESCALATION,
        key=f"rung:{order.pk}:{rung.pk}:{order.deadline.isoformat()}",
        url=order.get_absolute_url(),
        body=order.finding.description_stored,
        title=_RUNG_TITLES.get(rung.target, texts.ORDER_TO_MEETING),
        params={"number": order.number, "department": order.department.name, "days": days},
    )


@transaction.atomic
def order_escalate(*, order: RectificationOrder, today: dt.date | None = None) -> int:
    """Climb the ladder for one order: every rung reached and not yet reported, lowest first, each
    one history row and its notices. Run again the same day: nothing (the guard refuses)."""
    today = today or timezone.localdate()
    rungs = list(EscalationRung.objects.all())
    climbed: list[EscalationRung] = []

    def mutate(o):
        rung = rungs_due(o, today=today, rungs=rungs)[0]  # the guard has seen one is due
        o.ladder_rung, o.ladder_deadline = rung, o.deadline
        climbed.append(rung)

    def note(o):
        return texts.RUNG_NOTE(target=o.ladder_rung.target, days=o.ladder_rung.days_overdue)

    while True:
        try:
            locked = ORDERS.transition(
                order,
                actor=None,
                action=OrderAction.ESCALATE,
                context={"today": today},
                mutate=mutate,
                save=["ladder_rung", "ladder_deadline"],
                comment=note,
            )
        except ActionNotAllowed:
            if climbed:
                # One event per climb, naming the highest rung reached (an order 10 days late climbs
                # three rungs at once: the hospital's systems hear once, at the rung it is on now).
                top = climbed[-1]
                events.announce(
                    events.order_escalated,
                    order=order,
                    days_overdue=order.overdue_days(today),
                    key=f"escalation:{order.pk}:{top.pk}:{order.deadline.isoformat()}",
                )
            return len(climbed)
        _report_rung(locked, climbed[-1], today)


def orders_climb_ladder(*, today: dt.date | None = None) -> int:
    """Beat: every order waiting for its department and past (or at) its deadline climbs to the rungs
    it has reached. Returns the rungs climbed; a second run the same day climbs none."""
    today = today or timezone.localdate()
    rungs = list(EscalationRung.objects.all())
    waiting = (
        RectificationOrder.objects.filter(status__in=_EXTENDABLE, deadline__lte=today)
        .select_related("finding", "ladder_rung")
        .order_by("deadline", "id")
    )
    count = 0
    for order in waiting.iterator(chunk_size=500):
        if rungs_due(order, today=today, rungs=rungs):
            count += order_escalate(order=order, today=today)
    return count


# --- people: attributions and their disputes (issue 16 item 5) ------------------------------------


_T = AttributionStatus
_OFFICE_DECIDES = (Role.SUPERVISOR,)

# A head disputes an attribution of a person of their department; the office upholds or withdraws
# it. One dispute per attribution: once decided, the decision stands (the history keeps both).
ATTRIBUTIONS = Machine(
    Attribution,
    history=AttributionTransition,
    action_labels=AttributionAction,
    state_refusal=gettext_lazy("“%(action)s” is not possible while the attribution is “%(status)s”."),
    scope_refusal=gettext_lazy("You may not “%(action)s”: the person belongs to another department."),
    lock_related=("staff", "finding"),
    subject="attribution",
    actions=[
        Action(
            AttributionAction.DISPUTE,
            {_T.ATTRIBUTED},
            _T.DISPUTED,
            (Role.DEPT_HEAD,),
            scoped=True,
            style="outline-warning",
        ),
        Action(
            AttributionAction.UPHOLD, {_T.DISPUTED}, _T.UPHELD, _OFFICE_DECIDES, style="outline-secondary"
        ),
        Action(AttributionAction.WITHDRAW, {_T.DISPUTED}, _T.WITHDRAWN, _OFFICE_DECIDES, style="warning"),
    ],
)


# --- alerts on unhappy patients (issue 17) ----------------------------------------------------


def alert_contact_refusal(alert: Alert) -> str:
    """Why nobody may contact this alert's patient ("" when someone may): an anonymous
    questionnaire has nobody to contact, and a patient who asked not to be contacted (or died) is
    never contacted — the channels say who through the contract's ``do_not_contact``."""
    if alert.stay_id is None:
        return _(
            "The questionnaire was anonymous: there is no patient to contact. Act on the ward, record what was done and close."
        )
    if do_not_contact(alert.stay):
        return _(
            "The patient asked not to be contacted: do not contact them. Record what was done on the ward and close."
        )
    return ""


def _patient_contactable(alert, actor, context):
    if refusal := alert_contact_refusal(alert):
        raise ActionNotAllowed(refusal)


_TALKED = {AlertOutcome.RESOLVED, AlertOutcome.PARTLY, AlertOutcome.NOT_RESOLVED}


def _outcome_fits(alert, actor, context):
    """The outcome must be what happened: a conversation's outcome needs a recorded contact, and
    'not contacted' is only for a patient nobody may contact."""
    outcome = context.get("outcome")
    if outcome is None:  # the buttons: whether closing is possible at all
        return
    contacted = alert.status == AlertStatus.CONTACTED
    if outcome in _TALKED and not contacted:
        raise ActionNotAllowed(
            _("Record the contact first: this outcome needs a conversation with the patient.")
        )
    if outcome == AlertOutcome.NOT_CONTACTED and (contacted or not alert_contact_refusal(alert)):
        raise ActionNotAllowed(_("“Not contacted” is only for a patient nobody may contact."))
    if outcome == AlertOutcome.NOT_REACHED and (contacted or alert_contact_refusal(alert)):
        raise ActionNotAllowed(
            _("“Could not be reached” is only for a patient who was tried and not reached.")
        )


def _alert_in_scope(alert, actor) -> bool:
    # The office acts on every department's alerts, a head on their own department's.
    return actor.sees_all_departments or alert.department_id in actor.department_ids


_RECOVERY = {"roles": (Role.DEPT_HEAD, Role.SUPERVISOR), "scoped": True}

ALERTS = Machine(
    Alert,
    history=AlertTransition,
    action_labels=AlertAction,
    state_refusal=gettext_lazy("“%(action)s” is not possible while the alert is “%(status)s”."),
    scope_refusal=gettext_lazy("You may not “%(action)s”: the alert belongs to another department."),
    in_scope=_alert_in_scope,
    actions=[
        Action(
            AlertAction.CONTACT,
            {AlertStatus.OPEN},
            AlertStatus.CONTACTED,
            guard=_patient_contactable,
            style="primary",
            **_RECOVERY,
        ),
        Action(
            AlertAction.CLOSE,
            {AlertStatus.OPEN, AlertStatus.CONTACTED},
            AlertStatus.CLOSED,
            guard=_outcome_fits,
            **_RECOVERY,
        ),
    ],
)


def attributions_add(*, finding: Finding, staff: Iterable[Staff], actor: User | None) -> list[Attribution]:
    """Name staff members in a finding (one attribution each, recorded as its first history row);
    a person named already is left as they are."""
    staff = [s for s in staff if s is not None]
    if not staff:
        return []
    have = set(finding.attributions.values_list("staff_id", flat=True))
    new = Attribution.objects.bulk_create(
        [Attribution(finding=finding, staff=s) for s in {s.pk: s for s in staff}.values() if s.pk not in have]
    )
    for attribution in new:
        ATTRIBUTIONS.record(attribution, action=AttributionAction.ATTRIBUTE, actor=actor, from_status="")
    return new


@transaction.atomic
def attribution_dispute(*, attribution: Attribution, actor: User, reason: str) -> Attribution:
    """The head of the person's department disputes that they were involved, with the reason."""
    reason = _required(reason, _("Give the reason for the dispute."))[:2000]
    locked = ATTRIBUTIONS.transition(
        attribution, actor=actor, action=AttributionAction.DISPUTE, comment=reason, save=["status"]
    )
    notification_send(
        recipients=list(users_with_role(Role.SUPERVISOR)),
        kind=NotificationKind.GENERAL,
        key=f"attribution_disputed:{locked.pk}",
        title=texts.ATTRIBUTION_DISPUTED,
        params={"number": locked.finding.number, "name": locked.staff.name},
        url=reverse("attribution_disputes"),
    )
    return locked


@transaction.atomic
def attribution_decide(
    *, attribution: Attribution, actor: User, uphold: bool, comment: str = ""
) -> Attribution:
    """The office decides a dispute: upheld (the attribution stands) or withdrawn (it no longer
    counts on the person's record). The comment is required for neither; it is kept in the history."""
    action = AttributionAction.UPHOLD if uphold else AttributionAction.WITHDRAW
    locked = ATTRIBUTIONS.transition(
        attribution, actor=actor, action=action, comment=(comment or "").strip()[:2000], save=["status"]
    )
    disputed_by = locked.transitions.filter(action=AttributionAction.DISPUTE).order_by("-at", "-id").first()
    if disputed_by is not None and disputed_by.actor_id:
        notification_send(
            recipients=[disputed_by.actor],
            kind=NotificationKind.GENERAL,
            key=f"{DISPUTE_DECIDED_KEY}{locked.pk}",  # unread, it keeps the dispute in "needs me now"
            title=texts.ATTRIBUTION_UPHELD if uphold else texts.ATTRIBUTION_WITHDRAWN,
            params={"number": locked.finding.number, "name": locked.staff.name},
            url=locked.get_absolute_url(),
        )
    return locked


def attribution_decisions_seen(*, user: User, attributions: Iterable[Attribution]) -> int:
    """``user`` saw the office's decisions on these disputes (the list of disputes answered): their
    notices are read, so the disputes leave "needs me now"."""
    keys = [f"{DISPUTE_DECIDED_KEY}{a.pk}" for a in attributions]
    if not keys:
        return 0
    return Notification.objects.filter(recipient=user, dedupe_key__in=keys, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- feedback to the patient who raised it (issue 16 item 6) -----------------------------------------


@transaction.atomic
def finding_record_patient_told(
    *, finding: Finding, actor: User, method: str, told_at: dt.datetime | None = None, note: str = ""
) -> Finding:
    """Record whether and how the patient whose survey answer or follow-up call raised ``finding``
    was told what became of it (``not_told``: they could not be, or declined), when and by whom.
    Recorded again, the latest stands (the finding's change history keeps the earlier)."""
    if not actor.has_role(Role.SUPERVISOR, Role.FOLLOWUP):
        raise ActionNotAllowed(_("Only supervisors and follow-up staff record what the patient was told."))
    if method not in PatientToldMethod.values:
        raise ActionNotAllowed(_("Choose how the patient was told, or that they were not."))
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    if not locked.asks_patient_told:
        raise ActionNotAllowed(_("Only a finding raised by a patient (survey, follow-up call) records this."))
    told_at = told_at or timezone.now()
    if told_at > timezone.now() + dt.timedelta(minutes=5):
        raise ActionNotAllowed(_("The time the patient was told cannot be in the future."))
    if told_at < locked.found_at:
        raise ActionNotAllowed(_("The patient cannot have been told before the problem was found."))
    locked.patient_told_method = method
    locked.patient_told_at = told_at
    locked.patient_told_by = actor
    locked.patient_told_note = (note or "").strip()[:500]
    locked._change_reason = "patient_told"
    locked.save(
        update_fields=["patient_told_method", "patient_told_at", "patient_told_by", "patient_told_note"]
    )
    return locked


def _alert_recipients(alert: Alert) -> list[User]:
    """The department's heads and the office, less whoever already has an unread alert notice: a
    burst (1,000 low scores from one imported paper batch) tells each person once, and the list
    page shows them all. A person who has read their notice is told of the next alert."""
    people = list(department_heads(alert.department_id)) + list(users_with_role(Role.SUPERVISOR))
    waiting = set(
        Notification.objects.filter(
            recipient__in=people, kind=NotificationKind.ALERT, read_at__isnull=True
        ).values_list("recipient_id", flat=True)
    )
    return [u for u in people if u.pk not in waiting]


# Which kind one contact's alert is when both apply: the patient saying so on the call comes first.
_ALERT_KIND_RANK = {AlertKind.CALL_NOT_SATISFIED: 0, AlertKind.SURVEY_LOW_SCORE: 1}


def _alert_merge(
    alert: Alert, *, kind: str, lowest_score: int | None, items: Iterable[str], note: str
) -> Alert:
    """Add what a second look at the same contact saw (the call's questionnaire after the call, or
    the reverse) to its alert: the lower score, the items not there yet, the note not there yet,
    and the call's kind over the questionnaire's. Running it again changes nothing."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    changed = []
    if _ALERT_KIND_RANK.get(kind, 9) < _ALERT_KIND_RANK.get(locked.kind, 9):
        locked.kind = kind
        changed.append("kind")
    if lowest_score is not None and (locked.lowest_score is None or lowest_score < locked.lowest_score):
        locked.lowest_score = lowest_score
        changed.append("lowest_score")
    new_items = [item for item in items if item not in locked.items]
    if new_items:
        locked.items = [*locked.items, *new_items]
        changed.append("items")
    if note and note not in locked.note:
        locked.note = "\n".join(t for t in (locked.note, note) if t)[:4000]
        changed.append("note")
    if changed:
        locked.save(update_fields=changed)
    return locked


@transaction.atomic
def alert_raise(
    *,
    kind: str,
    source: Model,
    department: Department,
    due_on: dt.date,
    stay=None,
    lowest_score: int | None = None,
    items: Iterable[str] = (),
    note: str = "",
    now: dt.datetime | None = None,
) -> tuple[Alert, bool]:
    """Raise the alert of ``source`` (a survey response, a call) unless it exists: (alert, created).

    Idempotent: one alert per source (a database constraint), so a task that runs twice — or two
    workers at once — raises it once and notifies once. The source is the patient contact: a
    questionnaire asked during a follow-up call names the call, so a call recorded "not satisfied"
    whose questionnaire also scored low is one alert, not two — whichever worker comes second adds
    what it saw to the alert (``_alert_merge``) and tells nobody again.
    """
    now = now or timezone.now()
    source_type = ContentType.objects.get_for_model(source)
    existing = Alert.objects.filter(source_type=source_type, source_id=source.pk).first()
    if existing is not None:
        return _alert_merge(existing, kind=kind, lowest_score=lowest_score, items=items, note=note), False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                department=department,
                source_type=source_type,
                source_id=source.pk,
                stay=stay,
                raised_at=now,
                raised_on=timezone.localdate(now),
                due_on=due_on,
                lowest_score=lowest_score,
                items=list(items),
                note=note,
            )
    except IntegrityError:  # the other worker raised it a moment ago
        existing = Alert.objects.get(source_type=source_type, source_id=source.pk)
        return _alert_merge(existing, kind=kind, lowest_score=lowest_score, items=items, note=note), False
    ALERTS.record(alert, action=AlertAction.RAISE, actor=None, from_status="")
    notification_send(
        recipients=_alert_recipients(alert),
        kind=NotificationKind.ALERT,
        key=f"alert:{alert.pk}",
        title=texts.ALERT_RAISED,
        params={"department": department.name, "kind": kind, "due": due_on.isoformat()},
        url=reverse("alert_list"),
    )
    return alert, True


def alert_reveal_phone(*, alert: Alert, actor: User, request=None) -> dict[str, str]:
    """The patient's full numbers for whoever may record the contact now (the machine's own check:
    role, department, the alert still to contact, the patient not opted out); each reveal is
    logged in RevealLog, as on the call screen."""
    from .privacy import contact_reveal

    ALERTS.check(alert, actor, AlertAction.CONTACT)
    stay = alert.stay
    return {
        field: contact_reveal(
            user=actor,
            subject=stay,
            field=field,
            value=value,
            purpose=texts.REVEAL_ALERT,
            request=request,
        )
        for field in ("phone", "alt_phone")
        if (value := getattr(stay, field))
    }


def alert_contact(*, alert: Alert, actor: User, contact_note: str, now: dt.datetime | None = None) -> Alert:
    """The patient was contacted: what they said (refused for a patient nobody may contact)."""
    note = _required(contact_note, _("Write what the patient said."))
    now = now or timezone.now()

    def mutate(a: Alert) -> None:
        a.contacted_at = now
        a.contacted_by = actor
        a.contact_note = note

    return ALERTS.transition(alert, actor=actor, action=AlertAction.CONTACT, comment=note, mutate=mutate)


def alert_close(
    *, alert: Alert, actor: User, action_taken: str, outcome: str, now: dt.datetime | None = None
) -> Alert:
    """Close the service recovery: what was done and how it ended."""
    done = _required(action_taken, _("Write what was done."))
    if outcome not in AlertOutcome.values:
        raise ActionNotAllowed(_("Choose the outcome."))
    now = now or timezone.now()

    def mutate(a: Alert) -> None:
        a.action_taken = done
        a.outcome = outcome
        a.closed_at = now
        a.closed_by = actor

    return ALERTS.transition(
        alert,
        actor=actor,
        action=AlertAction.CLOSE,
        context={"outcome": outcome},
        comment=done,
        mutate=mutate,
    )
