"""Satisfaction figures, shared by the pages and by the reports app.

Every figure is a function of ``(*, start, end, departments=None)``: inclusive dates of the
questionnaire (``submitted_on``: the date written on a paper form, the day a web or phone
questionnaire was submitted), ``departments`` an iterable of Department ids or None for all.
Rates are exact ``Rate`` values (rounded only when shown), None when the denominator is 0.
All aggregation happens in SQL; the formulas are in docs/surveys.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from supervision.infra import statements
from supervision.rates import points, rate

from .models import (
    DIMENSION_COUNTS,
    SATISFIED_MIN,
    Answer,
    Campaign,
    Channel,
    Dimension,
    Distribution,
    Praise,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    SurveyResponse,
    SurveyToken,
)


def pct(numerator, denominator) -> float | None:
    if not denominator:
        return None
    return rate(numerator or 0, denominator)


def questionnaire_current(code: str) -> Questionnaire | None:
    """The latest published version of the questionnaire ``code``."""
    return (
        Questionnaire.objects.filter(code=code, status=QuestionnaireStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )


def questionnaire_common_questions(questions) -> dict[str, object]:
    """The questions of a questionnaire that another form would otherwise ask again (a follow-up
    call asks overall satisfaction, praise and comments itself): ``satisfaction`` — the first 5-point
    question of an *overall* section; ``praise`` — the first praise question; ``comments`` — the first
    free-text question (an overall section's first, if it has one). Absent keys: not asked.
    ``questions`` are the questionnaire's questions with their section (as a form holds them);
    ``satisfied(value)`` says whether a scale answer counts as satisfied, as the figures count it."""
    found: dict[str, object] = {}
    texts = []
    for q in questions:
        overall = q.section.dimension == Dimension.OVERALL
        if q.kind == QuestionKind.SCALE and overall:
            found.setdefault("satisfaction", q)
        elif q.kind == QuestionKind.PRAISE:
            found.setdefault("praise", q)
        elif q.kind == QuestionKind.TEXT:
            texts.append((not overall, q))
    if texts:
        found["comments"] = min(texts, key=lambda t: t[0])[1]
    return found


def scale_satisfied(value: int | None) -> bool | None:
    """A 5-point answer as the satisfaction figures count it (满意 and 非常满意 are satisfied)."""
    return None if value in (None, "") else int(value) >= SATISFIED_MIN


def _ids(departments) -> list[int] | None:
    if departments is None:
        return None
    return [d if isinstance(d, int) else d.pk for d in departments]


def responses_in(start: dt.date, end: dt.date, departments: Iterable | None = None) -> QuerySet:
    qs = SurveyResponse.objects.filter(submitted_on__gte=start, submitted_on__lte=end).order_by()
    ids = _ids(departments)
    return qs if ids is None else qs.filter(department_id__in=ids)


VALID = Q(is_valid=True)
_RESPONSE_FIGURES = {
    "returned": Count("id"),
    "valid_returned": Count("id", filter=VALID),
    "scale_answered": Coalesce(Sum("scale_answered", filter=VALID), 0),
    "scale_satisfied": Coalesce(Sum("scale_satisfied", filter=VALID), 0),
}
# What the response rate's denominator needs per department (``survey_summary``).
_DISTRIBUTION_FIGURES = {
    "paper_returned": Count("id", filter=Q(channel=Channel.PAPER)),
    "link_returned": Count("id", filter=Q(token__isnull=False) & ~Q(channel=Channel.PAPER)),
    "unsolicited": Count("id", filter=Q(token__isnull=True) & ~Q(channel=Channel.PAPER)),
}
# The scale answers counted and the satisfied ones per dimension, as each form counted them when it was
# written (``SurveyResponse.counted_<dimension>``, 0 for a form that is not valid): the same counts as the
# period's counted scale answers grouped by dimension, read from a tenth of the rows.
_DIMENSION_FIGURES = {column: Sum(column) for columns in DIMENSION_COUNTS.values() for column in columns}
_SHOWN = tuple(_RESPONSE_FIGURES)  # a row of the figures by department or month shows these four


def _month(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _form_rows(start, end, ids, *, department: bool, day: bool, counts: str) -> list[dict]:
    """The period's questionnaires counted (``_COUNTS[counts]``), grouped by department (named, in the
    hospital's order) and/or day, or not at all (one row)."""
    if not (department or day):
        return [responses_in(start, end, ids).aggregate(**_COUNTS[counts])]
    # Built by the ORM once per period, departments and grouping (``statements``: compiling the 22
    # sums was most of the figures' Python), the counts read anew on every call.
    ids = None if ids is None else tuple(ids)
    return statements.grouped(_form_read, start, end, ids, department, day, counts)


def _form_read(start, end, ids, department: bool, day: bool, counts: str) -> QuerySet:
    qs = responses_in(start, end, ids)
    fields, named, order = [], {}, []
    if department:
        fields.append("department_id")
        named["name"] = F("department__name")
        order += ["department__sort_order", "department__code", "department_id"]
    if day:
        fields.append("submitted_on")
        order.append("submitted_on")
    return qs.values(*fields, **named).annotate(**_COUNTS[counts]).order_by(*order)


def _figure_row(head: dict, counts: dict) -> dict:
    row = {**head, **{k: counts[k] for k in _SHOWN}}
    row["satisfaction"] = pct(row["scale_satisfied"], row["scale_answered"])
    return row


def _by_dimension(totals: dict) -> list[dict]:
    result = []
    for value, label in Dimension.choices:
        answered_key, satisfied_key = DIMENSION_COUNTS[value]
        answered, satisfied = totals[answered_key] or 0, totals[satisfied_key] or 0
        if not answered:  # no scale answer of a valid form in this dimension: no row (not 0 %)
            continue
        result.append(
            {
                "dimension": value,
                "label": str(label),
                "answered": answered,
                "satisfied": satisfied,
                "satisfaction": pct(satisfied, answered),
            }
        )
    return result


def _copies_read(start, end, ids) -> QuerySet:
    dist = Distribution.objects.filter(distributed_on__gte=start, distributed_on__lte=end)
    if ids is not None:
        dist = dist.filter(department_id__in=ids)
    return dist.values("department_id").annotate(n=Sum("count")).order_by()


def _links_read(start, end, ids, zone: str) -> QuerySet:
    # ``zone``: the active time zone, in which ``__date`` reads each link's day when the statement is
    # built (during this call, under that zone): a key per zone.
    tokens = SurveyToken.objects.filter(issued_at__date__gte=start, issued_at__date__lte=end)
    if ids is not None:
        tokens = tokens.filter(department_id__in=ids)
    return tokens.values("department_id").annotate(n=Count("id")).order_by()


def _summary(per_department: dict, start, end, ids) -> dict:
    """``survey_summary`` from the period's counts per department (2 queries: the copies and links
    handed out)."""
    # Both statements kept (``statements``); the links' days are the active time zone's, named in
    # the key (the statement holds it).
    ids = None if ids is None else tuple(ids)
    zone = timezone.get_current_timezone_name()
    paper = {r["department_id"]: r["n"] for r in statements.grouped(_copies_read, start, end, ids)}
    issued = {r["department_id"]: r["n"] for r in statements.grouped(_links_read, start, end, ids, zone)}
    totals = dict.fromkeys((*_RESPONSE_FIGURES, "paper_returned", "unsolicited"), 0)
    distributed = under_recorded = 0
    for department, row in per_department.items():
        for key in totals:
            totals[key] += row[key]
        copies, links = paper.get(department, 0), issued.get(department, 0)
        under_recorded += max(0, row["paper_returned"] - copies)
        distributed += (
            max(copies, row["paper_returned"]) + max(links, row["link_returned"]) + row["unsolicited"]
        )
    # Departments that handed out copies or links and got nothing back in the period.
    distributed += sum(n for d, n in paper.items() if d not in per_department)
    distributed += sum(n for d, n in issued.items() if d not in per_department)
    paper_total, issued_total = sum(paper.values()), sum(issued.values())
    return {
        "distributed": distributed,
        "paper_distributed": paper_total,
        "links_issued": issued_total,
        # What the distribution record says: the copies and links recorded, and the forms that need none.
        "distributed_recorded": paper_total + issued_total + totals["unsolicited"],
        "returned": totals["returned"],
        "valid_returned": totals["valid_returned"],
        "response_rate": pct(totals["valid_returned"], distributed),
        "scale_answered": totals["scale_answered"],
        "scale_satisfied": totals["scale_satisfied"],
        "satisfaction": pct(totals["scale_satisfied"], totals["scale_answered"]),
        # Paper forms typed in beyond the copies recorded for their department: counted as distributed,
        # and the distribution record is incomplete.
        "paper_under_recorded": under_recorded > 0,
        "paper_beyond_recorded": under_recorded,
    }


# Everything the figures of a period need per department: one read for the summary, the departments
# and the dimensions.
_PER_DEPARTMENT = {**_RESPONSE_FIGURES, **_DISTRIBUTION_FIGURES, **_DIMENSION_FIGURES}
# The sets of counts by name: a kept statement's key holds the name (``_form_read``).
_COUNTS = {"response": _RESPONSE_FIGURES, "dimension": _DIMENSION_FIGURES, "per_department": _PER_DEPARTMENT}


def survey_figures(*, start: dt.date, end: dt.date, departments=None, months: bool = True) -> dict:
    """``survey_summary``, ``satisfaction_by_dimension``, ``satisfaction_by_department`` and (with
    ``months``) ``satisfaction_by_month`` of the period, as the results page, the reports and the API
    show them together: the first three from one read of the period's forms by department (with the
    copies and links handed out: 3 queries), the months a fourth. The same figures as each function
    alone (tests/surveys/test_formulas.py).

    The months are not folded from a read by department and month: that read returns a row per
    department and month (720 for a year of 60 departments), and Django converting their counts cost
    more CPU than the second query (docs/performance.md → API figures, stop 19)."""
    ids = _ids(departments)
    rows = _form_rows(start, end, ids, department=True, day=False, counts="per_department")
    dimensions = dict.fromkeys(_DIMENSION_FIGURES, 0)
    for row in rows:
        for key in dimensions:
            dimensions[key] += row[key] or 0
    figures = {
        "summary": _summary({r["department_id"]: r for r in rows}, start, end, ids),
        "by_dimension": _by_dimension(dimensions),
        "by_department": [_department_row(r) for r in rows],
    }
    if months:
        figures["by_month"] = satisfaction_by_month(start=start, end=end, departments=ids)
    return figures


def survey_summary(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Distributed, returned, valid returned, response rate, overall satisfaction (3 queries).

    The response rate's denominator counts, per department, the paper copies recorded as handed out
    or the paper forms that came back, whichever is more, and likewise the links issued or the forms
    sent through a link, plus every form that needed no distribution (QR code without a link, phone).
    So a returned form is always counted as distributed, and the rate is at most 100 % by construction
    even when the distribution record is incomplete or a copy handed out last period comes back now.
    """
    return survey_figures(start=start, end=end, departments=departments, months=False)["summary"]


def satisfaction_overall(*, start: dt.date, end: dt.date, departments=None) -> float | None:
    figures = responses_in(start, end, departments).aggregate(**_RESPONSE_FIGURES)
    return pct(figures["scale_satisfied"], figures["scale_answered"])


def satisfaction_by_dimension(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Scale answers of valid forms, satisfied and satisfaction per dimension (a dimension without
    answers has no row), 1 query."""
    (totals,) = _form_rows(start, end, _ids(departments), department=False, day=False, counts="dimension")
    return _by_dimension(totals)


def _department_row(row: dict) -> dict:
    return _figure_row({"department_id": row["department_id"], "name": row["name"]}, row)


def satisfaction_by_department(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    rows = _form_rows(start, end, _ids(departments), department=True, day=False, counts="response")
    return [_department_row(r) for r in rows]


def satisfaction_by_month(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    # Counted per day (a plain column: its statement kept, and PostgreSQL groups dates without
    # truncating each one through a time zone) and added up per month here: the same counts as
    # grouping by ``TruncMonth``, whose month the ORM converts on every row (and whose statement is
    # therefore built on every call). A year is ~340 rows of four integers.
    months: dict[dt.date, dict] = {}
    for r in _form_rows(start, end, _ids(departments), department=False, day=True, counts="response"):
        month = r["submitted_on"].replace(day=1)
        counted = months.get(month)
        if counted is None:
            months[month] = {k: r[k] for k in _SHOWN}
        else:
            for k in _SHOWN:
                counted[k] += r[k]
    return [_figure_row({"month": month}, counted) for month, counted in sorted(months.items())]


def satisfaction_by_department_month(*, start: dt.date, end: dt.date, departments: Iterable[int]) -> dict:
    """``satisfaction_by_month`` of each of ``departments`` in one query (the report's run chart per
    department asked once each): ``{department id: [rows by month]}``, a department without returns
    an empty list."""
    ids = list(departments)
    out: dict[int, list[dict]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = (
        responses_in(start, end, ids)
        .annotate(month=TruncMonth("submitted_on"))
        .values("department_id", "month")
        .annotate(**_RESPONSE_FIGURES)
        .order_by("department_id", "month")
    )
    for r in rows:
        out[r["department_id"]].append(_figure_row({"month": _month(r["month"])}, r))
    return out


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    return back(start), back(end)


def satisfaction_change(
    *, start: dt.date, end: dt.date, departments=None, dimension: str | None = None
) -> dict:
    """Satisfaction now and in the same period last year, change in percentage points (2 queries)."""
    prev_start, prev_end = same_period_last_year(start, end)

    def figure(a, b):
        if dimension is None:
            return satisfaction_overall(start=a, end=b, departments=departments)
        answered, satisfied = DIMENSION_COUNTS[dimension]
        r = responses_in(a, b, departments).aggregate(
            answered=Sum(answered, filter=VALID), satisfied=Sum(satisfied, filter=VALID)
        )
        return pct(r["satisfied"], r["answered"])

    current, previous = figure(start, end), figure(prev_start, prev_end)
    change = points(current, previous)
    return {
        "dimension": dimension,
        "current": current,
        "previous": previous,
        "change_pp": change,
        "previous_start": prev_start,
        "previous_end": prev_end,
    }


def satisfaction_change_by_dimension(
    *, start: dt.date, end: dt.date, departments=None, dimensions: Iterable[str] | None = None
) -> dict[str, dict]:
    """``satisfaction_change(…, dimension=d)`` for every dimension (or those in ``dimensions``) in two
    queries — the forms of the period and of the same period last year, their counts by dimension
    added up — instead of two per dimension: ``{dimension: {dimension, current, previous, change_pp, …}}``. The
    same counts, so the same figures (a dimension without answers: None, as there)."""
    prev_start, prev_end = same_period_last_year(start, end)

    def by_dimension(a, b):
        (totals,) = _form_rows(a, b, _ids(departments), department=False, day=False, counts="dimension")
        return {r["dimension"]: r["satisfaction"] for r in _by_dimension(totals)}

    now, before = by_dimension(start, end), by_dimension(prev_start, prev_end)
    wanted = list(dimensions) if dimensions is not None else [value for value, _label in Dimension.choices]
    return {
        d: {
            "dimension": d,
            "current": now.get(d),
            "previous": before.get(d),
            "change_pp": points(now.get(d), before.get(d)),
            "previous_start": prev_start,
            "previous_end": prev_end,
        }
        for d in wanted
    }


def _praises(start, end, departments) -> QuerySet:
    qs = Praise.objects.filter(submitted_on__gte=start, submitted_on__lte=end).order_by()
    ids = _ids(departments)
    return qs if ids is None else qs.filter(department_id__in=ids)


def praise_by_staff(*, start: dt.date, end: dt.date, departments=None, limit: int | None = 20) -> list[dict]:
    """Praises per staff member (typed names count once matched to the roster)."""
    rows = (
        _praises(start, end, departments)
        .filter(staff__isnull=False)
        .values("staff_id", name=F("staff__name"), staff_department=F("staff__department__name"))
        .annotate(count=Count("id"))
        .order_by("-count", "name", "staff_id")
    )
    return list(rows[:limit] if limit else rows)


def praise_by_ward(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """Praises per ward (the department the questionnaire was filled in), matched or not."""
    rows = (
        _praises(start, end, departments)
        .values("department_id", name=F("department__name"))
        .annotate(count=Count("id"), unmatched=Count("id", filter=Q(staff__isnull=True)))
        .order_by("-count", "department__sort_order")
    )
    return list(rows)


def comments(*, start: dt.date, end: dt.date, departments=None, limit: int | None = 50) -> list[dict]:
    qs = Answer.objects.filter(
        submitted_on__gte=start, submitted_on__lte=end, question__kind=QuestionKind.TEXT
    ).exclude(text_value="")
    ids = _ids(departments)
    if ids is not None:
        qs = qs.filter(department_id__in=ids)
    rows = qs.values(
        "response_id",
        "submitted_on",
        "text_value",
        department_name=F("department__name"),
        question_text=F("question__text"),
        low_count=F("response__low_count"),
        finding_id=F("response__finding_id"),
    ).order_by("-submitted_on", "-id")
    return list(rows[:limit] if limit else rows)


def campaigns_with_progress(qs: QuerySet | None = None) -> QuerySet:
    """Campaigns annotated with returned and valid counts (one query)."""
    qs = Campaign.objects.all() if qs is None else qs
    return qs.select_related("questionnaire").annotate(
        returned=Count("responses"), valid=Count("responses", filter=Q(responses__is_valid=True))
    )


def campaign_progress_pct(campaign) -> float | None:
    return pct(campaign.valid, campaign.target_count)


def results(*, start: dt.date, end: dt.date, departments=None) -> dict:
    """Everything the results page shows, in a constant number of queries."""
    return {
        # summary, by_dimension, by_department, by_month: one read of the period's forms
        **survey_figures(start=start, end=end, departments=departments),
        "change": satisfaction_change(start=start, end=end, departments=departments),
        "attitude_change": satisfaction_change(
            start=start, end=end, departments=departments, dimension=Dimension.ATTITUDE
        ),
        "praise_staff": praise_by_staff(start=start, end=end, departments=departments, limit=10),
        "praise_ward": praise_by_ward(start=start, end=end, departments=departments),
        "comments": comments(start=start, end=end, departments=departments, limit=20),
    }


def response_rows(*, start: dt.date, end: dt.date, departments=None) -> list[dict]:
    """One row per questionnaire returned in the period — the rows behind the satisfaction figures,
    for the report workbook's data sheet: date, department, channel, valid, scale items answered and
    satisfied, low scores. Nothing that names the respondent."""
    return list(
        responses_in(start, end, departments)
        .order_by("submitted_on", "id")
        .values(
            "submitted_on",
            "department__name",
            "channel",
            "is_valid",
            "scale_answered",
            "scale_satisfied",
            "low_count",
        )
    )


def praise_cases(*, start: dt.date, end: dt.date, departments=None, limit: int = 30) -> list[dict]:
    """Praise by name of the period, the latest first: what the office may pick as typical cases
    (典型事例) for its written summary."""
    # Its statement built by the ORM once per period, scope and limit (supervision.infra.statements),
    # the rows read anew every time.
    ids = _ids(departments)
    rows = statements.rows(_praise_case_rows, start, end, None if ids is None else tuple(ids), limit)
    return [
        {
            "id": r["id"],
            "date": r["submitted_on"],
            "department": r["department__name"],
            "name": r["staff__name"] or r["typed_name"],
        }
        for r in rows
    ]


_PRAISE_CASE_FIELDS = ("id", "submitted_on", "typed_name", "staff__name", "department__name")


def _praise_case_rows(start: dt.date, end: dt.date, departments: tuple[int, ...] | None, limit: int):
    qs = _praises(start, end, departments).order_by("-submitted_on", "-id")
    return qs.values(*_PRAISE_CASE_FIELDS)[:limit], _PRAISE_CASE_FIELDS
