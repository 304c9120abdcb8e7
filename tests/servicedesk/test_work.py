"""A desk person's own work (issue 21 item 5): entries by kind, escorts and their minutes, recoveries
and complaints handed over, for a chosen period; the office sees each desk person's. The log page,
the work pages, the report's table by person and the per-person sheet read one selector."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicedesk import selectors, services
from servicedesk.models import EntryKind
from supervision.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
NOV = {"start": "2026-11-01", "end": "2026-11-30"}
WORK = reverse("servicedesk:work")


def _log(centre, actor, day, kind=EntryKind.CONSULTATION, **kw):
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    entry, _new = services.entry_record(centre=centre, actor=actor, kind=kind, recorded_at=at, **kw)
    return entry


@pytest.fixture
def november(centre, desk, waike):
    """November 2026 by hand for 孙客服: 2 consultations, 2 escorts (20 + 15 minutes), 1 recovery
    costing 80 yuan, 1 coordination turned into a complaint; one consultation on 1 December is
    outside the period."""
    _log(centre, desk, D(2026, 11, 2))
    _log(centre, desk, D(2026, 11, 3))
    _log(
        centre,
        desk,
        D(2026, 11, 4),
        EntryKind.ESCORT,
        escort_from="大厅",
        escort_to="CT室",
        escort_minutes=20,
    )
    _log(
        centre,
        desk,
        D(2026, 11, 5),
        EntryKind.ESCORT,
        escort_from="大厅",
        escort_to="病房",
        escort_minutes=15,
    )
    _log(
        centre,
        desk,
        D(2026, 11, 9),
        EntryKind.RECOVERY,
        recovery_failed="胶片丢失",
        recovery_done="重印",
        recovery_cost=Decimal("80"),
    )
    coordination = _log(centre, desk, D(2026, 11, 20), EntryKind.COORDINATION, department=waike, note="争执")
    services.entry_make_complaint(entry=coordination, actor=desk)
    _log(centre, desk, D(2026, 12, 1))


def test_desk_staff_see_their_own_work_for_a_chosen_period(client_for, desk, november):
    page = client_for(desk).get(WORK, NOV)
    assert page.status_code == 200 and page.context["own"]
    work = page.context["work"]
    assert (work["count"], work["escorts"], work["escort_minutes"]) == (6, 2, 35)
    assert (work["recoveries"], work["recovery_cost"], work["complaints"]) == (1, Decimal("80"), 1)
    assert work["by_kind"] == {"consultation": 2, "escort": 2, "service": 0, "coordination": 1, "recovery": 1}
    body = page.content.decode()
    assert "我的工作" in body and "转为投诉" in body
    # Each count opens the entries behind it: the person's, of that kind, in the period.
    entries = client_for(desk).get(
        reverse("servicedesk:entries"), {"kind": "escort", "person": desk.pk, **NOV}
    )
    assert entries.context["page"].paginator.count == 2


def test_the_period_defaults_to_this_month_and_a_reversed_one_is_refused_with_a_message(
    client_for, desk, centre
):
    today = timezone.localdate()
    _log(centre, desk, today)
    client = client_for(desk)
    page = client.get(WORK)
    assert (page.context["start"], page.context["end"]) == (today.replace(day=1), today)
    assert page.context["work"]["count"] == 1
    refused = client.get(WORK, {"start": "2026-11-30", "end": "2026-11-01"})
    assert refused.status_code == 200
    assert "结束日期早于开始日期" in refused.content.decode()
    assert refused.context["start"] == today.replace(day=1)  # this month, nothing lost
    assert client.get(WORK, {"start": "不是日期"}).status_code == 200


def test_desk_staff_open_their_own_record_and_get_404_for_a_colleagues(
    client_for, desk, centre, other_centre
):
    colleague = other_centre.members.get()
    client = client_for(desk)
    assert client.get(reverse("servicedesk:person_work", args=[desk.pk])).status_code == 200
    assert client.get(reverse("servicedesk:person_work", args=[colleague.pk])).status_code == 404


def test_the_office_sees_each_desk_persons_work_and_opens_one(
    client_for, supervisor, administrator, desk, november, other_centre
):
    colleague = other_centre.members.get()
    page = client_for(supervisor).get(WORK, NOV)
    assert page.status_code == 200
    rows = {r["user_id"]: r for r in page.context["rows"]}
    assert rows[desk.pk]["count"] == 6 and rows[desk.pk]["complaints"] == 1
    assert rows[colleague.pk]["count"] == 0  # a desk person who logged nothing is a row too
    one = client_for(administrator).get(reverse("servicedesk:person_work", args=[desk.pk]), NOV)
    assert one.status_code == 200 and not one.context["own"]
    assert one.context["work"]["count"] == 6
    # Someone who never worked at the desk has no desk record.
    assert (
        client_for(supervisor).get(reverse("servicedesk:person_work", args=[supervisor.pk])).status_code
        == 404
    )


def test_heads_and_callers_may_not_open_the_work_pages(client_for, head_neike, caller, desk, centre):
    for user in (head_neike, caller):
        assert client_for(user).get(WORK).status_code == 403
        assert client_for(user).get(reverse("servicedesk:person_work", args=[desk.pk])).status_code == 403


def test_the_desk_page_the_work_pages_and_the_report_read_one_figure(november, desk, supervisor):
    start, end = D(2026, 11, 1), D(2026, 11, 30)
    own = selectors.person_work(user_id=desk.pk, start=start, end=end)
    by_person = selectors.figures(start=start, end=end)["by_person"]
    listed = next(r for r in selectors.staff_work(start=start, end=end) if r["user_id"] == desk.pk)
    assert by_person == [{"user_id": desk.pk, "name": "孙客服", **own}]
    assert listed == {**by_person[0], "active": True}


def test_the_office_table_query_count_does_not_grow_with_desk_people(
    client_for, supervisor, centre, django_assert_max_num_queries
):
    client = client_for(supervisor)
    _log(centre, centre.members.get(), D(2026, 11, 2))
    client.get(WORK, NOV)
    with CaptureQueriesContext(connection) as few:
        client.get(WORK, NOV)
    for i in range(5):
        person = UserFactory(username=f"desk-more-{i}", roles=[Role.DESK])
        centre.members.add(person)
        _log(
            centre,
            person,
            D(2026, 11, 3 + i),
            EntryKind.ESCORT,
            escort_from="a",
            escort_to="b",
            escort_minutes=5,
        )
    with django_assert_max_num_queries(len(few)):
        assert client.get(WORK, NOV).status_code == 200


def test_the_own_page_query_count_does_not_grow_with_the_log(
    client_for, desk, centre, django_assert_max_num_queries
):
    client = client_for(desk)
    _log(centre, desk, D(2026, 11, 2))
    client.get(WORK, NOV)
    with CaptureQueriesContext(connection) as few:
        client.get(WORK, NOV)
    for day in range(3, 20):
        _log(centre, desk, D(2026, 11, day), EntryKind.RECOVERY, recovery_failed="x", recovery_done="y")
    with django_assert_max_num_queries(len(few)):
        assert client.get(WORK, NOV).context["work"]["recoveries"] == 17


def test_the_dashboard_panel_and_the_people_page_link_to_the_work(
    client_for, desk, centre, supervisor, head_neike
):
    url = reverse("servicedesk:work")
    mine = client_for(desk).get(reverse("dashboard")).content.decode()
    assert f'href="{url}"' in mine and "我的工作" in mine
    office = client_for(supervisor)
    assert "客服人员工作量" in office.get(reverse("dashboard")).content.decode()
    people = office.get(reverse("person_list")).content.decode()
    assert f'href="{url}"' in people
    # A head reads the people page but not the desk's work: no link that would refuse them.
    assert f'href="{url}"' not in client_for(head_neike).get(reverse("person_list")).content.decode()


def test_the_head_of_a_centre_sees_its_desk_staffs_work_and_no_other_centres(
    client_for, desk, centre, other_centre, november
):
    head = UserFactory(username="desk-head", full_name="赵主任", roles=[Role.DESK])
    centre.members.add(head)
    centre.leads.add(head)
    outsider = other_centre.members.get()
    client = client_for(head)
    page = client.get(WORK, NOV)
    assert page.status_code == 200
    assert {r["user_id"] for r in page.context["rows"]} == {desk.pk, head.pk}
    assert next(r for r in page.context["rows"] if r["user_id"] == desk.pk)["count"] == 6
    assert client.get(reverse("servicedesk:person_work", args=[desk.pk]), NOV).status_code == 200
    assert client.get(reverse("servicedesk:person_work", args=[outsider.pk])).status_code == 404
    # The staff they head do not see each other's: a lead's right is not a member's.
    assert client_for(desk).get(reverse("servicedesk:person_work", args=[head.pk])).status_code == 404
