from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Followups")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from django.db.models import Q

        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, RetentionLink, register

        from . import dashboard, demo, people, schedules, selectors
        from .models import OPEN_TASK_STATUSES

        register(
            Channel(
                app=self.label,
                person_record=people.RECORD,
                dashboard_panels=dashboard.panels,
                queues=dashboard.queues,
                demo_seed=demo.seed,
                schedules=tuple(schedules.DEFAULT_SCHEDULES),
                # A discharged stay keeps its contact data while a call is still to be made; its
                # task loses the patient's name + phone key with the stay's.
                retention=(
                    RetentionLink(
                        rule="discharge stays",
                        model="followups.FollowupTask",
                        field="stay",
                        open=Q(status__in=OPEN_TASK_STATUSES),
                        blank=("patient_key",),
                    ),
                ),
                nav=(
                    NavMenu(
                        _("Follow-up"),
                        (
                            NavEntry(_("My calls today"), "followups:my_tasks"),
                            NavEntry(_("Follow-up tasks"), "followups:task_list"),
                            NavEntry(_("Follow-up rate"), "followups:figures"),
                            NavEntry(_("What patients said"), "followups:feedback_list"),
                            NavEntry(
                                _("Spot-checks (回访核查)"), "followups:spotcheck_list", divider_before=True
                            ),
                            NavEntry(_("Letters to send"), "followups:letter_list"),
                            NavEntry(_("Policies and queue"), "followups:policy_list"),
                            NavEntry(_("Follow-up plans"), "followups:plan_list"),
                            NavEntry(_("Duty roster"), "followups:roster"),
                            NavEntry(_("Star wards"), "followups:star_wards"),
                            NavEntry(_("Discharged stays"), "followups:stay_list"),
                            NavEntry(_("Import discharges"), "followups:import_page", args=("discharges",)),
                            NavEntry(_("Import past follow-ups"), "followups:import_page", args=("history",)),
                        ),
                    ),
                ),
                selectors="followups.selectors",
                report_sections=(ReportSection("followups", 40),),
                do_not_contact=selectors.patient_do_not_contact,
            )
        )
