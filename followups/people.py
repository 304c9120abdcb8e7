"""What follow-up calls add to a person's record (``supervision.channels.PersonRecord``): the
staff a discharged patient praised by name on a call."""

from __future__ import annotations

from django.db.models import Count, Window
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord, PersonRows
from supervision.infra import statements
from supervision.infra.fragments import url_maker

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


# A record's row of praise on a call, then every row's count.
_ROW_FIELDS = ("callattempt__attempted_on", "callattempt__praise", "callattempt__task_id", "n")


def _newest(staff_id: int, start, end, limit: int):
    # Every row's count rides on the newest ``limit`` (the window is worked out before the LIMIT).
    qs = (
        _praised([staff_id], start, end)
        .annotate(n=Window(Count("id")))
        .order_by("-callattempt__attempted_on", "-id")
        .values(*_ROW_FIELDS)[:limit]
    )
    return qs, _ROW_FIELDS


def rows(*, staff, start, end, limit) -> PersonRows:
    # Its statement built by the ORM once per person, period and limit (supervision.infra.statements),
    # the rows read anew every time.
    found = [tuple(r.values()) for r in statements.rows(_newest, staff.pk, start, end, limit)]
    url = url_maker("followups:task_detail")  # one reverse() per record, not per row
    return PersonRows(
        counts={"praise_followup": found[0][3]} if found else {},
        entries=[
            PersonEntry(
                "praise_followup",
                on,
                praise or _("Praised by name on a follow-up call"),
                url(task_id),
            )
            for on, praise, task_id, n in found
        ],
    )


RECORD = PersonRecord(measures=MEASURES, counts=counts, rows=rows)
