from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Reports plug into the core by the same contract as a channel (supervision.channels).
        from supervision.channels import Channel, NavEntry, NavMenu, register

        from . import dashboard, demo, schedules

        register(
            Channel(
                app=self.label,
                dashboard_panels=dashboard.panels,
                queues=dashboard.queues,
                demo_seed=demo.seed,
                schedules=tuple(schedules.DEFAULT_SCHEDULES),
                nav=(
                    NavMenu(
                        _("Reports"),
                        (
                            NavEntry(_("Reports"), "reports:list"),
                            NavEntry(_("Written summaries"), "reports:summaries"),
                        ),
                    ),
                ),
            )
        )
