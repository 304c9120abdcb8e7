from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from django.db.models import Q

        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, RetentionRule, register
        from supervision.models import Role

        from . import dashboard, demo, schedules
        from .models import ComplaintStatus

        office = (Role.SUPERVISOR, Role.ADMINISTRATOR)
        register(
            Channel(
                app=self.label,
                dashboard_panels=dashboard.panels,
                queues=dashboard.queues,
                demo_seed=demo.seed,
                schedules=tuple(schedules.DEFAULT_SCHEDULES),
                # A complaint is over once closed, or once refused (counted from its receipt).
                retention=(
                    RetentionRule(
                        key="complaints",
                        model="complaints.Complaint",
                        over=(
                            (Q(status=ComplaintStatus.CLOSED), "closed_at"),
                            (Q(status=ComplaintStatus.NOT_ACCEPTED), "received_at"),
                        ),
                        mask=("complainant_name",),
                        blank=("complainant_phone", "complainant_email", "complainant_key"),
                    ),
                ),
                # Heads see one link (their department's complaints), callers the ones they took.
                nav=(
                    NavMenu(
                        _("Complaints"),
                        (
                            NavEntry(
                                _("Complaint list"), "complaints:list", audience=(*office, Role.DEPT_HEAD)
                            ),
                            NavEntry(
                                _("My complaints"), "complaints:list", audience=(Role.FOLLOWUP, Role.DESK)
                            ),
                            NavEntry(_("Record a complaint"), "complaints:create"),
                            NavEntry(_("Complaint figures"), "complaints:figures"),
                            NavEntry(_("Working-day calendar"), "complaints:calendar", audience=office),
                            NavEntry(_("Reply templates"), "complaints:template_list"),
                            NavEntry(_("Public complaint page"), "complaints:public_form", audience=office),
                        ),
                    ),
                ),
                selectors="complaints.selectors",
                report_sections=(ReportSection("complaints", 50),),
            )
        )
