"""Surveys and people (issue 16 item 5): a person praised by name (点名表扬) in a questionnaire, picked
from the roster, counts on their record through the channel contract."""

from __future__ import annotations

import datetime as dt

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


def test_the_record_s_rows_carry_the_sheet_s_count_beyond_the_rows_shown_in_one_query(
    small_q, neike, django_assert_num_queries
):
    from supervision.models import Staff
    from surveys.people import RECORD

    nurse, other = StaffFactory(name="张敏", department=neike), StaffFactory(name="李强", department=neike)
    today = timezone.localdate()
    responses = [
        submit(small_q, neike, today - dt.timedelta(days=d), e1=5, a1=5, praise={"staff": [nurse.pk]})
        for d in (3, 2, 1)
    ]
    submit(small_q, neike, today, e1=5, a1=5, praise={"staff": [other.pk]})
    start = today - dt.timedelta(days=10)
    sheet = RECORD.counts(staff=Staff.objects.filter(pk=nurse.pk), start=start, end=today)[nurse.pk]
    with django_assert_num_queries(1):
        rows = RECORD.rows(staff=nurse, start=start, end=today, limit=2)
    assert rows.counts == sheet == {"praise_survey": 3}
    assert [e.url for e in rows.entries] == [
        reverse("surveys:response_detail", args=[r.pk]) for r in (responses[2], responses[1])
    ]
    assert RECORD.rows(staff=nurse, start=today, end=today, limit=2).counts == {}
