"""星级病房: the office (supervisors) designates the year's star wards; administrators read the list;
nobody else sees it. The reports count praise of star wards (tests/reports/test_followup_centre.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups.models import StarWard
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_supervisors_designate_the_years_star_wards_and_can_take_one_back(
    client_for, supervisor, neike, waike
):
    client = client_for(supervisor)
    assert client.get("/followups/star-wards/?year=2026").status_code == 200
    response = client.post("/followups/star-wards/", {"year": 2026, "departments": [neike.pk, waike.pk]})
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    assert set(StarWard.objects.values_list("department__name", "year")) == {("内科", 2026), ("外科", 2026)}
    assert StarWard.objects.filter(designated_by=supervisor).count() == 2
    client.post("/followups/star-wards/", {"year": 2026, "departments": [neike.pk]})
    assert list(StarWard.objects.values_list("department__name", flat=True)) == ["内科"]
    page = client.get("/followups/star-wards/?year=2026").content.decode()
    assert "内科" in page and "星级病房" in page


def test_a_bad_year_is_refused_with_a_message_and_changes_nothing(client_for, supervisor, neike):
    response = client_for(supervisor).post(
        "/followups/star-wards/", {"year": "两千", "departments": [neike.pk]}
    )
    assert response.status_code == 200 and "输入整数" in response.content.decode()
    assert not StarWard.objects.exists()
    # a year out of range in the address shows this year instead of failing
    assert client_for(supervisor).get("/followups/star-wards/?year=99999999999999999999").status_code == 200


def test_administrators_read_and_others_are_refused(
    client_for, administrator, caller, head_neike, volunteer, neike
):
    StarWard.objects.create(department=neike, year=2026)
    admin = client_for(administrator)
    assert "内科" in admin.get("/followups/star-wards/?year=2026").content.decode()
    assert admin.post("/followups/star-wards/", {"year": 2026}).status_code == 403
    for user in (caller, head_neike, volunteer):
        assert client_for(user).get("/followups/star-wards/").status_code == 403
    assert StarWard.objects.count() == 1


def test_the_star_ward_page_uses_a_constant_number_of_queries(
    client_for, supervisor, django_assert_num_queries
):
    client = client_for(supervisor)
    StarWard.objects.create(department=DepartmentFactory(kind="clinical"), year=2025)
    with CaptureQueriesContext(connection) as first:
        client.get("/followups/star-wards/")
    for year in (2024, 2025, 2026):
        for _ in range(3):
            StarWard.objects.create(department=DepartmentFactory(kind="clinical"), year=year)
    with django_assert_num_queries(len(first)):
        assert client.get("/followups/star-wards/").status_code == 200
