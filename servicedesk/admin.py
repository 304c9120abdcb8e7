from django.contrib import admin

from .models import (
    BoxOpening,
    DeskEntry,
    KnowledgeEntry,
    KnowledgeFlag,
    ServiceCentre,
    ServiceKind,
    Slip,
    SuggestionBox,
)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "active")
    filter_horizontal = ("members", "leads")


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("name", "sort_order", "active")
    list_editable = ("sort_order", "active")


@admin.register(DeskEntry)
class DeskEntryAdmin(admin.ModelAdmin):
    list_display = ("recorded_at", "centre", "kind", "department", "recorded_by")
    list_filter = ("kind", "centre")
    list_select_related = ("centre", "department", "recorded_by")
    raw_id_fields = ("complaint",)
    date_hierarchy = "recorded_at"


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "department", "owner", "review_due", "active")
    list_filter = ("kind", "active")
    search_fields = ("title", "initials")


@admin.register(KnowledgeFlag)
class KnowledgeFlagAdmin(admin.ModelAdmin):
    list_display = ("entry", "flagged_by", "flagged_at", "resolved_at")


@admin.register(SuggestionBox)
class SuggestionBoxAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "department", "opening_weekday", "active")


class SlipInline(admin.TabularInline):
    model = Slip
    extra = 0
    raw_id_fields = ("complaint", "staff")


@admin.register(BoxOpening)
class BoxOpeningAdmin(admin.ModelAdmin):
    list_display = ("box", "opened_on", "opened_by")
    inlines = [SlipInline]
