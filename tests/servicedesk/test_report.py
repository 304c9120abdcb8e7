"""The service desk's section of the monthly and annual reports (PDF and Excel), against a hand count,
and the figures behind it (per day, person, kind and department)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reports.builders import build_content
from reports.excel import render_xlsx
from reports.pdf import render_pdf
from servicedesk import selectors, services
from servicedesk.models import EntryKind, SuggestionBox
from tests.reports.helpers import flat, pdf_text

pytestmark = pytest.mark.django_db
D = dt.date
OCT = (D(2026, 10, 1), D(2026, 10, 31))


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def october(centre, desk, neike, waike, wheelchair, supervisor):
    """October 2026, by hand: 6 entries — 2 consultations (内科), 1 escort of 25 minutes, 1 wheelchair,
    1 coordination about 外科 turned into a complaint, 1 recovery about 内科 costing 150.50 yuan; one
    entry on 30 September is outside. One box opening: 1 praise, 1 complaint."""

    def log(day, kind, **kw):
        entry, _new = services.entry_record(centre=centre, actor=desk, kind=kind, recorded_at=at(day), **kw)
        return entry

    log(D(2026, 10, 2), EntryKind.CONSULTATION, department=neike)
    log(D(2026, 10, 2), EntryKind.CONSULTATION, department=neike)
    log(D(2026, 10, 3), EntryKind.ESCORT, escort_from="大厅", escort_to="CT室", escort_minutes=25)
    log(D(2026, 10, 9), EntryKind.SERVICE, service_kind=wheelchair)
    coordination = log(D(2026, 10, 15), EntryKind.COORDINATION, department=waike, note="争执")
    services.entry_make_complaint(entry=coordination, actor=desk)
    log(
        D(2026, 10, 20),
        EntryKind.RECOVERY,
        department=neike,
        recovery_failed="胶片丢失",
        recovery_done="重印",
        recovery_cost=Decimal("150.50"),
    )
    log(D(2026, 9, 30), EntryKind.CONSULTATION, department=neike)
    box = SuggestionBox.objects.create(name="门诊大厅意见箱", location="大厅")
    services.opening_record(
        box=box,
        actor=supervisor,
        opened_on=D(2026, 10, 12),
        slips=[
            {"kind": "praise", "content": "好", "department": neike},
            {"kind": "complaint", "content": "差", "department": waike},
        ],
    )


def test_the_figures_count_by_kind_person_department_and_day(october, desk, neike, waike):
    fig = selectors.figures(start=OCT[0], end=OCT[1])
    assert fig["total"] == 6
    assert fig["by_kind"] == {"consultation": 2, "escort": 1, "service": 1, "coordination": 1, "recovery": 1}
    assert fig["escort_minutes"] == 25
    assert fig["recovery_cost"] == Decimal("150.50")
    assert fig["turned_complaints"] == 1
    assert fig["by_person"] == [
        {
            "user_id": desk.pk,
            "name": "孙客服",
            "count": 6,
            "by_kind": {"consultation": 2, "escort": 1, "service": 1, "coordination": 1, "recovery": 1},
            "escorts": 1,
            "escort_minutes": 25,
            "recoveries": 1,
            "recovery_cost": Decimal("150.50"),
            "complaints": 1,
        }
    ]
    assert [(r["department"], r["count"], r["complaints"]) for r in fig["by_department"]] == [
        ("内科", 3, 0),
        ("外科", 1, 1),
    ]
    assert (fig["by_day"][0]["day"], fig["by_day"][0]["count"]) == (D(2026, 10, 2), 2)
    assert fig["slips"] == {"praise": 1, "suggestion": 0, "complaint": 1}
    # A head's report: the entries about their departments only.
    mine = selectors.figures(start=OCT[0], end=OCT[1], departments=[waike.pk])
    assert (mine["total"], mine["turned_complaints"], mine["slips"]["complaint"]) == (1, 1, 1)
    # One computation: the person's own page reads the same figures as the report's row.
    own = selectors.person_work(user_id=desk.pk, start=OCT[0], end=OCT[1])
    assert {"user_id": desk.pk, "name": "孙客服", **own} == fig["by_person"][0]


def test_a_persons_work_is_read_anew_on_every_call_from_a_statement_built_once(october, centre, desk):
    """person_work's statement is kept (supervision.infra.statements): its sums of minutes (an integer
    column) and of costs (a decimal one) are the ORM's, and a new entry shows on the next call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.infra import statements

    statements.forget()
    orm = selectors.DeskEntry.objects.filter(
        recorded_by_id=desk.pk, recorded_on__gte=OCT[0], recorded_on__lte=OCT[1]
    ).aggregate(**selectors.WORK)
    first = selectors.person_work(user_id=desk.pk, start=OCT[0], end=OCT[1])
    with CaptureQueriesContext(connection) as sent:
        again = selectors.person_work(user_id=desk.pk, start=OCT[0], end=OCT[1])
    assert again == first == selectors._work(orm)
    assert (again["escort_minutes"], again["recovery_cost"]) == (25, Decimal("150.50"))
    assert type(again["escort_minutes"]) is int and type(again["recovery_cost"]) is Decimal
    assert len(sent) == 1
    # Kept on PostgreSQL, whose driver gives the decimal sum as the ORM does; built anew on SQLite.
    assert len(statements._statements) == (1 if connection.vendor == "postgresql" else 0)
    services.entry_record(
        centre=centre, actor=desk, kind=EntryKind.ESCORT, escort_from="大厅", escort_to="B超", escort_minutes=5,
        recorded_at=at(D(2026, 10, 30)),
    )  # fmt: skip
    later = selectors.person_work(user_id=desk.pk, start=OCT[0], end=OCT[1])
    assert (later["count"], later["escorts"], later["escort_minutes"]) == (first["count"] + 1, 2, 30)
    statements.forget()


def test_the_monthly_report_has_the_service_desk_section_in_pdf_and_excel(october, tmp_path, need_poppler):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=D(2026, 11, 23))
    section = content.section("servicedesk")
    assert section is not None and not section.empty
    path = tmp_path / "r.pdf"
    render_pdf(content, path)
    text = flat(pdf_text(path))
    assert "客服中心共登记服务6件" in text
    assert "服务补救1件（费用150.5元）" in text
    assert "其中1件转为投诉" in text
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    # the section's sheet and its tables' sheets ("9 客服中心", "9.1 …": each table on a sheet of its own)
    number = next(ws.title.split(" ", 1)[0] for ws in book.worksheets if "客服中心" in ws.title)
    sheets = [ws for ws in book.worksheets if ws.title.split(" ", 1)[0].split(".")[0] == number]
    rows = [[c.value for c in row] for ws in sheets for row in ws.iter_rows()]
    assert ["咨询分诊", 2] in [r[:2] for r in rows]
    assert ["孙客服", 6, 25, 1] in [r[:4] for r in rows]


def test_the_annual_report_has_the_section_and_an_empty_period_says_so(october):
    annual = build_content(kind="annual", start=D(2026, 1, 1), end=D(2026, 12, 31), today=D(2026, 12, 31))
    assert not annual.section("servicedesk").empty
    empty = build_content(kind="monthly", start=D(2026, 8, 1), end=D(2026, 8, 31), today=D(2026, 11, 23))
    assert empty.section("servicedesk").empty
