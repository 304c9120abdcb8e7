"""Dashboard panel of the service desk, for desk staff (their centres) and the office (everything):
today's and this month's log, and what needs attention. A constant number of queries, cached per scope."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.DESK, Role.SUPERVISOR, Role.ADMINISTRATOR):
        return []
    today = timezone.localdate()

    def figures():
        # Desk staff open their own work; the office, each desk person's (the same page,
        # servicedesk:work). The label depends on the roles only, which the scope in the key holds.
        work = (
            _("My work")
            if not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)
            else _("Desk work by person")
        )
        return {"counts": selectors.panel_counts(user, today=today), "work_label": work}

    # Cached briefly per scope with its HTML (supervision.panels): the panel says "as of HH:MM".
    return [figures_panel("servicedesk.panel", "servicedesk/_panel.html", figures, user=user, vary=(today,))]
