from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
]
