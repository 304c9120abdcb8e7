"""Who may see what and do what: the one ``Scope`` every view, selector, cache key and template reads.

A ``Scope`` is what restricts one user, as a frozen value built once per request (``user.scope``,
cached on the request's user) or for any user in a task or report (``Scope.for_user(user)``):

- **departments**: supervisors and administrators see every department (``all_departments``);
  department heads see the departments linked to their account (``department_ids``); nobody
  else sees anything by department;
- **ownership**: volunteer supervisors, follow-up staff and service-desk staff see what they own
  (``owner_field``: a field, or a function of the user id such as "the centres I work at");
- **capabilities**: the roles, and ``may(url_name)`` — "may this user open that page", read from
  the view's own ``role_required`` rule, so a button or menu entry never disagrees with the view.

Lists use ``scope.filter(qs, ...)``, detail pages ``scope.get_or_404(qs, ..., pk=pk)``, figure
caches ``scope.cache_key`` (the only source of a figure cache's scope: two users share a cached
figure exactly when their scopes are equal), figures ``departments=scope.departments`` (``None``
for the whole hospital), templates ``{% may "url_name" as ok %}`` (``supervision.templatetags.ducha``).
Anything outside a user's scope is a 404, never a 403, so that object ids of other departments leak
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, get_resolver

from .models import Role

# Roles that see every department, and roles that see the rows they own (service-desk staff: their
# centre's log, and the complaints they took first).
ALL_DEPARTMENT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
OWNER_ROLES = (Role.VOLUNTEER, Role.FOLLOWUP, Role.DESK)

# A scope condition: a field path (``"department"``, ``"found_by"``) or a function building the Q
# from the department ids / the user id, for scopes no single field expresses (a subquery).
Condition = str | Callable[[Any], Q] | None


@dataclass(frozen=True, eq=False)
class Scope:
    """What one user may see and do. Build with ``Scope.for_user(user)`` (or read ``user.scope``)."""

    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    # The linked departments, or a function returning them: read on first use only, so a page that
    # never filters by department (a supervisor's, a caller's) costs no query for them.
    linked_departments: Iterable[int] | Callable[[], Iterable[int]] = field(default=frozenset(), repr=False)
    # No user at all (a public page, a figure computed for nobody in particular): unlike an anonymous
    # visitor it has a cache key of its own.
    public: bool = False

    @classmethod
    def for_user(cls, user) -> Scope:
        if user is None:
            return PUBLIC
        if not user.is_authenticated or not user.is_active:
            return NOBODY
        return cls(
            user_id=user.pk, roles=frozenset(user.roles), linked_departments=lambda: user.department_ids
        )

    # --- who ------------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def all_departments(self) -> bool:
        return bool(self.roles & ALL_DEPARTMENT_ROLES)

    @cached_property
    def department_ids(self) -> frozenset[int]:
        """The departments this scope covers by department: a head's own; empty for everyone else
        (``all_departments`` says when every department is covered)."""
        if self.all_departments or Role.DEPT_HEAD not in self.roles:
            return frozenset()
        source = self.linked_departments
        return frozenset(source() if callable(source) else source)

    @property
    def departments(self) -> list[int] | None:
        """For figure selectors: ``None`` for the whole hospital, else the sorted department ids."""
        return None if self.all_departments else sorted(self.department_ids)

    @cached_property
    def plain(self) -> Scope:
        """This scope as plain values (the user id, the roles, the department ids): equal to it, and
        holding no user object, so that it may key what is kept between requests
        (``supervision.infra.statements``)."""
        if self.public or not self.signed_in:
            return self
        return Scope(user_id=self.user_id, roles=self.roles, linked_departments=self.department_ids)

    @property
    def owns_rows(self) -> bool:
        """Sees the rows they own (volunteers, follow-up staff), unless they see everything anyway."""
        return not self.all_departments and self.has_role(*OWNER_ROLES)

    def sees_department(self, department_id: int | None) -> bool:
        return self.all_departments or department_id in self.department_ids

    def department_choices(self, departments: QuerySet) -> QuerySet:
        """A department picker (filters, figures): a head's own departments; everyone else every
        department — the office sees them all, and the rows of owner-scoped users may be in any."""
        return departments.filter(pk__in=sorted(self.department_ids)) if self.department_ids else departments

    # --- rows -----------------------------------------------------------------------------------

    def filter(
        self,
        qs: QuerySet,
        *,
        department_field: Condition = "department",
        owner_field: Condition = None,
        owner_roles: Iterable[str] = OWNER_ROLES,
    ) -> QuerySet:
        """Restrict ``qs`` to the rows this scope may see.

        ``department_field`` / ``owner_field``: the field path to the row's department / owner, or a
        function ``ids -> Q`` / ``user_id -> Q`` for a scope no single field expresses.
        """
        if not self.signed_in:
            return qs.none()
        if self.all_departments:
            return qs
        condition = Q(pk__in=[])
        if department_field and self.department_ids:
            ids = sorted(self.department_ids)
            condition |= (
                department_field(ids) if callable(department_field) else Q(**{f"{department_field}__in": ids})
            )
        if owner_field and self.has_role(*owner_roles):
            condition |= (
                owner_field(self.user_id) if callable(owner_field) else Q(**{owner_field: self.user_id})
            )
        return qs.filter(condition)

    def get_or_404(
        self,
        qs: QuerySet,
        *,
        department_field: Condition = "department",
        owner_field: Condition = None,
        **lookup,
    ) -> Model:
        return get_object_or_404(
            self.filter(qs, department_field=department_field, owner_field=owner_field), **lookup
        )

    # --- caches ---------------------------------------------------------------------------------

    @cached_property
    def cache_key(self) -> str:
        """Everything that restricts the rows this scope sees, as a string (worked out once per
        scope — every figure and panel of a dashboard keys by it).

        Equal for equal scopes (heads of the same departments share it), different for any two scopes
        that could see different rows — the roles, the department set, the owner — so a figure cached
        for one department is never served to another.
        """
        if self.public:
            return "public"
        if not self.signed_in:
            return "none"
        roles = ",".join(sorted(self.roles))
        if self.all_departments:
            return f"r={roles};d=all"
        departments = ",".join(str(pk) for pk in sorted(self.department_ids))
        owner = f";u={self.user_id}" if self.has_role(*OWNER_ROLES) else ""
        return f"r={roles};d={departments}{owner}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return (self.user_id, self.roles, self.department_ids, self.public) == (
            other.user_id,
            other.roles,
            other.department_ids,
            other.public,
        )

    def __hash__(self) -> int:
        return hash((self.user_id, self.roles, self.public))

    # --- capabilities ---------------------------------------------------------------------------

    def may(self, url_name: str, *, method: str = "GET") -> bool:
        """May this scope open (``method="POST"``: change something on) the page named ``url_name``?
        The view's own ``role_required`` says."""
        return self.has_role(*view_roles(url_name, method))


