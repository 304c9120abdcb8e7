"""What the service desk adds to a person's record (``supervision.channels.PersonRecord``): praise
slips from the suggestion boxes naming a person of the roster."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord

from .models import Slip, SlipKind

MEASURES = (PersonMeasure("praise_box", gettext_lazy("Praise slips (suggestion boxes)"), praise=True),)


def _slips(staff, start, end):
    return Slip.objects.filter(
        kind=SlipKind.PRAISE, staff__in=staff, opening__opened_on__gte=start, opening__opened_on__lte=end
    )


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    rows = _slips(staff, start, end).values("staff_id").annotate(n=Count("id")).order_by()
    return {row["staff_id"]: {"praise_box": row["n"]} for row in rows}


def entries(*, staff, start, end) -> list[PersonEntry]:
    rows = _slips(staff, start, end).select_related("opening").order_by("-opening__opened_on", "-id")[:200]
    return [
        PersonEntry("praise_box", s.opening.opened_on, s.content, s.opening.get_absolute_url()) for s in rows
    ]


RECORD = PersonRecord(measures=MEASURES, counts=counts, entries=entries)
