"""Services of the follow-up app: queue building, claims, call recording, spot-checks.

A task's steps (claim, release, call, letter) are the ``TASKS`` machine's table
(``supervision.workflow``): one ``transition()`` re-reads the task under a row lock, checks state,
role and claim, raises ``ActionNotAllowed`` (nothing changed) or changes it and writes a
``TaskTransition``; the call screen's buttons are its allowed actions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.errors import ActionNotAllowed
from supervision.infra.imports.pipeline import chunks
from supervision.infra.tasking import enqueue_on_commit
from supervision.models import Department, DischargeMethod, DischargeStay, FindingSource, Role, User
from supervision.workflow import Action, Machine

from . import importing, outcomes, parsing, plans, texts
from .models import (
    OPEN_TASK_STATUSES,
    OUTCOME_RULES,
    CallAttempt,
    Disposition,
    DutyRoster,
    FeedbackKind,
    FollowupPlan,
    FollowupPolicy,
    FollowupTask,
    GuidanceKind,
    Outcome,
    PatientFlag,
    PlanPoint,
    QueueDraw,
    RetryAdjustment,
    RetryBeyondWindow,
    Satisfaction,
    SpotCheck,
    SpotCheckDraw,
    SpotCheckResult,
    StarWard,
    TaskAction,
    TaskMode,
    TaskSource,
    TaskStatus,
    TaskTransition,
    WebLink,
)

CLAIM_MINUTES = 30
CALLER_ROLES = (Role.FOLLOWUP, Role.SUPERVISOR)

discharges_import = importing.discharges_import
followup_history_import = importing.history_import


# --- policies ----------------------------------------------------------------------------------


def policy_default() -> FollowupPolicy:
    policy = FollowupPolicy.objects.filter(department__isnull=True).first()
    if policy is None:
        try:
            with transaction.atomic():
                policy = FollowupPolicy.objects.create(department=None)
        except IntegrityError:
            policy = FollowupPolicy.objects.get(department__isnull=True)
    return policy


def policy_for(department: Department, *, policies: dict | None = None) -> FollowupPolicy:
    if policies is not None:
        return policies.get(department.pk) or policies[None]
    return FollowupPolicy.objects.filter(department=department).first() or policy_default()


def _policy_snapshot(policy: FollowupPolicy) -> dict:
    return {
        "policy_id": policy.pk,
        "department_id": policy.department_id,
        "share_percent": policy.share_percent,
        "window": [policy.window_start_day, policy.window_end_day],
        "exclude_died": policy.exclude_died,
        "exclude_opted_out": policy.exclude_opted_out,
        "exclude_diagnosis_keywords": policy.diagnosis_keywords,
        "max_attempts": policy.max_attempts,
        "retry_spacing_hours": policy.retry_spacing_hours,
        "letter_when_no_phone": policy.letter_when_no_phone,
        "questionnaire_code": policy.questionnaire_code,
    }


# --- follow-up plans ------------------------------------------------------------------------------

PLAN_EDITORS = (Role.SUPERVISOR,)


@dataclass
class PointInput:
    day: int
    window_days: int = 4
    mode: str = TaskMode.PHONE
    max_attempts: int = 3
    retry_spacing_hours: int = 24
    questionnaire_code: str = "inpatient"
    repeat_every_months: int = 0
    repeat_times: int = 1
    link_valid_days: int = 7


@transaction.atomic
def plan_save(
    *,
    actor: User,
    points: list[PointInput],
    name: str,
    department: Department | None = None,
    icd_prefix: str = "",
    diagnosis_text: str = "",
    restart_on_readmission: bool = True,
    active: bool = True,
    replaces: FollowupPlan | None = None,
    today: dt.date | None = None,
) -> FollowupPlan:
    """Save a plan as a new version in force for stays discharged from today on.

    The version it replaces keeps serving the stays discharged before, so tasks already built
    (done or open) never change. A version saved earlier today and not used by a task yet is
    replaced in place. Refused, with every reason, for overlapping windows or a time point
    before discharge.
    """
    today = today or timezone.localdate()
    if not actor.has_role(*PLAN_EDITORS):
        raise ActionNotAllowed(_("Only the follow-up office edits follow-up plans."))
    if replaces is not None:
        department, icd_prefix, diagnosis_text = (
            replaces.department,
            replaces.icd_prefix,
            replaces.diagnosis_text,
        )
    icd_prefix = icd_prefix.strip().upper().replace(" ", "")
    diagnosis_text = diagnosis_text.strip()
    name = name.strip()
    if not name:
        raise ActionNotAllowed(_("Give the plan a name."))
    rows = [PlanPoint(**vars(p)) for p in points]
    problems = plans.plan_problems(rows)
    if problems:
        raise ActionNotAllowed(" ".join(problems))
    # Lock the plans only (``of``): the model's ordering joins the nullable department, and PostgreSQL
    # refuses FOR UPDATE on the nullable side of an outer join (a hospital-wide plan saved twice a day).
    same_key = FollowupPlan.objects.select_for_update(of=("self",)).filter(
        department=department, icd_prefix=icd_prefix, diagnosis_text=diagnosis_text
    )
    if replaces is None and same_key.exists():
        raise ActionNotAllowed(
            _("This department already has a plan for this diagnosis; change that plan instead.")
        )
    todays = same_key.filter(effective_from=today).first()
    if todays is not None:
        if FollowupTask.objects.filter(plan_point__plan=todays).exists():
            raise ActionNotAllowed(
                _("Today's version of this plan is already in use; change it again tomorrow.")
            )
        plan = todays
        plan.points.all().delete()
    else:
        plan = FollowupPlan(department=department, icd_prefix=icd_prefix, diagnosis_text=diagnosis_text)
        plan.effective_from = today
        plan.replaces = replaces
        plan.created_by = actor
    plan.name = name
    plan.restart_on_readmission = restart_on_readmission
    plan.active = active
    plan.save()
    for row in rows:
        row.plan = plan
    PlanPoint.objects.bulk_create(rows)
    return plan


# --- daily queue ---------------------------------------------------------------------------------


def draw_seed(department_code: str, discharged_on: dt.date, sequence: int) -> int:
    """Deterministic seed: the same department, day and sequence always draw the same stays."""
    digest = hashlib.sha256(f"ducha-followup|{department_code}|{discharged_on:%Y-%m-%d}|{sequence}".encode())
    return int.from_bytes(digest.digest()[:7], "big")


def draw_sample(eligible_ids: list[int], share_percent: int, seed: int) -> list[int]:
    """The recorded draw rule: sort the eligible ids, sample ceil(n × share) with Random(seed)."""
    ordered = sorted(eligible_ids)
    if share_percent >= 100:
        return ordered
    k = math.ceil(len(ordered) * share_percent / 100)
    return sorted(random.Random(seed).sample(ordered, k))  # noqa: S311  # nosec B311 # reproducible seeded sampling, not security


def _flagged_keys(keys: set[str]) -> dict[str, tuple[bool, bool]]:
    found: dict[str, tuple[bool, bool]] = {}
    keys_list = sorted(keys)
    for chunk in chunks(keys_list):
        for key, deceased, opted_out in PatientFlag.objects.filter(patient_key__in=chunk).values_list(
            "patient_key", "deceased", "opted_out"
        ):
            found[key] = (deceased, opted_out)
    return found


def exclusion_reason(stay: DischargeStay, policy: FollowupPolicy, flags: dict) -> str:
    """'' when the stay may be followed up, else the reason code recorded in the draw."""
    if policy.exclude_died and stay.discharge_method == DischargeMethod.DIED:
        return "died_in_hospital"
    keys = parsing.stay_patient_keys(stay)
    if any(flags.get(k, (False, False))[0] for k in keys):
        return "deceased"
    if policy.exclude_opted_out and any(flags.get(k, (False, False))[1] for k in keys):
        return "opted_out"
    diagnosis = stay.diagnosis or ""
    if any(word in diagnosis for word in policy.diagnosis_keywords):
        return "diagnosis_excluded"
    if not (stay.phone or stay.alt_phone) and not policy.letter_when_no_phone:
        return "no_phone"
    return ""


@dataclass
class QueueResult:
    day: dt.date
    draws: int = 0
    considered: int = 0
    excluded: int = 0
    created: int = 0
    assigned: int = 0
    expired: int = 0
    later: int = 0
    restarted: int = 0
    by_department: dict = field(default_factory=dict)


def _task_for(
    stay: DischargeStay, occ: plans.Occurrence, *, day: dt.date, draw_id: int | None
) -> FollowupTask:
    """The task of one time point of a stay (its window, retries and questionnaire are the point's)."""
    phone = stay.phone or stay.alt_phone
    mode = (TaskMode.PHONE if phone else TaskMode.LETTER) if occ.mode == TaskMode.PHONE else occ.mode
    return FollowupTask(
        stay=stay,
        department_id=stay.department_id,
        patient_key=parsing.patient_key(stay.patient_name, phone),
        mode=mode,
        source=TaskSource.QUEUE,
        point=occ.point,
        point_day=occ.day,
        plan_point_id=occ.plan_point_id,
        due_on=max(day, occ.start),
        expires_on=occ.end,
        max_attempts=occ.max_attempts,
        retry_spacing_hours=occ.retry_spacing_hours,
        questionnaire_code=occ.questionnaire_code,
        draw_id=draw_id,
    )


def call_queue_build(*, day: dt.date | None = None, assign: bool = True) -> QueueResult:
    """Build ``day``'s tasks: every time point due that day. Idempotent.

    First time points: for each department, stays discharged within their first point's window
    that no draw considered yet are drawn per discharge day (the department policy's share and
    exclusions); the draw (seed, rule, eligible and selected ids, exclusions) is recorded in
    ``QueueDraw``. Later time points (a plan's day 30, day 90 …): every stay drawn at its first
    point gets the task of each later point whose window contains ``day``, unless the patient was
    recorded deceased (or opted out) or a readmission restarted the plan.
    """
    day = day or timezone.localdate()
    result = QueueResult(day=day)
    policies = {p.department_id: p for p in FollowupPolicy.objects.select_related("department")}
    if None not in policies:
        policies[None] = policy_default()
    schedules = plans.Schedules(policies)
    shortest, longest = schedules.first_point_days()
    with transaction.atomic():
        result.expired = _expire_tasks(day)
        considered: set[int] = set()
        for ids in QueueDraw.objects.filter(
            discharged_on__gte=day - dt.timedelta(days=longest),
            discharged_on__lte=day - dt.timedelta(days=shortest),
        ).values_list("considered_ids", flat=True):
            considered.update(ids)
        candidates = list(
            DischargeStay.objects.filter(
                discharged_on__gte=day - dt.timedelta(days=longest),
                discharged_on__lte=day - dt.timedelta(days=shortest),
                followup_tasks__isnull=True,
            )
            .select_related("department")
            .order_by("department_id", "discharged_on", "id")
        )
        groups: dict[tuple[int, dt.date], list[DischargeStay]] = {}
        firsts: dict[int, plans.Occurrence] = {}
        for stay in candidates:
            if stay.pk in considered:
                continue
            policy = schedules.policy(stay.department_id)
            if not policy.active:
                continue
            first = schedules.of_stay(stay)[0]
            if not first.start <= day <= first.end:
                continue
            firsts[stay.pk] = first
            groups.setdefault((stay.department_id, stay.discharged_on), []).append(stay)
        keys = {k for stays in groups.values() for s in stays for k in parsing.stay_patient_keys(s)}
        flags = _flagged_keys(keys)
        new_tasks: list[FollowupTask] = []
        # Set-based (issue 23): one read of the draws already made for these departments and days
        # (each new draw's sequence), one bulk insert of the new draws, one of the tasks — however
        # many departments, discharge days and discharges.
        made = _draws_made(
            groups, low=day - dt.timedelta(days=longest), high=day - dt.timedelta(days=shortest)
        )
        draws: list[tuple[QueueDraw, list[DischargeStay], list[int]]] = []
        for (department_id, discharged_on), stays in sorted(groups.items()):
            department = stays[0].department
            policy = schedules.policy(department_id)
            sequence = made.get((department_id, discharged_on), 0) + 1
            seed = draw_seed(department.code, discharged_on, sequence)
            excluded = {}
            eligible = []
            for stay in stays:
                reason = exclusion_reason(stay, policy, flags)
                if reason:
                    excluded[str(stay.pk)] = reason
                else:
                    eligible.append(stay.pk)
            selected = draw_sample(eligible, policy.share_percent, seed)
            draw = QueueDraw(
                department_id=department_id,
                discharged_on=discharged_on,
                sequence=sequence,
                built_on=day,
                policy_snapshot=_policy_snapshot(policy),
                rule=f"ceil({len(eligible)}×{policy.share_percent}%) of sorted eligible ids, random.Random(seed).sample",
                seed=seed,
                considered_ids=sorted(s.pk for s in stays),
                excluded=excluded,
                eligible_ids=sorted(eligible),
                selected_ids=selected,
            )
            draws.append((draw, stays, selected))
            result.draws += 1
            result.considered += len(stays)
            result.excluded += len(excluded)
            result.by_department[department.name] = result.by_department.get(department.name, 0) + len(
                selected
            )
        QueueDraw.objects.bulk_create([draw for draw, _stays, _selected in draws], batch_size=500)
        for draw, stays, selected in draws:
            by_id = {s.pk: s for s in stays}
            for stay_id in selected:
                new_tasks.append(_task_for(by_id[stay_id], firsts[stay_id], day=day, draw_id=draw.pk))
        later = _later_points(day=day, schedules=schedules)
        for task in later:
            name = task.stay.department.name
            result.by_department[name] = result.by_department.get(name, 0) + 1
        new_tasks.extend(later)
        # The restarts and the shares are settled before the insert, so that each new task is
        # written once, already assigned (or already cancelled by a readmission).
        now = timezone.now()
        restarted, cancelled_new = _readmissions_restart(new_tasks=new_tasks, schedules=schedules, now=now)
        if assign and new_tasks:
            staff = duty_staff(day)
            if staff:
                phone = [t for t in new_tasks if t.mode == TaskMode.PHONE]
                _share(staff, phone)
                result.assigned = len(phone)
        FollowupTask.objects.bulk_create(new_tasks, batch_size=1000)
        outcomes.stays_mark_due(t.stay_id for t in new_tasks)
        if cancelled_new:
            _record_restarts(cancelled_new, at=now)
        result.created = len(new_tasks)
        result.later = len(later)
        result.restarted = restarted
    return result


def _draws_made(groups, *, low: dt.date, high: dt.date) -> dict[tuple[int, dt.date], int]:
    """How many draws each (department, discharge day) of ``groups`` already has, in one query."""
    if not groups:
        return {}
    rows = (
        QueueDraw.objects.filter(
            discharged_on__gte=low,
            discharged_on__lte=high,
            department_id__in=sorted({department_id for department_id, _on in groups}),
        )
        .order_by()
        .values("department_id", "discharged_on")
        .annotate(n=Count("id"))
        .values_list("department_id", "discharged_on", "n")
    )
    return {(department_id, on): n for department_id, on, n in rows}


def _later_points(*, day: dt.date, schedules: plans.Schedules) -> list[FollowupTask]:
    """The tasks of later time points (2, 3 …) due on ``day`` that do not exist yet.

    Only stays whose first point was drawn (or added by hand) go on; a patient recorded deceased
    or opted out gets no further point, nor a stay whose plan restarts on readmission once the
    patient was discharged again and drawn on the new stay."""
    dates = schedules.later_point_dates(day)
    if not dates:
        return []
    stays: dict[int, DischargeStay] = {}
    existing: dict[int, set[int]] = {}
    first_draw: dict[int, int | None] = {}
    started: set[int] = set()
    ordered = sorted(dates)
    for chunk in chunks(ordered, 400):
        for stay_id, point, source, draw_id in FollowupTask.objects.filter(
            stay__discharged_on__in=chunk
        ).values_list("stay_id", "point", "source", "draw_id"):
            existing.setdefault(stay_id, set()).add(point)
            if point == 1 and source in (TaskSource.QUEUE, TaskSource.MANUAL):
                started.add(stay_id)
                first_draw[stay_id] = draw_id
    if not started:
        return []
    ids = sorted(started)
    for chunk in chunks(ids):
        for stay in DischargeStay.objects.filter(pk__in=chunk).select_related("department"):
            stays[stay.pk] = stay
    due: list[tuple[DischargeStay, plans.Occurrence]] = []
    for stay_id in ids:
        stay = stays[stay_id]
        for occ in schedules.of_stay(stay)[1:]:
            if occ.start <= day <= occ.end and occ.point not in existing.get(stay_id, ()):
                due.append((stay, occ))
    if not due:
        return []
    keys = {k for stay, _occ in due for k in parsing.stay_patient_keys(stay)}
    flags = _flagged_keys(keys)
    # The latest discharge of each patient drawn at a first point: a later one restarts the plan.
    latest: dict[str, dt.date] = {}
    key_list = sorted(keys)
    for chunk in chunks(key_list):
        for key, discharged_on in FollowupTask.objects.filter(patient_key__in=chunk, point=1).values_list(
            "patient_key", "stay__discharged_on"
        ):
            if discharged_on > latest.get(key, dt.date.min):
                latest[key] = discharged_on
    out = []
    for stay, occ in due:
        stay_keys = parsing.stay_patient_keys(stay)
        policy = schedules.policy(stay.department_id)
        if any(flags.get(k, (False, False))[0] for k in stay_keys):
            continue
        if policy.exclude_opted_out and any(flags.get(k, (False, False))[1] for k in stay_keys):
            continue
        if occ.restart_on_readmission and any(
            latest.get(k, dt.date.min) > stay.discharged_on for k in stay_keys
        ):
            continue
        out.append(_task_for(stay, occ, day=day, draw_id=first_draw.get(stay.pk)))
    return out


def _readmissions_restart(
    *, new_tasks: list[FollowupTask], schedules: plans.Schedules, now: dt.datetime
) -> tuple[int, list[tuple[FollowupTask, str]]]:
    """A patient drawn again at a new discharge: the open later points of their earlier stays
    whose plan restarts on readmission are cancelled (the plan starts again from the new stay).

    Runs before ``new_tasks`` are written: the earlier stays' tasks in the database are cancelled
    here (one UPDATE, one bulk insert of their history rows); a later point of an earlier stay
    built this same morning is written already cancelled — its history row is written after it
    (``_record_restarts``). Returns how many were cancelled in all, and those new ones."""
    by_key: dict[str, dt.date] = {}
    for task in new_tasks:
        if task.point == 1 and task.patient_key:
            by_key[task.patient_key] = max(by_key.get(task.patient_key, dt.date.min), task.stay.discharged_on)
    if not by_key:
        return 0, []
    earlier = [
        t
        for t in FollowupTask.objects.select_for_update()
        .filter(
            patient_key__in=sorted(by_key),
            point__gt=1,
            status__in=OPEN_TASK_STATUSES,
            plan_point__plan__restart_on_readmission=True,
        )
        .select_related("stay")
        .order_by("id")
        if t.stay.discharged_on < by_key[t.patient_key]
    ]
    if earlier:
        ids = [t.pk for t in earlier]
        for chunk in chunks(ids):
            FollowupTask.objects.filter(pk__in=chunk).update(
                status=TaskStatus.CANCELLED, disposition=Disposition.INELIGIBLE, finished_at=now,
                claimed_by=None, claim_expires_at=None,
            )  # fmt: skip
        _record_restarts([(t, t.status) for t in earlier], at=now)
    restarts = {
        point.pk for plan in schedules.plans if plan.restart_on_readmission for point in plan.points.all()
    }
    cancelled_new = []
    for task in new_tasks:
        if (
            task.point > 1
            and task.plan_point_id in restarts
            and task.patient_key in by_key
            and task.stay.discharged_on < by_key[task.patient_key]
        ):
            cancelled_new.append((task, task.status))
            task.status = TaskStatus.CANCELLED
            task.disposition = Disposition.INELIGIBLE
            task.finished_at = now
    return len(earlier) + len(cancelled_new), cancelled_new


def _record_restarts(cancelled: list[tuple[FollowupTask, str]], *, at: dt.datetime) -> None:
    """The history rows of tasks cancelled by a readmission (task, status it had), in one insert."""
    note = texts.READMITTED()
    TaskTransition.objects.bulk_create(
        [
            TaskTransition(
                task_id=task.pk,
                at=at,
                action=TaskAction.CANCEL,
                from_status=from_status,
                to_status=TaskStatus.CANCELLED,
                actor=None,
                comment="",
                comment_key=note.key,
                comment_params=note.params,
            )
            for task, from_status in cancelled
        ],
        batch_size=1000,
    )


def _expire_tasks(day: dt.date) -> int:
    """Open tasks whose window has passed become EXPIRED (non-contact if attempted)."""
    rows = list(
        FollowupTask.objects.select_for_update()
        .filter(status__in=OPEN_TASK_STATUSES, expires_on__lt=day, contacted=False)
        .values_list("id", "status", "attempt_count")
    )
    now = timezone.now()
    transitions = []
    for task_id, status, _attempts in rows:
        transitions.append(
            TaskTransition(
                task_id=task_id,
                action=TaskAction.EXPIRE,
                from_status=status,
                to_status=TaskStatus.EXPIRED,
                comment_key=texts.WINDOW_PASSED.key,
            )
        )
    if rows:
        ids = [r[0] for r in rows]
        FollowupTask.objects.filter(pk__in=ids, attempt_count__gt=0).update(
            status=TaskStatus.EXPIRED, disposition=Disposition.NON_CONTACT, finished_at=now,
            claimed_by=None, claim_expires_at=None,
        )  # fmt: skip
        FollowupTask.objects.filter(pk__in=ids, attempt_count=0).update(
            status=TaskStatus.EXPIRED, finished_at=now, claimed_by=None, claim_expires_at=None
        )
        TaskTransition.objects.bulk_create(transitions, batch_size=1000)
    return len(rows)


def duty_staff(day: dt.date) -> list[User]:
    """Follow-up staff on duty: the roster of the day; without a roster, nobody (tasks stay in the pool)."""
    return list(
        User.objects.filter(
            followup_duties__day=day, is_active=True, groups__name__in=[Role.FOLLOWUP, Role.SUPERVISOR]
        )
        .distinct()
        .order_by("username")
    )


def tasks_assign(*, day: dt.date, tasks: list[FollowupTask] | None = None) -> int:
    """Share unassigned open phone tasks fairly: each goes to the on-duty caller with the fewest open tasks."""
    staff = duty_staff(day)
    if not staff:
        return 0
    if tasks is None:
        tasks = list(
            FollowupTask.objects.filter(
                assigned_to__isnull=True, status__in=OPEN_TASK_STATUSES, mode=TaskMode.PHONE, due_on__lte=day
            ).order_by("due_on", "id")
        )
    by_user = _share(staff, tasks)
    for user_id, shared in by_user.items():
        FollowupTask.objects.filter(pk__in=[t.pk for t in shared], assigned_to__isnull=True).update(
            assigned_to_id=user_id
        )
    return sum(len(shared) for shared in by_user.values())


def _share(staff: list[User], tasks: list[FollowupTask]) -> dict[int, list[FollowupTask]]:
    """Give each task (in order) to the caller of ``staff`` with the fewest open tasks (their open
    tasks in the database counted first); sets ``assigned_to_id`` on the tasks, writes nothing."""
    load = dict(
        FollowupTask.objects.filter(assigned_to__in=staff, status__in=OPEN_TASK_STATUSES)
        .values_list("assigned_to")
        .annotate(n=Count("id"))
        .values_list("assigned_to", "n")
    )
    counts = {u.pk: load.get(u.pk, 0) for u in staff}
    by_user: dict[int, list[FollowupTask]] = {}
    for task in tasks:
        user_id = min(counts, key=lambda pk: (counts[pk], pk))
        counts[user_id] += 1
        by_user.setdefault(user_id, []).append(task)
        task.assigned_to_id = user_id
    return by_user


def roster_set(*, day: dt.date, users) -> int:
    DutyRoster.objects.filter(day=day).exclude(user__in=users).delete()
    for user in users:
        DutyRoster.objects.get_or_create(day=day, user=user)
    return len(users)


@transaction.atomic
def star_wards_set(*, year: int, departments, actor: User) -> int:
    """The year's star wards (星级病房) are exactly ``departments``; the office keeps the list."""
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors designate star wards."))
    ids = [d.pk for d in departments]
    StarWard.objects.filter(year=year).exclude(department_id__in=ids).delete()
    for department_id in ids:
        StarWard.objects.get_or_create(
            year=year, department_id=department_id, defaults={"designated_by": actor}
        )
    return len(ids)


# --- the task's machine -------------------------------------------------------------------------


def _now(context: dict) -> dt.datetime:
    return context.get("now") or timezone.now()


def _claim_guard(task: FollowupTask, actor: User, context: dict) -> None:
    now = _now(context)
    if task.assigned_to_id and task.assigned_to_id != actor.pk and not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("This task is assigned to %(name)s.") % {"name": task.assigned_to})
    if task.held_by(actor, now):
        raise ActionNotAllowed(_("You already hold this task."))
    if task.claim_active(now):
        raise ActionNotAllowed(_("%(name)s is working on this task right now.") % {"name": _holder(task)})


