"""首诉负责制: after handing a complaint over, its former owner lands where they can still go."""

from __future__ import annotations

from django.urls import reverse

from complaints.models import Complaint

from .factories import make_complaint


def test_handler_who_hands_over_lands_on_their_list_told_who_owns_it_now(client_for, caller, supervisor):
    # Follow-up staff see only what they own: the complaint's page would be a 404 right after.
    c = make_complaint(received_by=caller)
    client = client_for(caller)
    page = client.post(
        reverse("complaints:action", args=[c.pk, "handover"]),
        {"handover-to_user": supervisor.pk, "handover-note": "转投诉办"},
    )
    assert page.status_code == 302 and page["Location"] == reverse("complaints:list")
    listing = client.get(page["Location"])
    assert listing.status_code == 200
    text = listing.content.decode()
    assert c.number in text and supervisor.display_name in text
    assert Complaint.objects.get(pk=c.pk).owner == supervisor


def test_handler_who_still_sees_the_complaint_stays_on_its_page(client_for, caller, supervisor):
    c = make_complaint(received_by=supervisor)
    page = client_for(supervisor).post(
        reverse("complaints:action", args=[c.pk, "handover"]), {"handover-to_user": caller.pk}
    )
    assert page.status_code == 302 and page["Location"] == c.get_absolute_url()
