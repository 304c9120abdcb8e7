"""The installable app and its service worker (templates/sw.js; docs/security.md → "Offline pages").

The service worker keeps on the device only the pages a view marks with ``keep_offline`` (the
inspection round being filled in), in a cache named after the session that loaded them: a page
carrying one session's CSRF token and data is never shown to another session. The keys below are
HMACs, so the page and the worker never see the session id or the user id themselves.
"""

from __future__ import annotations

import hashlib
import json

from django.templatetags.static import static
from django.utils.crypto import salted_hmac

OFFLINE_HEADER = "X-Ducha-Offline"
THEME_COLOR = "#0b5e7a"  # --ducha in static/css/ducha.css (a test keeps them equal)
ICONS = (("icons/ducha-192.png", "192x192", "any"), ("icons/ducha-512.png", "512x512", "any"))
MASKABLE_ICON = ("icons/ducha-512-maskable.png", "512x512", "maskable")
# What a kept page needs when it is opened without a connection: the base layout's and the round
# page's files. Anything else under /static/ is kept as it is first fetched.
PRECACHE = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    "css/ducha.css",
    "css/inspections.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/ducha.js",
    "js/inspections.js",
    "favicon.svg",
)


def session_key(request) -> str:
    """This log-in's key: the worker's page cache is named after it and dropped when it changes
    (log-out, another log-in, the session expired and a new one began)."""
    if not request.user.is_authenticated or not request.session.session_key:
        return ""
    return salted_hmac("ducha.offline.session", request.session.session_key).hexdigest()[:24]


def owner_key(user) -> str:
    """The user's key on this device: what waits in the device's queue is sent only from a page of the
    same user (another user's page neither shows nor sends it)."""
    return salted_hmac("ducha.offline.owner", str(user.pk)).hexdigest()[:24]


def keep_offline(request, response):
    """Mark a page the service worker may keep for this session, and keep it out of the browser's own
    HTTP cache (the worker's copy is the only one, and it is dropped with the session)."""
    key = session_key(request)
    if key:
        response[OFFLINE_HEADER] = key
    response["Cache-Control"] = "private, no-store"
    return response


def manifest(*, name: str, short_name: str, description: str, lang: str) -> dict:
    """The web app manifest (installable on a tablet's home screen); no user data."""
    return {
        "id": "/",
        "name": name,
        "short_name": short_name,
        "description": description,
        "lang": lang,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in (*ICONS, MASKABLE_ICON)
        ],
    }


def worker_config() -> str:
    """The worker's settings as a JSON literal: the files to keep at install and a version that
    changes with them (a changed file has a new hashed name, so a new worker replaces the old caches)."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    assets = [static(path) for path in PRECACHE]
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    return json.dumps(
        {
            "version": version,
            "precache": assets,
            "header": OFFLINE_HEADER,
            "static": settings.STATIC_URL,
            "pages": list(settings.DUCHA_OFFLINE_PAGES),
            # Hashed names (production) never change content: the kept copy is served first. Plain
            # names (DEBUG) may: the server's is asked first, the kept copy only without a connection.
            "hashed": isinstance(staticfiles_storage, ManifestFilesMixin),
        }
    )
