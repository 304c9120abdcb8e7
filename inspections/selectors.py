"""Read-side figures of inspections and chart audits, shared by pages and the reports app.

Every figure is a function of ``(*, start: date, end: date, departments=None)`` (inclusive
local dates; ``departments`` an iterable of Department ids or None for all) returning plain
dicts. Rates are percentages rounded to one decimal, or None when the denominator is 0.
Aggregation happens in SQL; the only values read into Python are the waiting-minute numbers of
the period (for the 90th percentile), a bounded values_list of one decimal column.
Formulas: docs/inspections.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from supervision.access import scope, scope_of
from supervision.models import (
    RECTIFIED_ORDER_STATUSES,
    Department,
    DepartmentKind,
    Finding,
    FindingSource,
    Role,
)
from supervision.rates import rate

from .models import (
    Answer,
    AnswerResult,
    Appeal,
    AuditStatus,
    ChartAudit,
    Grade,
    HandRubUse,
    InspectionRound,
    InspectionSettings,
    ItemKind,
    PlanEntry,
    RoundStatus,
    RoundType,
    ScheduledRound,
    wait_targets,
)

HIGHLIGHT_KINDS = (DepartmentKind.WINDOW, DepartmentKind.SUPPORT)


def pct(numerator, denominator) -> float | None:
    return rate(numerator, denominator)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local-midnight bounds [start, end + 1 day) as aware datetimes (index-friendly)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _in(qs: QuerySet, field: str, departments: Iterable[int] | None) -> QuerySet:
    if departments is None:
        return qs
    return qs.filter(**{f"{field}__in": list(departments)})


# --- visible rows for pages ------------------------------------------------------------------


def rounds_visible_to(user, qs: QuerySet[InspectionRound] | None = None) -> QuerySet[InspectionRound]:
    """Department heads see their departments' rounds once submitted: a round in progress
    (an unannounced one above all) is not shown to the department being inspected."""
    qs = scope(InspectionRound.objects.all() if qs is None else qs, user)
    return qs if user.sees_all_departments else qs.filter(status=RoundStatus.SUBMITTED)


def audits_visible_to(user, qs: QuerySet[ChartAudit] | None = None) -> QuerySet[ChartAudit]:
    """Department heads see their departments' charts once audited: showing the sample before
    the audit would tell the department which charts to tidy up first."""
    qs = scope(ChartAudit.objects.all() if qs is None else qs, user)
    return qs if user.sees_all_departments else qs.filter(status=AuditStatus.COMPLETED)


def round_list(user) -> QuerySet[InspectionRound]:
    return (
        rounds_visible_to(user)
        .select_related("department", "template", "created_by")
        .order_by("-started_at", "-id")
    )


def audit_list(user) -> QuerySet[ChartAudit]:
    return (
        audits_visible_to(user)
        .select_related("department", "stay", "sample", "finding", "finding__order", "doctor")
        .annotate(
            pending_appeals=Exists(Appeal.objects.filter(deduction__audit=OuterRef("pk"), status="pending"))
        )
        # Most recently drawn sample first; walks the (sample desc, department) index, no sort.
        .order_by("-sample_id", "department_id", "id")
    )


def pending_appeals(user) -> QuerySet[Appeal]:
    return (
        scope(Appeal.objects.filter(status="pending"), user)
        .select_related("deduction__criterion", "deduction__audit__stay", "department", "raised_by")
        .order_by("raised_at", "id")
    )


# A decided appeal stays in its head's "needs me now" for this many days (the decision to read).
APPEALS_ANSWERED_DAYS = 7


def answered_appeals(user, *, today: dt.date | None = None) -> QuerySet[Appeal]:
    """The appeals of ``user``'s departments (a head's) decided in the last ``APPEALS_ANSWERED_DAYS``
    days, newest decision first. Nobody else has any: the office decides them. ``user`` may be a Scope."""
    user_scope = scope_of(user)
    if user_scope.all_departments or not user_scope.has_role(Role.DEPT_HEAD):
        return Appeal.objects.none()
    today = today or timezone.localdate()
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=APPEALS_ANSWERED_DAYS - 1), dt.time.min)
    )
    return (
        scope(Appeal.objects.exclude(status="pending").filter(decided_at__gte=since), user)
        .select_related("deduction__criterion", "deduction__audit__stay", "department", "raised_by")
        .order_by("-decided_at", "-id")
    )


# --- rounds ----------------------------------------------------------------------------------


def _submitted_rounds(start, end, departments) -> QuerySet[InspectionRound]:
    lo, hi = _bounds(start, end)
    qs = InspectionRound.objects.filter(status=RoundStatus.SUBMITTED, started_at__gte=lo, started_at__lt=hi)
    return _in(qs, "department_id", departments)


def rounds_by_department_and_type(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Submitted rounds per department: total, per type, mean score (one query)."""
    rows = (
        _submitted_rounds(start, end, departments)
        .values("department_id", "department__name", "department__kind")
        .annotate(
            total=Count("id"),
            **{t: Count("id", filter=Q(round_type=t)) for t in RoundType.values},
            avg_score=Avg("score"),
            failed_items=Sum("failed"),
        )
        .order_by("department__name")
    )
    return [
        {
            "department_id": r["department_id"],
            "department": r["department__name"],
            "kind": r["department__kind"],
            "total": r["total"],
            "by_type": {t: r[t] for t in RoundType.values},
            "avg_score": round(float(r["avg_score"]), 1) if r["avg_score"] is not None else None,
            "failed_items": r["failed_items"] or 0,
        }
        for r in rows
    ]


