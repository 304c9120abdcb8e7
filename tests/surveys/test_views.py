"""Staff pages: role rules, department scoping, constant query counts, exports, posters, builder."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision.models import Finding, FindingSource
from surveys.models import Channel, Question, Questionnaire, QuestionnaireStatus, SurveyResponse

from .factories import submit

TODAY = timezone.localdate()


def _fill(small_q, neike, waike, n: int, day=None):
    day = day or TODAY
    for i in range(n):
        submit(small_q, neike if i % 2 else waike, day, e1=1 + i % 5, a1=5, text=f"意见{i}")


# --- roles and scoping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["surveys:results", "surveys:response_list", "surveys:campaign_list", "surveys:questionnaire_list"],
)
def test_volunteer_is_forbidden(client_for, volunteer, name):
    assert client_for(volunteer).get(reverse(name)).status_code == 403


def test_anonymous_goes_to_login(client_for, db):
    page = client_for(None).get(reverse("surveys:results"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_head_sees_only_own_department_results(client_for, head_neike, small_q, neike, waike):
    submit(small_q, neike, TODAY, e1=5, a1=5)
    submit(small_q, waike, TODAY, e1=1, a1=1)
    page = client_for(head_neike).get(reverse("surveys:results"))
    assert page.status_code == 200
    assert page.context["summary"]["valid_returned"] == 1
    assert page.context["summary"]["satisfaction"] == 100.0
    assert [r["name"] for r in page.context["by_department"]] == ["内科"]
    # asking for the other department falls back to their own
    page = client_for(head_neike).get(reverse("surveys:results"), {"department": waike.pk})
    assert page.context["summary"]["satisfaction"] == 100.0


def test_department_filter_offers_the_whole_hospital_to_the_office_and_my_departments_to_a_head(
    client_for, supervisor, head_neike, small_q
):
    office = client_for(supervisor).get(reverse("surveys:results")).content.decode()
    assert '<option value="">全院</option>' in office
    head = client_for(head_neike).get(reverse("surveys:results")).content.decode()
    assert '<option value="">全院</option>' not in head and "我的全部科室" in head


def test_department_filter_keeps_the_chosen_department_selected(
    client_for, supervisor, head_neike, small_q, neike, waike
):
    html = client_for(supervisor).get(reverse("surveys:results"), {"department": waike.pk}).content.decode()
    assert f'<option value="{waike.pk}" selected>外科</option>' in html
    assert f'<option value="{neike.pk}">内科</option>' in html
    html = client_for(head_neike).get(reverse("surveys:results")).content.decode()
    assert f'<option value="{neike.pk}">内科</option>' in html and f'<option value="{waike.pk}"' not in html


def test_supervisor_sees_every_department(client_for, supervisor, small_q, neike, waike):
    submit(small_q, neike, TODAY, e1=5, a1=5)
    submit(small_q, waike, TODAY, e1=1, a1=1)
    page = client_for(supervisor).get(reverse("surveys:results"))
    assert page.context["summary"]["satisfaction"] == 50.0
    page = client_for(supervisor).get(reverse("surveys:results"), {"department": waike.pk})
    assert page.context["summary"]["satisfaction"] == 0.0


def test_head_gets_404_for_another_departments_response(client_for, head_neike, small_q, waike, neike):
    other = submit(small_q, waike, TODAY, e1=1, a1=1)
    own = submit(small_q, neike, TODAY, e1=1, a1=1)
    assert client_for(head_neike).get(reverse("surveys:response_detail", args=[other.pk])).status_code == 404
    assert client_for(head_neike).get(reverse("surveys:response_detail", args=[own.pk])).status_code == 200
    listing = client_for(head_neike).get(reverse("surveys:response_list"))
    assert [r.pk for r in listing.context["page"]] == [own.pk]


def test_head_export_contains_only_own_department(client_for, head_neike, small_q, neike, waike):
    submit(small_q, neike, TODAY, e1=5, a1=5)
    submit(small_q, waike, TODAY, e1=1, a1=1)
    page = client_for(head_neike).get(reverse("surveys:response_export"))
    book = openpyxl.load_workbook(io.BytesIO(page.content))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["内科"]


# --- constant query counts ---------------------------------------------------------------------


def test_results_page_query_count_does_not_grow_with_rows(
    client_for, supervisor, small_q, neike, waike, django_assert_num_queries
):
    client = client_for(supervisor)
    _fill(small_q, neike, waike, 4)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("surveys:results")).status_code == 200
    _fill(small_q, neike, waike, 40, day=TODAY - dt.timedelta(days=40))
    with django_assert_num_queries(len(small)):
        client.get(reverse("surveys:results"))


def test_response_list_query_count_does_not_grow_with_rows(
    client_for, supervisor, small_q, neike, waike, django_assert_num_queries
):
    client = client_for(supervisor)
    _fill(small_q, neike, waike, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("surveys:response_list"))
    _fill(small_q, neike, waike, 30)
    with django_assert_num_queries(len(small)):
        client.get(reverse("surveys:response_list"))


def test_campaign_list_query_count_does_not_grow(
    client_for, supervisor, campaign, small_q, neike, waike, django_assert_num_queries
):
    client = client_for(supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("surveys:campaign_list"))
    for i in range(5):
        submit(small_q, neike, TODAY, campaign=campaign, e1=5, a1=4)
        from surveys import services

        services.campaign_save(
            name=f"批次{i}", questionnaire=small_q, start=TODAY, end=TODAY, channels=["web"], actor=supervisor
        )
    with django_assert_num_queries(len(small)):
        page = client.get(reverse("surveys:campaign_list"))
    assert "5 / 10" in page.content.decode()


def test_response_list_filters(client_for, supervisor, small_q, neike, waike):
    low = submit(small_q, neike, TODAY, e1=1, a1=5)
    submit(small_q, waike, TODAY, e1=5, a1=5, channel=Channel.WEB)
    client = client_for(supervisor)
    page = client.get(reverse("surveys:response_list"), {"low": "true"})
    assert [r.pk for r in page.context["page"]] == [low.pk]
    page = client.get(reverse("surveys:response_list"), {"channel": "web"})
    assert [r.department for r in page.context["page"]] == [waike]
    partial = client.get(reverse("surveys:response_list"), {"channel": "web"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()


# --- exports -----------------------------------------------------------------------------------


def test_exports_neutralise_formula_injection(client_for, supervisor, small_q, neike):
    submit(small_q, neike, TODAY, e1=1, a1=1, text='=HYPERLINK("http://evil")')
    submit(small_q, neike, TODAY, e1=1, a1=1, text="@SUM(A1)")
    client = client_for(supervisor)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("surveys:response_export")).content))
    texts = [row[4] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True) if row[4]]
    assert '\'=HYPERLINK("http://evil")' in texts and "'@SUM(A1)" in texts
    assert not any(isinstance(t, str) and t.startswith(("=", "@", "+", "-")) for t in texts)
    figures = openpyxl.load_workbook(io.BytesIO(client.get(reverse("surveys:results_export")).content))
    comments = [r[4] for r in figures.worksheets[-1].iter_rows(min_row=2, values_only=True)]
    assert sorted(comments) == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]
    summary = dict(figures.worksheets[0].iter_rows(values_only=True))
    assert summary["回收有效"] == 2 and summary["总体满意度 %"] == 0


def test_the_response_export_holds_each_responses_exact_satisfaction_ratio(
    client_for, supervisor, small_q, neike
):
    submit(small_q, neike, TODAY, e1=5, e2=1, a1=1)  # one of three scale answers satisfied
    book = openpyxl.load_workbook(
        io.BytesIO(client_for(supervisor).get(reverse("surveys:response_export")).content)
    )
    header, row = list(book.worksheets[0].iter_rows(max_row=2))
    column = [c.value for c in header].index("满意度 %")
    cell = row[column]
    assert cell.value == 1 / 3  # the ratio itself, never 33.3 rounded before anyone sums it
    assert cell.number_format == "0.00%"


def test_the_figures_export_holds_exact_satisfaction_ratios_not_rounded_percentages(
    client_for, supervisor, small_q, neike
):
    submit(small_q, neike, TODAY, e1=5, e2=1, a1=1)  # one of three scale answers satisfied
    book = openpyxl.load_workbook(
        io.BytesIO(client_for(supervisor).get(reverse("surveys:results_export")).content)
    )
    summary = {row[0].value: row[1] for row in book.worksheets[0].iter_rows() if len(row) > 1}
    overall = summary["总体满意度 %"]
    assert overall.value == 1 / 3 and overall.number_format == "0.00%"
    header, *rows = list(book.worksheets[2].iter_rows())  # by department
    column = [c.value for c in header].index("满意度 %")
    assert [r[column].value for r in rows] == [1 / 3]
    assert rows[0][column].number_format == "0.00%"


# --- low score → finding -----------------------------------------------------------------------


def test_low_score_creates_a_finding_in_one_click_and_the_response_links_it(
    client_for, supervisor, small_q, neike
):
    r = submit(small_q, neike, TODAY, e1=5, a1=1, text="护士态度差")
    client = client_for(supervisor)
    page = client.get(reverse("surveys:response_detail", args=[r.pk]))
    form = page.context["finding_form"]
    assert form.initial["category"].code == "attitude"  # the worst item is in 服务态度
    assert "护士态度差" in form.initial["description"]
    page = client.post(
        reverse("surveys:response_finding", args=[r.pk]),
        {"category": form.initial["category"].pk, "description": form.initial["description"]},
        follow=True,
    )
    r.refresh_from_db()
    finding = r.finding
    assert finding.source == FindingSource.SURVEY and finding.department == neike
    assert finding.source_object == r and hasattr(finding, "order")
    assert finding.number in page.content.decode()
    # a second click creates nothing more
    client.post(
        reverse("surveys:response_finding", args=[r.pk]),
        {"category": form.initial["category"].pk, "description": "x"},
    )
    assert Finding.objects.filter(source=FindingSource.SURVEY).count() == 1


def test_head_cannot_create_findings(client_for, head_neike, small_q, neike):
    r = submit(small_q, neike, TODAY, e1=1, a1=1)
    page = client_for(head_neike).post(
        reverse("surveys:response_finding", args=[r.pk]), {"category": 1, "description": "x"}
    )
    assert page.status_code == 403
    assert not Finding.objects.exists()


def test_no_finding_button_for_a_happy_response(client_for, supervisor, small_q, neike):
    r = submit(small_q, neike, TODAY, e1=5, a1=5)
    page = client_for(supervisor).get(reverse("surveys:response_detail", args=[r.pk]))
    assert page.context["finding_form"] is None


# --- posters -----------------------------------------------------------------------------------


def test_qr_poster_png(client_for, supervisor, campaign, neike):
    page = client_for(supervisor).get(reverse("surveys:campaign_poster", args=[campaign.pk, neike.pk, "png"]))
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert page.content.startswith(b"\x89PNG")


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils missing (.ci/system-deps installs it)"
)
def test_qr_poster_pdf_embeds_a_cjk_font(client_for, supervisor, campaign, neike, tmp_path):
    page = client_for(supervisor).get(reverse("surveys:campaign_poster", args=[campaign.pk, neike.pk, "pdf"]))
    assert page.status_code == 200 and page.content.startswith(b"%PDF")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(page.content)
    command = [shutil.which("pdffonts"), str(pdf)]
    fonts = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_poster_of_a_department_outside_the_campaign_is_404(client_for, supervisor, campaign):
    from tests.factories import DepartmentFactory

    other = DepartmentFactory(code="EK", name="儿科")
    url = reverse("surveys:campaign_poster", args=[campaign.pk, other.pk, "png"])
    assert client_for(supervisor).get(url).status_code == 404


# --- builder -----------------------------------------------------------------------------------


def test_builder_creates_publishes_and_versions_without_admin(client_for, supervisor):
    client = client_for(supervisor)
    page = client.post(reverse("surveys:questionnaire_list"), {"code": "er", "title": "急诊问卷"})
    q = Questionnaire.objects.get(code="er")
    assert page.status_code == 302
    url = reverse("surveys:questionnaire_detail", args=[q.pk])
    client.post(url, {"action": "section", "s-title": "服务", "s-dimension": "attitude", "s-order": 1})
    section = q.sections.get()
    client.post(
        url,
        {
            "action": "question",
            "n-section": section.pk,
            "n-kind": "scale",
            "n-text": "分诊护士态度",
            "n-required": "on",
            "n-order": 1,
            "n-max_length": 500,
        },
    )
    client.post(
        url,
        {
            "action": "question",
            "n-section": section.pk,
            "n-kind": "single",
            "n-text": "单选",
            "n-order": 2,
            "n-max_length": 500,
            "n-choices": "只有一个",
        },
    )
    assert list(q.questions.values_list("text", flat=True)) == ["分诊护士态度"]  # the bad one was refused
    client.post(reverse("surveys:questionnaire_action", args=[q.pk, "publish"]))
    q.refresh_from_db()
    assert q.status == QuestionnaireStatus.PUBLISHED
    # edits to the published version are refused
    question = q.questions.get()
    client.post(
        reverse("surveys:question_edit", args=[question.pk]),
        {"section": section.pk, "kind": "scale", "text": "改", "order": 1, "max_length": 500},
    )
    assert Question.objects.get(pk=question.pk).text == "分诊护士态度"
    page = client.post(reverse("surveys:questionnaire_action", args=[q.pk, "new-version"]))
    v2 = Questionnaire.objects.get(code="er", version=2)
    assert page["Location"] == reverse("surveys:questionnaire_detail", args=[v2.pk])
    assert client.get(page["Location"]).status_code == 200


def test_builder_is_for_supervisors_and_administrators(client_for, head_neike, caller):
    assert client_for(head_neike).get(reverse("surveys:questionnaire_list")).status_code == 403
    assert client_for(caller).get(reverse("surveys:questionnaire_list")).status_code == 403


# --- campaigns ----------------------------------------------------------------------------------


def test_campaign_create_and_tokens(client_for, supervisor, small_q, neike):
    client = client_for(supervisor)
    page = client.post(
        reverse("surveys:campaign_create"),
        {
            "name": "门诊 2026",
            "questionnaire": small_q.pk,
            "start": "2026-01-01",
            "end": "2026-12-31",
            "departments": [neike.pk],
            "target_count": 2000,
            "channels": ["paper", "web"],
        },
    )
    assert page.status_code == 302
    campaign = small_q.campaigns.get()
    detail = client.get(page["Location"])
    assert detail.status_code == 200 and campaign.public_key in detail.content.decode()
    tokens = client.post(
        reverse("surveys:campaign_action", args=[campaign.pk, "tokens"]),
        {"t-department": neike.pk, "t-count": 3, "t-valid_days": 30},
    )
    assert tokens.status_code == 200 and campaign.tokens.count() == 3
    assert campaign.tokens.first().token in tokens.content.decode()


def test_campaign_end_before_start_is_refused(client_for, supervisor, small_q):
    page = client_for(supervisor).post(
        reverse("surveys:campaign_create"),
        {
            "name": "x",
            "questionnaire": small_q.pk,
            "start": "2026-12-31",
            "end": "2026-01-01",
            "target_count": 1,
            "channels": ["web"],
        },
    )
    assert page.status_code == 200 and "结束日期早于开始日期" in page.content.decode()


# --- paper entry --------------------------------------------------------------------------------


def test_paper_entry_saves_and_carries_department_and_date_over(client_for, caller, campaign, fname, neike):
    client = client_for(caller)
    url = reverse("surveys:paper_entry", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and "<kbd>1</kbd>" in page.content.decode()
    data = {
        "h-department": neike.pk,
        "h-submitted_on": "2026-03-05",
        "h-entry_id": "e1",
        f"p-{fname('e1')}": "4",
        f"p-{fname('a1')}": "2",
    }
    page = client.post(url, data)
    assert page.status_code == 302
    assert page["Location"] == f"{url}?department={neike.pk}&date=2026-03-05"
    r = SurveyResponse.objects.get()
    assert (r.channel, r.submitted_on, r.submitted_by, r.department) == (
        "paper",
        dt.date(2026, 3, 5),
        caller,
        neike,
    )
    # the next form opens with department and date already filled in
    next_form = client.get(page["Location"])
    assert next_form.context["header"].initial["department"] == str(neike.pk)
    assert next_form.context["header"].initial["submitted_on"] == dt.date(2026, 3, 5)
    # a double submission of the same form stores nothing more
    client.post(url, data)
    assert SurveyResponse.objects.count() == 1


def test_paper_entry_stores_an_incomplete_form_as_not_valid(client_for, supervisor, campaign, fname, neike):
    client = client_for(supervisor)
    client.post(
        reverse("surveys:paper_entry", args=[campaign.pk]),
        {
            "h-department": neike.pk,
            "h-submitted_on": "2026-03-05",
            "h-entry_id": "e2",
            f"p-{fname('e2')}": "5",
        },
    )
    r = SurveyResponse.objects.get()
    assert r.is_valid is False and r.scale_answered == 1


def test_paper_entry_forbidden_for_heads(client_for, head_neike, campaign):
    assert client_for(head_neike).get(reverse("surveys:paper_entry", args=[campaign.pk])).status_code == 403


def test_dashboard_panel_shows_satisfaction(client_for, administrator, small_q, neike):
    submit(small_q, neike, TODAY, e1=5, a1=3)
    page = client_for(administrator).get(reverse("dashboard"))
    assert page.status_code == 200
    assert "50.00%" in page.content.decode()


def test_head_sees_campaigns_of_own_departments_with_right_counts(
    client_for, head_neike, supervisor, small_q, campaign, neike, waike
):
    from surveys import services

    services.campaign_save(
        name="外科专项",
        questionnaire=small_q,
        start=TODAY,
        end=TODAY,
        departments=[waike],
        channels=["web"],
        actor=supervisor,
    )
    services.campaign_save(
        name="全院", questionnaire=small_q, start=TODAY, end=TODAY, channels=["web"], actor=supervisor
    )
    submit(small_q, neike, TODAY, campaign=campaign, e1=5, a1=5)
    page = client_for(head_neike).get(reverse("surveys:campaign_list"))
    rows = {c.name: c.valid for c, _progress in page.context["rows"]}
    assert rows == {"2026 测试批次": 1, "全院": 0}  # campaign covers 内科 and 外科: counted once


def test_head_gets_404_for_a_campaign_of_other_departments(
    client_for, head_neike, supervisor, small_q, waike
):
    from surveys import services

    other = services.campaign_save(
        name="外科",
        questionnaire=small_q,
        start=TODAY,
        end=TODAY,
        departments=[waike],
        channels=["web"],
        actor=supervisor,
    )
    assert client_for(head_neike).get(reverse("surveys:campaign_detail", args=[other.pk])).status_code == 404


def test_head_reads_own_campaign_without_management_forms(client_for, head_neike, campaign):
    page = client_for(head_neike).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "/tokens/" not in body and "/distribution/" not in body
    assert [d.name for d, _url in page.context["links"]] == ["内科"]


@pytest.mark.parametrize("user", ["head_neike", "caller", "volunteer"])
def test_only_managers_change_campaigns_and_get_posters(client_for, request, user, campaign, neike):
    client = client_for(request.getfixturevalue(user))
    assert client.post(reverse("surveys:campaign_action", args=[campaign.pk, "close"])).status_code == 403
    assert (
        client.get(reverse("surveys:campaign_poster", args=[campaign.pk, neike.pk, "png"])).status_code == 403
    )
    assert client.get(reverse("surveys:praise_list")).status_code == 403


def test_campaign_close_writes_history_and_stops_the_public_form(client_for, supervisor, campaign, neike):
    client = client_for(supervisor)
    client.post(reverse("surveys:campaign_action", args=[campaign.pk, "close"]))
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    t = campaign.transitions.get()
    assert (t.from_status, t.to_status, t.actor) == ("open", "closed", supervisor)
    public = client.get(reverse("surveys:public_department", args=[campaign.public_key, neike.code]))
    assert public.status_code == 410


def test_distribution_recorded_from_the_campaign_page(client_for, supervisor, campaign, neike):
    client_for(supervisor).post(
        reverse("surveys:campaign_action", args=[campaign.pk, "distribution"]),
        {"d-department": neike.pk, "d-distributed_on": "2026-03-01", "d-count": 40},
    )
    d = campaign.distributions.get()
    assert (d.department, d.count, d.distributed_on) == (neike, 40, dt.date(2026, 3, 1))


def test_praise_page_matches_and_keeps_constant_queries(
    client_for, supervisor, small_q, neike, django_assert_num_queries
):
    from supervision.models import Staff

    nurse = Staff.objects.create(employee_no="N9", name="刘芳", department=neike, position="nurse")
    client = client_for(supervisor)
    submit(small_q, neike, TODAY, e1=5, a1=5, praise={"staff": [], "names": ["刘护士"]})
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("surveys:praise_list"))
    for i in range(6):
        submit(small_q, neike, TODAY, e1=5, a1=5, praise={"staff": [], "names": [f"护士{i}"]})
    with django_assert_num_queries(len(small)):
        page = client.get(reverse("surveys:praise_list"))
    praise = page.context["page"].object_list[-1]
    client.post(reverse("surveys:praise_match", args=[praise.pk]), {"staff": nurse.pk})
    praise.refresh_from_db()
    assert praise.staff == nurse and praise.matched_by == supervisor


def test_response_detail_query_count_does_not_grow_with_answers(
    client_for, supervisor, small_q, neike, django_assert_num_queries
):
    client = client_for(supervisor)
    few = submit(small_q, neike, TODAY, e1=1, a1=5, text="差")
    many = submit(small_q, neike, TODAY, e1=1, e2=2, a1=1, yn=True, one="甲", many=["红", "蓝"], text="好")
    with CaptureQueriesContext(connection) as a:
        client.get(reverse("surveys:response_detail", args=[few.pk]))
    with django_assert_num_queries(len(a)):
        client.get(reverse("surveys:response_detail", args=[many.pk]))


def test_follow_up_staff_reach_paper_entry_from_the_menu(client_for, caller, campaign):
    page = client_for(caller).get(reverse("surveys:paper_index"))
    assert page.status_code == 302 and page["Location"] == reverse("surveys:paper_entry", args=[campaign.pk])
    assert client_for(caller).get(reverse("surveys:results")).status_code == 403


def test_results_tables_render_once_per_cached_figure_set_and_scope(
    client_for, supervisor, head_neike, small_q, neike, waike, settings
):
    from django.core.cache import cache

    settings.DUCHA_FIGURES_CACHE_SECONDS = 90  # off by default in tests
    cache.clear()
    submit(small_q, neike, TODAY, e1=5, a1=5)
    submit(small_q, waike, TODAY, e1=1, a1=1)

    def fragment_rendered(client):
        page = client.get(reverse("surveys:results"))
        assert page.status_code == 200
        return "surveys/_results_figures.html" in [t.name for t in page.templates], page.content.decode()

    office = client_for(supervisor)
    assert fragment_rendered(office)[0] is True
    again, body = fragment_rendered(office)
    assert again is False and "外科" in body  # served from the cache, same content
    head = client_for(head_neike)
    rendered, body = fragment_rendered(head)  # another scope: its own fragment, never the office's
    assert rendered is True and "外科" not in body.split("survey-cards", 1)[1]
    cache.clear()


def test_results_page_never_shows_a_response_rate_above_100_percent(
    client_for, supervisor, small_q, campaign, neike
):
    from surveys import services

    # 2 copies recorded as handed out, 8 valid paper forms typed in: was 有效回收率 400.0 %.
    services.distribution_record(
        campaign=campaign, department=neike, count=2, distributed_on=TODAY, actor=supervisor
    )
    for _ in range(8):
        submit(small_q, neike, TODAY, e1=5, a1=5)
    html = client_for(supervisor).get(reverse("surveys:results")).content.decode()
    figures = html[html.index("survey-cards") :]
    assert "100.00%" in figures and "400" not in figures  # rates with two decimals
    assert "含超出登记发放数的回收纸质问卷 6 份" in figures
    assert "录入的纸质问卷多于登记的发放份数" in figures


def test_the_monthly_chart_leaves_a_gap_for_months_without_questionnaires(
    client_for, supervisor, small_q, neike
):
    import json
    import re

    submit(small_q, neike, dt.date(2026, 4, 10), e1=5, a1=5)
    submit(small_q, neike, dt.date(2026, 8, 10), e1=5, a1=1)
    html = client_for(supervisor).get(
        reverse("surveys:results"), {"start": "2026-04-01", "end": "2026-08-31"}
    )
    raw = re.search(r'<script id="chart-month" type="application/json">(.+?)</script>', html.content.decode())
    chart = json.loads(raw.group(1))
    # Every month on the axis, May to July empty: Chart.js draws April and August apart, not joined.
    assert chart["labels"] == ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    assert chart["datasets"][0]["data"] == [100.0, None, None, None, 50.0]
