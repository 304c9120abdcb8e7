from django.urls import path

from . import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.desk_log, name="log"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/undo/", views.entry_undo, name="entry_undo"),
    path("entries/<int:pk>/complaint/", views.entry_complaint, name="entry_complaint"),
]
