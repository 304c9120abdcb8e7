"""The navbar comes from the channel contract, and a menu entry never leads to a refusal.

Each persona's menu is read from the rendered page (what the person sees) and every link in it
is opened: none may answer 403 or 404, since an entry is shown only to the users the guard of its
page admits (supervision.channels.may_open).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from supervision.channels import Channel, NavEntry, NavMenu, may_open, nav_menus, registered
from supervision.models import Role
from tests.factories import UserFactory, make_finding

pytestmark = pytest.mark.django_db

PERSONAS = ("supervisor", "caller", "head_neike", "administrator", "volunteer", "desk")
NAVBAR = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="([^"#][^"]*)"')


def menu_links(client) -> list[str]:
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    navbar = NAVBAR.search(page.content.decode()).group(0)
    return sorted(set(HREF.findall(navbar)))


@pytest.fixture(autouse=True)
def _fresh_navbar():
    cache.clear()  # the navbar fragment is cached by roles; each test draws its own
    yield
    cache.clear()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_of_every_personas_menu_opens(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    links = menu_links(client)
    assert len(links) >= 3  # the dashboard, the notifications and the role's own work at least
    refused = {}
    for url in links:
        response = client.get(url, follow=True)
        if response.status_code != 200:
            refused[url] = response.status_code
    assert not refused, f"{persona} is offered pages that refuse them: {refused}"


def test_menus_offer_each_role_its_work_and_not_the_others(client_for, supervisor, administrator, caller):
    sup = menu_links(client_for(supervisor))
    assert reverse("finding_list") in sup and reverse("inspections:round_create") in sup
    admin = menu_links(client_for(administrator))
    # The hospital office oversees and configures; recording findings and rounds is the supervisors'.
    assert reverse("inspections:round_create") not in admin and reverse("finding_create") not in admin
    assert reverse("import_page", args=["staff"]) in admin
    calls = menu_links(client_for(caller))
    assert reverse("followups:my_tasks") in calls and reverse("inspections:round_list") not in calls


def test_the_callers_finding_register_lists_only_findings_they_can_open(
    client_for, caller, supervisor, neike
):
    own = make_finding(department=neike, found_by=caller)
    make_finding(department=neike, found_by=supervisor)
    client = client_for(caller)
    page = client.get(reverse("finding_list")).content.decode()
    listed = set(re.findall(r'href="(/findings/\d+/)"', page))
    assert listed == {reverse("finding_detail", args=[own.pk])}
    for url in listed:
        assert client.get(url).status_code == 200


def test_an_audience_narrows_the_guard_and_never_widens_it(supervisor, caller):
    # complaints:figures is guarded for the office only: an audience naming callers does not help them.
    entry = NavEntry(_("Complaint figures"), "complaints:figures", audience=(Role.FOLLOWUP, Role.SUPERVISOR))
    assert may_open(supervisor, entry) and not may_open(caller, entry)
    narrowed = NavEntry(_("Complaint figures"), "complaints:figures", audience=(Role.ADMINISTRATOR,))
    assert not may_open(supervisor, narrowed)


def test_a_public_page_in_a_menu_must_say_whom_it_is_for(supervisor):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="audience"):
        may_open(supervisor, NavEntry(_("Public complaint page"), "complaints:public_form"))


def test_a_registered_channel_adds_its_menu_and_a_single_visible_entry_is_a_link(supervisor, caller):
    menu = NavMenu(
        "Lab",
        (
            NavEntry("Lab rounds", "inspections:round_list"),  # supervisors, heads, office
            NavEntry("Lab figures", "complaints:figures"),  # supervisors and office
        ),
    )
    with registered(Channel(app="lab", nav=(menu,))):
        shown = {m.label: m for m in nav_menus(supervisor)}
        assert [link.label for link in shown["Lab"].links] == ["Lab rounds", "Lab figures"]
        assert shown["Lab"].single is None
        assert "Lab" not in {m.label for m in nav_menus(caller)}
    assert "Lab" not in {m.label for m in nav_menus(supervisor)}


def test_a_user_without_a_role_is_offered_nothing():
    nobody = UserFactory(username="nobody", roles=[])
    assert nav_menus(nobody) == []
