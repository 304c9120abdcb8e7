"""Journey: a moment is typed as a year-first date and a 24-hour time in both languages and on both
screen sizes (supervision.forms.DateTimeField24 replaced ``datetime-local``, which Chromium drew as
12/07/2026, 09:40 PM in en-US and with 上午/下午 in zh-CN). A form refused for another field keeps what
was typed; the moment is read in the hospital's time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from complaints.models import Complaint
from supervision.models import Finding
from tests.factories import category

from .conftest import journey_marks

pytestmark = journey_marks()

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


def _no_browser_clock(page) -> None:
    assert page.locator("input[type=datetime-local], input[type=time]").count() == 0


def test_a_finding_is_dated_on_a_phone_in_english_and_keeps_the_time_typed_when_refused(
    session_for, shots, roles_groups, supervisor, neike
):
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    attitude = category("attitude")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page = session_for(supervisor, viewport=PHONE, locale="en-US")
    page.goto("/findings/new/")
    _no_browser_clock(page)
    date, time = page.locator("input[name=found_at_0]"), page.locator("input[name=found_at_1]")
    # Both inputs on one line, inside the phone's width.
    date_box, time_box = date.bounding_box(), time.bounding_box()
    assert abs(date_box["y"] - time_box["y"]) < 2 and time_box["x"] + time_box["width"] <= PHONE["width"]
    page.select_option("select[name=department]", label="内科")
    page.select_option("select[name=category]", value=str(attitude.pk))
    date.fill(f"{yesterday:%Y-%m-%d}")
    time.fill("21:40")
    shots(page, "finding-form-phone-en")
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")  # no description: refused
    assert page.input_value("input[name=found_at_0]") == f"{yesterday:%Y-%m-%d}"
    assert page.input_value("input[name=found_at_1]") == "21:40"
    shots(page, "finding-refused-keeps-the-time")
    page.fill("textarea[name=description]", "Waiting area without a guide")
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")
    finding = Finding.objects.get()
    assert timezone.localtime(finding.found_at) == timezone.make_aware(
        dt.datetime.combine(yesterday, dt.time(21, 40))
    )
    assert "21:40" in page.content()
    shots(page, "finding-recorded")


def test_a_complaint_received_at_is_typed_on_a_tablet_in_chinese(
    session_for, shots, roles_groups, supervisor
):
    page = session_for(supervisor, viewport=TABLET)
    page.goto("/complaints/new/")
    _no_browser_clock(page)
    assert page.get_attribute("input[name=received_at_0]", "placeholder") == "年-月-日"
    day = timezone.localdate() - dt.timedelta(days=2)
    page.fill("input[name=received_at_0]", f"{day:%Y/%m/%d}")  # year first with slashes reads the same
    page.fill("input[name=received_at_1]", "8:05")
    page.fill("textarea[name=content]", "挂号窗口排队时间过长")
    shots(page, "complaint-form-tablet-zh")
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")
    complaint = Complaint.objects.get()
    assert timezone.localtime(complaint.received_at) == timezone.make_aware(
        dt.datetime.combine(day, dt.time(8, 5))
    )
    shots(page, "complaint-recorded")
