"""The one import pipeline: read → parse every cell → validate every row → write in bulk → ImportRun.

An import is a specification (an ``ImportSpec`` subclass): its columns (header, attribute, cell
parser, required, default), the checks of one row and of all rows, and the bulk write. The
pipeline does the rest the same way for every import:

* the file is read by ``reader.iter_rows`` (xlsx/csv, UTF-8/GBK, size and zip-bomb limits) and
  its headers checked against the columns;
* every cell of every row is parsed; every error is kept with its row and column as a message
  key + parameters (``texts``), phone numbers masked, and worded when shown in the reader's
  language (the report is stored for good in ``ImportRun.errors``);
* all-or-nothing: only when no row has an error does ``write`` run, inside one transaction,
  together with the ``ImportRun`` audit row (bulk writes skip ``save()``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone

from ...models import ImportRun
from ...privacy import mask_phone
from ..wording import Worded
from . import texts
from .reader import MAX_ROWS, ImportFileError, _cell, check_headers, iter_rows

MAX_ERRORS_KEPT = 1000
MAX_ERRORS_STORED = 500
PROGRESS_EVERY = 2000

Progress = Callable[[int, str], None]


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # a blank optional cell leaves the stored value (or the model's default) as it is


@dataclass(frozen=True)
class Column:
    header: str  # as in the template (Chinese)
    attr: str  # the key of the parsed row
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file and its cells filled
    default: Any = None  # a blank cell of an optional column


@dataclass
class RowError:
    row: int  # spreadsheet row number (header = 1)
    column: str
    text: Worded | str  # a message key + parameters (words only from a foreign system)

    @property
    def message(self) -> str:
        """The error in the active language."""
        return str(self.text)

    def stored(self) -> dict:
        return {"row": self.row, "column": self.column, **texts.stored(self.text)}

    def __repr__(self) -> str:  # as a test or a log shows it: worded in the active language
        return f"RowError(row={self.row}, column={self.column!r}, message={self.message!r})"


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_problem: Worded | str = ""  # the file as a whole refused: a message key + parameters
    run_id: int | None = None  # the ImportRun that records this run

    @property
    def file_error(self) -> str:
        """Why the file as a whole was refused, in the active language ("" if it was not)."""
        return str(self.file_problem)

    @file_error.setter
    def file_error(self, message: Worded | str) -> None:
        self.file_problem = message

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    def add_error(self, row: int, column: str, message: Worded | str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, _safe(message)))

    def as_dict(self) -> dict:
        """The report as stored (a background job's): messages as key + parameters
        (``texts.shown`` / ``texts.shown_errors`` word them)."""
        return {
            "ok": self.ok,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "file_error": texts.stored(self.file_problem) if self.file_problem else "",
            "errors": [e.stored() for e in self.errors[:MAX_ERRORS_STORED]],
            "error_count": len(self.errors),
        }


class Row:
    """One row being validated: its number, its parsed values, and a way to refuse it."""

    __slots__ = ("_seen", "failed", "number", "report", "values")

    def __init__(self, report: ImportReport, number: int, values: dict, seen: dict):
        self.report, self.number, self.values, self._seen = report, number, values, seen
        self.failed = False

    def __getitem__(self, attr: str):
        return self.values[attr]

    def error(self, column: str, message: Worded | str) -> None:
        self.failed = True
        self.report.add_error(self.number, column, message)

    def first_seen(self, key) -> int | None:
        """The row that already held ``key`` in this file, or None (and this row now holds it)."""
        first = self._seen.setdefault(key, self.number)
        return None if first == self.number else first


class ImportSpec:
    """What one import is. Subclasses declare ``kind`` (the ImportRun kind), ``columns`` and
    ``example`` (the template's example row) and implement ``write``; ``prepare``,
    ``clean_row`` and ``clean_all`` are optional. A new instance serves each run."""

    kind: ClassVar[str] = ""
    columns: ClassVar[list[Column]] = []
    example: ClassVar[list] = []

    def __init__(self, *, actor=None):
        self.actor = actor

    @classmethod
    def run(cls, *, source, file_name: str, actor, progress: Progress | None = None) -> ImportReport:
        return run_import(cls, source=source, file_name=file_name, actor=actor, progress=progress)

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    @classmethod
    def required_headers(cls) -> list[str]:
        return [c.header for c in cls.columns if c.required]

    def prepare(self) -> None:
        """Load what the rows are checked against (e.g. departments by code), once per run."""

    def clean_row(self, row: Row):
        """Check a row whose cells all parsed; return what ``write`` needs (None: nothing)."""
        return row.values

    def clean_all(self, records: list[tuple[int, Any]], report: ImportReport) -> list[tuple[int, Any]]:
        """Checks across rows or against the database in bulk; returns the records to write."""
        return records

    def write(self, records: list[tuple[int, Any]], report: ImportReport) -> None:
        """Write every record in bulk (inside the run's transaction); set the report's counts."""
        raise NotImplementedError


def run_import(
    spec: type[ImportSpec], *, source, file_name: str, actor, progress: Progress | None = None
) -> ImportReport:
    """Run one all-or-nothing import of ``source`` (a file object or path) and record it."""
    started_at = timezone.now()
    report = ImportReport()
    try:
        headers, rows = iter_rows(source, file_name)
        check_headers(
            headers,
            required=spec.required_headers(),
            optional=[c.header for c in spec.columns if not c.required],
        )
    except ImportFileError as exc:
        report.file_error = exc.worded
        _record(spec.kind, file_name, actor, report, started_at)
        return report
    return _run(spec, headers, rows, 2, file_name, actor, report, started_at, progress)


def run_records(spec: type[ImportSpec], *, records: list[dict], source_name: str, actor=None) -> ImportReport:
    """Run one all-or-nothing import of rows given as mappings ``attribute → value`` (an API
    push) and record it: the same cell parsers, row and bulk checks, write and ``ImportRun`` as a
    file. A value is taken as a file's cell is (text trimmed, a blank or a missing attribute is a
    blank cell); rows are numbered from 1, their place in ``records``."""
    started_at = timezone.now()
    columns = spec.columns
    headers = [c.header for c in columns]
    rows = ([_cell(record.get(c.attr)) for c in columns] for record in records)
    return _run(spec, headers, rows, 1, source_name, actor, ImportReport(), started_at, None)


def run_rows(
    spec: type[ImportSpec], *, headers: list[str], rows: Iterable, source_name: str, actor=None
) -> ImportReport:
    """Run one all-or-nothing import of rows read elsewhere (a query on the HIS database): the
    headers checked as a file's, each value taken as a cell, rows numbered from 1."""
    started_at = timezone.now()
    report = ImportReport()
    try:
        check_headers(
            headers,
            required=spec.required_headers(),
            optional=[c.header for c in spec.columns if not c.required],
        )
    except ImportFileError as exc:
        report.file_error = exc.worded
        _record(spec.kind, source_name, actor, report, started_at)
        return report
    cells = ([_cell(value) for value in row] for row in rows)
    return _run(spec, headers, cells, 1, source_name, actor, report, started_at, None)


def record_failure(
    spec: type[ImportSpec], *, source_name: str, message: Worded | str, actor=None
) -> ImportReport:
    """Record a run that could not read its source at all (the HIS unreachable): an ImportRun
    with the message (a ``Worded``; words only for a foreign system's own), nothing written."""
    report = ImportReport(file_problem=message)
    _record(spec.kind, source_name, actor, report, timezone.now())
    return report


def _run(spec, headers, rows, first_row, file_name, actor, report, started_at, progress) -> ImportReport:
    importer = spec(actor=actor if actor and actor.pk else None)
    importer.prepare()
    records = _validate(importer, headers, rows, report, progress, first_row)
    if not report.file_error:  # checked even when some rows failed: every error is listed at once
        records = importer.clean_all(records, report)
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)
        _record(spec.kind, file_name, actor, report, started_at)
        return report
    if progress:
        progress(report.total_rows, "writing")
    try:
        with transaction.atomic():
            importer.write(records, report)
            _record(spec.kind, file_name, actor, report, started_at)
    except DatabaseError:
        # Every known conflict is a row error before this point; a database refusal left
        # (a race with another import) must still be a message, and nothing was written.
        report.created = report.updated = report.unchanged = 0
        report.file_error = texts.FAILED()
        _record(spec.kind, file_name, actor, report, started_at)
    return report


def _validate(
    importer: ImportSpec, headers: list[str], rows: Iterable, report, progress, first_row: int = 2
) -> list:
    index = {h: i for i, h in enumerate(headers)}
    plan = [(c.attr, index.get(c.header), c) for c in importer.columns]
    seen: dict = {}
    records: list[tuple[int, Any]] = []
    required_message = texts.REQUIRED()
    number = first_row - 1
    for number, raw in enumerate(rows, first_row):
        if number - first_row + 1 > MAX_ROWS:
            report.file_error = texts.TOO_MANY_ROWS(max=MAX_ROWS)
            break
        width = len(raw)
        values: dict[str, Any] = {}
        row = Row(report, number, values, seen)
        for attr, i, column in plan:
            cell = raw[i] if i is not None and i < width else None
            if cell is None:
                if column.required:
                    row.error(column.header, required_message)
                values[attr] = column.default
                continue
            try:
                value = column.parse(cell)
            except ValueError as exc:
                # A parser's message is a Worded; any other ValueError is kept as its words.
                worded = exc.args[0] if exc.args and isinstance(exc.args[0], Worded) else str(exc)
                row.error(column.header, worded)
                values[attr] = None
                continue
            if column.required and value in ("", None):
                row.error(column.header, required_message)
            values[attr] = value
        if not row.failed:
            record = importer.clean_row(row)
            if not row.failed and record is not None:
                records.append((number, record))
        if progress and number % PROGRESS_EVERY == 0:
            progress(number - 1, "validating")
    report.total_rows = number - first_row + 1
    if not report.file_error and report.total_rows == 0:
        report.file_error = texts.NO_DATA()
    return records


# Values the database drivers take as they are; any other field's values go through its
# get_db_prep_save (dates and times: time zone, SQLite's text format).
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)


