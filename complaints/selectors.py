"""Read side of complaints: scoping, list querysets and the figures shared with reports.

Figures take ``(*, start, end, departments=None)``: inclusive dates of receipt (the local date
the complaint was received), and ``departments`` an iterable of Department ids (None: all).
A complaint belongs to its *department concerned* (``Complaint.department``; set at intake or,
if empty, to the first department it is assigned to). Rates are percentages rounded to one
decimal, or None when the denominator is 0. Aggregation happens in SQL. Formulas: docs/complaints.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.utils import timezone

from supervision.access import scope_of
from supervision.infra import statements
from supervision.models import Category, Department, Role
from supervision.privacy import mask_phone
from supervision.rates import rate

from .models import (
    AWAITING_ANSWER,
    CalendarDay,
    CalendarYear,
    Complaint,
    ComplaintAssignment,
    ComplaintAttachment,
    ComplaintChannel,
    ComplaintLetter,
    ComplaintPause,
    ComplaintStatus,
    ComplaintTransition,
    ContactRating,
    Determination,
    OwnerChange,
    Satisfaction,
    Verdict,
    VerdictAnswer,
    VerdictLink,
)

# --- scoping -----------------------------------------------------------------------------------


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Supervisors and administrators: all. Department heads: complaints assigned to their
    departments. Follow-up and service-desk staff: complaints they own. Everyone else: none."""
    return scope_of(user).filter(
        Complaint.objects.all(),
        # A subquery on the assignment index: few rows for one head, whatever the table size.
        department_field=lambda ids: Q(
            pk__in=ComplaintAssignment.objects.filter(department_id__in=ids).values("complaint_id")
        ),
        owner_field="owner",
        owner_roles=(Role.FOLLOWUP, Role.DESK),
    )


def awaiting_reply(user) -> QuerySet[Complaint]:
    """The complaints assigned to one of ``user``'s departments (a head's) whose reply that
    department has not written yet: their "complaints awaiting my reply". Nobody else has any."""
    ids = sorted(scope_of(user).department_ids)
    if not ids:
        return Complaint.objects.none()
    return Complaint.objects.filter(
        status=ComplaintStatus.ASSIGNED,
        pk__in=ComplaintAssignment.objects.filter(department_id__in=ids, replied_at__isnull=True).values(
            "complaint_id"
        ),
    )


def complaint_list(user) -> QuerySet[Complaint]:
    """The list page: one query for the rows plus one for their departments, whatever the page length
    (the page reads its rows' columns as values: complaints.views.COMPLAINT_ROW_FIELDS)."""
    return complaints_visible_to(user).order_by("-received_at", "-id")


def complaint_detail_queryset(user) -> QuerySet[Complaint]:
    return (
        complaints_visible_to(user)
        .select_related(
            "department",
            "owner",
            "received_by",
            "answered_by",
            "finding",
            "finding__order",
            "not_accepted_ground",
        )
        .prefetch_related(
            "categories",
            Prefetch("pauses", queryset=ComplaintPause.objects.select_related("started_by", "ended_by")),
            Prefetch(
                "assignments",
                queryset=ComplaintAssignment.objects.select_related(
                    "department", "replied_by", "assigned_by"
                ),
            ),
            Prefetch("transitions", queryset=ComplaintTransition.objects.select_related("actor")),
            Prefetch(
                "owner_changes",
                queryset=OwnerChange.objects.select_related("owner", "previous_owner", "changed_by"),
            ),
        )
    )


def same_person(complaint: Complaint, user) -> QuerySet[Complaint]:
    """The other complaints of the same complainant that ``user`` may see: the same telephone (digits
    only) or the same name, newest first; ``by_phone`` says whether the telephone matched (a name
    alone may be a namesake). One query for the rows; a department head sees their departments' only."""
    match = Q(pk__in=[])
    if complaint.complainant_key:
        match |= Q(complainant_key=complaint.complainant_key)
    if complaint.complainant_name:
        match |= Q(complainant_name=complaint.complainant_name)
    by_phone = (
        Case(When(complainant_key=complaint.complainant_key, then=Value(True)), default=Value(False))
        if complaint.complainant_key
        else Value(False)
    )
    return (
        complaints_visible_to(user)
        .filter(match)
        .exclude(pk=complaint.pk)
        .select_related("department")
        .annotate(by_phone=ExpressionWrapper(by_phone, output_field=BooleanField()))
        .order_by("-received_at", "-id")
    )


