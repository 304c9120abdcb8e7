from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.results, name="results"),
    path("results.xlsx", views.results_export, name="results_export"),
    path("responses/", views.response_list, name="response_list"),
    path("responses/export.xlsx", views.response_export, name="response_export"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("responses/<int:pk>/finding/", views.response_finding, name="response_finding"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/<slug:action>/", views.questionnaire_action, name="questionnaire_action"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/paper/", views.paper_entry, name="paper_entry"),
    path(
        "campaigns/<int:pk>/poster/<int:department_id>.<str:fmt>",
        views.campaign_poster,
        name="campaign_poster",
    ),
    path("campaigns/<int:pk>/<slug:action>/", views.campaign_action, name="campaign_action"),
    path("paper/", views.paper_index, name="paper_index"),
    path("praise/", views.praise_list, name="praise_list"),
    path("praise/<int:pk>/match/", views.praise_match, name="praise_match"),
    # Public, no login. A department code may hold "/" (HIS codes such as "ICU/2"): `path` matches it.
    path("s/<str:key>/<path:department_code>/", views.public_department, name="public_department"),
    path("t/<str:token>/", views.public_token, name="public_token"),
    path("thanks/", views.public_thanks, name="public_thanks"),
]
