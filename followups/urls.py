from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", views.task_release, name="task_release"),
    path("tasks/<int:pk>/reveal/", views.task_reveal, name="task_reveal"),
    path("tasks/<int:pk>/call/", views.task_call, name="task_call"),
    path("tasks/<int:pk>/letter/", views.task_letter, name="task_letter"),
    path("figures/", views.figures, name="figures"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("imports/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<slug:kind>/", views.import_page, name="import_page"),
    path("imports/<slug:kind>/template.xlsx", views.import_template, name="import_template"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_edit, name="plan_create"),
    path("plans/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/print/", views.letter_print, name="letter_print"),
    path("letters/sent/", views.letter_sent, name="letter_sent"),
    path("f/<str:token>/", views.web_form, name="web_form"),
    path("roster/", views.roster, name="roster"),
    path("stays/", views.stay_list, name="stay_list"),
    path("stays/<int:pk>/add/", views.stay_add, name="stay_add"),
    path("queue/build/", views.queue_build, name="queue_build"),
    path("queue/draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("spotchecks/", views.spotcheck_list, name="spotcheck_list"),
    path("spotchecks/draws/<int:pk>/", views.spotcheck_draw, name="spotcheck_draw"),
    path("spotchecks/<int:pk>/record/", views.spotcheck_record, name="spotcheck_record"),
    path("spotchecks/<int:pk>/reveal/", views.spotcheck_reveal, name="spotcheck_reveal"),
]
