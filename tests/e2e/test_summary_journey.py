"""Journey: a supervisor drafts the quarter's written summary, writes the office's words into a part,
picks a typical case, saves, regenerates the figures (the words stay) and finalises it; the Word
file downloads. (Tests run Celery eagerly: the finalised files are made right after the commit.)"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from docx import Document

from reports.models import SummaryStatus, WrittenSummary
from tests.factories import make_finding

from .conftest import journey_marks

pytestmark = journey_marks()


def test_supervisor_writes_and_finalises_the_quarters_summary(
    session_for, shots, roles_groups, supervisor, neike
):
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    found = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time(10)))
    make_finding(department=neike, found_by=supervisor, found_at=found, description="候诊区无人引导")

    page = session_for(supervisor)
    page.goto("/reports/summaries/")
    page.fill("input[name=year]", str(today.year))
    page.select_option("select[name=period]", value=f"q{quarter}")
    shots(page, "draft-form")
    with page.expect_navigation():
        page.click("form[action$='/summaries/new/'] button[type=submit]")
    assert page.locator("h2", has_text="一、工作开展情况").count() == 1
    page.fill("textarea[name=save-problems]", "后勤保障类科室督查偏少。")
    page.locator(".summary-edit-form input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.click("button[data-action=save]")
    shots(page, "saved-editor")
    assert "后勤保障类科室督查偏少。" in page.locator(".summary-preview").inner_text()
    assert "候诊区无人引导" in page.locator(".summary-preview").inner_text()

    with page.expect_navigation():
        page.click("button[data-action=regenerate]")
    assert "后勤保障类科室督查偏少。" in page.locator(".summary-preview").inner_text()
    with page.expect_navigation():
        page.click("button[data-action=finalise]")
    shots(page, "finalised")
    summary = WrittenSummary.objects.get()
    assert summary.status == SummaryStatus.FINAL and summary.docx_file and summary.pdf_file
    page.reload()
    with page.expect_download() as info:
        page.click("a[href$='/download/docx/']")
    with open(info.value.path(), "rb") as handle:
        doc = Document(io.BytesIO(handle.read()))
    assert "后勤保障类科室督查偏少。" in [p.text for p in doc.paragraphs]
