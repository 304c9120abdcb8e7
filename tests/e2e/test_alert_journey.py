"""Journey (issue 17): a patient says on the follow-up call that they were not satisfied → the
head of 内科 finds the alert, records the contact and closes the service recovery; the caller's
call screen says when an unreached call will be tried again and which rule moved it."""

from __future__ import annotations

from django.utils import timezone

from followups import services as followup_services
from followups.models import Outcome, Satisfaction
from supervision.models import Alert, AlertStatus
from tests.factories import DischargeStayFactory
from tests.followups.factories import make_task

from .conftest import journey_marks

pytestmark = journey_marks()


def test_an_unhappy_patient_alert_is_contacted_and_closed(
    session_for, shots, roles_groups, supervisor, head_neike, caller, neike
):
    task = make_task(
        stay=DischargeStayFactory(department=neike, patient_name="张伟", phone="13800138000"),
        assigned_to=caller,
    )
    followup_services.task_claim(task=task, actor=caller)
    attempt = followup_services.call_record(
        task=task,
        actor=caller,
        data=followup_services.CallInput(
            outcome=Outcome.REACHED,
            satisfaction=Satisfaction.DISSATISFIED,
            notes="换药时等了两个小时，没人解释",
        ),
    )
    followup_services.attempt_raise_alert(attempt=attempt)  # what the worker does after the commit
    alert = Alert.objects.get()

    page = session_for(head_neike)
    page.goto("/alerts/")
    shots(page, "head-alert-list")
    assert "回访时表示不满意" in page.inner_text("#alert-table")
    page.click(f"a[href='/alerts/{alert.pk}/']")
    shots(page, "alert-detail")
    page.click("button[data-action=contact]")
    page.fill("textarea[name=contact-contact_note]", "已电话致歉，解释了换药安排")
    with page.expect_navigation():
        page.click("#f-contact button.btn-primary")
    page.click("button[data-action=close]")
    page.fill("textarea[name=close-action_taken]", "病区晨会通报，换药前告知等候时间")
    page.check("input[name=close-outcome][value=resolved]")
    shots(page, "close-form")
    with page.expect_navigation():
        page.click("#f-close button")
    shots(page, "alert-closed")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert "已办结" in page.inner_text("#alert-status")

    # The caller's call screen after an unreached call on the window's last day.
    today = timezone.localdate()
    other = make_task(
        stay=DischargeStayFactory(department=neike, patient_name="李娜", phone="13900139000"),
        assigned_to=caller,
        due_on=today,
        expires_on=today,
    )
    followup_services.task_claim(task=other, actor=caller)
    followup_services.call_record(
        task=other, actor=caller, data=followup_services.CallInput(outcome=Outcome.NO_ANSWER)
    )
    page = session_for(caller)
    page.goto(f"/followups/tasks/{other.pk}/")
    shots(page, "call-screen-next-attempt")
    assert "最后一天" in page.inner_text("#next-attempt")
    page.goto("/")
    shots(page, "caller-dashboard")
    page = session_for(supervisor)
    page.goto("/")
    shots(page, "supervisor-dashboard-needs-me")
