"""The follow-up demo: the problem table of the figures reads like a real centre's (issue 19 item 3)."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from followups import demo, selectors
from followups.models import CallAttempt, Satisfaction
from supervision import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_codes_every_not_satisfied_call_so_the_ranking_has_no_uncoded_row():
    rng = random.Random(5)
    today = timezone.localdate()
    context = core_demo.seed(rng, today)
    demo.seed(rng=rng, today=today, context=context)

    unhappy = CallAttempt.objects.filter(satisfaction=Satisfaction.DISSATISFIED)
    imported = unhappy.filter(history_key__isnull=False)
    assert imported.count() >= 20  # enough for a table worth reading
    # Every not-satisfied call, imported or made in Ducha this morning, names a domain and a topic
    # of that domain.
    assert not unhappy.filter(dissatisfied_domain__isnull=True).exists()
    assert not unhappy.filter(dissatisfied_topics__isnull=True).exists()
    for call in unhappy.prefetch_related("dissatisfied_topics"):
        assert call.dissatisfied_domain_id in {t.domain_id for t in call.dissatisfied_topics.all()}

    start, end = today.replace(year=today.year - 1), today
    by_domain = selectors.dissatisfaction_by_domain(start=start, end=end)
    assert all(row["domain_id"] is not None for row in by_domain)  # no 未分类 row
    assert sum(1 for row in by_domain if row["calls"]) >= 4
    ranking = selectors.dissatisfaction_ranking(start=start, end=end)
    assert len(ranking) >= 5
    # Departments differ: not every department's first problem is the same topic.
    assert len({row["topics"][0]["name"] for row in ranking if row["topics"]}) >= 2
