from django.urls import path

from . import views

app_name = "servicedesk"
urlpatterns = [
    path("", views.desk_log, name="log"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/undo/", views.entry_undo, name="entry_undo"),
    path("entries/<int:pk>/complaint/", views.entry_complaint, name="entry_complaint"),
    path("knowledge/", views.kb_search, name="kb"),
    path("knowledge/new/", views.kb_create, name="kb_create"),
    path("knowledge/review/", views.kb_review, name="kb_review"),
    path("knowledge/import/", views.kb_import, name="kb_import"),
    path("knowledge/import/template.xlsx", views.kb_import_template, name="kb_import_template"),
    path("knowledge/<int:pk>/", views.kb_detail, name="kb_detail"),
    path("knowledge/<int:pk>/edit/", views.kb_edit, name="kb_edit"),
    path("boxes/", views.box_list, name="boxes"),
    path("boxes/<int:pk>/open/", views.opening_create, name="opening_create"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("praise/", views.praise_ledger, name="praise"),
    path("work/", views.work, name="work"),
    path("work/<int:user_id>/", views.person_work, name="person_work"),
]
