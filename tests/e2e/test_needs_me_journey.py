"""Journey (issue 17): the head of 内科 logs in, sees the one order to act on first on the dashboard,
opens it from the count, acknowledges it, and the count drops — on the dashboard left open in
another tab too, refreshed in place by htmx without reloading the page; the bell drops once the
order is opened. Checked as the Chinese page shows it."""

from __future__ import annotations

import time

from supervision.models import OrderStatus
from tests.factories import make_finding

from .conftest import journey_marks

pytestmark = journey_marks()


def count(page, queue: str) -> str:
    return page.inner_text(f"#needs-me [data-queue={queue}] [data-count]").strip()


def bell(page) -> str:
    badge = page.query_selector("a[href='/notifications/'] .badge")
    return badge.inner_text().strip() if badge else "0"


def test_a_head_sees_the_one_order_to_act_on_acts_and_the_count_drops(
    session_for, shots, roles_groups, supervisor, head_neike, neike, waike
):
    finding = make_finding(department=neike, found_by=supervisor, description="门诊导医台午间无人值守。")
    make_finding(department=waike, found_by=supervisor, description="外科的整改单，不算内科的。")

    page = session_for(head_neike)
    # A clock the test moves, so that the once-a-minute refresh can be seen without waiting a minute.
    page.clock.install()
    page.goto("/")
    strip = page.locator("#needs-me")
    assert "待我处理" in strip.inner_text()
    assert count(page, "orders_to_acknowledge") == "1"  # 外科's order is not counted
    assert count(page, "orders_to_respond") == "0"
    assert bell(page) == "1"
    # The strip comes first, above the department's other sections.
    assert page.evaluate(
        "() => document.querySelector('#needs-me').compareDocumentPosition(document.querySelector('main h2:not(#needs-me h2)')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.evaluate("() => { window.notReloaded = true; }")
    shots(page, "head-dashboard-one-order-to-acknowledge")

    # The count opens the list of exactly that order; the order page reads its notice.
    other = session_for(head_neike)
    other.goto("/")
    with other.expect_navigation():
        other.click("#needs-me [data-queue=orders_to_acknowledge]")
    assert "queue=orders_to_acknowledge" in other.url
    rows = other.locator("table tbody tr")
    assert rows.count() == 1 and finding.number in rows.first.inner_text()
    shots(other, "filtered-list-one-order")
    with other.expect_navigation():
        other.click(f"text={finding.number}")
    assert bell(other) == "0"  # opening the order read its notice
    other.click("button[data-bs-target='#f-acknowledge']")
    other.fill("#f-acknowledge [name=acknowledge-comment]", "已收到，马上整改")
    with other.expect_navigation():
        other.click("#f-acknowledge button.btn-primary")
    assert other.inner_text("span.badge[class*=status-]").strip() == "已签收"
    shots(other, "head-acknowledged")
    finding.order.refresh_from_db()
    assert finding.order.status == OrderStatus.ACKNOWLEDGED

    # The dashboard left open refreshes its counts in place about once a minute.
    page.clock.run_for(61_000)
    # Polled from Python: the page's own timers are the fake clock's now.
    for _ in range(100):
        if count(page, "orders_to_acknowledge") == "0":
            break
        time.sleep(0.1)
    assert count(page, "orders_to_acknowledge") == "0"
    assert count(page, "orders_to_respond") == "1"
    assert bell(page) == "0"  # the same refresh brought the bell's count (out of band, one request)
    assert page.evaluate("() => window.notReloaded === true")
    shots(page, "head-dashboard-count-dropped")

    # The notifications page groups by item; the order's notice was read on opening it.
    other.goto("/notifications/")
    group = other.locator(".notification-group").first
    assert finding.order.number in group.inner_text() and "未读" not in group.inner_text()
    shots(other, "notifications-grouped")
