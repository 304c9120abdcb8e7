"""Dashboard panel: open, overdue and unaccepted complaints in the user's scope (3 queries at most)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from supervision.channels import QueueEntry
from supervision.infra import statements
from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(
        Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD, Role.FOLLOWUP
    ):
        return []

    # Cached briefly per scope with its HTML (supervision.panels): the panel says "as of HH:MM".
    def figures():
        return {"counts": selectors.open_counts(selectors.complaints_visible_to(user))}

    return [figures_panel("complaints.panel", "complaints/_panel.html", figures, user=user)]


def queues(user, *, today) -> list[QueueEntry]:
    """ "Needs me now" (supervision.queues): a head's complaints waiting for their department's
    investigation reply. One query."""
    if not user.has_role(Role.DEPT_HEAD):
        return []
    # The statement built once per scope by the ORM, then sent as it is (``statements``).
    count = statements.count(_awaiting_reply, user.scope.plain)
    url = f"{reverse('complaints:list')}?awaiting_reply=true"
    return [QueueEntry("complaints_to_reply", _("Complaints awaiting my reply"), count, url)]


def _awaiting_reply(user_scope):
    return selectors.awaiting_reply(user_scope)
