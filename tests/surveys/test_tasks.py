"""Beat jobs: closing ended campaigns and matching praised names are idempotent."""

from __future__ import annotations

import datetime as dt

from supervision.models import Staff
from surveys import services, tasks
from surveys.models import CampaignStatus, Channel, Praise

from .factories import submit


def test_close_ended_campaigns_twice_changes_nothing_more(small_q, supervisor):
    ended = services.campaign_save(
        name="旧",
        questionnaire=small_q,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        channels=[Channel.WEB],
        actor=supervisor,
    )
    running = services.campaign_save(
        name="新",
        questionnaire=small_q,
        start=dt.date(2025, 1, 1),
        end=dt.date(2099, 12, 31),
        channels=[Channel.WEB],
        actor=supervisor,
    )
    assert tasks.close_ended_campaigns() == 1
    assert tasks.close_ended_campaigns() == 0
    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.status, running.status) == (CampaignStatus.CLOSED, CampaignStatus.OPEN)
    assert ended.transitions.get().to_status == CampaignStatus.CLOSED


def test_match_praise_picks_up_staff_added_to_the_roster_later(small_q, neike):
    submit(small_q, neike, dt.date(2026, 5, 1), e1=5, a1=5, praise={"staff": [], "names": ["新护士"]})
    assert tasks.match_praise() == 0
    nurse = Staff.objects.create(employee_no="X1", name="新护士", department=neike, position="nurse")
    assert tasks.match_praise() == 1
    assert tasks.match_praise() == 0
    assert Praise.objects.get().staff == nurse
