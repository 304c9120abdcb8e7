from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from supervision.channels import Channel, NavEntry, NavMenu, register

        from . import demo

        register(
            Channel(
                app=self.label,
                demo_seed=demo.seed,
                nav=(
                    NavMenu(
                        _("Service desk"),
                        (
                            NavEntry(_("Desk log"), "servicedesk:log"),
                            NavEntry(_("Log entries"), "servicedesk:entries"),
                        ),
                    ),
                ),
            )
        )
