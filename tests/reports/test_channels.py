"""Channel sections against the channel apps' own selectors and a hand count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from complaints import selectors as complaint_selectors
from complaints.models import Complaint
from followups import selectors as followup_selectors
from followups.models import Outcome
from reports.builders import build_content
from reports.excel import render_xlsx
from reports.pdf import render_pdf
from supervision.rates import format_rate
from surveys import selectors as survey_selectors
from surveys.models import Channel, Dimension, QuestionKind
from tests.complaints.factories import at as bj
from tests.complaints.factories import make_complaint
from tests.factories import DischargeStayFactory
from tests.followups.factories import add_attempt, make_task
from tests.surveys.factories import make_questionnaire, submit

from .conftest import OCT
from .helpers import flat, pdf_text

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def questionnaire(supervisor):
    return make_questionnaire(
        supervisor,
        code="rpt",
        sections=[
            ("环境", Dimension.ENVIRONMENT, [("e1", QuestionKind.SCALE, True)]),
            ("态度", Dimension.ATTITUDE, [("a1", QuestionKind.SCALE, True)]),
        ],
    )


@pytest.fixture
def channels(seeded, questionnaire, neike, waike, supervisor):
    """October 2026, by hand:

    surveys: 3 valid web forms (no link issued: each counts as distributed) (内科 e1=5 a1=4; 内科 e1=2 a1=5; 外科 e1=4 a1=1) → satisfied 4 of 6 answers = 66.7 %;
      attitude 2 of 3 = 66.7 %. October 2025: 外科 e1=5 a1=2 → attitude 0 of 1 = 0 % → +66.7 points.
    follow-up: 内科 4 stays discharged (3 reached), 外科 2 (0 reached: no answer) → 3 of 6 = 50.0 %.
    complaints: 2 received, both about 内科 → 外科 had none.
    """
    submit(questionnaire, neike, D(2026, 10, 3), e1=5, a1=4, channel=Channel.WEB)
    submit(questionnaire, neike, D(2026, 10, 12), e1=2, a1=5, channel=Channel.WEB)
    submit(questionnaire, waike, D(2026, 10, 20), e1=4, a1=1, channel=Channel.WEB)
    submit(questionnaire, waike, D(2025, 10, 20), e1=5, a1=2)
    for i, (dept, reached) in enumerate(
        [(neike, True), (neike, True), (neike, True), (neike, False), (waike, False), (waike, False)]
    ):
        stay = DischargeStayFactory(department=dept, discharged_on=D(2026, 10, 5 + i))
        task = make_task(stay=stay, due_on=D(2026, 10, 8 + i))
        add_attempt(task, outcome=Outcome.REACHED if reached else Outcome.NO_ANSWER)
    make_complaint(received_by=supervisor, department=neike, received_at=bj("2026-10-10"))
    make_complaint(received_by=supervisor, department=neike, received_at=bj("2026-10-21"))


def test_channel_figures_agree_with_their_selectors_and_the_hand_count(channels, neike, waike):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    f = content.figures
    summary = survey_selectors.survey_summary(start=OCT[0], end=OCT[1])
    # rates are exact (4 of 6), rounded only when shown
    assert (f.surveys.valid_returned, f.surveys.satisfaction) == (3, pytest.approx(200 / 3))
    assert (summary["valid_returned"], summary["satisfaction"]) == (3, pytest.approx(200 / 3))
    assert f.surveys.attitude_change_pp == pytest.approx(200 / 3)
    follow = followup_selectors.followup_summary(start=OCT[0], end=OCT[1])
    assert (f.followups.discharged, f.followups.followed_up, f.followups.rate) == (6, 3, 50.0)
    assert (follow["discharged"], follow["reached"], follow["rate"]) == (6, 3, 50.0)
    assert f.followups.lowest.startswith("外科")
    assert f.complaints.total == 2 == complaint_selectors.figures(start=OCT[0], end=OCT[1]).total
    zero = {
        d["department"] for d in complaint_selectors.departments_without_complaints(start=OCT[0], end=OCT[1])
    }
    assert "外科" in zero and "内科" not in zero


def test_channel_figures_in_pdf_and_excel(channels, tmp_path, need_poppler):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    path = tmp_path / "r.pdf"
    render_pdf(content, path)
    text = flat(pdf_text(path))
    assert "共发放调查问卷3份，回收有效问卷3份，患者总体满意度达到66.67%" in text
    assert "患者对医护人员服务态度的满意度较去年同期提高了66.67个百分点" in text
    assert "回访率50.00%" in text
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    ws = next(ws for ws in wb.worksheets if "出院随访" in ws.title)
    assert ws._charts  # run charts as native Excel charts, on the section's sheet
    month = next(
        r for ws in wb.worksheets for r in ws.iter_rows() if r[0].value == "2026-10" and r[1].value == 6
    )
    assert [c.value for c in month[1:3]] == [6, 3]
    assert month[3].value == 0.5 and month[3].number_format == "0.00%"


def test_annual_summary_writes_the_four_parts_with_measured_numbers(channels, tmp_path, need_poppler):
    # The written summary (reports.written) replaced the eight statistical sentences of the old
    # reports/sections/summary.py; the same figures, in its four parts (issue 18).
    content = build_content(kind="annual", start=D(2026, 1, 1), end=D(2026, 12, 31), today=TODAY)
    parts = {p.key: " ".join(p.paragraphs) for p in content.section("summary").parts}
    work = parts["work"]
    assert work.index("现场督查发现问题 9 项") < work.index(
        "各渠道共发现各类服务问题 9 起，其中服务态度问题 3 起，服务流程不规范问题 2 起，工作纪律问题 2 起"
    )
    assert "满意度调查：共发放调查问卷 3 份，回收有效问卷 3 份。" in work
    assert "出院随访：出院患者 6 人次，已回访 3 人次。" in work
    assert "投诉管理：共收到投诉 2 件" in work and "受理投诉" not in work
    assert "病历抽查" not in work  # no chart audits seeded: no sentence pretends to a figure
    assert "总体满意度 66.67%" in parts["results"] and "回访率 50.00%" in parts["results"]
    assert "回访率最低的科室：外科" in parts["problems"]
    assert "督促外科提高出院患者随访率。" in parts["measures"]


def test_scorecard_combines_channels_and_follows_the_weights(channels):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    rows = {r[1]: r for r in content.section("scorecard").tables[0].rows}
    # 内科: rect 50, on time 100, recurrence 60, satisfaction (5,4,2,5 → 3/4) 75.0, follow-up 75.0,
    #       complaints: 2 received, none determined valid → 100
    assert rows["内科"][2:8] == [50.0, 100.0, 60, 75.0, 75.0, 100]
    expected = round((20 * 50 + 15 * 100 + 15 * 60 + 20 * 75 + 15 * 75 + 15 * 100) / 100, 1)
    assert rows["内科"][8] == 100.0  # figures for every weighted component
    assert rows["内科"][9] == expected


def test_run_charts_per_department_with_p_chart_limits(channels):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    charts = [c for c in content.section("followups").charts if c.kind == "run"]
    assert len(charts) == 3  # the hospital and each department with discharges
    overall = charts[0]
    assert overall.limits.method == "p" and overall.limits.centre == 50.0
    assert len(overall.labels) == 12 and overall.labels[-1] == "2026-10"
    surveys = [c for c in content.section("surveys").charts if c.kind == "run"]
    assert surveys and all(c.limits is None or c.limits.method == "xmr" for c in surveys)


def test_paper_forms_beyond_the_recorded_distribution_are_said_not_hidden(questionnaire, neike):
    submit(questionnaire, neike, D(2026, 10, 3), e1=5, a1=4)  # paper, no distribution recorded
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    text = " ".join(content.section("surveys").paragraphs)
    assert "回收有效问卷 1 份，患者总体满意度达到 100.00%。" in text
    assert "问卷发放登记不完整" in text and "共发放调查问卷 0 份" not in text


def test_the_incomplete_distribution_sentence_gives_the_recorded_count_not_the_counted_one(
    questionnaire, neike
):
    # Two paper forms, none recorded as handed out: both count as distributed (the rate stays at
    # 100 %), but the sentence says what the record holds.
    for day in (3, 4):
        submit(questionnaire, neike, D(2026, 10, day), e1=5, a1=4)
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    assert (content.figures.surveys.distributed, content.figures.surveys.distributed_recorded) == (2, 0)
    assert "（登记发放 0 份）" in " ".join(content.section("surveys").paragraphs)


def test_inspection_section_uses_the_inspection_selectors(supervisor, neike, waike):
    from inspections import selectors as inspection_selectors
    from inspections import services as inspection_services
    from tests.inspections.factories import answer_all, make_template, start_round

    template = make_template()
    for department, round_type in ((neike, "routine"), (neike, "night")):
        rnd = start_round(
            actor=supervisor,
            department=department,
            template=template,
            started_at=bj("2026-10-15"),
            round_type=round_type,
        )
        answer_all(rnd, supervisor, ["pass", "pass", "pass"])
        inspection_services.round_submit(rnd=rnd, actor=supervisor)
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    section = content.section("inspections")
    coverage = inspection_selectors.coverage_summary(inspection_selectors.coverage(start=OCT[0], end=OCT[1]))
    assert content.figures.inspections.rounds == 2 == coverage["done"]
    assert content.figures.inspections.coverage_rate == coverage["coverage_rate"]
    text = " ".join(section.paragraphs)
    assert "本期共开展督察 2 次" in text and f"覆盖率 {format_rate(coverage['coverage_rate'])}%" in text
    assert "本期无窗口等候时间数据。" in text and "本期无手卫生数据。" in text
    assert content.section("chart_audits").paragraphs == ["本期无病历抽查数据。"]


def test_the_workbook_has_a_data_sheet_per_channel_with_the_rows_behind_the_figures(channels):
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY, with_data=True)
    sheets = {d.key: d for d in content.data_sheets}
    assert list(sheets) == ["findings", "inspections", "chart_audits", "surveys", "followups", "complaints"]
    assert len(sheets["findings"].rows) == 7  # October's findings, one row each
    stays = sheets["followups"].rows
    assert len(stays) == 6 and sum(1 for r in stays if r[4] == "是") == 3  # 3 of 6 followed up
    assert len(sheets["surveys"].rows) == 3 and len(sheets["complaints"].rows) == 2
    buffer = io.BytesIO()
    render_xlsx(content, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    data = [ws for ws in wb.worksheets if ws.title.startswith("数据")]
    assert len(data) == 6
    for ws in data:
        (xl,) = ws.tables.values() if ws.tables else (None,)
        assert xl is None or xl.autoFilter is not None  # a named table ready for a pivot table
    # nothing personal: no patient's or complainant's name or phone number on any data sheet
    stays_qs = DischargeStayFactory._meta.model.objects.all()
    personal = {s.patient_name for s in stays_qs} | {s.phone for s in stays_qs if s.phone}
    for c in Complaint.objects.all():
        personal |= {v for v in (c.complainant_name, c.complainant_phone) if v}
    assert personal
    texts = {str(c.value) for ws in data for row in ws.iter_rows() for c in row if c.value is not None}
    assert not personal & texts
    # the PDF never builds them
    assert build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY).data_sheets == []


def test_headline_figures_stand_beside_the_same_period_last_year(channels, neike, supervisor):
    from reports.content import fmt_cell
    from tests.factories import make_finding

    from .conftest import at

    make_finding(department=neike, found_by=supervisor, found_at=at(D(2025, 10, 10)), category_code="process")
    content = build_content(kind="monthly", start=OCT[0], end=OCT[1], today=TODAY)
    table = content.section("headline").tables[0]
    assert [c.label for c in table.columns][-2:] == ["去年同期", "同比变化"]
    rows = {r[0]: [fmt_cell(v, c.kind) for v, c in zip(r, table.columns, strict=True)] for r in table.rows}
    # satisfaction: 4 of 6 now, 1 of 2 in October 2025 → +16.67 points
    assert rows["总体满意度"][3:] == ["66.67%", "达标" if 200 / 3 >= 90 else "未达标", "50.00%", "+16.67"]
    # findings: 7 now, 1 then → +6
    assert rows["发现问题数"][3] == "7" and rows["发现问题数"][5:] == ["1", "+6"]
    # no stays, no complaints in October 2025: said so, never a change from 0 %
    assert rows["回访率"][5:] == ["—", "去年同期无数据"]
    assert rows["收到投诉"][5:] == ["—", "去年同期无数据"]
    assert "2025-10-01 ~ 2025-10-31" in table.note
    # last year's own report has nothing before it: every change is "no data last year"
    before = build_content(kind="monthly", start=D(2025, 10, 1), end=D(2025, 10, 31), today=TODAY)
    changes = [r[-1] for r in before.section("headline").tables[0].rows]
    assert all(getattr(c, "value", None) in ("去年同期无数据", None) for c in changes)
