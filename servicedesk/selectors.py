"""Read side of the service desk: the scoped querysets the pages use and the figures the dashboard
and the reports read (``figures``; aggregation in SQL, data only — the reports word it)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When

from supervision.access import scope_of
from supervision.infra import statements
from supervision.models import Role

from . import search
from .models import (
    BoxOpening,
    DeskEntry,
    EntryKind,
    KnowledgeEntry,
    KnowledgeFlag,
    KnowledgeKind,
    ServiceCentre,
    Slip,
    SlipKind,
    SuggestionBox,
)

DESK_ROLES = (Role.DESK,)


def centre_condition(user_id) -> Q:
    """The rows of the centres ``user_id`` works at (a subquery on the membership table)."""
    return Q(
        centre_id__in=ServiceCentre.members.through.objects.filter(user_id=user_id).values("servicecentre_id")
    )


def entries_visible_to(user) -> QuerySet[DeskEntry]:
    """The office: every entry. Desk staff: their centres' log. Department heads: entries about
    their departments (referred to or concerned)."""
    return scope_of(user).filter(
        DeskEntry.objects.all(),
        department_field="department",
        owner_field=centre_condition,
        owner_roles=DESK_ROLES,
    )


def centres_of(user) -> QuerySet[ServiceCentre]:
    """The centres ``user`` logs work for."""
    return ServiceCentre.objects.filter(active=True, members=user)


# --- the knowledge base ---------------------------------------------------------------------------

SEARCH_LIMIT = 50


def knowledge_search(query: str = "", *, kind: str = "") -> QuerySet[KnowledgeEntry]:
    """Active entries matching ``query`` (``servicedesk.search``): one query, exact text matches
    first, then by kind and title."""
    qs = KnowledgeEntry.objects.filter(active=True).select_related("department", "owner")
    if kind in KnowledgeKind.values:
        qs = qs.filter(kind=kind)
    found = search.condition(query)
    if found is None:
        return qs.order_by("kind", "title")
    text = " ".join(query.lower().split())
    return (
        qs.filter(found)
        .annotate(
            rank=Case(
                When(title__iexact=query.strip(), then=Value(0)),
                When(Q(search_text__contains=text) | Q(initials__contains=f" {text} "), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "kind", "title")
    )


def knowledge_stale(*, today: dt.date) -> QuerySet[KnowledgeEntry]:
    """Entries past their review date, the longest overdue first."""
    return (
        KnowledgeEntry.objects.filter(active=True, review_due__lt=today)
        .select_related("owner", "department")
        .order_by("review_due", "title")
    )


def _open_flags() -> QuerySet[KnowledgeFlag]:
    return KnowledgeFlag.objects.filter(resolved_at__isnull=True)


def knowledge_flagged() -> QuerySet[KnowledgeEntry]:
    """Entries the desk flagged as wrong and nobody has corrected since."""
    return (
        KnowledgeEntry.objects.filter(pk__in=_open_flags().values("entry_id"))
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        .select_related("owner")
        .order_by("title")
    )


# --- the suggestion boxes -------------------------------------------------------------------------


def boxes_with_last_opening() -> QuerySet[SuggestionBox]:
    return SuggestionBox.objects.filter(active=True).annotate(last_opened=Max("openings__opened_on"))


def next_opening(box: SuggestionBox, today: dt.date) -> dt.date:
    """The box's next weekly opening day from ``today`` on; overdue when more than a week has passed
    since the last opening (the earliest missed opening day)."""
    days_ahead = (box.opening_weekday - today.weekday()) % 7
    upcoming = today + dt.timedelta(days=days_ahead)
    last = getattr(box, "last_opened", None)
    if last is not None and upcoming - last > dt.timedelta(days=7):
        return upcoming - dt.timedelta(days=7)
    return upcoming


def slips_visible_to(user) -> QuerySet[Slip]:
    """Slips of the boxes: the office and desk staff see all, heads those about their departments."""
    scope = scope_of(user)
    qs = Slip.objects.all()
    if scope.all_departments or scope.has_role(Role.DESK):
        return qs
    return scope.filter(qs, department_field="department")


# --- figures (dashboard, reports) -----------------------------------------------------------------


def _period(qs, start: dt.date, end: dt.date, departments, *, date_field: str, department_field: str):
    qs = qs.filter(**{f"{date_field}__gte": start, f"{date_field}__lte": end})
    if departments is not None:
        qs = qs.filter(**{f"{department_field}__in": departments})
    return qs


def figures(*, start: dt.date, end: dt.date, departments: list[int] | None = None, today=None) -> dict:
    """The service centre's figures for a period (dates inclusive), for the whole hospital
    (``departments=None``) or the entries about some departments. Counts only, from SQL; the pages
    and the reports word and round them."""
    entries = _period(
        DeskEntry.objects.all(),
        start,
        end,
        departments,
        date_field="recorded_on",
        department_field="department",
    )
    totals = entries.aggregate(
        total=Count("id"),
        escort_minutes=Sum("escort_minutes", filter=Q(kind=EntryKind.ESCORT)),
        recovery_cost=Sum("recovery_cost", filter=Q(kind=EntryKind.RECOVERY)),
        turned_complaints=Count("id", filter=Q(complaint__isnull=False)),
    )
    by_kind = dict(entries.values_list("kind").annotate(n=Count("id")).order_by())
    by_day = list(entries.values("recorded_on").annotate(count=Count("id")).order_by("recorded_on"))
    by_person = work_rows(entries)
    by_department = list(
        entries.filter(department__isnull=False)
        .values("department_id", "department__name")
        .annotate(
            count=Count("id"),
            coordinations=Count("id", filter=Q(kind=EntryKind.COORDINATION)),
            complaints=Count("id", filter=Q(complaint__isnull=False)),
        )
        .order_by("-count", "department__name")
    )
    by_service = list(
        entries.filter(kind=EntryKind.SERVICE)
        .values("service_kind__name")
        .annotate(count=Count("id"))
        .order_by("-count", "service_kind__name")
    )
    slips = _period(
        Slip.objects.all(),
        start,
        end,
        departments,
        date_field="opening__opened_on",
        department_field="department",
    )
    slip_counts = dict(slips.values_list("kind").annotate(n=Count("id")).order_by())
    openings = BoxOpening.objects.filter(opened_on__gte=start, opened_on__lte=end).count()
    return {
        "total": totals["total"],
        "by_kind": {kind: by_kind.get(kind, 0) for kind in EntryKind.values},
        "escort_minutes": totals["escort_minutes"] or 0,
        "recovery_cost": totals["recovery_cost"] or 0,
        "turned_complaints": totals["turned_complaints"],
        "by_day": [{"day": r["recorded_on"], "count": r["count"]} for r in by_day],
        "by_person": by_person,
        "by_department": [
            {
                "department_id": r["department_id"],
                "department": r["department__name"],
                "count": r["count"],
                "coordinations": r["coordinations"],
                "complaints": r["complaints"],
            }
            for r in by_department
        ],
        "by_service": [{"service": r["service_kind__name"], "count": r["count"]} for r in by_service],
        "slips": {kind: slip_counts.get(kind, 0) for kind in SlipKind.values},
        "openings": openings,
    }


# --- one person's work: the one definition every page and the report read ----------------------

# The counts of one person's work in a period, computed in one place: the desk's month on the log
# page, the "my work" page, the report's table by person and the per-person record all read these.
# "Complaints" are the entries the person handed over to the complaints workflow (a coordination or
# a recovery turned into a complaint).
WORK = {
    "count": Count("id"),
    **{f"kind_{kind}": Count("id", filter=Q(kind=kind)) for kind in EntryKind.values},
    "escort_minutes": Sum("escort_minutes", filter=Q(kind=EntryKind.ESCORT)),
    "recoveries": Count("id", filter=Q(kind=EntryKind.RECOVERY)),
    "recovery_cost": Sum("recovery_cost", filter=Q(kind=EntryKind.RECOVERY)),
    "complaints": Count("id", filter=Q(complaint__isnull=False)),
}


def _work(row: dict) -> dict:
    """A WORK aggregate row as plain data: counts by kind, escorts and their minutes, recoveries
    and their cost, complaints handed over (a missing sum is 0)."""
    by_kind = {kind: row[f"kind_{kind}"] for kind in EntryKind.values}
    return {
        "count": row["count"],
        "by_kind": by_kind,
        "escorts": by_kind[EntryKind.ESCORT],
        "escort_minutes": row["escort_minutes"] or 0,
        "recoveries": row["recoveries"],
        "recovery_cost": row["recovery_cost"] or 0,
        "complaints": row["complaints"],
    }


def work_rows(entries: QuerySet[DeskEntry]) -> list[dict]:
    """``entries`` grouped by the person who recorded them, most entries first: one query."""
    rows = (
        entries.values("recorded_by_id", "recorded_by__full_name", "recorded_by__username")
        .annotate(**WORK)
        .order_by("-count", "recorded_by__username")
    )
    return [
        {
            "user_id": r["recorded_by_id"],
            "name": r["recorded_by__full_name"] or r["recorded_by__username"],
            **_work(r),
        }
        for r in rows
    ]


def person_work(*, user_id: int, start: dt.date, end: dt.date) -> dict:
    """One person's work in the days ``start``–``end`` (both included); zeros when they logged
    nothing. One query, its statement built by the ORM once per person and period
    (``supervision.infra.statements``): the desk's page shows its reader's month on every view, and
    Django took ~2.5 ms to build these dozen filtered counts and sums for PostgreSQL's 0.1 ms."""
    return _work(statements.aggregate(_person_work, user_id, start, end))


