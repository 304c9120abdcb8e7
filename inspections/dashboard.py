"""Dashboard panel of inspections: coverage gaps, rounds in progress, charts to audit, appeals."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.channels import QueueEntry
from supervision.infra import statements
from supervision.models import Role
from supervision.panels import Panel, figures_panel

from . import selectors
from .models import AuditStatus, RoundStatus


def panels(request) -> list[Panel]:
    user = request.user
    if not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD):
        return []
    # Cached briefly per scope with its HTML (supervision.panels): the panel says "as of HH:MM".
    return [figures_panel("inspections.panel", "inspections/_panel.html", lambda: _figures(user), user=user)]


def _figures(user) -> dict:
    context = {"pending_appeals": selectors.pending_appeals(user).count()}
    if user.sees_all_departments:
        # Office only: heads never see rounds in progress or charts not yet audited.
        today = timezone.localdate()
        context["coverage"] = selectors.coverage_summary(
            selectors.coverage(start=today.replace(day=1), end=today)
        )
        context["drafts"] = selectors.rounds_visible_to(user).filter(status=RoundStatus.DRAFT).count()
        context["pending_audits"] = (
            selectors.audits_visible_to(user).filter(status=AuditStatus.PENDING).count()
        )
    return context


def queues(user, *, today) -> list[QueueEntry]:
    """ "Needs me now" (supervision.queues): appeals to decide (supervisors), appeals answered in the
    last days (heads). One query each."""
    out = []
    url = reverse("inspections:appeal_list")
    # Each statement built once per scope (and day) by the ORM, then sent as it is (``statements``).
    if user.has_role(Role.SUPERVISOR):
        count = statements.count(_pending_appeals, user.scope.plain)
        out.append(QueueEntry("appeals_to_decide", _("Appeals to decide"), count, url))
    if user.has_role(Role.DEPT_HEAD) and not user.sees_all_departments:
        # The day's start in the active time zone bounds "the last days": the zone is in the key.
        zone = timezone.get_current_timezone_name()
        count = statements.count(_answered_appeals, user.scope.plain, today, zone)
        out.append(QueueEntry("appeals_answered", _("Appeals answered"), count, f"{url}?answered=1"))
    return out


def _pending_appeals(user_scope):
    return selectors.pending_appeals(user_scope)


def _answered_appeals(user_scope, today, zone):
    return selectors.answered_appeals(user_scope, today=today)