def _holder(task: FollowupTask) -> str:
    holder = FollowupTask.objects.filter(pk=task.pk).values_list(
        "claimed_by__full_name", "claimed_by__username"
    )
    return next((a or b for a, b in holder), "")


def _release_guard(task: FollowupTask, actor: User, context: dict) -> None:
    # A supervisor may put back a claim somebody left open; a caller only their own.
    if not task.claim_active(_now(context)) or (
        task.claimed_by_id != actor.pk and not actor.has_role(Role.SUPERVISOR)
    ):
        raise ActionNotAllowed(_("You do not hold this task."))


def _holding(task: FollowupTask, actor: User, context: dict) -> None:
    if not task.held_by(actor, _now(context)):
        raise ActionNotAllowed(_("Claim the task first; somebody else may be working on it."))


def _call_guard(task: FollowupTask, actor: User, context: dict) -> None:
    _holding(task, actor, context)
    if task.mode == TaskMode.LETTER:
        raise ActionNotAllowed(_("This patient has no phone; record the letter follow-up."))


def _letter_guard(task: FollowupTask, actor: User, context: dict) -> None:
    _holding(task, actor, context)
    if task.mode != TaskMode.LETTER:
        raise ActionNotAllowed(_("This is a phone follow-up; record the call."))


TASKS = Machine(
    FollowupTask,
    history=TaskTransition,
    action_labels=TaskAction,
    state_refusal=gettext_lazy("This task is finished."),
    lock_related=("stay", "department"),
    actions=[
        Action(
            TaskAction.CLAIM,
            OPEN_TASK_STATUSES,
            None,
            roles=CALLER_ROLES,
            guard=_claim_guard,
            style="primary",
        ),
        # Any state: a claim is cleared when the task finishes, so the guard alone decides.
        Action(TaskAction.RELEASE, TaskStatus.values, None, roles=CALLER_ROLES, guard=_release_guard),
        Action(
            TaskAction.CALL, OPEN_TASK_STATUSES, None, roles=CALLER_ROLES, guard=_call_guard, style="primary"
        ),
        Action(
            TaskAction.LETTER,
            OPEN_TASK_STATUSES,
            None,
            roles=CALLER_ROLES,
            guard=_letter_guard,
            style="primary",
        ),
    ],
)