def _person_work(user_id: int, start: dt.date, end: dt.date):
    """``person_work``'s statement (``statements.aggregate``: a function of its arguments alone)."""
    entries = DeskEntry.objects.filter(recorded_by_id=user_id, recorded_on__gte=start, recorded_on__lte=end)
    return entries, WORK


def desk_people() -> QuerySet:
    """Everyone whose work the desk pages count: the desk staff (active or not) and anyone who
    logged an entry (an office member who helped at the desk)."""
    from supervision.models import User

    return User.objects.filter(
        Q(groups__name=Role.DESK) | Q(pk__in=DeskEntry.objects.values("recorded_by_id"))
    ).distinct()


def work_readable_by(user) -> QuerySet:
    """Whose desk work ``user`` may read: the office everyone's; a head of a centre
    (``ServiceCentre.leads``) their centres' desk staff and their own; anyone else their own."""
    people = desk_people()
    if scope_of(user).all_departments:
        return people
    led = ServiceCentre.members.through.objects.filter(servicecentre__leads=user).values("user_id")
    return people.filter(Q(pk=user.pk) | Q(pk__in=led))


def leads_a_centre(user) -> bool:
    return ServiceCentre.objects.filter(leads=user, active=True).exists()


def staff_work(*, start: dt.date, end: dt.date, people: QuerySet | None = None) -> list[dict]:
    """Each desk person's work in the period (``people``: the office's ``desk_people()`` unless
    narrowed, e.g. to a centre head's staff), zeros included (a desk person who logged nothing is
    a row too), by name: two queries whatever the number of people."""
    people = desk_people() if people is None else people
    entries = DeskEntry.objects.filter(
        recorded_on__gte=start, recorded_on__lte=end, recorded_by_id__in=people.values("pk")
    )
    counted = {r["user_id"]: r for r in work_rows(entries)}
    zero = _work(
        {
            "count": 0,
            **{f"kind_{k}": 0 for k in EntryKind.values},
            "escort_minutes": None,
            "recoveries": 0,
            "recovery_cost": None,
            "complaints": 0,
        }
    )
    people = people.order_by("full_name", "username").values("pk", "full_name", "username", "is_active")
    rows = []
    for p in people:
        row = counted.get(p["pk"]) or {"user_id": p["pk"], "name": p["full_name"] or p["username"], **zero}
        rows.append({**row, "active": p["is_active"]})
    return rows


def panel_counts(user, *, today: dt.date) -> dict:
    """The dashboard panel: the visible log's today and this month, and what needs attention."""
    month_start = today.replace(day=1)
    entries = entries_visible_to(user).filter(recorded_on__gte=month_start, recorded_on__lte=today)
    counts = entries.aggregate(
        today=Count("id", filter=Q(recorded_on=today)),
        month=Count("id"),
        escort_minutes=Sum("escort_minutes"),
        recoveries=Count("id", filter=Q(kind=EntryKind.RECOVERY)),
        complaints=Count("id", filter=Q(complaint__isnull=False)),
    )
    counts["escort_minutes"] = counts["escort_minutes"] or 0
    counts["stale"] = KnowledgeEntry.objects.filter(active=True, review_due__lt=today).count()
    counts["flagged"] = _open_flags().values("entry_id").distinct().count()
    counts["boxes_due"] = sum(1 for box in boxes_with_last_opening() if next_opening(box, today) < today)
    return counts
