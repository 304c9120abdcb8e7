from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("figures/", views.figures, name="figures"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/reveal/", views.complaint_reveal, name="reveal"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
    # Public pages of the hospital's web site: no login.
    path("public/", views.public_form, name="public_form"),
    path("public/done/", views.public_done, name="public_done"),
    path("public/status/", views.public_lookup, name="public_lookup"),
]
