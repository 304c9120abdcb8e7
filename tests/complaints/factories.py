"""Helpers that build complaints through the real services (so history and due dates are right)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from complaints import services
from complaints.models import ComplaintChannel, NotAcceptedReason

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    """A Beijing-time moment on ``day`` (YYYY-MM-DD)."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def make_complaint(*, received_by, channel=ComplaintChannel.HOTLINE, content="护士态度生硬", **kw):
    kw.setdefault("complainant_phone", "13800138000")
    kw.setdefault("complainant_name", "张三")
    return services.complaint_intake(channel=channel, received_by=received_by, content=content, **kw)


def accepted(*, supervisor, **kw):
    c = make_complaint(received_by=kw.pop("received_by", supervisor), **kw)
    return services.complaint_accept(complaint=c, actor=supervisor)


def assigned(*, supervisor, departments, **kw):
    c = accepted(supervisor=supervisor, **kw)
    return services.complaint_assign(complaint=c, actor=supervisor, departments=departments)


def investigated(*, supervisor, department, head, **kw):
    c = assigned(supervisor=supervisor, departments=[department], **kw)
    return services.complaint_reply(
        complaint=c, actor=head, department=department, reply="已核实，已批评教育"
    )


def answered(*, supervisor, department, head, **kw):
    c = investigated(supervisor=supervisor, department=department, head=head, **kw)
    return services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已电话反馈")


def now():
    return timezone.now()


def not_accept(complaint, *, actor, reason="outside_remit", **kw):
    """Not accepted for a reason of the seeded list (by code), the complainant told by phone."""
    kw.setdefault("method", "phone")
    kw.setdefault("text", "已电话告知不予受理的理由")
    return services.complaint_not_accept(
        complaint=complaint, actor=actor, reason=NotAcceptedReason.objects.get(code=reason), **kw
    )
