"""The finding list counts the whole list and each "needs me now" queue through a statement kept per
scope, queue and day (supervision.infra.statements): the number and the rows stay live, each
viewer's own, and equal to what the filters give."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import services
from supervision.infra import statements
from tests.factories import make_finding

URL = reverse("finding_list")


@pytest.fixture(autouse=True)
def _fresh_statements():
    statements.forget()
    yield
    statements.forget()


def _count(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["page"].paginator.count, response.content.decode()


def test_the_lists_count_follows_a_finding_recorded_after_its_statement_was_kept(
    client_for, supervisor, neike
):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    assert _count(client)[0] == 1
    assert _count(client)[0] == 1  # from the kept statement
    make_finding(department=neike, found_by=supervisor, description="病房地面湿滑无警示")
    count, html = _count(client)
    assert count == 2 and "病房地面湿滑无警示" in html


def test_a_queues_count_moves_with_the_order_and_is_each_heads_own(
    client_for, supervisor, head_neike, head_waike, neike, waike
):
    ours = [make_finding(department=neike, found_by=supervisor).order for _ in range(2)]
    theirs = make_finding(department=waike, found_by=supervisor).order
    for head, orders in ((head_neike, ours), (head_waike, [theirs])):
        for order in orders:
            services.order_acknowledge(order=order, actor=head)
    client = client_for(head_neike)
    assert _count(client, queue="orders_to_respond")[0] == 2
    assert _count(client_for(head_waike), queue="orders_to_respond")[0] == 1
    assert _count(client_for(head_neike), queue="orders_to_respond")[0] == 2  # each head's own statement
    assert _count(client_for(head_neike), queue="orders_to_acknowledge")[0] == 0
    make_finding(department=neike, found_by=supervisor)  # a new order: to acknowledge, not to respond to
    client = client_for(head_neike)
    assert _count(client, queue="orders_to_acknowledge")[0] == 1
    assert _count(client, queue="orders_to_respond")[0] == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "1"},
        {"queue": "orders_to_acknowledge"},
        {"queue": "orders_to_acknowledge", "page": "1"},
        {"queue": "orders_to_acknowledge", "department": "NEIKE"},  # another filter: the ORM's count
        {"queue": "no-such-queue"},  # refused: the ORM counts what the view shows
        {"found_from": "notadate"},
        {"overdue": "false"},
    ],
)
def test_the_count_is_the_number_of_rows_the_filters_give(client_for, supervisor, neike, waike, params):
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)
    make_finding(department=neike, found_by=supervisor, needs_rectification=False)
    params = {k: str(neike.pk) if v == "NEIKE" else v for k, v in params.items()}
    client = client_for(supervisor)
    for _ in range(2):  # built, then kept
        response = client.get(URL, params)
        page = response.context["page"]
        assert page.paginator.count == page.paginator.object_list.count() == len(page.object_list)
