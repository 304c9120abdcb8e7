"""Personas and helpers shared by every test.

The personas: a supervisor, a follow-up caller, the head of 内科, the head of 外科, an
administrator and a volunteer supervisor — the same people the brief names — and the service
desk's staff member (issue 21).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from supervision.models import Role

from .factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _site_language():
    # A request as a user who reads English activates English for the thread (the user-language
    # middleware); every test starts and ends in the site's language, whatever ran before it.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def neike(db):
    return DepartmentFactory(code="NK", name="内科")


@pytest.fixture
def waike(db):
    return DepartmentFactory(code="WK", name="外科")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="supervisor", full_name="周督察", roles=[Role.SUPERVISOR])


@pytest.fixture
def caller(db):
    return UserFactory(username="caller", full_name="林回访", roles=[Role.FOLLOWUP])


@pytest.fixture
def head_neike(neike):
    return UserFactory(username="head-neike", full_name="王内科", roles=[Role.DEPT_HEAD], head_of=[neike])


@pytest.fixture
def head_waike(waike):
    return UserFactory(username="head-waike", full_name="李外科", roles=[Role.DEPT_HEAD], head_of=[waike])


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", full_name="陈院办", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def volunteer(db):
    return UserFactory(username="volunteer", full_name="赵义务", roles=[Role.VOLUNTEER])


@pytest.fixture
def desk(db):
    """Service-desk staff (客服人员) of the 门诊客服中心 (tests/servicedesk: ``centre``)."""
    return UserFactory(username="desk", full_name="孙客服", roles=[Role.DESK])


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as ``user`` (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


# Query counts: pytest-django's django_assert_num_queries / django_assert_max_num_queries around the
# request with more rows, bounded by the count measured with fewer (Django's CaptureQueriesContext).
# Transactional tests (transaction=True) also take serialized_rollback=True: the flush that ends them
# empties the data migrations' seeds (categories, questionnaires, calendars, checklists), and Django
# reloads the database as migrated at the start of each such test; pytest-django runs them after the
# other database tests, which never see the flushed database.


# The browser journeys (marked e2e) run alone (`make test-e2e`) with a live server in another thread,
# where serialized_rollback's reload at the start of a test met the groups the flush's post_migrate
# had already re-created under new ids (UNIQUE constraint failed: auth_group.name) and left the
# seeded questionnaires out. They take the plain transactional database instead, and the data
# migrations' seeds (idempotent get_or_create) are put back before each journey.
def _reapply_data_migrations():
    """Run every RunPython of the migration plan again (they are idempotent get_or_create seeds)."""
    from django.apps import apps as global_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            if key not in plan:
                plan.append(key)
    with connection.schema_editor() as editor:
        for key in plan:
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(global_apps, editor)


@pytest.fixture(autouse=True)
def _reseed_browser_journeys(request):
    if request.node.get_closest_marker("e2e") is not None:
        request.getfixturevalue("transactional_db")
        _reapply_data_migrations()
    yield
