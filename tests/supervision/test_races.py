"""Races on orders (issue 15 item 21), run for real in two connections on SQLite and PostgreSQL:
two supervisors verifying the same order at once, two issuing an order for the same finding."""

from __future__ import annotations

import pytest

from supervision import services
from supervision.errors import ActionNotAllowed
from supervision.models import Finding, OrderTransition, RectificationOrder
from tests.factories import make_finding
from tests.races import run_at_once

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_supervisors_verifying_the_same_order_at_once_close_it_once(neike, supervisor, head_neike):
    from tests.factories import UserFactory

    second = UserFactory(username="supervisor-2", roles=["supervisor"])
    order = services.order_acknowledge(
        order=make_finding(department=neike, found_by=supervisor).order, actor=head_neike
    )
    order = services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")

    def verify(user):
        stale = RectificationOrder.objects.get(pk=order.pk)  # both pages show "submitted"
        return lambda: services.order_verify(order=stale, actor=user)

    outcomes = run_at_once({"a": verify(supervisor), "b": verify(second)}, refusals=(ActionNotAllowed,))
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    assert OrderTransition.objects.filter(order=order, action="verify").count() == 1


def test_two_supervisors_issuing_an_order_for_the_same_finding_at_once_issue_one(
    neike, supervisor, volunteer
):
    from tests.factories import UserFactory

    second = UserFactory(username="supervisor-2", roles=["supervisor"])
    finding = make_finding(department=neike, found_by=volunteer, needs_rectification=False)

    def issue(user):
        stale = Finding.objects.get(pk=finding.pk)  # both pages offer "issue an order"
        return lambda: services.finding_order_issue(finding=stale, actor=user)

    outcomes = run_at_once({"a": issue(supervisor), "b": issue(second)}, refusals=(ActionNotAllowed,))
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    assert RectificationOrder.objects.filter(finding=finding).count() == 1
    assert OrderTransition.objects.filter(order__finding=finding, action="issue").count() == 1
