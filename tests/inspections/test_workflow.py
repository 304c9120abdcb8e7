"""The inspection machines (inspections.services: TEMPLATES, ROUNDS, AUDITS, APPEALS): every
(state × action × persona), the buttons of the round and audit pages, and the history table's
migration onto the engine's record."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import (
    Appeal,
    AppealStatus,
    AuditStatus,
    ChartAudit,
    ChartCriterion,
    ChecklistTemplate,
    Deduction,
    InspectionRound,
    RoundStatus,
    TemplateStatus,
    Transition,
)
from supervision.errors import ActionNotAllowed
from supervision.workflow import allowed_actions
from tests.factories import DischargeStayFactory

from .factories import answer_all, make_template, start_round

PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer"]
OFFICE = {"supervisor", "administrator"}

# The specification, written by hand: machine → action → (states, personas).
EXPECTED = {
    "templates": {
        "publish": ({"draft"}, OFFICE),
        "retire": ({"published"}, OFFICE),
    },
    "rounds": {
        "submit": ({"draft"}, {"supervisor"}),
        "discard": ({"draft"}, {"supervisor"}),
    },
    "audits": {
        "audit": ({"pending"}, {"supervisor"}),
        "regrade": ({"completed"}, {"supervisor"}),
    },
    "appeals": {
        # "": no appeal yet (the draft the page and the service check); the audit is of 内科.
        "raise": ({""}, {"head_neike"}),
        "decide": ({"pending"}, {"supervisor"}),
    },
}
MACHINES = {
    "templates": services.TEMPLATES,
    "rounds": services.ROUNDS,
    "audits": services.AUDITS,
    "appeals": services.APPEALS,
}
STATES = {
    "templates": [s.value for s in TemplateStatus],
    "rounds": [s.value for s in RoundStatus],
    "audits": [s.value for s in AuditStatus],
    "appeals": ["", *(s.value for s in AppealStatus)],
}
# Each action from every state (by a persona it allows), and at an allowed state by every persona:
# the state and the role are each checked in full without multiplying the slow set-ups.
CASES = sorted(
    {
        (machine, action, state, persona)
        for machine, actions in EXPECTED.items()
        for action, (states, personas) in actions.items()
        for state, persona in [
            *((s, sorted(personas)[0]) for s in STATES[machine]),
            *((sorted(states)[0], p) for p in PERSONAS),
        ]
    }
)


def _audit(department, supervisor, *, completed=True) -> ChartAudit:
    """An audit of 内科 with one deduction (completed) or none yet (pending)."""
    DischargeStayFactory(department=department, admission_no="NK00001", discharged_on=dt.date(2026, 10, 5))
    sample, _created = services.chart_sample_draw(month=dt.date(2026, 10, 1))
    audit = sample.audits.get()
    if completed:
        item = ChartCriterion.objects.create(
            section="测试", text="测试项", points=Decimal("2"), max_points=Decimal("6")
        )
        audit = services.audit_complete(audit=audit, actor=supervisor, defects={item.pk: (1, "")})
    return audit


def _subject(machine, state, *, neike, supervisor, head_neike):
    if machine == "templates":
        template = make_template(published=False)
        ChecklistTemplate.objects.filter(pk=template.pk).update(status=state)
        template.refresh_from_db()
        return template
    if machine == "rounds":
        rnd = start_round(actor=supervisor, department=neike)
        answer_all(rnd, supervisor, ["pass", "pass", "pass"])
        InspectionRound.objects.filter(pk=rnd.pk).update(status=state)
        rnd.refresh_from_db()
        return rnd
    if machine == "audits":
        audit = _audit(neike, supervisor, completed=False)
        ChartAudit.objects.filter(pk=audit.pk).update(status=state)
        audit.refresh_from_db()
        return audit
    deduction = _audit(neike, supervisor).deductions.get()
    if state == "":
        return deduction
    appeal = services.appeal_raise(deduction=deduction, actor=head_neike, reason="已补扫描")
    Appeal.objects.filter(pk=appeal.pk).update(status=state)
    appeal.refresh_from_db()
    return appeal


def _do(machine, action, subject, actor):
    """The service behind each action (the table's own transition() for the steps only a service
    takes inside another: retire inside publish, regrade inside an upheld appeal)."""
    if action == "publish":
        return services.template_publish(template=subject, actor=actor)
    if action == "submit":
        return services.round_submit(rnd=subject, actor=actor)
    if action == "discard":
        return services.round_discard(rnd=subject, actor=actor, reason="科室选错")
    if action == "audit":
        return services.audit_complete(audit=subject, actor=actor, defects={})
    if action == "raise":
        if isinstance(subject, Appeal):  # an appeal that exists already: its own state refuses
            return services.APPEALS.check(subject, actor, "raise")
        return services.appeal_raise(deduction=subject, actor=actor, reason="同意书在纸质病历中")
    if action == "decide":
        if isinstance(subject, Deduction):  # no appeal yet: nothing to decide
            return services.APPEALS.check(services.appeal_draft(subject), actor, "decide")
        return services.appeal_decide(appeal=subject, actor=actor, uphold=False, comment="确无同意书")
    return MACHINES[machine].transition(subject, actor=actor, action=action)


def _history(subject):
    if isinstance(subject, Deduction | Appeal):  # the appeal's rows (there is one deduction)
        return Transition.objects.filter(content_type__model="appeal")
    return Transition.objects.filter(**Transition.subject_kwargs(subject))


def test_each_machine_has_exactly_the_specified_actions():
    assert {name: set(m.actions) for name, m in MACHINES.items()} == {
        name: set(actions) for name, actions in EXPECTED.items()
    }


@pytest.mark.parametrize(("machine", "action", "state", "persona"), CASES)
def test_inspection_action_is_allowed_exactly_for_the_specified_state_and_role(
    request, neike, supervisor, head_neike, machine, action, state, persona
):
    request.getfixturevalue("head_waike")
    actor = request.getfixturevalue(persona)
    subject = _subject(machine, state, neike=neike, supervisor=supervisor, head_neike=head_neike)
    history = _history(subject)
    before = history.count()
    states, personas = EXPECTED[machine][action]
    if state in states and persona in personas:
        _do(machine, action, subject, actor)
        last = _history(subject).order_by("-id").first()
        assert _history(subject).count() == before + 1
        assert (last.action, last.from_status, last.actor) == (action, state, actor)
    else:
        with pytest.raises(ActionNotAllowed) as refused:
            _do(machine, action, subject, actor)
        assert refused.value.messages[0]
        assert _history(subject).count() == before
        if hasattr(subject, "status") and subject.pk:
            subject.refresh_from_db()
            assert subject.status == state


def test_a_round_submitted_twice_is_told_apart_from_other_refusals(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    with pytest.raises(ActionNotAllowed) as unanswered:
        services.round_submit(rnd=rnd, actor=supervisor)
    assert not isinstance(unanswered.value, services.AlreadySubmitted)
    answer_all(rnd, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=rnd, actor=supervisor)
    with pytest.raises(services.AlreadySubmitted):
        services.round_submit(rnd=rnd, actor=supervisor)


def test_a_deduction_is_appealed_once_and_not_after_it_was_withdrawn(neike, supervisor, head_neike):
    deduction = _audit(neike, supervisor).deductions.get()
    appeal = services.appeal_raise(deduction=deduction, actor=head_neike, reason="已补扫描")
    with pytest.raises(ActionNotAllowed, match="只能申诉一次"):
        services.appeal_raise(deduction=deduction, actor=head_neike, reason="再申诉")
    services.appeal_decide(appeal=appeal, actor=supervisor, uphold=True, comment="属实")
    Appeal.objects.all().delete()
    with pytest.raises(ActionNotAllowed, match="已撤销"):
        services.appeal_raise(deduction=deduction, actor=head_neike, reason="再申诉")


@pytest.mark.parametrize("state", [s.value for s in RoundStatus])
@pytest.mark.parametrize("persona", ["supervisor", "administrator", "head_neike"])
def test_the_round_pages_buttons_are_the_allowed_actions(
    request, client_for, neike, supervisor, state, persona
):
    user = request.getfixturevalue(persona)
    rnd = _subject("rounds", state, neike=neike, supervisor=supervisor, head_neike=None)
    page = client_for(user).get(reverse("inspections:round_detail", args=[rnd.pk]))
    if page.status_code == 404:  # a department does not see its round before it is submitted
        assert persona == "head_neike" and state != "submitted"
        return
    shown = set(re.findall(r'data-action="([\w-]+)"', page.content.decode()))
    expected = {
        a for a, (states, personas) in EXPECTED["rounds"].items() if state in states and persona in personas
    }
    assert shown == {a.name for a in allowed_actions(rnd, user)} == expected


@pytest.mark.parametrize("appealed", [False, True])
@pytest.mark.parametrize("persona", ["supervisor", "administrator", "head_neike"])
def test_the_audit_pages_appeal_buttons_are_the_allowed_actions(
    request, client_for, neike, supervisor, head_neike, appealed, persona
):
    user = request.getfixturevalue(persona)
    audit = _audit(neike, supervisor)
    deduction = audit.deductions.get()
    subject = services.appeal_draft(deduction)
    if appealed:
        subject = services.appeal_raise(deduction=deduction, actor=head_neike, reason="已补扫描")
    page = client_for(user).get(reverse("inspections:audit_detail", args=[audit.pk]))
    shown = set(re.findall(r'data-action="([\w-]+)"', page.content.decode()))
    by_hand = {
        (False, "head_neike"): {"raise"},
        (True, "supervisor"): {"decide"},
    }.get((appealed, persona), set())
    assert shown == {a.name for a in allowed_actions(subject, user)} == by_hand


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_history_migration_keeps_every_row():
    from tests.migrating import migrate_to, restore

    try:
        old = migrate_to(("inspections", "0004_round_discarded_status"))
        user = old.get_model("supervision", "User").objects.create(username="old-hand")
        content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="inspections", model="inspectionround"
        )[0]
        history = old.get_model("inspections", "Transition").objects
        history.create(content_type=content_type, object_id=7, action="start", to_status="draft", actor=user)
        history.create(
            content_type=content_type,
            object_id=7,
            action="submit",
            from_status="draft",
            to_status="submitted",
            actor=user,
            comment="跳过：x",
        )
        new = migrate_to(("inspections", "0005_transition_record_base"))
        rows = new.get_model("inspections", "Transition").objects.order_by("id")
        assert [(r.object_id, r.action, r.from_status, r.to_status, r.actor_id, r.comment) for r in rows] == [
            (7, "start", "", "draft", user.pk, ""),
            (7, "submit", "draft", "submitted", user.pk, "跳过：x"),
        ]
    finally:
        restore()


def test_the_tables_are_the_specification():
    from tests.workflow_checks import table_of

    office = {"supervisor", "administrator"}
    assert {name: table_of(machine) for name, machine in MACHINES.items()} == {
        "templates": {
            "publish": ({"draft"}, "published", office, False),
            "retire": ({"published"}, "retired", office, False),
        },
        "rounds": {
            "submit": ({"draft"}, "submitted", {"supervisor"}, False),
            "discard": ({"draft"}, "discarded", {"supervisor"}, False),
        },
        "audits": {
            "audit": ({"pending"}, "completed", {"supervisor"}, False),
            "regrade": ({"completed"}, None, {"supervisor"}, False),
        },
        "appeals": {
            "raise": ({""}, "pending", {"dept_head"}, True),
            "decide": ({"pending"}, None, {"supervisor"}, False),
        },
    }
