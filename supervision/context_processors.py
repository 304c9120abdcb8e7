import functools

from django.conf import settings

from .channels import nav_menus
from .infra.offline import session_key
from .models import Role
from .services import notifications_read_on_open

UNREAD_BADGE_CAP = 100


def demo_accounts() -> dict:
    """The demo hospital's logins for the login page in demo mode (``DUCHA_DEMO``), worded when shown."""
    from . import demo

    labels = dict(Role.choices)
    departments = {code: name for code, name, _kind in demo.DEPARTMENTS}
    return {
        "password": demo.DEMO_PASSWORD,
        "accounts": [
            {
                "username": username,
                "name": full_name,
                "roles": [labels[role] for role in roles],
                "departments": [departments[code] for code in codes],
            }
            for username, full_name, roles, codes in demo.USERS
        ],
    }


def ducha(request):
    user = getattr(request, "user", None)
    context = {"HOSPITAL_NAME": settings.HOSPITAL_NAME, "Role": Role}
    if settings.DUCHA_DEMO:
        context["demo_accounts"] = demo_accounts
    if user is not None and user.is_authenticated:
        # The navbar badge: one indexed count, capped (the badge shows "99+"), so that an office
        # account with thousands of unread notices does not count them all on every page. Unordered:
        # the model's newest-first ordering made the capped count read and sort every unread notice.
        # Opening a page reads its notices (an order's, a complaint's …), and a notice whose item has
        # moved on is no longer unread work: one query for the items of the unread work, and an
        # update only when this page is one of them.
        items = list(
            user.notifications.filter(read_at__isnull=True, moved_on_at__isnull=True)
            .order_by()
            .values_list("item", flat=True)[:UNREAD_BADGE_CAP]
        )
        here = items.count(request.path)
        if here or len(items) == UNREAD_BADGE_CAP:  # past the cap, this page's may be further on
            notifications_read_on_open(user=user, path=request.path)
        unread = len(items) - here
        context["unread_notifications"] = unread
        context["unread_notifications_label"] = (
            f"{UNREAD_BADGE_CAP - 1}+" if unread >= UNREAD_BADGE_CAP else unread
        )
        context["user_roles"] = user.roles
        # The navigation depends on the roles and the language only: base.html caches it by this key,
        # and works the menus out (a callable, called by the template) only when the cache misses.
        context["user_roles_key"] = ",".join(sorted(user.roles))
        context["nav_menus"] = functools.partial(nav_menus, user)
        # The service worker drops pages kept for any other session (supervision/infra/offline.py).
        context["offline_session"] = session_key(request)
    return context
