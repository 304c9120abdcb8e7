"""What every logged-in page pays (issue 23): the roles, the unread badge, the navigation drawn once per
process for each set of roles and language, and the frame's fixed links."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.templatetags.static import static
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from supervision import context_processors
from supervision.channels import Channel, NavEntry, NavMenu, registered
from supervision.models import Notification, Role, User
from supervision.selectors import unread_items
from supervision.templatetags.ducha import static_once, url_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notice(user, item, **fields):
    return Notification.objects.create(
        recipient=user, kind="order_issued", title=item, item=item, dedupe_key=f"{user.pk}-{item}", **fields
    )


def test_roles_are_the_users_role_groups_read_in_one_query(django_assert_num_queries):
    user = UserFactory(username="two-hats", roles=[Role.SUPERVISOR, Role.DESK])
    user.groups.add(Group.objects.create(name="book-club"))  # not a role: never one of the roles
    fresh = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert fresh.roles == {Role.SUPERVISOR, Role.DESK}
        assert fresh.has_role(Role.DESK) and not fresh.has_role(Role.DEPT_HEAD)


def test_an_inactive_user_has_no_role_and_a_prefetched_user_costs_no_query(django_assert_num_queries):
    user = UserFactory(username="left", roles=[Role.SUPERVISOR])
    prefetched = User.objects.prefetch_related("groups").get(pk=user.pk)
    with django_assert_num_queries(0):
        assert prefetched.roles == {Role.SUPERVISOR}
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert User.objects.get(pk=user.pk).roles == frozenset()


def test_unread_items_are_the_users_unread_work_only_and_capped(supervisor, caller):
    notice(supervisor, "/findings/1/")
    notice(supervisor, "/findings/2/", read_at=timezone.now())
    notice(supervisor, "/findings/3/", moved_on_at=timezone.now())
    notice(caller, "/findings/4/")
    assert unread_items(supervisor, limit=100) == ["/findings/1/"]
    for n in range(5, 9):
        notice(supervisor, f"/findings/{n}/")
    # Capped to the newest: the partial index notification_unread gives them in order.
    assert unread_items(supervisor, limit=3) == ["/findings/8/", "/findings/7/", "/findings/6/"]


def test_opening_a_notices_page_reads_it_and_the_badge_counts_the_rest(client_for, supervisor):
    notice(supervisor, "/findings/1/")
    notice(supervisor, reverse("notification_list"))
    page = client_for(supervisor).get(reverse("notification_list"))
    assert page.context["unread_notifications"] == 1
    assert Notification.objects.get(item=reverse("notification_list")).read_at is not None


@pytest.mark.urls("benchmarks.urls")
def test_the_frame_makes_four_queries_whatever_the_notices(client_for, supervisor, django_assert_num_queries):
    client = client_for(supervisor)
    client.get("/__bench__/empty")
    for n in range(30):
        notice(supervisor, f"/findings/{n}/")
    # The session, the user, the roles, the unread items: the empty page is the frame alone.
    with django_assert_num_queries(4):
        assert client.get("/__bench__/empty").status_code == 200


def _many_notices(user, n, prefix="/findings/"):
    Notification.objects.bulk_create(
        Notification(
            recipient=user, kind="order_issued", title=f"n{i}", item=f"{prefix}{i}/", dedupe_key=f"many-{i}"
        )
        for i in range(n)
    )


@pytest.mark.urls("benchmarks.urls")
def test_past_the_badges_cap_the_frame_still_makes_four_queries(
    client_for, supervisor, django_assert_num_queries
):
    # Past the cap the page's own notice may be further on than the badge's items; the badge's query
    # says whether there is one, so a page without any writes nothing (it wrote an UPDATE on every
    # page once a user had 100 unread notices: the frame's queries grew with the notices kept).
    client = client_for(supervisor)
    _many_notices(supervisor, context_processors.UNREAD_BADGE_CAP + 20)
    with django_assert_num_queries(4):
        page = client.get("/__bench__/empty")
    assert page.context["unread_notifications"] == context_processors.UNREAD_BADGE_CAP


def test_past_the_badges_cap_a_pages_older_notice_is_read_on_opening_it(client_for, supervisor):
    page_path = reverse("notification_list")
    older = notice(supervisor, page_path)
    _many_notices(supervisor, context_processors.UNREAD_BADGE_CAP + 5)  # all newer than the page's notice
    client_for(supervisor).get(page_path)
    older.refresh_from_db()
    assert older.read_at is not None
    # Nothing else was read: the other pages' notices stay unread.
    unread = Notification.objects.filter(recipient=supervisor, read_at__isnull=True)
    assert unread.count() == context_processors.UNREAD_BADGE_CAP + 5


def test_the_navigation_is_drawn_once_per_set_of_roles_and_language(
    monkeypatch, client_for, supervisor, caller
):
    context_processors._navigation.clear()
    drawn = []
    real = context_processors.nav_menus
    monkeypatch.setattr(context_processors, "nav_menus", lambda user: drawn.append(user) or real(user))
    other_supervisor = UserFactory(username="sup2", full_name="第二督导", roles=[Role.SUPERVISOR])
    client = client_for(supervisor)
    first = client.get(reverse("notification_list")).content.decode()
    second = client_for(other_supervisor).get(reverse("notification_list")).content.decode()
    assert len(drawn) == 1
    assert reverse("inspections:round_create") in first and reverse("inspections:round_create") in second
    # The user's own name is never part of what is shared: each page shows its own.
    assert "第二督导" in second and "第二督导" not in first
    callers_page = client_for(caller).get(reverse("notification_list")).content.decode()
    assert len(drawn) == 2 and reverse("inspections:round_create") not in callers_page
    with translation.override("en"):
        context_processors.navigation(supervisor)
    assert len(drawn) == 3


def test_a_channel_registered_later_is_in_the_navbar_at_once(client_for, supervisor):
    client = client_for(supervisor)
    client.get(reverse("notification_list"))  # drawn and kept for the supervisor's roles
    lab = NavMenu("Lab", (NavEntry("Lab rounds", "inspections:round_list"),))
    with registered(Channel(app="lab", nav=(lab,))):
        assert ">Lab</a>" in client.get(reverse("notification_list")).content.decode()
    assert ">Lab</a>" not in client.get(reverse("notification_list")).content.decode()


def test_the_role_names_are_the_users_in_their_language():
    user = UserFactory(username="two-hats", roles=[Role.SUPERVISOR, Role.ADMINISTRATOR])
    with translation.override("en"):
        assert context_processors.navigation(user)["role_names"] == "Supervisor Administrator"


def test_fixed_links_are_djangos_own_and_follow_a_changed_setting():
    assert static_once("css/ducha.css") == static("css/ducha.css")
    assert url_once("dashboard") == reverse("dashboard")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert static_once("css/ducha.css").startswith("/elsewhere/")
    assert static_once("css/ducha.css") == static("css/ducha.css")
