"""Events the core and the channels announce, for parts above them to act on (the integration
API's webhooks) without the sender importing them: Django signals, sent once the change has
committed (a rolled-back step announces nothing), each with a ``key`` that names the event once
(the same order escalated for the same deadline has the same key; a subscriber dedupes on it).

* ``order_escalated(order, days_overdue, key)``: an overdue order went up to the administrators;
* ``complaint_overdue(complaint, key)``: a complaint's answer is past its due date.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

order_escalated = Signal()
complaint_overdue = Signal()


def announce(signal: Signal, **kwargs) -> None:
    """Send ``signal`` after commit; a subscriber's failure is logged, never the sender's error."""

    def send():
        for receiver, result in signal.send_robust(sender=None, **kwargs):
            if isinstance(result, Exception):
                logger.error("event subscriber %r failed", receiver, exc_info=result)

    transaction.on_commit(send, robust=True)
