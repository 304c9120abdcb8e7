from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("summaries/", views.summary_list, name="summaries"),
    path("summaries/new/", views.summary_create, name="summary_create"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/<str:action>/", views.summary_action, name="summary_action"),
    path("summaries/<int:pk>/download/<str:fmt>/", views.summary_download, name="summary_download"),
]
