from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/items/<int:item_pk>/", views.answer_save, name="answer_save"),
    path("rounds/<int:pk>/items/<int:item_pk>/photos/", views.photo_upload, name="photo_upload"),
    path("rounds/<int:pk>/submit/", views.round_submit, name="round_submit"),
    path("rounds/<int:pk>/discard/", views.round_discard, name="round_discard"),
    path("rounds/<int:pk>/sign-off/", views.round_sign_off, name="round_sign_off"),
    path("rounds/<int:pk>/report.pdf", views.round_report_pdf, name="round_report_pdf"),
    path("checklists/", views.template_list, name="template_list"),
    path("checklists/new/", views.template_create, name="template_create"),
    path("checklists/<int:pk>/", views.template_detail, name="template_detail"),
    path("checklists/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("checklists/<int:pk>/preview/frame/", views.template_preview_frame, name="template_preview_frame"),
    path("checklists/<int:pk>/<slug:action>/", views.template_action, name="template_action"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("plan/", views.plan, name="plan"),
    path("coverage/", views.coverage, name="coverage"),
    path("hand-rub/", views.hand_rub, name="hand_rub"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/<int:pk>/remove/", views.schedule_remove, name="schedule_remove"),
    path("figures/", views.figures, name="figures"),
    path("charts/", views.audit_list, name="audit_list"),
    path("charts/samples/", views.sample_list, name="sample_list"),
    path("charts/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("charts/deductions/<int:pk>/appeal/", views.appeal_raise, name="appeal_raise"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/<slug:decision>/", views.appeal_decide, name="appeal_decide"),
]
