"""Counts (and a few short lists) whose SQL the ORM builds once per process, then run again as they are.

The dashboards' "needs me now" strip and the calls panel are live counts (they must move as soon as
an order is acted on), each one small and indexed: PostgreSQL answers them in 0.05–1 ms. Django
spent 1–3 ms of CPU on each *building* the statement — the querysets, the Scope's condition, the
filtered aggregates compiled to SQL — every time, for text that is the same on every view of the same
user on the same day (docs/performance.md → "Dashboards (stop 20)").

``count(build, *args)``, ``aggregate(build, *args)``, ``rows(build, *args)`` and ``grouped(build, *args)``
keep that text: the first call for a ``(build, args)`` runs the ORM's own ``count()`` / ``aggregate()`` /
iteration of ``values()`` (``values().annotate()`` for ``grouped``) on ``build(*args)`` and records the one statement it sent (``connection.execute_wrapper``, Django's public hook); later calls send that
statement with its parameters on Django's cursor and read the numbers. The rows are read anew on every
call — nothing here holds a figure, only SQL — so there is nothing to invalidate.

What keeps it right:

- **The statement is a function of the key alone.** ``build`` must be a module-level function
  (no lambda, no closure: they could read a value the key does not hold) that reads nothing but
  its arguments — no user object, no ``timezone.now()``, no active time zone or language: compute
  such values before and pass them. The key is ``build``'s module and name, the arguments and the
  database connection (its alias and vendor), so two calls share a statement exactly when ``build``
  was given equal arguments.
- **Scopes as plain values.** A user's rows are chosen by their Scope: pass ``scope.plain`` (the
  user id, roles and department ids, equal exactly when the Scope is), never a user. Two heads of
  different departments have different keys, so neither is ever sent the other's statement.
- **Values the ORM would not convert.** A ``COUNT`` is an integer on every database, so the number
  read from the cursor is the one the ORM gives. ``MIN``/``MAX`` of a date or a moment are kept on
  PostgreSQL only, whose driver returns the very objects the ORM returns there (Django has no
  converter for them on that database); elsewhere (SQLite turns them into text) such a statement is
  built by the ORM on every call, as before. A ``SUM`` of the model's own column: of a small or
  ordinary integer column anywhere (every database sums them as an integer, which the ORM's
  ``int()`` leaves as it is — not of a big integer, which PostgreSQL sums as a decimal), of a decimal
  column on PostgreSQL only (its driver gives the ``Decimal`` the ORM's ``Decimal()`` leaves as it
  is; SQLite gives a float the ORM rounds to the column's places). ``rows`` likewise: columns of
  integer and text types anywhere, dates, moments, booleans and decimals on PostgreSQL only — the model's own
  or, through its foreign keys, a related row's (``stay__patient_name``: the joined field's type is
  what the cursor gives) — and, on PostgreSQL, JSON columns, which the cursor gives as text and which
  are decoded by their field's own ``from_db_value``, all the ORM applies to them there; after them,
  window counts (``Window(Count(…))``, ``Window(RowNumber())``: an integer on every database, which the
  ORM's ``int()`` leaves as it is), as a person's record reads each channel's newest rows with every
  row's count. ``grouped``:
  rows grouped by such columns (no JSON) with COUNTs and SUMs of small or ordinary integer columns
  (``COALESCE`` of such a sum and an integer too: ``Sum(…, default=0)``), the figure endpoints' reads.
  An ``AVG`` of the model's own integer column (``aggregate``): a float field to the ORM, whose only
  converter, ``float()``, is applied to what the cursor gives, as the ORM applies it. JSON elsewhere and
  anything else: built by the ORM on every call.
- **Bounded.** At most ``MAX_STATEMENTS`` statements are kept, the least recently used forgotten
  first (keys hold the day, so yesterday's go).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Avg, Count, F, IntegerField, Max, Min, QuerySet, Sum, Value, Window
from django.db.models.expressions import Col
from django.db.models.functions import Coalesce, RowNumber
from django.utils.functional import cached_property

MAX_STATEMENTS = 2048

# key -> (sql, params, columns, decoded): columns None for ``count``; decoded the JSON columns of ``rows``
# (the averages' positions for ``aggregate``)
# to decode (``_as_read``); sql None when the ORM sent no statement
# at all (an empty scope: Django answers without asking the database) and params are then the values.
_statements: OrderedDict[Hashable, tuple] = OrderedDict()
_lock = threading.Lock()


def count(build: Callable[..., QuerySet], *args: Hashable) -> int:
    """``build(*args).count()``, its statement built by the ORM once per key (module docstring)."""
    return _run(build, args, aggregates=None)


def aggregate(build: Callable[..., tuple[QuerySet, dict[str, Any]]], *args: Hashable) -> dict[str, Any]:
    """``qs.aggregate(**aggregates)`` for ``(qs, aggregates) = build(*args)``: counts, the earliest or
    latest of dates and moments, and sums of integer and decimal columns; its statement built by the
    ORM once per key (module docstring)."""
    return _run(build, args, aggregates=True)


def rows(build: Callable[..., tuple[QuerySet, tuple[str, ...]]], *args: Hashable) -> list[dict[str, Any]]:
    """``list(qs)`` for ``(qs, fields) = build(*args)``, ``qs`` a ``values(*fields)`` queryset (sliced
    or not) of columns, the model's own or joined through its foreign keys, then window counts
    (module docstring); its statement built by the
    ORM once per key when the cursor gives those columns as the ORM does (module docstring), else the
    ORM's on every call."""
    return _run(build, args, aggregates=False)


