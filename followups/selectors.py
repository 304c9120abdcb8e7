"""Figures of the discharge follow-up, shared by the pages and by the reports app.

Every function takes ``(*, start, end, departments=None)``: inclusive dates and an iterable of
department ids (None = all). Aggregation happens in SQL. Rates are exact percentages
(``supervision.rates.Rate``, rounded only when shown), or None when the denominator is 0. Formulas are documented in docs/followups.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision import rates
from supervision.access import scope, scope_of
from supervision.infra import statements
from supervision.models import Department, DischargeStay

from .models import (
    OPEN_TASK_STATUSES,
    CallAttempt,
    Disposition,
    DissatisfactionDomain,
    FollowupTask,
    GuidanceKind,
    Outcome,
    PlanPoint,
    Satisfaction,
    SpotCheck,
    SpotCheckResult,
    StarWard,
    TaskMode,
    TaskStatus,
    WebLink,
)


def rate(numerator: int, denominator: int) -> float | None:
    return rates.rate(numerator, denominator)


def _departments(qs: QuerySet, departments: Iterable[int] | None, field: str = "department_id") -> QuerySet:
    if departments is None:
        return qs
    return qs.filter(**{f"{field}__in": list(departments)})


def _stays(start: dt.date, end: dt.date, departments) -> QuerySet:
    return _departments(
        DischargeStay.objects.filter(discharged_on__gte=start, discharged_on__lte=end), departments
    )


# A stay has one task per time point of its plan: every count is of stays, so a stay reached at
# day 3 and again at day 30 counts once (the national indicator: a completed contact at any time
# point). The stay's flags say whether it has a task, one attempted, one reached
# (``followups.outcomes`` keeps them with the tasks), so the counts read the stays alone — through
# the index ``stay_followup_outcome`` — instead of joining every stay of the period to its tasks.
# (Counted by ``discharged_on``, never null, rather than ``id``: the index holds the date, not the id,
# so PostgreSQL answers from the index alone.)
_STAY_COUNTS = {
    "discharged": Count("discharged_on"),
    "due": Count("discharged_on", filter=Q(followup_due=True)),
    "attempted": Count("discharged_on", filter=Q(followup_attempted=True)),
    "reached": Count("discharged_on", filter=Q(followup_reached=True)),
}


def _with_rate(row: dict) -> dict:
    row["rate"] = rate(row["reached"], row["discharged"])
    return row


def _counted(discharged: int, due: int, attempted: int, reached: int) -> dict:
    return {"discharged": discharged, "due": due, "attempted": attempted, "reached": reached,
            "rate": rates.rate(reached, discharged)}  # fmt: skip


def followup_summary(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Totals of the period (by discharge date): discharged, due, attempted, reached, rate (回访率)."""
    return _with_rate(dict(_stays(start, end, departments).aggregate(**_STAY_COUNTS)))


