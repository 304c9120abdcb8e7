"""Journey: the head of 内科 opens a nurse's record (logged), disputes an attribution with a reason;
a supervisor withdraws it from the dispute queue; the record shows both, and the withdrawn problem no
longer counts. Screenshots of each step in var/e2e/."""

from __future__ import annotations

from supervision.models import AttributionStatus, PersonRecordView, StaffPosition
from tests.factories import StaffFactory, make_finding

from .conftest import journey_marks

pytestmark = journey_marks()


def test_a_head_disputes_an_attribution_and_the_office_withdraws_it(
    session_for, shots, roles_groups, supervisor, head_neike, neike
):
    nurse = StaffFactory(
        name="张护士", employee_no="N0001", department=neike, position=StaffPosition.NURSE, title="护师"
    )
    make_finding(department=neike, found_by=supervisor, staff=[nurse], category_code="attitude")
    disputed = make_finding(
        department=neike,
        found_by=supervisor,
        staff=[nurse],
        category_code="discipline",
        description="午间脱岗",
    ).attributions.get()

    head = session_for(head_neike)
    head.goto("/people/")
    shots(head, "staff-list")
    with head.expect_navigation():
        head.click("text=张护士")
    assert head.inner_text("#figure-problems").strip() == "2"
    shots(head, "record-before-dispute")
    head.click(f"#attributions li:has-text('{disputed.finding.number}') button[data-action=dispute]")
    head.fill(f"#f-dispute-{disputed.pk} textarea", "当天轮休，排班表可查")
    with head.expect_navigation():
        head.click(f"#f-dispute-{disputed.pk} button.btn-warning")
    assert "有异议" in head.inner_text(f"#attributions li:has-text('{disputed.finding.number}')")
    shots(head, "record-disputed")

    office = session_for(supervisor)
    office.goto("/people/disputes/")
    shots(office, "dispute-queue")
    office.click("button[data-action=withdraw]")
    office.fill(f"#f-withdraw-{disputed.pk} textarea", "核实排班，非本人")
    with office.expect_navigation():
        office.click(f"#f-withdraw-{disputed.pk} button.btn-warning")
    office.goto(f"/people/{nurse.pk}/")
    assert office.inner_text("#figure-problems").strip() == "1"
    assert office.inner_text("#figure-withdrawn").strip() == "1"
    item = office.inner_text(f"#attributions li:has-text('{disputed.finding.number}')")
    assert "撤销归属" in item and "当天轮休，排班表可查" in item and "核实排班，非本人" in item
    shots(office, "record-after-withdrawal")

    disputed.refresh_from_db()
    assert disputed.status == AttributionStatus.WITHDRAWN
    assert PersonRecordView.objects.filter(staff=nurse).count() >= 3
