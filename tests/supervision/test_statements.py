"""Counts whose statement the ORM builds once per key (supervision.infra.statements): the numbers stay
live and equal to the ORM's, each scope keeps its own statement, and only what the key holds may
shape the statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Avg, Count, DecimalField, F, FloatField, Max, Min, StdDev, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.test.utils import CaptureQueriesContext

from supervision import queues
from supervision.access import Scope
from supervision.infra import statements
from supervision.models import Department, Finding, OrderStatus, RectificationOrder
from tests.factories import make_finding

BUILT: list[tuple] = []


def _orders_of(user_scope: Scope, status: str):
    BUILT.append((user_scope, status))
    return user_scope.filter(RectificationOrder.objects.filter(status=status))


def _order_figures(user_scope: Scope):
    BUILT.append((user_scope,))
    orders = user_scope.filter(RectificationOrder.objects.all()).order_by()
    return orders, {"all": Count("pk"), "issued": Count("pk", filter=models_q(status=OrderStatus.ISSUED))}


def _first_found(user_scope: Scope):
    BUILT.append((user_scope,))
    return user_scope.filter(RectificationOrder.objects.all()).order_by(), {
        "n": Count("pk"),
        "first": Min("finding__found_at"),
    }


def _deviation(user_scope: Scope):
    return RectificationOrder.objects.order_by(), {"n": StdDev("pk")}


def _averaged(user_scope: Scope, column: str):
    BUILT.append((user_scope, column))
    return RectificationOrder.objects.order_by(), {"n": Count("pk"), "mean": Avg(column)}


def _summed(user_scope: Scope, aggregate: str):
    BUILT.append((user_scope, aggregate))
    return RectificationOrder.objects.order_by(), {"n": Count("pk"), "sum": SUMS[aggregate]}


SUMS = {
    # An integer column; a big integer one (PostgreSQL sums those as a decimal, the ORM int()s it); an
    # integer column given a decimal output (the ORM converts it); a sum of an expression.
    "integer": Sum("return_count"),
    "big": Sum("pk"),
    "output": Sum("return_count", output_field=DecimalField(max_digits=12, decimal_places=2)),
    "default": Sum("return_count", default=0),
}


def models_q(**lookups):
    from django.db.models import Q

    return Q(**lookups)


@pytest.fixture(autouse=True)
def _fresh():
    statements.forget()
    BUILT.clear()
    yield
    statements.forget()


def test_a_count_is_built_once_then_read_anew_on_every_call(supervisor, head_neike, neike):
    scope = head_neike.scope.plain
    make_finding(department=neike, found_by=supervisor)
    assert statements.count(_orders_of, scope, OrderStatus.ISSUED) == 1
    make_finding(department=neike, found_by=supervisor)
    with CaptureQueriesContext(connection) as sent:
        again = statements.count(_orders_of, scope, OrderStatus.ISSUED)
    assert again == 2 == _orders_of(scope, OrderStatus.ISSUED).count()  # live, the ORM's number
    assert len(sent) == 1
    assert BUILT.count((scope, OrderStatus.ISSUED)) == 2  # the first call and the check above only


def test_each_scope_keeps_its_own_statement(supervisor, head_neike, head_waike, neike, waike):
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)
    for _ in range(2):  # built, then sent again as kept
        assert statements.count(_orders_of, head_neike.scope.plain, OrderStatus.ISSUED) == 2
        assert statements.count(_orders_of, head_waike.scope.plain, OrderStatus.ISSUED) == 1
        assert statements.count(_orders_of, supervisor.scope.plain, OrderStatus.ISSUED) == 3


def test_a_plain_scope_equals_the_users_and_holds_no_user(head_neike, neike):
    plain = head_neike.scope.plain
    assert plain == head_neike.scope
    assert plain.department_ids == frozenset({neike.pk})
    assert not callable(plain.linked_departments)


def test_needs_me_now_of_two_heads_never_mixes_their_departments(
    supervisor, head_neike, head_waike, neike, waike
):
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)
    for _ in range(2):
        mine = {e.key: e.count for e in queues.needs_me_now(head_neike)}
        other = {e.key: e.count for e in queues.needs_me_now(head_waike)}
        assert mine["orders_to_acknowledge"] == 2
        assert other["orders_to_acknowledge"] == 1


def test_an_aggregate_of_counts_equals_the_orms(supervisor, neike):
    make_finding(department=neike, found_by=supervisor)
    order = make_finding(department=neike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ACKNOWLEDGED)
    scope = supervisor.scope.plain
    orm = RectificationOrder.objects.aggregate(
        all=Count("pk"), issued=Count("pk", filter=models_q(status=OrderStatus.ISSUED))
    )
    assert statements.aggregate(_order_figures, scope) == orm == {"all": 2, "issued": 1}
    assert statements.aggregate(_order_figures, scope) == orm
    assert len(BUILT) == 1


def test_an_empty_scope_is_answered_without_a_statement_as_the_orm_does(db):
    nobody = Scope(user_id=1, roles=frozenset({"dept_head"}), linked_departments=frozenset())
    for _ in range(2):
        with CaptureQueriesContext(connection) as sent:
            assert statements.count(_orders_of, nobody, OrderStatus.ISSUED) == 0
        assert len(sent) == 0


def test_earliest_moments_are_kept_on_postgresql_only(supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    scope = supervisor.scope.plain
    first = statements.aggregate(_first_found, scope)
    assert statements.aggregate(_first_found, scope) == first == {"n": 1, "first": finding.found_at}
    # SQLite gives MIN of a moment as text, which the ORM converts: built on every call there.
    assert len(BUILT) == (1 if connection.vendor == "postgresql" else 2)


def test_only_module_level_functions_of_their_arguments_are_kept(db):
    with pytest.raises(ValueError, match="module-level"):
        statements.count(lambda: RectificationOrder.objects.all())

    def inner():
        return RectificationOrder.objects.all()

    with pytest.raises(ValueError, match="module-level"):
        statements.count(inner)
    with pytest.raises(TypeError, match="COUNT, MIN, MAX, SUM and AVG"):
        statements.aggregate(_deviation, None)


@pytest.mark.parametrize(("column", "kept"), [("return_count", True), ("finding__department_id", False)])
def test_an_average_of_an_integer_column_is_kept_and_converted_as_the_orm_converts_it(
    supervisor, neike, column, kept
):
    """The ORM gives AVG of an integer column as ``float()`` of what the cursor gives (a decimal on
    PostgreSQL): a kept statement gives the same float; a joined column's average is built each time."""
    for returns in (1, 2, 2):
        order = make_finding(department=neike, found_by=supervisor).order
        RectificationOrder.objects.filter(pk=order.pk).update(return_count=returns)
    orm = RectificationOrder.objects.aggregate(n=Count("pk"), mean=Avg(column))
    first = statements.aggregate(_averaged, None, column)
    again = statements.aggregate(_averaged, None, column)
    assert first == again == orm and type(again["mean"]) is type(orm["mean"]) is float
    assert len(BUILT) == (1 if kept else 2)
    if kept:
        assert again["mean"] == 5 / 3


