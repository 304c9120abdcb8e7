"""The Django admin, for every model; Chinese via the model's verbose names."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from .infra.exports import SafeExportResourceMixin
from .models import (
    Alert,
    AlertTransition,
    Attachment,
    Attribution,
    Category,
    CauseCategory,
    CorrectiveAction,
    DeadlineExtension,
    Department,
    DepartmentGroup,
    DepartmentKind,
    DischargeStay,
    EscalationRung,
    Finding,
    ImportRun,
    Notification,
    OrderTerm,
    OrderTransition,
    PersonRecordView,
    RectificationOrder,
    RevealLog,
    SiteConfig,
    Staff,
    StaffPosition,
    User,
)
from .privacy import mask_phone
from .services import notifications_email_retry


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Ducha"), {"fields": ("full_name", "phone", "departments", "language", "email_mode")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    list_filter = ("groups", "is_active", "departments")
    search_fields = ("username", "full_name", "email")
    filter_horizontal = ("groups", "user_permissions", "departments")


class _ChoiceLabelWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)


class DepartmentExportResource(SafeExportResourceMixin, resources.ModelResource):
    """The admin's export, in the import template's columns (so it can be imported again).

    django-import-export serves the admin's export only: imports go through the one pipeline
    (``supervision.importing``) on the import pages and commands, never the admin."""

    code = fields.Field(attribute="code", column_name="编码")
    name = fields.Field(attribute="name", column_name="名称")
    kind = fields.Field(attribute="kind", column_name="类型", widget=_ChoiceLabelWidget(DepartmentKind))
    active = fields.Field(attribute="active", column_name="启用", widget=widgets.BooleanWidget())
    sort_order = fields.Field(attribute="sort_order", column_name="排序")

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "active", "sort_order"]


class StaffExportResource(SafeExportResourceMixin, resources.ModelResource):
    employee_no = fields.Field(attribute="employee_no", column_name="工号")
    name = fields.Field(attribute="name", column_name="姓名")
    department = fields.Field(
        attribute="department",
        column_name="科室编码",
        widget=widgets.ForeignKeyWidget(Department, field="code"),
    )
    position = fields.Field(
        attribute="position", column_name="岗位", widget=_ChoiceLabelWidget(StaffPosition)
    )
    title = fields.Field(attribute="title", column_name="职称")
    active = fields.Field(attribute="active", column_name="在职", widget=widgets.BooleanWidget())

    class Meta:
        model = Staff
        fields = ["employee_no", "name", "department", "position", "title", "active"]


@admin.register(Department)
class DepartmentAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [DepartmentExportResource]
    list_display = ("code", "name", "kind", "active", "sort_order")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")


@admin.register(Staff)
class StaffAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [StaffExportResource]
    list_display = ("employee_no", "name", "department", "position", "title", "active")
    list_filter = ("position", "active", "department")
    search_fields = ("employee_no", "name")
    autocomplete_fields = ("user",)
    list_select_related = ("department",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "sort_order")
    list_editable = ("active", "sort_order")


@admin.register(CauseCategory)
class CauseCategoryAdmin(admin.ModelAdmin):
    """The root-cause categories a department chooses from; an inactive one stays on older orders."""

    list_display = ("code", "name", "active", "sort_order")
    list_editable = ("active", "sort_order")


class SingletonAdmin(admin.ModelAdmin):
    """The admin of a ``SingletonModel``: its one row is edited, never added twice or deleted."""

    def has_add_permission(self, request):
        return not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteConfig)
class SiteConfigAdmin(SingletonAdmin):
    pass


@admin.register(EscalationRung)
class EscalationRungAdmin(admin.ModelAdmin):
    list_display = ("__str__", "severity", "days_overdue", "target")
    list_filter = ("severity", "target")


@admin.register(DepartmentGroup)
class DepartmentGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "lead")
    filter_horizontal = ("departments",)
    autocomplete_fields = ("lead",)


@admin.register(OrderTerm)
class OrderTermAdmin(admin.ModelAdmin):
    list_display = ("__str__", "deadline_days", "check_days")
    list_select_related = ("category",)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False


class AttributionInline(admin.TabularInline):
    """The staff named in the finding, with their attribution's status: changed on the person's record
    (a head disputes, the office decides), never here, so that every change has its history row."""

    model = Attribution
    extra = 0
    can_delete = False
    fields = readonly_fields = ("staff", "status")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ("number", "found_at", "department", "category", "source", "severity")
    list_filter = ("source", "category", "severity", "department")
    search_fields = ("number", "description")
    date_hierarchy = "found_at"
    raw_id_fields = ("recurrence_of", "found_by")
    inlines = [AttributionInline, AttachmentInline]
    list_select_related = ("department", "category")


class TransitionRecordInline(admin.TabularInline):
    """The history of a workflow object (``supervision.workflow.TransitionRecord``): read-only, labelled."""

    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "at",
        "action_label",
        "from_status_label",
        "to_status_label",
        "actor",
        "comment_text",  # the note worded for the reader, not its stored key and parameters
    )

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(TransitionRecordInline):
    model = OrderTransition


class CorrectiveActionInline(admin.TabularInline):
    """Read-only: actions change through the order page, whose machine keeps their history."""

    model = CorrectiveAction
    extra = 0
    can_delete = False
    fields = readonly_fields = ("description", "owner", "due_date", "status", "done_at", "round")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RectificationOrder)
class RectificationOrderAdmin(SimpleHistoryAdmin):
    """Read-mostly: state changes belong to the workflow pages, which keep the history."""

    list_display = ("number", "department", "status", "deadline", "closed_at")
    list_filter = ("status", "department")
    search_fields = ("number", "finding__number")
    readonly_fields = ("status", "finding", "issued_by", "submitted_at", "closed_at", "closed_on_time")
    inlines = [CorrectiveActionInline, TransitionInline]
    list_select_related = ("department",)


class AlertTransitionInline(TransitionRecordInline):
    model = AlertTransition


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-only: an alert is raised by a channel and worked on its page, which keeps the history."""

    list_display = ("raised_at", "department", "kind", "status", "due_on", "outcome")
    list_filter = ("status", "kind", "department")
    list_select_related = ("department",)
    inlines = [AlertTransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("order", "requested_deadline", "status", "requested_by", "decided_by")
    list_filter = ("status",)
    readonly_fields = ("order", "requested_by", "current_deadline", "status", "decided_by", "decided_at")


class EmailStatusFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("waiting to be sent")),
            ("retrying", _("failed, will retry")),
            ("gave_up", _("given up")),
        ]

    def queryset(self, request, queryset):
        unsent = queryset.filter(emailed_at__isnull=True)
        if self.value() == "waiting":
            return unsent.filter(email_attempts=0, email_gave_up_at__isnull=True)
        if self.value() == "retrying":
            return unsent.filter(email_attempts__gt=0, email_gave_up_at__isnull=True)
        if self.value() == "gave_up":
            return unsent.filter(email_gave_up_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """E-mail that could not be sent is listed here (filter 'e-mail'), with its last error."""

    list_display = ("recipient", "kind", "title_text", "created_at", "read_at", "email_status")
    list_filter = (EmailStatusFilter, "kind")
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "item",
        "moved_on_at",
        "emailed_at",
        "email_attempts",
        "email_retry_at",
        "email_gave_up_at",
        "email_error",
    )
    actions = ["retry_email"]

    @admin.display(description=_("e-mail"))
    def email_status(self, obj):
        if obj.emailed_at:
            return _("sent %(at)s") % {"at": date_format(localtime(obj.emailed_at), "SHORT_DATETIME_FORMAT")}
        if obj.email_gave_up_at:
            return _("given up after %(n)s attempts: %(error)s") % {
                "n": obj.email_attempts,
                "error": obj.email_error,
            }
        if obj.email_attempts:
            return _("failed %(n)s times, next try after %(at)s: %(error)s") % {
                "n": obj.email_attempts,
                "at": date_format(localtime(obj.email_retry_at), "SHORT_DATETIME_FORMAT"),
                "error": obj.email_error,
            }
        return _("waiting to be sent")

    @admin.action(description=_("Send the e-mail again"))
    def retry_email(self, request, queryset):
        count = notifications_email_retry(notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)s e-mails will be sent at the next sweep.") % {"n": count})