@transaction.atomic
def task_claim(*, task: FollowupTask, actor: User, now: dt.datetime | None = None) -> FollowupTask:
    """Take the task for ``CLAIM_MINUTES`` so nobody else works it at the same time.

    Besides the row lock of the transition, the claim is a compare-and-set UPDATE: where the
    database has no row locks (SQLite) and two staff passed the check at once, exactly one wins.
    """
    now = now or timezone.now()
    expires = now + dt.timedelta(minutes=CLAIM_MINUTES)

    def take(current: FollowupTask) -> None:
        free = Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now) | Q(claimed_by=actor)
        if not actor.has_role(Role.SUPERVISOR):
            free &= Q(assigned_to__isnull=True) | Q(assigned_to=actor)
        updated = FollowupTask.objects.filter(free, pk=current.pk, status__in=OPEN_TASK_STATUSES).update(
            claimed_by=actor, claim_expires_at=expires
        )
        if not updated:
            raise ActionNotAllowed(
                _("%(name)s is working on this task right now.") % {"name": _holder(current)}
            )
        current.claimed_by, current.claim_expires_at = actor, expires
        if current.assigned_to_id is None:
            current.assigned_to = actor

    return TASKS.transition(
        task,
        actor=actor,
        action=TaskAction.CLAIM,
        context={"now": now},
        mutate=take,
        save=["claimed_by", "claim_expires_at", "assigned_to"],
    )


