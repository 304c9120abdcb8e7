"""The campaign's machine (surveys.services.CAMPAIGNS): every (state × action × persona), the buttons,
the schedule, and the history table's migration onto the engine's record."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from supervision.errors import ActionNotAllowed
from supervision.workflow import allowed_actions
from surveys import services
from surveys.models import Campaign, CampaignStatus, CampaignTransition

PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer"]
STATES = [s.value for s in CampaignStatus]

# The specification, written by hand (not read from the table under test).
EXPECTED = {
    "close": ({"open"}, {"supervisor", "administrator"}, "closed"),
    "reopen": ({"closed"}, {"supervisor", "administrator"}, "open"),
}


def _in_state(campaign, state):
    Campaign.objects.filter(pk=campaign.pk).update(status=state)
    campaign.refresh_from_db()
    return campaign


def test_the_table_has_exactly_the_specified_actions():
    assert set(services.CAMPAIGNS.actions) == set(EXPECTED)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_campaign_action_is_allowed_exactly_for_the_specified_state_and_role(
    request, campaign, state, action, persona
):
    actor = request.getfixturevalue(persona)
    campaign = _in_state(campaign, state)
    sources, personas, target = EXPECTED[action]
    if state in sources and persona in personas:
        services.campaign_transition(campaign=campaign, action=action, actor=actor)
        campaign.refresh_from_db()
        last = campaign.transitions.get()
        assert (campaign.status, last.action, last.from_status, last.to_status, last.actor) == (
            target,
            action,
            state,
            target,
            actor,
        )
    else:
        with pytest.raises(ActionNotAllowed) as refused:
            services.campaign_transition(campaign=campaign, action=action, actor=actor)
        assert refused.value.messages[0]
        campaign.refresh_from_db()
        assert campaign.status == state and not campaign.transitions.exists()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["supervisor", "administrator", "head_neike"])
def test_the_buttons_shown_are_the_allowed_actions(request, client_for, campaign, state, persona):
    user = request.getfixturevalue(persona)
    campaign = _in_state(campaign, state)
    page = client_for(user).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    shown = set(re.findall(r'data-action="([\w-]+)"', page.content.decode()))
    expected = {
        a for a, (sources, personas, _t) in EXPECTED.items() if state in sources and persona in personas
    }
    assert shown == {a.name for a in allowed_actions(campaign, user)} == expected


def test_a_refused_step_posted_anyway_says_why_and_changes_nothing(client_for, supervisor, campaign):
    campaign = _in_state(campaign, "closed")
    page = client_for(supervisor).post(
        reverse("surveys:campaign_action", args=[campaign.pk, "close"]), follow=True
    )
    assert "该批次已处于此状态。" in page.content.decode()
    assert not campaign.transitions.exists()


def test_the_schedule_closes_only_an_open_campaign(campaign):
    services.campaign_transition(campaign=campaign, action="close", actor=None, comment="period ended")
    with pytest.raises(ActionNotAllowed):
        services.campaign_transition(campaign=campaign, action="close", actor=None)
    last = campaign.transitions.get()
    assert (last.action, last.actor, last.to_status) == ("close", None, "closed")


def test_history_labels_come_from_the_machine(campaign, supervisor):
    services.campaign_transition(campaign=campaign, action="close", actor=supervisor)
    row = CampaignTransition.objects.get()
    assert (str(row.action_label), str(row.from_status_label), str(row.to_status_label)) == (
        "结束批次",
        "进行中",
        "已结束",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_history_migration_keeps_every_row_and_names_its_action():
    from tests.migrating import migrate_to, restore

    try:
        old = migrate_to(("surveys", "0003_answer_covering_index"))
        user = old.get_model("supervision", "User").objects.create(username="old-hand")
        questionnaire = old.get_model("surveys", "Questionnaire").objects.create(code="m", title="m")
        campaign = old.get_model("surveys", "Campaign").objects.create(
            name="m", questionnaire=questionnaire, start="2026-01-01", end="2026-12-31", public_key="m"
        )
        history = old.get_model("surveys", "CampaignTransition").objects
        history.create(campaign=campaign, from_status="open", to_status="closed", actor=user, comment="x")
        history.create(campaign=campaign, from_status="closed", to_status="open", actor=None)
        new = migrate_to(("surveys", "0004_transition_record_base"))
        rows = new.get_model("surveys", "CampaignTransition").objects.order_by("id")
        assert [(r.action, r.from_status, r.to_status, r.actor_id, r.comment) for r in rows] == [
            ("close", "open", "closed", user.pk, "x"),
            ("reopen", "closed", "open", None, ""),
        ]
    finally:
        restore()


def test_the_table_is_the_specification():
    from tests.workflow_checks import table_of

    managers = {"supervisor", "administrator"}
    assert table_of(services.CAMPAIGNS) == {
        "close": ({"open"}, "closed", managers, False),
        "reopen": ({"closed"}, "open", managers, False),
    }
