"""A list opened with no filter, or from a "needs me now" card with its queue alone, is answered
without building its filter set (supervision.infra.filtersets: ``Unfiltered``, ``Narrowed``): the same
rows, count and form as the filter set gives; anything else is the filter set's."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from complaints.filters import ComplaintFilter
from supervision import services
from supervision.filters import FindingFilter
from supervision.infra import statements
from supervision.infra.filtersets import Narrowed, Unfiltered
from tests.complaints.factories import assigned
from tests.factories import make_finding


@pytest.fixture(autouse=True)
def _fresh_statements():
    statements.forget()
    yield
    statements.forget()


def _shown(response):
    """The filter form and the table of a list page, and its rows' ids."""
    html = response.content.decode()
    form = html.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    return form, table, response.context["page"].paginator.count


def test_a_queue_link_lists_what_the_filter_set_lists_without_building_it(
    client_for, supervisor, head_neike, neike, waike
):
    ours = [make_finding(department=neike, found_by=supervisor).order for _ in range(2)]
    make_finding(department=neike, found_by=supervisor)  # to acknowledge: not in the queue
    for order in ours:
        services.order_acknowledge(order=order, actor=head_neike)
    client = client_for(head_neike)
    url = reverse("finding_list")
    narrowed = client.get(url, {"queue": "orders_to_respond"})
    assert isinstance(narrowed.context["filter"], Narrowed)
    built = client.get(url, {"queue": "orders_to_respond", "q": ""})  # another field sent: the filter set's
    assert isinstance(built.context["filter"], FindingFilter)
    assert _shown(narrowed) == _shown(built) and _shown(narrowed)[2] == 2
    with mock.patch.object(FindingFilter, "__init__", side_effect=AssertionError("built")):
        again = client.get(url, {"queue": "orders_to_respond", "page": "1"})  # the markup already drawn
    assert _shown(again) == _shown(built)
    assert '<option value="orders_to_respond" selected>' in _shown(again)[0]
    assert isinstance(client.get(url).context["filter"], Unfiltered)


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "no-such-queue"},  # refused by the form
        {"queue": ["orders_to_respond", "checks_due"]},
        {"queue": "orders_to_respond", "department": "1"},
        {"queue": "orders_to_respond", "utm": "x"},
        {"status": "issued"},
    ],
)
def test_what_a_queue_link_does_not_hold_alone_is_left_to_the_filter_set(client_for, head_neike, params):
    response = client_for(head_neike).get(reverse("finding_list"), params)
    assert isinstance(response.context["filter"], FindingFilter)


def test_complaints_awaiting_a_heads_reply_are_listed_as_the_filter_set_lists_them(
    client_for, supervisor, head_neike, neike, waike
):
    assigned(supervisor=supervisor, departments=[neike])
    assigned(supervisor=supervisor, departments=[waike])
    client = client_for(head_neike)
    url = reverse("complaints:list")
    for value in ("true", "false"):
        narrowed = client.get(url, {"awaiting_reply": value})
        assert isinstance(narrowed.context["filter"], Narrowed)
        built = client.get(url, {"awaiting_reply": value, "mine": ""})
        assert isinstance(built.context["filter"], ComplaintFilter)
        assert _shown(narrowed) == _shown(built)
    assert _shown(client.get(url, {"awaiting_reply": "true"}))[2] == 1
    refused = client.get(url, {"awaiting_reply": "maybe"})
    assert isinstance(refused.context["filter"], ComplaintFilter) and refused.context["refused"]
