"""The complaint workflow: every transition × role, guards, history rows, ownership chain, valid → finding."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints import services
from complaints.models import ComplaintAction, ComplaintStatus, OwnerChange
from supervision.errors import ActionNotAllowed
from supervision.models import Finding, FindingSource, RectificationOrder
from supervision.workflow import allowed_actions
from tests.factories import category

from .factories import make_complaint, not_accept

pytestmark = pytest.mark.django_db

S = ComplaintStatus
A = ComplaintAction
STATES = ["received", "accepted", "assigned", "investigated", "answered", "closed", "not_accepted", "paused"]
ROLES = ["supervisor", "administrator", "caller", "head_neike", "head_waike", "volunteer"]
HANDLERS = {"supervisor", "administrator"}

# (action) -> {state: roles allowed}. Anything not listed must be refused.
ALLOWED = {
    A.ACCEPT: {"received": HANDLERS},
    A.NOT_ACCEPT: {"received": HANDLERS},
    A.HANDOVER: {
        s: HANDLERS | {"caller"}
        for s in ["received", "accepted", "assigned", "investigated", "answered", "paused"]
    },
    A.ASSIGN: dict.fromkeys(["accepted", "assigned", "investigated"], HANDLERS),
    A.REPLY: {"assigned": {"head_neike"}},
    # 'answered' fixture is determined; 'paused' was assigned, then its clock stopped.
    A.DETERMINE: dict.fromkeys(["accepted", "investigated", "paused"], HANDLERS),
    A.ANSWER: dict.fromkeys(["accepted", "investigated"], HANDLERS),
    A.CLOSE: {"answered": HANDLERS},
    A.REOPEN: dict.fromkeys(["closed", "not_accepted"], HANDLERS),
    A.DISPUTE: dict.fromkeys(
        ["accepted", "assigned", "investigated", "answered", "closed", "paused"], HANDLERS
    ),
    A.PAUSE: dict.fromkeys(["accepted", "assigned", "investigated"], HANDLERS),
    A.RESUME: {"paused": HANDLERS},
}
EXPECTED_STATUS = {
    A.ACCEPT: S.ACCEPTED,
    A.NOT_ACCEPT: S.NOT_ACCEPTED,
    A.ASSIGN: S.ASSIGNED,
    A.ANSWER: S.ANSWERED,
    A.CLOSE: S.CLOSED,
    A.REOPEN: S.ACCEPTED,
    A.REPLY: S.INVESTIGATED,
    A.PAUSE: S.PAUSED,
    A.RESUME: S.ASSIGNED,  # where the 'paused' fixture's clock stopped
}


@pytest.fixture
def people(supervisor, administrator, caller, head_neike, head_waike, volunteer):
    return {
        "supervisor": supervisor,
        "administrator": administrator,
        "caller": caller,
        "head_neike": head_neike,
        "head_waike": head_waike,
        "volunteer": volunteer,
    }


def build(state, people, neike):
    """A complaint recorded by the follow-up caller (so the caller owns it), brought to ``state``."""
    sup = people["supervisor"]
    c = make_complaint(received_by=people["caller"], department=neike)
    if state == "received":
        return c
    if state == "not_accepted":
        return not_accept(c, actor=sup)
    c = services.complaint_accept(complaint=c, actor=sup)
    if state == "accepted":
        return c
    c = services.complaint_assign(complaint=c, actor=sup, departments=[neike])
    if state == "assigned":
        return c
    if state == "paused":
        return services.complaint_pause(
            complaint=c, actor=sup, kind="awaiting_complainant", reason="待补病历"
        )
    c = services.complaint_reply(complaint=c, actor=people["head_neike"], department=neike, reply="已核实")
    if state == "investigated":
        return c
    c = services.complaint_determine(complaint=c, actor=sup, determination="not_valid")
    c = services.complaint_answer(complaint=c, actor=sup, method="phone", text="已电话说明")
    if state == "answered":
        return c
    return services.complaint_close(complaint=c, actor=sup, satisfaction="satisfied")


def run(action, complaint, actor, people, neike, waike):
    if action == A.ACCEPT:
        return services.complaint_accept(complaint=complaint, actor=actor)
    if action == A.NOT_ACCEPT:
        return not_accept(complaint, actor=actor, reason="repeated")
    if action == A.HANDOVER:
        return services.complaint_handover(
            complaint=complaint,
            actor=actor,
            to_user=people["administrator"] if actor != people["administrator"] else people["supervisor"],
        )
    if action == A.ASSIGN:
        return services.complaint_assign(complaint=complaint, actor=actor, departments=[waike])
    if action == A.REPLY:
        return services.complaint_reply(complaint=complaint, actor=actor, department=neike, reply="已整改")
    if action == A.DETERMINE:
        return services.complaint_determine(complaint=complaint, actor=actor, determination="not_valid")
    if action == A.ANSWER:
        return services.complaint_answer(complaint=complaint, actor=actor, method="phone", text="已答复")
    if action == A.CLOSE:
        return services.complaint_close(complaint=complaint, actor=actor, satisfaction="satisfied")
    if action == A.REOPEN:
        return services.complaint_reopen(complaint=complaint, actor=actor, reason="投诉人不满意")
    if action == A.DISPUTE:
        return services.complaint_flag_dispute(complaint=complaint, actor=actor, dispute=True, amount=5000)
    if action == A.PAUSE:
        return services.complaint_pause(complaint=complaint, actor=actor, kind="mediation", reason="转医调委")
    if action == A.RESUME:
        return services.complaint_resume(complaint=complaint, actor=actor)
    raise AssertionError(action)


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("state", STATES)
def test_every_transition_for_every_role(action, state, people, neike, waike):
    allowed_roles = ALLOWED[action].get(state, set())
    for role in ROLES:
        complaint = build(state, people, neike)
        before = (complaint.status, complaint.transitions.count(), complaint.owner_id)
        actor = people[role]
        assert (action in [a.name for a in allowed_actions(complaint, actor)]) == (role in allowed_roles), (
            role,
            "buttons",
        )
        if role in allowed_roles:
            result = run(action, complaint, actor, people, neike, waike)
            result.refresh_from_db()
            if action in EXPECTED_STATUS:
                assert result.status == EXPECTED_STATUS[action], role
            last = result.transitions.order_by("-id").first()
            assert result.transitions.count() == before[1] + 1
            assert (last.action, last.actor_id, last.from_status, last.to_status) == (
                action,
                actor.pk,
                before[0],
                result.status,
            )
        else:
            with pytest.raises(ActionNotAllowed):
                run(action, complaint, actor, people, neike, waike)
            complaint.refresh_from_db()
            assert (complaint.status, complaint.transitions.count(), complaint.owner_id) == before, role


def test_double_press_cannot_accept_twice(supervisor, administrator):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        # The stale object still says "received"; the guard re-reads the locked row.
        services.complaint_accept(complaint=complaint, actor=administrator)
    assert complaint.transitions.filter(action=A.ACCEPT).count() == 1


def test_reply_twice_by_the_same_department_is_refused(supervisor, head_neike, neike, waike):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike, waike])
    complaint = services.complaint_reply(
        complaint=complaint, actor=head_neike, department=neike, reply="已核实"
    )
    assert complaint.status == S.ASSIGNED  # 外科 still has to reply
    with pytest.raises(ActionNotAllowed):
        services.complaint_reply(complaint=complaint, actor=head_neike, department=neike, reply="再次")


def test_all_replies_in_moves_to_investigated(supervisor, head_neike, head_waike, neike, waike):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike, waike])
    services.complaint_reply(complaint=complaint, actor=head_neike, department=neike, reply="内科已核实")
    complaint = services.complaint_reply(
        complaint=complaint, actor=head_waike, department=waike, reply="外科已核实"
    )
    assert complaint.status == S.INVESTIGATED


def test_head_cannot_reply_for_another_department(supervisor, head_waike, neike):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike])
    with pytest.raises(ActionNotAllowed):
        services.complaint_reply(complaint=complaint, actor=head_waike, department=neike, reply="越权")
    assert not complaint.assignments.get().reply


def test_not_accepted_needs_a_reason(supervisor):
    complaint = make_complaint(received_by=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.complaint_not_accept(
            complaint=complaint, actor=supervisor, reason=None, method="phone", text="已告知"
        )
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_close_needs_a_determination(supervisor):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_answer(complaint=complaint, actor=supervisor, method="in_person", text="当场解释")
    with pytest.raises(ActionNotAllowed):
        services.complaint_close(complaint=complaint, actor=supervisor, satisfaction="satisfied")


def test_recorder_owns_and_handover_chain_is_kept(caller, supervisor, administrator):
    complaint = make_complaint(received_by=caller)
    assert complaint.owner == caller
    services.complaint_handover(complaint=complaint, actor=caller, to_user=supervisor, note="转投诉办")
    services.complaint_handover(
        complaint=complaint, actor=supervisor, to_user=administrator, note="需院领导协调"
    )
    chain = list(OwnerChange.objects.filter(complaint=complaint).order_by("id"))
    assert [c.owner for c in chain] == [caller, supervisor, administrator]
    assert [c.previous_owner for c in chain] == [None, caller, supervisor]
    complaint.refresh_from_db()
    assert complaint.owner == administrator
    # The caller handed it over: no longer the owner, so no longer allowed to hand it over.
    with pytest.raises(ActionNotAllowed):
        services.complaint_handover(complaint=complaint, actor=caller, to_user=supervisor)


def test_handover_only_to_handlers(caller, head_neike):
    complaint = make_complaint(received_by=caller)
    with pytest.raises(ActionNotAllowed):
        services.complaint_handover(complaint=complaint, actor=caller, to_user=head_neike)


def test_valid_complaint_creates_finding_and_order_linked_both_ways(supervisor, head_neike, neike):
    complaint = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike])
    services.complaint_reply(complaint=complaint, actor=head_neike, department=neike, reply="属实")
    complaint = services.complaint_determine(
        complaint=complaint,
        actor=supervisor,
        determination="partly_valid",
        categories=[category("attitude")],
        note="护士解释不耐心",
    )
    finding = Finding.objects.get()
    assert complaint.finding == finding
    assert finding.source == FindingSource.COMPLAINT
    assert finding.source_object == complaint
    assert finding.department == neike
    assert finding.category.code == "attitude"
    assert RectificationOrder.objects.get().finding == finding
    assert list(complaint.categories.all()) == [category("attitude")]


def test_not_valid_complaint_creates_no_finding(supervisor):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_determine(complaint=complaint, actor=supervisor, determination="not_valid")
    assert not Finding.objects.exists()


def test_valid_without_category_is_refused_and_creates_nothing(supervisor, neike):
    complaint = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.complaint_determine(complaint=complaint, actor=supervisor, determination="valid")
    complaint.refresh_from_db()
    assert complaint.determination == "" and not Finding.objects.exists()


def test_answer_records_how_when_who_and_working_days(supervisor):
    from .factories import at

    complaint = make_complaint(received_by=supervisor, received_at=at("2026-04-30"))
    services.complaint_accept(complaint=complaint, actor=supervisor)
    complaint = services.complaint_answer(
        complaint=complaint,
        actor=supervisor,
        method="phone",
        text="已电话答复",
        answered_at=at("2026-05-09", 15),
    )
    assert complaint.answered_by == supervisor
    assert complaint.answer_method == "phone"
    # Working days after 30 April: 6, 7, 8 May and Saturday 9 May (调休) → 4, within the limit of 11 May.
    assert complaint.answer_working_days == 4
    assert complaint.answered_on_time is True
    assert complaint.answered_at == at("2026-05-09", 15)


def test_late_answer_is_not_on_time(supervisor):
    from .factories import at

    complaint = make_complaint(received_by=supervisor, received_at=at("2026-04-30"))
    services.complaint_accept(complaint=complaint, actor=supervisor)
    complaint = services.complaint_answer(
        complaint=complaint, actor=supervisor, method="letter", text="书面答复", answered_at=at("2026-05-12")
    )
    assert complaint.answer_working_days == 6
    assert complaint.answered_on_time is False


def test_answer_in_the_future_is_refused(supervisor):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.complaint_answer(
            complaint=complaint,
            actor=supervisor,
            method="phone",
            text="x",
            answered_at=timezone.now() + dt.timedelta(days=1),
        )


def test_reopen_counts_and_keeps_first_answer(supervisor):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_determine(complaint=complaint, actor=supervisor, determination="not_valid")
    first = services.complaint_answer(
        complaint=complaint, actor=supervisor, method="phone", text="第一次答复"
    )
    services.complaint_close(complaint=complaint, actor=supervisor, satisfaction="dissatisfied")
    complaint = services.complaint_reopen(complaint=complaint, actor=supervisor, reason="投诉人不满意")
    assert complaint.reopen_count == 1 and complaint.closed_at is None and complaint.satisfaction == ""
    again = services.complaint_answer(
        complaint=complaint, actor=supervisor, method="in_person", text="再次答复"
    )
    assert again.answered_at == first.answered_at
    assert again.answer_text == "再次答复"


def test_dispute_flag_with_amount(supervisor):
    complaint = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    complaint = services.complaint_flag_dispute(
        complaint=complaint, actor=supervisor, dispute=True, amount=12000, note="转医调委调解"
    )
    assert complaint.dispute and complaint.dispute_amount == 12000
    assert "12000" in complaint.transitions.order_by("-id").first().comment_text


def test_intake_contract_for_other_apps(caller, neike):
    from django.contrib.contenttypes.models import ContentType

    source = neike  # any model instance stands for e.g. a follow-up call attempt
    complaint = services.complaint_intake(
        channel="followup",
        received_by=caller,
        content="出院带药说明不清",
        department=neike,
        complainant_name="李四",
        complainant_phone="139 0000 1111",
        source_object=source,
    )
    assert complaint.owner == caller and complaint.received_by == caller
    assert (
        complaint.source_type == ContentType.objects.get_for_model(neike) and complaint.source_id == neike.pk
    )
    assert complaint.complainant_key == "13900001111"
    assert complaint.number.startswith("TS")
    assert complaint.transitions.get().action == A.RECEIVE


def test_intake_refuses_unknown_arguments_and_empty_text(caller):
    from django.core.exceptions import ValidationError

    with pytest.raises(TypeError):
        services.complaint_intake(channel="hotline", received_by=caller, content="x", colour="red")
    with pytest.raises(ValidationError):
        services.complaint_intake(channel="hotline", received_by=caller, content="   ")
    with pytest.raises(ValidationError):
        services.complaint_intake(channel="citizen_12345", received_by=caller, content="转办件")


@pytest.mark.race
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_accept_and_not_accept_only_one_wins(supervisor, administrator):
    """Two handlers press at the same moment, in two connections: the row lock lets one through."""
    import threading

    from django.db import connection

    from complaints.models import Complaint

    complaint = make_complaint(received_by=supervisor)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(kind):
        try:
            barrier.wait(timeout=10)
            stale = Complaint.objects.get(pk=complaint.pk)
            if kind == "accept":
                services.complaint_accept(complaint=stale, actor=supervisor)
            else:
                not_accept(stale, actor=administrator)
            outcomes.append("ok")
        except ActionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(k,)) for k in ("accept", "not_accept")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert complaint.transitions.filter(action__in=[A.ACCEPT, A.NOT_ACCEPT]).count() == 1


def test_action_buttons_come_in_workflow_order_the_next_step_first():
    # Every action has a place in the order, and the forward steps come before the side roads.
    order = list(services.COMPLAINTS.actions)
    assert order.index("accept") < order.index("assign") < order.index("answer") < order.index("close")
    assert order.index("close") < order.index("handover") and order.index("close") < order.index("dispute")


def test_determination_and_satisfaction_are_chosen_never_pre_selected():
    # The figures count these answers: a hurried click must not record "valid" or "satisfied".
    from complaints.forms import CloseForm, DetermineForm

    determine = DetermineForm(prefix="determine")
    close = CloseForm(prefix="close")
    assert determine.fields["determination"].choices[0][0] == ""
    assert close.fields["satisfaction"].choices[0][0] == ""
    assert '<option value="" selected>' in str(close["satisfaction"])
    bound = CloseForm({"close-satisfaction": ""}, prefix="close")
    assert not bound.is_valid() and "satisfaction" in bound.errors