@pytest.mark.parametrize(
    ("aggregate", "kept"), [("integer", True), ("big", False), ("output", False), ("default", False)]
)
def test_sums_are_kept_only_where_the_cursor_gives_them_as_the_orm_does(supervisor, neike, aggregate, kept):
    """A sum of a small integer column is kept; of a big integer (PostgreSQL: a decimal), with an
    output field or a default of its own (the ORM converts those) it is built on every call."""
    make_finding(department=neike, found_by=supervisor)
    order = make_finding(department=neike, found_by=supervisor).order
    RectificationOrder.objects.filter(pk=order.pk).update(return_count=2)
    scope = supervisor.scope.plain
    orm = RectificationOrder.objects.aggregate(n=Count("pk"), sum=SUMS[aggregate])
    first = statements.aggregate(_summed, scope, aggregate)
    again = statements.aggregate(_summed, scope, aggregate)
    assert first == again == orm and type(again["sum"]) is type(orm["sum"])
    assert len(BUILT) == (1 if kept else 2)


def test_kept_statements_are_bounded(supervisor, monkeypatch):
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 3)
    for status in (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.RETURNED, OrderStatus.SUBMITTED):
        statements.count(_orders_of, supervisor.scope.plain, status)
    assert len(statements._statements) == 3
    BUILT.clear()
    statements.count(_orders_of, supervisor.scope.plain, OrderStatus.ISSUED)  # the oldest: forgotten
    assert len(BUILT) == 1


