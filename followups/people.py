"""What follow-up calls add to a person's record (``supervision.channels.PersonRecord``): the
staff a discharged patient praised by name on a call."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord

from .models import CallAttempt

MEASURES = (PersonMeasure("praise_followup", gettext_lazy("Praise on follow-up calls"), praise=True),)
Praised = CallAttempt.praised_staff.through


def _praised(staff, start, end):
    return Praised.objects.filter(
        staff__in=staff, callattempt__attempted_on__gte=start, callattempt__attempted_on__lte=end
    )


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    rows = _praised(staff, start, end).values("staff_id").annotate(n=Count("id")).order_by()
    return {row["staff_id"]: {"praise_followup": row["n"]} for row in rows}


def entries(*, staff, start, end) -> list[PersonEntry]:
    rows = (
        _praised(staff, start, end)
        .select_related("callattempt")
        .order_by("-callattempt__attempted_on", "-id")[:200]
    )
    return [
        PersonEntry(
            "praise_followup",
            r.callattempt.attempted_on,
            r.callattempt.praise or _("Praised by name on a follow-up call"),
            reverse("followups:task_detail", args=[r.callattempt.task_id]),
        )
        for r in rows
    ]


RECORD = PersonRecord(measures=MEASURES, counts=counts, entries=entries)
