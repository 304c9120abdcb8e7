"""What surveys add to a person's record (``supervision.channels.PersonRecord``): praise by name
(点名表扬) in a questionnaire, once the name is matched to the roster."""

from __future__ import annotations

from django.db.models import Count, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord, PersonRows
from supervision.infra import statements
from supervision.infra.fragments import url_maker

from .models import Praise

MEASURES = (PersonMeasure("praise_survey", gettext_lazy("Praise in surveys"), praise=True),)


def _praise(staff, start, end):
    return Praise.objects.filter(staff__in=staff, submitted_on__gte=start, submitted_on__lte=end)


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    rows = _praise(staff, start, end).values("staff_id").annotate(n=Count("id")).order_by()
    return {row["staff_id"]: {"praise_survey": row["n"]} for row in rows}


# A record's row of praise, then every row's count.
_ROW_FIELDS = ("submitted_on", "response_id", "department__name", "n")


def _newest(staff_id: int, start, end, limit: int):
    # Every row's count rides on the newest ``limit`` (the window is worked out before the LIMIT).
    qs = (
        _praise([staff_id], start, end)
        .annotate(n=Window(Count("id")))
        .order_by("-submitted_on", "-id")
        .values(*_ROW_FIELDS)[:limit]
    )
    return qs, _ROW_FIELDS


def rows(*, staff, start, end, limit) -> PersonRows:
    # Its statement built by the ORM once per person, period and limit (supervision.infra.statements),
    # the rows read anew every time.
    found = [tuple(r.values()) for r in statements.rows(_newest, staff.pk, start, end, limit)]
    url = url_maker("surveys:response_detail")  # one reverse() per record, not per row
    return PersonRows(
        counts={"praise_survey": found[0][3]} if found else {},
        entries=[
            PersonEntry(
                "praise_survey",
                on,
                _("Named for praise in a survey of %(department)s") % {"department": department},
                url(response_id),
            )
            for on, response_id, department, n in found
        ],
    )


RECORD = PersonRecord(measures=MEASURES, counts=counts, rows=rows)
