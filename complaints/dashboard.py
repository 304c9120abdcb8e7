"""Dashboard panel: open, overdue and unaccepted complaints in the user's scope (3 queries at most)."""

from __future__ import annotations

from supervision.infra.figcache import cached_figures
from supervision.models import Role
from supervision.panels import Panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(
        Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP
    ):
        return []
    # Cached briefly per scope (supervision.infra.figcache): the panel says "as of HH:MM".
    counts, as_of = cached_figures(
        "complaints.panel", lambda: selectors.open_counts(selectors.complaints_visible_to(user)), user=user
    )
    return [Panel(template="complaints/_panel.html", context={"counts": counts, "as_of": as_of})]