@transaction.atomic
def task_release(*, task: FollowupTask, actor: User) -> FollowupTask:
    def put_back(current: FollowupTask) -> None:
        current.claimed_by = None
        current.claim_expires_at = None

    return TASKS.transition(
        task, actor=actor, action=TaskAction.RELEASE, mutate=put_back, save=["claimed_by", "claim_expires_at"]
    )


def task_reveal_phone(*, task: FollowupTask, actor: User, request=None) -> dict[str, str]:
    """Full numbers for the caller holding the task; each reveal is logged in RevealLog."""
    from supervision.privacy import contact_reveal

    if not task.held_by(actor):
        raise ActionNotAllowed(_("Claim the task first; only the caller holding it sees the full number."))
    stay = task.stay
    out = {}
    for field_name in ("phone", "alt_phone"):
        value = getattr(stay, field_name)
        if value:
            out[field_name] = contact_reveal(
                user=actor,
                subject=stay,
                field=field_name,
                value=value,
                purpose=texts.REVEAL_CALL,
                request=request,
            )
    return out


# --- recording calls -------------------------------------------------------------------------


def patient_flag_deceased(*, stay: DischargeStay, actor: User | None, note: str = "") -> int:
    """Never contact this person again: flag every name+phone key and cancel their open tasks —
    the later time points of this stay and of any other stay (later points not built yet are
    never built: the queue excludes a flagged key)."""
    keys = parsing.stay_patient_keys(stay)
    for key in keys:
        PatientFlag.objects.update_or_create(
            patient_key=key,
            defaults={"deceased": True, "stay": stay, "recorded_by": actor, "note": note[:200]},
        )
    open_tasks = list(
        FollowupTask.objects.select_for_update()
        .filter(Q(patient_key__in=keys) | Q(stay=stay), status__in=OPEN_TASK_STATUSES)
        .order_by("id")
    )
    for other in open_tasks:
        from_status = other.status
        other.status = TaskStatus.CANCELLED
        other.disposition = Disposition.INELIGIBLE
        other.finished_at = timezone.now()
        other.claimed_by = None
        other.claim_expires_at = None
        other.save(update_fields=["status", "disposition", "finished_at", "claimed_by", "claim_expires_at"])
        TASKS.record(
            other,
            action=TaskAction.CANCEL,
            actor=actor if actor and actor.pk else None,
            from_status=from_status,
            comment=texts.DECEASED(),
        )
    return len(open_tasks)


