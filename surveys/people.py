"""What surveys add to a person's record (``supervision.channels.PersonRecord``): praise by name
(点名表扬) in a questionnaire, once the name is matched to the roster."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord

from .models import Praise

MEASURES = (PersonMeasure("praise_survey", gettext_lazy("Praise in surveys"), praise=True),)


def _praise(staff, start, end):
    return Praise.objects.filter(staff__in=staff, submitted_on__gte=start, submitted_on__lte=end)


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    rows = _praise(staff, start, end).values("staff_id").annotate(n=Count("id")).order_by()
    return {row["staff_id"]: {"praise_survey": row["n"]} for row in rows}


def entries(*, staff, start, end) -> list[PersonEntry]:
    rows = _praise(staff, start, end).select_related("department").order_by("-submitted_on", "-id")[:200]
    return [
        PersonEntry(
            "praise_survey",
            p.submitted_on,
            _("Named for praise in a survey of %(department)s") % {"department": p.department.name},
            reverse("surveys:response_detail", args=[p.response_id]),
        )
        for p in rows
    ]


RECORD = PersonRecord(measures=MEASURES, counts=counts, entries=entries)
