"""Intake rules (不予受理): a reason from the administrators' list, the complainant told within the
answer's time limit, and the figures received / accepted / not accepted by reason."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from complaints import selectors, services
from complaints.models import Complaint, ComplaintStatus, NotAcceptedReason
from supervision.errors import ActionNotAllowed
from tests.factories import moment

from .factories import at, make_complaint, not_accept

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


def test_the_four_reasons_of_the_rules_are_seeded():
    assert list(NotAcceptedReason.objects.values_list("code", flat=True)) == [
        "anonymous",
        "court_or_mediation",
        "repeated",
        "outside_remit",
    ]


def test_not_accepted_is_answered_with_its_reason_within_the_limit(supervisor):
    # Received Thu 30 April 2026: answer due Mon 11 May (Labour Day off, Saturday 9 May worked).
    c = make_complaint(received_by=supervisor, received_at=at("2026-04-30"))
    c = not_accept(
        c, actor=supervisor, reason="court_or_mediation", answered_at=at("2026-05-11", 16), note="已起诉"
    )
    assert c.status == ComplaintStatus.NOT_ACCEPTED
    assert c.not_accepted_ground.code == "court_or_mediation" and c.not_accepted_reason == "已起诉"
    assert (c.answered_on_time, c.answer_working_days, c.answer_method) == (True, 5, "phone")
    assert c.answered_by == supervisor
    note = c.transitions.latest("id").comment_text
    assert "已进入诉讼或调解程序" in note and "已起诉" in note


def test_not_accepted_told_after_the_limit_is_late(supervisor):
    c = make_complaint(received_by=supervisor, received_at=at("2026-04-30"))
    c = not_accept(c, actor=supervisor, answered_at=at("2026-05-12", 9))
    assert c.answered_on_time is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": None}, "reason for not accepting"),
        ({"text": "  "}, "what the complainant was told"),
        ({"method": "pigeon"}, "how the complainant was told"),
    ],
)
def test_not_accepted_without_reason_or_answer_is_refused(supervisor, kwargs, message):
    c = make_complaint(received_by=supervisor)
    args = {
        "reason": NotAcceptedReason.objects.get(code="repeated"),
        "method": "phone",
        "text": "已告知",
        **kwargs,
    }
    with translation.override("en"), pytest.raises(ActionNotAllowed, match=message):
        services.complaint_not_accept(complaint=c, actor=supervisor, **args)
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED and c.answered_at is None


def test_a_reason_taken_off_the_list_cannot_be_chosen(supervisor):
    NotAcceptedReason.objects.filter(code="anonymous").update(active=False)
    c = make_complaint(received_by=supervisor)
    with pytest.raises(ActionNotAllowed):
        not_accept(c, actor=supervisor, reason="anonymous")


def test_figures_separate_received_accepted_and_not_accepted_by_reason(supervisor):
    def received(day):
        return make_complaint(received_by=supervisor, received_at=at(day))

    services.complaint_accept(complaint=received("2026-03-02"), actor=supervisor)
    services.complaint_accept(complaint=received("2026-03-03"), actor=supervisor)
    not_accept(received("2026-03-04"), actor=supervisor, reason="repeated", answered_at=at("2026-03-05"))
    not_accept(received("2026-03-05"), actor=supervisor, reason="repeated", answered_at=at("2026-03-20"))
    not_accept(
        received("2026-03-06"), actor=supervisor, reason="outside_remit", answered_at=at("2026-03-06", 15)
    )
    received("2026-03-09")  # still waiting for the decision
    # Refused before the list existed: no reason from the list.
    old = received("2026-03-10")
    Complaint.objects.filter(pk=old.pk).update(status=ComplaintStatus.NOT_ACCEPTED, not_accepted_reason="旧")
    # Reopened after a refusal: accepted now, not counted as refused.
    reopened = not_accept(received("2026-03-11"), actor=supervisor, reason="anonymous")
    services.complaint_reopen(complaint=reopened, actor=supervisor, reason="投诉人补充了联系方式")

    fig = selectors.intake(start=D("2026-03-01"), end=D("2026-03-31"))
    assert (fig["received"], fig["accepted"], fig["not_accepted"], fig["waiting"]) == (8, 3, 4, 1)
    assert fig["not_accepted_on_time"] == 2  # 20 March is after the 5-working-day limit
    assert [(r["reason"], r["count"]) for r in fig["by_reason"]] == [
        ("重复投诉且无新的事实和理由", 2),
        ("不属于本院处理范围", 1),
        (None, 1),
    ]
    assert selectors.figures(start=D("2026-03-01"), end=D("2026-03-31")).intake == fig


def test_the_page_refuses_with_a_reason_from_the_list_and_the_figures_show_it(client_for, supervisor):
    c = make_complaint(received_by=supervisor, received_at=at("2026-03-02"))
    client = client_for(supervisor)
    page = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "匿名投诉且无法答复" in page  # the list is offered in the form
    reason = NotAcceptedReason.objects.get(code="outside_remit")
    response = client.post(
        reverse("complaints:action", args=[c.pk, "not_accept"]),
        {
            "not_accept-reason": reason.pk,
            "not_accept-note": "",
            "not_accept-method": "phone",
            **moment("not_accept-answered_at", c.received_at + dt.timedelta(hours=1)),
            "not_accept-text": "已告知请向卫健委反映",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.not_accepted_ground == reason and c.answered_on_time is True
    day = c.received_on.isoformat()
    figures = client.get(reverse("complaints:figures") + f"?start={day}&end={day}").content.decode()
    assert 'id="not-accepted-reasons"' in figures and "不属于本院处理范围" in figures


def test_the_page_without_a_reason_shows_the_form_again(client_for, supervisor):
    c = make_complaint(received_by=supervisor)
    response = client_for(supervisor).post(
        reverse("complaints:action", args=[c.pk, "not_accept"]),
        {"not_accept-method": "phone", "not_accept-text": "已告知"},
    )
    assert response.status_code == 400
    assert Complaint.objects.get(pk=c.pk).status == ComplaintStatus.RECEIVED


def test_a_refusal_reopened_is_not_the_complaints_first_answer(supervisor, neike, head_neike):
    """Reopened after a refusal, the complaint is accepted and awaits its answer: the refusal's
    answer (on time, 0 working days) must not stand in for it, nor its reason in "what was found"."""
    c = make_complaint(received_by=supervisor, department=neike, received_at=at("2026-03-02"))
    c = not_accept(c, actor=supervisor, reason="anonymous", answered_at=at("2026-03-02", 15))
    assert c.answered_on_time is True
    c = services.complaint_reopen(complaint=c, actor=supervisor, reason="投诉人补充了联系方式")
    assert c.status == ComplaintStatus.ACCEPTED and c.accepted_at is not None
    assert (c.answered_at, c.answered_by, c.answer_working_days, c.answered_on_time) == (None,) * 4
    assert (c.answer_method, c.answer_text, c.not_accepted_ground, c.not_accepted_reason) == (
        "",
        "",
        None,
        "",
    )
    # The refusal and what the complainant was told stay in the history.
    refusal = c.transitions.get(action="not_accept")
    assert "已电话告知不予受理的理由" in refusal.comment_text
    # The real answer, 20 March, is the first: 14 working days, after the 5-day limit (9 March).
    c = services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])
    c = services.complaint_reply(complaint=c, actor=head_neike, department=neike, reply="已核实")
    c = services.complaint_answer(
        complaint=c, actor=supervisor, method="phone", text="已电话反馈", answered_at=at("2026-03-20")
    )
    assert (c.answer_working_days, c.answered_on_time) == (14, False)
    fig = selectors.answered_on_time_share(start=D("2026-03-01"), end=D("2026-03-31"), today=D("2026-03-31"))
    assert (fig["answered"], fig["on_time"]) == (1, 0)
