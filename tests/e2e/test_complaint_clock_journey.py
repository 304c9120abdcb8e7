"""Journey: the complaints office opens a complaint from someone who complained before, sees the
earlier complaint (masked), stops the clock while waiting for the complainant, finds the answer
button gone, and runs the clock again. Checked as the Chinese page shows it."""

from __future__ import annotations

from complaints import services
from complaints.models import ComplaintStatus
from tests.complaints.factories import make_complaint

from .conftest import journey_marks

pytestmark = journey_marks()


def test_a_repeat_complainants_clock_is_paused_and_resumed(
    session_for, shots, roles_groups, supervisor, neike
):
    earlier = make_complaint(received_by=supervisor, department=neike, content="上个月候诊两小时无人解释")
    complaint = make_complaint(received_by=supervisor, department=neike, content="这次又等了很久")
    services.complaint_accept(complaint=complaint, actor=supervisor)

    page = session_for(supervisor)
    page.goto(complaint.get_absolute_url())
    card = page.inner_text("#same-person")
    assert earlier.number in card and "138****8000" in card and "同一电话" in card
    assert "13800138000" not in page.content()
    shots(page, "detail-with-earlier-complaint")

    page.click("button[data-action=pause]")
    page.select_option("#f-pause select[name=pause-kind]", value="awaiting_complainant")
    page.fill("#f-pause textarea[name=pause-reason]", "请投诉人补交就诊记录")
    shots(page, "pause-form")
    with page.expect_navigation():
        page.click("#f-pause button.btn-lg")
    assert page.inner_text("h1 span.badge").strip() == "计时暂停中"
    assert "请投诉人补交就诊记录" in page.inner_text("#pauses")
    assert page.locator("button[data-action=answer]").count() == 0
    assert page.locator("#clock-paused").is_visible()
    shots(page, "clock-paused")

    page.click("button[data-action=resume]")
    with page.expect_navigation():
        page.click("#f-resume button.btn-lg")
    assert page.inner_text("h1 span.badge").strip() == "已受理"
    assert page.locator("button[data-action=answer]").count() == 1
    shots(page, "clock-running-again")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.pauses.get().ended_by == supervisor
