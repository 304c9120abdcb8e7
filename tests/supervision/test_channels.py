"""The channel contract: every channel declares itself once, and the core acts on the declarations
alone (beat jobs, retention, backups), so a new channel needs no change in the core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone

from complaints.models import Complaint, ComplaintStatus
from supervision import retention
from supervision.channels import Channel, RetentionLink, RetentionRule, channel, channels, registered
from tests.complaints.factories import make_complaint

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def test_every_channel_app_declares_itself_in_installed_apps_order():
    assert [c.app for c in channels()] == [
        "inspections",
        "followups",
        "complaints",
        "surveys",
        "servicedesk",
        "reports",
        "api",
    ]
    assert channel("supervision") is None  # the core is not a channel


def test_migrate_installs_every_channels_beat_jobs():
    from django_celery_beat.models import PeriodicTask

    declared = {job.name for c in channels() for job in c.schedules}
    assert declared  # the channels do declare jobs
    assert declared <= set(PeriodicTask.objects.values_list("name", flat=True))


def test_a_channels_retention_rule_is_applied_without_the_core_knowing_the_channel(supervisor):
    # A rule the core has never seen: received complaints, aged by their receipt.
    old = make_complaint(received_by=supervisor, received_at=timezone.now() - dt.timedelta(days=5 * 365))
    assert old.status == ComplaintStatus.RECEIVED
    rule = RetentionRule(
        key="lab",
        model="complaints.Complaint",
        over=((Q(status=ComplaintStatus.RECEIVED), "received_at"),),
        mask=("complainant_name",),
        blank=("complainant_phone",),
    )
    with registered(Channel(app="lab", retention=(rule,))):
        result = retention.personal_data_anonymise(today=TODAY)
    assert result.counts["lab"] == 1
    old.refresh_from_db()
    assert (old.complainant_name, old.complainant_phone) == ("张*", "")
    assert Complaint.objects.get(pk=old.pk).status == ComplaintStatus.RECEIVED  # the case itself stays


def test_a_retention_link_to_an_unknown_rule_is_refused():
    link = RetentionLink(rule="no such rule", model="complaints.Complaint", field="pk", open=Q())
    with registered(Channel(app="lab", retention=(link,))), pytest.raises(ImproperlyConfigured):
        retention.personal_data_anonymise(today=TODAY)


def test_a_backup_counts_the_tables_of_every_registered_channel():
    from supervision.infra.backup import project_apps

    assert project_apps() == ["supervision", *(c.app for c in channels())]
    with registered(Channel(app="lab")):
        assert "lab" in project_apps()
