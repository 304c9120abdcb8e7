"""The service desk and people (issue 16 item 5): a praise slip naming a person of the roster counts
on their record, through the channel contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servicedesk.models import BoxOpening, Slip, SlipKind, SuggestionBox
from supervision import people
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_a_praise_slip_counts_on_the_person_s_record(neike, supervisor):
    nurse = StaffFactory(name="张护士", department=neike)
    box = SuggestionBox.objects.create(name="门诊大厅意见箱", location="门诊大厅", department=neike)
    opening = BoxOpening.objects.create(box=box, opened_on=timezone.localdate(), opened_by=supervisor)
    Slip.objects.create(
        opening=opening, kind=SlipKind.PRAISE, content="张护士打针不疼", department=neike, staff=nurse
    )
    Slip.objects.create(
        opening=opening, kind=SlipKind.SUGGESTION, content="多放椅子", department=neike, staff=nurse
    )
    today = timezone.localdate()
    record = people.person_record(staff=nurse, start=today.replace(day=1), end=today)
    line = next(line for line in record.channel_lines if line.key == "praise_box")
    assert (line.count, record.praise) == (1, 1)  # the suggestion is no praise
    assert line.entries[0].text == "张护士打针不疼" and line.entries[0].url == opening.get_absolute_url()


def test_the_record_s_rows_carry_the_sheet_s_count_beyond_the_rows_shown_in_one_query(
    neike, supervisor, django_assert_num_queries
):
    from servicedesk.people import RECORD
    from supervision.models import Staff

    nurse, other = (
        StaffFactory(name="张护士", department=neike),
        StaffFactory(name="李护士", department=neike),
    )
    box = SuggestionBox.objects.create(name="门诊大厅意见箱", location="门诊大厅", department=neike)
    today = timezone.localdate()
    openings = [
        BoxOpening.objects.create(box=box, opened_on=today - dt.timedelta(days=d), opened_by=supervisor)
        for d in (3, 2, 1)
    ]
    for i, opening in enumerate(openings):
        Slip.objects.create(
            opening=opening, kind=SlipKind.PRAISE, content=f"表扬{i}", department=neike, staff=nurse
        )
    Slip.objects.create(
        opening=openings[0], kind=SlipKind.PRAISE, content="别人", department=neike, staff=other
    )
    start = today - dt.timedelta(days=10)
    sheet = RECORD.counts(staff=Staff.objects.filter(pk=nurse.pk), start=start, end=today)[nurse.pk]
    with django_assert_num_queries(1):
        rows = RECORD.rows(staff=nurse, start=start, end=today, limit=2)
    assert rows.counts == sheet == {"praise_box": 3}
    assert [e.text for e in rows.entries] == ["表扬2", "表扬1"]  # the newest two
    assert RECORD.rows(staff=nurse, start=today, end=today, limit=2).counts == {}


def test_the_record_page_draws_the_praise_line_anew_when_a_slip_arrives(client_for, neike, supervisor):
    """The channel's measure is drawn once per content (supervision.infra.fragments): one slip more
    is another count and another row, so another line."""
    from django.urls import reverse

    nurse = StaffFactory(name="张护士", department=neike)
    box = SuggestionBox.objects.create(name="门诊大厅意见箱", location="门诊大厅", department=neike)
    opening = BoxOpening.objects.create(box=box, opened_on=timezone.localdate(), opened_by=supervisor)
    client = client_for(supervisor)
    page = reverse("person_record", args=[nurse.pk])
    for n, text in enumerate(("张护士打针不疼", "张护士耐心解释"), start=1):
        Slip.objects.create(
            opening=opening, kind=SlipKind.PRAISE, content=text, department=neike, staff=nurse
        )
        html = client.get(page).content.decode()
        line = html[html.index('data-measure="praise_box"') :].split("</ul>")[0]
        assert f"<strong>{n}</strong>" in line and text in line