def patient_flag_opt_out(*, stay: DischargeStay, actor: User | None, note: str = "") -> None:
    for key in parsing.stay_patient_keys(stay):
        PatientFlag.objects.update_or_create(
            patient_key=key,
            defaults={"opted_out": True, "stay": stay, "recorded_by": actor, "note": note[:200]},
        )


@dataclass
class CallInput:
    outcome: str
    notes: str = ""
    ended_early: bool = False
    guidance_given: bool = False
    return_visit_on: dt.date | None = None
    satisfaction: str = ""
    dissatisfied_domain: object = None  # a DissatisfactionDomain, for a not-satisfied call
    dissatisfied_topics: list = field(default_factory=list)
    guidance_kinds: list = field(default_factory=list)  # GuidanceKinds given on the call
    praise: str = ""
    praised_staff: list = field(default_factory=list)
    feedback_kind: str = ""
    feedback: str = ""
    finding_category: object = None
    callback_at: dt.datetime | None = None
    opted_out: bool = False
    answers: dict | None = None  # questionnaire answers (surveys.forms.QuestionnaireForm.answers())
    questionnaire: object = None


def _attempt_create(current: FollowupTask, *, actor: User, data: CallInput, now, letter: bool) -> CallAttempt:
    disposition, contacted, _retryable = OUTCOME_RULES[data.outcome]
    if data.outcome == Outcome.REACHED and data.ended_early:
        disposition = Disposition.PARTIAL
    unhappy = contacted and data.satisfaction == Satisfaction.DISSATISFIED
    kinds = list(data.guidance_kinds) if contacted else []
    if contacted and data.guidance_given and not kinds:
        # A caller (or an older client) that only ticks "guidance given": that is health guidance.
        kinds = list(GuidanceKind.objects.filter(code="health"))
    attempt = CallAttempt.objects.create(
        task=current,
        mode=TaskMode.LETTER if letter else TaskMode.PHONE,
        caller=actor,
        caller_name=actor.display_name,
        attempted_at=now,
        attempted_on=timezone.localtime(now).date(),
        outcome=data.outcome,
        disposition=disposition,
        contacted=contacted,
        ended_early=data.ended_early,
        notes=data.notes.strip(),
        guidance_given=bool(kinds),
        return_visit_on=data.return_visit_on if contacted else None,
        satisfaction=data.satisfaction if contacted else "",
        dissatisfied_domain=data.dissatisfied_domain if unhappy else None,
        praise=data.praise.strip() if contacted else "",
        feedback_kind=data.feedback_kind if contacted or data.outcome == Outcome.REFUSED else "",
        feedback=data.feedback.strip(),
        callback_at=data.callback_at,
    )
    if data.praised_staff and contacted:
        attempt.praised_staff.set(data.praised_staff)
    if kinds:
        attempt.guidance_kinds.set(kinds)
    if unhappy and data.dissatisfied_topics:
        attempt.dissatisfied_topics.set(data.dissatisfied_topics)
    return attempt


