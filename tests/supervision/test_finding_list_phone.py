"""On a phone the finding list's columns after "Found" are hidden (they ran off the screen: a reader saw
only the number and the day) and each row says under its number what they held: the department and
category, the order's status (overdue, decided without an order, no order) and its deadline."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from supervision.models import RectificationOrder
from tests.factories import make_finding


def _phone_line(html: str, number: str) -> str:
    row = html.split(f">{number}</a>", 1)[1].split("</tr>", 1)[0]
    return re.sub(
        r"\s+", " ", row.split('class="small d-md-none finding-phone">', 1)[1].split("</div>", 1)[0]
    )


def test_each_row_says_its_department_order_and_deadline_under_the_number_on_a_phone(
    client_for, supervisor, neike
):
    ordered = make_finding(department=neike, found_by=supervisor)
    late = make_finding(department=neike, found_by=supervisor)
    RectificationOrder.objects.filter(pk=late.order.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    unordered = make_finding(department=neike, found_by=supervisor, needs_rectification=False)
    html = client_for(supervisor).get(reverse("finding_list")).content.decode()
    line = _phone_line(html, ordered.number)
    assert line.startswith("内科 · ") and "已下发" in line
    assert f"期限 {ordered.order.deadline:%Y年%-m月%-d日}" in line
    assert "超期" in _phone_line(html, late.number)
    assert "期限" not in _phone_line(html, unordered.number)
    # The columns the line repeats are drawn from a tablet's width (Bootstrap's md) only, header and cells.
    assert html.count('<th class="d-none d-md-table-cell">') == 5
    assert html.count('class="text-nowrap d-none d-md-table-cell"') == 3 * 4


def test_the_phone_line_follows_the_readers_language(client_for, supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    line = _phone_line(client_for(supervisor).get(reverse("finding_list")).content.decode(), finding.number)
    assert "Issued" in line and "Deadline " in line
