from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, register

        from . import dashboard, demo, people, schedules

        register(
            Channel(
                app=self.label,
                person_record=people.RECORD,
                dashboard_panels=dashboard.panels,
                queues=dashboard.queues,
                demo_seed=demo.seed,
                schedules=tuple(schedules.DEFAULT_SCHEDULES),
                nav=(
                    NavMenu(
                        _("Inspections"),
                        (
                            NavEntry(_("New round"), "inspections:round_create", icon="plus-lg"),
                            NavEntry(_("Inspection rounds"), "inspections:round_list"),
                            NavEntry(_("Coverage this month"), "inspections:coverage"),
                            NavEntry(_("Inspection plan"), "inspections:plan"),
                            NavEntry(_("Inspection schedule"), "inspections:schedule"),
                            NavEntry(_("Hand-rub consumption"), "inspections:hand_rub"),
                            NavEntry(_("Checklists"), "inspections:template_list"),
                            NavEntry(_("Chart audits"), "inspections:audit_list", divider_before=True),
                            NavEntry(_("Monthly chart samples"), "inspections:sample_list"),
                            NavEntry(_("Appeals"), "inspections:appeal_list"),
                            NavEntry(_("Inspection figures"), "inspections:figures", divider_before=True),
                        ),
                    ),
                ),
                selectors="inspections.selectors",
                report_sections=(ReportSection("inspections", 10), ReportSection("chart_audits", 20)),
            )
        )
