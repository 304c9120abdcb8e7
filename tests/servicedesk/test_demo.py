"""The service desk's demo data (the contract's demo_seed): the desk login, a month of a plausible
log, a knowledge base of the demo hospital, two boxes with openings."""

import random

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from servicedesk import selectors
from servicedesk.models import BoxOpening, DeskEntry, EntryKind, KnowledgeEntry, SuggestionBox
from supervision import demo as core_demo
from supervision.channels import channel

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_month_of_the_desk_the_knowledge_base_and_two_boxes():
    today = timezone.localdate()
    context = core_demo.seed(random.Random(1), today)
    channel("servicedesk").demo_seed(rng=random.Random(2), today=today, context=context)

    desk = authenticate(username="desk", password=core_demo.DEMO_PASSWORD)
    assert desk is not None and desk.has_role("desk")
    assert DeskEntry.objects.count() >= 200
    assert set(DeskEntry.objects.values_list("kind", flat=True)) == set(EntryKind.values)
    assert DeskEntry.objects.filter(complaint__isnull=False).exists()
    assert not DeskEntry.objects.filter(recorded_at__gt=timezone.now()).exists()
    assert set(selectors.entries_visible_to(desk).values_list("centre__name", flat=True)) == {"门诊客服中心"}
    assert [e.title for e in selectors.knowledge_search("hxnk")] == ["呼吸内科"]
    assert KnowledgeEntry.objects.count() >= 30
    assert selectors.knowledge_stale(today=today).exists() and selectors.knowledge_flagged().exists()
    assert SuggestionBox.objects.count() == 2
    assert BoxOpening.objects.count() >= 6


def test_the_desk_demo_loaded_before_dawn_dates_nothing_after_the_moment_it_was_loaded():
    import datetime as dt

    import time_machine

    from complaints.models import Complaint
    from servicedesk.models import Slip
    from supervision.models import Notification

    loaded = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(2, 26)))
    with time_machine.travel(loaded, tick=True):
        today = timezone.localdate()
        context = core_demo.seed(random.Random(1), today)
        channel("servicedesk").demo_seed(rng=random.Random(2), today=today, context=context)
        after = timezone.now()
    assert not DeskEntry.objects.filter(recorded_at__gt=after).exists()
    assert not Complaint.objects.filter(received_at__gt=after).exists()
    assert not Notification.objects.filter(created_at__gt=after).exists()
    assert not BoxOpening.objects.filter(created_at__gt=after).exists()
    assert Slip.objects.exists()
