"""Journey: a supervisor logs a finding with a photo → the head of 内科 acknowledges and submits
the fix → the supervisor verifies it and, on the check date, closes it for good. Statuses are checked as the Chinese page shows them."""

from __future__ import annotations

from django.utils import timezone

from supervision.models import Finding, OrderStatus, RectificationOrder
from tests.factories import StaffFactory, category

from .conftest import journey_marks, photo_jpeg

pytestmark = journey_marks()


def badge(page) -> str:
    return page.inner_text("span.badge[class*=status-]").strip()


def test_finding_with_photo_is_acknowledged_fixed_and_verified(
    session_for, shots, roles_groups, supervisor, head_neike, neike, waike
):
    attitude = category("attitude")

    # The supervisor logs the finding from the tablet form, with a photo from the camera input.
    page = session_for(supervisor)
    shots(page, "supervisor-dashboard")
    StaffFactory(name="王护士", department=neike)
    StaffFactory(name="赵医生", department=waike)
    page.goto("/findings/new/")
    page.select_option("select[name=department]", label="内科")
    # Only 内科's people are offered once 内科 is chosen (a roster of hundreds on a phone otherwise).
    offered = page.eval_on_selector_all(
        "select[name=staff_involved] option", "os => os.map(o => o.textContent)"
    )
    assert any("王护士" in o for o in offered) and not any("赵医生" in o for o in offered)
    page.select_option("select[name=category]", value=str(attitude.pk))
    page.select_option("select[name=severity]", value="moderate")
    page.fill("input[name=location]", "门诊二楼候诊区")
    page.fill("textarea[name=description]", "导医台无人值守，患者排队询问无人应答。")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}],
    )
    shots(page, "finding-form-filled")
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")
    finding = Finding.objects.get()
    assert page.url.endswith(finding.get_absolute_url())
    page.wait_for_selector("img.attachment-thumb")
    assert badge(page) == "已下发"
    assert "内科" in page.content()
    shots(page, "finding-recorded-issued")
    assert finding.attachments.count() == 1 and finding.order.status == OrderStatus.ISSUED
    detail = finding.get_absolute_url()

    # The head of 内科 acknowledges, then submits the cause and the corrective action.
    head = session_for(head_neike)
    head.goto(detail)
    shots(head, "head-opens-order")
    head.click("button[data-bs-target='#f-acknowledge']")
    head.fill("#f-acknowledge [name=acknowledge-comment]", "已收到，马上整改")
    with head.expect_navigation():
        head.click("#f-acknowledge button.btn-primary")
    assert badge(head) == "已签收"
    shots(head, "head-acknowledged")
    head.click("button[data-bs-target='#f-submit']")
    head.fill("#f-submit [name=submit-cause]", "排班未覆盖午间时段。")
    head.fill("#f-submit [name=submit-corrective_action]", "调整排班，午间增设一名导医。")
    head.set_input_files(
        "#f-submit input[type=file]",
        files=[{"name": "整改后.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}],
    )
    shots(head, "head-fix-form-filled")
    with head.expect_navigation():
        head.click("#f-submit button.btn-primary")
    assert badge(head) == "待验收"
    assert "排班未覆盖午间时段" in head.content()
    shots(head, "head-submitted")

    # The supervisor verifies it; the order waits for its effectiveness check (效果评价).
    page.goto(detail)
    page.click("button[data-bs-target='#f-verify']")
    shots(page, "supervisor-verify-form")
    with page.expect_navigation():
        page.click("#f-verify button.btn-success")
    assert badge(page) == "已验收待效果评价"
    assert page.locator("button[data-bs-target='#f-check_effective']").count() == 0  # not due yet
    shots(page, "supervisor-verified")

    # On the check date the fix held: closed for good (销号).
    RectificationOrder.objects.filter(pk=finding.order.pk).update(check_due=timezone.localdate())
    page.goto(detail)
    page.click("button[data-bs-target='#f-check_effective']")
    with page.expect_navigation():
        page.click("#f-check_effective button.btn-success")
    assert badge(page) == "已验收销号"
    shots(page, "supervisor-closed")

    finding.order.refresh_from_db()
    assert finding.order.status == OrderStatus.CLOSED
    assert finding.order.cause == "排班未覆盖午间时段。"
    assert list(finding.order.transitions.values_list("to_status", flat=True)) == [
        OrderStatus.ISSUED,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.SUBMITTED,
        OrderStatus.VERIFIED,
        OrderStatus.CLOSED,
    ]
    assert finding.attachments.count() == 2  # the photo and the evidence
