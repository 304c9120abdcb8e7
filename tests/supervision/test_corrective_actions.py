"""Several corrective actions per order, and the root-cause analysis of the department's response.

The corrective action's machine is the specification written below (state × step × persona, the
order's state as guard); the services refuse a due date after the order's deadline with the way to
ask for an extension, refuse a submission while an action is open, let the supervisor return the
response naming the actions to redo, keep evidence by submission round, and start a returned
order's response form filled with what was submitted before.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from supervision import services
from supervision.errors import ActionNotAllowed
from supervision.forms import SubmitForm
from supervision.infra.uploads import CleanUpload
from supervision.models import (
    ActionStatus,
    Attachment,
    CauseCategory,
    CorrectiveAction,
    CorrectiveActionTransition,
    OrderStatus,
    OrderTransition,
    RectificationOrder,
)
from supervision.services import CORRECTIVE_ACTIONS
from supervision.workflow import allowed_actions, machine_for
from tests.factories import StaffFactory, make_finding
from tests.inspections.factories import jpeg_bytes
from tests.workflow_checks import run_or_refused, table_of

pytestmark = pytest.mark.django_db

ACTION_STATES = ["planned", "in_progress", "done"]
# Written by hand from the rectification procedure: (from-states, to-state, roles, own department only).
EXPECTED = {
    "start": ({"planned"}, "in_progress", {"dept_head"}, True),
    "complete": ({"planned", "in_progress"}, "done", {"dept_head"}, True),
    "attach": ({"planned", "in_progress", "done"}, None, {"dept_head"}, True),
    "reopen": ({"done"}, "in_progress", {"dept_head"}, True),
    "redo": ({"done"}, "in_progress", {"supervisor"}, False),
}
# The order states in which each step's guard lets it through.
ORDER_STATES_ALLOWING = {
    "start": {"issued", "acknowledged", "returned"},
    "complete": {"issued", "acknowledged", "returned"},
    "attach": {"issued", "acknowledged", "returned"},
    "reopen": {"issued", "acknowledged", "returned"},
    # Submitted: inside the order's return; returned: inside a failed effectiveness check.
    "redo": {"submitted", "returned"},
}
ROLE_HOLDER = {"dept_head": "head_neike", "supervisor": "supervisor"}
ROLES_OF = {
    "supervisor": {"supervisor"},
    "head_neike": {"dept_head"},
    "head_waike": {"dept_head"},
    "administrator": {"administrator"},
    "caller": {"followup"},
    "volunteer": {"volunteer"},
}
UPLOAD = CleanUpload(name="签到表.jpg", content_type="image/jpeg", data=jpeg_bytes())


def _order(neike, supervisor, status="acknowledged", *, deadline=None):
    finding = make_finding(department=neike, found_by=supervisor, deadline=deadline)
    RectificationOrder.objects.filter(pk=finding.order.pk).update(status=status)
    finding.order.refresh_from_db()
    return finding.order


def _action(order, state="planned", **kw):
    return CorrectiveAction.objects.create(
        order=order,
        description=kw.pop("description", "午间增设一名导医"),
        owner=kw.pop("owner", None),
        due_date=order.deadline,
        status=state,
        **kw,
    )


def _snapshot(action):
    action = CorrectiveAction.objects.get(pk=action.pk)
    return action.status, CorrectiveActionTransition.objects.filter(corrective_action=action).count()


def test_the_corrective_action_table_is_the_specified_one():
    assert table_of(CORRECTIVE_ACTIONS) == EXPECTED
    assert machine_for(CorrectiveAction) is CORRECTIVE_ACTIONS


@pytest.mark.parametrize("state", ACTION_STATES)
@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_is_reachable_from_its_states_and_refused_from_every_other(
    request, neike, supervisor, step, state
):
    actor = request.getfixturevalue(ROLE_HOLDER[next(iter(EXPECTED[step][2]))])
    order = _order(neike, supervisor, "submitted" if step == "redo" else "acknowledged")
    action = _action(order, state)
    if state not in EXPECTED[step][0]:
        run_or_refused(
            CORRECTIVE_ACTIONS,
            action,
            actor,
            step,
            refusal="not possible while the corrective action",
            snapshot=_snapshot,
        )
        return
    changed = CORRECTIVE_ACTIONS.transition(action, actor=actor, action=step, comment="按表操作")
    assert changed.status == (EXPECTED[step][1] or state)
    last = CorrectiveActionTransition.objects.filter(corrective_action=action).latest("id")
    assert (last.action, last.from_status, last.to_status, last.actor, last.comment) == (
        step,
        state,
        changed.status,
        actor,
        "按表操作",
    )


@pytest.mark.parametrize("order_state", ["issued", "acknowledged", "submitted", "returned", "closed"])
@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_happens_only_while_the_order_is_in_the_right_hands(
    request, neike, supervisor, step, order_state
):
    actor = request.getfixturevalue(ROLE_HOLDER[next(iter(EXPECTED[step][2]))])
    action = _action(_order(neike, supervisor, order_state), sorted(EXPECTED[step][0])[0])
    if order_state in ORDER_STATES_ALLOWING[step]:
        CORRECTIVE_ACTIONS.transition(action, actor=actor, action=step)
        return
    refusal = "when its order is returned" if step == "redo" else "only while the department works on it"
    run_or_refused(CORRECTIVE_ACTIONS, action, actor, step, refusal=refusal, snapshot=_snapshot)


@pytest.mark.parametrize("persona", list(ROLES_OF))
@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_is_refused_for_a_role_without_it_and_for_another_department(
    request, neike, supervisor, step, persona
):
    sources, _target, roles, scoped = EXPECTED[step]
    actor = request.getfixturevalue(persona)
    request.getfixturevalue("head_neike")
    action = _action(
        _order(neike, supervisor, "submitted" if step == "redo" else "acknowledged"), sorted(sources)[0]
    )
    if not ROLES_OF[persona] & roles:
        refusal = "it needs the role"
    elif scoped and persona == "head_waike":
        refusal = "belongs to another department"
    else:
        refusal = None
    run_or_refused(CORRECTIVE_ACTIONS, action, actor, step, refusal=refusal, snapshot=_snapshot)


# --- planning ---------------------------------------------------------------------------------


def test_the_head_plans_an_action_with_an_owner_from_the_roster_and_the_order_records_it(
    neike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    nurse = StaffFactory(department=neike, name="张护士")
    action = services.order_plan_action(
        order=order, actor=head_neike, description="修订导医排班表", owner=nurse, due_date=order.deadline
    )
    assert (action.status, action.owner, action.round, action.created_by) == ("planned", nurse, 1, head_neike)
    step = OrderTransition.objects.filter(order=order).latest("id")
    assert (step.action, step.from_status, step.to_status, step.comment) == (
        "plan_action",
        "acknowledged",
        "acknowledged",
        "修订导医排班表",
    )
    assert action.transitions.get().action == "add"


def test_a_due_date_after_the_deadline_is_refused_with_the_way_to_ask_for_an_extension(
    neike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    nurse = StaffFactory(department=neike)
    with translation.override("en"), pytest.raises(ActionNotAllowed) as refused:
        services.order_plan_action(
            order=order,
            actor=head_neike,
            description="采购新设备",
            owner=nurse,
            due_date=order.deadline + dt.timedelta(days=1),
        )
    message = refused.value.messages[0]
    assert "after the order's deadline" in message and "Request deadline extension" in message
    assert not order.actions.exists()
    # Once the extension is granted, the same date is accepted.
    services.order_request_extension(
        order=order,
        actor=head_neike,
        requested_deadline=order.deadline + dt.timedelta(days=10),
        reason="采购",
    )
    services.order_decide_extension(order=order, actor=supervisor, grant=True)
    order.refresh_from_db()
    services.order_plan_action(
        order=order, actor=head_neike, description="采购新设备", owner=nurse, due_date=order.deadline
    )
    assert order.actions.count() == 1


def test_a_due_date_in_the_past_and_an_owner_outside_the_department_are_refused(
    neike, waike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="in the past"):
        services.order_plan_action(
            order=order,
            actor=head_neike,
            description="x",
            owner=StaffFactory(department=neike),
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )
    for owner in (StaffFactory(department=waike), StaffFactory(department=neike, active=False)):
        with translation.override("en"), pytest.raises(ActionNotAllowed, match="active staff"):
            services.order_plan_action(
                order=order, actor=head_neike, description="x", owner=owner, due_date=order.deadline
            )
    assert not order.actions.exists()


# --- submitting and returning -----------------------------------------------------------------


def test_the_head_submits_only_when_every_action_is_done(neike, supervisor, head_neike):
    order = _order(neike, supervisor)
    first, second = _action(order, "done"), _action(order, "in_progress")
    assert "submit" not in [a.name for a in allowed_actions(order, head_neike)]
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="1 of 2 is not"):
        services.order_submit(order=order, actor=head_neike, cause="排班不足")
    services.corrective_action_complete(
        corrective_action=second, actor=head_neike, result="已增设", evidence=[UPLOAD]
    )
    order = services.order_submit(
        order=order,
        actor=head_neike,
        cause="排班不足",
        cause_categories=CauseCategory.objects.filter(code__in=["staff", "process"]),
        why_chain=["午间无人值守", "", "排班只按上午下午两段", "未评估午间客流"],
    )
    assert order.status == OrderStatus.SUBMITTED
    assert order.why_chain == ["午间无人值守", "排班只按上午下午两段", "未评估午间客流"]
    assert {c.code for c in order.cause_categories.all()} == {"staff", "process"}
    assert order.actions.count() == 2 and first.pk  # no action added by the submission


def test_a_submission_without_actions_needs_the_action_taken_which_becomes_one_done_action(
    neike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="corrective action taken"):
        services.order_submit(order=order, actor=head_neike, cause="排班不足")
    order = services.order_submit(
        order=order, actor=head_neike, cause="排班不足", corrective_action="午间增设导医"
    )
    action = order.actions.get()
    assert (action.description, action.status, action.owner, action.due_date) == (
        "午间增设导医",
        ActionStatus.DONE,
        None,
        order.deadline,
    )


def test_a_why_chain_has_at_most_five_steps(neike, supervisor, head_neike):
    order = _order(neike, supervisor)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="at most five"):
        services.order_submit(
            order=order, actor=head_neike, cause="c", corrective_action="a", why_chain=list("123456")
        )
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.ACKNOWLEDGED


def test_the_supervisor_returns_the_order_naming_the_actions_to_redo(neike, supervisor, head_neike):
    order = _order(neike, supervisor, "submitted")
    kept, redone = _action(order, "done"), _action(order, "done", description="全员培训")
    order = services.order_return(order=order, actor=supervisor, reason="培训无签到表", redo=[redone])
    assert order.status == OrderStatus.RETURNED
    kept.refresh_from_db()
    redone.refresh_from_db()
    assert (kept.status, redone.status) == (ActionStatus.DONE, ActionStatus.IN_PROGRESS)
    step = redone.transitions.latest("id")
    assert (step.action, step.actor, step.comment) == ("redo", supervisor, "培训无签到表")
    # The head cannot resubmit until the action named is done again.
    assert "submit" not in [a.name for a in allowed_actions(order, head_neike)]


def test_a_return_naming_another_orders_action_changes_nothing(neike, supervisor):
    order, other = _order(neike, supervisor, "submitted"), _order(neike, supervisor, "submitted")
    foreign = _action(other, "done")
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="only actions of this order"):
        services.order_return(order=order, actor=supervisor, reason="x", redo=[foreign])
    assert _snapshot(foreign) == ("done", 0)
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED


def test_evidence_is_kept_by_submission_round(neike, supervisor, head_neike):
    order = _order(neike, supervisor)
    action = _action(order, "in_progress")
    services.corrective_action_complete(corrective_action=action, actor=head_neike, evidence=[UPLOAD])
    services.order_submit(order=order, actor=head_neike, cause="c", evidence=[UPLOAD])
    services.order_return(order=order, actor=supervisor, reason="再补充", redo=[action])
    services.corrective_action_attach(corrective_action=action, actor=head_neike, evidence=[UPLOAD])
    rounds = list(
        Attachment.objects.filter(order=order).order_by("id").values_list("round", "corrective_action_id")
    )
    assert rounds == [(1, action.pk), (1, None), (2, action.pk)]


def test_a_returned_orders_response_form_starts_filled_with_what_was_submitted(
    client_for, neike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    services.order_submit(
        order=order,
        actor=head_neike,
        cause="排班只按上午下午两段",
        corrective_action="午间增设导医",
        cause_categories=CauseCategory.objects.filter(code="process"),
        why_chain=["午间无人值守", "未评估午间客流"],
    )
    services.order_return(order=order, actor=supervisor, reason="请补充原因分析")
    order = RectificationOrder.objects.get(pk=order.pk)
    form = SubmitForm(order=order, prefix="submit")
    assert form["cause"].value() == "排班只按上午下午两段"
    assert [form[f"why_{i}"].value() for i in (1, 2, 3)] == ["午间无人值守", "未评估午间客流", None]
    assert form["cause_categories"].value() == [CauseCategory.objects.get(code="process").pk]
    # The action typed last time is a row of the order now: the form does not ask for it again.
    assert not form.fields["corrective_action"].required
    page = client_for(head_neike).get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    assert "排班只按上午下午两段</textarea>" in page and 'value="午间无人值守"' in page


# --- the page ---------------------------------------------------------------------------------


def test_the_head_runs_an_actions_step_from_the_page(client_for, neike, supervisor, head_neike):
    action = _action(_order(neike, supervisor))
    client = client_for(head_neike)
    response = client.post(
        reverse("corrective_action_step", args=[action.pk, "start"]), {"start-comment": "开始"}
    )
    assert response.status_code == 302
    assert _snapshot(action) == ("in_progress", 1)
    # An invalid form (reopen needs a reason) shows the page again with that action's form open.
    action.status = "done"
    action.save()
    response = client.post(reverse("corrective_action_step", args=[action.pk, "reopen"]), {})
    assert response.status_code == 400
    assert f'id="f-ca{action.pk}-reopen" class="collapse show' in response.content.decode()


def test_another_departments_action_is_a_404_and_a_supervisor_may_not_run_a_step(
    client_for, neike, supervisor, head_waike
):
    action = _action(_order(neike, supervisor))
    url = reverse("corrective_action_step", args=[action.pk, "start"])
    assert client_for(head_waike).post(url).status_code == 404
    assert client_for(supervisor).post(url).status_code == 403
    assert client_for(head_waike).get(url).status_code == 405
    assert _snapshot(action) == ("planned", 0)


def test_each_action_shows_exactly_the_steps_its_machine_allows(client_for, neike, supervisor, head_neike):
    order = _order(neike, supervisor)
    planned, done = _action(order, "planned"), _action(order, "done")
    page = client_for(head_neike).get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    for action in (planned, done):
        expected = [a.name for a in allowed_actions(action, head_neike) if a.name != "redo"]
        shown = [
            name
            for name in ("start", "complete", "attach", "reopen")
            if f'data-bs-target="#f-ca{action.pk}-{name}"' in page
        ]
        assert shown == expected
    assert [a.name for a in allowed_actions(planned, head_neike)] == ["start", "complete", "attach"]
    supervisor_page = client_for(supervisor).get(reverse("finding_detail", args=[order.finding_id]))
    assert 'data-step="' not in supervisor_page.content.decode()


def test_the_order_page_costs_the_same_queries_with_three_or_twelve_actions(
    client_for, django_assert_num_queries, neike, supervisor, head_neike
):
    order = _order(neike, supervisor)
    nurse = StaffFactory(department=neike)

    def add(n):
        for i in range(n):
            action = _action(order, ACTION_STATES[i % 3], owner=nurse, description=f"措施{i}")
            CORRECTIVE_ACTIONS.record(action, action="add", actor=head_neike, from_status="")
            Attachment.objects.create(
                finding=order.finding,
                order=order,
                corrective_action=action,
                round=1,
                file="x.jpg",
                original_name="x.jpg",
                content_type="image/jpeg",
                size=1,
                uploaded_by=head_neike,
            )

    client = client_for(head_neike)
    url = reverse("finding_detail", args=[order.finding_id])
    add(3)
    client.get(url)  # warm caches (content types, config)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(9)
    with django_assert_num_queries(len(few)):
        assert client.get(url).content.decode().count('class="list-group-item" id="action-') == 12


def test_the_demo_order_has_three_actions_one_done_one_in_progress_one_planned(neike, supervisor, head_neike):
    from supervision.demo import order_with_three_actions

    for _i in range(3):
        StaffFactory(department=neike)
    order = order_with_three_actions(department=neike, head=head_neike, supervisor=supervisor)
    assert list(order.actions.values_list("status", flat=True)) == ["done", "in_progress", "planned"]
    assert all(a.owner.department == neike and a.due_date <= order.deadline for a in order.actions.all())
    assert order.finding.origin == "round"
    assert "submit" not in [a.name for a in allowed_actions(order, head_neike)]