PUBLIC = Scope(public=True)
NOBODY = Scope()


def scope_of(user) -> Scope:
    """The scope of ``user`` (cached on the user: once per request), of an anonymous visitor, or
    ``PUBLIC`` for ``None``; a ``Scope`` is its own."""
    if user is None:
        return PUBLIC
    if isinstance(user, Scope):
        return user
    cached = getattr(user, "scope", None)
    return cached if isinstance(cached, Scope) else Scope.for_user(user)


def scope(qs: QuerySet, user, **conditions) -> QuerySet:
    """``scope_of(user).filter(qs, ...)``, for callers holding a user."""
    return scope_of(user).filter(qs, **conditions)


def get_scoped_or_404(qs: QuerySet, user, **kwargs) -> Model:
    """``scope_of(user).get_or_404(qs, ...)``, for callers holding a user."""
    return scope_of(user).get_or_404(qs, **kwargs)


# --- capabilities: the views' rules, read by templates ----------------------------------------------


def role_required(
    *roles: str, post: tuple[str, ...] | None = None, object_rule: Callable[..., bool] | None = None
) -> Callable:
    """View decorator: anonymous → login page; logged in without one of ``roles`` → 403.

    ``post``: the roles that may also POST, when fewer than may read (an office page that only
    supervisors change). The roles stay on the view (``required_roles``, ``post_roles``) for ``may``.
    ``object_rule(user, obj, **params)`` is what the view allows on one object (e.g. an order's
    allowed actions), for ``may(user, url_name, obj, ...)``; the view enforces it through its service.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):
                raise PermissionDenied
            if post is not None and request.method == "POST" and not request.user.has_role(*post):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles
        wrapper.post_roles = roles if post is None else post
        wrapper.object_rule = object_rule
        return wrapper

    return decorator


def workflow_rule(user, obj, action: str) -> bool:
    """The ``object_rule`` of an action view: the object's state machine allows ``action`` now
    (``supervision.workflow``, the same table that draws the buttons and guards the change)."""
    from .workflow import machine_for  # the machines import services, which import this module

    return machine_for(obj).allowed(obj, user, action)


@lru_cache(maxsize=8)
def _views_by_name(resolver) -> dict[str, Callable]:
    """``{"namespace:name": view}`` of one URL conf (cached per resolver, so per URL conf)."""
    views: dict[str, Callable] = {}

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(part for part in (namespace, entry.namespace or "") if part)
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                views.setdefault(f"{namespace}:{entry.name}" if namespace else entry.name, entry.callback)

    walk(resolver.url_patterns, "")
    return views


def _view(url_name: str) -> Callable:
    try:
        return _views_by_name(get_resolver())[url_name]
    except KeyError:
        raise ImproperlyConfigured(f"may: no URL named {url_name!r}") from None


def view_roles(url_name: str, method: str = "GET") -> tuple[str, ...]:
    """The roles the view named ``url_name`` admits (its ``role_required``), for GET or for POST."""
    view = _view(url_name)
    roles = getattr(view, "post_roles" if method.upper() == "POST" else "required_roles", None)
    if roles is None:
        # Asking about a page whose rule is not declared would guess; make the view declare it.
        raise ImproperlyConfigured(f"may: the view {url_name!r} has no role_required rule")
    return roles


def may(user, url_name: str, obj: Any = None, *, method: str = "GET", **params) -> bool:
    """May ``user`` use the page ``url_name`` (on ``obj``, with ``params`` such as ``action=``)?

    The same rules the view enforces: its ``role_required`` roles (``method="POST"``: the roles that
    may change something there), then its ``object_rule`` when an object is given. Templates ask
    through ``{% may %}``.
    """
    if not scope_of(user).may(url_name, method=method):
        return False
    if obj is None and not params:
        return True
    rule = getattr(_view(url_name), "object_rule", None)
    if rule is None:
        raise ImproperlyConfigured(f"may: the view {url_name!r} has no object_rule for {obj!r}")
    return bool(rule(user, obj, **params))


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
