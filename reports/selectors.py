"""Read-side queries of the reports app: which reports a user may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from supervision.models import Role

from .models import ALL_SCOPE, Report


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
