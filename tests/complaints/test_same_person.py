"""One view of a person's complaints (issue 25 item 6): the complainant's other complaints, by the same
telephone or name, masked, in the reader's scope, with a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import selectors, services

from .factories import make_complaint

pytestmark = pytest.mark.django_db


def person(c):
    return reverse("complaints:person", args=[c.pk])


def detail(c):
    return reverse("complaints:detail", args=[c.pk])


def _assigned(supervisor, department, **kw):
    c = make_complaint(received_by=supervisor, department=department, **kw)
    services.complaint_accept(complaint=c, actor=supervisor)
    return services.complaint_assign(complaint=c, actor=supervisor, departments=[department])


@pytest.fixture
def history(supervisor, neike, waike):
    """张三 (13800138000) complained three times: twice about 内科, once about 外科; a namesake once."""
    earlier_neike = _assigned(supervisor, neike, content="上次内科候诊太久")
    earlier_waike = _assigned(supervisor, waike, content="外科换药不及时")
    namesake = _assigned(supervisor, neike, complainant_phone="13900000000", content="同名的另一位")
    stranger = _assigned(supervisor, neike, complainant_name="李四", complainant_phone="13700000000")
    new = _assigned(supervisor, neike, content="这次又等了两小时")
    return {
        "new": new,
        "neike": earlier_neike,
        "waike": earlier_waike,
        "namesake": namesake,
        "stranger": stranger,
    }


def test_the_new_complaint_shows_the_earlier_ones_masked(client_for, supervisor, history):
    page = client_for(supervisor).get(detail(history["new"])).content.decode()
    for key in ("neike", "waike", "namesake"):
        assert history[key].number in page
    assert history["stranger"].number not in page
    assert "138****8000" in page and "13800138000" not in page  # masked as everywhere else
    assert "张*" in page
    assert "same name only" in page or "仅姓名相同" in page  # the namesake is told apart


def test_the_selector_matches_phone_or_name_and_says_which(supervisor, history):
    rows = {c.pk: c.by_phone for c in selectors.same_person(history["new"], supervisor)}
    assert rows == {history["neike"].pk: True, history["waike"].pk: True, history["namesake"].pk: False}


def test_a_head_sees_only_their_departments_complaints_of_the_person(client_for, head_neike, history):
    page = client_for(head_neike).get(person(history["new"])).content.decode()
    assert history["neike"].number in page
    assert history["waike"].number not in page


def test_a_complaint_without_contact_has_no_person_list(supervisor, neike):
    anonymous = make_complaint(received_by=supervisor, complainant_name="", complainant_phone="")
    make_complaint(received_by=supervisor, complainant_name="", complainant_phone="")
    assert list(selectors.same_person(anonymous, supervisor)) == []


@pytest.mark.parametrize("persona", ["supervisor", "administrator", "head_neike"])
def test_allowed_roles_see_the_person_page(request, client_for, persona, history):
    assert client_for(request.getfixturevalue(persona)).get(person(history["new"])).status_code == 200


def test_a_volunteer_is_forbidden(client_for, volunteer, history):
    assert client_for(volunteer).get(person(history["new"])).status_code == 403


def test_another_departments_head_gets_404(client_for, head_waike, history):
    assert client_for(head_waike).get(person(history["new"])).status_code == 404


def test_follow_up_staff_see_only_complaints_they_own(client_for, caller, supervisor, neike):
    own = make_complaint(received_by=caller, department=neike)
    other = make_complaint(received_by=supervisor, department=neike)
    page = client_for(caller).get(person(own)).content.decode()
    assert other.number not in page
    assert client_for(caller).get(person(other)).status_code == 404


def test_the_person_page_and_the_detail_run_a_fixed_number_of_queries(
    client_for, supervisor, neike, history, django_assert_num_queries
):
    client = client_for(supervisor)
    client.get(person(history["new"]))
    with CaptureQueriesContext(connection) as page_queries:
        client.get(person(history["new"]))
    for i in range(6):
        _assigned(supervisor, neike, content=f"第{i}次投诉")
    client.get(detail(history["new"]))
    with CaptureQueriesContext(connection) as detail_queries:
        client.get(detail(history["new"]))
    for i in range(6):
        _assigned(supervisor, neike, content=f"又一次{i}")
    with django_assert_num_queries(len(page_queries)):
        assert client.get(person(history["new"])).status_code == 200
    with django_assert_num_queries(len(detail_queries)):
        page = client.get(detail(history["new"])).content.decode()
    assert reverse("complaints:person", args=[history["new"].pk]) in page  # "all of them" link
