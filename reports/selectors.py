"""Read-side queries of the reports app: which reports and written summaries a user may see, and the
typical cases the office may pick."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from supervision.models import Role

from . import texts
from .models import ALL_SCOPE, Report, WrittenSummary
from .sections.base import selectors_of


def reports_visible_to(user) -> QuerySet[Report]:
    """The office (administrators, supervisors: a Scope over every department): every report, the
    department and custom-period ones they request included. Department heads: reports scoped to
    their own department(s) only (never the hospital-wide version)."""
    qs = Report.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.scope.all_departments:
        return qs
    condition = Q(pk__in=[])
    if user.has_role(Role.DEPT_HEAD) and user.department_ids:
        # Department reports none of whose departments is outside the head's own. Written as one
        # NOT EXISTS: the equivalent exclude() across the many-to-many took Django ~2 ms to build
        # on every dashboard view (docs/performance.md).
        foreign = Report.departments.through.objects.filter(report_id=OuterRef("pk")).exclude(
            department_id__in=user.department_ids
        )
        condition |= ~Q(scope_key=ALL_SCOPE) & ~Exists(foreign)
    return qs.filter(condition)


def report_list(user) -> QuerySet[Report]:
    return (
        reports_visible_to(user)
        .select_related("requested_by")
        .prefetch_related("departments")
        .order_by("-created_at", "-id")
    )


def summaries_visible_to(user) -> QuerySet[WrittenSummary]:
    """As reports: the office every summary; a department head the summaries of their own
    department(s) only (never the hospital-wide one)."""
    qs = WrittenSummary.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.scope.all_departments:
        return qs
    condition = Q(pk__in=[])
    if user.has_role(Role.DEPT_HEAD) and user.department_ids:
        foreign = WrittenSummary.departments.through.objects.filter(writtensummary_id=OuterRef("pk")).exclude(
            department_id__in=user.department_ids
        )
        condition |= ~Q(scope_key=ALL_SCOPE) & ~Exists(foreign)
    return qs.filter(condition)


def summary_list(user) -> QuerySet[WrittenSummary]:
    return (
        summaries_visible_to(user)
        .select_related("saved_by", "finalised_by")
        .prefetch_related("departments")
        .order_by("-period_start", "period_end", "scope_key")
    )


CASES_OFFERED = 30  # of each kind, the most telling first


def _local_date(value) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(value) if isinstance(value, dt.datetime) else value


def case_candidates(summary: WrittenSummary) -> list[dict]:
    """The findings, complaints and praise of the summary's period and scope the office may pick as
    typical cases, each as ``{"kind", "id", "params"}``: the snapshot kept when picked (the
    record's date, department and words as they are now). Serious findings first, valid complaints
    first, the latest praise first; ``CASES_OFFERED`` of each."""
    department_ids = [d.pk for d in summary.departments.all()] or None
    start, end = summary.period_start, summary.period_end
    from .sections.base import BuildContext, findings_in_period

    ctx = BuildContext(
        kind=summary.kind,
        start=start,
        end=end,
        department_ids=department_ids,
        departments=[],
        as_of=end,
        config=None,
    )
    out = []
    findings = (
        findings_in_period(ctx)
        .select_related("department")
        .order_by("-severity", "-found_at", "-id")[:CASES_OFFERED]
    )
    for f in findings:
        out.append(
            _case(
                texts.CaseKind.FINDING, f.pk, _local_date(f.found_at), f.department.name, f.description_text
            )
        )
    complaints = selectors_of("complaints", "case_candidates")
    for c in (
        complaints.case_candidates(start=start, end=end, departments=department_ids, limit=CASES_OFFERED)
        if complaints
        else ()
    ):
        out.append(_case(texts.CaseKind.COMPLAINT, c["id"], c["date"], c["department"], c["text"]))
    surveys = selectors_of("surveys", "praise_cases")
    for p in (
        surveys.praise_cases(start=start, end=end, departments=department_ids, limit=CASES_OFFERED)
        if surveys
        else ()
    ):
        praise = texts.CASE_PRAISE(name=p["name"]).as_param()
        out.append(_case(texts.CaseKind.PRAISE, p["id"], p["date"], p["department"], praise))
    return out


def _case(kind, pk: int, date, department: str, text) -> dict:
    return {
        "kind": kind.value,
        "id": pk,
        "params": {"date": date.isoformat(), "department": department, "kind": kind.value, "text": text},
    }
