"""院周会通报, the hospital weekly meeting list: the orders at the escalation ladder's weekly-meeting
rung, built every Monday as a one-page PDF and an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports import services as report_services
from reports import tasks as report_tasks
from reports.builders import build_content
from reports.excel import render_xlsx
from reports.models import Report, ReportKind
from reports.pdf import render_pdf
from reports.periods import parse_period, week_bounds
from reports.schedules import DEFAULT_SCHEDULES
from supervision import services
from supervision.models import DepartmentGroup, RectificationOrder, Role, Severity
from tests.factories import UserFactory, make_finding

from .helpers import flat, pdf_info, pdf_text

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def meeting(neike, waike, supervisor, head_neike):
    """On Monday 30 November: 内科 an order 8 days late (on the list), one 4 days late (the
    vice-president's rung only); 外科 a serious one 3 days late (its own ladder: on the list) and one
    8 days late but submitted (waiting for the supervisor: never climbs)."""
    vp = UserFactory(username="vp-medical", full_name="张副院长", roles=[Role.ADMINISTRATOR])
    DepartmentGroup.objects.create(name="医疗口", lead=vp).departments.add(neike)

    def late(department, days, **kw):
        return make_finding(
            department=department,
            found_by=supervisor,
            deadline=MONDAY - dt.timedelta(days=days),
            **kw,
        ).order

    orders = {
        "neike_8": late(neike, 8, description="病区开水器损坏两周未修复", category_code="logistics"),
        "neike_4": late(neike, 4, category_code="hygiene"),
        "waike_serious_3": late(waike, 3, severity=Severity.SERIOUS, category_code="privacy"),
        "waike_submitted": late(waike, 8, category_code="waiting"),
    }
    RectificationOrder.objects.filter(pk=orders["waike_submitted"].pk).update(status="submitted")
    services.orders_climb_ladder(today=MONDAY)
    return orders


def _content(today=MONDAY):
    start, end = week_bounds(today)
    return build_content(kind=ReportKind.WEEKLY_MEETING, start=start, end=end, today=today)


def test_the_list_holds_the_orders_at_the_meeting_rung_most_overdue_first(meeting):
    content = _content()
    assert content.title == "2026-11-30当周院周会通报"
    (section,) = content.sections
    (table,) = section.tables
    assert [r[0] for r in table.rows] == [meeting["neike_8"].number, meeting["waike_serious_3"].number]
    first = dict(zip([c.label for c in table.columns], table.rows[0], strict=True))
    assert first["科室"] == "内科"
    assert first["问题描述"] == "病区开水器损坏两周未修复"
    assert first["超期天数"] == 8
    assert first["状态"] == "已下发"
    assert first["分管院长"] == "张副院长"
    assert dict(zip([c.label for c in table.columns], table.rows[1], strict=True))["分管院长"] == "—"
    assert "2 张整改单" in section.paragraphs[0]


def test_one_order_on_the_list_is_said_in_the_singular_in_english(meeting):
    RectificationOrder.objects.filter(pk=meeting["waike_serious_3"].pk).update(status="closed")
    with translation.override("en"):
        (section,) = _content().sections
    assert (
        "1 rectification order is on the weekly meeting list (departments: 1): it is past"
        in section.paragraphs[0]
    )


def test_the_pdf_is_one_page_with_the_orders(meeting, tmp_path, need_poppler):
    path = tmp_path / "weekly.pdf"
    render_pdf(_content(), path)
    assert pdf_info(path)["Pages"] == "1"
    text = flat(pdf_text(path))
    assert "院周会通报" in text
    assert meeting["neike_8"].number in text and meeting["waike_serious_3"].number in text
    assert meeting["neike_4"].number not in text and meeting["waike_submitted"].number not in text
    assert "张副院长" in text


def test_the_workbook_lists_the_orders_as_cells(meeting):
    buffer = io.BytesIO()
    render_xlsx(_content(), buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.worksheets[2]  # the section's table, on a sheet of its own after the section's
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    number = cells[meeting["neike_8"].number]
    row = [c.value for c in sheet[number.row]]
    assert row[:4] == [meeting["neike_8"].number, "内科", "后勤保障", "较重"]
    assert row[6] == 8 and sheet.cell(row=number.row, column=7).number_format == "#,##0"
    assert meeting["neike_4"].number not in cells


def test_an_empty_week_says_so(db):
    (section,) = _content().sections
    assert section.empty and not section.tables
    assert "没有整改单列入院周会通报" in section.paragraphs[0]


def test_the_monday_job_queues_the_week_in_pdf_and_excel_once(meeting, settings):
    assert any(j.task == "reports.build_weekly_meeting" and j.day_of_week == "1" for j in DEFAULT_SCHEDULES)
    assert report_tasks.build_weekly_meeting.delay(MONDAY.isoformat()).get() == 2
    reports = Report.objects.filter(kind=ReportKind.WEEKLY_MEETING)
    assert {(r.period_start, r.period_end, r.format) for r in reports} == {
        (MONDAY, MONDAY + dt.timedelta(days=6), "pdf"),
        (MONDAY, MONDAY + dt.timedelta(days=6), "xlsx"),
    }
    for report in reports:
        report_services.report_build(report_id=report.pk, today=MONDAY)
    assert report_services.reports_schedule_weekly_meeting(today=MONDAY) == []  # ready: nothing more
    assert Report.objects.filter(kind=ReportKind.WEEKLY_MEETING).count() == 2


def test_a_week_is_asked_for_by_any_of_its_days(db):
    assert parse_period(ReportKind.WEEKLY_MEETING, None, "2026-12-03") == (MONDAY, dt.date(2026, 12, 6))
    with pytest.raises(ValueError):
        parse_period(ReportKind.WEEKLY_MEETING, None, None)
