"""Follow-up calls and people (issue 16 item 5): the staff a patient praised by name on a call count
on their record and in the monthly per-person sheet, through the channel contract."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from followups.models import Outcome
from supervision import people
from tests.factories import DischargeStayFactory, StaffFactory

from .factories import add_attempt, make_task


def test_praise_on_a_call_counts_on_the_record_and_in_the_sheet(client_for, neike, caller, supervisor):
    nurse = StaffFactory(name="张护士", employee_no="N0100", department=neike)
    attempt = add_attempt(
        make_task(stay=DischargeStayFactory(department=neike)),
        outcome=Outcome.REACHED,
        caller=caller,
        praise="张护士很耐心",
    )
    attempt.praised_staff.set([nurse])
    today = timezone.localdate()
    record = people.person_record(staff=nurse, start=today.replace(day=1), end=today)
    line = next(line for line in record.channel_lines if line.key == "praise_followup")
    assert (line.count, record.praise) == (1, 1)
    assert line.entries[0].text == "张护士很耐心"
    assert line.entries[0].url == reverse("followups:task_detail", args=[attempt.task_id])
    response = client_for(supervisor).get(reverse("people_sheet"), {"month": f"{today:%Y-%m}"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "N0100"), strict=True))
    assert (row["回访表扬"], row["表扬合计"], row["问题数"]) == (1, 1, 0)


def test_the_record_s_rows_carry_the_sheet_s_count_beyond_the_rows_shown_in_one_query(
    neike, caller, django_assert_num_queries
):
    from followups.people import RECORD
    from supervision.models import Staff

    nurse, other = (
        StaffFactory(name="张护士", department=neike),
        StaffFactory(name="李护士", department=neike),
    )
    now = timezone.now()
    for days, who, words in ((3, nurse, "耐心"), (2, nurse, ""), (1, nurse, "细心"), (1, other, "别人")):
        attempt = add_attempt(
            make_task(stay=DischargeStayFactory(department=neike)),
            outcome=Outcome.REACHED,
            caller=caller,
            when=now - dt.timedelta(days=days),
            praise=words,
        )
        attempt.praised_staff.set([who])
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    sheet = RECORD.counts(staff=Staff.objects.filter(pk=nurse.pk), start=start, end=today)[nurse.pk]
    with django_assert_num_queries(1):
        rows = RECORD.rows(staff=nurse, start=start, end=today, limit=2)
    assert rows.counts == sheet == {"praise_followup": 3}
    assert [e.text for e in rows.entries] == ["细心", gettext("Praised by name on a follow-up call")]
    assert RECORD.rows(staff=nurse, start=today, end=today, limit=2).counts == {}
