"""API keys are created by administrators here: the key is shown once, on the page after saving,
and only its hash is kept. Every call is listed, read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from supervision.admin import SingletonAdmin

from .models import ApiCall, ApiKey, ApiScope, HisPull, Webhook, WebhookDelivery, WebhookEvent
from .services import api_key_issue


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "departments", "expires_at", "rate_limit", "active"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("name", "prefix", "expires_at", "rate_limit", "active", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at")
    filter_horizontal = ("departments",)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw = api_key_issue(key=obj, actor=request.user)
        messages.warning(
            request,
            _(
                "The key of %(name)s is %(key)s — copy it now: it is shown only this once and cannot be read again."
            )
            % {"name": obj.name, "key": raw},
        )


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "key",
        "key_prefix",
        "method",
        "endpoint",
        "status",
        "rows",
        "created",
        "updated",
        "errors",
    )
    list_filter = ("status", "method", "key")
    date_hierarchy = "at"
    list_select_related = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "secret", "max_attempts", "active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("name", "url", "max_attempts", "active")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every delivery with its tries; the given-up ones are the filter "Given up"."""

    list_display = (
        "created_at",
        "webhook",
        "event",
        "status",
        "attempts",
        "last_response",
        "next_attempt_at",
    )
    list_filter = ("status", "event", "webhook")
    list_select_related = ("webhook",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HisPull)
class HisPullAdmin(SingletonAdmin):
    actions = ["pull_now"]
    list_display = ("__str__", "enabled")

    @admin.action(description=_("Pull discharges from the HIS now"))
    def pull_now(self, request, queryset):
        from supervision.infra.tasking import enqueue_now

        from .tasks import his_pull_now

        enqueue_now(his_pull_now)
        messages.info(request, _("The pull has started; its result is listed under import runs."))
