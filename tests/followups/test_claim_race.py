"""A real race: two threads claim the same task at the same moment; exactly one wins (SQLite in
``make test``, PostgreSQL in ``.ci/run``; issue 15 item 21)."""

import threading

import pytest
from django.db import OperationalError, connection

from followups import services
from followups.models import FollowupTask, TaskTransition
from supervision.errors import ActionNotAllowed
from tests.factories import DischargeStayFactory, UserFactory

from .factories import make_task


@pytest.mark.race
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_callers_claiming_at_once_only_one_wins(neike):
    a = UserFactory(username="race-a", roles=["followup"])
    b = UserFactory(username="race-b", roles=["followup"])
    task = make_task(stay=DischargeStayFactory(department=neike))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def work(user):
        try:
            stale = FollowupTask.objects.get(pk=task.pk)  # both read the free task first
            barrier.wait(timeout=10)
            services.task_claim(task=stale, actor=user)
            outcomes[user.username] = "won"
        except ActionNotAllowed:
            outcomes[user.username] = "refused"
        except OperationalError:  # SQLite: the loser finds the table locked; nothing written
            outcomes[user.username] = "locked"
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()).count("won") == 1, outcomes
    if connection.vendor == "postgresql":  # the row lock: the loser waits, then is told, no error
        assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    task.refresh_from_db()
    winner = a if outcomes["race-a"] == "won" else b
    assert task.claimed_by == winner and task.assigned_to == winner
    assert TaskTransition.objects.filter(task=task, action="claim").count() == 1
