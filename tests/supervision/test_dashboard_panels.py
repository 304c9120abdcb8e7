"""Dashboard panels drawn once per figure set (supervision.panels.figures_panel) and the rows of
"What I submitted" drawn once per content: the same HTML as drawn live, never another scope's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from supervision.infra.figcache import figures_key
from supervision.models import FindingSource
from supervision.panels import figures_panel
from supervision.services import finding_decide_no_order
from tests.factories import make_finding


@pytest.fixture(autouse=True)
def _figures_cached(settings):
    settings.DUCHA_FIGURES_CACHE_SECONDS = 90  # off by default in tests
    cache.clear()
    yield
    cache.clear()


def _panel(user, counts):
    return figures_panel("complaints.panel", "complaints/_panel.html", lambda: {"counts": counts}, user=user)


def test_a_figures_panel_is_the_html_the_dashboard_would_include(supervisor):
    panel = _panel(supervisor, {"unaccepted": 3, "awaiting": 4, "overdue": 5})
    as_of = cache.get(
        figures_key("complaints.panel:html", user=supervisor, vary=("complaints/_panel.html",))
    )[1]
    context = {"counts": {"unaccepted": 3, "awaiting": 4, "overdue": 5}, "as_of": as_of}
    included = Template("{% include template with panel=context %}").render(
        Context(
            {
                "template": "complaints/_panel.html",
                "context": context,
                "user": supervisor,
                "csrf_token": "not-in-a-panel",
            }
        )
    )
    assert panel.html == included
    assert ">5<" in panel.html


def test_a_figures_panel_is_drawn_once_per_figure_set_and_never_for_another_department(
    head_neike, head_waike
):
    neike = _panel(head_neike, {"unaccepted": 11, "awaiting": 0, "overdue": 0})
    # The same figure set again: the stored HTML; the figures are not computed again.
    assert _panel(head_neike, {"unaccepted": 99, "awaiting": 0, "overdue": 0}).html == neike.html
    # 外科's head, same moment: their own figures, drawn for them.
    waike = _panel(head_waike, {"unaccepted": 22, "awaiting": 0, "overdue": 0})
    assert ">22<" in waike.html and ">11<" not in waike.html
    # A new figure set (the figures recomputed once the stored ones are past their time) is drawn anew.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        later = _panel(head_neike, {"unaccepted": 33, "awaiting": 0, "overdue": 0})
    assert ">33<" in later.html


def test_the_dashboard_shows_each_heads_own_complaint_panel(client_for, head_neike, head_waike):
    for head in (head_waike, head_neike, head_waike):
        page = client_for(head).get(reverse("dashboard"))
        panels = [p for p in page.context["panels"] if p.template == "complaints/_panel.html"]
        assert len(panels) == 1
        assert panels[0].html in page.content.decode()


def test_what_i_submitted_lists_my_findings_and_redraws_a_row_whose_outcome_changed(
    client_for, volunteer, supervisor, neike
):
    finding = make_finding(
        department=neike, found_by=volunteer, source=FindingSource.VOLUNTEER, needs_rectification=False
    )
    client = client_for(volunteer)
    first = client.get(reverse("dashboard")).content.decode()
    assert finding.number in first and reverse("finding_detail", args=[finding.pk]) in first
    assert "outcome-pending" in first

    finding_decide_no_order(finding=finding, actor=supervisor, reason="不需整改")
    second = client.get(reverse("dashboard")).content.decode()
    assert "outcome-no_order" in second and "outcome-pending" not in second


def test_what_i_submitted_shows_each_outcome_as_the_finding_itself_words_it(
    client_for, volunteer, supervisor, neike
):
    from supervision.models import Finding, OrderStatus, RectificationOrder

    pending = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    ordered = make_finding(department=neike, found_by=volunteer)
    closed = make_finding(department=neike, found_by=volunteer)
    RectificationOrder.objects.filter(finding=closed).update(status=OrderStatus.CLOSED)
    body = client_for(volunteer).get(reverse("dashboard")).content.decode()
    for finding in Finding.objects.filter(pk__in=[pending.pk, ordered.pk, closed.pk]).select_related("order"):
        assert f"outcome-{finding.outcome} " in body and str(finding.outcome_label) in body
    assert {f.outcome for f in Finding.objects.filter(found_by=volunteer).select_related("order")} == {
        "pending",
        "ordered",
        "closed",
    }
