"""The written summary (工作总结): generated from the measured figures, edited by the office, regenerated
without losing its words, finalised and frozen with its files; Word (.docx) and the pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from reports import services
from reports.builders import build_content
from reports.forms import ReportRequestForm
from reports.models import SummaryStatus, WrittenSummary
from supervision.errors import ActionNotAllowed
from tests.factories import make_finding

from .conftest import at

# The fourth quarter of 2026 holds the seeded October (7 findings) and the finding of 1 November: 8
# findings, 4 recurrences, 3 of 8 orders closed, 4 overdue (tests/reports/conftest.py).
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
TODAY = dt.date(2026, 11, 23)
HEADINGS = ["一、工作开展情况", "二、工作成效", "三、存在的问题", "四、改进措施"]


def text_of(summary: WrittenSummary) -> str:
    from reports import written

    return "\n".join(p for part in written.parts(summary.generated, summary) for p in part.paragraphs)


@pytest.fixture
def draft(seeded, supervisor):
    return services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)


@pytest.fixture
def last_year(seeded, neike, supervisor):
    """Two findings in October 2025 (one closed): the same quarter last year has data."""
    from supervision.models import OrderStatus, RectificationOrder

    made = [
        make_finding(
            department=neike,
            found_by=supervisor,
            found_at=at(dt.date(2025, 10, d)),
            deadline=dt.date(2025, 10, 20),
        )
        for d in (3, 4)
    ]
    RectificationOrder.objects.filter(finding=made[0]).update(status=OrderStatus.CLOSED, closed_on_time=True)
    return made


def test_the_draft_opens_each_part_with_measured_figures(draft):
    generated = draft.generated
    assert [len(generated[p]) > 0 for p in ("work", "results", "problems", "measures")] == [True] * 4
    text = text_of(draft)
    # on site first, every channel next (issue 18 item 6)
    on_site = text.index("现场督查发现问题 8 项")
    assert on_site < text.index(
        "各渠道共发现各类服务问题 8 起，其中服务态度问题 3 起，服务流程不规范问题 1 起，工作纪律问题 2 起"
    )
    assert "4 份整改通知单逾期未完成整改。" in text
    assert "同一科室重复发生问题 4 起" in text
    # stored as keys and parameters, never as sentences (house rule 7); a rate as its counts
    first = generated["results"][0]
    assert first["key"].startswith("reports.summary.") and "发现" not in str(first["params"])
    rect = next(
        m for m in generated["results"] if m["params"]["what"]["key"] == "reports.summary.fig.rectification"
    )
    assert rect["params"]["now"] == {"n": 3, "d": 8}


def test_year_on_year_without_last_year_says_so_never_zero(draft):
    text = text_of(draft)
    assert "整改率 37.50%（去年同期无数据）。" in text
    assert "0.00%" not in text


def test_year_on_year_with_last_year_in_percentage_points_for_rates(last_year, supervisor):
    summary = services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)
    text = text_of(summary)
    # 3/8 now against 1/2 last year: 37.5 − 50 = −12.5 points
    assert "整改率 37.50%（去年同期 50.00%），较去年同期下降 12.50 个百分点。" in text
    assert "发现问题数 8（去年同期 2），较去年同期增加 6。" in text


def test_a_regenerated_draft_keeps_the_office_text_and_updates_the_figures(draft, supervisor, neike):
    services.summary_save(
        summary=draft,
        actor=supervisor,
        work="全年组织专项督查 12 次。",
        results="",
        problems="后勤保障类科室督查偏少。",
        measures="将督查结果纳入科室绩效考核。",
    )
    make_finding(department=neike, found_by=supervisor, found_at=at(dt.date(2026, 11, 2)))
    services.summary_regenerate(summary=draft, actor=supervisor, today=TODAY)
    draft.refresh_from_db()
    assert draft.text_work == "全年组织专项督查 12 次。"
    assert draft.text_measures == "将督查结果纳入科室绩效考核。"
    assert "各渠道共发现各类服务问题 9 起" in text_of(draft)  # the figures moved, the words stayed
    assert [e.action for e in draft.events.order_by("pk")] == ["create", "save", "regenerate"]
    assert draft.saved_by == supervisor and draft.saved_at is not None


def test_a_finalised_summary_is_frozen_and_keeps_its_files(
    draft, supervisor, client_for, django_capture_on_commit_callbacks
):
    services.summary_save(summary=draft, actor=supervisor, work="定稿前的文字。")
    with django_capture_on_commit_callbacks(execute=True):
        services.summary_finalise(summary=draft, actor=supervisor)
    draft.refresh_from_db()
    assert draft.status == SummaryStatus.FINAL and draft.finalised_by == supervisor
    assert draft.pdf_file and draft.docx_file
    kept = draft.docx_file.open("rb").read()
    with pytest.raises(ActionNotAllowed, match="已定稿"):
        services.summary_save(summary=draft, actor=supervisor, work="改写")
    with pytest.raises(ActionNotAllowed):
        services.summary_regenerate(summary=draft, actor=supervisor)
    # through the page: refused with a message, nothing changed
    client = client_for(supervisor)
    response = client.post(reverse("reports:summary_action", args=[draft.pk, "save"]), {"save-work": "改写"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "该工作总结已定稿，内容已冻结，不能再修改。"
    ]
    draft.refresh_from_db()
    assert draft.text_work == "定稿前的文字。"
    services.summary_files_build(summary_id=draft.pk)  # running the task again makes nothing new
    draft.refresh_from_db()
    assert draft.docx_file.open("rb").read() == kept
    response = client.get(reverse("reports:summary_download", args=[draft.pk, "pdf"]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_docx_has_the_four_headings_the_office_text_the_tables_and_the_hospital_font(draft, supervisor):
    services.summary_save(summary=draft, actor=supervisor, problems="后勤保障类科室督查偏少。")
    buffer = io.BytesIO()
    services.render_to(services.summary_content(draft, today=TODAY), "docx", buffer)
    doc = Document(io.BytesIO(buffer.getvalue()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    texts = [p.text for p in doc.paragraphs]
    assert "后勤保障类科室督查偏少。" in texts
    assert texts.index("后勤保障类科室督查偏少。") > texts.index("三、存在的问题")
    assert doc.tables and doc.tables[0].rows[0].cells[0].text == "指标"
    assert any(row.cells[0].text == "整改率" for row in doc.tables[0].rows)
    fonts = doc.styles["Heading 1"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC" and fonts.get(qn("w:eastAsiaTheme")) is None


def test_build_report_writes_word_for_a_year_and_refuses_it_for_a_month(seeded, tmp_path):
    out = tmp_path / "2026.docx"
    call_command(
        "build_report", "--kind", "annual", "--period", "2026", "--format", "docx", "--out", str(out)
    )
    doc = Document(str(out))
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    with pytest.raises(CommandError, match="Word"):
        call_command(
            "build_report",
            "--kind",
            "monthly",
            "--period",
            "2026-10",
            "--format",
            "docx",
            "--out",
            str(tmp_path / "m.docx"),
        )
    assert not (tmp_path / "m.docx").exists()


def test_the_request_form_refuses_word_for_a_month(supervisor):
    form = ReportRequestForm({"kind": "monthly", "month": "2026-10", "format": "docx"}, user=supervisor)
    assert not form.is_valid() and "format" in form.errors


def test_the_annual_report_opens_with_the_four_parts_in_pdf_and_excel(draft, supervisor):
    content = build_content(kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY)
    section = content.section("summary")
    assert section.title == "年度工作总结" and [p.title for p in section.parts] == HEADINGS
    # the quarter's report opens with the stored draft
    quarter = build_content(kind="range", start=Q4[0], end=Q4[1], today=TODAY).section("summary")
    from reports import written

    assert quarter.title == "工作总结"
    assert quarter.parts[0].paragraphs == written.parts(draft.generated)[0].paragraphs
    monthly = build_content(kind="monthly", start=Q4[0], end=dt.date(2026, 10, 31), today=TODAY)
    assert monthly.section("summary") is None  # a month keeps its figure report


# --- the pages -----------------------------------------------------------------------------------------


def test_the_office_drafts_edits_and_picks_typical_cases_in_the_browser(seeded, supervisor, client_for):
    client = client_for(supervisor)
    response = client.post(reverse("reports:summary_create"), {"year": 2026, "period": "q4"})
    summary = WrittenSummary.objects.get()
    assert response.status_code == 302 and response["Location"] == summary.get_absolute_url()
    page = client.get(summary.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "2026年第四季度工作总结" in body and "一、工作开展情况" in body
    finding = seeded[0]
    response = client.post(
        reverse("reports:summary_action", args=[summary.pk, "save"]),
        {"save-work": "全年组织专项督查 12 次。", "save-cases": [f"finding:{finding.pk}"]},
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.text_work == "全年组织专项督查 12 次。"
    assert [(c["kind"], c["id"]) for c in summary.cases] == [("finding", finding.pk)]
    body = client.get(summary.get_absolute_url()).content.decode()
    assert "典型事例" in body and "2026年10月2日，内科（督查发现）：护士态度生硬" in body


def test_bad_input_is_shown_again_not_lost(draft, supervisor, client_for):
    response = client_for(supervisor).post(
        reverse("reports:summary_action", args=[draft.pk, "save"]),
        {"save-work": "保留这段文字", "save-cases": ["finding:999999"]},
    )
    assert response.status_code == 400
    assert "保留这段文字" in response.content.decode()


def test_a_department_head_reads_their_departments_summary_but_not_anothers_nor_edits(
    seeded, supervisor, neike, waike, head_neike, client_for
):
    own = services.summary_create(start=Q4[0], end=Q4[1], departments=[neike], actor=supervisor, today=TODAY)
    other = services.summary_create(
        start=Q4[0], end=Q4[1], departments=[waike], actor=supervisor, today=TODAY
    )
    hospital = services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)
    client = client_for(head_neike)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(hospital.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:summary_download", args=[other.pk, "docx"])).status_code == 404
    assert (
        client.post(reverse("reports:summary_action", args=[own.pk, "save"]), {"save-work": "x"}).status_code
        == 403
    )
    assert client.post(reverse("reports:summary_create"), {"year": 2026, "period": "q4"}).status_code == 403
    body = client.get(reverse("reports:summaries")).content.decode()
    assert own.get_absolute_url() in body and other.get_absolute_url() not in body


def test_follow_up_staff_may_not_open_the_summaries(draft, caller, client_for):
    client = client_for(caller)
    assert client.get(reverse("reports:summaries")).status_code == 403
    assert client.get(draft.get_absolute_url()).status_code == 403
    assert client.post(reverse("reports:summary_action", args=[draft.pk, "finalise"])).status_code == 403


def test_a_draft_word_file_downloads_and_a_draft_pdf_waits_for_the_finalising(draft, supervisor, client_for):
    client = client_for(supervisor)
    response = client.get(reverse("reports:summary_download", args=[draft.pk, "docx"]))
    assert response.status_code == 200
    assert "wordprocessingml" in response["Content-Type"]
    assert Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs
    assert client.get(reverse("reports:summary_download", args=[draft.pk, "pdf"])).status_code == 404


def test_finalising_through_the_page_says_done(draft, supervisor, client_for):
    response = client_for(supervisor).post(reverse("reports:summary_action", args=[draft.pk, "finalise"]))
    assert response.status_code == 302
    assert any("定稿" in str(m) for m in get_messages(response.wsgi_request))
    draft.refresh_from_db()
    assert draft.is_final


def test_the_editor_query_count_does_not_grow_with_cases(
    draft, supervisor, neike, client_for, django_assert_max_num_queries
):
    client = client_for(supervisor)
    client.get(draft.get_absolute_url())  # warm the session and the caches
    with django_assert_max_num_queries(30) as few:
        client.get(draft.get_absolute_url())
    for day in range(1, 15):
        make_finding(department=neike, found_by=supervisor, found_at=at(dt.date(2026, 11, day)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(draft.get_absolute_url())


def test_the_editor_names_people_tells_the_way_to_the_pdf_and_capitalises_the_english_title(
    draft, supervisor, client_for
):
    client = client_for(supervisor)
    page = client.get(draft.get_absolute_url()).content.decode()
    # The person by name (周督察), not the log-in; the draft says when the PDF comes.
    assert "起草 · 周督察" in page and "· supervisor" not in page
    assert "PDF 和正式 Word 文件在定稿时生成" in page
    listing = client.get(reverse("reports:summaries")).content.decode()
    assert "· 周督察" in listing and 'class="table-responsive"' in listing
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Fourth quarter of 2026 work summary" in page
    assert "The PDF and the final Word file are made when the summary is finalised" in page


def test_an_editor_with_nothing_to_pick_says_so_under_typical_cases(supervisor, client_for):
    empty = services.summary_create(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), actor=supervisor, today=TODAY
    )
    page = client_for(supervisor).get(empty.get_absolute_url()).content.decode()
    assert "本期、本范围内暂无可选的问题、投诉或表扬。" in page


@pytest.mark.parametrize(
    ("today", "year"),
    [
        # December: the office writes this year's annual summary before the year ends.
        (dt.datetime(2026, 12, 7, 9, 0), 2026),
        # January: the year just ended.
        (dt.datetime(2027, 1, 8, 9, 0), 2026),
    ],
)
def test_the_draft_and_request_forms_default_to_the_year_being_written_up(supervisor, today, year):
    import time_machine
    from django.utils import timezone

    from reports.forms import SummaryCreateForm

    with time_machine.travel(timezone.make_aware(today), tick=False):
        summary_form = SummaryCreateForm(user=supervisor)
        request_form = ReportRequestForm(user=supervisor)
    assert (summary_form["year"].value(), summary_form["period"].value()) == (year, "year")
    assert request_form["year"].value() == year
    # The monthly report: the month just ended.
    assert (
        request_form["month"].value() == f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    )


def test_the_history_says_what_was_done_and_saving_confirms_in_a_sentence(draft, supervisor, client_for):
    client = client_for(supervisor)
    response = client.post(reverse("reports:summary_action", args=[draft.pk, "save"]), {"save-work": "改写"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["草稿已保存。"]
    page = client.get(draft.get_absolute_url()).content.decode()
    # Past events in the history, not the buttons' verbs; the buttons still say what to do.
    assert "起草 · 周督察" in page and "保存 · 周督察" in page
    assert 'data-action="finalise">定稿</button>' in page
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    response = client.post(reverse("reports:summary_action", args=[draft.pk, "save"]), {"save-work": "x"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The draft is saved."]
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Drafted · 周督察" in page and "Saved · 周督察" in page and "· Save ·" not in page
    assert 'data-action="finalise">Finalise</button>' in page


def test_a_hospital_wide_summary_s_page_asks_nothing_of_departments_and_a_department_s_names_them(
    seeded, supervisor, neike, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hospital = services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)
    own = services.summary_create(start=Q4[0], end=Q4[1], departments=[neike], actor=supervisor, today=TODAY)
    client = client_for(supervisor)
    client.get(hospital.get_absolute_url())  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(hospital.get_absolute_url()).status_code == 200
    assert not [q for q in queries.captured_queries if "writtensummary_departments" in q["sql"]]
    body = client.get(own.get_absolute_url()).content.decode()
    assert "内科" in body and "全院" not in body.split("<h1", 1)[1].split("</p>", 1)[0]
