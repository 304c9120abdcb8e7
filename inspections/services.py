"""Write-side services of inspections and chart audits. Atomic, keyword-only, ``<noun>_<verb>``.

Checklist versions, rounds, chart audits and appeals are state machines (``TEMPLATES``,
``ROUNDS``, ``AUDITS``, ``APPEALS``, tables read by ``supervision.workflow``): every status change
re-reads its row under ``select_for_update``, checks state, role and department, raises
``ActionNotAllowed`` (nothing changed) or changes it and writes a ``Transition`` row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import random
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from supervision import services as core
from supervision import texts as core_texts
from supervision.errors import ActionNotAllowed
from supervision.infra.uploads import CleanUpload
from supervision.models import (
    Category,
    Department,
    DepartmentKind,
    DischargeStay,
    FindingSource,
    NotificationKind,
    Role,
    Severity,
    Staff,
    StaffPosition,
    User,
)
from supervision.workflow import Action, Machine

from . import texts
from .models import (
    Answer,
    AnswerPhoto,
    AnswerResult,
    Appeal,
    AppealAction,
    AppealStatus,
    AuditAction,
    AuditStatus,
    ChartAudit,
    ChartCriterion,
    ChartSample,
    ChecklistItem,
    ChecklistTemplate,
    CriterionLevel,
    Deduction,
    Disposition,
    Grade,
    HandRubUse,
    InspectionRound,
    InspectionSettings,
    ItemKind,
    PlanEntry,
    RoundAction,
    RoundSignOff,
    RoundStatus,
    RoundType,
    ScheduledRound,
    TemplateAction,
    TemplateStatus,
    Transition,
)

MAX_PHOTOS_PER_ANSWER = 6


class AlreadySubmitted(ActionNotAllowed):
    """The round was submitted before (double tap, retry): nothing was stored again."""


class NothingToDraw(ActionNotAllowed):
    """No discharge of the month has been imported yet: no sample is recorded, so a later run can draw."""


# --- the machines ------------------------------------------------------------------------------

OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def _has_items(template: ChecklistTemplate, actor, context: dict) -> None:
    if not template.items.exists():
        raise ActionNotAllowed(_("A checklist needs at least one item."))


TEMPLATES = Machine(
    ChecklistTemplate,
    history=Transition,
    action_labels=TemplateAction,
    state_refusal=gettext_lazy("Only a draft can be published."),
    actions=[
        Action(
            TemplateAction.PUBLISH,
            {TemplateStatus.DRAFT},
            TemplateStatus.PUBLISHED,
            roles=OFFICE,
            guard=_has_items,
        ),
        # Only as part of publishing its successor.
        Action(TemplateAction.RETIRE, {TemplateStatus.PUBLISHED}, TemplateStatus.RETIRED, roles=OFFICE),
    ],
)

ROUNDS = Machine(
    InspectionRound,
    history=Transition,
    action_labels=RoundAction,
    state_refusal=gettext_lazy("This round has been submitted; its answers can no longer change."),
    actions=[
        Action(RoundAction.SUBMIT, {RoundStatus.DRAFT}, RoundStatus.SUBMITTED, roles=(Role.SUPERVISOR,)),
        Action(
            RoundAction.DISCARD,
            {RoundStatus.DRAFT},
            RoundStatus.DISCARDED,
            roles=(Role.SUPERVISOR,),
            style="outline-danger",
        ),
    ],
)

AUDITS = Machine(
    ChartAudit,
    history=Transition,
    action_labels=AuditAction,
    state_refusal=gettext_lazy("This chart has already been audited."),
    lock_related=("stay", "department"),
    actions=[
        Action(AuditAction.AUDIT, {AuditStatus.PENDING}, AuditStatus.COMPLETED, roles=(Role.SUPERVISOR,)),
        # Only as part of upholding an appeal against one of its deductions.
        Action(AuditAction.REGRADE, {AuditStatus.COMPLETED}, None, roles=(Role.SUPERVISOR,)),
    ],
)


def _appealable(appeal: Appeal, actor, context: dict) -> None:
    deduction = appeal.deduction
    if deduction.audit.status != AuditStatus.COMPLETED:
        raise ActionNotAllowed(_("The chart has not been audited yet."))
    if deduction.withdrawn:
        raise ActionNotAllowed(_("This deduction has already been withdrawn."))
    if deduction.appeals.exists():
        raise ActionNotAllowed(_("This deduction has already been appealed; it can be appealed once."))


# An appeal starts from nothing (status ""): raising it is checked on the draft ``appeal_draft``
# builds, so the page's "appeal" button and the service read the same row of the table.
APPEALS = Machine(
    Appeal,
    history=Transition,
    action_labels=AppealAction,
    state_refusal=gettext_lazy("This appeal has already been decided."),
    scope_refusal=gettext_lazy("Only the head of the chart's department may appeal a deduction."),
    actions=[
        Action(
            AppealAction.RAISE,
            {""},
            AppealStatus.PENDING,
            roles=(Role.DEPT_HEAD,),
            scoped=True,
            guard=_appealable,
        ),
        # The decision's outcome (upheld or rejected) is the service's input.
        Action(AppealAction.DECIDE, {AppealStatus.PENDING}, None, roles=(Role.SUPERVISOR,)),
    ],
)


def appeal_draft(deduction: Deduction) -> Appeal:
    """The appeal a department head would raise against ``deduction`` (unsaved, status "")."""
    return Appeal(deduction=deduction, department_id=deduction.audit.department_id, status="")


def _require_role(actor: User, *roles: str, message: str):
    if not actor.has_role(*roles):
        raise ActionNotAllowed(message)


# --- checklist templates ---------------------------------------------------------------------


@transaction.atomic
def template_create(*, code: str, name: str, area: str, actor: User) -> ChecklistTemplate:
    """A new checklist: version 1, a draft to fill in the editor."""
    _require_role(
        actor, Role.SUPERVISOR, Role.ADMINISTRATOR, message=_("Only supervisors may edit checklists.")
    )
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("A checklist with this code exists: open it and make a new version instead.")}
        )
    template = ChecklistTemplate.objects.create(code=code, version=1, name=name.strip(), area=area)
    TEMPLATES.record(template, action=TemplateAction.CREATE, actor=actor, from_status="")
    return template


@transaction.atomic
def template_retire(*, template: ChecklistTemplate, actor: User) -> ChecklistTemplate:
    """Stop offering a published checklist for new rounds (rounds keep their version)."""
    return TEMPLATES.transition(template, actor=actor, action=TemplateAction.RETIRE, save=["status"])


@transaction.atomic
def template_new_version(*, template: ChecklistTemplate, actor: User) -> ChecklistTemplate:
    """Copy a template and its items into a new draft version (the way to edit a used template)."""
    _require_role(
        actor, Role.SUPERVISOR, Role.ADMINISTRATOR, message=_("Only supervisors may edit checklists.")
    )
    latest = (
        ChecklistTemplate.objects.select_for_update().filter(code=template.code).order_by("-version").first()
    )
    if latest.status == TemplateStatus.DRAFT:
        raise ActionNotAllowed(
            _("Version %(version)s of this checklist is still a draft; edit that one.")
            % {"version": latest.version}
        )
    new = ChecklistTemplate.objects.create(
        code=template.code, version=latest.version + 1, name=template.name, area=template.area
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=new,
            category_id=item.category_id,
            text=item.text,
            guidance=item.guidance,
            kind=item.kind,
            sort_order=item.sort_order,
            section=item.section,
            allow_na=item.allow_na,
            photo_on_fail=item.photo_on_fail,
            target=item.target,
        )
        for item in template.items.all()
    )
    TEMPLATES.record(
        new, action=TemplateAction.CREATE, actor=actor, from_status="", comment=f"v{template.version}"
    )
    return new


@transaction.atomic
def template_publish(*, template: ChecklistTemplate, actor: User) -> ChecklistTemplate:
    """Publish a draft; the version published before it is retired (rounds keep their version)."""

    def publish(locked: ChecklistTemplate) -> None:
        # The old version goes first: one published version per code (a constraint).
        for old in ChecklistTemplate.objects.filter(code=locked.code, status=TemplateStatus.PUBLISHED):
            TEMPLATES.transition(old, actor=actor, action=TemplateAction.RETIRE, save=["status"])
        locked.published_at = timezone.now()

    return TEMPLATES.transition(
        template, actor=actor, action=TemplateAction.PUBLISH, mutate=publish, save=["status", "published_at"]
    )


def template_check_editable(template: ChecklistTemplate) -> None:
    """A version that is published or used by a round is immutable."""
    if template.pk and (template.status != TemplateStatus.DRAFT or template.is_used):
        raise ActionNotAllowed(
            _("This checklist version is in use and cannot be changed; create a new version instead.")
        )


@transaction.atomic
def checklist_items_change(
    *,
    template: ChecklistTemplate,
    save: Iterable[ChecklistItem] = (),
    delete: Iterable[ChecklistItem] = (),
) -> None:
    """Save and delete items of a draft checklist version, all or nothing.

    A version in use never changes (the rounds that used it must stay readable): the template is
    re-read under a row lock, so a round started meanwhile refuses the change.
    """
    locked = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    template_check_editable(locked)
    for item in delete:
        if item.template_id != locked.pk:
            raise ActionNotAllowed(_("This item belongs to another checklist version."))
        item.delete()
    for item in save:
        if item.template_id != locked.pk:
            raise ActionNotAllowed(_("This item belongs to another checklist version."))
        item.save()


# --- rounds ----------------------------------------------------------------------------------


@transaction.atomic
def round_start(
    *,
    template: ChecklistTemplate,
    department: Department,
    round_type: str,
    actor: User,
    started_at: dt.datetime | None = None,
    inspectors: Iterable[User] = (),
    location: str = "",
    area: str | None = None,
) -> InspectionRound:
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors carry out inspection rounds."))
    if template.status != TemplateStatus.PUBLISHED:
        raise ActionNotAllowed(_("Only a published checklist can be used for a round."))
    if round_type not in RoundType.values:
        raise ActionNotAllowed(_("Unknown round type."))
    if not department.active:
        raise ActionNotAllowed(_("This department is no longer active."))
    rnd = InspectionRound.objects.create(
        template=template,
        department=department,
        area=area or template.area,
        round_type=round_type,
        started_at=started_at or timezone.now(),
        location=location,
        created_by=actor,
    )
    rnd.inspectors.set({actor, *inspectors})
    Answer.objects.bulk_create(Answer(round=rnd, item=item) for item in template.items.all())
    ROUNDS.record(rnd, action=RoundAction.START, actor=actor, from_status="")
    _link_to_schedule(rnd)
    return rnd


def _link_to_schedule(rnd: InspectionRound) -> None:
    """The round fulfils the department's open scheduled round nearest its date (within LINK_DAYS)."""
    day = timezone.localtime(rnd.started_at).date()
    window = dt.timedelta(days=ScheduledRound.LINK_DAYS)
    candidates = ScheduledRound.objects.select_for_update().filter(
        department_id=rnd.department_id, round__isnull=True, date__gte=day - window, date__lte=day + window
    )
    nearest = min(candidates, key=lambda e: (abs((e.date - day).days), e.date), default=None)
    if nearest is not None:
        nearest.round = rnd
        nearest.save(update_fields=["round"])


