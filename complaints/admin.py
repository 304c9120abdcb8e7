from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.admin import TransitionRecordInline

from .models import (
    CalendarDay,
    CalendarYear,
    Complaint,
    ComplaintAssignment,
    ComplaintPause,
    ComplaintTransition,
    NotAcceptedReason,
    OwnerChange,
)


@admin.register(NotAcceptedReason)
class NotAcceptedReasonAdmin(admin.ModelAdmin):
    """The list a complaint is not accepted (不予受理) from; deactivate a reason rather than delete it."""

    list_display = ["name", "code", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    ordering = ["sort_order", "code"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "source"]
    list_filter = ["complete"]
    fieldsets = [
        (
            None,
            {
                "fields": ["year", "complete", "source", "note"],
                "description": _(
                    "Enter every public holiday and every 调休 working weekend day of the State Council's "
                    "notice as calendar exceptions, then tick “complete”. The 2027 schedule was not "
                    "published when Ducha was installed: only 元旦, 劳动节 and 国庆节 on their fixed dates "
                    "are entered; complete 2027 when the notice appears."
                ),
            },
        )
    ]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]


class AssignmentInline(admin.TabularInline):
    model = ComplaintAssignment
    extra = 0
    readonly_fields = [
        "department",
        "assigned_at",
        "assigned_by",
        "instructions",
        "reply",
        "replied_at",
        "replied_by",
    ]
    can_delete = False


class TransitionInline(TransitionRecordInline):
    model = ComplaintTransition


class PauseInline(admin.TabularInline):
    model = ComplaintPause
    extra = 0
    fields = readonly_fields = [
        "kind",
        "reason",
        "started_at",
        "started_by",
        "ended_at",
        "ended_by",
        "working_days",
    ]
    can_delete = False


class OwnerInline(admin.TabularInline):
    model = OwnerChange
    extra = 0
    fields = readonly_fields = ["owner", "previous_owner", "changed_by", "at", "note_text"]
    can_delete = False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: the workflow runs through the complaint pages, where every step is guarded."""

    list_display = ["number", "channel", "status", "received_at", "department", "owner", "answer_due"]
    list_filter = ["status", "channel", "determination"]
    search_fields = ["number", "tracking_code", "referral_no"]
    list_select_related = ["department", "owner"]
    show_full_result_count = False
    inlines = [AssignmentInline, PauseInline, OwnerInline, TransitionInline]
    exclude = ["complainant_phone", "complainant_email", "complainant_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
