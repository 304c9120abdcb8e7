"""Pages: role rules (403), department scoping (404), the tablet flow, query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import services
from inspections.models import (
    AnswerPhoto,
    Appeal,
    ChartCriterion,
    ChartSample,
    CriterionLevel,
    InspectionRound,
    PlanEntry,
    RoundStatus,
)
from supervision.infra.uploads import clean_upload
from supervision.models import Attachment, Finding
from tests.factories import DischargeStayFactory, moment

from .factories import answer_all, make_template, photo_upload, start_round

MONTH = dt.date(2026, 10, 1)


@pytest.fixture
def round_neike(supervisor, neike):
    return start_round(actor=supervisor, department=neike)


@pytest.fixture
def audit_neike(neike, supervisor):
    DischargeStayFactory(department=neike, admission_no="NK1", discharged_on=MONTH, attending_doctor="张医生")
    sample, _ = services.chart_sample_draw(month=MONTH)
    return sample.audits.get()


def veto():
    return ChartCriterion.objects.filter(level=CriterionLevel.VETO).first()


# --- role rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["round_list", "audit_list", "figures", "appeal_list", "coverage", "plan", "sample_list", "round_create"],
)
def test_followup_staff_and_volunteers_get_403(client_for, caller, volunteer, name):
    for user in (caller, volunteer):
        assert client_for(user).get(reverse(f"inspections:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["coverage", "plan", "sample_list", "round_create"])
def test_department_heads_get_403_on_office_pages(client_for, head_neike, name):
    assert client_for(head_neike).get(reverse(f"inspections:{name}")).status_code == 403


@pytest.mark.parametrize(
    "name", ["round_list", "audit_list", "figures", "appeal_list", "coverage", "plan", "sample_list"]
)
def test_administrator_reads_every_page(client_for, administrator, name):
    assert client_for(administrator).get(reverse(f"inspections:{name}")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("inspections:round_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- rounds ----------------------------------------------------------------------------------


def test_supervisor_starts_a_round_from_the_form(client_for, supervisor, neike):
    template = make_template()
    response = client_for(supervisor).post(
        reverse("inspections:round_create"),
        {
            "template": template.pk,
            "department": neike.pk,
            "round_type": "unannounced",
            **moment("started_at", "2026-11-20 21:30"),
        },
    )
    rnd = InspectionRound.objects.get()
    assert response.status_code == 302 and response["Location"] == rnd.get_absolute_url()
    assert rnd.round_type == "unannounced" and rnd.answers.count() == 3
    assert list(rnd.inspectors.all()) == [supervisor]


def test_bad_round_form_keeps_what_was_typed(client_for, supervisor, neike):
    response = client_for(supervisor).post(
        reverse("inspections:round_create"), {"department": neike.pk, "location": "三楼护士站"}
    )
    assert response.status_code == 400
    assert "三楼护士站" in response.content.decode()
    assert InspectionRound.objects.count() == 0


def test_round_detail_scoped_to_the_heads_department(
    client_for, round_neike, head_neike, head_waike, supervisor
):
    url = round_neike.get_absolute_url()
    page = client_for(supervisor).get(url).content.decode()
    assert 'capture="environment"' in page and 'class="answer-form' in page and "js/inspections.js" in page
    answer_all(round_neike, supervisor, ["pass", "fail", "na"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    assert client_for(head_neike).get(url).status_code == 200
    assert client_for(head_waike).get(url).status_code == 404


def test_autosave_stores_the_answer_and_returns_the_partial(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    url = reverse("inspections:answer_save", args=[round_neike.pk, item.pk])
    response = client_for(supervisor).post(
        url, {"result": "fail", "note": "走廊有烟味"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    answer = round_neike.answers.get(item=item)
    assert (answer.result, answer.note) == ("fail", "走廊有烟味")
    # Typing on: the same answer is overwritten, never duplicated.
    client_for(supervisor).post(url, {"result": "fail", "note": "走廊有烟味，已劝阻"}, HTTP_HX_REQUEST="true")
    assert round_neike.answers.filter(item=item).count() == 1
    assert round_neike.answers.get(item=item).note == "走廊有烟味，已劝阻"


def test_autosave_updates_the_answered_count_in_the_sticky_bar(client_for, supervisor, round_neike):
    items = list(round_neike.template.items.all())
    client = client_for(supervisor)
    for n, item in enumerate(items[:2], start=1):
        url = reverse("inspections:answer_save", args=[round_neike.pk, item.pk])
        html = client.post(url, {"result": "pass"}, HTTP_HX_REQUEST="true").content.decode()
        assert '<span id="round-progress" hx-swap-oob="true">' in html
        assert f"已填写 {n} / {len(items)} 项" in html
    page = client.get(round_neike.get_absolute_url()).content.decode()
    assert f'<span id="round-progress">已填写 2 / {len(items)} 项' in page


def test_autosave_rejects_bad_numbers_with_a_message(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    url = reverse("inspections:answer_save", args=[round_neike.pk, item.pk])
    response = client_for(supervisor).post(url, {"result": "maybe"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert round_neike.answers.get(item=item).result == ""


def test_autosave_is_supervisor_only(client_for, head_neike, round_neike):
    item = round_neike.template.items.first()
    url = reverse("inspections:answer_save", args=[round_neike.pk, item.pk])
    assert client_for(head_neike).post(url, {"result": "pass"}).status_code == 403


def test_photo_upload_checks_content_and_is_served_scoped(
    client_for, supervisor, head_neike, head_waike, round_neike
):
    item = round_neike.template.items.first()
    url = reverse("inspections:photo_upload", args=[round_neike.pk, item.pk])
    bad = client_for(supervisor).post(
        url,
        {"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 400 and AnswerPhoto.objects.count() == 0
    ok = client_for(supervisor).post(url, {"photo": photo_upload(with_gps=True)}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    photo = AnswerPhoto.objects.get()
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    assert client_for(head_neike).get(photo.get_absolute_url()).status_code == 200
    assert client_for(head_waike).get(photo.get_absolute_url()).status_code == 404


def test_submit_page_turns_failed_items_into_findings_and_double_tap_stores_once(
    client_for, supervisor, round_neike
):
    a1, a2, _a3 = answer_all(round_neike, supervisor, ["fail", "fail", "pass"])
    services.photo_add(
        answer=a1,
        upload=clean_upload(photo_upload()),
        actor=supervisor,
    )
    url = reverse("inspections:round_submit", args=[round_neike.pk])
    client = client_for(supervisor)
    assert client.get(url).status_code == 200
    data = {
        f"mode_{a1.pk}": "finding",
        f"mode_{a2.pk}": "merge",
        f"into_{a2.pk}": str(a1.pk),
        "summary": "夜查",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)  # the double tap / the retry after a dropped connection
    assert second.status_code == 302
    assert Finding.objects.count() == 1 and Attachment.objects.count() == 1
    rnd = InspectionRound.objects.get(pk=round_neike.pk)
    assert rnd.status == RoundStatus.SUBMITTED and rnd.summary == "夜查"


def test_submit_page_requires_a_reason_to_skip(client_for, supervisor, round_neike):
    a1, _a2, _a3 = answer_all(round_neike, supervisor, ["fail", "pass", "pass"])
    response = client_for(supervisor).post(
        reverse("inspections:round_submit", args=[round_neike.pk]),
        {f"mode_{a1.pk}": "skip", f"reason_{a1.pk}": ""},
    )
    assert response.status_code == 400 and Finding.objects.count() == 0


def test_round_list_query_count_does_not_grow(client_for, supervisor, neike, django_assert_num_queries):
    template = make_template()
    client = client_for(supervisor)
    start_round(actor=supervisor, department=neike, template=template)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("inspections:round_list")).status_code == 200
    for _ in range(6):
        start_round(actor=supervisor, department=neike, template=template)
    with django_assert_num_queries(len(few)):
        client.get(reverse("inspections:round_list"))


def test_round_list_scoped_for_heads(client_for, supervisor, neike, waike, head_neike):
    template = make_template()
    for dept in (neike, waike):
        rnd = start_round(actor=supervisor, department=dept, template=template)
        answer_all(rnd, supervisor, ["pass", "pass", "pass"])
        services.round_submit(rnd=rnd, actor=supervisor)
    page = client_for(head_neike).get(reverse("inspections:round_list")).context["page"]
    assert {r.department for r in page} == {neike}


def test_round_detail_query_count_does_not_grow_with_photos(
    client_for, supervisor, round_neike, django_assert_num_queries
):
    answers = list(round_neike.answers.all())
    services.photo_add(answer=answers[0], upload=clean_upload(photo_upload()), actor=supervisor)
    client = client_for(supervisor)
    client.get(round_neike.get_absolute_url())  # warm-up: settings row, session
    with CaptureQueriesContext(connection) as few:
        client.get(round_neike.get_absolute_url())
    for a in answers:
        services.photo_add(answer=a, upload=clean_upload(photo_upload()), actor=supervisor)
    with django_assert_num_queries(len(few)):
        client.get(round_neike.get_absolute_url())


# --- plan, coverage, figures -----------------------------------------------------------------


def test_supervisor_saves_the_plan_and_admin_cannot(client_for, supervisor, administrator, neike):
    url = reverse("inspections:plan")
    response = client_for(supervisor).post(url, {"month": "2026-12", f"d{neike.pk}": "3"})
    assert response.status_code == 302
    assert PlanEntry.objects.get(month=dt.date(2026, 12, 1), department=neike).rounds_planned == 3
    assert client_for(administrator).post(url, {"month": "2026-12", f"d{neike.pk}": "1"}).status_code == 403
    bad = client_for(supervisor).post(url, {"month": "2026-12", f"d{neike.pk}": "lots"})
    assert bad.status_code == 400 and "lots" in bad.content.decode()


def test_coverage_names_departments_not_yet_inspected(client_for, supervisor, neike, waike, guahao):
    template = make_template()
    rnd = start_round(actor=supervisor, department=neike, template=template)
    answer_all(rnd, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=rnd, actor=supervisor)
    response = client_for(supervisor).get(reverse("inspections:coverage"))
    missing = {r["department"] for r in response.context["missing"]}
    assert "外科" in missing and "挂号处" in missing and "内科" not in missing
    assert "list-group-item-warning" in response.content.decode()


def test_figures_page_for_heads_only_shows_their_departments(
    client_for, supervisor, neike, waike, head_neike
):
    template = make_template()
    for dept in (neike, waike):
        rnd = start_round(actor=supervisor, department=dept, template=template)
        answer_all(rnd, supervisor, ["pass", "pass", "fail"])
        services.round_submit(rnd=rnd, actor=supervisor)
    response = client_for(head_neike).get(reverse("inspections:figures"))
    assert response.status_code == 200
    assert [r["department"] for r in response.context["by_department"]] == ["内科"]


def test_figures_query_count_does_not_grow(
    client_for, administrator, supervisor, neike, django_assert_num_queries
):
    template = make_template()
    client = client_for(administrator)

    def one():
        rnd = start_round(actor=supervisor, department=neike, template=template)
        answer_all(rnd, supervisor, ["pass", "fail", "na"])
        services.round_submit(rnd=rnd, actor=supervisor)

    one()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("inspections:figures"))
    for _ in range(4):
        one()
    with django_assert_num_queries(len(few)):
        client.get(reverse("inspections:figures"))


# --- chart audits ----------------------------------------------------------------------------


def test_supervisor_draws_a_month_once_from_the_page(client_for, supervisor, administrator, neike):
    DischargeStayFactory(department=neike, admission_no="S1", discharged_on=MONTH)
    client = client_for(supervisor)
    assert client.post(reverse("inspections:sample_list"), {"month": "2026-10"}).status_code == 302
    assert client.post(reverse("inspections:sample_list"), {"month": "2026-10"}).status_code == 302
    assert ChartSample.objects.count() == 1
    assert (
        client_for(administrator).post(reverse("inspections:sample_list"), {"month": "2026-09"}).status_code
        == 403
    )


def test_supervisor_audits_a_chart_from_the_form(client_for, supervisor, audit_neike):
    v = veto()
    response = client_for(supervisor).post(
        audit_neike.get_absolute_url(), {f"n_{v.pk}": "1", f"note_{v.pk}": "缺同意书"}
    )
    assert response.status_code == 302
    audit_neike.refresh_from_db()
    assert audit_neike.grade == "C" and audit_neike.is_problem and audit_neike.finding is not None


def test_audit_detail_scoping(client_for, audit_neike, head_neike, head_waike, caller, supervisor):
    url = audit_neike.get_absolute_url()
    # Before the audit the department does not learn which of its charts were drawn.
    assert client_for(head_neike).get(url).status_code == 404
    services.audit_complete(audit=audit_neike, actor=supervisor, defects={})
    assert client_for(head_neike).get(url).status_code == 200
    assert client_for(head_waike).get(url).status_code == 404
    assert client_for(caller).get(url).status_code == 403


def test_head_does_not_get_the_audit_form(client_for, audit_neike, head_neike, administrator):
    assert client_for(head_neike).post(audit_neike.get_absolute_url(), {}).status_code == 404
    response = client_for(administrator).post(audit_neike.get_absolute_url(), {})
    assert response.status_code == 403
    audit_neike.refresh_from_db()
    assert audit_neike.status == "pending"


def test_appeal_path_through_the_pages(client_for, supervisor, head_neike, head_waike, audit_neike):
    v = veto()
    services.audit_complete(audit=audit_neike, actor=supervisor, defects={v.pk: (1, "")})
    deduction = audit_neike.deductions.get()
    raise_url = reverse("inspections:appeal_raise", args=[deduction.pk])
    assert client_for(head_waike).post(raise_url, {"appeal-reason": "x"}).status_code == 404
    assert client_for(supervisor).post(raise_url, {"appeal-reason": "x"}).status_code == 403
    assert client_for(head_neike).post(raise_url, {"appeal-reason": "同意书已补"}).status_code == 302
    appeal = Appeal.objects.get()
    listing = client_for(supervisor).get(reverse("inspections:appeal_list"))
    assert list(listing.context["page"]) == [appeal]
    decide = reverse("inspections:appeal_decide", args=[appeal.pk, "uphold"])
    assert client_for(head_neike).post(decide, {}).status_code == 403
    assert client_for(supervisor).post(decide, {"decide-comment": "属实"}).status_code == 302
    audit_neike.refresh_from_db()
    assert audit_neike.grade == "A"


def test_audit_list_query_count_does_not_grow(client_for, supervisor, neike, django_assert_num_queries):
    for i in range(3):
        DischargeStayFactory(department=neike, admission_no=f"Q{i}", discharged_on=MONTH)
    services.chart_sample_draw(month=MONTH)
    client = client_for(supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("inspections:audit_list"))
    for i in range(10):
        DischargeStayFactory(department=neike, admission_no=f"R{i}", discharged_on=dt.date(2026, 9, 3))
    services.chart_sample_draw(month=dt.date(2026, 9, 1))
    with django_assert_num_queries(len(few)):
        client.get(reverse("inspections:audit_list"))


def test_audit_list_scoped_for_heads(client_for, head_neike, neike, waike, supervisor):
    DischargeStayFactory(department=neike, admission_no="N1", discharged_on=MONTH)
    DischargeStayFactory(department=neike, admission_no="N2", discharged_on=MONTH)
    DischargeStayFactory(department=waike, admission_no="W1", discharged_on=MONTH)
    sample, _ = services.chart_sample_draw(month=MONTH)
    for audit in sample.audits.exclude(stay__admission_no="N2"):
        services.audit_complete(audit=audit, actor=supervisor, defects={})
    page = client_for(head_neike).get(reverse("inspections:audit_list")).context["page"]
    assert [a.stay.admission_no for a in page] == ["N1"]  # own department, audited only


def test_dashboard_shows_the_inspection_panel(client_for, supervisor):
    response = client_for(supervisor).get(reverse("dashboard"))
    assert response.status_code == 200
    assert "尚未督察" in response.content.decode() or "inspections/_panel.html" in [
        t.name for t in response.templates
    ]


def test_heads_do_not_see_a_round_in_progress_in_their_department(
    client_for, supervisor, head_neike, round_neike
):
    """An unannounced round must not be announced by the page: heads see it once submitted."""
    from supervision.infra.uploads import clean_upload as clean

    answer = round_neike.answers.first()
    photo = services.photo_add(answer=answer, upload=clean(photo_upload()), actor=supervisor)
    client = client_for(head_neike)
    assert client.get(round_neike.get_absolute_url()).status_code == 404
    assert client.get(photo.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("inspections:round_list")).context["page"]) == []
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    assert client.get(round_neike.get_absolute_url()).status_code == 200
    assert client.get(photo.get_absolute_url()).status_code == 200


def test_photo_over_the_size_limit_is_refused(client_for, supervisor, round_neike, settings):
    settings.ATTACHMENT_MAX_BYTES = 200
    item = round_neike.template.items.first()
    url = reverse("inspections:photo_upload", args=[round_neike.pk, item.pk])
    response = client_for(supervisor).post(url, {"photo": photo_upload()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and AnswerPhoto.objects.count() == 0
    assert "现场.jpg" in response.content.decode()  # the message names the file


def test_finding_page_links_back_to_the_round_item(client_for, supervisor, round_neike):
    a1, _a2, _a3 = answer_all(round_neike, supervisor, ["fail", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    finding = Finding.objects.get()
    page = client_for(supervisor).get(finding.get_absolute_url()).content.decode()
    assert f"{round_neike.get_absolute_url()}#item-{a1.item_id}" in page
    assert "现场督察 · 检查项 1" in page


def test_discard_page_action_is_supervisor_only(client_for, supervisor, head_neike, round_neike):
    url = reverse("inspections:round_discard", args=[round_neike.pk])
    assert client_for(head_neike).post(url, {"reason": "x"}).status_code == 403
    assert client_for(supervisor).post(url, {"reason": "重复创建"}).status_code == 302
    assert InspectionRound.objects.get(pk=round_neike.pk).status == RoundStatus.DISCARDED
    page = client_for(supervisor).get(round_neike.get_absolute_url()).content.decode()
    assert "已作废" in page and "answer-form" not in page


def test_drawing_an_empty_or_current_month_shows_a_clear_error(client_for, supervisor):
    client = client_for(supervisor)
    empty = client.post(reverse("inspections:sample_list"), {"month": "2026-08"})
    assert empty.status_code == 400 and "尚未导入" in empty.content.decode()
    current = client.post(reverse("inspections:sample_list"), {"month": "2999-01"})
    assert current.status_code == 400 and "只能抽取已结束的月份" in current.content.decode()
    assert ChartSample.objects.count() == 0


def test_count_charts_ask_for_whole_number_steps(client_for, supervisor):
    # charts.js rounds the axis of a chart marked "counts" to whole numbers: no "0.5 findings".
    response = client_for(supervisor).get(reverse("inspections:figures"))
    assert response.context["category_chart"]["counts"] is True
    assert response.context["grade_chart"]["counts"] is True
