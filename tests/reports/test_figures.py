"""One source of truth: the figures agree across the core selectors (dashboard), the report
content, the PDF text and the Excel cells, and with a hand count of the seeded data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reports.builders import build_content, findings_in_period
from reports.excel import render_xlsx
from reports.pdf import render_pdf
from supervision import selectors as core
from supervision.models import Finding, RectificationOrder

from .conftest import OCT
from .helpers import pdf_text

TODAY = dt.date(2026, 11, 23)


def content_pdf_text(content, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    render_pdf(content, path)
    return pdf_text(path)


def sheet_rows(workbook, title_part: str):
    """The rows of a section's sheet and of its tables' sheets ("3 问题发现", "3.1 …", "3.2 …")."""
    number = next(ws.title.split(" ", 1)[0] for ws in workbook.worksheets if title_part in ws.title)
    sheets = [ws for ws in workbook.worksheets if ws.title.split(" ", 1)[0].split(".")[0] == number]
    return [[c.value for c in row] for ws in sheets for row in ws.iter_rows()]


def test_figures_match_hand_count_core_selectors_pdf_and_excel(seeded, tmp_path, need_poppler):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    f = content.figures
    # hand count (see the fixture)
    assert f.findings.total == 7
    assert (f.findings.attitude, f.findings.process, f.findings.discipline) == (3, 1, 2)
    assert f.findings.recurrences == 3
    assert f.orders.total == 7 and f.orders.closed == 3 and f.orders.closed_on_time == 2
    assert f.orders.overdue == 3
    assert f.orders.rectification_rate == 100 * 3 / 7  # exact; shown 42.86%
    assert f.orders.on_time_rate == 200 / 3
    # the dashboard's selectors over the same rows give the same figures
    qs = findings_in_period_for_core()
    by_cat = {r["category__name"]: r["n"] for r in core.findings_by_category(qs)}
    assert by_cat == {"服务态度": 3, "服务流程不规范": 1, "工作纪律": 2, "环境卫生": 1}
    counts = core.order_counts(RectificationOrder.objects.filter(finding__in=qs), today=OCT[1])
    assert (counts.total, counts.rectification_rate, counts.on_time_rate, counts.overdue) == (
        7,
        100 * 3 / 7,
        200 / 3,
        3,
    )
    # PDF text
    text = content_pdf_text(content, tmp_path)
    flat = "".join(text.split())
    assert "本期共发现各类服务问题7起，其中服务态度问题3起，服务流程不规范问题1起，工作纪律问题2起。" in flat
    assert "整改率42.86%" in flat and "按期整改率66.67%" in flat
    assert "超期未整改3份" in flat
    # Excel cells
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    rows = sheet_rows(wb, "问题发现")
    category_rows = {r[0]: r[1] for r in rows if r[0] in by_cat}
    assert category_rows == by_cat
    rect = sheet_rows(wb, "整改情况")
    by_dept = {}
    for r in rect:  # the first table (by department); the recurrence table repeats the names
        if r[0] in ("内科", "外科"):
            by_dept.setdefault(r[0], r)
    assert by_dept["内科"][1:6] == [4, 2, 2, 2, 2]  # orders, open, overdue, closed, on time
    assert by_dept["外科"][1:6] == [3, 2, 1, 1, 0]
    assert abs(by_dept["内科"][6] - 0.5) < 1e-9  # rectification rate 2/4 stored as a fraction


def findings_in_period_for_core():
    from reports.builders import BuildContext
    from reports.models import ReportConfig

    ctx = BuildContext("monthly", OCT[0], OCT[1], None, [], OCT[1], ReportConfig.get())
    return findings_in_period(ctx)


def test_department_version_counts_only_that_department(seeded, neike):
    content = build_content(kind="range", start=OCT[0], end=OCT[1], department_ids=[neike.pk], today=TODAY)
    assert content.figures.findings.total == 4
    assert content.figures.orders.total == 4
    assert content.scope_label == "内科"
    assert Finding.objects.count() == 9  # nothing outside the scope leaked into the figures


def test_period_bounds_follow_local_dates(seeded):
    # 31 October 23:00 local counts in October; 1 November 00:00 does not.
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    assert content.figures.findings.total == 7


def test_scorecard_ranks_departments_by_weighted_mean(seeded, neike, waike):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    # 内科: rectification 50.0, on time 100.0, recurrence 100 - 20*2 = 60 → (20*50+15*100+15*60)/50 = 68.0
    # 外科: rectification 33.3, on time 0.0, recurrence 100 - 20 = 80 → (20*33.3+15*0+15*80)/50 = 37.3
    assert content.figures.scorecard == {"内科": 68.0, "外科": 37.3}
    table = content.section("scorecard").tables[0]
    assert [r[1] for r in table.rows] == ["内科", "外科"]


def test_scorecard_weights_are_read_from_the_config_row(seeded):
    from reports.models import ReportConfig

    config = ReportConfig.get()
    config.weight_on_time = 0
    config.weight_recurrence = 0
    config.min_weight_share = 0
    config.save()
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    assert content.figures.scorecard == {"内科": 50.0, "外科": 33.3}


def test_a_channel_without_selectors_says_no_data_and_a_broken_contract_fails_loudly(db, monkeypatch):
    import sys
    import types

    from django.core.exceptions import ImproperlyConfigured

    from reports.sections.base import selectors_of
    from supervision.channels import Channel, registered

    assert selectors_of("no_such_app", "anything") is None
    monkeypatch.setitem(sys.modules, "fakechannel", types.ModuleType("fakechannel"))
    monkeypatch.setitem(sys.modules, "fakechannel.selectors", types.ModuleType("fakechannel.selectors"))
    fake = Channel(app="fakechannel", selectors="fakechannel.selectors")
    with registered(fake), pytest.raises(ImproperlyConfigured):
        selectors_of("fakechannel", "figures")


def test_building_a_report_takes_the_same_number_of_queries_whatever_the_rows(
    neike, waike, supervisor, django_assert_num_queries
):
    from tests.complaints.factories import make_complaint
    from tests.factories import DepartmentFactory, make_finding

    from .conftest import at

    departments = [neike, waike]

    def add(n):
        departments.append(DepartmentFactory())
        for i in range(n):
            department = departments[i % len(departments)]
            make_finding(
                department=department,
                found_by=supervisor,
                category_code=("attitude", "process", "discipline")[i % 3],
                found_at=at(dt.date(2026, 10, 1 + i % 28)),
            )
            # complaints per department too: the table of complaints by department once asked
            # one query per department
            make_complaint(
                received_by=supervisor, department=department, received_at=at(dt.date(2026, 10, 2))
            )

    add(6)
    build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    with CaptureQueriesContext(connection) as few:
        build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    add(30)
    with django_assert_num_queries(len(few)):
        build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)


def test_annual_report_agrees_with_the_dashboard_page(seeded, client_for, administrator):
    from django.urls import reverse
    from django.utils import timezone

    year = timezone.localdate().year
    response = client_for(administrator).get(reverse("dashboard"))
    shown = {r["category__name"]: r["n"] for r in response.context["by_category"]}
    content = build_content(kind="annual", start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    table = content.section("findings").tables[0]
    assert {row[0]: row[1] for row in table.rows} == shown
    assert content.figures.findings.total == sum(shown.values())


def test_departments_with_too_few_figures_are_listed_without_a_rank(seeded):
    from reports.models import ReportConfig

    config = ReportConfig.get()
    config.min_weight_share = 60  # rectification + on time + recurrence = 50 % of the weights
    config.save()
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    rows = content.section("scorecard").tables[0].rows
    assert [(r[0], r[1], r[-2]) for r in rows] == [(None, "内科", 50.0), (None, "外科", 50.0)]
    assert content.figures.scorecard == {}


@override_settings(REPORTS_PDF_LIST_ROWS=1)
def test_a_long_list_shows_its_first_rows_in_the_pdf_and_every_row_in_the_workbook(seeded):
    from reports.pdf import render_html

    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    table = next(t for s in content.sections for t in s.tables if t.title == "重复出现问题")
    assert len(table.rows) == 2 and table.pdf_rows == 1  # 内科 × 2, 外科 × 1 (see the fixture)
    html = render_html(content)
    listed = html.split("<caption>重复出现问题</caption>", 1)[1].split("</table>", 1)[0]
    assert listed.count("<tr>") == 2  # header + the first row
    assert "仅列前 1 项（共 2 项），全部见 Excel 工作簿。" in html
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    rows = sheet_rows(load_workbook(io.BytesIO(buffer.getvalue())), "整改情况")
    assert (
        sum(
            1 for r in rows if r[0] in ("内科", "外科") and r[1] in ("服务态度", "工作纪律", "服务流程不规范")
        )
        == 2
    )


@override_settings(REPORTS_PDF_LIST_ROWS=1)
def test_monthly_department_tables_show_the_departments_needing_attention_annual_lists_all(seeded):
    from reports.pdf import render_html

    def table(content, title):
        return next(t for s in content.sections for t in s.tables if t.title == title)

    monthly = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    by_department = table(monthly, "各科室问题统计")
    assert [r[0] for r in by_department.rows] == ["内科", "外科"]  # 4 findings, then 3
    assert by_department.pdf_rows == 1
    html = render_html(monthly)
    listed = html.split("<caption>各科室问题统计</caption>", 1)[1].split("</table>", 1)[0]
    assert "内科" in listed and "外科" not in listed
    assert table(monthly, "科室排名").pdf_rows is None  # the ranking always lists every department

    annual = build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)
    assert table(annual, "各科室问题统计").pdf_rows is None


def test_a_months_pdf_ranks_every_department_by_total_and_leaves_the_components_to_the_workbook(seeded):
    from reports.pdf import render_html

    def ranking(content):
        return next(t for s in content.sections for t in s.tables if t.title == "科室排名")

    monthly = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    html = render_html(monthly)
    listed = html.split("<caption>科室排名</caption>", 1)[1].split("</table>", 1)[0]
    head = listed.split("</thead>", 1)[0]
    # the weight with figures is in the workbook; the note under the table says why a department has
    # no rank (a short ranking also gets its total-score bars, in a last column without a heading)
    assert [h.split("</th>")[0] for h in head.split("<th>")[1:] if not h.startswith("</th>")] == [
        "名次",
        "科室",
        "总分",
    ]
    assert "内科" in listed and "外科" in listed  # every department, whatever the rows' cut
    assert "Excel 工作簿另有以下列：整改率、按期整改率" in html and "有数据权重占比" in html
    # The workbook keeps every column.
    buffer = io.BytesIO()
    render_xlsx(monthly, buffer)
    rows = sheet_rows(load_workbook(io.BytesIO(buffer.getvalue())), "科室综合评分排名")
    assert any({"名次", "整改率", "按期整改率", "总分"} <= set(r) for r in rows)

    annual = build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)
    assert ranking(annual).pdf_columns is None
    annual_html = render_html(annual).split("<caption>科室排名</caption>", 1)[1].split("</thead>", 1)[0]
    assert annual_html.count("<th>") - annual_html.count("<th></th>") == 10  # and a short list's bars


def test_a_months_pdf_shows_the_rectification_and_chart_audit_tables_narrower_the_workbook_whole(seeded):
    from reports.pdf import render_html

    def head(html, title):
        listed = html.split(f"<caption>{title}</caption>", 1)[1].split("</thead>", 1)[0]
        return [h.split("</th>")[0] for h in listed.split("<th>")[1:]]

    monthly = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    html = render_html(monthly)
    assert head(html, "各科室整改情况") == ["科室", "整改单", "未完成", "超期", "整改率", "按期整改率"]
    assert "Excel 工作簿另有以下列：已销号、按期销号、待效果评价、效果评价次数、整改有效率" in html
    buffer = io.BytesIO()
    render_xlsx(monthly, buffer)
    rows = sheet_rows(load_workbook(io.BytesIO(buffer.getvalue())), "整改情况")
    assert any({"已销号", "按期销号", "整改有效率"} <= set(r) for r in rows)

    annual = build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)
    assert len(head(render_html(annual), "各科室整改情况")) == 11
    # (the fixture has no chart audits: the rule the chart-audit table uses)
    from types import SimpleNamespace

    from reports.models import ReportKind
    from reports.sections.base import department_pdf_columns

    assert department_pdf_columns(SimpleNamespace(kind=ReportKind.ANNUAL), [0, 1]) is None
    assert department_pdf_columns(SimpleNamespace(kind=ReportKind.MONTHLY), [0, 1]) == [0, 1]


def test_attention_first_puts_the_worst_first_and_missing_values_last():
    from reports.sections.base import attention_first

    rows = [{"d": "甲", "v": 90.0}, {"d": "乙", "v": None}, {"d": "丙", "v": 70.0}, {"d": "丁", "v": 70.0}]
    assert [r["d"] for r in attention_first(rows, lambda r: r["v"])] == ["丙", "丁", "甲", "乙"]
    assert [r["d"] for r in attention_first(rows, lambda r: r["v"], worst="high")] == ["甲", "丙", "丁", "乙"]


@pytest.mark.parametrize(("kind", "start", "end", "compared_from"), [
    ("monthly", *OCT, dt.date(2025, 10, 1)),
    ("annual", dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2025, 1, 1)),
])  # fmt: skip
def test_a_report_reads_nothing_older_than_its_trend_and_the_same_period_last_year(
    seeded, neike, supervisor, kind, start, end, compared_from
):
    """The comparison pass (the same period last year) reads only its own figures: not its own trend
    nor the year before it, which the report never shows and which grew with years of history
    (issue 23 item 3). The earliest day any query names is the comparison period's first (a day
    before, for the local midnight of a time zone east of UTC) or the trend's first."""
    from reports.periods import trend_window
    from tests.factories import DischargeStayFactory, make_finding

    from .conftest import at

    # Figures in the comparison period too: a finding and a discharge a year before October 2026,
    # and a discharge this October (the follow-up section reads its trend only with discharges).
    make_finding(
        department=neike, found_by=supervisor, category_code="process", found_at=at(dt.date(2025, 10, 9))
    )
    DischargeStayFactory(department=neike, discharged_on=dt.date(2025, 10, 9))
    DischargeStayFactory(department=neike, discharged_on=dt.date(2026, 10, 9))
    with CaptureQueriesContext(connection) as captured:
        build_content(kind=kind, start=start, end=end)
    named = {
        dt.date.fromisoformat(day)
        for query in captured.captured_queries
        for day in re.findall(r"\b(\d{4}-\d{2}-\d{2})", query["sql"])
    }
    trend_first = trend_window(start, end, 24 if kind == "annual" else 12)[0]
    assert min(named) >= min(compared_from, trend_first) - dt.timedelta(days=1), sorted(named)[:5]


@pytest.mark.parametrize(("kind", "start", "end"), [
    ("monthly", *OCT),
    ("annual", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
])  # fmt: skip
def test_a_report_joins_the_stays_to_their_follow_up_tasks_once_for_every_month_table(
    seeded, neike, kind, start, end
):
    """The period's table, the same months last year, the trend and (annual) the written summary's
    ranking come from one read of the month × department counts: joining every stay of the trend to
    its tasks was the largest query of a report, and the annual report made it four times. Since
    stop 19 that read counts the stays' follow-up flags and joins no task at all."""
    from tests.factories import DischargeStayFactory

    DischargeStayFactory(department=neike, discharged_on=dt.date(2025, 10, 9))
    DischargeStayFactory(department=neike, discharged_on=dt.date(2026, 10, 9))
    with CaptureQueriesContext(connection) as captured:
        build_content(kind=kind, start=start, end=end, today=TODAY)
    reads = [
        q["sql"] for q in captured.captured_queries if 'AS "reached"' in q["sql"] and 'AS "month"' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert '"followup_reached"' in reads[0] and '"followups_followuptask"' not in reads[0], reads[0]
