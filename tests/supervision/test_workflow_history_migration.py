"""The history tables moved onto ``supervision.workflow.TransitionRecord``: the migration that changes
their schema (wider action code, an order step without a signed-in actor) keeps every row as it was."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from complaints import services as complaint_services
from complaints.models import ComplaintTransition
from supervision import services
from supervision.models import OrderTransition
from tests.complaints.factories import make_complaint
from tests.factories import make_finding

BEFORE = [("supervision", "0005_siteconfig_retention"), ("complaints", "0002_seed_calendar_2026_2027")]
AFTER = [("supervision", "0006_transition_record_base"), ("complaints", "0003_transition_record_base")]
FIELDS = ("id", "action", "from_status", "to_status", "actor_id", "at", "comment")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _migrate_to_latest():
    # Later migrations add columns the models read: leave the database as the models expect it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _rows(model, subject):
    return sorted(model.objects.values_list(subject, *FIELDS))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_history_migration_keeps_every_order_and_complaint_row(neike, supervisor, head_neike):
    finding = make_finding(department=neike, found_by=supervisor)
    services.order_acknowledge(order=finding.order, actor=head_neike, comment="已收到，马上整改")
    complaint = make_complaint(received_by=supervisor, department=neike)
    complaint_services.complaint_accept(complaint=complaint, actor=supervisor, comment="受理")
    orders, complaints = _rows(OrderTransition, "order_id"), _rows(ComplaintTransition, "complaint_id")
    assert len(orders) == 2 and len(complaints) == 2

    _migrate(BEFORE)  # back to the old tables (SQLite rebuilds them: a real copy of the rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM supervision_ordertransition")
        assert cursor.fetchone()[0] == 2
    _migrate(AFTER)
    _migrate_to_latest()

    assert _rows(OrderTransition, "order_id") == orders
    assert _rows(ComplaintTransition, "complaint_id") == complaints
    # The labels still read as before, now from the machines' tables.
    with translation.override("en"):
        shown = [(str(t.action_label), str(t.to_status_label)) for t in finding.order.transitions.all()]
    assert shown == [("Issue", "Issued"), ("Acknowledge", "Acknowledged")]
