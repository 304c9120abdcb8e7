from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.admin import TransitionRecordInline
from supervision.privacy import mask_name, mask_phone

from . import outcomes
from .models import (
    CallAttempt,
    CallerAlias,
    DissatisfactionDomain,
    DissatisfactionTopic,
    DutyRoster,
    FollowupPolicy,
    FollowupTask,
    GuidanceKind,
    PatientFlag,
    QueueDraw,
    SpotCheck,
    SpotCheckDraw,
    StarWard,
    TaskTransition,
)


def masked_patient_key(key: str) -> str:
    """A name|phone key by the one masking rule: 张** 138****8000."""
    name, _sep, phone = (key or "").partition("|")
    return f"{mask_name(name)} {mask_phone(phone)}".strip()


@admin.register(FollowupPolicy)
class FollowupPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "active",
        "share_percent",
        "window_start_day",
        "window_end_day",
        "max_attempts",
    ]


@admin.register(DutyRoster)
class DutyRosterAdmin(admin.ModelAdmin):
    list_display = ["day", "user"]
    list_filter = ["day"]
    autocomplete_fields = ["user"]


@admin.register(QueueDraw)
class QueueDrawAdmin(admin.ModelAdmin):
    list_display = ["built_on", "department", "discharged_on", "sequence", "seed"]
    list_filter = ["built_on"]
    readonly_fields = [f.name for f in QueueDraw._meta.fields]


class AttemptInline(admin.TabularInline):
    model = CallAttempt
    extra = 0
    fields = ["attempted_at", "caller", "caller_name", "outcome", "disposition", "contacted"]
    readonly_fields = fields
    can_delete = False


class TransitionInline(TransitionRecordInline):
    model = TaskTransition


@admin.register(FollowupTask)
class FollowupTaskAdmin(admin.ModelAdmin):
    # patient_key is name|phone: shown masked by the one masking rule, never in full (the full
    # number is revealed, and logged, only on the call screen).
    list_display = ["stay", "department", "status", "disposition", "due_on", "assigned_to", "attempt_count"]
    list_filter = ["status", "disposition", "department"]
    list_select_related = ["stay", "department", "assigned_to"]
    raw_id_fields = ["stay", "draw"]
    search_fields = ["stay__admission_no"]
    inlines = [AttemptInline, TransitionInline]
    exclude = ["patient_key"]
    readonly_fields = [
        "masked_patient",
        "contacted",
        "disposition",
        "attempt_count",
        "claimed_by",
        "claim_expires_at",
    ]

    @admin.display(description=_("patient"))
    def masked_patient(self, obj):
        return masked_patient_key(obj.patient_key)

    # A task added, moved to another stay or deleted here changes its stays' follow-up flags
    # (followups.outcomes): recomputed from the tasks in the admin's own transaction.
    def save_model(self, request, obj, form, change):
        before = (
            FollowupTask.objects.filter(pk=obj.pk).values_list("stay_id", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        outcomes.stays_refresh({obj.stay_id, before} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        outcomes.stays_refresh([obj.stay_id])

    def delete_queryset(self, request, queryset):
        stay_ids = set(queryset.values_list("stay_id", flat=True))
        super().delete_queryset(request, queryset)
        outcomes.stays_refresh(stay_ids)


@admin.register(PatientFlag)
class PatientFlagAdmin(admin.ModelAdmin):
    # The key is name|phone: shown masked by the one masking rule; searching by the full key
    # (someone who already knows name and phone) still works.
    list_display = ["masked_key", "deceased", "opted_out", "recorded_at"]
    search_fields = ["=patient_key"]
    exclude = ["patient_key"]
    readonly_fields = ["masked_key", "stay", "recorded_by", "recorded_at"]

    @admin.display(description=_("patient"))
    def masked_key(self, obj):
        return masked_patient_key(obj.patient_key)


@admin.register(SpotCheckDraw)
class SpotCheckDrawAdmin(admin.ModelAdmin):
    list_display = ["drawn_at", "drawn_by", "period_start", "period_end", "requested_size", "population"]


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    # The draw sets task and attempt: shown by the stay, never a drop-down of every task in the hospital.
    list_display = ["draw", "task__stay__admission_no", "caller", "department", "result", "checked_at"]
    list_filter = ["result"]
    list_select_related = ["draw", "task__stay", "caller", "department"]
    raw_id_fields = ["draw", "caller", "checked_by"]
    exclude = ["task", "attempt"]
    readonly_fields = ["stay"]

    @admin.display(description=_("stay"))
    def stay(self, obj):
        return obj.task.stay if obj.pk else ""


@admin.register(DissatisfactionDomain, GuidanceKind)
class CodingAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]


@admin.register(DissatisfactionTopic)
class DissatisfactionTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "domain", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    list_filter = ["domain", "active"]


@admin.register(CallerAlias)
class CallerAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "user"]
    search_fields = ["name", "user__full_name", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(StarWard)
class StarWardAdmin(admin.ModelAdmin):
    list_display = ["year", "department", "designated_by", "designated_at"]
    list_filter = ["year"]
