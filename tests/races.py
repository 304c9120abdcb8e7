"""Two people pressing at the same moment, for real: each in its own thread with its own database
connection, released together by a barrier after both have read the object as it was (a stale read,
as two open pages are). Used by the race tests, which are transactional (the threads must see the
rows the test committed) and run on SQLite in ``make test`` and on PostgreSQL in ``.ci/run``.

On PostgreSQL the row lock (``select_for_update``) makes the second wait and then see the first's
change, so it is refused with the user's message; on SQLite the IMMEDIATE transaction's write lock
does the same. Neither may end in a database error: ``run_at_once`` lets one through only where
the caller says so (``tolerate``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def run_at_once(
    actions: dict[str, Callable[[], object]],
    *,
    refusals: tuple[type[BaseException], ...],
    tolerate: tuple[type[BaseException], ...] = (),
) -> dict[str, str]:
    """Run each action in its own thread at the same moment → {name: "won" | "refused" | error name}."""
    barrier = threading.Barrier(len(actions))
    outcomes: dict[str, str] = {}

    def work(name, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[name] = "won"
        except refusals:
            outcomes[name] = "refused"
        except tolerate as exc:
            outcomes[name] = type(exc).__name__
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            outcomes[name] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(actions), f"a thread did not finish: {outcomes}"
    return outcomes