# --- figures -----------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return rate(part, whole)


def _period(start: dt.date, end: dt.date, departments: Iterable[int] | None) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(received_on__gte=start, received_on__lte=end)
    if departments is not None:
        qs = qs.filter(department_id__in=list(departments))
    return qs


def _ids(departments: Iterable[int] | None) -> tuple[int, ...] | None:
    return None if departments is None else tuple(departments)


# Each figure below reads "the period's complaints". Most read them through a statement kept per
# period and departments (``supervision.infra.statements``: the ORM builds each once, the counts
# are read anew on every call — building the nine reads was most of the figures' Python,
# docs/performance.md → API figures, stop 22): a module-level ``_*_read(start, end, departments)``
# builds the read, its private function runs it. The repeat complainants (a window over groups,
# which ``statements`` does not keep) are read by the ORM from the period's queryset.


def by_channel(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Complaints received per channel (every channel listed, zeros included)."""
    return _by_channel(start, end, _ids(departments))


def _channel_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return _period(start, end, departments).values("channel").annotate(n=Count("id")).order_by()


def _by_channel(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> list[dict]:
    counts = {r["channel"]: r["n"] for r in statements.grouped(_channel_read, start, end, departments)}
    return [
        {"channel": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in ComplaintChannel.choices
    ]


def by_category(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Determined complaints per category of the core taxonomy (a complaint counts once per category)."""
    return _by_category(start, end, _ids(departments))


def _category_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        Category.objects.filter(complaints__in=_period(start, end, departments))
        .values("id", "name")
        .annotate(n=Count("complaints", distinct=True))
        .order_by("-n", "name")
    )


