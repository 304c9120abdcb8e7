"""Read side of the service desk: the scoped querysets the pages use and the figures the dashboard
and the reports read (``figures``; aggregation in SQL, data only — the reports word it)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from supervision.access import scope_of
from supervision.models import Role

from .models import DeskEntry, ServiceCentre

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