def grouped(build: Callable[..., QuerySet], *args: Hashable) -> list[dict[str, Any]]:
    """``list(build(*args))``, a ``values(…).annotate(…)`` queryset: rows grouped by columns (the
    model's own or joined through its foreign keys) with counts and sums of integer columns; its
    statement built by the ORM once per key when the cursor gives every column as the ORM does
    (module docstring), else the ORM's on every call. The rows are read anew on every call."""
    return _run(build, args, aggregates=_GROUPED)


_GROUPED = "grouped"

# Columns the drivers give as Django's fields hold them: on every database (no converter anywhere),
# and on PostgreSQL also dates, moments, booleans (Django converts them on SQLite only) and decimals (the
# driver's Decimal, which the ORM leaves as it is there; SQLite gives a float the ORM rounds).
_PLAIN_COLUMNS = frozenset(
    {"AutoField", "BigAutoField", "CharField", "SlugField", "TextField", "IntegerField", "BigIntegerField"}
    | {"SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
)
_PLAIN_ON_POSTGRESQL = _PLAIN_COLUMNS | {"DateField", "DateTimeField", "BooleanField", "DecimalField"}


def _column(model, name: str):
    """The concrete field whose column ``values(name)`` reads — through the forward relations of a
    joined name (``stay__patient_name``) and to the key a relation's own column holds (``owner_id``,
    ``department``) — or None for anything else (a reverse relation, a transform, an annotation)."""
    *path, last = name.split("__")
    try:
        for part in path:
            relation = model._meta.get_field(part)
            if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
                return None
            model = relation.related_model
        field = model._meta.get_field(last)
        while field.is_relation:  # a foreign key's column holds its target's key, converted as that is
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                return None
            field = field.target_field
    except FieldDoesNotExist:
        return None
    return field


def _as_read(model, fields: tuple[str, ...], connection) -> tuple[tuple[int, Any], ...] | None:
    """How the cursor's row gives ``fields`` as the ORM's ``values()`` does: ``None`` when it cannot,
    else the JSON columns to decode — ``(position, field)``, each decoded by the field's own
    ``from_db_value``, which is all the ORM applies to them on PostgreSQL (module docstring)."""
    plain = _PLAIN_ON_POSTGRESQL if connection.vendor == "postgresql" else _PLAIN_COLUMNS
    decoded = []
    for position, name in enumerate(fields):
        field = _column(model, name)
        if field is None:
            return None
        if field.get_internal_type() == "JSONField" and connection.vendor == "postgresql":
            decoded.append((position, field))
        elif field.get_internal_type() not in plain or hasattr(field, "from_db_value"):
            return None
    return tuple(decoded)


# The columns whose SUM every database gives as the ORM does (an integer), and those PostgreSQL does.
_SUMMED_AS_INTEGERS = frozenset(
    {"SmallIntegerField", "PositiveSmallIntegerField", "IntegerField", "PositiveIntegerField"}
)
_SUMMED_ON_POSTGRESQL = _SUMMED_AS_INTEGERS | {"DecimalField"}


def _read_as_the_orm(model, aggregate, connection) -> bool:
    """Whether the cursor gives ``aggregate``'s value as the ORM gives it (module docstring)."""
    if isinstance(aggregate, Count):
        return True
    if isinstance(aggregate, Min | Max):
        return connection.vendor == "postgresql"
    # A SUM of one of the model's own columns.
    field = _own_column(model, aggregate)
    summed = _SUMMED_ON_POSTGRESQL if connection.vendor == "postgresql" else _SUMMED_AS_INTEGERS
    return field is not None and field.get_internal_type() in summed and not hasattr(field, "from_db_value")


def _own_column(model, aggregate):
    """The model's own column ``aggregate`` reads, named — no expression, no join, no output field or
    default of its own (either would convert the value) — or None."""
    source = aggregate.get_source_expressions()[0]
    if not isinstance(source, F) or "__" in source.name:
        return None
    if aggregate.default is not None or "output_field" in vars(aggregate):
        return None
    return model._meta.pk if source.name == "pk" else model._meta.get_field(source.name)


def _counted(annotation) -> bool:
    """A window count (``Window(Count(…))``, ``Window(RowNumber())``) of the integer type these give:
    every database gives an integer, which the ORM's only converter for it (``int()``) leaves as it
    is. No output field given to either (another type would be converted): the window's is its
    function's, which is the function's own class's."""
    source = getattr(annotation, "source_expression", None)
    if not isinstance(annotation, Window) or not isinstance(source, Count | RowNumber):
        return False
    field = annotation.output_field
    return type(field) is IntegerField and field is source.output_field is type(source).output_field


def _grouped_as_read(query, names: tuple[str, ...], connection) -> bool:
    """Whether the cursor gives each of a grouped read's columns as the ORM's ``values()`` does: a
    plain column grouped by (``_as_read``, no JSON), or an annotation ``_annotation_as_read`` accepts."""
    if query.extra_select:
        return False
    for name in names:
        expression = query.annotation_select.get(name)
        if expression is None:
            if _as_read(query.model, (name,), connection) != ():
                return False
        elif not _annotation_as_read(expression, connection):
            return False
    return True


def _annotation_as_read(expression, connection) -> bool:
    """A resolved annotation whose value the cursor gives as the ORM gives it: a COUNT (an integer,
    which the ORM's ``int()`` leaves as it is); a SUM of a small or ordinary integer column with an
    integer output (summed as an integer everywhere — not a big integer, a decimal on PostgreSQL);
    ``COALESCE`` of such a sum and an integer (``Sum(…, default=0)``); a plain column renamed
    (``values(month=F("discharged_month"))``)."""
    if type(expression) is Col:
        field = expression.target
        plain = _PLAIN_ON_POSTGRESQL if connection.vendor == "postgresql" else _PLAIN_COLUMNS
        return field.get_internal_type() in plain and not hasattr(field, "from_db_value")
    if type(expression) is Count:
        return True
    if type(expression) is Coalesce:
        summed, default = expression.get_source_expressions()
        return (
            type(summed) is Sum
            and _annotation_as_read(summed, connection)
            and type(default) is Value
            and type(default.value) is int
            and _integer_output(expression)
        )
    if type(expression) is Sum:
        source = expression.get_source_expressions()[0]  # then its FILTER, if any
        return (
            type(source) is Col
            and source.target.get_internal_type() in _SUMMED_AS_INTEGERS
            and not hasattr(source.target, "from_db_value")
            and _integer_output(expression)
        )
    return False


def _integer_output(expression) -> bool:
    """Whether the ORM's converter of ``expression`` is ``int()`` (Django's own for every integer
    output field), which leaves the integer the cursor gives as it is."""
    field = expression.output_field
    return field.get_internal_type().endswith("IntegerField") and not hasattr(field, "from_db_value")


def _averaged(model, aggregate) -> bool:
    """An average of one of the model's own integer columns, named, with no output field or default
    of its own: the ORM gives it as ``float()`` of what the cursor gives (its output is a float field,
    whose only converter that is, on every database), and so does a kept statement."""
    if not isinstance(aggregate, Avg):
        return False
    field = _own_column(model, aggregate)
    return (
        field is not None
        and field.get_internal_type() in _SUMMED_AS_INTEGERS
        and not hasattr(field, "from_db_value")
    )


def _key(build: Callable, args: tuple, connection) -> tuple:
    name = build.__qualname__
    if "<" in name or "." in name:  # "<lambda>", "outer.<locals>.inner", a method
        raise ValueError(f"{build!r}: a module-level function whose statement depends on its arguments only")
    return (build.__module__, name, args, connection.alias, connection.vendor)


def _run(build: Callable, args: tuple, *, aggregates: bool | str | None) -> Any:
    connection = connections[DEFAULT_DB_ALIAS]
    key = _key(build, args, connection)
    with _lock:
        kept = _statements.get(key)
        if kept is not None:
            _statements.move_to_end(key)
    if kept is not None:
        sql, params, columns, decoded = kept
        if sql is None:  # the ORM answered without asking the database (an empty scope)
            return _answer(params, columns, aggregates)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if aggregates is False or aggregates is _GROUPED:
                rows = cursor.fetchall()
                if decoded:
                    rows = [_decode(row, decoded, connection) for row in rows]
                return [dict(zip(columns, row, strict=True)) for row in rows]
            row = cursor.fetchone()
        if decoded and aggregates:  # averages, converted as the ORM converts them (``_averaged``)
            row = [float(v) if i in decoded and v is not None else v for i, v in enumerate(row)]
        return dict(zip(columns, row, strict=True)) if aggregates else row[0]

    built = build(*args)
    sent: list[tuple[str, Any]] = []
    decoded: tuple = ()

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    if aggregates is _GROUPED:
        qs = built
        with connection.execute_wrapper(record):
            result = list(qs)
        query = qs.query
        # The names in the order of the statement's columns, as the ORM's ``values()`` reads them.
        columns = tuple(
            query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
        )
        values = tuple(result)
        as_read = _grouped_as_read(query, columns, connection)
    elif aggregates:
        qs, expressions = built
        if not all(isinstance(a, Count | Min | Max | Sum | Avg) for a in expressions.values()):
            raise TypeError(
                "statements.aggregate reads COUNT, MIN, MAX, SUM and AVG only (others need the ORM's converters)"
            )
        with connection.execute_wrapper(record):
            result = qs.aggregate(**expressions)
        columns, values = tuple(result), tuple(result.values())
        # MIN/MAX as the cursor gives them equal the ORM's on PostgreSQL only, sums of some columns
        # only, averages of integer columns through the ORM's own float() (module docstring).
        as_read = all(
            _read_as_the_orm(qs.model, a, connection) or _averaged(qs.model, a) for a in expressions.values()
        )
        decoded = tuple(i for i, a in enumerate(expressions.values()) if isinstance(a, Avg))
    elif aggregates is False:
        qs, columns = built
        with connection.execute_wrapper(record):
            result = list(qs)
        columns, values = tuple(columns), tuple(result)
        # Only the named columns, in that order (no annotation or extra select beside them), of types
        # the cursor gives as the ORM does.
        query = qs.query
        # The named columns first, in that order, then the window counts named after them: the order
        # the statement selects them in (no other annotation, no extra select).
        decoded = _as_read(qs.model, tuple(query.values_select), connection)
        as_read = (
            (*query.values_select, *query.annotation_select) == columns
            and all(_counted(a) for a in query.annotation_select.values())
            and not query.extra_select
            and decoded is not None
        )
    else:
        qs = built
        with connection.execute_wrapper(record):
            result = qs.count()
        columns, values, as_read = None, (result,), True
    # Kept only when the ORM sent at most one statement, on this connection, with plain parameters.
    if not as_read or qs.db != connection.alias or len(sent) > 1:
        return result
    if sent and not isinstance(sent[0][1], list | tuple):
        return result
    kept = (sent[0][0], tuple(sent[0][1]), columns, decoded) if sent else (None, values, columns, decoded)
    with _lock:
        _statements[key] = kept
        _statements.move_to_end(key)
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return result


def _decode(row: tuple, decoded: tuple[tuple[int, Any], ...], connection) -> list:
    """A row's JSON columns decoded by their fields' own ``from_db_value``, as the ORM decodes them."""
    row = list(row)
    for position, field in decoded:
        row[position] = field.from_db_value(row[position], None, connection)
    return row


def _answer(values: tuple, columns, aggregates: bool | None):
    """What the ORM answered without a statement, as it answered it."""
    if aggregates is None:
        return values[0]
    if aggregates is _GROUPED:
        return [dict(row) for row in values]
    if aggregates:
        return dict(zip(columns, values, strict=True))
    return [dict(row) for row in values]


def forget() -> None:
    """Drop every kept statement (tests; a schema change in a running process would need it too)."""
    with _lock:
        _statements.clear()


class StatementPaginator(Paginator):
    """A paginator whose number of rows is ``count()`` — a list's ``statements.count`` of the very
    queryset it pages — instead of ``object_list.count()``, which the ORM builds anew on every view.
    The page's rows are read by the view (``rows`` within ``page_bounds(page)``)."""

    def __init__(self, object_list, per_page, *, count: Callable[[], int], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def page_bounds(page: Page) -> dict[str, int]:
    """``start`` and ``stop`` of ``page``'s rows in its whole list (``object_list[start:stop]``), from
    the page's public numbering: empty (0, 0) for the empty first page of an empty list."""
    start = page.start_index()
    return {"start": max(start - 1, 0), "stop": page.end_index() if start else 0}