def _by_category(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> list[dict]:
    rows = statements.grouped(_category_read, start, end, departments)
    return [{"category_id": r["id"], "category": r["name"], "count": r["n"]} for r in rows]


def by_department(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Complaints per department concerned, most first (complaints with no department left out),
    with how many of them were determined valid or partly valid."""
    return _by_department(start, end, _ids(departments))


def _department_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        _period(start, end, departments)
        .filter(department__isnull=False)
        .values("department_id", "department__name")
        .annotate(
            n=Count("id"),
            valid=Count("id", filter=Q(determination__in=[Determination.VALID, Determination.PARTLY_VALID])),
        )
        .order_by("-n", "department__name")
    )


def _by_department(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> list[dict]:
    rows = statements.grouped(_department_read, start, end, departments)
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "count": r["n"],
            "valid": r["valid"],
        }
        for r in rows
    ]


def by_month(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Complaints received per calendar month of the period (every month listed, zeros included)."""
    return _by_month(start, end, _ids(departments))


def _day_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return _period(start, end, departments).values("received_on").annotate(n=Count("id")).order_by()


def _by_month(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> list[dict]:
    # Counted per day received (a plain date: its statement kept) and added up per month here, not
    # grouped by ``TruncMonth``, whose month the ORM converts on every row (its statement could not
    # be kept): the same counts.
    counts: dict[str, int] = {}
    for row in statements.grouped(_day_read, start, end, departments):
        key = row["received_on"].strftime("%Y-%m")
        counts[key] = counts.get(key, 0) + row["n"]
    out, month = [], start.replace(day=1)
    while month <= end:
        key = month.strftime("%Y-%m")
        out.append({"month": key, "count": counts.get(key, 0)})
        month += relativedelta(months=1)
    return out


# The period's counts the figures read, as aggregate expressions named per figure: each figure's
# function runs its own; ``figures()`` runs them all as one query (``_counts``) — the same counts.
_REFUSED = Q(accepted_at__isnull=True, status=ComplaintStatus.NOT_ACCEPTED)
# The complaints whose answer the answer figures measure: all but those not accepted.
_ANSWERABLE = ~Q(status=ComplaintStatus.NOT_ACCEPTED)


def _accepted_counts(today: dt.date) -> dict:
    # Shared with the intake (the same names, so counted once when both are asked for).
    return {
        "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
        "refused": Count("id", filter=_REFUSED),
    }


def _intake_counts(today: dt.date) -> dict:
    return {
        **_accepted_counts(today),
        "in_received": Count("id"),
        "in_on_time": Count("id", filter=_REFUSED & Q(answered_on_time=True)),
    }


def _on_time_counts(today: dt.date) -> dict:
    # A complaint not accepted is told why within the same limit: counted under intake(), not here.
    return {
        "ot_answered": Count("id", filter=_ANSWERABLE & Q(answered_at__isnull=False)),
        "ot_on_time": Count("id", filter=_ANSWERABLE & Q(answered_at__isnull=False, answered_on_time=True)),
        "ot_overdue": Count(
            "id",
            filter=_ANSWERABLE
            & Q(answered_at__isnull=True, status__in=AWAITING_ANSWER, answer_due__lt=today),
        ),
    }


def _days_counts(today: dt.date) -> dict:
    answered = _ANSWERABLE & Q(answer_working_days__isnull=False)
    return {
        "days_n": Count("id", filter=answered),
        "days_avg": Avg("answer_working_days", filter=answered),
    }


def _valid_counts(today: dt.date) -> dict:
    return {
        "va_valid": Count("id", filter=Q(determination=Determination.VALID)),
        "va_partly": Count("id", filter=Q(determination=Determination.PARTLY_VALID)),
        "va_not_valid": Count("id", filter=Q(determination=Determination.NOT_VALID)),
    }


def _satisfaction_counts(today: dt.date) -> dict:
    return {
        "sa_satisfied": Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "sa_basically": Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        "sa_dissatisfied": Count("id", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
    }


def _counts(start: dt.date, end: dt.date, departments, *groups, today: dt.date | None = None) -> dict:
    """The period's aggregates of ``groups`` (the ``_*_counts`` above) in one query, its statement
    kept per period, departments, groups and day."""
    today = today or timezone.localdate()
    return statements.aggregate(_counts_read, start, end, _ids(departments), groups, today)


def _counts_read(
    start: dt.date, end: dt.date, departments, groups: tuple, today: dt.date
) -> tuple[QuerySet, dict]:
    expressions = {}
    for group in groups:
        expressions.update(group(today))
    return _period(start, end, departments).order_by(), expressions


def _accepted_share(row: dict) -> dict:
    accepted, refused = row["accepted"], row["refused"]
    decided = accepted + refused
    return {
        "accepted": accepted,
        "not_accepted": refused,
        "decided": decided,
        "share": _rate(accepted, decided),
    }


def accepted_share(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """accepted ÷ (accepted + not accepted); complaints still waiting for the decision are left out."""
    return _accepted_share(_counts(start, end, departments, _accepted_counts))


def _reasons_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        _period(start, end, departments)
        .filter(_REFUSED)
        .values("not_accepted_ground_id", "not_accepted_ground__name")
        .annotate(n=Count("id"))
        # Most first, then in the list's order; reasons from before the list last.
        .order_by("-n", F("not_accepted_ground__sort_order").asc(nulls_last=True))
    )


def _reasons(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> list[dict]:
    # A complaint refused before the list of reasons existed has no reason: ``reason`` is None.
    rows = statements.grouped(_reasons_read, start, end, departments)
    return [
        {"reason_id": r["not_accepted_ground_id"], "reason": r["not_accepted_ground__name"], "count": r["n"]}
        for r in rows
    ]


def _intake(row: dict, reasons: list[dict]) -> dict:
    return {
        "received": row["in_received"],
        "accepted": row["accepted"],
        "not_accepted": row["refused"],
        "waiting": row["in_received"] - row["accepted"] - row["refused"],
        "not_accepted_on_time": row["in_on_time"],
        "by_reason": reasons,
    }


def intake(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Received (收到), accepted (受理), not accepted (不予受理) by reason, and still waiting for the
    decision; received = accepted + not accepted + waiting. A not-accepted complaint is answered
    with its reason: ``not_accepted_on_time`` of them were told within the answer's time limit."""
    return _intake(_counts(start, end, departments, _intake_counts), _reasons(start, end, _ids(departments)))


def _on_time_share(row: dict) -> dict:
    whole = row["ot_answered"] + row["ot_overdue"]
    return {
        "on_time": row["ot_on_time"],
        "answered": row["ot_answered"],
        "overdue_unanswered": row["ot_overdue"],
        "share": _rate(row["ot_on_time"], whole),
    }


def answered_on_time_share(
    *, start: dt.date, end: dt.date, departments=None, today: dt.date | None = None
) -> dict:
    """answered by the due date ÷ (answered + still unanswered past the due date)."""
    return _on_time_share(_counts(start, end, departments, _on_time_counts, today=today))


def _average_days(row: dict) -> dict:
    avg = row["days_avg"]
    return {"answered": row["days_n"], "average": round(avg, 1) if avg is not None else None}


def average_working_days_to_answer(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Mean of working days from the day of receipt to the day of the (first) answer."""
    return _average_days(_counts(start, end, departments, _days_counts))


def _valid_share(row: dict) -> dict:
    valid, partly, not_valid = row["va_valid"], row["va_partly"], row["va_not_valid"]
    determined = valid + partly + not_valid
    return {
        "valid": valid,
        "partly_valid": partly,
        "not_valid": not_valid,
        "determined": determined,
        "share": _rate(valid + partly, determined),
    }


def valid_share(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """(valid + partly valid) ÷ determined complaints."""
    return _valid_share(_counts(start, end, departments, _valid_counts))


def repeat_complainants(
    *, start: dt.date, end: dt.date, departments=None, minimum: int = 2, limit: int = 20
) -> dict:
    """Complainants (same phone number, digits only) with ``minimum`` or more complaints in the period.
    Phones are returned masked."""
    return _repeat_complainants(_period(start, end, departments), minimum=minimum, limit=limit)


def _repeat_complainants(period: QuerySet[Complaint], *, minimum: int = 2, limit: int = 20) -> dict:
    # How many complainants there are rides on the top rows (a window over the groups left after
    # HAVING, worked out before LIMIT): one query instead of a count and the rows.
    rows = list(
        period.exclude(complainant_key="")
        .values("complainant_key")
        .annotate(n=Count("id"), complainants=Window(Count("*")))
        .filter(n__gte=minimum)
        .order_by("-n", "complainant_key")[: max(limit, 1)]
    )
    total = rows[0]["complainants"] if rows else 0
    top = [{"phone": mask_phone(r["complainant_key"]), "count": r["n"]} for r in rows[:limit]]
    return {"count": total, "rows": top}


def departments_without_complaints(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """The reward list: active departments with no complaint received in the period, neither as the
    department concerned nor as an assigned department. Complaints not accepted do not count."""
    rows = statements.rows(_reward_read, start, end, _ids(departments))
    return [{"department_id": d["id"], "department": d["name"]} for d in rows]


def _reward_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> tuple[QuerySet, tuple]:
    counted = Complaint.objects.filter(received_on__gte=start, received_on__lte=end).exclude(
        status=ComplaintStatus.NOT_ACCEPTED
    )
    qs = Department.objects.filter(active=True)
    if departments is not None:
        qs = qs.filter(pk__in=list(departments))
    qs = qs.exclude(Exists(counted.filter(department_id=OuterRef("pk")))).exclude(
        Exists(
            ComplaintAssignment.objects.filter(
                department_id=OuterRef("pk"), complaint__in=counted.values("pk")
            )
        )
    )
    return qs.values("id", "name"), ("id", "name")


# The complainant's verdict is counted per handler and per department only from this many verdicts
# up: below it a handler could tell which complainant said what (issue 25 item 2).
VERDICT_MIN_COUNT = 5

_VERDICT_COUNTS = {
    "n": Count("id"),
    "handled_yes": Count("id", filter=Q(handled=VerdictAnswer.YES)),
    "handled_partly": Count("id", filter=Q(handled=VerdictAnswer.PARTLY)),
    "fair_yes": Count("id", filter=Q(fair=VerdictAnswer.YES)),
    "fair_partly": Count("id", filter=Q(fair=VerdictAnswer.PARTLY)),
    "contact_good": Count("id", filter=Q(contact=ContactRating.GOOD)),
    "contact_acceptable": Count("id", filter=Q(contact=ContactRating.ACCEPTABLE)),
}


def _verdict_row(row: dict, minimum: int) -> dict:
    """Counts and shares of one group; below ``minimum`` the count only (``shown`` False)."""
    n = row["n"]
    shown = n >= minimum
    out = {"count": n, "shown": shown}
    for key in ("handled", "fair"):
        out[key] = rate(row[f"{key}_yes"], n) if shown else None
        out[f"{key}_partly"] = rate(row[f"{key}_partly"], n) if shown else None
    out["contact"] = rate(row["contact_good"], n) if shown else None
    out["contact_acceptable"] = rate(row["contact_acceptable"], n) if shown else None
    return out


def verdicts(
    *,
    start: dt.date,
    end: dt.date,
    departments=None,
    minimum: int = VERDICT_MIN_COUNT,
    handlers: bool = True,
) -> dict:
    """The complainants' verdicts on complaints received in the period: handled (yes ÷ verdicts), fair
    (yes ÷ verdicts), contact good (good ÷ verdicts), with "partly" / "acceptable" beside; overall,
    per handler (the person who recorded the answer) and per department concerned. A handler's or a
    department's row shows its shares only from ``minimum`` verdicts up; nothing names a complaint.
    ``handlers=False`` leaves the rows per handler out (empty), for a reader that never shows them."""
    return _verdicts(start, end, _ids(departments), minimum=minimum, handlers=handlers)


def _verdicts_of(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return Verdict.objects.filter(complaint__in=_period(start, end, departments))


def _verdict_handler_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        _verdicts_of(start, end, departments)
        .values(
            "complaint__answered_by_id",
            "complaint__answered_by__full_name",
            "complaint__answered_by__username",
        )
        .annotate(**_VERDICT_COUNTS)
        .order_by("-n", "complaint__answered_by__full_name", "complaint__answered_by_id")
    )


def _verdict_department_read(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        _verdicts_of(start, end, departments)
        .values("complaint__department_id", "complaint__department__name")
        .annotate(**_VERDICT_COUNTS)
        .order_by("-n", "complaint__department__name")
    )


def _verdicts(
    start: dt.date,
    end: dt.date,
    departments: tuple[int, ...] | None,
    *,
    minimum: int = VERDICT_MIN_COUNT,
    handlers: bool = True,
) -> dict:
    by_handler = (
        [
            {
                "handler": r["complaint__answered_by__full_name"]
                or r["complaint__answered_by__username"]
                or "—"
            }
            | _verdict_row(r, minimum)
            for r in statements.grouped(_verdict_handler_read, start, end, departments)
        ]
        if handlers
        else []
    )
    rows = statements.grouped(_verdict_department_read, start, end, departments)
    by_department = [
        {
            "department_id": r["complaint__department_id"],
            "department": r["complaint__department__name"] or "—",
        }
        | _verdict_row(r, minimum)
        for r in rows
    ]
    # Every verdict is in exactly one department's row (no department is a row of its own): the
    # overall counts are the rows' sums, with no query of their own.
    total = _verdict_row({key: sum(r[key] for r in rows) for key in _VERDICT_COUNTS}, 1)
    return {"total": total, "by_handler": by_handler, "by_department": by_department, "minimum": minimum}


def outcome_satisfaction(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """The satisfaction with the outcome recorded when closing: (satisfied + basically satisfied) ÷
    complainants reached (closed complaints with a satisfaction other than "could not be reached")."""
    return _outcome_satisfaction(_counts(start, end, departments, _satisfaction_counts))


def _outcome_satisfaction(row: dict) -> dict:
    satisfied, basically, dissatisfied = row["sa_satisfied"], row["sa_basically"], row["sa_dissatisfied"]
    reached = satisfied + basically + dissatisfied
    return {
        "satisfied": satisfied,
        "basically": basically,
        "dissatisfied": dissatisfied,
        "reached": reached,
        "share": rate(satisfied + basically, reached),
    }


@dataclass
class ComplaintFigures:
    start: dt.date
    end: dt.date
    total: int
    by_channel: list[dict]
    by_category: list[dict]
    by_department: list[dict]
    by_month: list[dict]
    accepted: dict
    on_time: dict
    average_days: dict
    valid: dict
    repeat: dict
    reward_list: list[dict]
    verdicts: dict
    satisfaction: dict
    intake: dict

    def as_dict(self) -> dict:
        return asdict(self)


def figures(
    *, start: dt.date, end: dt.date, departments=None, today: dt.date | None = None, handlers: bool = True
) -> ComplaintFigures:
    """Every figure of the period at once (figures page, reports, the API): the counts of the whole
    period (received, accepted, answered on time, working days, valid, satisfaction, intake) in one
    aggregate query, the same counts each figure's own function gives. ``handlers=False`` leaves out
    the verdicts per handler (``verdicts``)."""
    # The period's complaints built for the one read the ORM makes on every call (the repeat
    # complainants); the other eight through their kept statements.
    period = _period(start, end, departments)
    ids = _ids(departments)
    row = _counts(
        start,
        end,
        ids,
        _intake_counts,
        _accepted_counts,
        _on_time_counts,
        _days_counts,
        _valid_counts,
        _satisfaction_counts,
        today=today,
    )
    return ComplaintFigures(
        start=start,
        end=end,
        total=row["in_received"],
        by_channel=_by_channel(start, end, ids),
        by_category=_by_category(start, end, ids),
        by_department=_by_department(start, end, ids),
        by_month=_by_month(start, end, ids),
        accepted=_accepted_share(row),
        on_time=_on_time_share(row),
        average_days=_average_days(row),
        valid=_valid_share(row),
        repeat=_repeat_complainants(period),
        reward_list=departments_without_complaints(start=start, end=end, departments=ids),
        verdicts=_verdicts(start, end, ids, handlers=handlers),
        satisfaction=_outcome_satisfaction(row),
        intake=_intake(row, _reasons(start, end, ids)),
    )


# --- attachments, letters and verdict links on a complaint's page ---------------------------------


def attachments_for(complaint: Complaint, *, sees_all: bool) -> QuerySet[ComplaintAttachment]:
    """The files a reader of the complaint sees: the handlers all, everyone else the shared ones."""
    qs = complaint.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")
    return qs if sees_all else qs.filter(shared=True)


def letters_of(complaint: Complaint) -> QuerySet[ComplaintLetter]:
    return complaint.letters.select_related("created_by", "template").order_by("created_at", "id")


def verdict_state(complaint: Complaint) -> dict:
    """Whether a verdict is in and the latest link's state, never the answers (they are counted only)."""
    link = VerdictLink.objects.filter(complaint=complaint).order_by("-created_at", "-id").first()
    return {
        "given": Verdict.objects.filter(complaint=complaint).exists(),
        "link": link,
        "link_expired": link is not None and link.expires_at <= timezone.now(),
    }


def verdict_link_for(token_hash: str) -> VerdictLink | None:
    return VerdictLink.objects.select_related("complaint").filter(token_hash=token_hash).first()


# --- dashboard counts and calendar --------------------------------------------------------------


def open_counts(qs: QuerySet[Complaint], *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    return qs.aggregate(
        open=Count("id", filter=~Q(status__in=[ComplaintStatus.CLOSED, ComplaintStatus.NOT_ACCEPTED])),
        awaiting=Count("id", filter=Q(status__in=AWAITING_ANSWER)),
        overdue=Count("id", filter=Q(status__in=AWAITING_ANSWER, answer_due__lt=today)),
        unaccepted=Count("id", filter=Q(status=ComplaintStatus.RECEIVED)),
    )


def calendar_year(year: int) -> dict:
    info = CalendarYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    return {
        "year": year,
        "info": info,
        "holidays": [d for d in days if d.kind == "holiday"],
        "workdays": [d for d in days if d.kind == "workday"],
    }


def complaint_rows(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """One row per complaint received in the period — the rows behind the complaint figures, for the
    report workbook's data sheet: number, date received, channel, department, status, accepted,
    determination, working days to answer, answered on time. Nothing about the complainant."""
    return list(
        _period(start, end, departments)
        .order_by("received_on", "id")
        .values(
            "number",
            "received_on",
            "channel",
            "department__name",
            "status",
            "accepted_at",
            "determination",
            "answer_working_days",
            "answered_on_time",
        )
    )


def case_candidates(*, start: dt.date, end: dt.date, departments=None, limit: int = 30) -> list[dict]:
    """Complaints of the period the office may pick as typical cases (典型事例) for its written
    summary: those found valid first, then the latest. No complainant's name or phone."""
    # Its statement built by the ORM once per period, scope and limit (supervision.infra.statements),
    # the rows read anew every time.
    ids = None if departments is None else tuple(departments)
    rows = statements.rows(_case_rows, start, end, ids, limit)
    return [
        {
            "id": r["id"],
            "date": r["received_on"],
            "department": r["department__name"] or "",
            "text": r["content"],
        }
        for r in rows
    ]


_CASE_FIELDS = ("id", "received_on", "content", "department__name")


def _case_rows(start: dt.date, end: dt.date, departments: tuple[int, ...] | None, limit: int):
    valid = Q(determination__in=(Determination.VALID, Determination.PARTLY_VALID))
    not_valid = Case(When(valid, then=Value(0)), default=Value(1))  # valid ones first
    qs = _period(start, end, departments).order_by(not_valid.asc(), "-received_on", "-id")
    return qs.values(*_CASE_FIELDS)[:limit], _CASE_FIELDS
