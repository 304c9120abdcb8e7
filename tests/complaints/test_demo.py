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
    assert {ComplaintStatus.CLOSED, ComplaintStatus.ACCEPTED} <= statuses
    assert Complaint.objects.filter(finding__isnull=False).exists()
