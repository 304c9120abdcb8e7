"""What chart audits add to a person's record (``supervision.channels.PersonRecord``): the grades
of the charts of which they were the responsible doctor (the audit's roster link), counted when the
audit was completed."""

from __future__ import annotations

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord, PersonRows
from supervision.infra import statements
from supervision.infra.fragments import url_maker
from supervision.people import day_bounds

from .models import AuditStatus, ChartAudit, Grade

MEASURES = (
    PersonMeasure("chart_a", gettext_lazy("Charts graded A")),
    PersonMeasure("chart_b", gettext_lazy("Charts graded B")),
    PersonMeasure("chart_c", gettext_lazy("Charts graded C")),
)
_KEY = {Grade.A: "chart_a", Grade.B: "chart_b", Grade.C: "chart_c"}


def _audits(staff, start, end):
    return _audits_between(staff, *day_bounds(start, end))


def _audits_between(staff, since, until):
    return ChartAudit.objects.filter(
        doctor__in=staff, status=AuditStatus.COMPLETED, audited_at__gte=since, audited_at__lt=until
    ).exclude(grade="")


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = _audits(staff, start, end).values("doctor_id", "grade").annotate(n=Count("id")).order_by()
    for row in rows:
        out.setdefault(row["doctor_id"], {})[_KEY[row["grade"]]] = row["n"]
    return out


# A record's row of a chart audit, then its grade's count and its place among the grade's rows.
_ROW_FIELDS = ("grade", "audited_at", "stay__admission_no", "score", "id", "n", "place")


def _newest_per_grade(staff_id: int, since, until, limit: int):
    # One measure per grade: each row carries its grade's count and its place among the grade's
    # rows, both windows over every row of the period, so the newest ``limit`` of each grade are kept
    # with the whole counts beside them. Ordered by that place, the rows placed 1 to ``limit`` of every
    # grade come first and are at most ``limit`` per grade: a LIMIT of ``limit`` × the grades keeps
    # exactly them, newest first again below. (Filtering on the place instead makes Django wrap the
    # query in a subquery, which cost more to build than the rest of the query: 2.9 → 1.7 ms.)
    newest = [F("audited_at").desc(), F("id").desc()]
    qs = (
        _audits_between([staff_id], since, until)
        .annotate(
            n=Window(Count("id"), partition_by=[F("grade")]),
            place=Window(RowNumber(), partition_by=[F("grade")], order_by=newest),
        )
        .order_by("place")
        .values(*_ROW_FIELDS)[: limit * len(Grade)]
    )
    return qs, _ROW_FIELDS


def rows(*, staff, start, end, limit) -> PersonRows:
    # Its statement built by the ORM once per person, period and limit (supervision.infra.statements:
    # building the two windows cost more than PostgreSQL's answer), the rows read anew every time.
    found = [
        tuple(r.values())
        for r in statements.rows(_newest_per_grade, staff.pk, *day_bounds(start, end), limit)
        if r["place"] <= limit
    ]
    found.sort(key=lambda r: (r[1], r[4]), reverse=True)
    url = url_maker("inspections:audit_detail")  # one reverse() per record, not per row
    # The sentence, the grades' labels and the time zone looked up once per record, not per row.
    text = _("Chart %(admission_no)s: %(score)s points · %(grade)s")
    labels = {grade: str(label) for grade, label in Grade.choices}
    tz = timezone.get_current_timezone()
    return PersonRows(
        counts={_KEY[grade]: n for grade, *_row, n, _place in found},
        # The audit's page (ChartAudit.get_absolute_url).
        entries=[
            PersonEntry(
                _KEY[grade],
                audited_at.astimezone(tz).date(),  # the hospital's day, not UTC's (timezone.localdate)
                text % {"admission_no": admission_no, "score": score, "grade": labels[grade]},
                url(pk),
            )
            for grade, audited_at, admission_no, score, pk, n, _place in found
        ],
    )


RECORD = PersonRecord(measures=MEASURES, counts=counts, rows=rows)
