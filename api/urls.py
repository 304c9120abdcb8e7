from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/discharges/", views.DischargePush.as_view(), name="discharges"),
    path("v1/departments/", views.DepartmentPush.as_view(), name="departments"),
    path("v1/staff/", views.StaffPush.as_view(), name="staff"),
    path("v1/figures/followups/", views.FollowupFigures.as_view(), name="figures_followups"),
    path("v1/figures/satisfaction/", views.SatisfactionFigures.as_view(), name="figures_satisfaction"),
    path("v1/figures/rectification/", views.RectificationFigures.as_view(), name="figures_rectification"),
    path("v1/figures/complaints/", views.ComplaintFigures.as_view(), name="figures_complaints"),
    path("v1/figures/window-waiting/", views.WaitingFigures.as_view(), name="figures_waiting"),
    path("v1/findings/", views.FindingList.as_view(), name="findings"),
    path("v1/orders/", views.OrderList.as_view(), name="orders"),
    # The schema and its browsable docs, served by the app itself (Swagger UI from
    # drf-spectacular-sidecar's static files; the page's script is a file, for the CSP).
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
