"""Journey: an administrator requests last month's report as PDF and as Excel on the reports page
and downloads both. (Tests run Celery eagerly: the build runs right after the request commits.)"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.conf import settings
from django.utils import timezone

from reports.models import Report, ReportStatus
from tests.factories import make_finding

from .conftest import journey_marks

pytestmark = journey_marks()


def request_and_download(page, shots, fmt: str, label: str) -> bytes:
    page.goto("/reports/")
    page.select_option("select[name=kind]", value="monthly")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    page.fill("input[name=month]", f"{last_month:%Y-%m}")
    page.select_option("select[name=format]", value=fmt)
    shots(page, f"{label}-request-form")
    with page.expect_navigation():
        page.click(".report-request-form button[type=submit]")
    # The detail page polls itself until the build is ready; the download button then shows.
    page.wait_for_selector("a[href$='/download/']", timeout=60_000)
    shots(page, f"{label}-ready")
    with page.expect_download() as info:
        page.click("a[href$='/download/']")
    download = info.value
    assert download.suggested_filename.endswith(f".{fmt}")
    with open(download.path(), "rb") as handle:
        return handle.read()


def test_administrator_downloads_the_monthly_pdf_and_excel(
    session_for, shots, roles_groups, administrator, supervisor, neike, waike
):
    assert settings.CELERY_TASK_ALWAYS_EAGER, "the journey relies on the test settings' eager Celery"
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=10)
    found = timezone.make_aware(dt.datetime.combine(last_month, dt.time(10)))
    make_finding(department=neike, found_by=supervisor, found_at=found)

    page = session_for(administrator)
    pdf = request_and_download(page, shots, "pdf", "pdf")
    assert pdf.startswith(b"%PDF")

    xlsx = request_and_download(page, shots, "xlsx", "excel")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        assert "xl/workbook.xml" in book.namelist()

    page.goto("/reports/")
    shots(page, "report-list")
    assert Report.objects.filter(status=ReportStatus.READY).count() == 2
    assert sorted(Report.objects.values_list("format", "build_count")) == [("pdf", 1), ("xlsx", 1)]
