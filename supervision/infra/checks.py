"""The production variables as a Django deployment check.

With DEBUG off the app needs a real SECRET_KEY and the host names it is served under. Checked
here, not while the settings load: source-tree commands (makemigrations, makemessages,
compilemessages, showmigrations, sqlmigrate …) need neither and run on a fresh clone. The check
runs with ``manage.py check --deploy`` and when the web server starts (supervision/wsgi.py, since
gunicorn runs no system checks), so a server without them stops at once, naming the variable.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "ducha_production_variables"
MIN_SECRET_KEY_LENGTH = 32


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_variables(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    if getattr(settings, "DUCHA_DEMO", False):
        # A warning, not an error: `make run` serves the demo with DEBUG off and this flag on.
        errors.append(
            checks.Warning(
                "DUCHA_DEMO is on: the login page names the demo accounts and their password.",
                hint="Leave DUCHA_DEMO unset on a real installation.",
                id="ducha.W001",
            )
        )
    if settings.DEBUG:
        return errors
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    if not key:
        errors.append(
            checks.Error(
                "SECRET_KEY must be set when DEBUG is off.",
                hint="e.g. SECRET_KEY=$(openssl rand -hex 32)",
                id="ducha.E001",
            )
        )
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        errors.append(
            checks.Error(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long when DEBUG is off.",
                id="ducha.E002",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS must list the host names the app is served under when DEBUG is off.",
                hint="e.g. ALLOWED_HOSTS=ducha.hospital.cn",
                id="ducha.E003",
            )
        )
    return errors


def require_production_variables() -> None:
    """Stop a serving process that lacks them (ImproperlyConfigured naming the variables)."""
    problems = [
        message
        for message in checks.run_checks(tags=[TAG], include_deployment_checks=True)
        if message.is_serious()
    ]
    if problems:
        raise ImproperlyConfigured(" ".join(f"{p.msg} ({p.id})" for p in problems))
