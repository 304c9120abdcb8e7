"""The finding's page carries its attributions' dispute buttons (issue 16 item 5): the head of the
person's department disputes, the office upholds or withdraws — whatever the ATTRIBUTIONS table
allows this reader, never a role named in the template."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import AttributionStatus, StaffPosition
from tests.factories import StaffFactory, make_finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(neike):
    return StaffFactory(name="张护士", employee_no="N0001", department=neike, position=StaffPosition.NURSE)


@pytest.fixture
def finding(neike, supervisor, nurse):
    return make_finding(department=neike, found_by=supervisor, staff=[nurse])


def _page(client, finding):
    return client.get(reverse("finding_detail", args=[finding.pk]))


def test_the_head_disputes_and_the_office_decides_on_the_findings_page(
    client_for, supervisor, head_neike, finding
):
    head_page = _page(client_for(head_neike), finding).content.decode()
    assert 'data-action="dispute"' in head_page and 'id="attribution-actions"' in head_page
    office_page = _page(client_for(supervisor), finding).content.decode()
    assert 'id="attribution-actions"' not in office_page  # nothing to decide yet

    attribution = finding.attributions.get()
    url = reverse("attribution_action", args=[attribution.pk, "dispute"])
    done = client_for(head_neike).post(url, {"dispute-reason": "当天休息", "back": "finding"})
    assert done.status_code == 302 and done.url == finding.get_absolute_url()

    office_page = _page(client_for(supervisor), finding).content.decode()
    assert 'data-action="uphold"' in office_page and 'data-action="withdraw"' in office_page
    assert 'data-action="dispute"' not in _page(client_for(head_neike), finding).content.decode()
    withdraw = reverse("attribution_action", args=[attribution.pk, "withdraw"])
    done = client_for(supervisor).post(withdraw, {"withdraw-comment": "核实", "back": "finding"})
    assert done.url == finding.get_absolute_url()
    attribution.refresh_from_db()
    assert attribution.status == AttributionStatus.WITHDRAWN
    assert 'id="attribution-actions"' not in _page(client_for(supervisor), finding).content.decode()


def test_a_dispute_without_a_reason_comes_back_open_on_the_findings_page(client_for, head_neike, finding):
    attribution = finding.attributions.get()
    url = reverse("attribution_action", args=[attribution.pk, "dispute"])
    bad = client_for(head_neike).post(url, {"dispute-reason": "", "back": "finding"})
    html = bad.content.decode()
    assert bad.status_code == 400 and finding.number in html
    assert f'id="f-dispute-{attribution.pk}" class="collapse show' in html
    attribution.refresh_from_db()
    assert attribution.status == AttributionStatus.ATTRIBUTED


def test_other_readers_get_no_buttons_and_another_department_a_404(
    client_for, head_waike, volunteer, finding
):
    assert _page(client_for(head_waike), finding).status_code == 404
    assert _page(client_for(volunteer), finding).status_code == 404  # not their observation
    attribution = finding.attributions.get()
    url = reverse("attribution_action", args=[attribution.pk, "dispute"])
    assert client_for(head_waike).post(url, {"dispute-reason": "x", "back": "finding"}).status_code == 404
    assert client_for(volunteer).post(url, {"dispute-reason": "x", "back": "finding"}).status_code == 403


def test_the_findings_page_takes_a_bounded_number_of_queries_with_more_people(
    client_for, head_neike, neike, supervisor, django_assert_max_num_queries
):
    one = make_finding(department=neike, found_by=supervisor, staff=[StaffFactory(department=neike)])
    many = make_finding(
        department=neike, found_by=supervisor, staff=[StaffFactory(department=neike) for _ in range(5)]
    )
    services.attribution_dispute(attribution=many.attributions.first(), actor=head_neike, reason="x")
    client = client_for(head_neike)
    _page(client, one)
    with django_assert_max_num_queries(1000) as few:
        assert _page(client, one).status_code == 200
    # Read now: the next request resets the connection's query log that ``few`` reads.
    bound = len(few)
    _page(client, many)
    with django_assert_max_num_queries(bound):
        html = _page(client, many).content.decode()
    assert html.count('data-action="dispute"') == 4