def chunks(items: list, size: int = 900):
    """Slices of ``items`` small enough for SQLite's limit on a query's parameters (999 before
    SQLite 3.32): for ``pk__in`` reads and updates of an import's or a service's rows."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(model, rows: list[dict], *, batch_size: int = 2000) -> None:
    """INSERT ``rows`` (dicts of field attname → value) with one ``executemany`` per batch.

    For the largest imported tables. ``bulk_create`` builds a model instance per row and prepares
    every field of it one by one (a call attempt has 22); for the follow-up history, which writes
    a task and 1–3 attempts per stay, that was most of the import's time. Here only the fields
    that need it are prepared (through the field's public ``get_db_prep_save``); a field a row
    does not give takes the model's default, computed once. As ``bulk_create``: no ``save()``,
    no signals, no ids returned. Runs inside the caller's transaction.
    """
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    given = list(rows[0])
    # A generated column (``GeneratedField``) is the database's to compute: never in the column list.
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.attname not in given) and not f.generated
    ]
    by_name = {f.attname: f for f in fields}
    missing = [f for f in fields if f.attname not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in missing)
    prepare = [
        None if isinstance(by_name[name], _PLAIN_FIELDS) else by_name[name].get_db_prep_save for name in given
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(by_name[name].column) for name in given) + "".join(
        f", {quote(f.column)}" for f in missing
    )
    placeholders = ", ".join(["%s"] * (len(given) + len(missing)))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608: table and column names come from the model, values are parameters
    if connection.vendor == "postgresql":
        _copy_rows(connection, model, columns, rows, prepare, defaults)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = [
                tuple(
                    value if prep is None or value is None else prep(value, connection)
                    for value, prep in zip(row.values(), prepare, strict=True)
                )
                + defaults
                for row in rows[start : start + batch_size]
            ]
            cursor.executemany(sql, batch)


def _copy_rows(connection, model, columns: str, rows: list[dict], prepare, defaults: tuple) -> None:
    """PostgreSQL: stream the rows with COPY through psycopg's public ``Cursor.copy`` instead of binding
    every value of an INSERT: the follow-up history writes ~2.5× as many values per row as the
    discharge import (a task of 21 columns, attempts of 22), and per-value binding was what kept it at
    half the discharge import's rows per second (docs/benchmarks.md). Same values, same transaction."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the driver's own cursor (psycopg 3), for its COPY support
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # nosec B608: names from the model
            for row in rows:
                copy.write_row(
                    tuple(
                        value if prep is None or value is None else prep(value, connection)
                        for value, prep in zip(row.values(), prepare, strict=True)
                    )
                    + defaults
                )


# A mobile (138 0013 8000, +86…) or a landline with its area code (010-65123456) quoted in a message.
_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
    r"|(?<!\d)[(（]?0\d{2,3}[)）]?[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)"
)


