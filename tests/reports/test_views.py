"""The reports pages: who sees, requests and downloads what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services
from reports.models import Report, ReportStatus

from .conftest import OCT


def built(**kw) -> Report:
    report = services.report_request(enqueue=False, **kw)
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def hospital_pdf(seeded):
    return built(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf")


@pytest.fixture
def neike_pdf(seeded, neike):
    return built(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", departments=[neike])


@pytest.fixture
def waike_pdf(seeded, waike):
    return built(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", departments=[waike])


def test_administrator_sees_every_report_and_the_request_form(
    client_for, administrator, hospital_pdf, neike_pdf, waike_pdf
):
    response = client_for(administrator).get(reverse("reports:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "申请生成报表" in body
    assert body.count(reverse("reports:download", args=[hospital_pdf.pk])) == 1
    for report in (neike_pdf, waike_pdf):
        assert reverse("reports:download", args=[report.pk]) in body


def test_administrator_downloads_a_ready_report(client_for, administrator, hospital_pdf):
    response = client_for(administrator).get(reverse("reports:download", args=[hospital_pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_downloaded_file_is_named_by_period_kind_and_scope_in_the_readers_words(
    client_for, administrator, head_neike, hospital_pdf, neike_pdf
):
    from urllib.parse import quote

    disposition = client_for(administrator).get(reverse("reports:download", args=[hospital_pdf.pk]))[
        "Content-Disposition"
    ]
    assert quote("_全院.pdf") in disposition and "_all" not in disposition
    disposition = client_for(head_neike).get(reverse("reports:download", args=[neike_pdf.pk]))[
        "Content-Disposition"
    ]
    assert quote("_内科.pdf") in disposition


def test_supervisor_sees_every_report_and_requests_department_and_custom_period_reports(
    client_for, supervisor, hospital_pdf, neike_pdf, neike, waike, django_capture_on_commit_callbacks
):
    # The office (supervisors as well as administrators) reads every report and asks for any
    # departments and any period: its Scope covers every department (issue 18, item 8).
    client = client_for(supervisor)
    body = client.get(reverse("reports:list")).content.decode()
    assert reverse("reports:download", args=[hospital_pdf.pk]) in body
    assert reverse("reports:download", args=[neike_pdf.pk]) in body
    assert "申请生成报表" in body
    assert client.get(reverse("reports:download", args=[neike_pdf.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {
                "kind": "range",
                "start": "2026-10-05",
                "end": "2026-10-25",
                "format": "xlsx",
                "departments": [neike.pk, waike.pk],
            },
        )
    report = Report.objects.get(kind="range")
    assert response.status_code == 302 and report.requested_by == supervisor
    assert report.status == ReportStatus.READY
    assert set(report.departments.all()) == {neike, waike}
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200


def test_department_head_downloads_only_their_departments_version(
    client_for, head_neike, hospital_pdf, neike_pdf, waike_pdf
):
    client = client_for(head_neike)
    body = client.get(reverse("reports:list")).content.decode()
    assert reverse("reports:download", args=[neike_pdf.pk]) in body
    assert reverse("reports:download", args=[waike_pdf.pk]) not in body
    assert reverse("reports:download", args=[hospital_pdf.pk]) not in body
    assert client.get(reverse("reports:download", args=[neike_pdf.pk])).status_code == 200
    for other in (waike_pdf, hospital_pdf):
        assert client.get(reverse("reports:download", args=[other.pk])).status_code == 404
        assert client.get(reverse("reports:detail", args=[other.pk])).status_code == 404


def test_department_head_requests_their_own_version(
    client_for, head_neike, neike, waike, django_capture_on_commit_callbacks
):
    client = client_for(head_neike)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {"kind": "monthly", "month": "2026-10", "format": "xlsx", "departments": [neike.pk]},
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == ReportStatus.READY and list(report.departments.all()) == [neike]
    response = client.post(
        reverse("reports:request"),
        {"kind": "monthly", "month": "2026-10", "format": "xlsx", "departments": [waike.pk]},
    )
    assert response.status_code == 400
    assert Report.objects.count() == 1


@pytest.mark.parametrize("persona", ["caller", "volunteer"])
def test_followup_staff_and_volunteers_get_403(client_for, request, persona, hospital_pdf):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("reports:list"),
        reverse("reports:detail", args=[hospital_pdf.pk]),
        reverse("reports:download", args=[hospital_pdf.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("reports:retry", args=[hospital_pdf.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client_for, hospital_pdf):
    response = client_for(None).get(reverse("reports:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_period_keeps_the_form_with_a_chinese_error(client_for, administrator):
    response = client_for(administrator).post(
        reverse("reports:request"),
        {"kind": "range", "start": "2026-10-31", "end": "2026-10-01", "format": "pdf"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_end_error"' in body and "日期早于" in body
    assert 'value="2026-10-31"' in body
    assert not Report.objects.exists()


def test_administrator_requests_a_range_report_for_departments(
    client_for, administrator, neike, waike, seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("reports:request"),
            {
                "kind": "range",
                "start": "2026-10-01",
                "end": "2026-10-15",
                "format": "pdf",
                "departments": [neike.pk, waike.pk],
            },
        )
    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.kind, report.period_start, report.period_end) == (
        "range",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 15),
    )
    assert report.scope_key == ",".join(str(i) for i in sorted([neike.pk, waike.pk]))


def test_status_page_polls_with_htmx_while_building_and_stops_when_ready(client_for, administrator, seeded):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    client = client_for(administrator)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in body and "排队中" in body
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.BUILDING, progress=40)
    partial = client.get(
        reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and 'value="40"' in partial
    services.report_build(report_id=report.pk)  # a fresh "building" row is left alone …
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
    services.report_build(report_id=report.pk)  # … a queued one is built
    partial = client.get(
        reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in partial and reverse("reports:download", args=[report.pk]) in partial


def test_failed_report_shows_reason_and_retry_button(
    client_for, administrator, seeded, django_capture_on_commit_callbacks
):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, failure_reason="OSError: disk full"
    )
    client = client_for(administrator)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "OSError: disk full" in body and reverse("reports:retry", args=[report.pk]) in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.failure_reason == ""


def test_download_of_a_report_not_ready_is_404(client_for, administrator, db):
    report = services.report_request(kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", enqueue=False)
    assert client_for(administrator).get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_list_query_count_does_not_grow_with_reports(
    client_for, administrator, neike, waike, django_assert_num_queries
):
    client = client_for(administrator)

    def add(n, offset):
        for i in range(n):
            day = dt.date(2020 + offset, 1, 1) + dt.timedelta(days=i)
            services.report_request(
                kind="range", start=day, end=day, fmt="pdf", departments=[neike, waike], enqueue=False
            )

    add(3, 0)
    client.get(reverse("reports:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:list"))
    add(12, 1)
    with django_assert_num_queries(len(few)):
        client.get(reverse("reports:list"))


def test_dashboard_panel_lists_the_latest_reports_in_scope(client_for, head_neike, hospital_pdf, neike_pdf):
    body = client_for(head_neike).get(reverse("dashboard")).content.decode()
    assert reverse("reports:download", args=[neike_pdf.pk]) in body
    assert reverse("reports:download", args=[hospital_pdf.pk]) not in body


@pytest.mark.parametrize("status", [s for s in ReportStatus.values if s != ReportStatus.READY])
def test_dashboard_panel_row_shows_a_reports_status_as_the_report_list_does(
    client_for, supervisor, hospital_pdf, status
):
    """The panel's rows are drawn from plain values (reports/_dashboard_report_row.html) with the badge
    of reports/_status_badge.html written out: the two must not drift apart."""
    from django.template.loader import render_to_string

    Report.objects.filter(pk=hospital_pdf.pk).update(status=status, progress=40)
    hospital_pdf.refresh_from_db()
    badge = render_to_string("reports/_status_badge.html", {"report": hospital_pdf})
    body = client_for(supervisor).get(reverse("dashboard")).content.decode()
    row = f'<a href="{hospital_pdf.get_absolute_url()}">{hospital_pdf.title} · {hospital_pdf.get_format_display()}</a>'
    # The badge's file ends with a line break, and the row's line breaks before its end tag.
    assert f"{row}\n      {badge}\n    </li>" in body


def test_dashboard_has_no_reports_panel_for_volunteers(client_for, volunteer, hospital_pdf):
    body = client_for(volunteer).get(reverse("dashboard")).content.decode()
    assert reverse("reports:download", args=[hospital_pdf.pk]) not in body


def test_admin_pages_for_reports_and_parameters(admin_client, hospital_pdf):
    from reports.models import ReportConfig

    config = ReportConfig.get()
    assert admin_client.get(reverse("admin:reports_report_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:reports_report_change", args=[hospital_pdf.pk])).status_code == 200
    page = admin_client.get(reverse("admin:reports_reportconfig_change", args=[config.pk]))
    assert page.status_code == 200 and "科室综合评分权重" in page.content.decode()
