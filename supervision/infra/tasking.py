"""Enqueueing that never turns a saved user action into an error page.

The work is always recorded in the database first; the task is only a nudge sent after
commit. If the broker is down or hung (socket timeouts: 2 s), the failure is logged and the
periodic sweep that owns the same work picks it up later.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_now(task, *args, debounce_seconds: int = 0, **kwargs) -> bool:
    if debounce_seconds:
        # Sweep-type tasks handle everything pending; one nudge per few seconds is enough.
        try:
            if not cache.add(f"ducha:nudge:{task.name}", 1, timeout=debounce_seconds):
                return True
        except Exception:
            logger.warning("cache unavailable; enqueueing %s without debounce", task.name)
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:
        logger.warning(
            "could not enqueue %s; the periodic sweep will pick the work up", task.name, exc_info=True
        )
        return False
    return True


def enqueue_on_commit(task, *args, debounce_seconds: int = 0, **kwargs) -> None:
    transaction.on_commit(
        lambda: enqueue_now(task, *args, debounce_seconds=debounce_seconds, **kwargs), robust=True
    )