def test_a_department_unused_in_the_statement_changes_nothing(supervisor, head_neike, neike):
    # A head's department renamed: the statement holds ids only, so the kept one still fits.
    statements.count(_orders_of, head_neike.scope.plain, OrderStatus.ISSUED)
    Department.objects.filter(pk=neike.pk).update(name="内科（新）")
    make_finding(department=neike, found_by=supervisor)
    assert statements.count(_orders_of, head_neike.scope.plain, OrderStatus.ISSUED) == 1


def _order_rows(user_scope: Scope, fields: tuple[str, ...]):
    BUILT.append((user_scope, fields))
    orders = user_scope.filter(RectificationOrder.objects.all()).order_by("id").values(*fields)[:5]
    return orders, fields


def test_rows_of_plain_columns_are_the_orms_and_are_kept(supervisor, head_neike, neike, waike):
    make_finding(department=neike, found_by=supervisor)
    make_finding(department=waike, found_by=supervisor)
    fields = ("id", "number", "status")
    for user in (head_neike, supervisor, head_neike):
        orm = list(user.scope.filter(RectificationOrder.objects.all()).order_by("id").values(*fields)[:5])
        assert statements.rows(_order_rows, user.scope.plain, fields) == orm
    assert len(BUILT) == 2  # the head's statement kept for their second call


def test_rows_with_dates_and_json_are_kept_on_postgresql_only_joined_columns_by_their_own_type(
    supervisor, neike
):
    """A joined column reads as its own column would; a foreign key as its target; a JSON column, on
    PostgreSQL, decoded by its field's own from_db_value (the ORM's only converter for it there)."""
    finding = make_finding(department=neike, found_by=supervisor)
    Finding.objects.filter(pk=finding.pk).update(
        description_key="k", description_params={"n": 3, "名": ["甲"]}
    )
    make_finding(department=neike, found_by=supervisor)  # its params: the default, empty
    scope = supervisor.scope.plain
    on_postgresql = connection.vendor == "postgresql"
    for fields, kept in (
        (("id", "deadline"), on_postgresql),
        # Through a foreign key: the joined field's type decides, as a column of the model's own does.
        (("id", "department__name", "finding__number"), True),
        (("id", "finding_id", "finding__department"), True),
        (("id", "finding__found_at"), on_postgresql),
        # Not a column a cursor gives as the ORM does: a transform, a reverse relation.
        (("id", "finding__found_at__date"), False),
        (("id", "actions__id"), False),
        (("id", "department"), True),
        (("id", "finding__category__code"), True),  # a slug: text
        (("id", "finding__description_params"), on_postgresql),
        (("id", "finding__found_at", "finding__category__name"), on_postgresql),
    ):
        BUILT.clear()
        first = statements.rows(_order_rows, scope, fields)
        again = statements.rows(_order_rows, scope, fields)
        assert again == first == list(RectificationOrder.objects.order_by("id").values(*fields)[:5])
        assert len(BUILT) == (1 if kept else 2), fields
        if "finding__description_params" in fields:
            assert [r["finding__description_params"] for r in again] == [{"n": 3, "名": ["甲"]}, {}]


def test_a_heads_open_orders_are_the_orms_rows_and_their_statement_is_theirs(
    supervisor, head_neike, head_waike, neike, waike
):
    from supervision import selectors
    from supervision.views import HEAD_ORDER_ROW_FIELDS

    for department in (neike, waike, neike):
        make_finding(department=department, found_by=supervisor)
    for head in (head_neike, head_waike, head_neike):
        rows = selectors.order_rows_for_head(head, limit=20, fields=HEAD_ORDER_ROW_FIELDS)
        assert rows == list(selectors.orders_for_head(head, limit=20).values(*HEAD_ORDER_ROW_FIELDS))
        assert {r["department_id"] for r in rows} == set(head.department_ids)


WINDOWS = {
    # Window counts named after the columns: kept on every database (an integer the ORM leaves as is).
    "count": (("id", "status", "n"), lambda: Window(Count("id")), True),
    "place": (
        ("id", "status", "n"),
        lambda: Window(RowNumber(), partition_by=[F("status")], order_by=[F("id").desc()]),
        True,
    ),
    # Given an output field (the ORM converts the value), a sum, a count named before the columns.
    "output": (("id", "status", "n"), lambda: Window(Count("id"), output_field=FloatField()), False),
    "sum": (("id", "status", "n"), lambda: Window(Sum("return_count")), False),
    "first": (("n", "id", "status"), lambda: Window(Count("id")), False),
}


