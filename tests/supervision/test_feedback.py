"""Feedback to whoever raised it: a volunteer is told what became of each observation (decided
without an order, order issued, order closed) and sees that status on their list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from supervision import services
from supervision.errors import ActionNotAllowed
from supervision.models import FindingSource, Notification
from tests.factories import make_finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def observation(neike, volunteer):
    return make_finding(
        department=neike, found_by=volunteer, source=FindingSource.VOLUNTEER, needs_rectification=False
    )


def _told(volunteer) -> list[str]:
    with translation.override("en"):
        return [n.title_text for n in Notification.objects.filter(recipient=volunteer).order_by("id")]


def test_a_supervisor_decides_no_order_is_needed_and_the_volunteer_is_told_and_sees_it(
    observation, supervisor, volunteer, client_for
):
    assert observation.outcome == "pending"
    services.finding_decide_no_order(finding=observation, actor=supervisor, reason="已现场提醒，无需整改")
    observation.refresh_from_db()
    assert (observation.outcome, observation.decided_by, observation.decision_note) == (
        "no_order",
        supervisor,
        "已现场提醒，无需整改",
    )
    assert _told(volunteer) == [
        f"Your observation {observation.number}: the office decided no order is needed"
    ]
    client = client_for(volunteer)
    assert "不需整改" in client.get(reverse("dashboard")).content.decode()
    assert "不需整改" in client.get(reverse("finding_list")).content.decode()
    assert "已现场提醒，无需整改" in client.get(observation.get_absolute_url()).content.decode()


def test_a_volunteer_is_told_when_an_order_is_issued_and_when_it_is_closed(
    observation, supervisor, head_neike, volunteer, client_for
):
    order = services.finding_order_issue(finding=observation, actor=supervisor)
    services.order_acknowledge(order=order, actor=head_neike)
    services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")
    services.order_verify(order=order, actor=supervisor)
    assert _told(volunteer) == [
        f"Your observation {observation.number}: rectification order {order.number} issued",
        f"Your observation {observation.number}: order {order.number} rectified and verified",
    ]
    assert "整改完成" in client_for(volunteer).get(reverse("dashboard")).content.decode()


def test_a_supervisors_own_finding_tells_no_volunteer(neike, supervisor, head_neike, volunteer):
    order = make_finding(department=neike, found_by=supervisor).order
    services.order_acknowledge(order=order, actor=head_neike)
    services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")
    services.order_verify(order=order, actor=supervisor)
    assert not Notification.objects.filter(recipient=volunteer).exists()


def test_a_decision_is_refused_twice_with_an_order_without_a_reason_and_for_others(
    observation, neike, supervisor, head_neike
):
    with translation.override("en"):
        with pytest.raises(ActionNotAllowed, match="Only supervisors"):
            services.finding_decide_no_order(finding=observation, actor=head_neike, reason="x")
        with pytest.raises(ActionNotAllowed, match="reason"):
            services.finding_decide_no_order(finding=observation, actor=supervisor, reason="  ")
        services.finding_decide_no_order(finding=observation, actor=supervisor, reason="x")
        with pytest.raises(ActionNotAllowed, match="already been decided"):
            services.finding_decide_no_order(finding=observation, actor=supervisor, reason="y")
        ordered = make_finding(department=neike, found_by=supervisor)
        with pytest.raises(ActionNotAllowed, match="already has a rectification order"):
            services.finding_decide_no_order(finding=ordered, actor=supervisor, reason="x")


def test_the_decision_page_posts_for_supervisors_only_and_keeps_an_invalid_form(
    observation, supervisor, head_neike, client_for
):
    url = reverse("finding_decide", args=[observation.pk])
    assert client_for(head_neike).post(url, {"decide-reason": "x"}).status_code == 403
    invalid = client_for(supervisor).post(url, {"decide-reason": ""})
    assert invalid.status_code == 400 and 'id="f-decide" class="collapse show' in invalid.content.decode()
    assert client_for(supervisor).post(url, {"decide-reason": "已提醒"}).status_code == 302
    observation.refresh_from_db()
    assert observation.decision_note == "已提醒"
