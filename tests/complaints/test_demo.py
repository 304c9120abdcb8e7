import random

import pytest
from django.utils import timezone

from complaints import demo
from complaints.models import Complaint, ComplaintStatus
from supervision import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_complaints_in_every_state():
    rng = random.Random(7)
    today = timezone.localdate()
    context = core_demo.seed(rng, today)
    demo.seed(rng=rng, today=today, context=context)
    assert Complaint.objects.count() == 90
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {ComplaintStatus.CLOSED, ComplaintStatus.ACCEPTED, ComplaintStatus.PAUSED} <= statuses
    assert Complaint.objects.filter(finding__isnull=False).exists()
    # Starter reply templates, and verdicts on closed complaints, never after the moment of loading.
    from complaints.models import ReplyTemplate, Verdict

    assert ReplyTemplate.objects.count() == len(demo.TEMPLATES)
    assert Verdict.objects.exists()
    assert not Verdict.objects.filter(answered_at__gt=timezone.now()).exists()
    assert not Verdict.objects.filter(complaint__answered_by=context["users"]["admin"]).exists()
