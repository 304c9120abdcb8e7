"""Dashboard panel of the service desk, for desk staff (their centres) and the office (everything):
today's and this month's log, and what needs attention. A constant number of queries, cached per scope."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.infra.figcache import cached_figures
from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.DESK, Role.SUPERVISOR, Role.ADMINISTRATOR):
        return []
    today = timezone.localdate()
    counts, as_of = cached_figures(
        "servicedesk.panel", lambda: selectors.panel_counts(user, today=today), user=user, vary=(today,)
    )
    # Desk staff open their own work; the office, each desk person's (the same page, servicedesk:work).
    work = (
        _("My work") if not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR) else _("Desk work by person")
    )
    # The label depends on the roles only, which the scope in the fragment's key holds.
    context = {"counts": counts, "as_of": as_of, "work_label": work}
    return [
        figures_panel(
            "servicedesk.panel", "servicedesk/_panel.html", context, as_of=as_of, user=user, vary=(today,)
        )
    ]
