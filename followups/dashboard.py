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
from supervision.infra.once import once, remember
from supervision.models import Role
from supervision.panels import Panel, figures_panel, live_panel
from supervision.templatetags.ducha import url_once

from . import selectors


def panels(request) -> list[Panel]:
    user = request.user
    today = timezone.localdate()
    out = []
    if user.has_role(Role.FOLLOWUP):
        # A caller's own work, live. Their "needs me now" shows today's list too, on the same page:
        # one query reads the panel's numbers and the queues' and hands the queues theirs (they are
        # drawn after the panels), instead of a second query over the same tasks.
        counts = selectors.caller_counts(user, today=today)
        remember(_queue_key(user, today), {k: counts[k] for k in QUEUE_COUNTS})
        out.append(_calls_panel(counts["calls_today"], counts["pool"]))
    elif user.has_role(Role.SUPERVISOR):
        # The supervisor's own calls, live: one query for both numbers (no queues of calls).
        counts = selectors.calls_panel_counts(user, today=today)
        out.append(_calls_panel(counts["due"], counts["pool"]))
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

        # Figures of the office: cached briefly per scope with their HTML; the caller's own count
        # above stays live.
        out.append(figures_panel("followups.rate", "followups/_panel_rate.html", rate_figures, user=user))
    return out


def _calls_panel(due: int, pool: int) -> Panel:
    """The calls panel: live numbers, drawn once per content (``live_panel``)."""
    return live_panel(
        "followups/_panel_calls.html", {"due": due, "pool": pool, "url": url_once("followups:my_tasks")}
    )


# The numbers of a caller's "needs me now" (``selectors.caller_queue_counts``).
QUEUE_COUNTS = ("callbacks_due", "next_callback", "calls_today", "windows_closing_today")


def _queue_key(user, today: dt.date) -> tuple:
    return ("followups.caller_queue_counts", user.pk, today)


def queues(user, *, today) -> list[QueueEntry]:
    """ "Needs me now" (supervision.queues) of a caller: call-backs due (with the earliest's time),
    today's list, tasks whose window closes today. One query."""
    if not user.has_role(Role.FOLLOWUP):
        return []
    # On the dashboard the calls panel has read them already (``panels``); alone (the minute's
    # refresh of /needs-me/), the four numbers in their own query.
    counts = once(_queue_key(user, today), lambda: selectors.caller_queue_counts(user, today=today))
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
