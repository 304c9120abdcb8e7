"""A user's linked departments (the Scope of a head) read in one plain query, or from a prefetch."""

from __future__ import annotations

from supervision.models import Role, User
from tests.factories import DepartmentFactory, UserFactory


def test_a_heads_department_ids_are_their_linked_departments_in_one_query(
    neike, waike, django_assert_num_queries
):
    inactive = DepartmentFactory(code="OLD", name="旧科室", active=False)
    head = UserFactory(username="head-two", roles=[Role.DEPT_HEAD], head_of=[neike, inactive])
    UserFactory(username="head-other", roles=[Role.DEPT_HEAD], head_of=[waike])  # not theirs
    fresh = User.objects.get(pk=head.pk)
    with django_assert_num_queries(1):
        assert fresh.department_ids == frozenset({neike.pk, inactive.pk})
        assert fresh.department_ids == frozenset({neike.pk, inactive.pk})  # once per user object
    assert User.objects.get(username="head-other").department_ids == {waike.pk}


def test_prefetched_departments_cost_no_query(neike, django_assert_num_queries):
    head = UserFactory(username="head-three", roles=[Role.DEPT_HEAD], head_of=[neike])
    prefetched = User.objects.prefetch_related("departments").get(pk=head.pk)
    with django_assert_num_queries(0):
        assert prefetched.department_ids == frozenset({neike.pk})
