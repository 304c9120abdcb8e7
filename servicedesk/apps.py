from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from django.db.models import Q

        from complaints.models import ComplaintStatus
        from supervision.channels import Channel, NavEntry, NavMenu, ReportSection, RetentionRule, register
        from supervision.models import Role

        from . import dashboard, demo, people

        register(
            Channel(
                app=self.label,
                person_record=people.RECORD,
                # Desk staff are users, not (only) roster staff: the people page links to their work.
                people_pages=(NavEntry(_("Desk work by person"), "servicedesk:work"),),
                dashboard_panels=dashboard.panels,
                demo_seed=demo.seed,
                # A slip's writer and phone (a patient's contact data): a slip is over when its box
                # was opened, or, turned into a complaint, once that complaint is over (as the
                # complaint's own rule counts it), so the office can still answer the writer.
                retention=(
                    RetentionRule(
                        key="suggestion slips",
                        model="servicedesk.Slip",
                        over=(
                            (Q(complaint__isnull=True), "opening__opened_on"),
                            (Q(complaint__status=ComplaintStatus.CLOSED), "complaint__closed_at"),
                            (Q(complaint__status=ComplaintStatus.NOT_ACCEPTED), "complaint__received_at"),
                        ),
                        mask=("writer",),
                        blank=("writer_phone",),
                    ),
                ),
                nav=(
                    NavMenu(
                        _("Service desk"),
                        (
                            NavEntry(_("Desk log"), "servicedesk:log"),
                            NavEntry(_("Log entries"), "servicedesk:entries"),
                            NavEntry(_("My work"), "servicedesk:work", audience=(Role.DESK,)),
                            NavEntry(
                                _("Desk work by person"),
                                "servicedesk:work",
                                audience=(Role.SUPERVISOR, Role.ADMINISTRATOR),
                            ),
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
