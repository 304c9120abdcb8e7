"""Ducha settings, driven by the environment (the test settings, supervision/settings_test.py,
import this module and override what tests need).

Every value that can come from the environment is read through the small parsers
below; a malformed value stops start-up with ImproperlyConfigured naming the
variable, so a typo in docker-compose never becomes a half-working hospital system.
With no environment at all the app runs on the *embedded default*: SQLite under
var/ and a file-system Celery broker that needs no server.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DUCHA_VAR_DIR", BASE_DIR / "var"))


# --- environment parsers -----------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- core ------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
# Demo mode (`make run`): the login page names the demo accounts and their password. Never on a
# real installation.
DUCHA_DEMO = env_bool("DUCHA_DEMO", False)

# Development only: a fixed, obviously unsafe key. With DEBUG off SECRET_KEY and ALLOWED_HOSTS are
# required by the deployment check supervision/infra/checks.py (run by `check --deploy` and by the web
# server at start, supervision/wsgi.py), not here: source-tree commands (makemigrations,
# makemessages …) need neither, and anything else that used an empty key fails loudly in Django.
DEVELOPMENT_SECRET_KEY = "django-insecure-ducha-development-key-do-not-use-in-production"  # noqa: S105  # nosec B105 # DEBUG-only
SECRET_KEY = os.environ.get("SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with http:// or https://."
        )

HOSPITAL_NAME = os.environ.get("HOSPITAL_NAME", "示范人民医院")
# Reports (docs/reports.md): departments with their own run chart per channel, and the rows of a
# per-department table or long list that a monthly or range report's PDF shows (the workbook has all).
REPORTS_RUN_CHART_DEPARTMENTS = env_int("REPORTS_RUN_CHART_DEPARTMENTS", 12, minimum=0)
# Rows of a per-department table in a month's or range's PDF: the ten that most need attention, as
# the office's monthly reports name them; the workbook has every row (docs/reports.md → "Long tables").
REPORTS_PDF_LIST_ROWS = env_int("REPORTS_PDF_LIST_ROWS", 10, minimum=1)
# Departments in a month's or range's PDF table of per-department run charts (sparklines): the ones
# with the most data; the annual summary and the workbook chart every one (docs/reports.md → "The PDF").
REPORTS_PDF_RUN_CHART_ROWS = env_int("REPORTS_PDF_RUN_CHART_ROWS", 6, minimum=1)
# Decimals every rate is shown with on pages, in reports and in workbook formats (supervision/rates.py):
# hospital reports and the national indicators write two (92.26 %).
RATE_DECIMALS = env_int("RATE_DECIMALS", 2, minimum=0)
if RATE_DECIMALS > 6:
    raise ImproperlyConfigured(f"RATE_DECIMALS={RATE_DECIMALS} must be at most 6.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "supervision",
    "inspections",
    "followups",
    "complaints",
    "surveys",
    "servicedesk",
    "reports",
    "api",
    # After the apps: for a msgid in both, our catalogues' wording wins over DRF's.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "supervision.infra.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supervision.infra.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "supervision.infra.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the final authentication outcome of the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "supervision.urls"
WSGI_APPLICATION = "supervision.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supervision.context_processors.ducha",
            ],
        },
    },
]

# --- database --------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    _scheme = urlparse(DATABASE_URL).scheme
    if _scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has scheme {_scheme!r}; use postgresql://user:password@host:5432/name or sqlite:///path."
        )
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "ducha.sqlite3"}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the one writer proceed together; IMMEDIATE transactions take the
    # write lock at BEGIN, so web and worker queue on busy_timeout instead of failing an
    # upgrade from read to write lock with "database is locked".
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-20000;"
        ),
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker, Celery ------------------------------------------------------------------


def filesystem_broker_options(var_dir: Path) -> dict:
    broker_dir = var_dir / "celery"
    return {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "control_folder": str(broker_dir / "control"),
        "store_processed": False,
    }


# Redis' default number of databases (redis.conf `databases 16`).
REDIS_DATABASES = 16


def redis_db(url: str, name: str) -> int:
    """The database number of a redis:// URL (``/N`` or ``?db=N``; 0 when absent)."""
    parts = urlparse(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name}={url!r} must start with redis:// or rediss://.")
    raw = dict(parse_qsl(parts.query)).get("db") or parts.path.strip("/") or "0"
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={url!r} names the Redis database {raw!r}; use a number."
        ) from None


def redis_url_with_db(url: str, db: int, name: str) -> str:
    if not 0 <= db < REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"{name}: the cache would use Redis database {db}, past the default {REDIS_DATABASES}; "
            "use a lower database in REDIS_URL or set CACHE_URL."
        )
    parts = urlparse(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "db"])
    return parts._replace(path=f"/{db}", query=query).geturl()


