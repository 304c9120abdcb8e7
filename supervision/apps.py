from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_default_schedules(sender, app_config=None, **kwargs):
    """After migrate: create the core's beat jobs and every channel's (never overwriting edits)."""
    from django.conf import settings

    from .channels import channels
    from .schedules import DEFAULT_SCHEDULES, ensure_schedules

    if app_config is None or app_config.label != "supervision":
        return
    jobs = [*DEFAULT_SCHEDULES, *(job for channel in channels() for job in channel.schedules)]
    ensure_schedules(jobs, settings.TIME_ZONE)


def install_roles(sender, app_config=None, **kwargs):
    from django.contrib.auth.models import Group

    from .models import Role

    if app_config is None or app_config.label != "supervision":
        return
    for role in Role.values:
        Group.objects.get_or_create(name=role)


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from .infra import checks  # noqa: F401  (registers the deployment check)

        post_migrate.connect(install_roles, dispatch_uid="ducha_roles")
        # Runs after every app's migrations, since the supervision sender fires once per migrate.
        post_migrate.connect(install_default_schedules, dispatch_uid="ducha_schedules")
        from django.contrib.auth.signals import user_logged_in

        from .infra.middleware import mark_session_refreshed

        # Log-in saves the session anyway: stamp it, so the first page after it writes nothing.
        user_logged_in.connect(mark_session_refreshed, dispatch_uid="ducha_session_refreshed")