def rounds_by_type(*, start: dt.date, end: dt.date, departments=None) -> dict[str, int]:
    agg = _submitted_rounds(start, end, departments).aggregate(
        **{t: Count("id", filter=Q(round_type=t)) for t in RoundType.values}
    )
    return {t: agg[t] for t in RoundType.values}


def coverage(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Every active department with rounds planned (plan months within the period) and done.

    ``covered``: at least one submitted round; ``behind``: fewer rounds than planned;
    ``highlight``: window and support units, which the seeds say get too little attention.
    ``scheduled`` / ``scheduled_done`` / ``missed``: the named rounds of the schedule in the period.
    Four queries whatever the number of departments.
    """
    depts = _in(Department.objects.filter(active=True), "id", departments).order_by("sort_order", "code")
    done = {
        r["department_id"]: r
        for r in _submitted_rounds(start, end, departments)
        .values("department_id")
        .annotate(n=Count("id"), last=Max("started_at"))
    }
    planned = {
        r["department_id"]: r["n"]
        for r in _in(
            PlanEntry.objects.filter(month__gte=start.replace(day=1), month__lte=end),
            "department_id",
            departments,
        )
        .values("department_id")
        .annotate(n=Sum("rounds_planned"))
    }
    scheduled = schedule_counts(start=start, end=end, departments=departments)
    out = []
    for d in depts:
        n = done.get(d.pk, {}).get("n", 0)
        p = planned.get(d.pk, 0)
        on_schedule = scheduled.get(d.pk, {})
        out.append(
            {
                "department_id": d.pk,
                "department": d.name,
                "kind": d.kind,
                "planned": p,
                "done": n,
                "last_round": done.get(d.pk, {}).get("last"),
                "covered": n > 0,
                "behind": n < p,
                "scheduled": on_schedule.get("scheduled", 0),
                "scheduled_done": on_schedule.get("done", 0),
                "missed": on_schedule.get("missed", 0),
                "highlight": d.kind in HIGHLIGHT_KINDS,
            }
        )
    return out


def schedule(*, start: dt.date, end: dt.date, departments=None) -> list:
    """The scheduled rounds from start to end with their department, inspector and round (two
    queries whatever the count); each row's ``status(today)`` is done / missed / due."""
    qs = ScheduledRound.objects.filter(date__gte=start, date__lte=end).select_related(
        "department", "inspector", "round"
    )
    return list(_in(qs, "department_id", departments))


def schedule_counts(*, start: dt.date, end: dt.date, departments=None) -> dict[int, dict]:
    """Per department: rounds scheduled, done (a round linked) and missed (date passed, none linked)."""
    today = timezone.localdate()
    qs = _in(ScheduledRound.objects.filter(date__gte=start, date__lte=end), "department_id", departments)
    return {
        r["department_id"]: r
        for r in qs.values("department_id").annotate(
            scheduled=Count("id"),
            done=Count("id", filter=Q(round__isnull=False)),
            missed=Count("id", filter=Q(round__isnull=True, date__lt=today)),
        )
    }


def coverage_summary(rows: list[dict]) -> dict:
    total = len(rows)
    covered = sum(1 for r in rows if r["covered"])
    by_kind = {}
    for kind in DepartmentKind.values:
        mine = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {
            "departments": len(mine),
            "covered": sum(1 for r in mine if r["covered"]),
            "rate": pct(sum(1 for r in mine if r["covered"]), len(mine)),
        }
    return {
        "departments": total,
        "covered": covered,
        "not_covered": total - covered,
        "coverage_rate": pct(covered, total),
        "planned": sum(r["planned"] for r in rows),
        "done": sum(r["done"] for r in rows),
        "by_kind": by_kind,
    }


def findings_by_category(
    *, start: dt.date, end: dt.date, departments=None, source: str = FindingSource.INSPECTION
) -> list[dict]:
    """Findings of the channel (inspection by default) found in the period, per category."""
    lo, hi = _bounds(start, end)
    qs = _in(
        Finding.objects.filter(source=source, found_at__gte=lo, found_at__lt=hi), "department_id", departments
    )
    return [
        {"category": r["category__name"], "category_code": r["category__code"], "n": r["n"]}
        for r in qs.values("category__name", "category__code", "category__sort_order")
        .annotate(n=Count("id"))
        .order_by("category__sort_order", "category__code")
    ]


# --- measured items --------------------------------------------------------------------------


def _measured_answers(start, end, departments, kind):
    lo, hi = _bounds(start, end)
    qs = Answer.objects.filter(
        item__kind=kind,
        round__status=RoundStatus.SUBMITTED,
        round__started_at__gte=lo,
        round__started_at__lt=hi,
    ).exclude(result=AnswerResult.NA)
    return _in(qs, "round__department_id", departments)


def percentile(values: list, q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _wait_figures(values: list[Decimal], target: int, own_target: int) -> dict:
    n = len(values)
    return {
        "n": n,
        "avg": round(float(sum(values)) / n, 1) if n else None,
        "p90": percentile(values, 90),
        "max": float(max(values)) if n else None,
        "within_target": sum(1 for v in values if v <= target),
        "within_target_pct": pct(sum(1 for v in values if v <= target), n),
        "within_own_target_pct": pct(sum(1 for v in values if v <= own_target), n),
    }


def window_waiting(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Window queue waiting minutes: mean, 90th percentile (nearest rank), max, share within targets.

    Reads one values_list of (department, minutes) for the period's measured answers only.
    """
    config = InspectionSettings.get()
    target, own = config.wait_target_minutes, config.wait_target_own_minutes
    rows = list(
        _measured_answers(start, end, departments, ItemKind.WAIT_TIME)
        .filter(wait_minutes__isnull=False)
        .values_list("round__department_id", "round__department__name", "wait_minutes")
    )
    # Each window is held to its own target where it has one (WindowTarget), else the standard one;
    # the overall "within target" share counts each measurement against its own window's target.
    targets = wait_targets({r[0] for r in rows})
    by_department: dict[int, dict] = {}
    for department_id, name, minutes in rows:
        by_department.setdefault(
            department_id,
            {
                "department_id": department_id,
                "department": name,
                "target": targets.get(department_id, target),
                "values": [],
            },
        )["values"].append(minutes)
    departments_out = []
    for entry in sorted(by_department.values(), key=lambda e: e["department"]):
        figures = _wait_figures(entry.pop("values"), entry["target"], own)
        departments_out.append({**entry, **figures, "over_target": (figures["p90"] or 0) > entry["target"]})
    overall = _wait_figures([r[2] for r in rows], target, own)
    within = sum(d["within_target"] for d in departments_out)
    overall.update(within_target=within, within_target_pct=pct(within, overall["n"]))
    return {
        "target": target,
        "own_target": own,
        "own_targets": bool(targets),
        **overall,
        "by_department": departments_out,
    }


def ml_per_patient_day(litres, patient_days) -> Decimal | None:
    """Hand-rub consumption: litres × 1000 ÷ patient days, exact (Decimal); None without patient days."""
    if not patient_days:
        return None
    return Decimal(litres) * 1000 / Decimal(patient_days)


def hand_rub_use(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Hand-rub consumption of the months that start within [start's month, end]: Σ litres × 1000 ÷
    Σ patient days, overall and per ward (a ratio of sums, not a mean of the wards' ratios)."""
    qs = _in(
        HandRubUse.objects.filter(month__gte=start.replace(day=1), month__lte=end),
        "department_id",
        departments,
    )
    agg = qs.aggregate(litres=Sum("litres"), days=Sum("patient_days"))
    rows = (
        qs.values("department_id", "department__name", "department__sort_order")
        .annotate(litres=Sum("litres"), days=Sum("patient_days"), months=Count("id"))
        .order_by("department__sort_order", "department__name")
    )
    return {
        "litres": agg["litres"] or Decimal(0),
        "patient_days": agg["days"] or 0,
        "ml_per_patient_day": ml_per_patient_day(agg["litres"] or 0, agg["days"]),
        "by_department": [
            {
                "department_id": r["department_id"],
                "department": r["department__name"],
                "months": r["months"],
                "litres": r["litres"],
                "patient_days": r["days"],
                "ml_per_patient_day": ml_per_patient_day(r["litres"], r["days"]),
            }
            for r in rows
        ],
    }


def hand_rub_trend(*, end: dt.date, departments=None, months: int = 12) -> list[dict]:
    """The last ``months`` months up to ``end``'s: consumption per month (None for a month without
    entries, so a chart shows a gap rather than a fall to 0)."""
    last = end.replace(day=1)
    firsts = [last - relativedelta(months=n) for n in range(months - 1, -1, -1)]
    qs = _in(HandRubUse.objects.filter(month__gte=firsts[0], month__lte=last), "department_id", departments)
    sums = {
        r["month"]: r
        for r in qs.values("month").annotate(litres=Sum("litres"), days=Sum("patient_days")).order_by("month")
    }
    return [
        {
            "month": first,
            "ml_per_patient_day": ml_per_patient_day(sums[first]["litres"], sums[first]["days"])
            if first in sums
            else None,
        }
        for first in firsts
    ]


def hand_hygiene(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Compliance = Σ hand washes ÷ Σ opportunities observed × 100 (SQL sums)."""
    # Only complete observations: a blank wash count is not "0 washes".
    qs = _measured_answers(start, end, departments, ItemKind.HAND_HYGIENE).filter(
        hh_opportunities__gt=0, hh_washes__isnull=False
    )
    agg = qs.aggregate(o=Sum("hh_opportunities"), w=Sum("hh_washes"), n=Count("id"))
    rows = (
        qs.values("round__department_id", "round__department__name")
        .annotate(o=Sum("hh_opportunities"), w=Sum("hh_washes"), n=Count("id"))
        .order_by("round__department__name")
    )
    return {
        "target_pct": InspectionSettings.get().hand_hygiene_target_pct,
        "observations": agg["n"],
        "opportunities": agg["o"] or 0,
        "washes": agg["w"] or 0,
        "compliance_pct": pct(agg["w"] or 0, agg["o"] or 0),
        "by_department": [
            {
                "department_id": r["round__department_id"],
                "department": r["round__department__name"],
                "observations": r["n"],
                "opportunities": r["o"],
                "washes": r["w"] or 0,
                "compliance_pct": pct(r["w"] or 0, r["o"]),
            }
            for r in rows
        ],
    }


# --- chart audits ----------------------------------------------------------------------------


def _completed_audits(start, end, departments) -> QuerySet[ChartAudit]:
    lo, hi = _bounds(start, end)
    qs = ChartAudit.objects.filter(status=AuditStatus.COMPLETED, audited_at__gte=lo, audited_at__lt=hi)
    return _in(qs, "department_id", departments)


def _audit_aggregates():
    return {
        "audited": Count("id"),
        "problem": Count("id", filter=Q(is_problem=True)),
        "grade_a": Count("id", filter=Q(grade=Grade.A)),
        "grade_b": Count("id", filter=Q(grade=Grade.B)),
        "grade_c": Count("id", filter=Q(grade=Grade.C)),
        "vetoed": Count("id", filter=Q(vetoed=True)),
        "findings": Count("finding", filter=Q(finding__order__isnull=False)),
        "closed": Count("finding", filter=Q(finding__order__status__in=RECTIFIED_ORDER_STATUSES)),
        "avg_score": Avg("score"),
    }


def _audit_figures(agg: dict) -> dict:
    audited = agg["audited"]
    return {
        "audited": audited,
        "problem": agg["problem"],
        "problem_rate": pct(agg["problem"], audited),
        "grades": {"A": agg["grade_a"], "B": agg["grade_b"], "C": agg["grade_c"]},
        "grade_a_rate": pct(agg["grade_a"], audited),
        "vetoed": agg["vetoed"],
        "avg_score": round(float(agg["avg_score"]), 1) if agg["avg_score"] is not None else None,
        "orders": agg["findings"],
        "orders_closed": agg["closed"],
        "rectification_rate": pct(agg["closed"], agg["findings"]),
    }


def chart_audit_summary(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Charts audited in the period (by audit date), problem charts, grades, 甲级率, 整改率 (one query)."""
    return _audit_figures(_completed_audits(start, end, departments).aggregate(**_audit_aggregates()))


def chart_audits_by_department(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    rows = (
        _completed_audits(start, end, departments)
        .values("department_id", "department__name")
        .annotate(**_audit_aggregates())
        .order_by("department__name")
    )
    return [
        {"department_id": r["department_id"], "department": r["department__name"], **_audit_figures(r)}
        for r in rows
    ]


def audit_progress(*, sample) -> dict:
    agg = sample.audits.aggregate(total=Count("id"), done=Count("id", filter=Q(status=AuditStatus.COMPLETED)))
    return {**agg, "pending": agg["total"] - agg["done"]}


def round_rows(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """One row per submitted round of the period — the rows behind the inspection figures, for the
    report workbook's data sheet: time, department, area, type, items passed / failed, score."""
    return list(
        _submitted_rounds(start, end, departments)
        .order_by("started_at", "id")
        .values("started_at", "department__name", "area", "round_type", "passed", "failed", "score")
    )


def audit_rows(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """One row per chart audited in the period — the rows behind the chart-audit figures, for the
    report workbook's data sheet: time, department, score, grade, single veto, problem chart. The
    doctor and the patient are left out."""
    return list(
        _completed_audits(start, end, departments)
        .order_by("audited_at", "id")
        .values("audited_at", "department__name", "score", "grade", "vetoed", "is_problem")
    )