def suggested_template(department: Department) -> ChecklistTemplate | None:
    """The checklist a department's round most likely uses: its last round's, else by its kind."""
    last = (
        InspectionRound.objects.filter(department=department, template__status=TemplateStatus.PUBLISHED)
        .order_by("-started_at")
        .values_list("template_id", flat=True)
        .first()
    )
    published = ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED)
    if last:
        return published.filter(pk=last).first()
    code = {DepartmentKind.CLINICAL: "ward", DepartmentKind.WINDOW: "registration"}.get(
        department.kind, "support"
    )
    return published.filter(code=code).first()


def _check_schedulable(*, department: Department, inspector: User, day: dt.date, round_type: str) -> None:
    if not inspector.is_active or not inspector.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Rounds are scheduled to supervisors."))
    if not department.active:
        raise ActionNotAllowed(_("This department is no longer active."))
    if round_type not in RoundType.values:
        raise ActionNotAllowed(_("Unknown round type."))
    if day < timezone.localdate():
        raise ActionNotAllowed(_("A round cannot be scheduled in the past."))


@transaction.atomic
def schedule_add(
    *, entries: Iterable[tuple[Department, dt.date]], inspector: User, round_type: str, actor: User
) -> int:
    """Schedule a round for each (department, date) (one already on the schedule is left as it is).
    All checked before anything is written. Returns the rounds added."""
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors set the inspection plan."))
    entries = sorted({(d.pk, day): (d, day) for d, day in entries}.values(), key=lambda e: (e[1], e[0].pk))
    if not entries:
        raise ActionNotAllowed(_("Choose at least one department and one date."))
    if len(entries) > 2000:
        raise ActionNotAllowed(_("That is more than 2,000 rounds at once; schedule a shorter period."))
    for department, day in entries:
        _check_schedulable(department=department, inspector=inspector, day=day, round_type=round_type)
    taken = set(
        ScheduledRound.objects.filter(
            department__in={d for d, _day in entries}, date__in={day for _d, day in entries}
        ).values_list("department_id", "date")
    )
    new = [
        ScheduledRound(date=day, department=d, inspector=inspector, round_type=round_type, created_by=actor)
        for d, day in entries
        if (d.pk, day) not in taken
    ]
    ScheduledRound.objects.bulk_create(new)
    return len(new)


