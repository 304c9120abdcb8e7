"""Admin: checklist versions, audit criteria, settings; rounds and samples read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.admin import SingletonAdmin
from supervision.infra.responses import refusals

from . import services
from .models import (
    ChartAudit,
    ChartCriterion,
    ChartSample,
    ChecklistItem,
    ChecklistTemplate,
    InspectionRound,
    InspectionSettings,
    PlanEntry,
    TemplateStatus,
    WindowTarget,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["sort_order", "category", "text", "guidance", "kind"]

    def _locked(self, obj) -> bool:
        return obj is not None and (obj.status != TemplateStatus.DRAFT or obj.is_used)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "area", "status", "published_at"]
    list_filter = ["area", "status"]
    inlines = [ChecklistItemInline]
    actions = ["new_version", "publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and (obj.status != TemplateStatus.DRAFT or obj.is_used):
            return ["code", "version", "name", "area", "status", "created_at", "published_at"]
        return ["version", "status", "created_at", "published_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or (obj.status == TemplateStatus.DRAFT and not obj.is_used)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ChecklistItem:
            return super().save_formset(request, form, formset, change)
        # Items change through the service, which refuses a version that is in use.
        items = formset.save(commit=False)
        with refusals(request):
            services.checklist_items_change(
                template=form.instance, save=items, delete=formset.deleted_objects
            )
            formset.save_m2m()
        return None

    @admin.action(description=_("Create a new draft version (to edit a checklist in use)"))
    def new_version(self, request, queryset):
        for template in queryset:
            with refusals(request):
                new = services.template_new_version(template=template, actor=request.user)
                self.message_user(request, _("Created %(t)s.") % {"t": new})

    @admin.action(description=_("Publish (retires the previous version)"))
    def publish(self, request, queryset):
        for template in queryset:
            with refusals(request):
                services.template_publish(template=template, actor=request.user)
                self.message_user(request, _("Published %(t)s.") % {"t": template})


@admin.register(ChartCriterion)
class ChartCriterionAdmin(admin.ModelAdmin):
    list_display = ["section", "text", "points", "max_points", "level", "active", "sort_order"]
    list_filter = ["section", "level", "active"]
    list_editable = ["active", "sort_order"]


@admin.register(InspectionSettings)
class InspectionSettingsAdmin(SingletonAdmin):
    pass


@admin.register(WindowTarget)
class WindowTargetAdmin(admin.ModelAdmin):
    """A window's own waiting target (windows without one use the settings' standard target)."""

    list_display = ["department", "target_minutes"]
    list_editable = ["target_minutes"]
    autocomplete_fields = ["department"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "department", "round_type", "status", "score"]
    list_filter = ["status", "round_type", "area"]
    list_select_related = ["department"]
    date_hierarchy = "started_at"


@admin.register(ChartSample)
class ChartSampleAdmin(ReadOnlyAdmin):
    list_display = ["month", "population", "size", "seed", "drawn_at"]


@admin.register(ChartAudit)
class ChartAuditAdmin(ReadOnlyAdmin):
    list_display = ["stay", "department", "status", "score", "grade", "is_problem"]
    list_filter = ["status", "grade", "is_problem"]
    list_select_related = ["stay", "department"]


@admin.register(PlanEntry)
class PlanEntryAdmin(ReadOnlyAdmin):
    list_display = ["month", "department", "rounds_planned"]
    list_filter = ["month"]
