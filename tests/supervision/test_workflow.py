"""The order machine on the workflow engine: the table is the specification written below; every
action is reachable from its from-states and refused from every other state, for the wrong role
and the wrong department; the page shows exactly the buttons ``allowed_actions`` gives."""

import datetime as dt

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from supervision.errors import ActionNotAllowed
from supervision.infra.responses import refusals
from supervision.models import OrderAction, OrderStatus, OrderTransition, RectificationOrder
from supervision.services import ORDERS
from supervision.workflow import allowed_actions, machine_for
from tests.supervision.test_order_workflow import _order_in_state
from tests.workflow_checks import buttons_on, run_or_refused, table_of

pytestmark = pytest.mark.django_db

STATES = ["issued", "acknowledged", "submitted", "returned", "verified", "closed"]
OPEN = {"issued", "acknowledged", "submitted", "returned"}
WAITING_FOR_DEPARTMENT = {"issued", "acknowledged", "returned"}
# Written by hand from the rectification procedure: (from-states, to-state, roles, own department only).
EXPECTED = {
    "acknowledge": ({"issued"}, "acknowledged", {"dept_head"}, True),
    "submit": ({"acknowledged", "returned"}, "submitted", {"dept_head"}, True),
    "verify": ({"submitted"}, "verified", {"supervisor"}, False),
    "return": ({"submitted"}, "returned", {"supervisor"}, False),
    "request_extension": ({"issued", "acknowledged", "returned"}, None, {"dept_head"}, True),
    "grant_extension": (OPEN, None, {"supervisor"}, False),
    "refuse_extension": (OPEN, None, {"supervisor"}, False),
    # The effectiveness check (效果评价): effective closes for good, not effective reopens.
    "check_effective": ({"verified"}, "closed", {"supervisor"}, False),
    "check_ineffective": ({"verified"}, "returned", {"supervisor"}, False),
    # The escalation ladder: the schedule alone (no role may press it).
    "escalate": (WAITING_FOR_DEPARTMENT, None, set(), False),
    "plan_action": ({"issued", "acknowledged", "returned"}, None, {"dept_head"}, True),
}
# Who holds which role (the personas of tests/conftest.py); head_neike heads the order's department.
ROLE_HOLDER = {"dept_head": "head_neike", "supervisor": "supervisor"}
PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer"]
ROLES_OF = {
    "supervisor": {"supervisor"},
    "head_neike": {"dept_head"},
    "head_waike": {"dept_head"},
    "administrator": {"administrator"},
    "caller": {"followup"},
    "volunteer": {"volunteer"},
}


def _order(neike, supervisor, state, *, pending=False, overdue=False):
    order = _order_in_state(neike, supervisor, state, pending_extension=pending)
    if overdue:  # a rung of the ladder is due (day 0 is the deadline day)
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()
    return order


def _snapshot(order):
    order = RectificationOrder.objects.get(pk=order.pk)
    return order.status, order.deadline, OrderTransition.objects.filter(order=order).count()


def test_the_order_table_is_the_specified_one():
    assert table_of(ORDERS) == EXPECTED
    assert machine_for(RectificationOrder) is ORDERS


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_is_reachable_from_its_states_and_refused_from_every_other(
    request, neike, supervisor, action, state
):
    rule = ORDERS.action(action)  # generated from the table, checked against EXPECTED above
    # A step without a role is the schedule's (actor None).
    actor = request.getfixturevalue(ROLE_HOLDER[next(iter(rule.roles))]) if rule.roles else None
    order = _order(
        neike, supervisor, state, pending=action != "request_extension", overdue=action == "escalate"
    )
    if state not in EXPECTED[action][0]:
        run_or_refused(
            ORDERS, order, actor, action, refusal="not possible while the order", snapshot=_snapshot
        )
        return
    changed = ORDERS.transition(order, actor=actor, action=action, comment="按表操作")
    assert changed.status == (rule.target or state)
    last = OrderTransition.objects.filter(order=order).latest("id")
    assert (last.action, last.from_status, last.to_status, last.actor, last.comment) == (
        action,
        state,
        changed.status,
        actor,
        "按表操作",
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_is_refused_for_a_role_without_it_and_for_another_department(
    request, neike, supervisor, action, persona
):
    sources, _target, roles, scoped = EXPECTED[action]
    actor = request.getfixturevalue(persona)
    request.getfixturevalue("head_waike")
    state = sorted(sources)[0]
    order = _order(neike, supervisor, state, pending=action != "request_extension")
    if not ROLES_OF[persona] & roles:
        refusal = "it needs the role"
    elif scoped and persona == "head_waike":
        refusal = "belongs to another department"
    else:
        refusal = None
    run_or_refused(ORDERS, order, actor, action, refusal=refusal, snapshot=_snapshot)


def test_a_guard_refusal_changes_nothing(neike, supervisor, head_neike):
    order = _order(neike, supervisor, "issued", pending=True)
    before = _snapshot(order)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="already waiting"):
        ORDERS.transition(order, actor=head_neike, action="request_extension")
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="Unknown action"):
        ORDERS.transition(order, actor=head_neike, action="teleport")
    assert _snapshot(order) == before


def test_a_refusal_inside_mutate_rolls_back_the_status_and_the_history(neike, supervisor, head_neike):
    order = _order(neike, supervisor, "issued")
    before = _snapshot(order)

    def mutate(o):
        raise ActionNotAllowed("no")

    with pytest.raises(ActionNotAllowed):
        ORDERS.transition(order, actor=head_neike, action="acknowledge", mutate=mutate)
    assert _snapshot(order) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["supervisor", "head_neike", "head_waike", "administrator"])
