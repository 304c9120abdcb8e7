"""The follow-up task's machine (followups.services.TASKS): every (state × action × persona), the
guards of a claim, the call screen's buttons, and the history table's migration."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from followups import services
from followups.models import FollowupTask, Outcome, TaskMode, TaskStatus, TaskTransition
from supervision.errors import ActionNotAllowed
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task

PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer"]
STATES = [s.value for s in TaskStatus]
OPEN = {"pending", "callback"}
CALLERS = {"caller", "supervisor"}

# The specification, written by hand: action → (states, personas, state reached from "pending").
# For release, call and letter the persona holds the task's claim (its guard's condition).
EXPECTED = {
    "claim": (OPEN, CALLERS, "pending"),
    "release": (set(STATES), CALLERS, "pending"),
    "call": (OPEN, CALLERS, "callback"),  # an unanswered first call: try again later
    "letter": (OPEN, CALLERS, "done"),
}


@pytest.fixture
def other_caller(db):
    return UserFactory(username="caller2", full_name="吴回访", roles=["followup"])


def _task(neike, *, state="pending", mode=TaskMode.PHONE, holder=None, assigned_to=None):
    stay = DischargeStayFactory(department=neike, phone="" if mode == TaskMode.LETTER else "13800138000")
    task = make_task(stay=stay, mode=mode, assigned_to=assigned_to or holder)
    if holder is not None:
        expires = timezone.now() + dt.timedelta(minutes=services.CLAIM_MINUTES)
        FollowupTask.objects.filter(pk=task.pk).update(claimed_by=holder, claim_expires_at=expires)
    FollowupTask.objects.filter(pk=task.pk).update(status=state)
    task.refresh_from_db()
    return task


def _do(action, task, actor):
    if action == "claim":
        return services.task_claim(task=task, actor=actor)
    if action == "release":
        return services.task_release(task=task, actor=actor)
    outcome = Outcome.LETTER_DONE if action == "letter" else Outcome.NO_ANSWER
    return services.call_record(task=task, actor=actor, data=services.CallInput(outcome=outcome))


def test_the_table_has_exactly_the_specified_actions():
    assert set(services.TASKS.actions) == set(EXPECTED)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_task_action_is_allowed_exactly_for_the_specified_state_and_role(
    request, neike, state, action, persona
):
    actor = request.getfixturevalue(persona)
    mode = TaskMode.LETTER if action == "letter" else TaskMode.PHONE
    task = _task(neike, state=state, mode=mode, holder=None if action == "claim" else actor)
    before = (task.status, task.claimed_by_id, task.attempt_count, task.transitions.count())
    sources, personas, target = EXPECTED[action]
    if state in sources and persona in personas:
        _do(action, task, actor)
        task.refresh_from_db()
        last = task.transitions.order_by("-id").first()
        assert (last.action, last.from_status, last.actor) == (action, state, actor)
        if state == "pending":
            assert task.status == target
        assert task.claimed_by == (actor if action == "claim" else None)
    else:
        with pytest.raises(ActionNotAllowed) as refused:
            _do(action, task, actor)
        assert refused.value.messages[0]
        task.refresh_from_db()
        assert (task.status, task.claimed_by_id, task.attempt_count, task.transitions.count()) == before


def test_a_task_assigned_to_another_caller_is_refused_but_a_supervisor_may_take_it(
    neike, caller, other_caller, supervisor
):
    task = _task(neike, assigned_to=other_caller)
    with pytest.raises(ActionNotAllowed, match="已分配给"):
        services.task_claim(task=task, actor=caller)
    services.task_claim(task=task, actor=supervisor)
    task.refresh_from_db()
    assert (task.claimed_by, task.assigned_to) == (supervisor, other_caller)


def test_a_held_task_is_refused_to_everybody_else_and_to_its_holder_a_second_time(
    neike, caller, other_caller, supervisor
):
    task = _task(neike, holder=caller)
    with pytest.raises(ActionNotAllowed, match="已分配给"):
        services.task_claim(task=task, actor=other_caller)
    with pytest.raises(ActionNotAllowed, match="正在处理"):
        services.task_claim(task=task, actor=supervisor)
    with pytest.raises(ActionNotAllowed, match="您已领取"):
        services.task_claim(task=task, actor=caller)
    assert task.transitions.count() == 0


def test_only_the_holder_or_a_supervisor_puts_a_claim_back(neike, caller, other_caller, supervisor):
    task = _task(neike, holder=caller)
    with pytest.raises(ActionNotAllowed, match="您未领取"):
        services.task_release(task=task, actor=other_caller)
    services.task_release(task=task, actor=supervisor)
    with pytest.raises(ActionNotAllowed, match="您未领取"):  # nothing left to put back
        services.task_release(task=task, actor=caller)


def test_calls_and_letters_need_the_claim_and_the_tasks_mode(neike, caller, other_caller):
    phone = _task(neike, holder=caller)
    with pytest.raises(ActionNotAllowed, match="请先领取"):
        _do("call", phone, other_caller)
    with pytest.raises(ActionNotAllowed, match="电话随访"):
        _do("letter", phone, caller)
    letter = _task(neike, holder=caller, mode=TaskMode.LETTER)
    with pytest.raises(ActionNotAllowed, match="信函"):
        _do("call", letter, caller)
    assert not TaskTransition.objects.exists()


SCENARIOS = {
    # scenario → persona → the buttons, by hand
    "pool": {"caller": {"claim"}, "supervisor": {"claim"}, "head_neike": set(), "administrator": set()},
    "held": {
        "caller": {"release", "call"},
        "supervisor": {"release"},
        "head_neike": set(),
        "administrator": set(),
    },
    "held_letter": {
        "caller": {"release", "letter"},
        "supervisor": {"release"},
        "head_neike": set(),
        "administrator": set(),
    },
    "done": {"caller": set(), "supervisor": set(), "head_neike": set(), "administrator": set()},
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("persona", ["caller", "supervisor", "head_neike", "administrator"])
def test_the_buttons_shown_are_the_allowed_actions(request, client_for, neike, caller, scenario, persona):
    user = request.getfixturevalue(persona)
    if scenario == "pool":
        task = _task(neike)
    elif scenario == "done":
        task = _task(neike, state="done", assigned_to=caller)
    else:
        mode = TaskMode.LETTER if scenario == "held_letter" else TaskMode.PHONE
        task = _task(neike, holder=caller, mode=mode)
    page = client_for(user).get(reverse("followups:task_detail", args=[task.pk]))
    assert page.status_code == 200
    shown = set(re.findall(r'data-action="([\w-]+)"', page.content.decode()))
    allowed = {a.name for a in services.TASKS.allowed_actions(task, user)}
    assert shown == allowed == SCENARIOS[scenario][persona]


def test_history_labels_come_from_the_machine(neike, caller):
    task = _task(neike, assigned_to=caller)
    services.task_claim(task=task, actor=caller)
    row = task.transitions.get()
    assert (str(row.action_label), str(row.from_status_label), str(row.to_status_label)) == (
        "领取任务",
        "待回访",
        "待回访",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_history_migration_keeps_every_row():
    from tests.migrating import migrate_to, restore

    try:
        # The stay's columns of a later core migration come off too: this stay is created without them.
        old = migrate_to(("followups", "0002_task_due_id_index"), ("supervision", "0015_finding_decision"))
        user = old.get_model("supervision", "User").objects.create(username="old-hand")
        department = old.get_model("supervision", "Department").objects.create(code="M", name="M")
        stay = old.get_model("supervision", "DischargeStay").objects.create(
            department=department,
            admission_no="M1",
            patient_name="M",
            admitted_on="2026-01-01",
            discharged_on="2026-01-05",
        )
        task = old.get_model("followups", "FollowupTask").objects.create(
            stay=stay, department=department, due_on="2026-01-08", expires_on="2026-01-12"
        )
        history = old.get_model("followups", "TaskTransition").objects
        history.create(task=task, action="claim", from_status="pending", to_status="pending", actor=user)
        history.create(task=task, action="expire", from_status="callback", to_status="expired", comment="w")
        new = migrate_to(("followups", "0003_transition_record_base"))
        rows = new.get_model("followups", "TaskTransition").objects.order_by("id")
        assert [(r.action, r.from_status, r.to_status, r.actor_id, r.comment) for r in rows] == [
            ("claim", "pending", "pending", user.pk, ""),
            ("expire", "callback", "expired", None, "w"),
        ]
    finally:
        restore()


def test_the_table_is_the_specification():
    from tests.workflow_checks import table_of

    callers = {"followup", "supervisor"}
    assert table_of(services.TASKS) == {
        "claim": ({"pending", "callback"}, None, callers, False),
        "release": (set(STATES), None, callers, False),
        "call": ({"pending", "callback"}, None, callers, False),
        "letter": ({"pending", "callback"}, None, callers, False),
    }
