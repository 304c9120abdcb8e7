"""Journey: a day is typed and shown year-month-day in en-US Chromium too (supervision.forms.DateFieldYMD
replaced ``<input type="date">``, drawn 12/07/2026 there); on a phone the finding list shows each
finding's department, order and deadline under its number, and a breadcrumb too long for its line
wraps inside its text, never starting a line with its "/" divider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from supervision.models import Finding
from surveys import services as survey_services
from surveys.models import Channel
from surveys.selectors import questionnaire_current
from tests.factories import category, make_finding

from .conftest import journey_marks

pytestmark = journey_marks()

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}


def _in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])


def test_an_order_deadline_is_typed_year_first_in_english_and_an_impossible_one_is_refused_and_kept(
    session_for, shots, roles_groups, supervisor, neike
):
    _in_english(supervisor)
    attitude = category("attitude")
    page = session_for(supervisor, viewport=TABLET, locale="en-US")
    page.goto("/findings/new/")
    assert page.locator("input[type=date]:not(.date-ymd-picker)").count() == 0  # only the calendars' pickers
    deadline = page.locator("input[name=deadline]")
    assert deadline.get_attribute("type") == "text" and deadline.get_attribute("placeholder") == "YYYY-MM-DD"
    page.select_option("select[name=department]", label="内科")
    page.select_option("select[name=category]", value=str(attitude.pk))
    page.fill("textarea[name=description]", "Waiting area without a guide")
    deadline.fill("2026-02-30")  # the browser lets it through (year first); the server refuses it
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")
    assert page.input_value("input[name=deadline]") == "2026-02-30"
    assert "Enter a date as year-month-day, e.g. 2026-12-07." in page.inner_text("main")
    shots(page, "deadline-refused-kept-en")
    due = timezone.localdate() + dt.timedelta(days=10)
    page.fill("input[name=deadline]", f"{due:%Y/%m/%d}")  # slashes read the same
    with page.expect_navigation():
        page.click("form.tablet-form button.btn-primary")
    assert Finding.objects.get().order.deadline == due
    shots(page, "finding-with-deadline")


def test_the_finding_lists_period_is_typed_year_first_in_english(
    session_for, shots, roles_groups, supervisor, neike
):
    _in_english(supervisor)
    make_finding(department=neike, found_by=supervisor)
    page = session_for(supervisor, viewport=TABLET, locale="en-US")
    page.goto("/findings/?found_from=2026-13-01")
    field = page.locator("input[name=found_from]")
    assert field.get_attribute("type") == "text" and field.input_value() == "2026-13-01"
    assert "Enter a date as year-month-day, e.g. 2026-12-07." in page.inner_text("main")
    assert page.locator(".date-ymd-group", has=field).locator("button.date-ymd-calendar").is_visible()
    shots(page, "filter-refused-kept-en")


def test_on_a_phone_each_finding_shows_its_department_order_and_deadline_without_scrolling(
    session_for, shots, roles_groups, head_neike, supervisor, neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    page = session_for(head_neike, viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page.goto("/findings/")
    row = page.locator("tbody tr", has=page.locator(f"a[href='{finding.get_absolute_url()}']"))
    meta = row.locator(".finding-phone")
    assert meta.is_visible()
    text = meta.inner_text()
    assert "内科" in text and "已下发" in text and "期限" in text
    box = meta.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert not page.locator("thead th", has_text="科室").is_visible()  # its column is under the number
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shots(page, "finding-list-phone")
    page.set_viewport_size({"width": 1024, "height": 768})  # a tablet: the columns, not the phone's line
    assert not meta.is_visible() and page.locator("thead th", has_text="科室").is_visible()


@pytest.mark.parametrize("size", [PHONE, TABLET, {"width": 1024, "height": 768}])
def test_a_long_breadcrumb_wraps_inside_its_text_never_before_a_divider(
    session_for, shots, roles_groups, supervisor, size
):
    _in_english(supervisor)
    campaign = survey_services.campaign_save(
        name="2026 年第四季度住院患者出院满意度调查（内科、外科、儿科、妇产科、骨科、眼科、耳鼻喉科病区）",
        questionnaire=questionnaire_current("outpatient"),
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        channels=[Channel.PAPER],
        actor=supervisor,
    )
    page = session_for(supervisor, viewport=size, locale="en-US")
    for url in (f"/surveys/campaigns/{campaign.pk}/", "/complaints/new/"):  # a long trail, a short one
        page.goto(url)
        starts = page.evaluate(
            """() => {
                const trail = document.querySelector('ol.breadcrumb');
                const left = trail.getBoundingClientRect().left;
                const items = [...trail.querySelectorAll('li')];
                const lines = new Set(items.flatMap(li => [...li.getClientRects()].map(r => Math.round(r.top))));
                // an item after the first whose first piece starts at the trail's left edge begins a line with "/"
                return {lines: lines.size, divider_first: items.slice(1).filter(li => li.getClientRects()[0].left <= left + 1).length};
            }"""
        )
        assert starts["divider_first"] == 0, starts
        if "campaigns" in url and size["width"] < 1024:
            assert starts["lines"] >= 2  # the long title did wrap, inside its text
        shots(page, f"breadcrumb-{size['width']}-{url.strip('/').replace('/', '-')}")


def test_a_day_can_be_chosen_on_a_calendar_and_is_written_back_year_first(
    session_for, shots, roles_groups, supervisor, neike
):
    _in_english(supervisor)
    page = session_for(supervisor, viewport=TABLET, locale="en-US")
    page.goto("/findings/new/")
    deadline = page.locator("input[name=deadline]")
    group = page.locator(".date-ymd-group", has=deadline)
    button = group.locator("button.date-ymd-calendar")
    assert button.get_attribute("aria-label") == "Choose the day on a calendar"
    assert button.is_visible()
    # One line: the button sits beside the text, not under it.
    text_box, button_box = deadline.bounding_box(), button.bounding_box()
    assert abs(text_box["y"] - button_box["y"]) < 2 and button_box["x"] > text_box["x"]
    deadline.fill("2027/1/5")
    button.click()  # opens the browser's picker on the typed day (headless: nothing to see)
    picker = group.locator("input.date-ymd-picker")
    assert picker.input_value() == "2027-01-05"
    # The picker's choice, as the browser reports it, lands in the text year first.
    picker.evaluate("el => { el.value = '2027-03-09'; el.dispatchEvent(new Event('change')); }")
    assert deadline.input_value() == "2027-03-09"
    # The moment the finding was made (a date + 24-hour time pair) has its calendar too.
    found = page.locator("input[name=found_at_0]")
    assert page.locator(".date-ymd-group", has=found).locator("button.date-ymd-calendar").is_visible()
    shots(page, "deadline-calendar-en")
