from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, register

        from . import dashboard, demo

        register(
            Channel(
                app=self.label,
                dashboard_panels=dashboard.panels,
                demo_seed=demo.seed,
                nav=(
                    NavMenu(
                        _("Service desk"),
                        (
                            NavEntry(_("Desk log"), "servicedesk:log"),
                            NavEntry(_("Log entries"), "servicedesk:entries"),
                            NavEntry(_("Knowledge base"), "servicedesk:kb", divider_before=True),
                            NavEntry(_("To review"), "servicedesk:kb_review"),
                            NavEntry(_("Suggestion boxes"), "servicedesk:boxes", divider_before=True),
                            NavEntry(_("Praise ledger"), "servicedesk:praise"),
                        ),
                    ),
                ),
                selectors="servicedesk.selectors",
                report_sections=(ReportSection("servicedesk", 60),),
            )
        )
