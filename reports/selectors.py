"""Read-side queries of the reports app: which reports and written summaries a user may see, and the
typical cases the office may pick."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from supervision.access import scope_of
from supervision.infra import statements
from supervision.infra.wording import render_kept
from supervision.models import Role

from . import texts
from .models import ALL_SCOPE, Report, WrittenSummary
from .sections.base import selectors_of


def reports_visible_to(user) -> QuerySet[Report]:
    """The office (administrators, supervisors: a Scope over every department): every report, the
    department and custom-period ones they request included. Department heads: reports scoped to
    their own department(s) only (never the hospital-wide version). ``user`` may be a Scope."""
    qs = Report.objects.all()
    user_scope = scope_of(user)
    if not user_scope.signed_in:  # anonymous or inactive
        return qs.none()
    if user_scope.all_departments:
        return qs
    condition = Q(pk__in=[])
    if user_scope.has_role(Role.DEPT_HEAD) and user_scope.department_ids:
        # Department reports none of whose departments is outside the head's own. Written as one
        # NOT EXISTS: the equivalent exclude() across the many-to-many took Django ~2 ms to build
        # on every dashboard view (docs/performance.md).
        foreign = Report.departments.through.objects.filter(report_id=OuterRef("pk")).exclude(
            department_id__in=user_scope.department_ids
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


def summary_for(user, pk: int) -> WrittenSummary | None:
    """One summary ``user`` may see, with its departments read only when it has some: a
    hospital-wide summary's scope key says it has none (``scope_key_for``), so its page asks no
    query for them."""
    # The key is unique: no ORDER BY. ``first()`` ordered by the model's three ordering columns, which
    # took Django ~0.4 ms of the editor's every view to build (docs/performance.md, stop 21).
    found = list(
        summaries_visible_to(user).select_related("saved_by", "finalised_by").filter(pk=pk).order_by()[:1]
    )
    summary = found[0] if found else None
    if summary is not None and not summary.is_hospital_wide:
        prefetch_related_objects([summary], "departments")
    return summary


CASES_OFFERED = 30  # of each kind, the most telling first


def _local_date(value) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(value) if isinstance(value, dt.datetime) else value


def case_candidates(summary: WrittenSummary) -> list[dict]:
    """The findings, complaints and praise of the summary's period and scope the office may pick as
    typical cases, each as ``{"kind", "id", "params"}``: the snapshot kept when picked (the
    record's date, department and words as they are now). Serious findings first, valid complaints
    first, the latest praise first; ``CASES_OFFERED`` of each."""
    department_ids = None if summary.is_hospital_wide else [d.pk for d in summary.departments.all()] or None
    start, end = summary.period_start, summary.period_end
    out = []
    # The six columns the snapshot needs, not the findings and departments whole: building and
    # reading every column of both was a third of this function's time. Its statement built by the
    # ORM once per period, scope and time zone (supervision.infra.statements), the rows read anew.
    findings = statements.rows(
        _finding_cases,
        start,
        end,
        None if department_ids is None else tuple(department_ids),
        timezone.get_current_timezone_name(),
    )
    for pk, found_at, department, key, params, description in (tuple(f.values()) for f in findings):
        # Worded as Finding.description_text words it, the text kept per language and content.
        text = render_kept(key, params, fallback=description)
        out.append(_case(texts.CaseKind.FINDING, pk, _local_date(found_at), department, text))
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


_FINDING_CASE_FIELDS = (
    *("pk", "found_at", "department__name", "description_key", "description_params", "description"),
)


def _finding_cases(start: dt.date, end: dt.date, department_ids: tuple[int, ...] | None, zone: str):
    from .sections.base import BuildContext, findings_in_period

    ctx = BuildContext(
        kind="", start=start, end=end, department_ids=department_ids, departments=[], as_of=end, config=None
    )
    with timezone.override(zone):  # the period's days in that zone (findings_in_period reads it)
        findings = findings_in_period(ctx).order_by("-severity", "-found_at", "-id")
    return findings.values(*_FINDING_CASE_FIELDS)[:CASES_OFFERED], _FINDING_CASE_FIELDS


def _case(kind, pk: int, date, department: str, text) -> dict:
    return {
        "kind": kind.value,
        "id": pk,
        "params": {"date": date.isoformat(), "department": department, "kind": kind.value, "text": text},
    }
