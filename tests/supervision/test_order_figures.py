"""The order figures read once (``selectors.order_counts_and_table``) equal the counts and the table per
department read apart, as the API's rectification figures and the dashboards show them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from supervision import selectors
from supervision.models import Finding, OrderStatus, RectificationOrder
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


def test_the_periods_order_figures_equal_the_orms_read_of_its_orders_and_findings(supervisor, neike, waike):
    """``period_order_figures`` (the API's rectification figures, statements kept per period) gives
    what ``order_counts_and_table`` and the findings' aggregate give for the same orders, on every
    call, and a department's orders are its findings'."""
    from django.db.models import Count

    from supervision.infra import statements
    from supervision.people import day_bounds

    statements.forget()
    today = timezone.localdate()
    for department, status in (
        (neike, OrderStatus.ISSUED),
        (neike, OrderStatus.CLOSED),
        (waike, OrderStatus.VERIFIED),
    ):
        order = make_finding(department=department, found_by=supervisor).order
        RectificationOrder.objects.filter(pk=order.pk).update(
            status=status, deadline=today - dt.timedelta(days=1)
        )
    since, until = day_bounds(today - dt.timedelta(days=30), today)
    for departments in (None, [neike.pk], None):
        orders = RectificationOrder.objects.filter(found_at__gte=since, found_at__lt=until)
        findings = Finding.objects.filter(found_at__gte=since, found_at__lt=until)
        if departments:
            orders = orders.filter(finding__department_id__in=departments)
            findings = findings.filter(department_id__in=departments)
        counts, table, found = selectors.period_order_figures(
            since=since, until=until, departments=departments, today=today
        )
        assert (counts, table) == selectors.order_counts_and_table(orders, today=today, checks=True)
        assert found == findings.aggregate(
            findings=Count("pk"), recurrences=Count("pk", filter=selectors.RECURRENT)
        )
    # A closed order is added: the kept statements read it (counts are never kept, only their SQL).
    order = make_finding(department=waike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED)
    counts, table, found = selectors.period_order_figures(since=since, until=until, today=today)
    assert counts.total == 4 and counts.by_status["closed"] == 2 and found["findings"] == 4
    statements.forget()