def _working_day_test(start: dt.date, end: dt.date):
    """day -> is it a working day, for days in [start, end]: the hospital's calendar (the complaints
    channel's, 调休 included; one query), plain Monday–Friday without the complaints app."""
    try:
        from complaints.workdays import exceptions_between, is_working_day
    except ImportError:  # pragma: no cover - a hospital without the complaints channel
        return lambda day: day.weekday() < 5
    exceptions = exceptions_between(start, end)
    return lambda day: is_working_day(day, exceptions)


# The longest run of days off on China's calendar (春节 with its weekends) is 9 days.
_DAYS_OFF_MAX = 21


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_current_timezone())


def calling_time_from(when: dt.datetime, *, policy: FollowupPolicy, working=None) -> dt.datetime:
    """The first moment at or after ``when`` the office calls: inside the calling hours
    (``calling_from`` included, ``calling_until`` not) and, when the policy says so, on a working
    day. ``when`` itself when it is one."""
    local = timezone.localtime(when)
    day, time = local.date(), local.time()
    if time < policy.calling_from:
        time = policy.calling_from
    elif time >= policy.calling_until:
        day, time = day + dt.timedelta(days=1), policy.calling_from
    if policy.calling_working_days_only:
        working = working or _working_day_test(day, day + dt.timedelta(days=_DAYS_OFF_MAX))
        for _ in range(_DAYS_OFF_MAX):
            if working(day):
                break
            day, time = day + dt.timedelta(days=1), policy.calling_from
    moved = _local(day, time)
    return when if moved == local else moved


def retry_time(task: FollowupTask, *, now: dt.datetime, policy: FollowupPolicy | None = None) -> tuple:
    """(when, adjustment) of the next attempt after an unreached call: ``retry_spacing_hours``
    later, inside the office's calling hours (and working days, by policy), and inside the task's
    window (``expires_on`` is its last day, inclusive).

    A retry that falls outside the calling hours moves to their next start (``hours``: 01:29 → 08:00).
    One that would fall after the last day is moved to the last day at that time of day (``moved``;
    an hour from now when that time has passed, or now when the calling hours end within the hour;
    on the last working day before it when the office calls on working days only), or, when the
    department's policy says so, the window is extended to the retry's day (``extended``:
    ``task.expires_on`` is changed here). When no calling time is left in the window at all (a call
    recorded after hours on its last day), the task stays due now and closes with its window
    (``no_time``).
    """
    policy = policy or policy_for(task.department)
    last = task.expires_on
    today = timezone.localdate(now)
    working = (
        _working_day_test(today, max(last, today) + dt.timedelta(days=_DAYS_OFF_MAX + 11))
        if policy.calling_working_days_only
        else None
    )
    spaced = now + dt.timedelta(hours=task.retry_spacing_hours)
    when = calling_time_from(spaced, policy=policy, working=working)
    if timezone.localdate(when) <= last:
        return when, (RetryAdjustment.NONE if when == spaced else RetryAdjustment.HOURS)
    if policy.retry_beyond_window == RetryBeyondWindow.EXTEND:
        task.expires_on = timezone.localdate(when)
        return when, RetryAdjustment.EXTENDED
    day = last
    while working is not None and not working(day) and day > today:
        day -= dt.timedelta(days=1)
    moved = _local(day, timezone.localtime(when).time())
    if moved > now and (working is None or working(day)):
        return moved, RetryAdjustment.MOVED
    soon = calling_time_from(now + dt.timedelta(hours=1), policy=policy, working=working)
    if timezone.localdate(soon) <= last:
        return soon, RetryAdjustment.MOVED
    if calling_time_from(now, policy=policy, working=working) == now and today <= last:
        return now, RetryAdjustment.MOVED  # the calling hours end within the hour: try again now
    return now, RetryAdjustment.NO_TIME_LEFT


def _task_move_on(current: FollowupTask, *, data: CallInput, now) -> None:
    """The task's next state after one attempt (the attempt is already recorded)."""
    disposition, contacted, retryable = OUTCOME_RULES[data.outcome]
    if data.outcome == Outcome.REACHED and data.ended_early:
        disposition = Disposition.PARTIAL
    current.attempt_count += 1
    if data.outcome == Outcome.LETTER_DONE:
        current.letter_returned_on = timezone.localtime(now).date()

    current.retry_adjustment = RetryAdjustment.NONE
    current.claimed_by = None
    current.claim_expires_at = None
    if contacted:
        current.contacted = True
    outcomes.stay_mark_attempt(current.stay, reached=current.contacted)
    may_call_back = current.contacted or (retryable and current.attempt_count < current.max_attempts)
    if data.callback_at and may_call_back:
        current.status = TaskStatus.CALLBACK
        current.next_attempt_at = data.callback_at
        current.disposition = Disposition.COMPLETE if current.contacted else ""
    elif (
        data.outcome == Outcome.WRONG_NUMBER and (after_wrong := _next_after_wrong_number(current)) != "final"
    ):
        # Another number to try (备用电话), or a letter instead when the policy says so.
        if after_wrong == "letter":
            current.mode = TaskMode.LETTER
            current.status = TaskStatus.PENDING
        else:
            current.status = TaskStatus.CALLBACK
        current.next_attempt_at = now
        current.disposition = ""
    elif contacted or not retryable or current.attempt_count >= current.max_attempts:
        current.status = TaskStatus.DONE
        current.finished_at = now
        current.next_attempt_at = None
        current.disposition = (
            (Disposition.PARTIAL if disposition == Disposition.PARTIAL else Disposition.COMPLETE)
            if current.contacted
            else disposition
        )
        if data.outcome == Outcome.WRONG_NUMBER and not current.contacted:
            current.disposition = Disposition.NON_CONTACT
    else:
        current.status = TaskStatus.CALLBACK
        current.next_attempt_at, current.retry_adjustment = retry_time(current, now=now)


