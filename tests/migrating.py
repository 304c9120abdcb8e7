"""Run the real migrations back and forth inside a test, to show a migration keeps every row.

Use with ``@pytest.mark.django_db(transaction=True, serialized_rollback=True)``: the schema
changes cannot be rolled back by a test transaction, so the test migrates forward to the latest
state again at its end (``restore``), and the seeded rows come back from the serialized copy.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(*targets: tuple[str, str]):
    """Migrate to ``targets`` ((app, migration name) pairs); return the historical models' registry."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def restore() -> None:
    """Every app back at its latest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
