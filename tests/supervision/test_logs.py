"""The log keeps a refusal's one line and drops its traceback; real errors keep theirs."""

import logging
import sys

from django.core.exceptions import PermissionDenied

from supervision.infra.logs import RefusalsWithoutTraceback


def _record(exc: BaseException) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), info)


def test_a_refused_page_is_logged_without_its_traceback():
    record = _record(PermissionDenied())
    assert RefusalsWithoutTraceback().filter(record)
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)
    assert record.getMessage() == "Forbidden: /x/"


def test_a_real_error_keeps_its_traceback():
    record = _record(ValueError("boom"))
    assert RefusalsWithoutTraceback().filter(record)
    assert "Traceback" in logging.Formatter().format(record)


def test_the_console_handler_uses_the_filter(settings):
    assert "refusals_without_traceback" in settings.LOGGING["handlers"]["console"]["filters"]