@transaction.atomic
def call_record(
    *, task: FollowupTask, actor: User, data: CallInput, now: dt.datetime | None = None
) -> CallAttempt:
    """Record one call (or a letter) on a task the actor holds, and move the task on.

    Reached (not refused) → completed contact; a call-back time keeps the task open for it.
    Retryable non-contacts are retried after the policy's spacing until ``max_attempts``.
    Deceased → ineligible, and the person is never contacted again (all stays).
    """
    now = now or timezone.now()
    letter = data.outcome == Outcome.LETTER_DONE
    made: list[CallAttempt] = []

    def move_on(current: FollowupTask) -> None:
        if data.outcome not in OUTCOME_RULES:
            raise ActionNotAllowed(_("Choose an outcome."))
        if data.callback_at and data.callback_at <= now:
            raise ActionNotAllowed(_("The call-back time must be in the future."))
        made.append(_attempt_create(current, actor=actor, data=data, now=now, letter=letter))
        _task_move_on(current, data=data, now=now)

    current = TASKS.transition(
        task,
        actor=actor,
        action=TaskAction.LETTER if letter else TaskAction.CALL,
        context={"now": now},
        mutate=move_on,
        comment=lambda _task: texts.CALL_OUTCOME(outcome=data.outcome),
    )
    attempt = made[0]
    contacted = attempt.contacted
    if data.outcome == Outcome.DECEASED:
        patient_flag_deceased(stay=current.stay, actor=actor, note=texts.FLAG_DECEASED.key)
    if data.opted_out:
        patient_flag_opt_out(stay=current.stay, actor=actor, note=texts.FLAG_OPTED_OUT.key)
    if contacted and data.answers is not None and data.questionnaire is not None:
        from surveys.services import response_submit

        extra = {"allow_incomplete": True} if data.ended_early else {}
        response = response_submit(
            questionnaire=data.questionnaire,
            channel="phone",
            department=current.department,
            answers=data.answers,
            submitted_by=actor,
            source_object=attempt,
            submitted_at=now,
            stay=current.stay,
            **extra,
        )
        attempt.survey_response_id = response.pk
    if attempt.feedback and attempt.feedback_kind == FeedbackKind.COMPLAINT:
        attempt.complaint_id = _complaint_intake(attempt=attempt, actor=actor, now=now)
    elif attempt.feedback and attempt.feedback_kind == FeedbackKind.FINDING:
        if data.finding_category is None:
            raise ActionNotAllowed(_("Choose the category of the service problem."))
        from supervision.services import finding_create

        attempt.finding = finding_create(
            source=FindingSource.FOLLOWUP,
            category=data.finding_category,
            department=current.department,
            description=attempt.feedback,
            found_by=actor,
            found_at=now,
            source_object=attempt,
            staff=[],
        )
    attempt.save(update_fields=["survey_response_id", "complaint_id", "finding"])
    if attempt.satisfaction == Satisfaction.DISSATISFIED:
        # Recorded first; the worker raises the alert on the unhappy patient once this is committed.
        from .tasks import raise_alert

        enqueue_on_commit(raise_alert, attempt.pk)
    return attempt


def _next_after_wrong_number(task: FollowupTask) -> str:
    """After a wrong or empty number: 'alt_phone' (try the other number once), 'letter', or 'final'."""
    stay = task.stay
    wrong = task.attempts.filter(outcome=Outcome.WRONG_NUMBER).count()  # includes the one just recorded
    if stay.phone and stay.alt_phone and stay.alt_phone != stay.phone and wrong < 2:
        return "alt_phone"
    if task.mode == TaskMode.PHONE and policy_for(task.department).letter_when_no_phone:
        return "letter"
    return "final"


def complaints_available() -> bool:
    try:
        from complaints.services import complaint_intake  # noqa: F401
    except ImportError:
        return False
    return True


def _complaint_intake(*, attempt: CallAttempt, actor: User, now) -> int:
    try:
        from complaints.services import complaint_intake
    except ImportError:
        raise ActionNotAllowed(
            _("The complaints module is not available; record it as a service problem instead.")
        ) from None
    stay = attempt.task.stay
    complaint = complaint_intake(
        channel="followup",
        received_by=actor,
        content=attempt.feedback,
        department=attempt.task.department,
        complainant_name=stay.patient_name,
        complainant_phone=stay.phone or stay.alt_phone,
        source_object=attempt,
        received_at=now,
    )
    return complaint.pk


@transaction.atomic
def task_add_manual(*, stay: DischargeStay, actor: User, day: dt.date | None = None) -> FollowupTask:
    """Put one stay on the list by hand (e.g. selective psychiatric follow-up)."""
    day = day or timezone.localdate()
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors add stays to the list by hand."))
    if FollowupTask.objects.filter(stay=stay).exists():
        raise ActionNotAllowed(_("This stay is already on the follow-up list."))
    flags = _flagged_keys(set(parsing.stay_patient_keys(stay)))
    if any(d for d, _o in flags.values()):
        raise ActionNotAllowed(_("This patient was recorded as deceased; never contact the family again."))
    policy = policy_for(stay.department)
    # The stay's first time point (its plan's, or the policy window); the queue adds the later ones.
    first = plans.Schedules({stay.department_id: policy, None: policy}).of_stay(stay)[0]
    task = _task_for(stay, first, day=day, draw_id=None)
    task.source = TaskSource.MANUAL
    task.due_on = day
    task.expires_on = max(day, first.end)
    task.save()
    outcomes.stays_mark_due([stay.pk])
    TASKS.record(task, action=TaskAction.CREATE, actor=actor, from_status="")
    return task


# --- letters and web forms -------------------------------------------------------------------------

LETTER_MODES = (TaskMode.LETTER, TaskMode.WEB)


def web_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def web_link_last_day(task: FollowupTask, *, issued_on: dt.date) -> dt.date:
    """The last day a personal link issued on ``issued_on`` works.

    ``link_valid_days`` of the time point (7 unless the plan says otherwise) after the day it is
    issued, so a letter posted on the window's last day still leaves the patient a week; never
    shorter than the window (a link handed over at discharge works through it), and never into the
    stay's next time point (it ends the day before that one opens): one questionnaire per point."""
    valid = PlanPoint._meta.get_field("link_valid_days").get_default()
    next_start = None
    if task.plan_point_id:
        point = PlanPoint.objects.select_related("plan").get(pk=task.plan_point_id)
        valid = point.link_valid_days
        later = [
            o.start for o in plans.occurrences(point.plan, task.stay.discharged_on) if o.point > task.point
        ]
        next_start = min(later, default=None)
    built = (
        FollowupTask.objects.filter(stay_id=task.stay_id, point__gt=task.point)
        .order_by("point")
        .values_list("due_on", flat=True)
        .first()
    )
    if built is not None:
        next_start = min(next_start or built, built)
    last = max(task.expires_on, issued_on + dt.timedelta(days=valid))
    if next_start is not None:
        last = min(last, next_start - dt.timedelta(days=1))
    return max(last, issued_on)


@transaction.atomic
def web_link_issue(*, task: FollowupTask, actor: User | None, now: dt.datetime | None = None) -> str:
    """A new personal link for a web time point: returns the token (printed once on the letter;
    only its hash is stored). It works through ``web_link_last_day`` and is used once; the task's
    window is extended to that day if it ended earlier (the task stays open while its link works),
    and the task's older unused links are revoked, so only the latest letter works."""
    now = now or timezone.now()
    if task.mode != TaskMode.WEB:
        raise ActionNotAllowed(_("Only a web time point has a personal link."))
    if task.status not in OPEN_TASK_STATUSES:
        raise ActionNotAllowed(_("This task is finished."))
    WebLink.objects.filter(task=task, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(24)
    last_day = web_link_last_day(task, issued_on=timezone.localtime(now).date())
    if last_day > task.expires_on:
        task.expires_on = last_day
        task.save(update_fields=["expires_on"])
    WebLink.objects.create(
        task=task,
        token_hash=web_token_hash(token),
        expires_at=timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min)),
        created_by=actor,
        created_at=now,
    )
    return token


