"""Year on year on the figures pages (issue 18 item 5): every headline figure beside the same period
last year — "no data last year" when there was none, never a change from 0 %."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import Outcome
from tests.complaints.factories import at as bj
from tests.complaints.factories import make_complaint
from tests.factories import DischargeStayFactory, make_finding
from tests.followups.factories import add_attempt, make_task

pytestmark = pytest.mark.django_db

NO_DATA = "去年同期无数据"


def test_the_dashboard_compares_this_year_with_the_same_days_last_year(supervisor, neike, client_for):
    today = timezone.localdate()
    make_finding(department=neike, found_by=supervisor)
    body = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "今年以来与去年同期对比" in body and NO_DATA in body
    year_ago = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=366), dt.time(10)))
    if year_ago.year == today.year - 1:  # the same days of last year (skipped on 1 January)
        make_finding(department=neike, found_by=supervisor, found_at=year_ago)
        make_finding(department=neike, found_by=supervisor, found_at=year_ago)
        from django.core.cache import cache

        cache.clear()  # the dashboard's figures are cached briefly
        body = client_for(supervisor).get(reverse("dashboard")).content.decode()
        assert "去年同期 2，-1" in body


def test_complaints_figures_show_last_year_or_say_there_was_none(supervisor, client_for):
    make_complaint(received_by=supervisor, received_at=bj("2026-03-02"))
    url = reverse("complaints:figures") + "?start=2026-01-01&end=2026-06-30"
    body = client_for(supervisor).get(url).content.decode()
    assert body.count(NO_DATA) == 2  # received and answered on time: none last year, never 0 %
    for day in ("2025-02-03", "2025-04-01"):
        make_complaint(received_by=supervisor, received_at=bj(day))
    body = client_for(supervisor).get(url).content.decode()
    assert "去年同期 2，-1" in body


def test_follow_up_figures_show_last_years_rate_in_percentage_points(supervisor, neike, client_for):
    for discharged, reached in ((dt.date(2026, 3, 3), True), (dt.date(2026, 3, 4), False)):
        task = make_task(stay=DischargeStayFactory(department=neike, discharged_on=discharged))
        add_attempt(task, outcome=Outcome.REACHED if reached else Outcome.NO_ANSWER)
    url = reverse("followups:figures") + "?start=2026-03-01&end=2026-03-31"
    body = client_for(supervisor).get(url).content.decode()
    assert NO_DATA in body
    for day in (dt.date(2025, 3, 3), dt.date(2025, 3, 5), dt.date(2025, 3, 6), dt.date(2025, 3, 7)):
        task = make_task(stay=DischargeStayFactory(department=neike, discharged_on=day))
        add_attempt(task, outcome=Outcome.REACHED)
    body = client_for(supervisor).get(url).content.decode()
    assert "去年同期 100.00%，-50.00 个百分点" in body
