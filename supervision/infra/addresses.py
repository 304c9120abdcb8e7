"""The client's address, the one rule for rate limits, the login lock-out and the reveal log.

Behind the hospital's reverse proxy ``REMOTE_ADDR`` is the proxy's address, the same for every
patient and every member of staff. Each trusted proxy *appends* the address it received the
connection from to ``X-Forwarded-For``, so with ``TRUSTED_PROXY_COUNT = n`` the client is the
n-th entry from the right; anything further left was written by the client and is ignored (a
forged entry cannot choose the address). With ``0`` (the default: not behind a proxy) the
header is never read. A header with fewer entries than trusted proxies, or an entry that is not
an IP address, means the request did not come through the proxies as configured: the
connection's own address is used.

Used by django-ratelimit (``RATELIMIT_IP_META_KEY``), django-axes (``AXES_CLIENT_IP_CALLABLE``)
and ``supervision.privacy.contact_reveal``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the person at the other end, or ``None`` when nothing says it."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    entries = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(entries) < trusted:
        return remote
    return _valid(entries[-trusted]) or remote


def client_ip_for_limits(request) -> str:
    """``client_ip`` for django-ratelimit, which needs an address: an unknown client counts as one."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104  # nosec B104 # a rate-limit bucket, never bound
