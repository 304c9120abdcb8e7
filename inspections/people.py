"""What chart audits add to a person's record (``supervision.channels.PersonRecord``): the grades
of the charts of which they were the responsible doctor (the audit's roster link), counted when the
audit was completed."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.channels import PersonEntry, PersonMeasure, PersonRecord
from supervision.people import day_bounds

from .models import AuditStatus, ChartAudit, Grade

MEASURES = (
    PersonMeasure("chart_a", gettext_lazy("Charts graded A")),
    PersonMeasure("chart_b", gettext_lazy("Charts graded B")),
    PersonMeasure("chart_c", gettext_lazy("Charts graded C")),
)
_KEY = {Grade.A: "chart_a", Grade.B: "chart_b", Grade.C: "chart_c"}


def _audits(staff, start, end):
    since, until = day_bounds(start, end)
    return ChartAudit.objects.filter(
        doctor__in=staff, status=AuditStatus.COMPLETED, audited_at__gte=since, audited_at__lt=until
    ).exclude(grade="")


def counts(*, staff, start, end) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = _audits(staff, start, end).values("doctor_id", "grade").annotate(n=Count("id")).order_by()
    for row in rows:
        out.setdefault(row["doctor_id"], {})[_KEY[row["grade"]]] = row["n"]
    return out


def entries(*, staff, start, end) -> list[PersonEntry]:
    audits = _audits(staff, start, end).select_related("stay").order_by("-audited_at", "-id")[:200]
    return [
        PersonEntry(
            _KEY[a.grade],
            a.audited_at.date(),
            _("Chart %(admission_no)s: %(score)s points · %(grade)s")
            % {"admission_no": a.stay.admission_no, "score": a.score, "grade": a.get_grade_display()},
            a.get_absolute_url(),
        )
        for a in audits
    ]


RECORD = PersonRecord(measures=MEASURES, counts=counts, entries=entries)