def followup_by_month(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    rows = (
        _stays(start, end, departments)
        .values(month=F("discharged_month"))
        .annotate(**_STAY_COUNTS)
        .order_by("month")
    )
    return [_with_rate(dict(r)) for r in rows]


def followup_by_department(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    rows = (
        _stays(start, end, departments)
        .values("department_id", "department__name", "department__code")
        .annotate(**_STAY_COUNTS)
        .order_by("department__sort_order", "department__code")
    )
    return [
        _with_rate(
            {
                "department_id": r["department_id"],
                "department": r["department__name"],
                "code": r["department__code"],
                **{k: r[k] for k in _STAY_COUNTS},
            }
        )
        for r in rows
    ]


def _month_department_cells(start: dt.date, end: dt.date, departments: tuple[int, ...] | None) -> QuerySet:
    return (
        _stays(start, end, departments)
        .values("department_id", month=F("discharged_month"))
        .annotate(**_STAY_COUNTS)
        .order_by()
    )


def _department_names(ids: tuple[int, ...]) -> tuple[QuerySet, tuple[str, ...]]:
    fields = ("id", "name", "code", "sort_order")
    return Department.objects.filter(pk__in=ids).values(*fields), fields


def followup_month_department_cells(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """The counts of ``followup_month_department_table`` per (department, month of discharge), read once:
    ``{"start", "end", "cells": [{department_id, month, discharged, due, attempted, reached}],
    "names": {department id: {name, code, sort_order}}}``, cells in the table's order.

    A table of any whole months inside ``start``–``end`` is built from these cells
    (``followup_month_department_table(…, cells=…)``) without reading the stays again: a report
    asks for its period, the same months last year, its trend and its written summary's ranking,
    and the month × department join of every stay to its tasks is the largest read of a report."""
    # Grouped by (department id, month) only, names attached afterwards from the 60-odd departments:
    # grouping by the name columns too made PostgreSQL sort every stay of the year on disk
    # (0.37 s of a large monthly report) instead of hashing into a few hundred groups.
    # The month is the stay's own column (``discharged_month``, kept by the database, in the index
    # read): grouping by two plain columns, where ``DATE_TRUNC`` of each stay's date (cast to a
    # timestamp with time zone) was half of this read's time, and a date comes back as a date
    # (docs/performance.md → API figures, stop 21).
    # Both statements kept per period and departments (``statements``: the ORM built them in ~2.5 ms
    # of a ~5 ms read, converting every count of 600 cells besides); the rows are read anew each time.
    departments = None if departments is None else tuple(departments)
    cells = statements.grouped(_month_department_cells, start, end, departments)
    ids = tuple(sorted({c["department_id"] for c in cells}))
    names = {d["id"]: d for d in statements.rows(_department_names, ids)}
    cells.sort(
        key=lambda c: (names[c["department_id"]]["sort_order"], names[c["department_id"]]["code"], c["month"])
    )
    return {"start": start, "end": end, "cells": cells, "names": names}


def whole_months_within(cells: dict, start: dt.date, end: dt.date) -> bool:
    """Whether the table of ``start``–``end`` can be built from ``cells``: whole months (a cell holds
    a whole month's stays) inside the months the cells were read for."""
    month_end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start.day == 1 and end == month_end and cells["start"] <= start and end <= cells["end"]


def followup_month_department_table(
    *, start: dt.date, end: dt.date, departments=None, lowest: int = 3, cells: dict | None = None
) -> dict:
    """The month × department table of the follow-up rate, with the lowest departments marked.

    Returns {"months": [date], "rows": [{department, code, cells: [{month, discharged, reached, rate}],
    total: {...}, lowest: bool}], "totals": [{month...}], "total": {...}}.

    ``cells``: counts already read by ``followup_month_department_cells`` for a window holding
    ``start``–``end`` in whole months (``whole_months_within``) and the same departments: the table
    is built from them without a query.
    """
    if cells is None:
        cells = followup_month_department_cells(start=start, end=end, departments=departments)
    elif not whole_months_within(cells, start, end):
        raise ValueError("the cells do not hold this period in whole months")
    first = start.replace(day=1)
    names = cells["names"]
    months: list[dt.date] = []
    cursor = first
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    # One pass over the cells, each count added once to its row's and its month's sums, rather than
    # each sum read back from the cells: a year's table is 600 cells, and its building was a fifth of
    # the API call's Python (docs/performance.md → API figures, stop 20). The same dictionaries, keys
    # in the same order, as before.
    at = {m: i for i, m in enumerate(months)}
    width = len(months)
    rows: dict[int, dict] = {}
    sums = [[0, 0, 0, 0] for _ in months]  # per month: discharged, due, attempted, reached
    for c in cells["cells"]:
        month = c["month"]
        i = at.get(month)  # None: a month of the window outside this period
        if i is None:
            continue
        department = c["department_id"]
        row = rows.get(department)
        if row is None:
            row = rows[department] = {"cells": [None] * width, "sums": [0, 0, 0, 0]}
        discharged, due, attempted, reached = c["discharged"], c["due"], c["attempted"], c["reached"]
        row["cells"][i] = {
            "discharged": discharged,
            "due": due,
            "attempted": attempted,
            "reached": reached,
            "rate": rates.rate(reached, discharged),
            "month": month,
        }
        for part in (row["sums"], sums[i]):
            part[0] += discharged
            part[1] += due
            part[2] += attempted
            part[3] += reached
    out_rows = []
    for department, row in rows.items():
        row_cells = row["cells"]
        for i, cell in enumerate(row_cells):
            if cell is None:
                row_cells[i] = {"discharged": 0, "due": 0, "attempted": 0, "reached": 0, "rate": None,
                                "month": months[i]}  # fmt: skip
        name = names[department]
        out_rows.append(
            {"department_id": department, "department": name["name"], "code": name["code"],
             "cells": row_cells, "total": _counted(*row["sums"]), "lowest": False}
        )  # fmt: skip
    ranked = sorted((r for r in out_rows if r["total"]["rate"] is not None), key=lambda r: r["total"]["rate"])
    for r in ranked[: min(lowest, len(ranked) // 2)]:  # never more than half of them
        r["lowest"] = True
    totals = [_counted(*t) | {"month": m} for t, m in zip(sums, months, strict=True)]
    grand = _counted(*(sum(t[k] for t in sums) for k in range(4)))
    return {"months": months, "rows": out_rows, "totals": totals, "total": grand}


def followup_by_point(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """The rate per time point: tasks of stays discharged in the period, by the day after
    discharge their time point opens (day 3, day 30 …): tasks, attempted, reached, rate = reached ÷
    tasks. A stay counts once per time point here; the follow-up rate counts it once in all.

    A point that could not be followed up is not in its denominator: cancelled (the patient died,
    or a readmission restarted the plan) or found ineligible on the call (deceased, readmitted).
    The figures page and the report's section both read this one function."""
    qs = _departments(
        FollowupTask.objects.filter(stay__discharged_on__gte=start, stay__discharged_on__lte=end), departments
    ).exclude(Q(status=TaskStatus.CANCELLED) | Q(disposition=Disposition.INELIGIBLE))
    rows = (
        qs.values("point_day")
        .annotate(
            tasks=Count("id"),
            attempted=Count("id", filter=Q(attempt_count__gt=0)),
            reached=Count("id", filter=Q(contacted=True)),
        )
        .order_by("point_day")
    )
    return [
        {
            "day": r["point_day"],
            "tasks": r["tasks"],
            "attempted": r["attempted"],
            "reached": r["reached"],
            "rate": rate(r["reached"], r["tasks"]),
        }
        for r in rows
    ]


def _attempts(start: dt.date, end: dt.date, departments) -> QuerySet:
    return _departments(
        CallAttempt.objects.filter(attempted_on__gte=start, attempted_on__lte=end),
        departments,
        "task__department_id",
    )


def call_counts(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """The period's attempts counted once by everything the call figures split them by: outcome,
    contacted, satisfaction, whether a questionnaire was recorded, the not-satisfied domain —
    ``[{outcome, contacted, satisfaction, questionnaire, dissatisfied_domain_id, n}]``, a few dozen rows.

    ``outcome_breakdown``, ``contact_success``, ``call_satisfaction`` and ``dissatisfaction_by_domain``
    take them as ``counts=`` and sum them instead of each reading the period's attempts again (a
    report asked five times; every attempt is in one row, so the sums are their counts)."""
    return list(
        _attempts(start, end, departments)
        .annotate(questionnaire=ExpressionWrapper(Q(survey_response_id__isnull=False), BooleanField()))
        .values("outcome", "contacted", "satisfaction", "questionnaire", "dissatisfied_domain_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def _summed(counts: list[dict], key: str, where=lambda r: True) -> dict:
    out: dict = {}
    for r in counts:
        if where(r):
            out[r[key]] = out.get(r[key], 0) + r["n"]
    return out


def outcome_breakdown(
    *, start: dt.date, end: dt.date, departments=None, counts: list[dict] | None = None
) -> list[dict]:
    """Attempts made in the period by outcome (the outcome mix), with each outcome's share.
    ``counts``: ``call_counts`` of the same period and departments, already read."""
    if counts is not None:
        rows = _summed(counts, "outcome")
    else:
        rows = dict(
            _attempts(start, end, departments)
            .values_list("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        )
    total = sum(rows.values())
    return [
        {
            "outcome": code,
            "label": str(label),
            "count": rows.get(code, 0),
            "share": rate(rows.get(code, 0), total),
        }
        for code, label in Outcome.choices
    ]


def disposition_breakdown(*, start: dt.date, end: dt.date, departments=None) -> dict[str, int]:
    """Final dispositions of the tasks of stays discharged in the period ('' = still open)."""
    qs = _departments(
        FollowupTask.objects.filter(stay__discharged_on__gte=start, stay__discharged_on__lte=end), departments
    )
    return dict(qs.values_list("disposition").annotate(n=Count("id")).values_list("disposition", "n"))


def contact_success(
    *, start: dt.date, end: dt.date, departments=None, counts: list[dict] | None = None
) -> dict:
    """Share of attempts (calls and letters) in the period that reached the patient or family.
    ``counts``: ``call_counts`` of the same period and departments, already read."""
    if counts is not None:
        counts = {
            "attempts": sum(r["n"] for r in counts),
            "contacted": sum(r["n"] for r in counts if r["contacted"]),
        }
    else:
        counts = _attempts(start, end, departments).aggregate(
            attempts=Count("id"), contacted=Count("id", filter=Q(contacted=True))
        )
    counts["rate"] = rate(counts["contacted"], counts["attempts"])
    return counts


def call_satisfaction(
    *,
    start: dt.date,
    end: dt.date,
    departments=None,
    without_questionnaire: bool = False,
    counts: list[dict] | None = None,
) -> dict:
    """Satisfaction asked on calls in the period: satisfied ÷ (satisfied + not satisfied).
    ``without_questionnaire``: only calls that recorded no questionnaire response — on the others the
    satisfaction is the questionnaire's own answer, already in the survey figures (channel phone).
    ``counts``: ``call_counts`` of the same period and departments, already read."""
    if counts is not None:
        by = _summed(counts, "satisfaction", lambda r: not (without_questionnaire and r["questionnaire"]))
        counts = {
            "satisfied": by.get(Satisfaction.SATISFIED, 0),
            "dissatisfied": by.get(Satisfaction.DISSATISFIED, 0),
        }
    else:
        qs = _attempts(start, end, departments)
        if without_questionnaire:
            qs = qs.filter(survey_response_id__isnull=True)
        counts = qs.aggregate(
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            dissatisfied=Count("id", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
        )
    counts["asked"] = counts["satisfied"] + counts["dissatisfied"]
    counts["rate"] = rate(counts["satisfied"], counts["asked"])
    return counts


def praise_counts(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Calls with praise (text or named staff) and the number of staff praises named."""
    qs = _attempts(start, end, departments)
    calls = qs.filter(Q(praise__gt="") | Q(praised_staff__isnull=False)).values("id").distinct().count()
    staff = CallAttempt.praised_staff.through.objects.filter(callattempt__in=qs.values("id")).count()
    return {"calls_with_praise": calls, "staff_praises": staff}


def praise_summary(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """What the follow-up centre writes about praise: staff praised by name (人次, one per staff member
    named on a call), wards praised (次, calls with praise, each praising the ward the patient was
    discharged from) and, of those, calls praising a star ward (星级病房) of the call's year."""
    # Named staff through ``IN`` (the table of praises hashed once), not a join: joining made one row
    # per staff member named, so the calls needed DISTINCT — sorted with the model's ordering over
    # every attempt of the period (0.1–0.4 s of a report at large, for a handful of praises).
    praised = CallAttempt.praised_staff.through.objects.values("callattempt_id")
    qs = _attempts(start, end, departments).filter(Q(praise__gt="") | Q(id__in=praised))
    calls = list(qs.values_list("id", "task__department_id", "attempted_on").order_by())
    stars = set(
        StarWard.objects.filter(year__in={day.year for _i, _d, day in calls}).values_list(
            "department_id", "year"
        )
    )
    staff = CallAttempt.praised_staff.through.objects.filter(
        callattempt__in=_attempts(start, end, departments).values("id")
    ).count()
    return {
        "staff_praises": staff,
        "ward_praises": len(calls),
        "star_ward_praises": sum(1 for _i, dept, day in calls if (dept, day.year) in stars),
    }


def dissatisfaction_by_domain(
    *, start: dt.date, end: dt.date, departments=None, counts: list[dict] | None = None
) -> list[dict]:
    """Not-satisfied calls in the period by what the patient was unhappy with (the domain), in the
    domains' order; calls recorded without a domain (imported, or from before the coding) are a last
    row with ``domain_id`` None. ``share`` = the domain's calls ÷ all not-satisfied calls.
    ``counts``: ``call_counts`` of the same period and departments, already read."""
    if counts is not None:
        rows = _summed(
            counts, "dissatisfied_domain_id", lambda r: r["satisfaction"] == Satisfaction.DISSATISFIED
        )
    else:
        rows = dict(
            _attempts(start, end, departments)
            .filter(satisfaction=Satisfaction.DISSATISFIED)
            .values_list("dissatisfied_domain_id")
            .annotate(n=Count("id"))
            .values_list("dissatisfied_domain_id", "n")
        )
    total = sum(rows.values())
    out = [
        {
            "domain_id": d.pk,
            "domain": d.name,
            "calls": rows.get(d.pk, 0),
            "share": rate(rows.get(d.pk, 0), total),
        }
        for d in DissatisfactionDomain.objects.filter(Q(active=True) | Q(pk__in=[k for k in rows if k]))
    ]
    if rows.get(None):
        out.append({"domain_id": None, "domain": "", "calls": rows[None], "share": rate(rows[None], total)})
    return out


def dissatisfaction_ranking(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Per department, what its not-satisfied patients were unhappy with, most first (the problem
    table of a follow-up centre): the department's not-satisfied calls, its domains and its topics
    each with their number of calls (a call may name several topics). Departments with most
    not-satisfied calls first. Two queries."""
    unhappy = _attempts(start, end, departments).filter(satisfaction=Satisfaction.DISSATISFIED)
    departments_rows: dict[int, dict] = {}
    for dept_id, dept, domain_id, domain, n in (
        unhappy.values_list("task__department_id", "task__department__name", "dissatisfied_domain_id")
        .annotate(domain=F("dissatisfied_domain__name"), n=Count("id"))
        .values_list("task__department_id", "task__department__name", "dissatisfied_domain_id", "domain", "n")
        .order_by()
    ):
        row = departments_rows.setdefault(
            dept_id, {"department_id": dept_id, "department": dept, "calls": 0, "domains": [], "topics": []}
        )
        row["calls"] += n
        if domain_id:
            row["domains"].append({"id": domain_id, "name": domain, "calls": n})
    through = CallAttempt.dissatisfied_topics.through.objects.filter(callattempt__in=unhappy.values("id"))
    for dept_id, topic_id, topic, n in (
        through.values_list("callattempt__task__department_id", "dissatisfactiontopic_id")
        .annotate(topic=F("dissatisfactiontopic__name"), n=Count("id"))
        .values_list("callattempt__task__department_id", "dissatisfactiontopic_id", "topic", "n")
        .order_by()
    ):
        if dept_id in departments_rows:
            departments_rows[dept_id]["topics"].append({"id": topic_id, "name": topic, "calls": n})
    for row in departments_rows.values():
        row["domains"].sort(key=lambda r: (-r["calls"], r["name"]))
        row["topics"].sort(key=lambda r: (-r["calls"], r["name"]))
    return sorted(departments_rows.values(), key=lambda r: (-r["calls"], r["department"]))


def topic_ranking(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Topics of the not-satisfied calls in the period, most first (whole scope)."""
    unhappy = _attempts(start, end, departments).filter(satisfaction=Satisfaction.DISSATISFIED)
    rows = (
        CallAttempt.dissatisfied_topics.through.objects.filter(callattempt__in=unhappy.values("id"))
        .values_list("dissatisfactiontopic_id")
        .annotate(topic=F("dissatisfactiontopic__name"), n=Count("id"))
        .values_list("dissatisfactiontopic_id", "topic", "n")
        .order_by()
    )
    return sorted(
        ({"id": i, "name": t, "calls": n} for i, t, n in rows), key=lambda r: (-r["calls"], r["name"])
    )


def guidance_counts(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Calls in the period that gave each kind of guidance (健康指导, 咨询解答, 指导复查, 解决疑难问题,
    化解意见), every active kind listed (0 when none)."""
    rows = dict(
        CallAttempt.guidance_kinds.through.objects.filter(
            callattempt__in=_attempts(start, end, departments).values("id")
        )
        .values_list("guidancekind_id")
        .annotate(n=Count("id"))
        .values_list("guidancekind_id", "n")
    )
    kinds = GuidanceKind.objects.filter(Q(active=True) | Q(pk__in=list(rows)))
    return [{"kind_id": k.pk, "kind": k.name, "code": k.code, "calls": rows.get(k.pk, 0)} for k in kinds]


def feedback_counts(*, start: dt.date, end: dt.date, departments=None) -> dict[str, int]:
    rows = _attempts(start, end, departments).exclude(feedback_kind="").values_list("feedback_kind")
    return dict(rows.annotate(n=Count("id")).values_list("feedback_kind", "n"))


def _spotchecks(start, end, departments) -> QuerySet:
    return _departments(
        SpotCheck.objects.filter(checked_on__gte=start, checked_on__lte=end).exclude(
            result=SpotCheckResult.PENDING
        ),
        departments,
    )


_SPOT = {
    "confirmed": Count("id", filter=Q(result=SpotCheckResult.CONFIRMED)),
    "denied": Count("id", filter=Q(result=SpotCheckResult.DENIED)),
    "unreachable": Count("id", filter=Q(result=SpotCheckResult.UNREACHABLE)),
}


def _spot_rate(row: dict) -> dict:
    row["checked"] = row["confirmed"] + row["denied"]
    row["rate"] = rate(row["confirmed"], row["checked"])
    return row


def spotcheck_confirmation(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """回访核查: confirmed ÷ (confirmed + denied), overall, per caller and per department (re-calls in the period)."""
    qs = _spotchecks(start, end, departments)
    total = _spot_rate(dict(qs.aggregate(**_SPOT)))
    by_caller = [
        _spot_rate({"caller_id": r["caller_id"],
                    "caller": r["caller__full_name"] or r["caller__username"] or r["attempt__caller_name"] or "—",
                    **{k: r[k] for k in _SPOT}})
        for r in qs.values("caller_id", "caller__full_name", "caller__username", "attempt__caller_name")
        .annotate(**_SPOT).order_by("caller_id", "attempt__caller_name")
    ]  # fmt: skip
    by_department = [
        _spot_rate(
            {
                "department_id": r["department_id"],
                "department": r["department__name"],
                **{k: r[k] for k in _SPOT},
            }
        )
        for r in qs.values("department_id", "department__name").annotate(**_SPOT).order_by("department__name")
    ]
    return {"total": total, "by_caller": by_caller, "by_department": by_department}


def attempts_per_stay(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Average attempts per attempted stay (stays discharged in the period with at least one attempt)."""
    qs = _departments(
        FollowupTask.objects.filter(
            stay__discharged_on__gte=start, stay__discharged_on__lte=end, attempt_count__gt=0
        ),
        departments,
    )
    agg = qs.aggregate(stays=Count("id"), average=Avg("attempt_count"))
    agg["average"] = round(agg["average"], 2) if agg["average"] is not None else None
    return agg


def caller_names() -> dict[str, int | None]:
    """A caller's name as written in imported records → the Ducha user it means (issue 19 item 5):
    the mapping kept in the admin (``CallerAlias``) first, then the user of that name (full name, or
    log-in name) in the follow-up role. A name two such users share maps to None: it needs a mapping."""
    from supervision.models import Role, User

    from .models import CallerAlias

    found: dict[str, int | None] = {}
    users = User.objects.filter(groups__name=Role.FOLLOWUP).values_list("id", "full_name", "username")
    for uid, full_name, username in users.distinct():
        for name in {normal_name(full_name), normal_name(username)} - {""}:
            found[name] = uid if found.get(name, uid) == uid else None
    for name, uid in CallerAlias.objects.values_list("name", "user_id"):
        found[normal_name(name)] = uid
    return found


def normal_name(name: str) -> str:
    """A person's name as compared: without spaces (林 回访 and 林回访 are one person)."""
    return "".join((name or "").split())


def _caller_days(start: dt.date, end: dt.date, departments) -> list[dict]:
    """Calls and reached per caller and day, one caller per person: an imported name is the Ducha user
    it means (``caller_names``), so that calls imported under a name and made in Ducha are one row."""
    from supervision.models import User

    rows = list(
        _attempts(start, end, departments)
        .values("caller_id", "caller_name", "attempted_on")
        .annotate(calls=Count("id"), reached=Count("id", filter=Q(contacted=True)))
        .order_by()
    )
    names = caller_names() if any(r["caller_id"] is None for r in rows) else {}
    for r in rows:
        if r["caller_id"] is None:
            r["caller_id"] = names.get(normal_name(r["caller_name"]))
    ids = {r["caller_id"] for r in rows} - {None}
    shown = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids).only("full_name", "username")}
    for r in rows:
        uid = r["caller_id"]
        r["key"] = ("user", uid) if uid else ("name", normal_name(r["caller_name"]))
        r["caller"] = shown.get(uid) or r["caller_name"] or "—"
    return rows


def calls_per_caller(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Per caller (Ducha user, or an imported caller name no user answers to): attempts, reached, days
    with calls, attempts per day worked. One row per person (``_caller_days``)."""
    people: dict[tuple, dict] = {}
    for r in _caller_days(start, end, departments):
        row = people.setdefault(
            r["key"],
            {"caller_id": r["caller_id"], "caller": r["caller"], "calls": 0, "reached": 0, "days": set()},
        )
        row["calls"] += r["calls"]
        row["reached"] += r["reached"]
        row["days"].add(r["attempted_on"])
    out = []
    for row in people.values():
        row["days"] = len(row["days"])
        row["per_day"] = round(row["calls"] / row["days"], 1) if row["days"] else None
        out.append(row)
    return sorted(out, key=lambda r: (-r["calls"], r["caller"]))


def calls_per_caller_per_day(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    days: dict[tuple, dict] = {}
    for r in _caller_days(start, end, departments):
        row = days.setdefault(
            (r["attempted_on"], r["key"]), {"day": r["attempted_on"], "caller": r["caller"], "calls": 0}
        )
        row["calls"] += r["calls"]
    return sorted(days.values(), key=lambda r: (r["day"], r["caller"]))


# --- lists ------------------------------------------------------------------------------------


def tasks_visible_to(user) -> QuerySet[FollowupTask]:
    """Supervisors/administrators: all; department heads: their departments; callers: their own tasks."""
    return scope(FollowupTask.objects.all(), user, owner_field="assigned_to")


def my_tasks_today(user, *, today: dt.date | None = None, now=None) -> QuerySet[FollowupTask]:
    """The caller's list: call-backs due first (by time), then to-do tasks by due date. One query."""
    today = today or timezone.localdate()
    return _my_tasks(user.pk, "", today, _end_of_day(today)).select_related(
        "stay", "department", "claimed_by"
    )


def _my_tasks(user_id: int, show: str, today: dt.date, end_of_day: dt.datetime) -> QuerySet[FollowupTask]:
    """``my_tasks_shown`` as a function of plain values (the statements of the list's count and rows)."""
    if show == "closing":
        tasks = FollowupTask.objects.filter(
            assigned_to_id=user_id, status__in=OPEN_TASK_STATUSES, expires_on=today
        )
    else:
        tasks = FollowupTask.objects.filter(
            assigned_to_id=user_id, status__in=OPEN_TASK_STATUSES, due_on__lte=today
        ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=end_of_day))
        if show == "callbacks":
            tasks = tasks.filter(status=TaskStatus.CALLBACK)
    return tasks.order_by("status", "next_attempt_at", "due_on", "id")


# The three aggregates below are live counts each dashboard view sends: their statements are built by
# the ORM once per user and day, then sent as they are (``supervision.infra.statements``: building
# them took Django 2–3 ms of CPU each, PostgreSQL well under 1 ms to answer). Each is a function of
# its arguments only: the caller's id, the day and the day's end in the active time zone.


def _end_of_day(today: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))


def caller_queue_counts(user, *, today: dt.date) -> dict:
    """A caller's "needs me now" in one query: call-backs due today or earlier (and the earliest's
    time), today's list (``my_tasks_today``) and the open tasks whose window closes today."""
    return statements.aggregate(_caller_queue_counts, user.pk, today, _end_of_day(today))


def _caller_queue_counts(user_id: int, today: dt.date, end_of_day: dt.datetime):
    callback_due = Q(status=TaskStatus.CALLBACK, next_attempt_at__lt=end_of_day)
    today_list = Q(due_on__lte=today) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=end_of_day))
    tasks = FollowupTask.objects.filter(assigned_to_id=user_id, status__in=OPEN_TASK_STATUSES).order_by()
    return tasks, {
        "callbacks_due": Count("pk", filter=callback_due),
        "next_callback": Min("next_attempt_at", filter=callback_due),
        "calls_today": Count("pk", filter=today_list),
        "windows_closing_today": Count("pk", filter=Q(expires_on=today)),
    }


def caller_counts(user, *, today: dt.date) -> dict:
    """A caller's dashboard in one query: ``caller_queue_counts``' four numbers ("needs me now") and
    the calls panel's ``pool`` (``calls_panel_counts``, whose ``due`` is ``calls_today``): the calls
    panel reads it for a caller and hands the four to the queues (``followups.dashboard``)."""
    return statements.aggregate(_caller_counts, user.pk, today, _end_of_day(today))


def _caller_counts(user_id: int, today: dt.date, end_of_day: dt.datetime):
    mine = Q(assigned_to_id=user_id, status__in=OPEN_TASK_STATUSES)
    pool = Q(assigned_to__isnull=True, status=TaskStatus.PENDING, due_on__lte=today)
    # Each row is the caller's or the pool's: a pool task is pending, so never a call-back, and the
    # caller's own rows are the assigned ones.
    callback_due = Q(status=TaskStatus.CALLBACK, next_attempt_at__lt=end_of_day)
    today_list = Q(assigned_to__isnull=False, due_on__lte=today) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=end_of_day)
    )
    return FollowupTask.objects.filter(mine | pool).order_by(), {
        "callbacks_due": Count("pk", filter=callback_due),
        "next_callback": Min("next_attempt_at", filter=callback_due),
        "calls_today": Count("pk", filter=today_list),
        "windows_closing_today": Count("pk", filter=Q(assigned_to__isnull=False, expires_on=today)),
        "pool": Count("pk", filter=Q(assigned_to__isnull=True)),
    }


def calls_panel_counts(user, *, today: dt.date) -> dict:
    """The dashboard's calls panel in one query: ``due``, the length of ``user``'s list today
    (``my_tasks_today``), and ``pool``, the tasks due by today that nobody holds (``pool_tasks``)."""
    return statements.aggregate(_calls_panel_counts, user.pk, today, _end_of_day(today))


def _calls_panel_counts(user_id: int, today: dt.date, end_of_day: dt.datetime):
    mine = Q(assigned_to_id=user_id, status__in=OPEN_TASK_STATUSES) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=end_of_day)
    )
    pool = Q(assigned_to__isnull=True, status=TaskStatus.PENDING)
    tasks = FollowupTask.objects.filter(mine | pool, due_on__lte=today).order_by()
    return tasks, {"due": Count("pk", filter=mine), "pool": Count("pk", filter=pool)}


def my_tasks_shown(user, show: str, *, today: dt.date) -> QuerySet[FollowupTask]:
    """The caller's list narrowed to one "needs me now" queue: ``callbacks`` (call-backs due) or
    ``closing`` (their window closes today); anything else is the whole of today's list."""
    return _my_tasks(user.pk, show, today, _end_of_day(today)).select_related(
        "stay", "department", "claimed_by"
    )


# "My calls today" reads its count, its page's rows and the pool's rows through statements the ORM
# builds once per caller, queue, day and page (``supervision.infra.statements``): building the three
# queries was a third of the page's own Python calls; the rows and the numbers are read anew every time.


def my_tasks_count(user, show: str, *, today: dt.date) -> int:
    """``my_tasks_shown(user, show, today=today).count()``."""
    return statements.count(_my_tasks, user.pk, show, today, _end_of_day(today))


def my_task_rows(user, show: str, *, today: dt.date, fields: tuple[str, ...], start: int, stop: int):
    """``my_tasks_shown(…)[start:stop].values(*fields)`` as a list (one page's rows)."""
    return statements.rows(_my_task_rows, user.pk, show, today, _end_of_day(today), fields, start, stop)


def _my_task_rows(user_id, show, today, end_of_day, fields, start, stop):
    return _my_tasks(user_id, show, today, end_of_day)[start:stop].values(*fields), fields


def pool_rows(*, today: dt.date, fields: tuple[str, ...], size: int) -> list[dict]:
    """``pool_tasks(today=today).values(*fields)[:size]`` as a list."""
    return statements.rows(_pool_rows, today, fields, size)


def _pool_rows(today: dt.date, fields: tuple[str, ...], size: int):
    return pool_tasks(today=today).values(*fields)[:size], fields


def pool_tasks(*, today: dt.date | None = None) -> QuerySet[FollowupTask]:
    today = today or timezone.localdate()
    return (
        FollowupTask.objects.filter(assigned_to__isnull=True, status=TaskStatus.PENDING, due_on__lte=today)
        .select_related("stay", "department", "claimed_by")
        .order_by("due_on", "id")
    )


def department_choices_for(user) -> QuerySet[Department]:
    return scope_of(user).department_choices(Department.objects.filter(active=True))


def stay_rows(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """One row per stay discharged in the period — the rows behind the follow-up rate, for the
    report workbook's data sheet: discharge date, department, calls made, reached, the final
    disposition. Nothing that names the patient (no name, phone or admission number).

    A stay with several time points is still one row: its calls summed, reached at any point, and
    the disposition of its reached task (else of its first point)."""
    first = FollowupTask.objects.filter(stay=OuterRef("pk")).order_by("-contacted", "point")
    return list(
        _stays(start, end, departments)
        .order_by("discharged_on", "id")
        .annotate(
            attempts=Sum("followup_tasks__attempt_count"),
            reached_tasks=Count("followup_tasks", filter=Q(followup_tasks__contacted=True)),
            disposition=Subquery(first.values("disposition")[:1]),
        )
        .values("discharged_on", "department__name", "attempts", "reached_tasks", "disposition")
    )


def patient_do_not_contact(stay: DischargeStay) -> bool:
    """Whether the patient of ``stay`` must never be contacted: any of their name + phone keys is
    flagged opted out or deceased (``PatientFlag``). The channel contract's ``do_not_contact``."""
    from . import parsing
    from .models import PatientFlag

    keys = parsing.stay_patient_keys(stay)
    return (
        bool(keys)
        and PatientFlag.objects.filter(Q(opted_out=True) | Q(deceased=True), patient_key__in=keys).exists()
    )


# --- the call screen's time points ------------------------------------------------------------------


def point_label(*, day: int, mode: str) -> str:
    """A time point as the centre names it: 出院第 30 天回访, 出院第 90 天网上问卷 …"""
    if day <= 0:  # imported before plans: the stay's one follow-up, its day unknown
        return _("Discharge follow-up")
    if mode == TaskMode.LETTER:
        return _("Day %(day)s letter follow-up") % {"day": day}
    if mode == TaskMode.WEB:
        return _("Day %(day)s web form follow-up") % {"day": day}
    return _("Day %(day)s follow-up call") % {"day": day}


def _contacts(task: FollowupTask) -> list[dict]:
    """What happened at one time point, in time order: letters sent, web links issued (valid until),
    calls, letters returned and web forms completed with their outcome."""
    tz = timezone.get_current_timezone()
    events = []
    if task.letter_sent_on:
        events.append(
            {
                "at": dt.datetime.combine(task.letter_sent_on, dt.time.min, tz),
                "date_only": True,
                "what": _("Letter sent")
                if task.mode == TaskMode.LETTER
                else _("Letter with the web link sent"),
                "until": None,
            }
        )
    for link in task.web_links.all():
        events.append(
            {
                "at": link.created_at,
                "date_only": True,
                "what": _("Web link issued"),
                # expires_at is the midnight after the link's last day
                "until": timezone.localtime(link.expires_at - dt.timedelta(microseconds=1)).date(),
            }
        )
    for attempt in task.attempts.all():
        events.append(
            {
                "at": attempt.attempted_at,
                "date_only": False,
                "what": attempt.get_outcome_display(),
                "mode": attempt.get_mode_display(),
                "satisfaction": attempt.get_satisfaction_display() if attempt.satisfaction else "",
                "contacted": attempt.contacted,
                "until": None,
            }
        )
    events.sort(key=lambda e: e["at"])
    return events


def stay_time_points(task: FollowupTask) -> dict:
    """The time points of the task's stay for the call screen: which one this task is (n of total,
    its label and window) and every point in order — those built so far with their contacts (calls,
    letters, web forms: dates and outcomes), the later ones still to come with their window. Four
    queries however many points and contacts."""
    from . import plans

    stay = task.stay
    tasks = list(
        FollowupTask.objects.filter(stay_id=task.stay_id)
        .order_by("point", "id")
        .prefetch_related(
            Prefetch("attempts", CallAttempt.objects.order_by("attempted_at", "id")),
            Prefetch("web_links", WebLink.objects.filter(revoked_at__isnull=True).order_by("created_at")),
        )
    )
    by_point = {t.point: t for t in tasks}
    planned = {}
    if task.plan_point_id:
        plan_point = PlanPoint.objects.select_related("plan").filter(pk=task.plan_point_id).first()
        if plan_point is not None:
            points = list(PlanPoint.objects.filter(plan_id=plan_point.plan_id).order_by("day", "id"))
            planned = {o.point: o for o in plans.occurrences(plan_point.plan, stay.discharged_on, points)}
    rows = []
    for n in sorted(set(by_point) | set(planned)):
        t, o = by_point.get(n), planned.get(n)
        day = t.point_day if t else o.day
        mode = t.mode if t else o.mode
        rows.append(
            {
                "point": n,
                "label": point_label(day=day, mode=mode),
                "start": t.due_on if t else o.start,
                "end": t.expires_on if t else o.end,
                "task": t,
                "status": t.get_status_display() if t else _("Still to come"),
                "current": t is not None and t.pk == task.pk,
                "contacts": _contacts(t) if t is not None and t.pk != task.pk else [],
            }
        )
    total = len(rows)
    for r in rows:
        r["title"] = _point_title(r["label"], r["point"], total)
    current = next((r for r in rows if r["current"]), None)
    label = current["label"] if current else point_label(day=task.point_day, mode=task.mode)
    return {
        "title": _point_title(label, task.point, total),
        "number": task.point,
        "total": total,
        "others": [r for r in rows if not r["current"]],
    }


def _point_title(label: str, n: int, total: int) -> str:
    if total <= 1:  # a stay with one follow-up: no "(1/1)"
        return label
    return _("%(label)s (%(n)s/%(total)s)") % {"label": label, "n": n, "total": total}
