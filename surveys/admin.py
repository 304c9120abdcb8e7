from django.contrib import admin

from .models import AlertThreshold, Campaign, Distribution, Questionnaire, SurveyResponse


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "version", "status", "published_at")
    list_filter = ("status", "code")
    readonly_fields = ("code", "version", "status", "published_at", "published_by", "created_by")

    def has_add_permission(self, request):
        return False  # the builder page creates versions


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "questionnaire", "start", "end", "status", "target_count")
    list_filter = ("status",)


@admin.register(Distribution)
class DistributionAdmin(admin.ModelAdmin):
    list_display = ("campaign", "department", "distributed_on", "count")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("id", "submitted_on", "department", "channel", "is_valid", "low_count")
    list_filter = ("channel", "is_valid")
    list_select_related = ("department",)

    def has_change_permission(self, request, obj=None):
        return False  # answers are records; they are never edited

    def has_add_permission(self, request):
        return False


@admin.register(AlertThreshold)
class AlertThresholdAdmin(admin.ModelAdmin):
    """Where the office sets when a low score raises an alert on an unhappy patient (issue 17)."""

    list_display = ("__str__", "question", "dimension", "at_or_below", "active")
    list_filter = ("active", "dimension")
    raw_id_fields = ("question",)
