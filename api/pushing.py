"""A push of rows (discharged stays, departments, staff) through the one import pipeline.

The JSON body is ``{"rows": [{attribute: value, …}, …]}``: each row an object whose keys are the
import's attributes (``admission_no``, ``discharged_on`` …, listed by the schema) and whose values
are what a spreadsheet cell would hold — text, a number, true/false or null. Only the shape is
checked here (a 400 naming the field); every value then goes through the file import's own cell
parsers and checks (``supervision.infra.imports.run_records``), so a push and a file with the same
rows give the same stays and the same row errors, all-or-nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status

from supervision.infra.imports import ImportReport, ImportSpec
from supervision.infra.wording import join_list

MAX_BATCH = 5000  # rows per call
MAX_BODY_BYTES = 16 * 1024 * 1024  # 5,000 rows of a discharge push take about 2 MB
MAX_SHAPE_ERRORS = 50  # a body wrong everywhere is named by its first mistakes

SCALARS = (str, int, float, bool)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def check_size(request) -> None:
    """Refuse a body over the limit before it is read (the Content-Length says)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            _("The request is larger than %(mb)s MB; send at most %(max)s rows per call.")
            % {"mb": MAX_BODY_BYTES // 1048576, "max": MAX_BATCH}
        )


def read_rows(data, spec: type[ImportSpec]) -> list[dict]:
    """The rows of a push body, or a 400 naming each field that is not of the expected shape
    (or a 413 for more than ``MAX_BATCH`` rows)."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object with “rows”.")]})
    unknown = sorted(set(data) - {"rows"})
    if unknown:
        raise exceptions.ValidationError(
            {name: [_("Unknown field; send only “rows”.")] for name in unknown[:MAX_SHAPE_ERRORS]}
        )
    rows = data.get("rows")
    if rows is None:
        raise exceptions.ValidationError({"rows": [_("Send the rows as “rows”: [ … ].")]})
    if not isinstance(rows, list):
        raise exceptions.ValidationError({"rows": [_("Expected a list of rows.")]})
    if not rows:
        raise exceptions.ValidationError({"rows": [_("Send at least one row.")]})
    if len(rows) > MAX_BATCH:
        raise PayloadTooLarge(
            _("%(n)s rows in one call; the limit is %(max)s: split the batch.")
            % {"n": len(rows), "max": MAX_BATCH}
        )
    known = {c.attr for c in spec.columns}
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if len(errors) >= MAX_SHAPE_ERRORS:
            break
        if not isinstance(row, dict):
            errors[f"rows[{i}]"] = [_("Expected an object of field: value.")]
            continue
        for name, value in row.items():
            if name not in known:
                errors[f"rows[{i}].{name}"] = [
                    _("Unknown field; the fields are: %(fields)s.")
                    % {"fields": join_list(c.attr for c in spec.columns)}
                ]
            elif value is not None and not isinstance(value, SCALARS):
                errors[f"rows[{i}].{name}"] = [_("Expected text, a number, true/false or null.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return rows


def report_body(report: ImportReport, spec: type[ImportSpec]) -> dict:
    """The answer to a push: the import report, each row error with the attribute it is about."""
    attrs = {c.header: c.attr for c in spec.columns}
    body = report.as_dict()
    body["errors"] = [
        {"row": e.row, "field": attrs.get(e.column, ""), "column": e.column, "message": e.message}
        for e in report.errors[: len(body["errors"])]
    ]
    body["file_error"] = str(report.file_error)  # worded in the request's language, as the row errors
    body["import_run"] = report.run_id
    return body
