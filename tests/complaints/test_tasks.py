"""Beat jobs: due-soon reminders, overdue notices and escalation; each idempotent."""

import datetime as dt

import pytest

from complaints import services, tasks
from supervision.models import EscalationRung, Notification, NotificationKind

from .factories import at, make_complaint

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(supervisor, caller, neike, head_neike):
    # Received Thu 30 April 2026: answer due Mon 11 May (after the Labour Day break and 调休 Saturday).
    c = make_complaint(received_by=caller, department=neike, received_at=at("2026-04-30"))
    services.complaint_accept(complaint=c, actor=supervisor)
    return services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])


def test_due_soon_reminds_owner_and_head_once(waiting, caller, head_neike):
    assert waiting.answer_due == D("2026-05-11")
    # Sat 9 May is a working day, so on Friday 8 May the due date is two working days away: no reminder.
    assert services.complaints_remind_due_soon(today=D("2026-05-08")) == 0
    sent = tasks.remind_due_soon.delay("2026-05-09").get()
    assert sent == 2
    assert caller.notifications.filter(kind=NotificationKind.DUE_SOON).count() == 1
    assert head_neike.notifications.filter(kind=NotificationKind.DUE_SOON).count() == 1
    assert tasks.remind_due_soon.delay("2026-05-09").get() == 0  # idempotent
    assert tasks.remind_due_soon.delay("2026-05-11").get() == 0  # same due date: already reminded


def test_overdue_notice_once_per_due_date_for_the_office_and_daily_for_the_owner(
    waiting, caller, supervisor, head_neike
):
    assert services.complaints_notify_overdue(today=D("2026-05-11")) == 0
    assert services.complaints_notify_overdue(today=D("2026-05-12")) == 3  # owner, head, supervisor
    assert services.complaints_notify_overdue(today=D("2026-05-12")) == 0
    assert services.complaints_notify_overdue(today=D("2026-05-13")) == 1  # the owner's daily reminder
    assert supervisor.notifications.filter(kind=NotificationKind.OVERDUE_DIGEST).count() == 1
    assert caller.notifications.filter(kind=NotificationKind.OVERDUE_DIGEST).count() == 2


def test_answered_complaint_gets_no_reminder(waiting, supervisor, head_neike, neike):
    services.complaint_reply(complaint=waiting, actor=head_neike, department=neike, reply="已核实")
    services.complaint_answer(
        complaint=waiting, actor=supervisor, method="phone", text="已答复", answered_at=at("2026-05-08")
    )
    assert services.complaints_notify_overdue(today=D("2026-05-20")) == 0
    assert services.complaints_remind_due_soon(today=D("2026-05-11")) == 0


def test_without_a_ladder_escalation_counts_working_days_and_runs_once(waiting, administrator):
    # No general rung of the escalation ladder: the administrators after 3 overdue working days.
    # Due Mon 11 May; Thu 14 May is 3 working days late.
    EscalationRung.objects.filter(severity="").delete()
    assert services.complaints_escalate(today=D("2026-05-14")) == 0
    assert tasks.escalate.delay("2026-05-15").get() == 1
    assert tasks.escalate.delay("2026-05-18").get() == 0
    notice = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert notice.recipient == administrator and waiting.number in notice.title_text


def test_unaccepted_complaint_gets_acknowledgement_reminder(caller):
    c = make_complaint(received_by=caller, received_at=at("2026-05-08"))
    assert c.ack_due == D("2026-05-09")  # the 调休 Saturday
    assert services.complaints_remind_due_soon(today=D("2026-05-08")) == 1
    assert services.complaints_remind_due_soon(today=D("2026-05-08")) == 0


def test_schedules_declare_the_three_jobs():
    from complaints.schedules import DEFAULT_SCHEDULES

    assert {j.task for j in DEFAULT_SCHEDULES} == {
        "complaints.remind_due_soon",
        "complaints.notify_overdue",
        "complaints.escalate",
    }
