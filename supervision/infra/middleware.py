"""Small middleware: the idle timeout of sessions, the user's saved language, and django-csp's
Content-Security-Policy header with the admin's one exception."""

from __future__ import annotations

import time

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation


class SessionIdleRefreshMiddleware:
    """Slide a session's expiry (the idle timeout, SESSION_COOKIE_AGE) at most once per
    ``SESSION_REFRESH_SECONDS`` instead of on every request.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every page view — an UPDATE and
    a COMMIT with its WAL flush for each request, reads included. Marking the session modified
    only when its last refresh is older than a minute keeps the idle timeout (to within that
    minute) with one write per user per minute. Placed right after SessionMiddleware.
    """

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request already read (every logged-in request does): loading one
        # just to stamp it would add a query to requests that never touch it.
        if session is not None and session.accessed and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


def mark_session_refreshed(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: the log-in saves the session, so the refresh is done."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionIdleRefreshMiddleware.KEY] = int(time.time())


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (the policy is settings.CONTENT_SECURITY_POLICY: no inline script or
    style anywhere) with one exception: Django's admin uses inline scripts and styles in a few
    widgets, and it is staff-only, so under /admin/ both are allowed. ``get_policy_parts`` is the
    extension point django-csp documents for a policy that depends on the request; the admin's
    views are Django's own, so its per-view decorators cannot reach them."""

    ADMIN_PREFIX = "/admin/"

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(self.ADMIN_PREFIX):
            parts.update = {
                **(parts.update or {}),
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
            }
        return parts
