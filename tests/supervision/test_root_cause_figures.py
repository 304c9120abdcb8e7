"""The figures of the new data: root causes by category per department and period, and the problems
found on site — counted exactly, the same on the dashboard and in the report (PDF and Excel read the
same content)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision import selectors
from supervision.models import CauseCategory, Finding, FindingSource, RectificationOrder
from tests.factories import make_finding, moment

pytestmark = pytest.mark.django_db


def _analysed(department, supervisor, *codes, submitted=True, found_at=None):
    finding = make_finding(department=department, found_by=supervisor, found_at=found_at)
    order = finding.order
    if submitted:
        RectificationOrder.objects.filter(pk=order.pk).update(submitted_at=timezone.now(), status="submitted")
    order.cause_categories.set(CauseCategory.objects.filter(code__in=codes))
    return order


@pytest.fixture
def analysed(neike, waike, supervisor):
    """内科: 人员+流程, 人员, none named; 外科: 设备设施; plus one 外科 order never submitted (制度)."""
    _analysed(neike, supervisor, "staff", "process")
    _analysed(neike, supervisor, "staff")
    _analysed(neike, supervisor)
    _analysed(waike, supervisor, "equipment")
    _analysed(waike, supervisor, "policy", submitted=False)


def test_cause_counts_count_each_named_category_once_per_analysed_order(analysed, neike, waike):
    table = selectors.cause_counts(RectificationOrder.objects.all())
    assert table.categories == ["人员", "制度", "流程", "设备设施", "环境", "沟通", "其他", None]
    assert table.rows == [  # in the departments' order (same sort order here: by name)
        ("内科", [2, 0, 1, 0, 0, 0, 0, 1], 3),
        ("外科", [0, 0, 0, 1, 0, 0, 0, 0], 1),
    ]
    assert table.totals == [2, 0, 1, 1, 0, 0, 0, 1]
    assert table.analysed == 4


def test_an_inactive_category_stays_a_column_only_where_an_order_named_it(analysed):
    CauseCategory.objects.filter(code__in=["staff", "other"]).update(active=False)
    table = selectors.cause_counts(RectificationOrder.objects.all())
    assert "人员" in table.categories and "其他" not in table.categories


def test_problems_found_on_site_are_inspection_findings_and_supervisors_rounds_and_walk_bys(
    neike, supervisor
):
    make_finding(department=neike, found_by=supervisor, source=FindingSource.INSPECTION)
    for origin in ("round", "round", "walk_by", "meeting", "other", ""):
        make_finding(department=neike, found_by=supervisor, source=FindingSource.OTHER, origin=origin)
    make_finding(department=neike, found_by=supervisor, source=FindingSource.COMPLAINT)
    assert selectors.found_on_site(Finding.objects.all()) == {
        "total": 4,
        "inspection": 1,
        "round": 2,
        "walk_by": 1,
    }


def test_the_dashboard_shows_root_causes_for_the_users_departments_only(
    analysed, client_for, supervisor, head_neike
):
    office = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert 'class="table table-sm table-striped align-middle causes"' in office
    assert "<td>内科</td>" in office and "<td>外科</td>" in office
    head = client_for(head_neike).get(reverse("dashboard")).content.decode()
    assert "<td>内科</td>" in head and "<td>外科</td>" not in head


def test_a_supervisor_says_where_a_finding_was_made(client_for, supervisor, neike):
    from supervision.models import Category

    response = client_for(supervisor).post(
        reverse("finding_create"),
        {
            "department": neike.pk,
            "category": Category.objects.get(code="hygiene").pk,
            "severity": "minor",
            "origin": "walk_by",
            **moment("found_at", "2026-11-20 09:30"),
            "description": "走廊吸烟",
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get().origin == "walk_by"
