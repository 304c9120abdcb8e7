"""What desk staff may not open outside their channel: the finding register and its orders and
attachments (they record no findings; the list was an always-empty menu), follow-up patients,
other people's complaints. The permission matrix has the desk's column for every URL; these say
why for the pages that changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_finding
from tests.supervision.test_navigation import menu_links

pytestmark = pytest.mark.django_db


def test_desk_staff_are_refused_the_finding_register_and_a_finding(
    client_for, desk, centre, supervisor, neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    client = client_for(desk)
    assert client.get(reverse("finding_list")).status_code == 403
    assert client.get(reverse("finding_detail", args=[finding.pk])).status_code == 403


def test_the_register_still_opens_for_its_readers(client_for, supervisor, volunteer, head_neike, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    for user in (supervisor, volunteer, head_neike):
        assert client_for(user).get(reverse("finding_list")).status_code == 200
    assert client_for(head_neike).get(reverse("finding_detail", args=[finding.pk])).status_code == 200


def test_the_desks_menu_offers_the_desk_and_not_the_findings_or_follow_up(client_for, desk, centre):
    links = menu_links(client_for(desk))
    assert reverse("servicedesk:log") in links and reverse("servicedesk:kb") in links
    assert reverse("complaints:list") in links  # my complaints: the coordinations they turned
    for refused in ("finding_list", "followups:task_list", "reports:list", "person_list"):
        assert reverse(refused) not in links, refused
