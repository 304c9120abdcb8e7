"""Reminders that repeat (issue 25 item 7): an overdue complaint reminds its owner every working day
until answered, and climbs the escalation ladder (supervision.EscalationRung) in working days."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from complaints import services, tasks
from complaints.models import ComplaintAction
from supervision.models import DepartmentGroup, EscalationRung, Notification, NotificationKind, RungTarget
from tests.factories import UserFactory

from .factories import at, make_complaint

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
# 1–5 May 2026 off (劳动节), Saturday 9 May worked (调休), Sunday 10 May off.
DAYS = [D("2026-04-30") + dt.timedelta(days=n) for n in range(1, 15)]


@pytest.fixture
def overdue(supervisor, caller, neike):
    # Received Thu 23 April 2026 by the follow-up caller (the owner): due Thu 30 April.
    c = make_complaint(received_by=caller, department=neike, received_at=at("2026-04-23"))
    services.complaint_accept(complaint=c, actor=supervisor)
    c = services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])
    assert c.answer_due == D("2026-04-30")
    return c


def _every_morning(task, days=DAYS):
    """Run the beat task at 08:40 Beijing time each day with the clock frozen, twice (idempotent)."""
    for day in days:
        with time_machine.travel(at(day.isoformat(), 8), tick=False):
            task.delay().get()
            task.delay().get()


def _reminded_on(user) -> list[dt.date]:
    notices = user.notifications.filter(title_key="complaint.still_overdue").order_by("created_at")
    return [timezone.localdate(n.created_at) for n in notices]


def test_the_owner_is_reminded_once_every_working_day_never_on_a_holiday(overdue, caller, supervisor):
    _every_morning(tasks.notify_overdue, DAYS[:11])  # 1–11 May
    assert _reminded_on(caller) == [
        D("2026-05-06"),
        D("2026-05-07"),
        D("2026-05-08"),
        D("2026-05-09"),
        D("2026-05-11"),
    ]
    # The office heard once for the due date, on its first overdue morning (a holiday too).
    assert supervisor.notifications.filter(title_key="complaint.overdue").count() == 1
    assert _reminded_on(supervisor) == []  # the complaint has an owner: the daily reminder is theirs
    last = caller.notifications.filter(title_key="complaint.still_overdue").latest("created_at")
    assert last.params["days"] == 5  # 6, 7, 8, 9 and 11 May


def test_reminders_stop_once_the_complainant_is_answered(overdue, caller, supervisor, head_neike, neike):
    _every_morning(tasks.notify_overdue, DAYS[5:7])  # 6 and 7 May
    with time_machine.travel(at("2026-05-07", 15), tick=False):
        services.complaint_reply(complaint=overdue, actor=head_neike, department=neike, reply="已核实")
        services.complaint_answer(complaint=overdue, actor=supervisor, method="phone", text="已电话答复")
    _every_morning(tasks.notify_overdue, DAYS[7:11])
    assert _reminded_on(caller) == [D("2026-05-06"), D("2026-05-07")]


def test_an_unowned_complaint_reminds_the_supervisors_daily(supervisor, neike):
    c = make_complaint(received_by=None, channel="web", department=neike, received_at=at("2026-04-23"))
    services.complaint_accept(complaint=c, actor=supervisor)
    _every_morning(tasks.notify_overdue, DAYS[5:8])  # 6, 7, 8 May
    assert _reminded_on(supervisor) == [D("2026-05-06"), D("2026-05-07"), D("2026-05-08")]


def test_the_overdue_complaint_climbs_the_ladder_in_working_days(overdue, head_neike, administrator, neike):
    vice = UserFactory(full_name="王副院长")
    DepartmentGroup.objects.create(name="医疗", lead=vice).departments.add(neike)
    # The seeded general ladder: the head at once, the vice-president at 3, the weekly meeting at 7.
    assert [(r.days_overdue, r.target) for r in EscalationRung.objects.filter(severity="")] == [
        (0, RungTarget.HEAD),
        (3, RungTarget.VICE_PRESIDENT),
        (7, RungTarget.WEEKLY_MEETING),
    ]
    _every_morning(tasks.escalate)  # 1–14 May
    climbed = overdue.transitions.filter(action=ComplaintAction.ESCALATE).order_by("id")
    assert [(timezone.localdate(t.at), t.actor) for t in climbed] == [
        (D("2026-05-06"), None),  # first overdue working day (1–5 May are off)
        (D("2026-05-08"), None),  # 6, 7, 8 May: 3 working days
        (D("2026-05-13"), None),  # 6, 7, 8, 9 (worked), 11, 12, 13: 7
    ]
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert {(n.recipient, n.title_key) for n in escalations} == {
        (head_neike, "complaint.rung_head"),
        (vice, "complaint.rung_vice_president"),
        (head_neike, "complaint.rung_meeting"),
        (administrator, "complaint.rung_meeting"),
    }
    overdue.refresh_from_db()
    assert (
        overdue.ladder_rung.target == RungTarget.WEEKLY_MEETING and overdue.ladder_due == overdue.answer_due
    )
    assert "内科" in escalations.get(recipient=vice).title_text


def test_a_new_due_date_after_a_pause_starts_the_ladder_again(overdue, supervisor, head_neike):
    assert services.complaints_escalate(today=D("2026-05-06")) == 1  # the head's rung
    with time_machine.travel(at("2026-05-06", 10), tick=False):
        services.complaint_pause(complaint=overdue, actor=supervisor, kind="mediation", reason="调解中")
    assert services.complaints_escalate(today=D("2026-05-08")) == 0  # the clock stands still
    assert services.complaints_notify_overdue(today=D("2026-05-08")) == 0
    with time_machine.travel(at("2026-05-08", 10), tick=False):
        c = services.complaint_resume(complaint=overdue, actor=supervisor)
    assert c.answer_due == D("2026-05-07")  # 30 April + 7 and 8 May paused
    # 8, 9 (worked) and 11 May: 3 working days past the new due date: the head again, then the
    # vice-president (the administrators: nobody is in charge of 内科 here).
    assert services.complaints_escalate(today=D("2026-05-11")) == 2
    assert services.complaints_escalate(today=D("2026-05-11")) == 0
    c.refresh_from_db()
    assert c.ladder_due == D("2026-05-07") and c.ladder_rung.target == RungTarget.VICE_PRESIDENT


def test_no_climbing_on_a_day_off(overdue):
    assert services.complaints_escalate(today=D("2026-05-02")) == 0  # Labour Day
    assert services.complaints_escalate(today=D("2026-05-10")) == 0  # Sunday
