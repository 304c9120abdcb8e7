from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("needs-me/", views.needs_me, name="needs_me"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/issue-order/", views.finding_issue_order, name="finding_issue_order"),
    path("orders/checks/", views.order_checks, name="order_checks"),
    path("findings/<int:pk>/decide/", views.finding_decide, name="finding_decide"),
    path("findings/<int:pk>/patient-told/", views.finding_patient_told, name="finding_patient_told"),
    path("orders/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path(
        "corrective-actions/<int:pk>/<slug:action>/",
        views.corrective_action_step,
        name="corrective_action_step",
    ),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/reveal/", views.alert_reveal, name="alert_reveal"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="alert_action"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("people/", views.person_list, name="person_list"),
    path("people/sheet.xlsx", views.people_sheet, name="people_sheet"),
    path("people/disputes/", views.attribution_disputes, name="attribution_disputes"),
    path("people/<int:pk>/", views.person_record, name="person_record"),
    path("attributions/<int:pk>/<slug:action>/", views.attribution_action, name="attribution_action"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("notifications/read/", views.notification_read, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("imports/<slug:kind>/", views.import_page, name="import_page"),
    path("imports/<slug:kind>/template.xlsx", views.import_template, name="import_template"),
    path("language/", views.language_switch, name="language_switch"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("inspections/", include("inspections.urls")),
    path("followups/", include("followups.urls")),
    path("complaints/", include("complaints.urls")),
    path("surveys/", include("surveys.urls")),
    path("servicedesk/", include("servicedesk.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.DUCHA_NAME
admin.site.site_title = settings.DUCHA_NAME