@admin.register(DischargeStay)
class DischargeStayAdmin(admin.ModelAdmin):
    list_display = (
        "admission_no",
        "patient_name",
        "department",
        "admitted_on",
        "discharged_on",
        "discharge_method",
    )
    list_filter = ("department", "discharge_method")
    search_fields = ("admission_no", "patient_name")
    date_hierarchy = "discharged_on"
    list_select_related = ("department",)
    # Contact numbers are shown only masked here; the full number is revealed (and logged) on the
    # pages that need it, never in the admin.
    exclude = ("phone", "alt_phone")
    readonly_fields = ("masked_phone", "masked_alt_phone")

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("alternative phone"))
    def masked_alt_phone(self, obj):
        return mask_phone(obj.alt_phone)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "file_name",
        "actor",
        "started_at",
        "succeeded",
        "total_rows",
        "created",
        "updated",
        "error_count",
    )
    list_filter = ("kind", "succeeded")
    # The stored report is keys + parameters: shown worded in the reader's language instead.
    exclude = ("errors",)
    readonly_fields = [*(f.name for f in ImportRun._meta.fields if f.name != "errors"), "error_report"]

    @admin.display(description=_("error report"))
    def error_report(self, obj):
        return (
            format_html_join(
                "\n",
                "<div>{} {}</div>",
                (
                    (_("Row %(row)s, %(column)s:") % e if e["row"] else "", e["message"])
                    for e in obj.error_rows
                ),
            )
            or "—"
        )


@admin.register(RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    """Who saw whose full contact data: searchable, never editable."""

    list_display = ("at", "user", "subject_label", "field", "purpose_text", "ip_address")
    list_filter = ("field", "subject_type")
    search_fields = ("user__username", "user__full_name", "subject_label", "purpose")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonRecordView)
class PersonRecordViewAdmin(admin.ModelAdmin):
    """Who saw whose performance record, or the monthly per-person sheet: searchable, never editable."""

    list_display = ("at", "user", "kind", "staff", "period", "ip_address")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__full_name", "staff__name", "staff__employee_no")
    date_hierarchy = "at"
    list_select_related = ("user", "staff__department")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
