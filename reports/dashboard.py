"""Dashboard panel of the reports app: the latest reports the user may download."""

from __future__ import annotations

from supervision.models import Role
from supervision.panels import Panel

from .selectors import report_list


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DEPT_HEAD):
        return []
    reports = list(report_list(user)[:5])
    if not reports:
        return []
    return [Panel("reports/_dashboard_panel.html", {"latest_reports": reports})]
