"""Dashboard panel: this year's satisfaction at a glance (constant query count)."""

from __future__ import annotations

from django.utils import timezone

from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD):
        return []
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    departments = user.scope.departments

    def figures():
        return {
            "summary": selectors.survey_summary(start=start, end=today, departments=departments),
            "change": selectors.satisfaction_change(start=start, end=today, departments=departments),
            "year": today.year,
        }

    # Cached briefly per scope with its HTML (supervision.panels): the panel says "as of HH:MM".
    return [figures_panel("surveys.panel", "surveys/_dashboard_panel.html", figures, user=user)]
