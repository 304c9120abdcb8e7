"""The real-broker tests run against the database the Celery worker uses (no test database),
so that the worker sees what the test commits. Run by .ci/run with PostgreSQL and Redis."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup():
    # Use the already-migrated database named by DATABASE_URL, shared with the running worker.
    return None