def _order_windows(user_scope: Scope, variant: str):
    BUILT.append((user_scope, variant))
    fields, window, _kept = WINDOWS[variant]
    orders = user_scope.filter(RectificationOrder.objects.all()).annotate(n=window()).order_by("-id")
    return orders.values(*fields)[:2], fields


@pytest.mark.parametrize("variant", sorted(WINDOWS))
def test_rows_with_window_counts_are_the_orms_and_kept_only_when_read_as_the_orm_reads_them(
    supervisor, neike, waike, variant
):
    """A person's record reads each channel's newest rows with every row's count (a window worked out
    before the LIMIT): kept when the counts are integers named after the columns."""
    for department in (neike, waike, neike):
        make_finding(department=department, found_by=supervisor)
    fields, window, kept = WINDOWS[variant]
    orm = list(RectificationOrder.objects.annotate(n=window()).order_by("-id").values(*fields)[:2])
    first = statements.rows(_order_windows, supervisor.scope.plain, variant)
    again = statements.rows(_order_windows, supervisor.scope.plain, variant)
    assert again == first == orm
    assert [list(r) for r in again] == [list(fields)] * 2  # the columns as named, in that order
    assert len(BUILT) == (1 if kept else 2)
    # Rows read anew: one order more moves the counts and the rows.
    make_finding(department=waike, found_by=supervisor)
    latest = list(RectificationOrder.objects.annotate(n=window()).order_by("-id").values(*fields)[:2])
    assert statements.rows(_order_windows, supervisor.scope.plain, variant) == latest != orm


def _grouped_orders(user_scope: Scope, annotations: str):
    BUILT.append((user_scope, annotations))
    orders = user_scope.filter(RectificationOrder.objects.all())
    return (
        orders.values("department_id", name=F("department__name"))
        .annotate(**GROUPED[annotations])
        .order_by("department__sort_order", "department_id")
    )


GROUPED = {
    # Counts, filtered or not; a sum of an integer column, with a default of 0 (COALESCE) or without.
    "counts": {"n": Count("pk"), "issued": Count("pk", filter=models_q(status=OrderStatus.ISSUED))},
    "sums": {
        "returns": Sum("return_count"),
        "returned": Sum("return_count", default=0, filter=models_q(pk=0)),
    },
    # What the ORM converts: a big integer's sum (a decimal on PostgreSQL), an average, a month.
    "big": {"n": Count("pk"), "ids": Sum("pk")},
    "average": {"mean": Avg("return_count")},
    "month": {"n": Count("pk"), "month": Max(TruncMonth("deadline"))},
}


@pytest.mark.parametrize(
    ("annotations", "kept"),
    [("counts", True), ("sums", True), ("big", False), ("average", False), ("month", False)],
)
def test_grouped_rows_are_the_orms_and_kept_only_when_the_cursor_gives_them_as_the_orm_does(
    supervisor, head_neike, neike, waike, annotations, kept
):
    """Rows grouped by plain columns (a joined one renamed) with counts and integer sums: the ORM's
    rows, in its order, key for key and type for type, the statement built once; anything the ORM
    converts is built on every call, and equal all the same."""
    for department in (neike, neike, waike):
        make_finding(department=department, found_by=supervisor)
    RectificationOrder.objects.filter(department=neike).update(return_count=2)
    for user in (supervisor, head_neike):
        orm = list(_grouped_orders(user.scope.plain, annotations))
        BUILT.clear()
        first = statements.grouped(_grouped_orders, user.scope.plain, annotations)
        # Written between the calls: the rows are read anew, only the statement is kept.
        order = make_finding(department=neike, found_by=supervisor).order
        RectificationOrder.objects.filter(pk=order.pk).update(return_count=5)
        again = statements.grouped(_grouped_orders, user.scope.plain, annotations)
        assert len(BUILT) == (1 if kept else 2)
        assert first == orm
        assert again == list(_grouped_orders(user.scope.plain, annotations)) != orm
        assert [list(r) for r in again] == [list(r) for r in orm]
        assert [[type(v) for v in r.values()] for r in again] == [[type(v) for v in r.values()] for r in orm]
    assert (
        statements.grouped(_grouped_orders, head_neike.scope.plain, "counts")[0]["department_id"] == neike.pk
    )
