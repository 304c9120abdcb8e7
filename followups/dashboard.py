"""Dashboard panel of the follow-up app: today's calls for callers, this month's rate for the office.

The calls panel (the caller's own work) is live; the rate figures are cached briefly per scope
(``supervision.infra.figcache``).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.channels import QueueEntry
from supervision.infra.figcache import cached_figures
from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    today = timezone.localdate()
    out = []
    if user.has_role(Role.FOLLOWUP, Role.SUPERVISOR):
        # The caller's own work, live: one query for both numbers.
        out.append(Panel("followups/_panel_calls.html", selectors.calls_panel_counts(user, today=today)))
    if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD):
        departments = user.scope.departments
        start = today.replace(day=1)
        previous = (start - dt.timedelta(days=1)).replace(day=1)

        def rate_figures():
            return {
                "this_month": selectors.followup_summary(start=start, end=today, departments=departments),
                "last_month": selectors.followup_summary(
                    start=previous, end=start - dt.timedelta(days=1), departments=departments
                ),
            }

        # Figures of the office: cached briefly per scope; the caller's own count above stays live.
        figures, as_of = cached_figures("followups.rate", rate_figures, user=user)
        context = {**figures, "as_of": as_of}
        out.append(
            figures_panel("followups.rate", "followups/_panel_rate.html", context, as_of=as_of, user=user)
        )
    return out


def queues(user, *, today) -> list[QueueEntry]:
    """ "Needs me now" (supervision.queues) of a caller: call-backs due (with the earliest's time),
    today's list, tasks whose window closes today. One query."""
    if not user.has_role(Role.FOLLOWUP):
        return []
    counts = selectors.caller_queue_counts(user, today=today)
    url = reverse("followups:my_tasks")
    return [
        QueueEntry(
            "callbacks_due",
            _("Call-backs due"),
            counts["callbacks_due"],
            f"{url}?show=callbacks",
            when=counts["next_callback"],
        ),
        QueueEntry("calls_today", _("Today's calls"), counts["calls_today"], url),
        QueueEntry(
            "windows_closing_today",
            _("Windows closing today"),
            counts["windows_closing_today"],
            f"{url}?show=closing",
        ),
    ]
