from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The integration API (``/api/v1/``): the hospital's other systems push discharges, departments
    and staff and read figures, findings and orders. It sits above the channels, as reports does:
    it reads their selectors and runs their import specifications; nothing imports it."""

    name = "api"
    verbose_name = _("Integration API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Not a channel (no pages, panels or menu): the contract carries only its beat job.
        from supervision.channels import Channel, register
        from supervision.schedules import Job

        from . import (
            schema,  # noqa: F401 - registers the key scheme with drf-spectacular
            webhooks,
        )

        webhooks.connect()
        register(
            Channel(
                app=self.label,
                schedules=(
                    Job("Webhook 补发 webhook sweep", "api.webhook_sweep", interval_minutes=10),
                    Job("HIS 出院数据拉取 HIS discharge pull", "api.his_pull", minute="30", hour="2"),
                ),
            )
        )
