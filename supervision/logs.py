"""Logging filters (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalsWithoutTraceback(logging.Filter):
    """Keep the one line of a 403 ("Forbidden (Permission denied): /complaints/"), drop its traceback.

    A refusal is the access rule working, not a fault: a traceback per refused page would bury the
    real errors of the log under the volunteers' and heads' wrong turns.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
