"""People (issue 16 item 5): the per-person record (个人档案) and the monthly per-person sheet
for the hospital's performance system (个人绩效).

Read side only. The core counts what it holds — the problems attributed to a person (findings
naming them, by category) and, among them, the valid complaints; every channel adds its own
measures (chart grades, praise) through the contract, ``Channel.person_record``
(``supervision.channels.PersonRecord``), so the core never imports a channel. A withdrawn
attribution (a dispute the office decided for the person) no longer counts; one disputed and not
yet decided still does. Every count is exact, computed in SQL, one query per measure whatever the
number of people. Who may see a person: ``people_visible_to`` (the office, the head of the person's
department, nobody else); every view is logged (``supervision.privacy.person_record_log``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .access import scope
from .channels import PersonEntry, PersonMeasure, channels, may_open
from .infra import statements
from .infra.exports import safe_cell
from .models import (
    COUNTED_ATTRIBUTIONS,
    Attribution,
    AttributionStatus,
    AttributionTransition,
    Category,
    FindingSource,
    Staff,
)

PROBLEMS = PersonMeasure("problems", gettext_lazy("Problems attributed"))
VALID_COMPLAINTS = PersonMeasure("valid_complaints", gettext_lazy("Valid complaints"))


def people_visible_to(user) -> QuerySet:
    """The staff whose records ``user`` may open: everyone for the office (supervisors,
    administrators), a head's own departments' people, nobody for anyone else (a peer, whatever
    their role, gets a 404)."""
    return scope(Staff.objects.select_related("department"), user, department_field="department")


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in the site's time zone: moments of the period."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _category_key(category_id: int) -> str:
    return f"category:{category_id}"


def core_counts(*, staff: QuerySet, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Per staff id: problems attributed (counted attributions of findings found in the period), by
    category (``category:<id>``), and valid complaints (those findings from a complaint). One query."""
    since, until = day_bounds(start, end)
    rows = (
        Attribution.objects.filter(
            staff__in=staff,
            status__in=COUNTED_ATTRIBUTIONS,
            finding__found_at__gte=since,
            finding__found_at__lt=until,
        )
        .values_list("staff_id", "finding__category_id", "finding__source")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _core_counts(rows)


def _core_counts(rows) -> dict[int, dict[str, int]]:
    """``core_counts`` from ``(staff id, category id, finding source, n)`` rows of counted
    attributions: from SQL for the sheet, from one person's attributions for their record."""
    out: dict[int, dict[str, int]] = {}
    for staff_id, category_id, source, n in rows:
        counts = out.setdefault(staff_id, {})
        counts[PROBLEMS.key] = counts.get(PROBLEMS.key, 0) + n
        key = _category_key(category_id)
        counts[key] = counts.get(key, 0) + n
        if source == FindingSource.COMPLAINT:
            counts[VALID_COMPLAINTS.key] = counts.get(VALID_COMPLAINTS.key, 0) + n
    return out


def channel_pages(user) -> list:
    """The channels' pages about the people working for them (``Channel.people_pages``) that
    ``user`` may open, for the people page."""
    return [entry for ch in channels() for entry in ch.people_pages if may_open(user, entry)]


def channel_measures() -> list[PersonMeasure]:
    return [m for ch in channels() if ch.person_record for m in ch.person_record.measures]


def all_counts(*, staff: QuerySet, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """The core's counts and every channel's, per staff id (a missing key is 0), with the praise
    total (``praise``) over every channel's praise measures."""
    out = core_counts(staff=staff, start=start, end=end)
    praise_keys = {m.key for m in channel_measures() if m.praise}
    for ch in channels():
        if ch.person_record is None:
            continue
        for staff_id, counts in ch.person_record.counts(staff=staff, start=start, end=end).items():
            out.setdefault(staff_id, {}).update(counts)
    for counts in out.values():
        counts["praise"] = sum(counts.get(k, 0) for k in praise_keys)
    return out


# --- one person's record ---------------------------------------------------------------------------

# Rows shown under each channel's measure on a person's record (newest first; the count above them
# is every row's).
RECORD_ROWS = 20


@dataclass
class Line:
    """One measure of the record: its label, its count and the rows behind it."""

    key: str
    label: str
    count: int
    praise: bool = False
    entries: list[PersonEntry] = field(default_factory=list)


class RecordCategory(NamedTuple):
    """A category on a person's record, read with the attributions (ordered as categories are)."""

    sort_order: int
    code: str
    name: str
    pk: int


@dataclass
class PersonRecordPage:
    staff: Staff
    start: dt.date
    end: dt.date
    # Each attribution of the period twice, in the same order: what its line shows, as plain values
    # (``RECORD_ATTRIBUTION_FIELDS``), and the attribution itself — its id, status and person only, for
    # the workflow's buttons, with its steps read when the page shows them.
    attribution_rows: list[dict]
    attributions: list[Attribution]
    by_category: list[tuple[RecordCategory, int]]
    problems: int
    valid_complaints: int
    withdrawn: int
    praise: int
    channel_lines: list[Line]


# What an attribution's line on a person's record shows.
RECORD_ATTRIBUTION_FIELDS = (
    *("id", "status", "finding_id", "finding__number", "finding__source", "finding__found_at"),
    *("finding__category_id", "finding__category__name", "finding__category__sort_order"),
    *("finding__category__code", "finding__department__name", "finding__description_key"),
    *("finding__description_params", "finding__description"),
)


def _attributions_of(staff_id: int, since: dt.datetime, until: dt.datetime):
    attributions = Attribution.objects.filter(
        staff_id=staff_id, finding__found_at__gte=since, finding__found_at__lt=until
    ).order_by("-finding__found_at", "-id")
    return attributions.values(*RECORD_ATTRIBUTION_FIELDS), RECORD_ATTRIBUTION_FIELDS


def person_record(*, staff: Staff, start: dt.date, end: dt.date) -> PersonRecordPage:
    """Everything on one person's record over the days ``start``–``end``: their attributions (every
    status, with the dispute history), problems by category, valid complaints, and each channel's
    measures with the newest rows behind them (``RECORD_ROWS`` each). A constant number of queries
    whatever the rows: the core's attributions (with their disputes' steps), then one per channel
    (``PersonRecord.rows``: its counts and its rows together)."""
    since, until = day_bounds(start, end)
    # Read as the columns the lines show, the statement built by the ORM once per person and period
    # (``infra.statements``): building the four-table query and twenty model instances of each of
    # four tables cost more than the lines' HTML, which comes from the row cache.
    values = statements.rows(_attributions_of, staff.pk, since, until)
    attributions = [
        # The person read already (with their department, which the machine's scope rule reads).
        Attribution(id=v["id"], finding_id=v["finding_id"], staff=staff, status=v["status"])
        for v in values
    ]
    # The page shows the steps of an attribution once it left "attributed" (disputed, decided): only
    # those are read, and no query at all when every attribution is still as made — most records.
    prefetch_related_objects(
        [a for a in attributions if a.status != AttributionStatus.ATTRIBUTED],
        Prefetch(
            "transitions",
            queryset=AttributionTransition.objects.select_related("actor").order_by("at", "id"),
        ),
    )
    # Every attribution of the period is on the page, each with its finding's category: the core's
    # counts (the counted ones) and their categories come from these rows, not two more queries.
    counted = [v for v in values if v["status"] in COUNTED_ATTRIBUTIONS]
    counts = _core_counts(
        (staff.pk, v["finding__category_id"], v["finding__source"], 1) for v in counted
    ).get(staff.pk, {})
    categories = sorted(
        {
            v["finding__category_id"]: RecordCategory(
                v["finding__category__sort_order"],
                v["finding__category__code"],
                v["finding__category__name"],
                v["finding__category_id"],
            )
            for v in counted
        }.values()
    )
    lines = []
    praise = 0
    for ch in channels():
        record = ch.person_record
        if record is None:
            continue
        rows = record.rows(staff=staff, start=start, end=end, limit=RECORD_ROWS)
        for m in record.measures:
            n = rows.counts.get(m.key, 0)
            if m.praise:
                praise += n
            lines.append(
                Line(m.key, str(m.label), n, m.praise, [e for e in rows.entries if e.measure == m.key])
            )
    return PersonRecordPage(
        staff=staff,
        start=start,
        end=end,
        attribution_rows=values,
        attributions=attributions,
        by_category=[(c, counts.get(_category_key(c.pk), 0)) for c in categories],
        problems=counts.get(PROBLEMS.key, 0),
        valid_complaints=counts.get(VALID_COMPLAINTS.key, 0),
        withdrawn=sum(1 for a in attributions if not a.counts),
        praise=praise,
        channel_lines=lines,
    )


# --- the monthly per-person sheet (个人绩效) ------------------------------------------------------------

TABLE_NAME = "PersonalPerformance"


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def sheet_rows(*, month: dt.date, departments: list[int] | None = None) -> tuple[list[str], list[list]]:
    """The header and one row per staff member on the roster (active, or named in the month) of
    ``departments`` (``None``: the whole hospital): employee number, name, department, position,
    problems in total and by category, valid complaints, each channel's measures, praise in total.
    Exact counts of the month; a person with nothing has zeros, so the performance system can
    import every row."""
    start, end = month_bounds(month)
    staff = Staff.objects.select_related("department")
    if departments is not None:
        staff = staff.filter(department_id__in=departments)
    counts = all_counts(staff=staff, start=start, end=end)
    staff = staff.filter(Q(active=True) | Q(pk__in=sorted(counts)))
    categories = list(Category.objects.order_by("sort_order", "code"))
    measures = channel_measures()
    used = {k for c in counts.values() for k, n in c.items() if n}
    # Every active category, and an inactive one only when someone was counted under it.
    categories = [c for c in categories if c.active or _category_key(c.pk) in used]
    header = [
        str(_("Employee number")),
        str(pgettext("staff", "Name")),
        str(_("Department")),
        str(pgettext("staff", "Position")),
        str(PROBLEMS.label),
        *[str(_("Problems: %(category)s") % {"category": c.name}) for c in categories],
        str(VALID_COMPLAINTS.label),
        *[str(m.label) for m in measures],
        str(_("Praise in total")),
    ]
    rows = []
    for s in staff.order_by("department__sort_order", "department__code", "employee_no"):
        c = counts.get(s.pk, {})
        rows.append(
            [
                s.employee_no,
                s.name,
                s.department.name,
                s.get_position_display(),
                c.get(PROBLEMS.key, 0),
                *[c.get(_category_key(cat.pk), 0) for cat in categories],
                c.get(VALID_COMPLAINTS.key, 0),
                *[c.get(m.key, 0) for m in measures],
                c.get("praise", 0),
            ]
        )
    return header, rows


def sheet_workbook(*, month: dt.date, departments: list[int] | None = None) -> bytes:
    """The month's per-person sheet as an .xlsx: one sheet, a named Excel Table
    (``PersonalPerformance``) over the header and the rows, every text cell formula-safe."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    header, rows = sheet_rows(month=month, departments=departments)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    ws.append([safe_cell(h) for h in header])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    if rows:  # a table needs a row under its header
        table = Table(displayName=TABLE_NAME, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    ws.freeze_panes = "C2"
    for i, title in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(24, len(title) * 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
