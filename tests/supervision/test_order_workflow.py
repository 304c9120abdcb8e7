"""The rectification-order workflow: every (state × action × role), guarded and recorded."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from supervision import services
from supervision.errors import ActionNotAllowed
from supervision.models import (
    DeadlineExtension,
    ExtensionStatus,
    OrderAction,
    OrderStatus,
    OrderTransition,
    RectificationOrder,
)
from supervision.workflow import allowed_actions
from tests.factories import StaffFactory, make_finding

PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer"]
STATES = [s.value for s in OrderStatus]
# Issue is outside the table; escalate is the schedule's (no persona: tests/supervision/test_ladder.py).
ACTIONS = [a.value for a in OrderAction if a not in (OrderAction.ISSUE, OrderAction.ESCALATE)]

# The specification, written out by hand (not derived from the code under test):
# which persona may do which action in which state, on an order of 内科.
OPEN = {"issued", "acknowledged", "submitted", "returned"}
EXPECTED = {
    "acknowledge": ({"issued"}, {"head_neike"}),
    "submit": ({"acknowledged", "returned"}, {"head_neike"}),
    "verify": ({"submitted"}, {"supervisor"}),
    "return": ({"submitted"}, {"supervisor"}),
    "request_extension": ({"issued", "acknowledged", "returned"}, {"head_neike"}),
    "grant_extension": (OPEN, {"supervisor"}),
    "refuse_extension": (OPEN, {"supervisor"}),
    "check_effective": ({"verified"}, {"supervisor"}),
    "check_ineffective": ({"verified"}, {"supervisor"}),
    "plan_action": ({"issued", "acknowledged", "returned"}, {"head_neike"}),
}
TARGET_STATUS = {
    "acknowledge": "acknowledged",
    "submit": "submitted",
    "verify": "verified",
    "return": "returned",
    "check_effective": "closed",
    "check_ineffective": "returned",
}


def _order_in_state(neike, supervisor, state, *, pending_extension=False):
    finding = make_finding(department=neike, found_by=supervisor)
    order = finding.order
    RectificationOrder.objects.filter(pk=order.pk).update(status=state)
    if pending_extension:
        DeadlineExtension.objects.create(
            order=order,
            requested_by=supervisor,
            current_deadline=order.deadline,
            requested_deadline=order.deadline + dt.timedelta(days=5),
            reason="设备采购",
        )
    order.refresh_from_db()
    return order


def _do(action, order, actor):
    if action == "acknowledge":
        return services.order_acknowledge(order=order, actor=actor)
    if action == "submit":
        return services.order_submit(order=order, actor=actor, cause="培训不足", corrective_action="全员培训")
    if action == "verify":
        return services.order_verify(order=order, actor=actor)
    if action == "return":
        return services.order_return(order=order, actor=actor, reason="证据不足")
    if action == "request_extension":
        return services.order_request_extension(
            order=order,
            actor=actor,
            requested_deadline=order.deadline + dt.timedelta(days=7),
            reason="需采购",
        )
    if action == "grant_extension":
        return services.order_decide_extension(order=order, actor=actor, grant=True)
    if action == "refuse_extension":
        return services.order_decide_extension(
            order=order, actor=actor, grant=False, comment="不符合延期条件"
        )
    if action == "check_effective":
        return services.order_check(order=order, actor=actor, effective=True)
    if action == "check_ineffective":
        return services.order_check(order=order, actor=actor, effective=False, comment="复查再次发现")
    if action == "plan_action":
        return services.order_plan_action(
            order=order,
            actor=actor,
            description="午间增设一名导医",
            owner=StaffFactory(department=order.department),
            due_date=order.deadline,
        )
    raise AssertionError(action)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_order_action_is_allowed_exactly_for_the_specified_state_and_role(
    request, neike, supervisor, state, action, persona
):
    request.getfixturevalue("head_neike")
    request.getfixturevalue("head_waike")
    actor = request.getfixturevalue(persona)
    order = _order_in_state(
        neike, supervisor, state, pending_extension=action in ("grant_extension", "refuse_extension")
    )
    before = (order.status, order.deadline, OrderTransition.objects.filter(order=order).count())
    allowed_states, allowed_personas = EXPECTED[action]
    should_pass = state in allowed_states and persona in allowed_personas

    if should_pass:
        _do(action, order, actor)
        order.refresh_from_db()
        transitions = OrderTransition.objects.filter(order=order).order_by("-id")
        assert transitions.count() == before[2] + 1
        last = transitions.first()
        assert last.actor == actor
        assert last.action == action
        assert last.from_status == state
        if action in TARGET_STATUS:
            assert order.status == TARGET_STATUS[action]
        else:
            assert order.status == state
    else:
        with pytest.raises(ActionNotAllowed) as excinfo:
            _do(action, order, actor)
        assert excinfo.value.messages[0]
        order.refresh_from_db()
        assert (order.status, order.deadline, OrderTransition.objects.filter(order=order).count()) == before


def test_allowed_actions_match_the_guard_for_buttons(neike, supervisor, head_neike):
    order = _order_in_state(neike, supervisor, "issued")
    assert [a.name for a in allowed_actions(order, head_neike)] == [
        "acknowledge",
        "request_extension",
        "plan_action",
    ]
    assert allowed_actions(order, supervisor) == []


def test_full_loop_issue_acknowledge_submit_return_resubmit_verify_records_every_step(
    neike, supervisor, head_neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    order = finding.order
    assert order.number.startswith("ZG")
    assert finding.number.startswith("WT")
    order = services.order_acknowledge(order=order, actor=head_neike, comment="收到")
    order = services.order_submit(order=order, actor=head_neike, cause="原因", corrective_action="措施")
    order = services.order_return(order=order, actor=supervisor, reason="请补充证据")
    assert order.return_count == 1
    order = services.order_submit(
        order=order, actor=head_neike, cause="原因", corrective_action="措施＋签到表"
    )
    order = services.order_verify(order=order, actor=supervisor, comment="复查通过")
    assert order.status == OrderStatus.VERIFIED
    assert order.closed_on_time is True
    steps = list(order.transitions.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("issue", "", "issued"),
        ("acknowledge", "issued", "acknowledged"),
        ("submit", "acknowledged", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("verify", "submitted", "verified"),
    ]
    # The audit trail (django-simple-history) has a row per save of the order.
    assert order.history.count() >= 6


def test_granted_extension_moves_the_deadline_and_refused_one_does_not(neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    old = order.deadline
    ext = services.order_request_extension(
        order=order, actor=head_neike, requested_deadline=old + dt.timedelta(days=10), reason="设备到货需时间"
    )
    with pytest.raises(ActionNotAllowed):
        services.order_request_extension(
            order=order, actor=head_neike, requested_deadline=old + dt.timedelta(days=12), reason="再次申请"
        )
    services.order_decide_extension(order=order, actor=supervisor, grant=True, comment="同意")
    order.refresh_from_db()
    ext.refresh_from_db()
    assert order.deadline == old + dt.timedelta(days=10)
    assert ext.status == ExtensionStatus.GRANTED

    services.order_request_extension(
        order=order, actor=head_neike, requested_deadline=order.deadline + dt.timedelta(days=3), reason="再延"
    )
    services.order_decide_extension(order=order, actor=supervisor, grant=False, comment="不同意")
    order.refresh_from_db()
    assert order.deadline == old + dt.timedelta(days=10)


def test_extension_to_an_earlier_date_is_refused(neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    with pytest.raises(ActionNotAllowed):
        services.order_request_extension(
            order=order, actor=head_neike, requested_deadline=order.deadline, reason="x"
        )
    assert not order.extensions.exists()


def test_submit_without_cause_is_refused_and_changes_nothing(neike, supervisor, head_neike):
    order = services.order_acknowledge(
        order=make_finding(department=neike, found_by=supervisor).order, actor=head_neike
    )
    with pytest.raises(ActionNotAllowed):
        services.order_submit(order=order, actor=head_neike, cause="  ", corrective_action="措施")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED


def test_stale_copy_cannot_act_twice_double_submission(neike, supervisor, head_neike):
    """Two presses with the same page: the second sees the locked, fresh row and is refused."""
    order = services.order_acknowledge(
        order=make_finding(department=neike, found_by=supervisor).order, actor=head_neike
    )
    order = services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")
    first, second = RectificationOrder.objects.get(pk=order.pk), RectificationOrder.objects.get(pk=order.pk)
    services.order_verify(order=first, actor=supervisor)
    with pytest.raises(ActionNotAllowed):
        services.order_return(order=second, actor=supervisor, reason="晚了一步")
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.VERIFIED
    assert OrderTransition.objects.filter(order=order, action__in=["verify", "return"]).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_verify_and_return_only_one_wins(neike, supervisor, head_neike):
    """Two supervisors press at the same moment, in two connections: the row lock lets one through."""
    order = services.order_acknowledge(
        order=make_finding(department=neike, found_by=supervisor).order, actor=head_neike
    )
    order = services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")
    barrier = threading.Barrier(2)
    outcomes = []

    def press(kind):
        try:
            barrier.wait(timeout=10)
            stale = RectificationOrder.objects.get(pk=order.pk)
            if kind == "verify":
                services.order_verify(order=stale, actor=supervisor)
            else:
                services.order_return(order=stale, actor=supervisor, reason="并发")
            outcomes.append("ok")
        except ActionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(k,)) for k in ("verify", "return")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert OrderTransition.objects.filter(order=order, action__in=["verify", "return"]).count() == 1


def test_overdue_is_derived_from_the_deadline(neike, supervisor):
    order = make_finding(department=neike, found_by=supervisor).order
    today = timezone.localdate()
    RectificationOrder.objects.filter(pk=order.pk).update(deadline=today - dt.timedelta(days=2))
    order.refresh_from_db()
    assert order.is_overdue(today)
    assert order.overdue_days(today) == 2
    assert RectificationOrder.objects.overdue(today).filter(pk=order.pk).exists()
    RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED)
    assert not RectificationOrder.objects.overdue(today).filter(pk=order.pk).exists()
