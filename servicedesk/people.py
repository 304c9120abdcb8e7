"""What the service desk adds to a person's record (``supervision.channels.PersonRecord``): praise
slips from the suggestion boxes naming a person of the roster."""

from __future__ import annotations

from django.db.models import Count, Window
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord, PersonRows
from supervision.infra import statements
from supervision.infra.fragments import url_maker

from .models import Slip, SlipKind

MEASURES = (PersonMeasure("praise_box", gettext_lazy("Praise slips (suggestion boxes)"), praise=True),)


def _slips(staff, start, end):
    return Slip.objects.filter(
        kind=SlipKind.PRAISE, staff__in=staff, opening__opened_on__gte=start, opening__opened_on__lte=end
    )


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    rows = _slips(staff, start, end).values("staff_id").annotate(n=Count("id")).order_by()
    return {row["staff_id"]: {"praise_box": row["n"]} for row in rows}


# A record's row of a praise slip, then every row's count.
_ROW_FIELDS = ("opening__opened_on", "content", "opening_id", "n")


def _newest(staff_id: int, start, end, limit: int):
    # Every row's count rides on the newest ``limit`` (the window is worked out before the LIMIT).
    qs = (
        _slips([staff_id], start, end)
        .annotate(n=Window(Count("id")))
        .order_by("-opening__opened_on", "-id")
        .values(*_ROW_FIELDS)[:limit]
    )
    return qs, _ROW_FIELDS


def rows(*, staff, start, end, limit) -> PersonRows:
    # Its statement built by the ORM once per person, period and limit (supervision.infra.statements),
    # the rows read anew every time.
    found = [tuple(r.values()) for r in statements.rows(_newest, staff.pk, start, end, limit)]
    url = url_maker("servicedesk:opening_detail")  # one reverse() per record, not per row
    return PersonRows(
        counts={"praise_box": found[0][3]} if found else {},
        # The opening's page (BoxOpening.get_absolute_url), where the slip is listed.
        entries=[
            PersonEntry("praise_box", on, content, url(opening_id)) for on, content, opening_id, n in found
        ],
    )


RECORD = PersonRecord(measures=MEASURES, counts=counts, rows=rows)
