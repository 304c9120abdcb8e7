"""Test settings: the product's settings (supervision/settings.py) with what tests need.

Chosen by pytest (``--ds`` in pyproject.toml's ``addopts``), never by sniffing the running
command. Environment variables still win where CI sets them (DATABASE_URL, REDIS_URL,
CELERY_TASK_ALWAYS_EAGER=0 for the real-broker run).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import (
    CACHE_URL,
    CACHES,
    DATABASES,
    REDIS_URL,
    VAR_DIR,
    env_bool,
    env_int,
    env_list,
    filesystem_broker_options,
    https_settings,
    redis_db,
    redis_url_with_db,
)

# A fixed, obviously unsafe key; test hosts (Django's test client adds "testserver").
SECRET_KEY = "django-insecure-ducha-test-key-do-not-use-in-production"  # noqa: S105  # nosec B105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# Everything a test run writes lives under var/test: the embedded broker's folders and media
# (tests/conftest.py also points MEDIA_ROOT at each test's tmp_path).
VAR_DIR = VAR_DIR / "test"
MEDIA_ROOT = VAR_DIR / "media"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrency tests need real SQLite locking (busy_timeout).
    # One file per test process, so parallel runs never share a test database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

# Parallel test workers share one Redis: each gets a cache database of its own (the cache's, then
# the next ones: gw0, gw1 …), since cache.clear() empties its whole database (FLUSHDB).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if CACHE_URL and _XDIST_WORKER:
    _worker_db = redis_db(CACHE_URL, "CACHE_URL") + int(_XDIST_WORKER.removeprefix("gw"))
    if REDIS_URL and _worker_db == redis_db(REDIS_URL, "REDIS_URL"):
        raise ImproperlyConfigured(f"test worker {_XDIST_WORKER}'s cache database is the broker's")
    _worker_cache = redis_url_with_db(CACHE_URL, _worker_db, f"CACHE_URL of test worker {_XDIST_WORKER}")
    for _alias in CACHES.values():
        _alias["LOCATION"] = _worker_cache

# Tasks run in the test's own process, at once (CI's real-broker run sets this to 0).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
# No login throttling: tests log in hundreds of times from one address.
AXES_ENABLED = env_bool("AXES_ENABLED", False)
# Plain HTTP test client; no manifest of collected static files.
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
globals().update(https_settings(SECURE_HTTPS))
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Figures of one test must not answer the next one; tests of the cache turn it on. (The row
# cache stays on, so that the whole suite runs through it.)
DUCHA_FIGURES_CACHE_SECONDS = env_int("DUCHA_FIGURES_CACHE_SECONDS", 0, minimum=0)
# Tests create hundreds of users; PBKDF2 would dominate the run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
