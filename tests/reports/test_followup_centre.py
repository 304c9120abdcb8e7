"""The follow-up centre's paragraph and tables in the report (issue 18 item 4): calls made, reached
and not reached by reason; of the patients reached, satisfied and not satisfied with two decimals,
split by what with; staff and wards praised, of which star wards; guidance by kind; the month table
beside the same period last year; satisfaction asked on calls as a channel of overall satisfaction."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from followups.models import (
    DissatisfactionDomain,
    GuidanceKind,
    Outcome,
    Satisfaction,
    StarWard,
)
from reports.builders import build_content
from reports.excel import render_xlsx
from reports.pdf import render_pdf
from tests.factories import DischargeStayFactory, StaffFactory
from tests.followups.factories import add_attempt, make_task

from .conftest import OCT, at
from .helpers import flat, pdf_text

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
DAY = dt.date(2026, 10, 12)


def _call(
    dept, outcome=Outcome.REACHED, *, discharged=dt.date(2026, 10, 8), day=DAY, domain=None, guidance=(), **kw
):
    task = make_task(stay=DischargeStayFactory(department=dept, discharged_on=discharged))
    if domain:
        kw.update(
            satisfaction=Satisfaction.DISSATISFIED,
            dissatisfied_domain=DissatisfactionDomain.objects.get(name=domain),
        )
    attempt = add_attempt(task, outcome=outcome, when=at(day), **kw)
    attempt.guidance_kinds.set(GuidanceKind.objects.filter(name__in=guidance))
    return attempt


@pytest.fixture
def centre(neike, waike):
    """October 2026, counted by hand: 10 attempts, 7 reached, 3 not (无人接听 2, 空号或错号 1). Of the
    reached, satisfaction asked on 7: satisfied 4 (57.14 %), not satisfied 3 (42.86 %: 护理 2, 费用 1).
    Praise: 3 staff named on 2 calls, plus 1 call praising without names → 3 ward praises, 2 in 内科
    (a star ward in 2026). Guidance: 健康指导 3, 指导复查 1. Last October: 内科 2 stays, 1 followed up."""
    StarWard.objects.create(department=neike, year=2026)
    staff = [StaffFactory(department=neike) for _ in range(3)]
    _call(neike, satisfaction=Satisfaction.SATISFIED, praise="好", guidance=["健康指导"]).praised_staff.set(
        staff[:2]
    )
    _call(neike, satisfaction=Satisfaction.SATISFIED, guidance=["健康指导", "指导复查"]).praised_staff.set(
        staff[2:]
    )
    _call(waike, satisfaction=Satisfaction.SATISFIED, praise="外科护士好", guidance=["健康指导"])
    _call(waike, satisfaction=Satisfaction.SATISFIED)
    _call(neike, domain="护理")
    _call(waike, domain="护理")
    _call(neike, domain="费用")
    _call(neike, Outcome.NO_ANSWER)
    _call(waike, Outcome.NO_ANSWER)
    _call(waike, Outcome.WRONG_NUMBER)
    last_year = dt.date(2025, 10, 9)
    _call(neike, discharged=last_year, day=dt.date(2025, 10, 12), satisfaction=Satisfaction.SATISFIED)
    DischargeStayFactory(department=neike, discharged_on=last_year)


def _section(content):
    return content.section("followups")


def test_the_follow_up_paragraph_counts_as_a_centre_writes_it(centre):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    text = flat(" ".join(_section(content).paragraphs))
    assert (
        "共回访10人次，成功回访7人次（70.00%），未成功3人次（其中空号或错号1人次、无人接听2人次）。" in text
    )
    assert (
        "询问满意度7人次：满意4人次（57.14%），不满意3人次（42.86%）；不满意方面：护理2人次、费用1人次。"
        in text
    )
    assert "患者点名表扬医护人员3人次，表扬病区3次，其中星级病房2次。" in text
    assert "回访中健康指导3人次、咨询解答0人次、指导复查1人次、解决疑难问题0人次、化解意见0人次。" in text
    figures = content.figures.followups
    assert (figures.satisfied, figures.dissatisfied, figures.star_ward_praises) == (4, 3, 2)
    tables = {t.title: t for t in _section(content).tables}
    domains = tables["不满意方面统计"].rows
    assert [r[:2] for r in domains] == [["护理", 2], ["费用", 1]]
    assert domains[0][2].numerator == 2 and domains[0][2].denominator == 3
    ranking = tables["各科室患者不满意问题"].rows
    assert ranking[0][:3] == ["内科", 2, "护理 1、费用 1"] and ranking[1][:3] == ["外科", 1, "护理 1"]


def test_the_month_table_stands_beside_last_year_and_says_so_when_last_year_had_none(centre, waike):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    month = next(t for t in _section(content).tables if t.title == "按出院月份统计的回访情况")
    (october, total) = month.rows
    assert october[1:4] == [10, 7, october[3]] and october[3].numerator == 7
    assert october[4] == 50.0 and october[5] == pytest.approx(20.0)  # 70 % against 50 %
    assert total[0] == "合计" and total[4] == 50.0
    waike_only = build_content(
        kind="monthly", start=OCT[0], end=OCT[1], today=TODAY, department_ids=[waike.pk]
    )
    (october, _total) = next(
        t for t in _section(waike_only).tables if t.title == "按出院月份统计的回访情况"
    ).rows
    assert october[4].value == "去年同期无数据" and october[5].value is None  # never a change from 0 %


def test_satisfaction_asked_on_calls_is_a_channel_of_overall_satisfaction(centre):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    surveys = content.section("surveys")
    (table,) = [t for t in surveys.tables if t.title == "各渠道总体满意度"]
    assert [r[:3] for r in table.rows] == [["出院回访（未做问卷）", 7, 4], ["合计", 7, 4]]
    assert content.figures.surveys is None  # no questionnaires this month: the calls are the only channel
    headline = next(t for t in content.section("headline").tables)
    overall = next(r for r in headline.rows if r[0] == "总体满意度")
    assert overall[3].value.numerator == 4 and overall[3].value.denominator == 7  # 57.14 %


def test_the_workbook_holds_exact_ratios_and_the_pdf_pages_show_the_paragraph(centre, tmp_path, need_poppler):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = next(ws for ws in wb.worksheets if "不满意方面统计" in ws.title)
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    assert 2 / 3 in [c.value for c in cells] and all(c.number_format == "0.00%" for c in cells)
    path = tmp_path / "m.pdf"
    render_pdf(content, path)
    text = flat(pdf_text(path))
    assert "满意4人次（57.14%），不满意3人次（42.86%）" in text and "去年同期" in text
