from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.admin import SingletonAdmin, TransitionRecordInline

from .models import Report, ReportConfig, ReportEvent


class ReportEventInline(TransitionRecordInline):
    model = ReportEvent


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "period_start",
        "period_end",
        "scope_key",
        "format",
        "status",
        "progress",
        "finished_at",
    )
    list_filter = ("kind", "format", "status")
    readonly_fields = (
        "kind",
        "period_start",
        "period_end",
        "scope_key",
        "departments",
        "format",
        "status",
        "progress",
        "failure_reason",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "file",
        "file_size",
        "build_count",
    )
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReportConfig)
class ReportConfigAdmin(SingletonAdmin):
    fieldsets = (
        (
            _("Targets"),
            {
                "fields": (
                    "target_rectification_rate",
                    "target_on_time_rate",
                    "target_satisfaction",
                    "target_followup_rate",
                    "target_window_wait_minutes",
                    "target_questionnaires_per_year",
                )
            },
        ),
        (
            _("Scorecard weights"),
            {
                "fields": (
                    "weight_rectification",
                    "weight_on_time",
                    "weight_recurrence",
                    "weight_satisfaction",
                    "weight_followup",
                    "weight_complaints",
                    "complaint_penalty",
                    "recurrence_penalty",
                    "min_weight_share",
                )
            },
        ),
    )
