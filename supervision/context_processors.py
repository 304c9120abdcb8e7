import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

from .channels import channels_version, nav_menus
from .infra.offline import session_key
from .models import Role
from .selectors import unread_badge
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
        # The navbar badge: the items of the unread work, capped (the badge shows "99+"), so that
        # an office account with thousands of unread notices does not count them all on every page;
        # one plain query (supervision.selectors.unread_badge). Opening a page reads its notices (an
        # order's, a complaint's …), and a notice whose item has moved on is no longer unread work:
        # an update only when this page is one of them.
        items, page_unread = unread_badge(user, limit=UNREAD_BADGE_CAP, path=request.path)
        here = items.count(request.path)
        # Past the cap this page's notice may be further on than the items read: the same query said
        # whether there is one (before, every page of a user past the cap wrote an UPDATE).
        if here or (len(items) == UNREAD_BADGE_CAP and page_unread):
            notifications_read_on_open(user=user, path=request.path)
        unread = len(items) - here
        context["unread_notifications"] = unread
        context["unread_notifications_label"] = (
            f"{UNREAD_BADGE_CAP - 1}+" if unread >= UNREAD_BADGE_CAP else unread
        )
        context["user_roles"] = user.roles
        # The navigation and the role names depend on the roles and the language only (and on the
        # URLs and the channels, fixed in a running process): drawn once per process for each such
        # key (navigation below), worked out only when the template asks.
        context["navigation"] = functools.partial(navigation, user)
        # The service worker drops pages kept for any other session (supervision/infra/offline.py).
        context["offline_session"] = session_key(request)
        # The worker serves the pages kept offline (the inspection round on the ward's tablet) and
        # nothing else: it is registered from those pages only, so a desk, a caller or a department
        # head never downloads it; every page still tells an installed worker the session.
        context["offline_worker"] = request.path.startswith(tuple(settings.DUCHA_OFFLINE_PAGES))
    return context


# (roles, language, URL conf, script prefix, channels' version) -> the navbar's menus and role names.
_navigation: dict[tuple, dict] = {}


def navigation(user) -> dict:
    """The navbar's menus (``_nav.html`` drawn from ``nav_menus``) and the user's role names, for the
    user's roles and the active language, drawn once per process for each.

    Kept in this process, not in the shared cache: no query, no round trip to Redis on every page,
    and nothing to invalidate — what the HTML depends on is all in the key (the menus are decided by
    the roles alone, ``supervision.channels.may_open``; the URLs by the URL conf and the script
    prefix; a channel registered later changes the channels' version). It is drawn from the menus
    alone, without the request or the context, so it can hold nothing about the user but the roles
    in its key, and no department's rows. At most one entry per set of roles and language.
    """
    key = (user.roles, get_language(), get_urlconf(), get_script_prefix(), channels_version())
    drawn = _navigation.get(key)
    if drawn is None:
        labels = dict(Role.choices)
        drawn = {
            "menus": render_to_string("_nav.html", {"nav_menus": nav_menus(user)}),
            "role_names": " ".join(str(labels[role]) for role in Role.values if role in user.roles),
        }
        _navigation[key] = drawn
    return drawn


@receiver(setting_changed)
def _forget_navigation(*, setting, **kwargs):
    """Tests that change the URLs or the languages get a navbar drawn anew."""
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "TEMPLATES", "INSTALLED_APPS"}:
        _navigation.clear()