def weekly_dates(*, start: dt.date, end: dt.date, weekday: int) -> list[dt.date]:
    """Every ``weekday`` (0 = Monday) from start to end inclusive."""
    first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    return (
        [first + dt.timedelta(weeks=n) for n in range(((end - first).days // 7) + 1)] if first <= end else []
    )


def unannounced_dates(*, month: dt.date, count: int, rng: random.Random) -> list[dt.date]:
    """``count`` distinct working days (Monday–Friday) of the month, from today on, drawn at random so
    that the ward cannot know them; fewer when fewer remain."""
    first = month_start(month)
    last = next_month(first) - dt.timedelta(days=1)
    start = max(first, timezone.localdate())
    days = [start + dt.timedelta(days=n) for n in range((last - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    return sorted(rng.sample(days, min(count, len(days))))


@transaction.atomic
def schedule_remove(*, entry: ScheduledRound, actor: User) -> None:
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors set the inspection plan."))
    locked = ScheduledRound.objects.select_for_update().get(pk=entry.pk)
    if locked.round_id:
        raise ActionNotAllowed(_("This scheduled round has been done; it stays on the record."))
    if locked.date < timezone.localdate():
        raise ActionNotAllowed(_("A missed round stays on the record."))
    locked.delete()


def schedule_remind(*, today: dt.date | None = None) -> int:
    """Tell each inspector the day before a scheduled round (once: ``reminded_at`` and the notice's key)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    sent = 0
    due = ScheduledRound.objects.filter(
        date=tomorrow, round__isnull=True, reminded_at__isnull=True
    ).select_related("department", "inspector")
    for entry in due:
        with transaction.atomic():
            core.notification_send(
                recipients=[entry.inspector],
                kind=NotificationKind.DUE_SOON,
                key=f"scheduled_round:{entry.pk}",
                title=texts.ROUND_TOMORROW,
                params={"department": entry.department.name, "date": entry.date.isoformat()},
                url=f"{reverse('inspections:round_create')}?department={entry.department_id}&round_type={entry.round_type}",
            )
            ScheduledRound.objects.filter(pk=entry.pk).update(reminded_at=timezone.now())
            sent += 1
    return sent


def _lock_draft(rnd: InspectionRound) -> InspectionRound:
    locked = InspectionRound.objects.select_for_update().get(pk=rnd.pk)
    if locked.status != RoundStatus.DRAFT:
        raise AlreadySubmitted(_("This round has been submitted; its answers can no longer change."))
    return locked


def measured_result(
    item: ChecklistItem, answer: Answer, config: InspectionSettings, *, wait_target: int | None = None
) -> str | None:
    """The result a measured item gets from its measurement (None: nothing measured). A waiting time
    is held to the window's own target (``wait_target``), else the item's, else the standard one."""
    if answer.measurement != "complete":
        return None
    if item.kind == ItemKind.WAIT_TIME:
        target = wait_target if wait_target is not None else item_wait_target(item, config)
        return AnswerResult.PASS if answer.wait_minutes <= target else AnswerResult.FAIL
    if item.kind == ItemKind.HAND_HYGIENE:
        # Compared as counts (washes × 100 ≥ target × opportunities): no rounding before deciding.
        target = item_hand_hygiene_target(item, config)
        return (
            AnswerResult.PASS
            if 100 * answer.hh_washes >= target * answer.hh_opportunities
            else AnswerResult.FAIL
        )
    return None


def item_wait_target(item: ChecklistItem, config: InspectionSettings):
    """A waiting-time item's target where the window has none of its own: the item's, else the standard."""
    return item.target if item.target is not None else config.wait_target_minutes


def shown_target(item: ChecklistItem, config: InspectionSettings, *, own_wait: int | None = None):
    """The target the tablet shows beside a measured item (None for a pass/fail item)."""
    if item.kind == ItemKind.WAIT_TIME:
        return own_wait if own_wait is not None else plain_number(item_wait_target(item, config))
    if item.kind == ItemKind.HAND_HYGIENE:
        return plain_number(item_hand_hygiene_target(item, config))
    return None


def items_in_round_order(rows: list, item=lambda row: row) -> list:
    """Checklist rows (items, or answers with ``item=``) in the order the round page shows them:
    under the editor's sections in the editor's order when the checklist has sections, else by
    finding category as before sections existed."""
    if any(item(row).section for row in rows):
        return sorted(rows, key=lambda row: (item(row).sort_order, item(row).pk or 0))
    return sorted(
        rows, key=lambda row: (item(row).category.sort_order, item(row).sort_order, item(row).pk or 0)
    )


def item_hand_hygiene_target(item: ChecklistItem, config: InspectionSettings):
    """A hand-hygiene item's lowest acceptable compliance in percent: the item's, else the standard."""
    return item.target if item.target is not None else config.hand_hygiene_target_pct


@transaction.atomic
def answer_save(
    *,
    rnd: InspectionRound,
    item: ChecklistItem,
    actor: User,
    result: str = "",
    note: str = "",
    wait_minutes: Decimal | None = None,
    hh_opportunities: int | None = None,
    hh_washes: int | None = None,
) -> Answer:
    """Autosave of one answer while the round is in progress (saving again just overwrites)."""
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors carry out inspection rounds."))
    locked = _lock_draft(rnd)
    if item.template_id != locked.template_id:
        raise ActionNotAllowed(_("This item is not on the round's checklist."))
    if result and result not in AnswerResult.values:
        raise ActionNotAllowed(_("Unknown result."))
    if result == AnswerResult.NA and not item.allow_na:
        raise ActionNotAllowed(
            _("“%(item)s” applies on every round: it cannot be marked not applicable.") % {"item": item.text}
        )
    answer, _created = Answer.objects.get_or_create(round=locked, item=item)
    answer.note = (note or "").strip()[:2000]
    answer.updated_by = actor
    if item.kind == ItemKind.WAIT_TIME:
        answer.wait_minutes = wait_minutes
    if item.kind == ItemKind.HAND_HYGIENE:
        if hh_opportunities is not None and hh_washes is not None and hh_washes > hh_opportunities:
            raise ActionNotAllowed(_("Hand washes cannot exceed the opportunities observed."))
        answer.hh_opportunities = hh_opportunities
        answer.hh_washes = hh_washes
    answer.item = item
    config = InspectionSettings.get()
    wait_target = config.own_wait_target(locked.department_id) if item.kind == ItemKind.WAIT_TIME else None
    measured = measured_result(item, answer, config, wait_target=wait_target)
    if result != AnswerResult.NA:
        if measured:
            # A measurement decides pass or fail; the inspector may still mark the item not applicable.
            result = measured
        elif answer.is_half_filled:
            # Half a measurement decides nothing: the item stays unanswered (and listed on the review
            # page with what was typed) until it is completed or marked not applicable.
            result = ""
    answer.result = result
    answer.save()
    return answer


@transaction.atomic
def photo_add(
    *, answer: Answer, upload: CleanUpload, actor: User, client_id: uuid.UUID | None = None
) -> AnswerPhoto:
    """Store a photo of an answer. ``client_id`` is the tablet's own id of the photo: sending it again
    (a retry from the offline queue after a lost response) returns the photo already stored, even
    once the round has been submitted."""
    from django.core.files.base import ContentFile

    def stored() -> AnswerPhoto | None:
        if client_id is None:
            return None
        return AnswerPhoto.objects.filter(answer=answer, client_id=client_id).first()

    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors carry out inspection rounds."))
    if (photo := stored()) is not None:
        return photo
    _lock_draft(answer.round)
    if (photo := stored()) is not None:  # two sends of the same photo at once: this one waited
        return photo
    if answer.photos.count() >= MAX_PHOTOS_PER_ANSWER:
        raise ActionNotAllowed(_("At most %(n)s photos per item.") % {"n": MAX_PHOTOS_PER_ANSWER})
    photo = AnswerPhoto(
        answer=answer,
        original_name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        uploaded_by=actor,
        client_id=client_id,
    )
    photo.file.save(upload.name, ContentFile(upload.data), save=False)
    photo.save()
    return photo


def _signature_png(data: bytes) -> bytes:
    """The drawn signature as a clean PNG (re-encoded through the upload checks); refused when it is
    not an image or nothing was drawn on it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from supervision.infra.uploads import clean_upload

    if not data or len(data) > 512 * 1024:
        raise ActionNotAllowed(_("Draw the signature in the box (the drawing was empty or too large)."))
    try:
        clean = clean_upload(SimpleUploadedFile("signature.png", data, "image/png"), allow_pdf=False)
    except ValidationError:
        raise ActionNotAllowed(_("The signature could not be read; clear the box and sign again.")) from None
    with Image.open(io.BytesIO(clean.data)) as image:
        ink = (
            image.getchannel("A")
            if image.mode in ("RGBA", "LA")
            else image.convert("L").point(lambda v: 255 - v)
        )
        if ink.getbbox() is None:
            raise ActionNotAllowed(_("Draw the signature in the box (the drawing was empty or too large)."))
        if clean.content_type == "image/png":
            return clean.data
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


@transaction.atomic
def round_sign_off(
    *, rnd: InspectionRound, actor: User, signer_name: str, signer_title: str = "", signature: bytes
) -> RoundSignOff:
    """The ward's representative signs the on-site report of a submitted round on the tablet. Once per
    round: a second signature (double tap, another inspector) is refused and changes nothing. The
    department's heads are told, with the report a click away."""
    from django.core.files.base import ContentFile

    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors carry out inspection rounds."))
    signer_name = " ".join((signer_name or "").split())[:64]
    signer_title = " ".join((signer_title or "").split())[:64]
    if not signer_name:
        raise ActionNotAllowed(_("Give the name of the person signing for the department."))
    locked = InspectionRound.objects.select_for_update().get(pk=rnd.pk)
    if locked.status != RoundStatus.SUBMITTED:
        raise ActionNotAllowed(_("Only a submitted round has an on-site report to sign."))
    if RoundSignOff.objects.filter(round=locked).exists():
        raise ActionNotAllowed(_("This round's report has already been signed."))
    png = _signature_png(signature)
    sign_off = RoundSignOff(
        round=locked, signer_name=signer_name, signer_title=signer_title, recorded_by=actor
    )
    sign_off.signature.save("signature.png", ContentFile(png), save=False)
    sign_off.save()
    ROUNDS.record(
        locked, action=RoundAction.SIGN_OFF, actor=actor, from_status=locked.status, comment=signer_name
    )
    core.notify_department_heads(
        department_id=locked.department_id,
        kind=NotificationKind.GENERAL,
        key=f"inspection_round_signed:{locked.pk}",
        title=texts.ROUND_SIGNED,
        params={"date": timezone.localtime(locked.started_at).date().isoformat(), "signer": signer_name},
        url=locked.get_absolute_url(),
    )
    return sign_off


@transaction.atomic
def photo_delete(*, photo: AnswerPhoto, actor: User) -> None:
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors carry out inspection rounds."))
    _lock_draft(photo.answer.round)
    photo.file.delete(save=False)
    photo.delete()


def round_score(passed: int, failed: int) -> Decimal | None:
    """passed ÷ applicable × 100, one decimal; None when nothing applied."""
    applicable = passed + failed
    if not applicable:
        return None
    return (Decimal(100 * passed) / applicable).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Choice:
    """What to do with one failed answer on submit."""

    mode: str = Disposition.FINDING
    merge_into: int | None = None  # answer id
    reason: str = ""


def _describe(answer: Answer, config: InspectionSettings, wait_target: int | None):
    """One failed item's line of the finding: the checklist's own words, the measurement worded for
    the reader (a ``Worded``), then the inspector's note as typed."""
    item = answer.item
    line = item.text
    complete = answer.measurement == "complete"
    if item.kind == ItemKind.WAIT_TIME and complete:
        line = texts.WAIT_TIME(
            item=item.text,
            minutes=plain_number(answer.wait_minutes),
            target=wait_target if wait_target is not None else plain_number(item_wait_target(item, config)),
        )
    if item.kind == ItemKind.HAND_HYGIENE and complete:
        line = texts.HAND_HYGIENE(
            item=item.text,
            washes=answer.hh_washes,
            opportunities=answer.hh_opportunities,
            target=plain_number(item_hand_hygiene_target(item, config)),
        )
    if answer.note:
        line = texts.WITH_NOTE(head=line, note=answer.note)
    return line


def _description(lines: list):
    """The finding's description from its lines: one line as it is, several one a line."""
    if len(lines) == 1:
        return lines[0]
    if all(isinstance(line, str) for line in lines):
        return "\n".join(lines)
    return core_texts.LINE_LIST(lines=lines)


def plain_number(value):
    """12.50 → 12.5, 90.00 → 90 (never 9E+1): a target as people write it."""
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _photos_as_uploads(answers: Iterable[Answer]) -> list[CleanUpload]:
    uploads = []
    for answer in answers:
        for photo in answer.photos.all():
            with photo.file.open("rb") as handle:
                uploads.append(
                    CleanUpload(name=photo.original_name, content_type=photo.content_type, data=handle.read())
                )
    return uploads


@transaction.atomic
def round_submit(
    *,
    rnd: InspectionRound,
    actor: User,
    choices: dict[int, Choice] | None = None,
    summary: str = "",
    deadline: dt.date | None = None,
) -> InspectionRound:
    """Score the round and turn its failed items into findings with orders.

    By default every failed item becomes its own finding; ``choices`` (keyed by answer id)
    merges several into one or skips one with a recorded reason. Submitting twice (double tap,
    retry) raises ``AlreadySubmitted`` and stores nothing again.
    """
    choices = choices or {}
    notes: list = []

    def submit(locked: InspectionRound) -> None:
        notes.append(
            _round_score_and_file(locked, actor=actor, choices=choices, summary=summary, deadline=deadline)
        )

    with _submitted_once(rnd):
        return ROUNDS.transition(
            rnd, actor=actor, action=RoundAction.SUBMIT, mutate=submit, comment=lambda _locked: notes[0]
        )


@contextmanager
def _submitted_once(rnd: InspectionRound):
    """A second submission (double tap, retry) is told apart from other refusals: it stores nothing
    again and the page says so calmly."""
    try:
        yield
    except AlreadySubmitted:
        raise
    except ActionNotAllowed as exc:
        if InspectionRound.objects.filter(pk=rnd.pk).exclude(status=RoundStatus.DRAFT).exists():
            raise AlreadySubmitted(exc.messages) from None
        raise


def photos_missing(answers: Iterable[Answer]) -> list[Answer]:
    """Failed answers whose item asks for a photo and that have none (photos prefetched)."""
    return [
        a for a in answers if a.result == AnswerResult.FAIL and a.item.photo_on_fail and not a.photos.all()
    ]


def _round_score_and_file(
    locked: InspectionRound, *, actor: User, choices: dict[int, Choice], summary: str, deadline
):
    """Score the round and turn its failed items into findings (the round is locked, still a draft).
    Returns the history's comment: the items skipped and why."""
    answers = list(
        Answer.objects.filter(round=locked)
        .select_related("item", "item__category")
        .prefetch_related("photos")
    )
    half = [a for a in answers if a.is_half_filled and a.result != AnswerResult.NA]
    if half:
        raise ActionNotAllowed(
            ngettext(
                "%(n)s measured item is only half filled in: %(items)s. Complete it or mark it not applicable.",
                "%(n)s measured items are only half filled in: %(items)s. Complete them or mark them not applicable.",
                len(half),
            )
            % {"n": len(half), "items": "；".join(a.item.text for a in half[:5])}
        )
    missing = [a for a in answers if not a.result]
    if missing:
        raise ActionNotAllowed(
            ngettext(
                "%(n)s item has no answer yet: %(items)s",
                "%(n)s items have no answer yet: %(items)s",
                len(missing),
            )
            % {"n": len(missing), "items": "；".join(a.item.text for a in missing[:5])}
        )
    unphotographed = photos_missing(answers)
    if unphotographed:
        raise ActionNotAllowed(
            ngettext(
                "%(n)s failed item needs a photo: %(items)s",
                "%(n)s failed items need a photo: %(items)s",
                len(unphotographed),
            )
            % {"n": len(unphotographed), "items": "；".join(a.item.text for a in unphotographed[:5])}
        )
    failed = {a.pk: a for a in answers if a.result == AnswerResult.FAIL}
    # Validate every choice before writing anything.
    for answer_id, choice in choices.items():
        if answer_id not in failed:
            raise ActionNotAllowed(_("Only failed items can be merged or skipped."))
        if choice.mode == Disposition.SKIP and not choice.reason.strip():
            raise ActionNotAllowed(
                _("Give the reason for not recording a finding for “%(item)s”.")
                % {"item": failed[answer_id].item.text}
            )
        if choice.mode == Disposition.MERGE:
            target = choices.get(choice.merge_into, Choice())
            if choice.merge_into not in failed or choice.merge_into == answer_id:
                raise ActionNotAllowed(_("An item can only be merged into another failed item."))
            if target.mode != Disposition.FINDING:
                raise ActionNotAllowed(
                    _("“%(item)s” is merged into an item that has no finding of its own.")
                    % {"item": failed[answer_id].item.text}
                )
    config = InspectionSettings.get()
    wait_target = config.own_wait_target(locked.department_id)
    groups: dict[int, list[Answer]] = {}
    for answer in failed.values():
        choice = choices.get(answer.pk, Choice())
        answer.disposition = choice.mode
        if choice.mode == Disposition.SKIP:
            answer.skip_reason = choice.reason.strip()[:500]
        elif choice.mode == Disposition.MERGE:
            answer.merged_into_id = choice.merge_into
            groups.setdefault(choice.merge_into, []).append(answer)
        else:
            groups.setdefault(answer.pk, []).insert(0, answer)
    # The place the round names, as typed; else its area, worded for whoever reads the finding.
    location = locked.location[:128] if locked.location else texts.AREA(area=locked.area)
    for lead_id, members in groups.items():
        lead = failed[lead_id]
        members.sort(key=lambda a: (a.pk != lead_id, a.item.sort_order))
        description = _description([_describe(a, config, wait_target) for a in members])
        finding = core.finding_create(
            source=FindingSource.INSPECTION,
            category=lead.item.category,
            department=locked.department,
            description=description,
            found_by=actor,
            found_at=min(locked.started_at, timezone.now()),  # a start typed a little ahead
            severity=Severity.MODERATE,
            location=location,
            source_object=lead,
            deadline=deadline,
            attachments=_photos_as_uploads(members),
        )
        for member in members:
            member.finding = finding
    for answer in failed.values():
        answer.save(update_fields=["disposition", "merged_into", "skip_reason", "finding"])
    counts = {r: sum(1 for a in answers if a.result == r) for r in AnswerResult.values}
    locked.passed = counts[AnswerResult.PASS]
    locked.failed = counts[AnswerResult.FAIL]
    locked.not_applicable = counts[AnswerResult.NA]
    locked.score = round_score(locked.passed, locked.failed)
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.summary = (summary or "").strip()[:4000]
    skipped = [
        core_texts.WITH_TEXT(head=a.item.text, text=a.skip_reason)
        for a in failed.values()
        if a.disposition == Disposition.SKIP
    ]
    if not skipped:
        return ""
    # "a：理由；b：理由" — each separator worded in the reader's language.
    items = functools.reduce(lambda head, text: core_texts.WITH_NOTE(head=head, text=text), skipped)
    return texts.SKIPPED(items=items)


@transaction.atomic
def round_discard(*, rnd: InspectionRound, actor: User, reason: str) -> InspectionRound:
    """Set aside a round started by mistake (wrong department, duplicate). Drafts only; no findings."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionNotAllowed(_("Give the reason for discarding the round."))
    return ROUNDS.transition(rnd, actor=actor, action=RoundAction.DISCARD, save=["status"], comment=reason)


# --- plan ------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def plan_set(*, month: dt.date, counts: dict[int, int], actor: User) -> int:
    """Set the month's plan: {department id: rounds planned}; 0 removes a department. Returns changes."""
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors set the inspection plan."))
    month = month_start(month)
    existing = {p.department_id: p for p in PlanEntry.objects.select_for_update().filter(month=month)}
    changed = 0
    for department_id, n in counts.items():
        entry = existing.get(department_id)
        if not n:
            if entry:
                entry.delete()
                changed += 1
            continue
        if entry is None:
            PlanEntry.objects.create(
                month=month, department_id=department_id, rounds_planned=n, updated_by=actor
            )
            changed += 1
        elif entry.rounds_planned != n:
            entry.rounds_planned = n
            entry.updated_by = actor
            entry.save(update_fields=["rounds_planned", "updated_by", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def hand_rub_record(*, month: dt.date, rows: dict[int, tuple[Decimal, int] | None], actor: User) -> int:
    """Record the month's hand-rub use: {department id: (litres, patient days)}; None clears a ward's
    entry. Validates every row before writing any (all or nothing). Returns the rows changed."""
    _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors record hand-rub consumption."))
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ActionNotAllowed(_("Consumption can only be recorded for this month or earlier ones."))
    for row in rows.values():
        if row is None:
            continue
        litres, patient_days = row
        if litres is None or patient_days is None:
            raise ActionNotAllowed(_("Give both the litres used and the patient days, or neither."))
        if litres < 0 or patient_days < 1:
            raise ActionNotAllowed(_("Litres cannot be negative and patient days must be at least 1."))
    existing = {u.department_id: u for u in HandRubUse.objects.select_for_update().filter(month=month)}
    changed = 0
    for department_id, row in rows.items():
        entry = existing.get(department_id)
        if row is None:
            if entry:
                entry.delete()
                changed += 1
            continue
        litres, patient_days = row
        if entry is None:
            HandRubUse.objects.create(
                month=month,
                department_id=department_id,
                litres=litres,
                patient_days=patient_days,
                updated_by=actor,
            )
            changed += 1
        elif (entry.litres, entry.patient_days) != (litres, patient_days):
            entry.litres, entry.patient_days, entry.updated_by = litres, patient_days, actor
            entry.save(update_fields=["litres", "patient_days", "updated_by", "updated_at"])
            changed += 1
    return changed


# --- chart samples ---------------------------------------------------------------------------

ALGORITHM = (
    "v1: stays discharged in the month and imported by the time of the draw, grouped by department; "
    "each group sorted by (admission_no, discharged_on, id) and drawn with "
    "random.Random(f'{seed}:{department code}').sample(group, k)"
)


def previous_month(today: dt.date) -> dt.date:
    return (month_start(today) - dt.timedelta(days=1)).replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def sample_seed(month: dt.date) -> int:
    """Derived from the month only, so anyone can recompute it: first 12 hex digits of SHA-256."""
    digest = hashlib.sha256(f"ducha-chart-sample:{month:%Y-%m}".encode()).hexdigest()
    return int(digest[:12], 16)


def sample_rule(config: InspectionSettings) -> dict:
    if config.sample_share_pct:
        return {"mode": "share", "share_pct": str(config.sample_share_pct), "algorithm": ALGORITHM}
    return {"mode": "per_department", "n": config.sample_per_department, "algorithm": ALGORITHM}


def _sample_size(rule: dict, population: int) -> int:
    if rule["mode"] == "share":
        return min(population, math.ceil(population * Decimal(rule["share_pct"]) / 100))
    return min(population, int(rule["n"]))


@dataclass(frozen=True)
class Draw:
    stay_ids: list[int]
    population: dict[str, int]  # department code → stays in the population
    digest: str  # SHA-256 of the population's sorted keys: shows whether the data changed


def sample_draw_ids(*, month: dt.date, seed: int, rule: dict, cutoff: dt.datetime) -> Draw:
    """The stays the rule draws for ``month`` (pure: same data, seed and rule → same stays).

    The population is the stays discharged in the month and imported at or before ``cutoff``
    (the moment of the draw), so stays imported later do not change a repeat of the draw.
    Reads one bounded values_list of the month's stays (ids and sort keys only).
    """
    rows = DischargeStay.objects.filter(
        discharged_on__gte=month, discharged_on__lt=next_month(month), imported_at__lte=cutoff
    ).values_list("id", "department__code", "admission_no", "discharged_on")
    groups: dict[str, list[tuple]] = {}
    for stay_id, code, admission_no, discharged_on in rows:
        groups.setdefault(code, []).append((admission_no, discharged_on, stay_id))
    chosen: list[int] = []
    population: dict[str, int] = {}
    digest = hashlib.sha256()
    for code in sorted(groups):
        group = sorted(groups[code])
        population[code] = len(group)
        for admission_no, discharged_on, _id in group:
            digest.update(f"{code}|{admission_no}|{discharged_on.isoformat()}\n".encode())
        k = _sample_size(rule, len(group))
        # Not for security: a documented, reproducible draw.
        rng = random.Random(f"{seed}:{code}")  # noqa: S311  # nosec B311 # documented reproducible draw
        chosen.extend(stay_id for _a, _d, stay_id in rng.sample(group, k))
    return Draw(stay_ids=chosen, population=population, digest=digest.hexdigest())


def _match_doctor(department_id: int, name: str, cache: dict) -> Staff | None:
    name = (name or "").strip()
    if not name:
        return None
    key = (department_id, name)
    if key not in cache:
        matches = list(
            Staff.objects.filter(department_id=department_id, name=name, active=True).order_by("employee_no")[
                :3
            ]
        )
        doctors = [s for s in matches if s.position == StaffPosition.DOCTOR]
        if len(doctors) == 1:
            cache[key] = doctors[0]
        elif not doctors and len(matches) == 1:
            cache[key] = matches[0]
        else:
            cache[key] = None  # no one or several people of that name: not guessed
    return cache[key]


def _score_text(audit: ChartAudit):
    """The score and grade as the history shows them ("92.5 分 · 甲级"), worded for the reader."""
    return texts.SCORE(score=str(audit.score), grade=audit.grade)


def chart_sample_draw(
    *, month: dt.date, actor: User | None = None, seed: int | None = None
) -> tuple[ChartSample, bool]:
    """Draw the month's sample once. Returns (sample, created); drawing again creates nothing.

    Raises ``NothingToDraw`` (recording nothing) when the month has no discharges yet.
    """
    month = month_start(month)
    if actor is not None:
        _require_role(actor, Role.SUPERVISOR, message=_("Only supervisors draw chart samples."))
    existing = ChartSample.objects.filter(month=month).first()
    if existing:
        return existing, False
    config = InspectionSettings.get()
    seed = sample_seed(month) if seed is None else seed
    rule = sample_rule(config)
    drawn_at = timezone.now()
    draw = sample_draw_ids(month=month, seed=seed, rule=rule, cutoff=drawn_at)
    ids, population = draw.stay_ids, draw.population
    if not ids:
        raise NothingToDraw(
            _("No discharges of %(month)s have been imported yet; nothing was drawn.")
            % {"month": f"{month:%Y-%m}"}
        )
    rule = {**rule, "population_by_department": population, "population_sha256": draw.digest}
    try:
        with transaction.atomic():
            sample = ChartSample.objects.create(
                month=month,
                seed=seed,
                rule=rule,
                population=sum(population.values()),
                size=len(ids),
                drawn_at=drawn_at,
                drawn_by=actor,
            )
            stays = DischargeStay.objects.filter(pk__in=ids).only("id", "department_id", "attending_doctor")
            cache: dict = {}
            ChartAudit.objects.bulk_create(
                [
                    ChartAudit(
                        sample=sample,
                        stay_id=stay.pk,
                        department_id=stay.department_id,
                        doctor_name=stay.attending_doctor,
                        doctor=_match_doctor(stay.department_id, stay.attending_doctor, cache),
                    )
                    for stay in stays
                ],
                batch_size=1000,
            )
    except IntegrityError:
        # Drawn at the same moment by another worker: theirs stands.
        return ChartSample.objects.get(month=month), False
    return sample, True


def chart_sample_verify(*, sample: ChartSample) -> bool:
    """Repeat the draw with the stored seed, rule and cut-off; True when the population is the
    same (same digest) and it yields the same stays."""
    draw = sample_draw_ids(month=sample.month, seed=sample.seed, rule=sample.rule, cutoff=sample.drawn_at)
    same_population = draw.digest == sample.rule.get("population_sha256", draw.digest)
    return same_population and set(draw.stay_ids) == set(sample.audits.values_list("stay_id", flat=True))


# --- chart audits ----------------------------------------------------------------------------


@dataclass
class Scored:
    score: Decimal
    grade: str
    vetoed: bool
    serious: int


def chart_grade(
    *, deductions: Iterable[tuple[ChartCriterion, Decimal]], config: InspectionSettings
) -> Scored:
    """100 − Σ deductions (not below 0) → grade by thresholds; a single veto caps at C,
    ``serious_defects_cap`` serious defects cap at B."""
    total = Decimal(0)
    vetoed = False
    serious = 0
    for criterion, points in deductions:
        total += points
        if criterion.level == CriterionLevel.VETO:
            vetoed = True
        elif criterion.level == CriterionLevel.SERIOUS:
            serious += 1
    score = max(Decimal(0), Decimal(100) - total).quantize(Decimal("0.1"))
    if score >= config.grade_a_min:
        grade = Grade.A
    elif score >= config.grade_b_min:
        grade = Grade.B
    else:
        grade = Grade.C
    if vetoed:
        grade = Grade.C
    elif config.serious_defects_cap and serious >= config.serious_defects_cap and grade == Grade.A:
        grade = Grade.B
    return Scored(score=score, grade=grade, vetoed=vetoed, serious=serious)


def deduction_points(criterion: ChartCriterion, count: int) -> Decimal:
    return min(criterion.points * count, criterion.max_points)


def _apply_score(audit: ChartAudit, config: InspectionSettings) -> Scored:
    live = [(d.criterion, d.points) for d in audit.deductions.select_related("criterion") if not d.withdrawn]
    scored = chart_grade(deductions=live, config=config)
    audit.score, audit.grade, audit.vetoed = scored.score, scored.grade, scored.vetoed
    return scored


@transaction.atomic
def audit_complete(
    *,
    audit: ChartAudit,
    actor: User,
    defects: dict[int, tuple[int, str]],
    comment: str = "",
    deadline: dt.date | None = None,
) -> ChartAudit:
    """Record the deductions ({criterion id: (defects, note)}), score and grade the chart.

    A chart with any deduction is a problem chart: a finding (病历书写) with an order goes to
    the department, naming the responsible doctor.
    """
    return AUDITS.transition(
        audit,
        actor=actor,
        action=AuditAction.AUDIT,
        mutate=lambda locked: _audit_score_and_file(
            locked, actor=actor, defects=defects, comment=comment, deadline=deadline
        ),
        comment=_score_text,
    )


def _audit_score_and_file(locked: ChartAudit, *, actor: User, defects, comment: str, deadline) -> None:
    criteria = ChartCriterion.objects.in_bulk([cid for cid, (n, _note) in defects.items() if n])
    if any(not c.active for c in criteria.values()) or len(criteria) != len(
        [1 for n, _note in defects.values() if n]
    ):
        raise ActionNotAllowed(_("Unknown or inactive audit item."))
    rows = [
        Deduction(
            audit=locked,
            criterion=criteria[cid],
            count=n,
            points=deduction_points(criteria[cid], n),
            note=(note or "").strip()[:500],
        )
        for cid, (n, note) in defects.items()
        if n
    ]
    Deduction.objects.bulk_create(rows)
    config = InspectionSettings.get()
    _apply_score(locked, config)
    locked.is_problem = bool(rows)
    locked.auditor = actor
    locked.audited_at = timezone.now()
    locked.comment = (comment or "").strip()[:2000]
    if locked.doctor_id is None and locked.doctor_name:
        # The roster may have been imported after the draw: link the doctor now if the name is theirs.
        locked.doctor = _match_doctor(locked.department_id, locked.doctor_name, {})
    if rows:
        stay = locked.stay
        # Worded for each reader: the heading is a message, the deductions are the criteria's own text.
        heading = texts.PROBLEM_CHART(
            admission_no=stay.admission_no,
            date=stay.discharged_on,
            doctor=(locked.doctor.name if locked.doctor else locked.doctor_name) or "—",
            score=str(locked.score),
            grade=locked.grade,
        )
        lines = [
            f"{d.criterion.section}·{d.criterion.text} ×{d.count} −{d.points}"
            + (f"（{d.note}）" if d.note else "")
            for d in rows
        ]
        locked.finding = core.finding_create(
            source=FindingSource.CHART_AUDIT,
            category=Category.objects.get(code="records"),
            department=locked.department,
            description=core_texts.LINES(head=heading, text="\n".join(lines)),
            found_by=actor,
            severity=Severity.SERIOUS if locked.vetoed else Severity.MODERATE,
            staff=[locked.doctor] if locked.doctor else [],
            source_object=locked,
            deadline=deadline,
        )


@transaction.atomic
def appeal_raise(*, deduction: Deduction, actor: User, reason: str) -> Appeal:
    """The department head contests one deduction of an audited chart of their department."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionNotAllowed(_("Give the reason for the appeal."))
    locked = Deduction.objects.select_for_update().select_related("audit", "audit__stay").get(pk=deduction.pk)
    audit = locked.audit
    APPEALS.check(appeal_draft(locked), actor, AppealAction.RAISE)
    appeal = Appeal.objects.create(
        deduction=locked, department_id=audit.department_id, raised_by=actor, reason=reason[:2000]
    )
    APPEALS.record(appeal, action=AppealAction.RAISE, actor=actor, from_status="", comment=reason)
    core.notification_send(
        recipients=list(core.users_with_role(Role.SUPERVISOR)),
        kind=NotificationKind.GENERAL,
        key=f"chart_appeal:{appeal.pk}",
        title=texts.APPEAL_RAISED,
        params={"admission_no": audit.stay.admission_no},
        body=reason[:500],
        url=audit.get_absolute_url(),
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, uphold: bool, comment: str = "") -> Appeal:
    """A supervisor upholds (the deduction is withdrawn and the chart re-graded) or rejects."""
    comment = (comment or "").strip()

    def decide(locked: Appeal) -> None:
        if not uphold and not comment:
            raise ActionNotAllowed(_("Give the reason for rejecting the appeal."))
        locked.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_comment = comment[:2000]

    locked = APPEALS.transition(
        appeal, actor=actor, action=AppealAction.DECIDE, mutate=decide, comment=comment
    )
    if uphold:
        deduction = Deduction.objects.select_for_update().get(pk=locked.deduction_id)
        deduction.withdrawn = True
        deduction.save(update_fields=["withdrawn"])
        before: list = []

        def regrade(audit: ChartAudit) -> None:
            before.append(_score_text(audit))
            _apply_score(audit, InspectionSettings.get())

        AUDITS.transition(
            ChartAudit(pk=deduction.audit_id),
            actor=actor,
            action=AuditAction.REGRADE,
            mutate=regrade,
            save=["score", "grade", "vetoed"],
            comment=lambda audit: core_texts.ARROW(head=before[0], target=_score_text(audit)),
        )
    core.notify_department_heads(
        department_id=locked.department_id,
        kind=NotificationKind.GENERAL,
        key=f"chart_appeal_decided:{locked.pk}",
        title=texts.APPEAL_DECIDED,
        params={"status": locked.status},
        body=comment[:500],
        url=locked.deduction.audit.get_absolute_url(),
    )
    return locked
