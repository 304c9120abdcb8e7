"""A valid complaint names the staff it is about from the roster (issue 16 item 5): they are named
in its finding and it counts on each person's record as a valid complaint."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from complaints import services
from supervision import people
from supervision.models import Attribution, Finding, StaffPosition
from tests.factories import StaffFactory, category

from .factories import make_complaint


def test_a_valid_complaint_names_its_staff_and_counts_on_their_record(supervisor, neike):
    nurse = StaffFactory(name="张护士", department=neike, position=StaffPosition.NURSE)
    complaint = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_determine(
        complaint=complaint,
        actor=supervisor,
        determination="valid",
        categories=[category("attitude")],
        staff=[nurse],
    )
    finding = Finding.objects.get()
    assert list(finding.staff_involved.all()) == [nurse]
    today = timezone.localdate()
    record = people.person_record(staff=nurse, start=today.replace(day=1), end=today)
    assert (record.problems, record.valid_complaints) == (1, 1)


def test_a_complaint_found_not_valid_names_nobody(supervisor, neike):
    nurse = StaffFactory(department=neike)
    complaint = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    services.complaint_determine(
        complaint=complaint, actor=supervisor, determination="not_valid", staff=[nurse]
    )
    assert not Attribution.objects.exists()


def test_the_determination_form_takes_the_staff(client_for, supervisor, neike):
    nurse = StaffFactory(department=neike)
    complaint = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=complaint, actor=supervisor)
    response = client_for(supervisor).post(
        reverse("complaints:action", args=[complaint.pk, "determine"]),
        {
            "determine-determination": "valid",
            "determine-categories": [category("attitude").pk],
            "determine-staff": [nurse.pk],
            "determine-severity": "moderate",
        },
    )
    assert response.status_code == 302
    assert list(Finding.objects.get().staff_involved.all()) == [nurse]
