"""Surveys and people (issue 16 item 5): a person praised by name (点名表扬) in a questionnaire, picked
from the roster, counts on their record through the channel contract."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from supervision import people
from tests.factories import StaffFactory

from .factories import submit


def test_praise_by_name_in_a_survey_counts_on_the_record(small_q, neike):
    nurse = StaffFactory(name="张敏", department=neike)
    today = timezone.localdate()
    response = submit(small_q, neike, today, e1=5, a1=5, praise={"staff": [nurse.pk], "names": ["李强"]})
    record = people.person_record(staff=nurse, start=today.replace(day=1), end=today)
    line = next(line for line in record.channel_lines if line.key == "praise_survey")
    assert (line.count, record.praise) == (1, 1)
    assert line.entries[0].url == reverse("surveys:response_detail", args=[response.pk])
