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


class CacheOutageAsOneLine(logging.Filter):
    """django-redis logs every Redis error it ignores (IGNORE_EXCEPTIONS) as an ERROR with a
    traceback; while Redis is down that is one traceback per cache call. Make it one WARNING line
    naming the error: the pages still work (the cache answers as an empty one), so it is not an
    error of the application, but the operator must see that Redis is away."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1].__cause__ or record.exc_info[1]
            record.msg = "Redis cache unavailable (%s: %s); answering as an empty cache"
            record.args = (type(error).__name__, error)
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info = None
            record.exc_text = None
        return True