def test_the_page_shows_exactly_the_allowed_actions_as_buttons(
    request, client_for, neike, supervisor, state, persona
):
    user = request.getfixturevalue(persona)
    order = _order(neike, supervisor, state, pending=state == "submitted")
    response = client_for(user).get(reverse("finding_detail", args=[order.finding_id]))
    if persona == "head_waike":
        assert response.status_code == 404  # another department's finding
        return
    shown = buttons_on(response.content.decode())
    assert shown == [a.name for a in allowed_actions(order, user)]
    sources_of = {a: spec[0] for a, spec in EXPECTED.items()}
    expected = {
        a
        for a, (_s, _t, roles, _scoped) in EXPECTED.items()
        if state in sources_of[a]
        and ROLES_OF[persona] & roles
        and (a != "request_extension" or state != "submitted")
        and (a not in ("grant_extension", "refuse_extension") or state == "submitted")
    }
    assert set(shown) == expected


def test_an_action_posted_from_the_page_runs_its_service_and_says_so(
    client_for, neike, supervisor, head_neike
):
    order = _order(neike, supervisor, "issued")
    client = client_for(head_neike)
    response = client.post(
        reverse("order_action", args=[order.pk, "acknowledge"]), {"acknowledge-comment": "收到"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED
    assert OrderTransition.objects.filter(order=order).latest("id").comment == "收到"
    # Pressed again (a second tab): refused with the reason, nothing changes.
    response = client.post(reverse("order_action", args=[order.pk, "acknowledge"]), follow=True)
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.SUCCESS, messages.ERROR]
    assert OrderTransition.objects.filter(order=order).count() == 2


def test_an_invalid_form_shows_the_page_again_with_the_form_open(client_for, neike, supervisor, head_neike):
    order = _order(neike, supervisor, "issued")
    response = client_for(head_neike).post(
        reverse("order_action", args=[order.pk, "request_extension"]), {"request_extension-reason": "需采购"}
    )
    assert response.status_code == 400
    assert 'id="f-request_extension" class="collapse show' in response.content.decode()
    assert _snapshot(order)[0] == "issued"


def test_refusals_turn_the_refusal_into_a_message_and_let_other_errors_through(rf_with_messages):
    request = rf_with_messages
    with refusals(request) as outcome:
        raise ActionNotAllowed("不允许")
    assert outcome.refused
    assert [str(m) for m in request._messages] == ["不允许"]
    with pytest.raises(ValueError), refusals(request):
        raise ValueError("a bug is not a refusal")


def test_partial_or_page_answers_htmx_with_the_partial_only(client_for, supervisor):
    client = client_for(supervisor)
    page = client.get(reverse("finding_list")).content.decode()
    partial = client.get(reverse("finding_list"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" in page
    assert "<html" not in partial and "<table" in partial


@pytest.fixture
def rf_with_messages():
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_an_extension_request_records_a_step_but_leaves_the_order_row_and_its_change_history_alone(
    neike, supervisor, head_neike
):
    # save=False: the request changes another row (the extension), so the order's change history
    # shows no empty "changed" entry.
    from supervision import services

    order = _order(neike, supervisor, "issued")
    versions = order.history.count()
    services.order_request_extension(
        order=order,
        actor=head_neike,
        requested_deadline=order.deadline + dt.timedelta(days=7),
        reason="需采购",
    )
    assert order.history.count() == versions
    assert OrderTransition.objects.filter(order=order).latest("id").action == "request_extension"


def test_a_machine_refuses_a_table_with_an_action_twice_or_without_a_label():
    from supervision.workflow import Action, Machine

    with pytest.raises(ValueError, match="declared twice"):
        Machine(
            RectificationOrder,
            history=OrderTransition,
            state_refusal="",
            action_labels=OrderAction,
            actions=[
                Action("verify", {"submitted"}, "closed", ()),
                Action("verify", {"submitted"}, "closed", ()),
            ],
        )
    with pytest.raises(ValueError, match="has no label"):
        Machine(
            RectificationOrder, history=OrderTransition, state_refusal="", actions=[Action("x", (), None, ())]
        )
    assert machine_for(RectificationOrder) is ORDERS  # a refused table registers nothing


@pytest.mark.parametrize("state", STATES)
def test_allowed_answers_as_check_does_for_every_persona_and_action(request, neike, supervisor, state):
    order = _order(neike, supervisor, state, pending=True)
    for persona in PERSONAS:
        actor = request.getfixturevalue(persona)
        for name in EXPECTED:
            try:
                ORDERS.check(order, actor, name)
                passes = True
            except ActionNotAllowed:
                passes = False
            assert ORDERS.allowed(order, actor, name) is passes, (persona, name)
    assert not ORDERS.allowed(order, supervisor, "no_such_action")


def test_the_buttons_leave_the_tables_refusals_unworded(monkeypatch, neike, supervisor, head_waike):
    """A list asks every action of every row: a refusal nobody reads is not worded (the roles', the
    status's and the action's labels were most of what a refused action cost)."""
    from supervision import workflow

    def worded(*args, **kwargs):
        raise AssertionError("a refusal was worded")

    order = _order(neike, supervisor, "submitted")
    monkeypatch.setattr(workflow, "_", worded)
    monkeypatch.setattr(workflow, "_role_label", worded)
    monkeypatch.setattr(ORDERS, "status_label", worded)
    # Refused on the role (the other head), the scope (another department's head) and the state.
    assert [a.name for a in allowed_actions(order, head_waike)] == []
    assert {a.name for a in allowed_actions(order, supervisor)} >= {"verify", "return"}
    # check() still words them for the person who tried.
    with pytest.raises(AssertionError, match="worded"):
        ORDERS.check(order, head_waike, "verify")