def redis_cache(location: str, key_prefix: str) -> dict:
    """django-redis with IGNORE_EXCEPTIONS: while Redis is unreachable every call answers as an
    empty cache would (get → default, add/incr → None, writes dropped) instead of raising, so an
    outage never turns a page into an error. Nothing Ducha keeps in the cache is the only copy of
    anything (figures, rendered rows, rate-limit counters, enqueue debounce keys); rate limits fail
    open meanwhile (RATELIMIT_FAIL_OPEN)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": True,
        },
    }


REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache has a Redis database of its own, never the broker's: clearing a cache (FLUSHDB) must not
# delete the Celery queues. By default the database after REDIS_URL's (redis://redis:6379/0 → /1).
CACHE_URL = os.environ.get("CACHE_URL", "")
if REDIS_URL:
    _broker_db = redis_db(REDIS_URL, "REDIS_URL")
    if not CACHE_URL:
        CACHE_URL = redis_url_with_db(REDIS_URL, _broker_db + 1, "REDIS_URL")
if CACHE_URL:
    _cache_db = redis_db(CACHE_URL, "CACHE_URL")
    if REDIS_URL and (urlparse(CACHE_URL).netloc, _cache_db) == (urlparse(REDIS_URL).netloc, _broker_db):
        raise ImproperlyConfigured(
            "CACHE_URL names the broker's Redis database (REDIS_URL); give the cache another one."
        )

# A hung Redis must fail fast: 2 s for connect and for each socket operation of the broker (an
# enqueue gives up and the sweep picks the work up). A cache answer later than 0.1 s is worth less
# than recomputing it (a Redis on the LAN answers in well under a millisecond): django-redis tries
# Redis on every call, so this bounds what each cache call costs while Redis hangs (a frozen Redis:
# the dashboard in ~2 s instead of ~9 s with 0.5 s, docs/fault-drills.md).
BROKER_SOCKET_TIMEOUT = 2
CACHE_SOCKET_TIMEOUT = 0.1
# One warning line per cache call that Redis failed (supervision.infra.logs.CacheOutageAsOneLine).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "ducha.cache"

if CACHE_URL:
    CACHES = {
        "default": redis_cache(CACHE_URL, "ducha"),
        # Rendered list rows (supervision/infra/fragments.py) under their own prefix: same database, own alias.
        "fragments": redis_cache(CACHE_URL, "ducha-fragments"),
    }
else:
    CACHES = {
        # 5,000 entries rather than Django's 300: figures per scope and language, their rendered HTML and
        # the rate-limit counters of the public forms would otherwise cull one another on a busy day.
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ducha",
            "OPTIONS": {"MAX_ENTRIES": 5_000},
        },
        # Rendered list rows (supervision/infra/fragments.py): many small entries, in their own store so that
        # their churn never culls the figures or the rate-limit counters (a local-memory cache keeps
        # 300 entries by default and drops a third of them when full). About 1 KB a row.
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ducha-fragments",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": BROKER_SOCKET_TIMEOUT,
        "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
        "max_retries": 1,
        "visibility_timeout": 3600,
    }
else:
    # The embedded broker: kombu's file-system transport. Web, worker and beat on one machine
    # exchange messages through files under var/celery; no server to install or run.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR)

CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never retries inside a web request; the work is already recorded in the
# database and a periodic sweep picks it up when the broker is back.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = None  # set below from TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Eager only in tests (settings_test; never in CI's real-broker run, which sets it to 0).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True

# --- auth ------------------------------------------------------------------------------------

AUTH_USER_MODEL = "supervision.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (supervision.infra.lockout): five failures lock the username at that address,
# twenty failures on any usernames lock the address, for 30 minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
LOGIN_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_FAILURE_LIMIT = "supervision.infra.lockout.failure_limit"
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = "supervision.infra.lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address behind the reverse proxy: one rule (supervision.infra.addresses) for the
# lock-out, the public forms' rate limits and the reveal log. 0 = not behind a proxy: the
# X-Forwarded-For header is never read; n = the client is the n-th entry from its right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "supervision.infra.addresses.client_ip"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)  # one shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle timeout rather than absolute: the expiry slides with use, refreshed at most once a minute
# (supervision.infra.middleware.SessionIdleRefreshMiddleware) instead of a write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=1)

# --- i18n ------------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# English dates in one style and a 24-hour clock (supervision/formats/en/formats.py).
FORMAT_MODULE_PATH = ["supervision.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-filter's empty choice of a select filter: "全部" ("---------" reads as nothing to a hospital
# user; the lists' filters give the same label themselves). Its "null" choice stays off.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not a known IANA time zone (e.g. Asia/Shanghai)."
    ) from None
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- static and media ------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Media is never served by URL: attachments go through a view that checks the reader's scope.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# WhiteNoise compresses every collected file (gzip and brotli at its highest level) at each
# collectstatic. Its default list of already-compressed kinds, plus source maps: only a developer's
# browser tools read them, yet brotli on the API docs' 2–4 MB maps took most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv"),
    *("woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv"),
    "map",
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# A finding's "found at" lies in a sane window: at most this many days back (findings copied late
# from a paper round), and not in the future beyond a device clock running a little fast.
FINDING_BACKDATE_DAYS = env_int("FINDING_BACKDATE_DAYS", 730, minimum=1)
FINDING_CLOCK_SKEW_MINUTES = 10

# --- e-mail ----------------------------------------------------------------------------------

EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
_email = urlparse(EMAIL_URL)
if _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.scheme == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif _email.scheme == "file":
    # One file per e-mail sent, in a folder (file:///srv/mail, or file:var/mail under the project):
    # `make run` keeps the demo's e-mails out of the console this way.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / ((_email.netloc + _email.path) or "var/mail")
elif _email.scheme in {"smtp", "smtps", "smtp+tls"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    if not _email.hostname:
        raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://user:password@mail.hospital.cn:587")
    EMAIL_HOST = _email.hostname
    try:
        EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port.") from None
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_TIMEOUT = 10
else:
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {_email.scheme!r} is not supported; use console://, file:///folder, smtp://, smtps:// or smtp+tls://."
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ducha@localhost")
# A notice's e-mail that fails is tried again after 5, 10, 20 … minutes (at most 6 hours apart) and
# given up after this many attempts (logged; the admin lists it; the notice stays in the app).
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 8, minimum=1)
# The address staff open Ducha at, for the links in e-mails (sent by Celery, with no request to
# take the host from). Without it an e-mail names the page by its path only.
DUCHA_BASE_URL = os.environ.get("DUCHA_BASE_URL", "").strip().rstrip("/")
if DUCHA_BASE_URL:
    _base = urlparse(DUCHA_BASE_URL)
    if _base.scheme not in {"http", "https"} or not _base.hostname or _base.query or _base.fragment:
        raise ImproperlyConfigured(
            f"DUCHA_BASE_URL {DUCHA_BASE_URL!r} is not an address; use e.g. https://ducha.hospital.cn"
        )
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security --------------------------------------------------------------------------------


def https_settings(https: bool) -> dict:
    """Secure cookies, the redirect to HTTPS and HSTS, all on or all off with SECURE_HTTPS."""
    hsts = env_int("SECURE_HSTS_SECONDS", 31536000 if https else 0, minimum=0)
    return {
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_SSL_REDIRECT": https and env_bool("SECURE_SSL_REDIRECT", True),
        "SECURE_HSTS_SECONDS": hsts,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": hsts > 0,
        "SECURE_HSTS_PRELOAD": hsts > 0,
    }


SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
globals().update(https_settings(SECURE_HTTPS))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", True) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []
# The pages the service worker may keep for opening without a connection (templates/sw.js; the view
# must also mark the response, supervision.infra.offline.keep_offline). Every other page is left to
# the browser, downloads included.
DUCHA_OFFLINE_PAGES = ["/inspections/rounds/"]
# Content-Security-Policy (django-csp; supervision.infra.middleware adds the admin's exception). No inline
# script or style anywhere and no nonces: page scripts are static files, charts read json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
    }
}

# --- third party -----------------------------------------------------------------------------

# Public-form rate limits count in the cache; while Redis is down they let requests through
# (the honeypot and the signed timestamp still apply) instead of refusing every patient.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = "supervision.infra.addresses.client_ip_for_limits"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is a record, not an undo button

# The integration API (api/, docs/api.md): API keys only (no session, so no CSRF), JSON only;
# each key's own rate limit (api.auth.KeyRateThrottle) counts in the shared cache.
# The nightly HIS pull (api/his.py): a read-only account on the HIS vendor's database view.
HIS_DATABASE_URL = os.environ.get("HIS_DATABASE_URL", "").strip()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ducha API",
    "DESCRIPTION": "Push discharges, departments and staff; read figures, findings and orders. docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public (they hold no data); every data endpoint needs a key.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI's files from drf-spectacular-sidecar (static files), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "supervision.models.OrderStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "refusals_without_traceback": {"()": "supervision.infra.logs.RefusalsWithoutTraceback"},
        "cache_outage_as_one_line": {"()": "supervision.infra.logs.CacheOutageAsOneLine"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "ducha.cache": {"filters": ["cache_outage_as_one_line"]},
        # WeasyPrint and fontTools log every layout step and subset at INFO: a report would fill
        # the worker's log with hundreds of lines.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Labels used for the roles and areas in the navigation; kept here for the context processor.
DUCHA_PAGE_SIZE = 25
# Dashboard panels and results figures are cached this long per scope (supervision/infra/figcache.py,
# docs/performance.md); lists of a user's own actionable items are never cached.
DUCHA_FIGURES_CACHE_SECONDS = env_int("DUCHA_FIGURES_CACHE_SECONDS", 90, minimum=0)
# Rendered rows of long lists, keyed by their content (supervision/infra/fragments.py): a changed row is a
# new key, so this bounds only how long an unseen row keeps its memory.
DUCHA_ROW_CACHE_SECONDS = env_int("DUCHA_ROW_CACHE_SECONDS", 600, minimum=0)
DUCHA_NAME = _("Ducha service supervision")
