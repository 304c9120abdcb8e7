from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, register

        from . import dashboard, demo, people, schedules

        register(
            Channel(
                app=self.label,
                person_record=people.RECORD,
                dashboard_panels=dashboard.panels,
                demo_seed=demo.seed,
                schedules=tuple(schedules.DEFAULT_SCHEDULES),
                nav=(
                    NavMenu(
                        _("Surveys"),
                        (
                            NavEntry(_("Satisfaction results"), "surveys:results"),
                            NavEntry(_("Questionnaires returned"), "surveys:response_list"),
                            NavEntry(_("Survey campaigns"), "surveys:campaign_list"),
                            NavEntry(_("Paper entry"), "surveys:paper_index"),
                            NavEntry(
                                _("Questionnaire builder"), "surveys:questionnaire_list", divider_before=True
                            ),
                            NavEntry(_("Match praise to staff"), "surveys:praise_list"),
                        ),
                    ),
                ),
                selectors="surveys.selectors",
                # The alerts on unhappy patients are the core's; their section follows the survey's.
                report_sections=(ReportSection("surveys", 30), ReportSection("alerts", 35)),
            )
        )