def web_link_refusal(link: WebLink | None, *, now: dt.datetime | None = None) -> str:
    """Why this link cannot be used now, in the user's language ('' when it can)."""
    now = now or timezone.now()
    if link is None:
        return _("This follow-up link is not valid.")
    if link.used_at is not None:
        return _("This follow-up form has already been sent. Thank you!")
    if link.revoked_at is not None:
        return _("This link was replaced by a newer one; please use the link of the latest letter.")
    if link.expires_at <= now:
        return _("This follow-up link has expired.")
    if link.task.status not in OPEN_TASK_STATUSES:
        return _("This follow-up is already finished. Thank you!")
    return ""


def web_link_find(token: str) -> WebLink | None:
    return (
        WebLink.objects.select_related("task__stay", "task__department")
        .filter(token_hash=web_token_hash(token or ""))
        .first()
    )


@transaction.atomic
def web_form_submit(
    *, token: str, answers: dict, questionnaire, now: dt.datetime | None = None
) -> CallAttempt:
    """The patient's completed web form: a completed contact on the task, the link used up.

    Raises ActionNotAllowed (used, expired, replaced, finished) or the survey engine's
    ValidationError (an answer missing or wrong); either way nothing is written."""
    now = now or timezone.now()
    link = WebLink.objects.select_for_update().filter(token_hash=web_token_hash(token or "")).first()
    if link is not None:
        # The stay too, under the same lock: its follow-up flags are read and kept here.
        link.task = FollowupTask.objects.select_for_update().select_related("stay").get(pk=link.task_id)
    refusal = web_link_refusal(link, now=now)
    if refusal:
        raise ActionNotAllowed(refusal)
    task = link.task
    attempt = CallAttempt.objects.create(
        task=task,
        mode=TaskMode.WEB,
        attempted_at=now,
        attempted_on=timezone.localtime(now).date(),
        outcome=Outcome.WEB_DONE,
        disposition=Disposition.COMPLETE,
        contacted=True,
    )
    from surveys.services import response_submit

    response = response_submit(
        questionnaire=questionnaire,
        channel="web",
        department=task.department,
        answers=answers,
        source_object=attempt,
        submitted_at=now,
    )
    attempt.survey_response_id = response.pk
    attempt.save(update_fields=["survey_response_id"])
    from_status = task.status
    task.status = TaskStatus.DONE
    task.contacted = True
    task.disposition = Disposition.COMPLETE
    task.attempt_count += 1
    task.finished_at = now
    task.next_attempt_at = None
    task.claimed_by = None
    task.claim_expires_at = None
    task.save()
    outcomes.stay_mark_attempt(task.stay, reached=True)
    TASKS.record(task, action=TaskAction.WEB, actor=None, from_status=from_status)
    link.used_at = now
    link.save(update_fields=["used_at"])
    return attempt


@transaction.atomic
def letters_mark_sent(*, tasks: list[FollowupTask], actor: User, on: dt.date | None = None) -> int:
    """Record the day the letters (or the letters with a web link) of these tasks were posted."""
    on = on or timezone.localdate()
    if not actor.has_role(*CALLER_ROLES):
        raise ActionNotAllowed(_("Only follow-up staff send letters."))
    ids = [t.pk for t in tasks if t.mode in LETTER_MODES]
    return FollowupTask.objects.filter(
        pk__in=ids, status__in=OPEN_TASK_STATUSES, letter_sent_on__isnull=True
    ).update(letter_sent_on=on)


# --- spot-checks -------------------------------------------------------------------------------


@transaction.atomic
def spotcheck_draw(
    *, actor: User, start: dt.date, end: dt.date, size: int, seed: int | None = None
) -> SpotCheckDraw:
    """Draw ``size`` random reached calls (by call date in start..end) to re-call. Seed recorded."""
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors run spot-checks."))
    if end < start:
        raise ActionNotAllowed(_("The end date is before the start date."))
    if size < 1:
        raise ActionNotAllowed(_("Draw at least one call."))
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**53)
    # One attempt per task: its first reached call in the period (phone only; letters cannot be re-called).
    population = list(
        CallAttempt.objects.filter(
            contacted=True, mode=TaskMode.PHONE, attempted_on__gte=start, attempted_on__lte=end
        )
        .order_by("task_id", "attempted_at", "id")
        .distinct()
        .values_list("task_id", "id")
    )
    first: dict[int, int] = {}
    for task_id, attempt_id in population:
        first.setdefault(task_id, attempt_id)
    ids = sorted(first)
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))  # noqa: S311  # nosec B311 # reproducible seeded sampling
    draw = SpotCheckDraw.objects.create(
        drawn_by=actor,
        period_start=start,
        period_end=end,
        requested_size=size,
        seed=seed,
        population=len(ids),
        selected_ids=chosen,
    )
    attempts = {
        a.task_id: a
        for a in CallAttempt.objects.filter(pk__in=[first[t] for t in chosen]).select_related("task")
    }
    SpotCheck.objects.bulk_create(
        [
            SpotCheck(
                draw=draw,
                task_id=task_id,
                attempt=attempts[task_id],
                caller_id=attempts[task_id].caller_id,
                department_id=attempts[task_id].task.department_id,
            )
            for task_id in chosen
        ]
    )
    return draw


@transaction.atomic
def spotcheck_record(*, check: SpotCheck, actor: User, result: str, note: str = "") -> SpotCheck:
    if not actor.has_role(Role.SUPERVISOR):
        raise ActionNotAllowed(_("Only supervisors run spot-checks."))
    current = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if result not in SpotCheckResult.values or result == SpotCheckResult.PENDING:
        raise ActionNotAllowed(_("Choose confirmed, denied or unreachable."))
    if current.result != SpotCheckResult.PENDING:
        raise ActionNotAllowed(_("This spot-check is already recorded."))
    now = timezone.now()
    current.result = result
    current.note = note.strip()[:500]
    current.checked_by = actor
    current.checked_at = now
    current.checked_on = timezone.localtime(now).date()
    current.save()
    return current


# --- alerts on unhappy patients (issue 17) -------------------------------------------------------


def attempt_raise_alert(*, attempt: CallAttempt):
    """A call recorded "not satisfied" raises an alert to the department's heads and the office
    (idempotent: the core keeps one alert per call). Returns the alert, or None for another call."""
    from supervision.models import AlertKind
    from supervision.services import alert_raise
    from surveys.services import alert_due_on

    if attempt.satisfaction != Satisfaction.DISSATISFIED:
        return None
    task = attempt.task
    alert, _created = alert_raise(
        kind=AlertKind.CALL_NOT_SATISFIED,
        source=attempt,
        department=task.department,
        due_on=alert_due_on(timezone.localdate()),
        stay=task.stay,
        note="\n".join(t for t in (attempt.feedback, attempt.notes) if t),
    )
    return alert
