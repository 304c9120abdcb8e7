"""Who calls: the API key in ``Authorization: Bearer dk_…``, what it may do (its scopes) and how
often (its own rate limit). DRF's authentication, permission and throttle classes, so that a
wrong or expired key is a 401, a missing scope a 403 and a key over its rate a 429."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from .models import KEY_START, ApiKey

LAST_USE_PRECISION = dt.timedelta(minutes=1)


class ApiClient:
    """The caller of an API request: an integrating system, never a person (``request.user``)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None

    def __init__(self, key: ApiKey):
        self.key = key

    def __str__(self) -> str:
        return str(self.key)


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the API key as “Authorization: Bearer dk_…”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        if raw.startswith(KEY_START):
            # Kept for the call record even when the key is refused (which system tried).
            request.api_key_prefix = raw[len(KEY_START) :].split(".", 1)[0][:16]
        key = ApiKey.objects.find(raw)
        if key is None or not key.active:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        request.api_key = key
        now = timezone.now()
        if key.has_expired(now):
            raise exceptions.AuthenticationFailed(_("This API key has expired; ask for a new one."))
        # The key's last use to within a minute, as a session's idle refresh: a write per key per
        # minute, not per call (every call is recorded apart, with its moment: ``ApiCall.at``).
        if key.last_used_at is None or now - key.last_used_at >= LAST_USE_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return ApiClient(key), key

    def authenticate_header(self, request) -> str:
        # A WWW-Authenticate header makes DRF answer 401 (not 403) to a missing or refused key.
        return f'{self.keyword} realm="api"'


class HasScope(BasePermission):
    """The key holds the view's ``required_scope``."""

    message = _("This API key may not do this (it lacks the scope %(scope)s).")

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        if scope is None or key.allows(scope):
            return True
        self.message = HasScope.message % {"scope": scope}
        return False


class KeyRateThrottle(SimpleRateThrottle):
    """Each key's own ``rate_limit`` calls per minute, counted in the shared cache."""

    scope = "api_key"

    def __init__(self):
        # The rate is the key's, read per request (SimpleRateThrottle reads a setting here).
        pass

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        self.rate = f"{key.rate_limit}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
