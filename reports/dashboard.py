"""Dashboard panel of the reports app: the latest reports the user may download."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.channels import QueueEntry
from supervision.infra import statements
from supervision.infra.fragments import cached_rows, url_maker
from supervision.models import Role
from supervision.panels import Panel
from supervision.templatetags.ducha import choice_label

from .models import Report, ReportStatus
from .selectors import reports_visible_to

# A finished report stays in the administrator's "needs me now" for this many days.
READY_DAYS = 7


def panels(request) -> list[Panel]:
    user = request.user
    if not user.is_authenticated or not user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DEPT_HEAD):
        return []
    # The list's order without its joins: the panel shows neither who asked nor the departments
    # (one query, not two when there are reports, and ~0.5 ms less to build). The rows as values and
    # drawn once per content (supervision.infra.fragments), as the lists' rows are: five reports as
    # model instances, each worded through get_FOO_display and two reverse() calls, cost more than
    # the query.
    # The statement built once per scope by the ORM, then sent as it is (``statements``): a head's
    # condition (a NOT EXISTS over the reports' departments) took Django ~1.5 ms to build on each view.
    reports = statements.rows(_latest, user.scope.plain)
    if not reports:
        return []
    detail, download = url_maker("reports:detail"), url_maker("reports:download")
    rows = cached_rows("reports/_dashboard_report_row.html", (_row(r, detail, download) for r in reports))
    return [Panel("reports/_dashboard_panel.html", {"latest_reports": rows})]


# The columns a report in "Latest reports" shows (``_row``).
ROW_FIELDS = ("id", "kind", "period_start", "period_end", "format", "status", "progress")


def _row(values, detail, download) -> dict:
    """What one report in "Latest reports" shows, as plain values."""
    status = values["status"]
    return {
        "url": detail(values["id"]),
        "title": str(Report.title_of(values["kind"], values["period_start"], values["period_end"])),
        "format_label": str(choice_label(Report, "format", values["format"])),
        "status": status,
        "status_label": str(choice_label(Report, "status", status)),
        "progress": values["progress"],
        "download_url": download(values["id"]),
    }


def queues(user, *, today) -> list[QueueEntry]:
    """ "Needs me now" (supervision.queues) of an administrator: the reports that became ready in the
    last ``READY_DAYS`` days (the list shows them first). One query."""
    if not user.has_role(Role.ADMINISTRATOR):
        return []
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=READY_DAYS - 1), dt.time.min))
    # The statement built once per scope and day by the ORM, then sent as it is (``statements``).
    count = statements.count(_ready_since, user.scope.plain, since)
    return [QueueEntry("reports_ready", _("Reports ready"), count, reverse("reports:list"))]


def _ready_since(user_scope, since: dt.datetime):
    return reports_visible_to(user_scope).filter(status=ReportStatus.READY, finished_at__gte=since)


def _latest(user_scope):
    latest = reports_visible_to(user_scope).order_by("-created_at", "-id").values(*ROW_FIELDS)[:5]
    return latest, ROW_FIELDS
