"""The answer clock stops (awaiting the complainant, mediation, litigation) and runs again: the due
date moves on by the working days paused, on the official calendar (holidays and 调休 days)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from complaints import selectors, services
from complaints.models import Complaint, ComplaintPause, ComplaintStatus
from supervision.errors import ActionNotAllowed
from tests.factories import moment

from .factories import at, make_complaint

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def _accepted_on_27_april(supervisor, neike):
    with time_machine.travel(at("2026-04-27", 10), tick=False):
        c = make_complaint(received_by=supervisor, department=neike, received_at=at("2026-04-27", 9))
        return services.complaint_accept(complaint=c, actor=supervisor)


def test_pause_across_labour_day_and_the_tiaoxiu_saturday_moves_the_due_date(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    # 28, 29, 30 April, then 1–5 May off, 6 and 7 May: five working days.
    assert c.answer_due == D("2026-05-07")
    with time_machine.travel(at("2026-04-29", 15), tick=False):
        c = services.complaint_pause(
            complaint=c, actor=supervisor, kind="awaiting_complainant", reason="等待投诉人补交病历复印件"
        )
    assert c.status == ComplaintStatus.PAUSED
    with time_machine.travel(at("2026-05-11", 9), tick=False):
        c = services.complaint_resume(complaint=c, actor=supervisor)
    # Paused: 30 April, 6, 7, 8 May, Saturday 9 May (调休, worked) and 11 May = 6 working days;
    # the Labour Day holiday and Sunday 10 May do not count.
    pause = ComplaintPause.objects.get(complaint=c)
    assert pause.working_days == 6 and c.paused_working_days == 6
    assert c.status == ComplaintStatus.ACCEPTED  # where the clock stopped
    # 7 May + 6 working days: 8, 9 (Saturday worked), 11, 12, 13, 14 May.
    assert c.answer_due == D("2026-05-14")
    assert (pause.started_by, pause.ended_by, pause.reason) == (
        supervisor,
        supervisor,
        "等待投诉人补交病历复印件",
    )

    with time_machine.travel(at("2026-05-14", 16), tick=False):
        c = services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已电话答复")
    # 11 working days from receipt to answer, 6 of them paused: 5, on time.
    assert (c.answer_working_days, c.answered_on_time) == (5, True)
    fig = selectors.answered_on_time_share(start=D("2026-04-01"), end=D("2026-04-30"), today=D("2026-05-20"))
    assert (fig["on_time"], fig["answered"], fig["share"]) == (1, 1, 100.0)
    avg = selectors.average_working_days_to_answer(start=D("2026-04-01"), end=D("2026-04-30"))
    assert avg["average"] == 5


def test_the_same_answer_without_the_pause_would_have_been_late(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    c = services.complaint_answer(
        complaint=c, actor=supervisor, method="phone", text="已答复", answered_at=at("2026-05-14", 16)
    )
    assert (c.answer_working_days, c.answered_on_time) == (11, False)


def test_a_paused_complaint_is_not_overdue_and_counts_nowhere_as_late(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    with time_machine.travel(at("2026-04-29", 15), tick=False):
        services.complaint_pause(complaint=c, actor=supervisor, kind="litigation", reason="患方已起诉")
    c.refresh_from_db()
    assert not c.is_answer_overdue(D("2026-06-01"))
    fig = selectors.answered_on_time_share(start=D("2026-04-01"), end=D("2026-04-30"), today=D("2026-06-01"))
    assert fig["overdue_unanswered"] == 0 and fig["share"] is None
    assert services.complaints_notify_overdue(today=D("2026-06-01")) == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_pause_without_a_reason_is_refused_and_changes_nothing(supervisor, neike, reason):
    c = _accepted_on_27_april(supervisor, neike)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="reason for pausing"):
        services.complaint_pause(complaint=c, actor=supervisor, kind="mediation", reason=reason)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ACCEPTED and not c.pauses.exists()


def test_a_pause_needs_a_kind_from_the_list(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    with pytest.raises(ActionNotAllowed):
        services.complaint_pause(complaint=c, actor=supervisor, kind="holiday", reason="想休息")
    assert not c.pauses.exists()


def test_an_answer_while_paused_is_refused_with_the_reason(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    services.complaint_pause(complaint=c, actor=supervisor, kind="mediation", reason="已转医调委调解")
    with (
        translation.override("en"),
        pytest.raises(ActionNotAllowed, match=r"clock is paused \(Under mediation\)"),
    ):
        services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已答复")
    with translation.override("zh-hans"), pytest.raises(ActionNotAllowed, match="计时已暂停"):
        services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已答复")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.PAUSED and c.answered_at is None


def test_an_answer_cannot_be_dated_inside_a_pause(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    with time_machine.travel(at("2026-04-29", 15), tick=False):
        services.complaint_pause(
            complaint=c, actor=supervisor, kind="awaiting_complainant", reason="约当面沟通"
        )
    with time_machine.travel(at("2026-05-11", 9), tick=False):
        services.complaint_resume(complaint=c, actor=supervisor)
        with pytest.raises(ActionNotAllowed):
            services.complaint_answer(
                complaint=c, actor=supervisor, method="phone", text="已答复", answered_at=at("2026-05-06")
            )


def test_two_pauses_add_up_and_a_second_department_keeps_them(supervisor, neike, waike):
    c = _accepted_on_27_april(supervisor, neike)
    c = services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])
    with time_machine.travel(at("2026-04-28", 10), tick=False):
        services.complaint_pause(complaint=c, actor=supervisor, kind="awaiting_complainant", reason="补材料")
    with time_machine.travel(at("2026-04-29", 10), tick=False):
        c = services.complaint_resume(complaint=c, actor=supervisor)  # 1 working day
    assert c.status == ComplaintStatus.ASSIGNED and c.answer_due == D("2026-05-08")
    with time_machine.travel(at("2026-05-06", 10), tick=False):
        services.complaint_pause(complaint=c, actor=supervisor, kind="mediation", reason="调解")
    with time_machine.travel(at("2026-05-08", 10), tick=False):
        c = services.complaint_resume(complaint=c, actor=supervisor)  # 7 and 8 May
    assert c.paused_working_days == 3 and c.answer_due == D("2026-05-11")  # 9 May is worked
    # A second department: 10 working days from receipt, plus the 3 paused.
    c = services.complaint_assign(complaint=c, actor=supervisor, departments=[waike])
    assert c.answer_due == services.due_dates(c.received_on, several_departments=True, paused=3)[1]
    assert c.answer_due == D("2026-05-18")


def test_resume_without_a_pause_is_refused(supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    with pytest.raises(ActionNotAllowed):
        services.complaint_resume(complaint=c, actor=supervisor)


# --- the page -----------------------------------------------------------------------------------


def _action(c, name):
    return reverse("complaints:action", args=[c.pk, name])


def test_the_page_pauses_and_resumes_and_shows_who_when_and_why(client_for, supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    client = client_for(supervisor)
    response = client.post(
        _action(c, "pause"), {"pause-kind": "litigation", "pause-reason": "患方已向法院起诉"}
    )
    assert response.status_code == 302
    page = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'id="clock-paused"' in page and "患方已向法院起诉" in page and 'data-action="resume"' in page
    assert 'data-action="answer"' not in page  # no answer button while the clock stands still
    assert client.post(_action(c, "resume"), {"resume-comment": ""}).status_code == 302
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ACCEPTED and c.pauses.get().ended_by == supervisor


def test_the_page_refuses_a_pause_without_reason_and_keeps_the_form(client_for, supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    response = client_for(supervisor).post(
        _action(c, "pause"), {"pause-kind": "mediation", "pause-reason": ""}
    )
    assert response.status_code == 400
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.ACCEPTED


def test_the_page_answer_while_paused_says_why(client_for, supervisor, neike):
    c = _accepted_on_27_april(supervisor, neike)
    services.complaint_pause(
        complaint=c, actor=supervisor, kind="awaiting_complainant", reason="等待到院面谈"
    )
    response = client_for(supervisor).post(
        _action(c, "answer"),
        {
            "answer-method": "phone",
            **moment("answer-answered_at", "2026-05-06 10:00"),
            "answer-text": "已答复",
        },
        follow=True,
    )
    assert "计时已暂停" in response.content.decode()
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.PAUSED


def test_a_department_head_may_not_pause(client_for, supervisor, head_neike, neike):
    c = _accepted_on_27_april(supervisor, neike)
    c = services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])
    response = client_for(head_neike).post(
        _action(c, "pause"), {"pause-kind": "mediation", "pause-reason": "x"}
    )
    assert response.status_code in (302, 403)
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.ASSIGNED
