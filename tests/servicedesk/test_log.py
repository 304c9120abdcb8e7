"""The desk log: two-tap entry, undo within a minute, a resend stored once, scoping by persona,
and a coordination turned into a complaint owned by the desk person."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintChannel
from servicedesk import selectors, services
from servicedesk.models import DeskEntry, EntryKind

pytestmark = pytest.mark.django_db
LOG = reverse("servicedesk:log")


def _record(centre, actor, kind=EntryKind.CONSULTATION, **kw):
    entry, _new = services.entry_record(centre=centre, actor=actor, kind=kind, **kw)
    return entry


def test_a_consultation_is_two_taps_a_department_and_the_kind(client_for, desk, centre, neike):
    client = client_for(desk)
    page = client.get(LOG)
    assert page.status_code == 200
    assert 'value="consultation"' in page.content.decode()
    response = client.post(LOG, {"centre": centre.pk, "department": neike.pk, "tap": "consultation"})
    assert response.status_code == 302
    entry = DeskEntry.objects.get()
    assert (entry.kind, entry.department, entry.recorded_by, entry.centre) == (
        EntryKind.CONSULTATION,
        neike,
        desk,
        centre,
    )
    assert entry.recorded_on == timezone.localdate()


def test_a_small_service_is_one_tap_on_its_button(client_for, desk, centre, wheelchair):
    client_for(desk).post(LOG, {"centre": centre.pk, "tap": f"service:{wheelchair.pk}"})
    entry = DeskEntry.objects.get()
    assert (entry.kind, entry.service_kind) == (EntryKind.SERVICE, wheelchair)


def test_saving_an_entry_is_one_insert_and_a_bounded_number_of_queries(client_for, desk, centre, neike):
    client = client_for(desk)
    client.get(LOG)
    data = {"centre": centre.pk, "department": neike.pk, "tap": "consultation", "client_token": uuid.uuid4()}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LOG, data)
    assert response.status_code == 302
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert sum(s.startswith("INSERT") for s in statements) == 1
    assert sum(s.startswith("UPDATE") or s.startswith("DELETE") for s in statements) == 0
    assert len(statements) <= 10, statements


def test_the_same_form_sent_again_after_a_dropped_connection_is_stored_once(client_for, desk, centre):
    client = client_for(desk)
    data = {
        "centre": centre.pk,
        "tap": "coordination",
        "note": "家属在候诊区争吵",
        "client_token": uuid.uuid4(),
    }
    client.post(LOG, data)
    again = client.post(LOG, data, follow=True)
    assert DeskEntry.objects.count() == 1
    assert "already saved" in again.content.decode() or "已经保存" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"tap": ""}, None),
        ({"tap": "coordination", "note": ""}, "note"),
        ({"tap": "recovery", "recovery_failed": "CT 胶片丢失"}, "recovery_done"),
        ({"tap": "consultation", "topic": "长" * 201}, "topic"),
        ({"tap": "service:999999"}, None),
    ],
)
def test_an_empty_or_oversized_entry_is_refused_with_a_message_and_nothing_stored(
    client_for, desk, centre, data, field
):
    response = client_for(desk).post(LOG, {"centre": centre.pk, **data})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field or "__all__")
    assert not DeskEntry.objects.exists()


def test_the_recorder_undoes_an_entry_within_a_minute(client_for, desk, centre):
    entry = _record(centre, desk)
    response = client_for(desk).post(reverse("servicedesk:entry_undo", args=[entry.pk]))
    assert response.status_code == 302
    assert not DeskEntry.objects.exists()


def test_an_entry_cannot_be_undone_after_a_minute(client_for, desk, centre):
    entry = _record(centre, desk)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        client_for(desk).post(reverse("servicedesk:entry_undo", args=[entry.pk]))
    assert DeskEntry.objects.filter(pk=entry.pk).exists()


def test_a_colleague_cannot_undo_someone_elses_entry(client_for, desk, centre):
    from supervision.models import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="desk-2", roles=[Role.DESK])
    centre.members.add(colleague)
    entry = _record(centre, desk)
    client_for(colleague).post(reverse("servicedesk:entry_undo", args=[entry.pk]))
    assert DeskEntry.objects.filter(pk=entry.pk).exists()


def test_desk_staff_see_their_centres_log_heads_their_department_the_office_all(
    desk, centre, other_centre, neike, waike, head_neike, supervisor, caller
):
    ours = _record(centre, desk, department=waike)
    other_desk = other_centre.members.get()
    theirs_neike = _record(other_centre, other_desk, department=neike)
    theirs_waike = _record(other_centre, other_desk, department=waike)

    def visible(user):
        return set(selectors.entries_visible_to(user))

    assert visible(desk) == {ours}
    assert visible(head_neike) == {theirs_neike}
    assert visible(supervisor) == {ours, theirs_neike, theirs_waike}
    assert visible(caller) == set()


def test_a_head_opening_another_departments_entry_gets_404(client_for, desk, centre, waike, head_neike):
    entry = _record(centre, desk, department=waike)
    assert client_for(head_neike).get(entry.get_absolute_url()).status_code == 404


def test_desk_staff_of_another_centre_get_404(client_for, desk, centre, other_centre):
    entry = _record(other_centre, other_centre.members.get())
    assert client_for(desk).get(entry.get_absolute_url()).status_code == 404


def test_the_entry_list_query_count_does_not_grow_with_rows(
    client_for, desk, centre, neike, django_assert_max_num_queries
):
    client = client_for(desk)
    _record(centre, desk, department=neike)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("servicedesk:entries"))
    for _ in range(15):
        _record(centre, desk, department=neike)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("servicedesk:entries")).status_code == 200


def test_a_coordination_becomes_a_complaint_owned_by_the_desk_person(client_for, desk, centre, neike):
    entry = _record(centre, desk, kind=EntryKind.COORDINATION, department=neike, note="患者与护士争执")
    response = client_for(desk).post(reverse("servicedesk:entry_complaint", args=[entry.pk]))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.owner, complaint.received_by, complaint.channel) == (
        desk,
        desk,
        ComplaintChannel.FRONT_DESK,
    )
    assert complaint.content == "患者与护士争执"
    assert complaint.department == neike
    entry.refresh_from_db()
    assert entry.complaint == complaint
    # The owner opens it among the complaints they own.
    assert client_for(desk).get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200


def test_the_office_turning_a_coordination_into_a_complaint_leaves_the_desk_person_owner(
    client_for, desk, centre, supervisor
):
    entry = _record(centre, desk, kind=EntryKind.COORDINATION, note="停车纠纷")
    client_for(supervisor).post(reverse("servicedesk:entry_complaint", args=[entry.pk]))
    assert Complaint.objects.get().owner == desk


def test_a_consultation_cannot_become_a_complaint_and_none_becomes_two(client_for, desk, centre):
    consultation = _record(centre, desk)
    client_for(desk).post(reverse("servicedesk:entry_complaint", args=[consultation.pk]))
    assert not Complaint.objects.exists()
    coordination = _record(centre, desk, kind=EntryKind.COORDINATION, note="争执")
    client = client_for(desk)
    client.post(reverse("servicedesk:entry_complaint", args=[coordination.pk]))
    client.post(reverse("servicedesk:entry_complaint", args=[coordination.pk]))
    assert Complaint.objects.count() == 1
