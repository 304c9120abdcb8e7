"""The one import pipeline (infrastructure of the core; channels declare their imports on it).

* ``reader``: the file (xlsx via python-calamine, openpyxl for sheets with error cells; csv in
  UTF-8 or GBK), size, row and zip-bomb limits, header checks, template workbooks;
* ``cells``: the cell parsers (text, phone, date, date-time, yes/no, whole number, choice with
  aliases);
* ``pipeline``: ``ImportSpec`` + ``Column`` declare an import; ``run_import`` validates every
  row, writes in bulk all-or-nothing and records the ``ImportRun``.

The core's department and staff imports are in ``supervision/importing.py``; a channel's in
``<app>/importing.py``.
"""

from .pipeline import (
    KEEP,
    Column,
    ImportReport,
    ImportSpec,
    Row,
    RowError,
    mask_phones,
    record_failure,
    run_import,
    run_records,
    run_rows,
)
from .reader import (
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    ImportFileError,
    check_headers,
    count_rows,
    iter_rows,
    template_workbook,
)

__all__ = [
    "KEEP",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "Column",
    "ImportFileError",
    "ImportReport",
    "ImportSpec",
    "Row",
    "RowError",
    "check_headers",
    "count_rows",
    "iter_rows",
    "mask_phones",
    "record_failure",
    "run_import",
    "run_records",
    "run_rows",
    "template_workbook",
]
