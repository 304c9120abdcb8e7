"""Read-side queries of the reports app: which reports a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from supervision.models import Department, Role

from .models import ALL_SCOPE, Report


def reports_visible_to(user) -> QuerySet[Report]:
    """Administrators: every report. Supervisors: hospital-wide reports. Department heads: reports
    scoped to their own department(s) only (never the hospital-wide version)."""
    qs = Report.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.has_role(Role.ADMINISTRATOR):
        return qs
    condition = Q(pk__in=[])
    if user.has_role(Role.SUPERVISOR):
        condition |= Q(scope_key=ALL_SCOPE)
    if user.has_role(Role.DEPT_HEAD) and user.department_ids:
        own = (
            Report.objects.exclude(scope_key=ALL_SCOPE)
            .exclude(departments__in=Department.objects.exclude(pk__in=user.department_ids))
            .values("pk")
        )
        condition |= Q(pk__in=own)
    return qs.filter(condition)


def report_list(user) -> QuerySet[Report]:
    return (
        reports_visible_to(user)
        .select_related("requested_by")
        .prefetch_related("departments")
        .order_by("-created_at", "-id")
    )
