"""The complaint machine on the workflow engine: the table is the specification written below; every
action is reachable from its from-states and refused from every other state and for a role without
it; the detail page shows exactly the buttons ``allowed_actions`` gives, in the table's order."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from complaints.models import Complaint, ComplaintAssignment, ComplaintTransition
from complaints.services import COMPLAINTS
from supervision.errors import ActionNotAllowed
from supervision.workflow import allowed_actions, machine_for
from tests.workflow_checks import buttons_on, run_or_refused, table_of

from .factories import make_complaint

pytestmark = pytest.mark.django_db

STATES = ["received", "accepted", "not_accepted", "assigned", "investigated", "answered", "closed", "paused"]
OPEN = {"received", "accepted", "assigned", "investigated", "answered", "paused"}
PAUSABLE = {"accepted", "assigned", "investigated"}
HANDLERS = {"supervisor", "administrator"}
# Written by hand from the complaint procedure, in the order of the buttons (next step first):
# (from-states, to-state, roles). No action is limited to a department by scope; the reply's
# guard asks for a reply waiting from the actor's department instead.
EXPECTED = {
    "accept": ({"received"}, "accepted", HANDLERS),
    "assign": ({"accepted", "assigned", "investigated"}, "assigned", HANDLERS),
    "reply": ({"assigned"}, None, {"dept_head"}),
    "determine": ({"accepted", "investigated", "answered", "paused"}, None, HANDLERS),
    # Paused only to refuse with the reason (its guard): the clock must run again first.
    "answer": ({"accepted", "investigated", "paused"}, "answered", HANDLERS),
    "close": ({"answered"}, "closed", HANDLERS),
    "reopen": ({"closed", "not_accepted"}, "accepted", HANDLERS),
    "resume": ({"paused"}, None, HANDLERS),
    "pause": (PAUSABLE, None, HANDLERS),
    "handover": (OPEN, None, HANDLERS),
    "dispute": ({"accepted", "assigned", "investigated", "answered", "closed", "paused"}, None, HANDLERS),
    "not_accept": ({"received"}, "not_accepted", HANDLERS),
    # The escalation ladder: the schedule only (no role), while the answer is awaited.
    "escalate": (PAUSABLE, None, set()),
}
ROLES_OF = {
    "supervisor": {"supervisor"},
    "administrator": {"administrator"},
    "caller": {"followup"},
    "head_neike": {"dept_head"},
    "head_waike": {"dept_head"},
    "volunteer": {"volunteer"},
}


def _complaint(state, *, received_by, neike, supervisor, determined=False):
    """A complaint about 内科 in ``state``, with 内科's investigation reply still waiting."""
    c = make_complaint(received_by=received_by, department=neike)
    ComplaintAssignment.objects.create(complaint=c, department=neike, assigned_by=supervisor)
    Complaint.objects.filter(pk=c.pk).update(status=state, determination="not_valid" if determined else "")
    return Complaint.objects.prefetch_related("assignments").get(pk=c.pk)


def _snapshot(c):
    c = Complaint.objects.get(pk=c.pk)
    return c.status, c.determination, c.owner_id, ComplaintTransition.objects.filter(complaint=c).count()


def test_the_complaint_table_is_the_specified_one_in_button_order():
    assert {a: (s, t, r, False) for a, (s, t, r) in EXPECTED.items()} == table_of(COMPLAINTS)
    assert list(COMPLAINTS.actions) == list(EXPECTED)
    assert machine_for(Complaint) is COMPLAINTS


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_is_reachable_from_its_states_and_refused_from_every_other(
    request, neike, supervisor, action, state
):
    actor = request.getfixturevalue("head_neike" if action == "reply" else "supervisor")
    c = _complaint(
        state, received_by=supervisor, neike=neike, supervisor=supervisor, determined=action == "close"
    )
    if action == "escalate":
        actor = None  # the schedule; the ladder's first rung is due once the answer is overdue
        Complaint.objects.filter(pk=c.pk).update(answer_due=dt.date(2026, 5, 11))
        c.refresh_from_db()
    rule = COMPLAINTS.action(action)
    if action == "answer" and state == "paused":
        run_or_refused(COMPLAINTS, c, actor, action, refusal="clock is paused", snapshot=_snapshot)
        return
    if state not in EXPECTED[action][0]:
        run_or_refused(
            COMPLAINTS, c, actor, action, refusal="not possible while the complaint", snapshot=_snapshot
        )
        return
    changed = COMPLAINTS.transition(c, actor=actor, action=action)
    assert changed.status == (rule.target or state)
    last = ComplaintTransition.objects.filter(complaint=c).latest("id")
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        action,
        state,
        changed.status,
        actor,
    )


@pytest.mark.parametrize("persona", list(ROLES_OF))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_is_refused_for_a_role_without_it(request, neike, supervisor, caller, action, persona):
    sources, _target, roles = EXPECTED[action]
    actor = request.getfixturevalue(persona)
    request.getfixturevalue("head_waike")
    # Recorded by the follow-up caller, who owns it: the owner may hand over whatever their role.
    c = _complaint(
        sorted(sources)[0], received_by=caller, neike=neike, supervisor=supervisor, determined=True
    )
    may = bool(ROLES_OF[persona] & roles) or (action == "handover" and persona == "caller")
    if action == "determine":
        c = _complaint("accepted", received_by=caller, neike=neike, supervisor=supervisor)
    if not may:
        refusal = "it needs the role"
    elif action == "reply" and persona == "head_waike":
        refusal = "no investigation reply waiting from your department"  # another department's head
    else:
        refusal = None
    run_or_refused(COMPLAINTS, c, actor, action, refusal=refusal, snapshot=_snapshot)


def test_the_guards_refuse_with_their_own_reason(neike, supervisor):
    determined = _complaint(
        "answered", received_by=supervisor, neike=neike, supervisor=supervisor, determined=True
    )
    undetermined = _complaint("answered", received_by=supervisor, neike=neike, supervisor=supervisor)
    with translation.override("en"):
        with pytest.raises(ActionNotAllowed, match="already been determined"):
            COMPLAINTS.check(determined, supervisor, "determine")
        with pytest.raises(ActionNotAllowed, match="before closing it"):
            COMPLAINTS.check(undetermined, supervisor, "close")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["supervisor", "administrator", "caller", "head_neike", "head_waike"])
def test_the_page_shows_exactly_the_allowed_actions_as_buttons(
    request, client_for, neike, supervisor, caller, state, persona
):
    user = request.getfixturevalue(persona)
    determined = state in ("answered", "closed")
    c = _complaint(state, received_by=caller, neike=neike, supervisor=supervisor, determined=determined)
    response = client_for(user).get(reverse("complaints:detail", args=[c.pk]))
    if persona == "head_waike":
        assert response.status_code == 404  # asked of 内科 only
        return
    shown = buttons_on(response.content.decode())
    assert shown == [a.name for a in allowed_actions(c, user)]
    expected = [
        a
        for a, (sources, _t, roles) in EXPECTED.items()
        if state in sources
        and (ROLES_OF[persona] & roles or (a == "handover" and persona == "caller"))
        and not (a == "determine" and determined)
        and not (a == "answer" and state == "paused")
    ]
    assert shown == expected
