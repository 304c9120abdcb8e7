"""The note the schedule writes on a campaign it closes is worded for whoever reads the history;
the migration converts the English note stored before and keeps the others."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.utils import translation

from surveys import services
from surveys.models import Campaign, CampaignTransition


def test_a_campaign_closed_by_the_schedule_reads_in_chinese_and_english(campaign, supervisor, client_for):
    Campaign.objects.filter(pk=campaign.pk).update(end=dt.date(2026, 1, 31))
    assert services.campaigns_close_ended(today=dt.date(2026, 2, 1)) == 1
    note = CampaignTransition.objects.get(campaign=campaign)
    assert note.comment == "" and note.comment_key == "campaign.period_ended"
    with translation.override("zh-hans"):
        assert note.comment_text == "批次周期已结束。"
    with translation.override("en"):
        assert note.comment_text == "The campaign's period ended."
    supervisor.language = "en"
    supervisor.save()
    assert (
        "The campaign&#x27;s period ended."
        in client_for(supervisor).get(campaign.get_absolute_url()).content.decode()
    )


def test_the_migration_converts_the_old_note_and_keeps_every_row(campaign):
    old = CampaignTransition.objects.create(
        campaign=campaign, action="close", to_status="closed", comment="period ended"
    )
    typed = CampaignTransition.objects.create(
        campaign=campaign, action="close", to_status="closed", comment="提前结束"
    )
    importlib.import_module("surveys.migrations.0007_stored_texts_to_keys").forwards(apps, None)
    assert CampaignTransition.objects.count() == 2
    old.refresh_from_db()
    typed.refresh_from_db()
    with translation.override("zh-hans"):
        assert old.comment_text == "批次周期已结束。"
        assert typed.comment_key == "" and typed.comment_text == "提前结束"
