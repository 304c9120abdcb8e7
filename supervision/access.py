"""Who may see what: the one scoping helper every view, selector and report uses.

Supervisors and administrators see every department. Department heads see the departments
linked to their account. Volunteer supervisors and follow-up staff see what they created
themselves (``owner_field``). Anything outside a user's scope is a 404, never a 403, so that
object ids of other departments leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Role


def scope(
    qs: QuerySet,
    user,
    *,
    department_field: str | None = "department",
    owner_field: str | None = None,
    owner_roles: tuple[str, ...] = (Role.VOLUNTEER, Role.FOLLOWUP),
) -> QuerySet:
    """Restrict ``qs`` to the rows ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_all_departments:
        return qs
    condition = Q(pk__in=[])
    if department_field and user.has_role(Role.DEPT_HEAD) and user.department_ids:
        condition |= Q(**{f"{department_field}__in": user.department_ids})
    if owner_field and user.has_role(*owner_roles):
        condition |= Q(**{owner_field: user})
    return qs.filter(condition)


def get_scoped_or_404(
    qs: QuerySet, user, *, department_field="department", owner_field=None, **lookup
) -> Model:
    return get_object_or_404(
        scope(qs, user, department_field=department_field, owner_field=owner_field), **lookup
    )


def may_see_department(user, department_id: int) -> bool:
    return user.sees_all_departments or department_id in user.department_ids


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous → login page; logged in without one of ``roles`` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator


STAFF_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP, Role.VOLUNTEER)


def id_param(raw: str | None) -> int | None:
    """A database id from a query parameter, or None for anything else.

    ``str.isdigit()`` is not enough: "²" is a digit to it but not a number to ``int()`` (a 500), and
    an id beyond 64 bits overflows SQLite's driver (a 500 too). Found by the fuzz suite.
    """
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None
