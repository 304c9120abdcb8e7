"""The service desk's dashboard panel: desk staff see their centres' day, the office everything;
heads and callers get no panel; the panel's query count does not grow with the log."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk import services
from servicedesk.models import EntryKind

pytestmark = pytest.mark.django_db


def _log(centre, actor, n=1):
    for _ in range(n):
        services.entry_record(centre=centre, actor=actor, kind=EntryKind.CONSULTATION)


def _stats(html: str) -> list[str]:
    """The panel's figures in the order shown."""
    return re.findall(r'<div class="stat-n">([^<]*)</div>', html)


def test_desk_staff_see_their_centres_day_on_the_dashboard(client_for, desk, centre, other_centre):
    _log(centre, desk, 2)
    _log(other_centre, other_centre.members.get(), 5)
    response = client_for(desk).get(reverse("dashboard"))
    assert response.status_code == 200
    panel = next(p for p in response.context["panels"] if p.template == "servicedesk/_panel.html")
    # The panel is drawn once per figure set (supervision.panels.figures_panel): read its figures.
    assert _stats(panel.html)[:2] == ["2", "2"]  # today, this month


def test_the_office_sees_every_centre_and_heads_get_no_panel(
    client_for, desk, centre, other_centre, supervisor, head_neike
):
    _log(centre, desk, 2)
    _log(other_centre, other_centre.members.get(), 5)
    panels = client_for(supervisor).get(reverse("dashboard")).context["panels"]
    panel = next(p for p in panels if p.template == "servicedesk/_panel.html")
    assert _stats(panel.html)[0] == "7"
    panels = client_for(head_neike).get(reverse("dashboard")).context["panels"]
    assert all(p.template != "servicedesk/_panel.html" for p in panels)


def test_the_panel_query_count_does_not_grow_with_the_log(
    client_for, desk, centre, django_assert_max_num_queries
):
    client = client_for(desk)
    _log(centre, desk)
    client.get(reverse("dashboard"))
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    _log(centre, desk, 20)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("dashboard"))