def mask_phones(text: str) -> str:
    """Mask every phone number a message quotes (a refused cell may hold one in any column)."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), text)


def _no_nul(value):
    # PostgreSQL refuses NUL in text and jsonb; an error message may quote a hostile cell.
    return value.replace("\x00", "") if isinstance(value, str) else value


def _safe(message):
    """A message with every quoted phone masked and NUL dropped, in its words or its parameters
    (a refused cell may quote a phone in any column; the report is kept for good)."""
    if isinstance(message, Worded):
        return Worded(message.key, _safe(message.params))
    if isinstance(message, dict):
        return {name: _safe(value) for name, value in message.items()}
    if isinstance(message, list):
        return [_safe(value) for value in message]
    if isinstance(message, str):
        return mask_phones(_no_nul(message))
    return message if isinstance(message, (int, float, bool)) or message is None else _safe(str(message))


def _record(kind: str, file_name: str, actor, report: ImportReport, started_at) -> None:
    errors = [e.stored() for e in report.errors[:MAX_ERRORS_STORED]]
    if report.file_error:
        errors.append({"row": 0, "column": "", **texts.stored(_safe(report.file_problem))})
    report.run_id = ImportRun.objects.create(
        kind=kind,
        file_name=_no_nul(file_name)[:255],
        actor=actor if actor and actor.pk else None,
        started_at=started_at,
        finished_at=timezone.now(),
        succeeded=report.ok,
        total_rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        error_count=len(report.errors) + (1 if report.file_error else 0),
        errors=errors,
    ).pk
