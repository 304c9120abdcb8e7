"""The suggestion box: one opening's slips recorded in a batch; complaints go into the complaints
workflow (channel: suggestion box), praise into the praise ledger; all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintChannel
from servicedesk import selectors
from servicedesk.models import BoxOpening, Slip, SlipKind, SuggestionBox
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def box(neike):
    return SuggestionBox.objects.create(name="门诊大厅意见箱", location="门诊大厅", department=neike)


def _post(client, box, slips, opened_on=None):
    data = {
        "opened_on": (opened_on or timezone.localdate()).isoformat(),
        "witness": "周督察",
        "slip-TOTAL_FORMS": str(len(slips) + 1),
        "slip-INITIAL_FORMS": "0",
        "slip-MIN_NUM_FORMS": "0",
        "slip-MAX_NUM_FORMS": "200",
    }
    for i, slip in enumerate(slips):
        for key, value in slip.items():
            data[f"slip-{i}-{key}"] = value
    return client.post(reverse("servicedesk:opening_create", args=[box.pk]), data)


def test_an_opening_batch_sends_complaints_to_the_workflow_and_praise_to_the_ledger(
    client_for, desk, box, neike, waike
):
    nurse = StaffFactory(name="张护士", department=neike)
    response = _post(
        client_for(desk),
        box,
        [
            {"kind": "praise", "content": "张护士打针不疼", "department": neike.pk, "praised_name": "张护士"},
            {"kind": "suggestion", "content": "大厅多放几把椅子"},
            {
                "kind": "complaint",
                "content": "外科医生态度差",
                "department": waike.pk,
                "writer": "李先生",
                "writer_phone": "13800138000",
            },
        ],
    )
    assert response.status_code == 302
    opening = BoxOpening.objects.get()
    assert opening.slips.count() == 3
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.department, complaint.owner, complaint.received_by) == (
        ComplaintChannel.SUGGESTION_BOX,
        waike,
        desk,
        desk,
    )
    assert complaint.complainant_phone == "13800138000"
    assert Slip.objects.get(kind=SlipKind.COMPLAINT).complaint == complaint
    praise = Slip.objects.get(kind=SlipKind.PRAISE)
    assert praise.staff == nurse  # matched to the roster: one 张护士 in 内科
    ledger = client_for(desk).get(reverse("servicedesk:praise")).content.decode()
    assert "张护士打针不疼" in ledger


def test_a_slip_without_a_department_is_about_the_boxs_department(client_for, desk, box, neike):
    _post(client_for(desk), box, [{"kind": "complaint", "content": "厕所没有纸"}])
    assert Complaint.objects.get().department == neike


def test_one_bad_slip_saves_nothing_and_says_which(client_for, desk, box):
    response = _post(
        client_for(desk),
        box,
        [
            {"kind": "complaint", "content": "排队太久"},
            {"kind": "praise", "content": ""},
        ],
    )
    assert response.status_code == 400
    assert not BoxOpening.objects.exists() and not Complaint.objects.exists()
    assert "2" in " ".join(response.context["form"].non_field_errors())


def test_the_same_box_cannot_be_opened_twice_on_one_day(client_for, desk, box):
    client = client_for(desk)
    _post(client, box, [])
    response = _post(client, box, [{"kind": "complaint", "content": "排队太久"}])
    assert response.status_code == 400
    assert BoxOpening.objects.count() == 1 and not Complaint.objects.exists()


def test_an_empty_box_is_recorded_as_opened(client_for, desk, box):
    assert _post(client_for(desk), box, []).status_code == 302
    assert BoxOpening.objects.get().slips.count() == 0


def test_a_box_not_opened_for_more_than_a_week_is_overdue(box):
    today = dt.date(2026, 12, 9)  # a Wednesday; the box opens on Mondays
    box.last_opened = dt.date(2026, 11, 23)
    assert selectors.next_opening(box, today) == dt.date(2026, 12, 7)
    box.last_opened = dt.date(2026, 12, 7)
    assert selectors.next_opening(box, today) == dt.date(2026, 12, 14)


def test_heads_see_only_the_slips_about_their_department(client_for, desk, box, neike, waike, head_neike):
    _post(
        client_for(desk),
        box,
        [
            {"kind": "praise", "content": "内科好", "department": neike.pk},
            {"kind": "praise", "content": "外科好", "department": waike.pk},
        ],
    )
    page = client_for(head_neike).get(reverse("servicedesk:praise")).content.decode()
    assert "内科好" in page and "外科好" not in page
