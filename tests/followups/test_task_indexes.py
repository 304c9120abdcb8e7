"""The follow-up task table is written on every morning's queue build (a thousand new tasks, and every
open task whose window passed changes its status), and each of its indexes is written with every new
row version. An index whose columns begin another index's serves no look-up the longer one does not,
and only costs writes (docs/performance.md → "The task table's indexes (stop 19)")."""

import pytest
from django.db import connection

from followups.models import FollowupTask


def _indexes() -> dict[str, tuple[list[str], bool]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, FollowupTask._meta.db_table)
    # A partial index holds only the rows of its condition: it begins no other index's work.
    partial = {index.name for index in FollowupTask._meta.indexes if index.condition is not None}
    return {
        name: (c["columns"], bool(c["unique"]))
        for name, c in constraints.items()
        # A unique constraint is an index too (SQLite and PostgreSQL report it as a constraint).
        if (c["index"] or c["unique"])
        and not (c["primary_key"] or c["check"] or c["foreign_key"])
        and name not in partial
    }


@pytest.mark.django_db
def test_no_index_of_the_task_table_is_the_beginning_of_another():
    indexes = _indexes()
    redundant = [
        (name, other)
        for name, (columns, unique) in indexes.items()
        for other, (longer, _unique) in indexes.items()
        if other != name and not unique and longer[: len(columns)] == columns
    ]
    assert redundant == []


@pytest.mark.django_db
def test_the_look_ups_of_the_task_table_each_begin_an_index():
    # The columns the queue build, the call lists and the figures look tasks up by: each must still
    # be the first column of some index after the duplicates went.
    firsts = {columns[0] for columns, _unique in _indexes().values()}
    assert {"stay_id", "assigned_to_id", "claimed_by_id", "department_id", "patient_key", "status"} <= firsts
