"""Journey (zh-CN Chromium, a tablet): a day that is none in the finding list's filter shows no
finding and says why, as typed, also when htmx swaps the table alone; a report's month is year-month
text whose calendar button opens the browser's month picker and writes YYYY-MM back; the complaint
form's days are year-month-day text too (supervision.infra.filtersets, supervision.forms.MonthInputYM)."""

from __future__ import annotations

from tests.factories import make_finding

from .conftest import journey_marks

pytestmark = journey_marks()

TABLET = {"width": 768, "height": 1024}
REFUSED = "筛选条件有误，因此不显示任何记录。请更正后重新筛选。"
DAY = "请按“年-月-日”填写日期，例如 2026-12-07。"


def test_a_refused_day_in_the_finding_filter_shows_no_finding_and_says_why(
    session_for, shots, roles_groups, supervisor, neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    page = session_for(supervisor, viewport=TABLET)
    page.goto("/findings/")
    assert finding.number in page.inner_text("#finding-table")
    page.click("details.card > summary")
    field = page.locator("input[name=found_from]")
    # htmx: the field's change swaps the table alone; the form keeps what was typed.
    with page.expect_response(lambda r: "found_from=2026-13-45" in r.url):
        field.fill("2026-13-45")
        field.press("Tab")
    page.wait_for_selector("#finding-table .filter-refused")
    table = page.inner_text("#finding-table")
    assert REFUSED in table and f"开始日期：{DAY}" in table and finding.number not in table
    assert field.input_value() == "2026-13-45"
    assert "is-invalid" in field.get_attribute("class")  # marked in the form htmx left in place
    shots(page, "finding-filter-refused-htmx")
    with page.expect_response(lambda r: "found_from=2026-01-01" in r.url):
        field.fill("2026-01-01")
        field.press("Tab")
    page.wait_for_selector(f"#finding-table a:has-text('{finding.number}')")
    assert "is-invalid" not in field.get_attribute("class")
    # The whole page (a link, the Apply button): the field itself is marked, as typed.
    page.goto("/findings/?found_from=abc")
    assert page.locator("input[name=found_from].is-invalid").input_value() == "abc"
    assert DAY in page.inner_text("#div_id_found_from") and REFUSED in page.inner_text("#finding-table")
    shots(page, "finding-filter-refused-page")
    # Corrected in place: the table comes back, the field and its error below it are cleared.
    field = page.locator("input[name=found_from]")
    with page.expect_response(lambda r: "found_from=2026-01-01" in r.url):
        field.fill("2026-01-01")
        field.press("Tab")
    page.wait_for_selector(f"#finding-table a:has-text('{finding.number}')")
    assert "is-invalid" not in field.get_attribute("class") and DAY not in page.inner_text("main")


def test_a_reports_month_is_typed_year_month_and_picked_on_the_browsers_month_calendar(
    session_for, shots, roles_groups, administrator
):
    page = session_for(administrator, viewport=TABLET)
    page.goto("/reports/")
    month = page.locator("input[name=month]")
    assert month.get_attribute("type") == "text" and month.get_attribute("placeholder") == "年-月"
    group = page.locator(".date-ymd-group", has=month)
    assert group.locator("button.date-ymd-calendar").is_visible()
    picker = group.locator("input.date-ymd-picker")
    assert picker.get_attribute("type") == "month"
    # What the native picker does when a month is chosen: its value, then "change".
    picker.evaluate("p => { p.value = '2025-03'; p.dispatchEvent(new Event('change')); }")
    assert month.input_value() == "2025-03"
    shots(page, "report-month-picked")
    month.fill("2025-13")
    page.select_option("select[name=kind]", value="monthly")
    with page.expect_navigation():
        page.click(".report-request-form button[type=submit]")
    assert page.locator("input[name=month]").input_value() == "2025-13"
    assert "月报期间请按 2026-10 的格式填写。" in page.inner_text("main")
    shots(page, "report-month-refused")
    # The per-person sheet's month: the same input; a month that is none comes back marked, as typed.
    page.goto("/people/")
    sheet = page.locator("#sheet-form input[name=month]")
    assert sheet.get_attribute("type") == "text" and sheet.get_attribute("placeholder") == "年-月"
    assert page.locator("#sheet-form button.date-ymd-calendar").is_visible()
    sheet.fill("2025-13")
    with page.expect_navigation():
        page.click("#sheet-form button[type=submit], #sheet-form button:not([type])")
    assert page.locator("#sheet-form input[name=month].is-invalid").input_value() == "2025-13"
    assert "请按“年-月”填写月份，例如 2026-11。" in page.inner_text("main")
    shots(page, "people-sheet-month-refused")


def test_the_complaint_form_takes_days_as_year_month_day_text(
    session_for, shots, roles_groups, supervisor, neike
):
    page = session_for(supervisor, viewport=TABLET)
    page.goto("/complaints/new/")
    assert (
        page.locator(
            "input[type=date]:not(.date-ymd-picker), input[type=month]:not(.date-ymd-picker)"
        ).count()
        == 0
    )
    shots(page, "complaint-form")


def test_a_status_that_is_none_in_the_follow_up_task_list_shows_no_task_and_says_why(
    session_for, shots, roles_groups, supervisor, neike
):
    from tests.followups.factories import make_task

    task = make_task(stay_kw={"department": neike, "patient_name": "张随访"})
    page = session_for(supervisor, viewport=TABLET)
    # An old link's status (the list used to ignore it and show every task as if filtered).
    page.goto("/followups/tasks/?status=lost")
    table = page.inner_text("#task-table")
    assert REFUSED in table and "状态" in table and task.stay.patient_name not in table
    assert "is-invalid" in page.locator("select[name=status]").get_attribute("class")
    shots(page, "task-list-status-refused")
    # Chosen again from the select: htmx swaps the table alone, the mark goes, the task is back.
    with page.expect_response(lambda r: "status=pending" in r.url):
        page.select_option("select[name=status]", value="pending")
    page.wait_for_selector("#task-table:has-text('张随访')")
    assert "is-invalid" not in page.locator("select[name=status]").get_attribute("class")
    shots(page, "task-list-status-chosen")
