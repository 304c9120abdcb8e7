from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("figures/", views.figures, name="figures"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/share/", views.attachment_share, name="attachment_share"),
    path("letters/<int:pk>/", views.letter_pdf, name="letter_pdf"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/letter/", views.letter_new, name="letter_new"),
    path("<int:pk>/verdict-link/", views.verdict_link, name="verdict_link"),
    path("<int:pk>/verdict/", views.verdict_phone, name="verdict_phone"),
    path("<int:pk>/reveal/", views.complaint_reveal, name="reveal"),
    path("<int:pk>/person/", views.complaint_person, name="person"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
    # Public pages of the hospital's web site: no login.
    path("public/", views.public_form, name="public_form"),
    path("public/done/", views.public_done, name="public_done"),
    path("public/status/", views.public_lookup, name="public_lookup"),
    path("public/verdict/<str:token>/", views.verdict_public, name="verdict_public"),
]
