"""Dashboard panel: open, overdue and unaccepted complaints in the user's scope (3 queries at most)."""

from __future__ import annotations

from supervision.models import Role
from supervision.panels import Panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(
        Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP
    ):
        return []
    counts = selectors.open_counts(selectors.complaints_visible_to(user))
    return [Panel(template="complaints/_panel.html", context={"counts": counts})]
