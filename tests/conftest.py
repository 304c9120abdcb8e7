"""Personas and helpers shared by every test.

The personas: a supervisor, a follow-up caller, the head of 内科, the head of 外科, an
administrator and a volunteer supervisor — the same people the brief names.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.models import Role

from .factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
def client_for(client):
    """client_for(user) → a test client logged in as ``user`` (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


class QueryCounter:
    def __init__(self):
        self.context = CaptureQueriesContext(connection)

    def __enter__(self):
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        self.context.__exit__(*exc)

    @property
    def count(self) -> int:
        return len(self.context.captured_queries)


@pytest.fixture
def count_queries():
    """with count_queries() as q: ...; q.count — to assert counts that do not grow with rows."""
    return QueryCounter


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


_flushed = {"pending": False}


@pytest.fixture(autouse=True)
def _reseed_after_flush(request, django_db_blocker):
    """A transactional test ends with a flush that also empties the data migrations' seeds
    (finding categories, questionnaires, calendars, checklists); put them back before the
    next test starts (this fixture's setup runs before the next test's database fixtures)."""
    if _flushed["pending"]:
        with django_db_blocker.unblock():
            _reapply_data_migrations()
        _flushed["pending"] = False
    yield
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    ):
        _flushed["pending"] = True
