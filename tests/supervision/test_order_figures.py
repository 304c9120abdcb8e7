"""The order figures read once (``selectors.order_counts_and_table``) equal the counts and the table per
department read apart, as the API's rectification figures and the dashboards show them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from supervision import selectors
from supervision.models import OrderStatus, RectificationOrder
from tests.factories import make_finding


def test_the_counts_and_the_table_read_once_equal_each_read_apart(supervisor, neike, waike):
    today = timezone.localdate()
    states = [
        (OrderStatus.ISSUED, {"deadline": today - dt.timedelta(days=3)}),
        (OrderStatus.ISSUED, {"deadline": today + dt.timedelta(days=1)}),
        (OrderStatus.ACKNOWLEDGED, {"deadline": today}),
        (OrderStatus.RETURNED, {}),
        (OrderStatus.SUBMITTED, {}),
        (OrderStatus.VERIFIED, {"check_due": today, "closed_on_time": True}),
        (OrderStatus.VERIFIED, {"check_due": today + dt.timedelta(days=5), "closed_on_time": False}),
        (OrderStatus.CLOSED, {"closed_on_time": True}),
    ]
    for department, take in ((neike, states), (waike, states[::3])):
        for status, fields in take:
            order = make_finding(department=department, found_by=supervisor).order
            RectificationOrder.objects.filter(pk=order.pk).update(status=status, **fields)
    orders = RectificationOrder.objects.all()

    counts, table = selectors.order_counts_and_table(orders, today=today)

    assert counts == selectors.order_counts(orders, today=today, checks=False)
    assert table == selectors.department_order_table(orders, today=today)
    assert counts.total == len(states) + len(states[::3])
    assert [row["department_id"] for row in table] == [neike.pk, waike.pk]
