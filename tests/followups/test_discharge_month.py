"""The stay's month of discharge (``DischargeStay.discharged_month``), kept by the database from the
discharge date: right for every writer of stays, at month and year boundaries, whatever the time
zone, and what the follow-up figures group by (docs/performance.md → API figures, stop 21)."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followups import selectors
from followups.importing import DISCHARGE_HEADERS, discharges_import
from inspections import demo as inspections_demo
from supervision.infra.imports.pipeline import bulk_insert
from supervision.models import DischargeStay
from tests.factories import DischargeStayFactory

from .conftest import discharge_row, make_xlsx

pytestmark = pytest.mark.django_db

# Last and first days of months, a leap day, the turn of a year.
BOUNDARIES = [
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 1),
    dt.date(2026, 3, 31),
    dt.date(2026, 4, 1),
]


def months_kept() -> dict[dt.date, dt.date]:
    return dict(DischargeStay.objects.values_list("discharged_on", "discharged_month"))


def first_days(days) -> dict[dt.date, dt.date]:
    return {d: d.replace(day=1) for d in days}


@pytest.fixture(params=["Asia/Shanghai", "America/Los_Angeles"])
def zone(request, settings):
    """The hospital's zone (Asia/Shanghai, ahead of the database session's UTC) and one behind UTC:
    a date has no time of day, so its month is the same in both."""
    settings.TIME_ZONE = request.param
    with timezone.override(request.param):
        yield request.param


def _his_file(name: str, patient: str):
    rows = [
        discharge_row(
            f"ZY{i:03d}",
            patient,
            admitted=f"{day - dt.timedelta(days=4):%Y-%m-%d}",
            discharged=f"{day:%Y-%m-%d}",
        )
        for i, day in enumerate(BOUNDARIES)
    ]
    return make_xlsx(DISCHARGE_HEADERS, rows, name)


def test_the_his_import_writes_stays_whose_month_is_their_discharge_dates(neike, zone):
    report = discharges_import(source=_his_file("d.xlsx", "张伟"), file_name="d.xlsx", actor=None)
    assert report.created == len(BOUNDARIES)
    assert months_kept() == first_days(BOUNDARIES)
    # A re-import that changes the stays' data (an update of each row) keeps their months.
    report = discharges_import(source=_his_file("d2.xlsx", "王五"), file_name="d2.xlsx", actor=None)
    assert report.updated == len(BOUNDARIES)
    assert months_kept() == first_days(BOUNDARIES)


def test_the_bulk_writer_of_imports_and_the_bench_set_leaves_the_month_to_the_database(neike, zone):
    """``bulk_insert`` (COPY on PostgreSQL, executemany on SQLite: the bench generator's writer) names
    no generated column, and the database fills it."""
    now = timezone.now()
    bulk_insert(
        DischargeStay,
        [
            {
                "admission_no": f"BZ{i:03d}",
                "discharged_on": day,
                "imported_at": now,
                "patient_name": "张三",
                "department_id": neike.pk,
                "admitted_on": day - dt.timedelta(days=3),
            }
            for i, day in enumerate(BOUNDARIES)
        ],
    )
    assert months_kept() == first_days(BOUNDARIES)


def test_the_factories_and_the_inspections_demo_write_the_month(neike, zone):
    for day in BOUNDARIES[:4]:
        DischargeStayFactory(department=neike, discharged_on=day)
    stay = DischargeStay.objects.create(
        admission_no="ZY900",
        patient_name="李四",
        department=neike,
        admitted_on=dt.date(2026, 4, 28),
        discharged_on=dt.date(2026, 4, 30),
    )
    stay.refresh_from_db()
    assert stay.discharged_month == dt.date(2026, 4, 1)
    created = inspections_demo._discharges(
        rng=random.Random(1), month=dt.date(2026, 2, 1), departments=[neike], per_department=20
    )
    assert created == 20
    kept = months_kept()
    assert kept == first_days(kept) and set(first_days(BOUNDARIES[:4]).items()) <= set(kept.items())
    assert {m for d, m in kept.items() if dt.date(2026, 2, 1) <= d <= dt.date(2026, 2, 28)} == {
        dt.date(2026, 2, 1)
    }


def test_the_figures_group_stays_by_their_kept_month_at_the_month_boundaries(neike, waike, zone):
    for department in (neike, waike, neike):
        for day in BOUNDARIES:
            DischargeStayFactory(department=department, discharged_on=day)
    with CaptureQueriesContext(connection) as queries:
        cells = selectors.followup_month_department_cells(start=dt.date(2024, 2, 1), end=dt.date(2026, 4, 30))
    read = queries.captured_queries[0]["sql"]
    assert "discharged_month" in read and "trunc" not in read.lower()  # a plain column, not computed
    counted = {(c["department_id"], c["month"]): c["discharged"] for c in cells["cells"]}
    expected: dict = {}
    for department, per in ((neike, 2), (waike, 1)):
        for day in BOUNDARIES:
            key = (department.pk, day.replace(day=1))
            expected[key] = expected.get(key, 0) + per
    assert counted == expected
    assert all(type(c["month"]) is dt.date for c in cells["cells"])
    by_month = selectors.followup_by_month(start=dt.date(2026, 1, 1), end=dt.date(2026, 4, 30))
    assert [(r["month"], r["discharged"]) for r in by_month] == [
        (dt.date(2026, 1, 1), 3), (dt.date(2026, 2, 1), 3), (dt.date(2026, 3, 1), 6), (dt.date(2026, 4, 1), 3),
    ]  # fmt: skip
    table = selectors.followup_month_department_table(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert table["months"] == [dt.date(2026, 3, 1)] and table["total"]["discharged"] == 6
