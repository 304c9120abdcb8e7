from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # The channel contract (supervision.channels): everything this app gives the core.
        from django.db.models import Q

        from supervision.channels import (
            Channel,
            NavEntry,
            NavMenu,
            ReportSection,
            RetentionLink,
            RetentionRule,
            register,
        )
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
                        # The case's texts keep their content but not the complainant's name or phone.
                        scrub=(
                            "content",
                            "answer_text",
                            "not_accepted_reason",
                            "determination_note",
                            "dispute_note",
                        ),
                    ),
                    # The letters as printed: their text scrubbed, the PDF (which prints the name) deleted.
                    RetentionLink(
                        rule="complaints",
                        model="complaints.ComplaintLetter",
                        field="complaint",
                        scrub=("body",),
                        files=("pdf",),
                    ),
                    # What the complainant sent (a letter, a photo): the files deleted, the names scrubbed.
                    RetentionLink(
                        rule="complaints",
                        model="complaints.ComplaintAttachment",
                        field="complaint",
                        scrub=("original_name", "note"),
                        files=("file",),
                    ),
                    RetentionLink(
                        rule="complaints",
                        model="complaints.ComplaintTransition",
                        field="complaint",
                        scrub=("comment", "comment_params"),
                    ),
                    RetentionLink(
                        rule="complaints",
                        model="complaints.ComplaintAssignment",
                        field="complaint",
                        scrub=("instructions", "reply"),
                    ),
                    RetentionLink(
                        rule="complaints",
                        model="complaints.ComplaintPause",
                        field="complaint",
                        scrub=("reason",),
                    ),
                    RetentionLink(
                        rule="complaints",
                        model="complaints.OwnerChange",
                        field="complaint",
                        scrub=("note",),
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
