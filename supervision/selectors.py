"""Read-side queries of the core, shared by views, dashboards and reports.

All aggregation happens in SQL; nothing here loads a table into Python. Every function takes
an already-scoped queryset or a user, so department scoping is applied once, by
``supervision.access.scope``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, TruncMonth
from django.utils import timezone

from .access import scope, scope_of
from .infra import statements
from .models import (
    DECIDED_ATTRIBUTIONS,
    ON_SITE_ORIGINS,
    OPEN_ORDER_STATUSES,
    PATIENT_SOURCES,
    RECTIFIED_ORDER_STATUSES,
    Alert,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    Attribution,
    Category,
    CauseCategory,
    CorrectiveAction,
    Department,
    DepartmentGroup,
    Finding,
    FindingSource,
    Notification,
    OrderAction,
    OrderStatus,
    OrderTransition,
    PatientToldMethod,
    RectificationOrder,
    Role,
)
from .rates import Exact, rate


def findings_visible_to(user) -> QuerySet[Finding]:
    return scope(Finding.objects.all(), user, owner_field="found_by")


def orders_visible_to(user) -> QuerySet[RectificationOrder]:
    return scope(RectificationOrder.objects.all(), user, owner_field="finding__found_by")


def finding_list(user) -> QuerySet[Finding]:
    """The finding list: one query for the page, whatever its length."""
    # No count over a join here: an aggregate made PostgreSQL group every finding before the
    # page's LIMIT (docs/performance.md); the table shows a recurrence by its own column. Nor an
    # "overdue" annotation: it kept the order join in the page's COUNT; the row reads it from the
    # order it already has (supervision.views._finding_row).
    # The page reads its rows' columns as values (supervision.views.FINDING_ROW_FIELDS), joining
    # what they show: no select_related.
    return findings_visible_to(user).order_by("-found_at", "-id")


def finding_detail_queryset(user) -> QuerySet[Finding]:
    return (
        findings_visible_to(user)
        .select_related(
            "category",
            "department",
            "found_by",
            "decided_by",
            "recurrence_of",
            "order",
            "order__issued_by",
            "order__ladder_rung",
            "source_type",
        )
        .prefetch_related(
            Prefetch("attributions", queryset=Attribution.objects.select_related("staff__department")),
            "attachments",
            "recurrences",
            Prefetch("order__transitions", queryset=OrderTransition.objects.select_related("actor")),
            "order__extensions",
            "order__cause_categories",
            Prefetch("order__actions", queryset=CorrectiveAction.objects.select_related("owner")),
            "order__actions__transitions",
        )
    )


@dataclass
class OrderCounts:
    by_status: dict[str, int]
    overdue: int
    due_soon: int
    open: int
    closed: int  # rectified: verified, whether or not the effectiveness check is done
    closed_on_time: int
    awaiting_check: int = 0  # verified, effectiveness not yet checked
    checks_due: int = 0  # of those, the check date has come
    effective: int | None = 0  # effectiveness checks recorded "effective" (None: not counted)
    evaluated: int | None = 0  # effectiveness checks recorded, effective or not (None: not counted)

    @property
    def total(self) -> int:
        return self.open + self.closed

    @property
    def rectification_rate(self) -> float | None:
        """Closed ÷ all orders issued, in % (None when nothing was issued)."""
        return rate(self.closed, self.total)

    @property
    def on_time_rate(self) -> float | None:
        """Closed on or before the (final) deadline ÷ closed, in %."""
        return rate(self.closed_on_time, self.closed)

    @property
    def effectiveness_rate(self) -> float | None:
        """Checks found effective ÷ checks recorded, in %, exact (a ``Rate``: rounded only where shown,
        from its fraction — it was a float quotient, rounded again when shown); None when no check was
        recorded or the checks were not counted."""
        return rate(self.effective, self.evaluated)


def _count_annotations(today: dt.date, due_soon_days: int) -> dict:
    open_q = Q(status__in=OPEN_ORDER_STATUSES)
    rectified_q = Q(status__in=RECTIFIED_ORDER_STATUSES)
    return {
        **{f"s_{s}": Count("id", filter=Q(status=s)) for s in OrderStatus.values},
        "overdue": Count("id", filter=open_q & Q(deadline__lt=today)),
        "due_soon": Count(
            "id",
            filter=open_q & Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=due_soon_days)),
        ),
        "closed_on_time": Count("id", filter=rectified_q & Q(closed_on_time=True)),
        "checks_due": Count("id", filter=Q(status=OrderStatus.VERIFIED, check_due__lte=today)),
    }


def _counts_from(agg: dict, checked: dict) -> OrderCounts:
    by_status = {s: agg[f"s_{s}"] for s in OrderStatus.values}
    closed = sum(by_status[s] for s in RECTIFIED_ORDER_STATUSES)
    return OrderCounts(
        by_status=by_status,
        overdue=agg["overdue"],
        due_soon=agg["due_soon"],
        open=sum(by_status.values()) - closed,
        closed=closed,
        closed_on_time=agg["closed_on_time"],
        awaiting_check=by_status[OrderStatus.VERIFIED],
        checks_due=agg["checks_due"],
        effective=checked["effective"],
        evaluated=checked["evaluated"],
    )


def order_counts(
    orders: QuerySet[RectificationOrder],
    *,
    today: dt.date | None = None,
    due_soon_days: int = 2,
    checks: bool = True,
):
    """Counts per state plus derived overdue/due-soon, in one query; with ``checks`` (a second query)
    also the effectiveness checks recorded on the orders, otherwise ``effective``/``evaluated`` are
    None (not counted: a reader that shows no effectiveness need not read the orders' history)."""
    today = today or timezone.localdate()
    agg = orders.aggregate(**_count_annotations(today, due_soon_days))
    checked = effectiveness_checks(orders) if checks else {"effective": None, "evaluated": None}
    return _counts_from(agg, checked)


_CHECKS = (OrderAction.CHECK_EFFECTIVE, OrderAction.CHECK_INEFFECTIVE)


def effectiveness_checks(orders: QuerySet[RectificationOrder]) -> dict[str, int]:
    """The effectiveness checks recorded on ``orders`` (each check once: an order that failed one and
    passed the next counts one of each), from the orders' history: {'effective', 'evaluated'}."""
    checks, counted = _checks_of(orders)
    return checks.aggregate(**counted)


def _checks_of(orders: QuerySet[RectificationOrder]) -> tuple[QuerySet, dict]:
    return OrderTransition.objects.filter(order__in=orders, action__in=_CHECKS).order_by(), {
        "effective": Count("id", filter=Q(action=OrderAction.CHECK_EFFECTIVE)),
        "evaluated": Count("id"),
    }


def effectiveness_by_department(orders: QuerySet[RectificationOrder]) -> dict[int, dict[str, int]]:
    """{department id: {'effective', 'evaluated'}} for the orders' checks, one query."""
    rows = (
        OrderTransition.objects.filter(order__in=orders, action__in=_CHECKS)
        .values("order__department_id")
        .annotate(
            effective=Count("id", filter=Q(action=OrderAction.CHECK_EFFECTIVE)),
            evaluated=Count("id"),
        )
    )
    return {
        r["order__department_id"]: {"effective": r["effective"], "evaluated": r["evaluated"]} for r in rows
    }


def orders_at_rung(target: str, *, departments=None, today: dt.date | None = None) -> list[dict]:
    """The open orders standing at a rung of the escalation ladder reported to ``target`` (e.g. the
    weekly meeting list), most overdue first, as plain rows: the order, its department and the
    vice-presidents in charge of it. Two queries."""
    today = today or timezone.localdate()
    qs = RectificationOrder.objects.filter(
        status__in=OPEN_ORDER_STATUSES, ladder_rung__target=target, ladder_deadline=F("deadline")
    )
    if departments is not None:
        qs = qs.filter(department_id__in=list(departments))
    rows = list(
        qs.order_by("deadline", "department__sort_order", "id").values(
            "pk",
            "number",
            "department_id",
            "department__name",
            "finding_id",
            "finding__category__name",
            "finding__severity",
            "finding__description",
            "status",
            "deadline",
            "ladder_rung__days_overdue",
        )
    )
    leads: dict[int, list[str]] = {}
    for group in DepartmentGroup.objects.filter(departments__in={r["department_id"] for r in rows}).values(
        "departments", "lead__full_name", "lead__username"
    ):
        leads.setdefault(group["departments"], []).append(group["lead__full_name"] or group["lead__username"])
    for row in rows:
        row["days_overdue"] = (today - row["deadline"]).days
        row["vice_presidents"] = sorted(set(leads.get(row["department_id"], [])))
    return rows


def orders_awaiting_check(user) -> QuerySet[RectificationOrder]:
    """The supervisor's queue of effectiveness checks: verified orders, the earliest check first."""
    return (
        orders_visible_to(user)
        .filter(status=OrderStatus.VERIFIED)
        .select_related("finding", "finding__category", "department")
        .order_by("check_due", "id")
    )


# A finding that repeats an earlier one (the recurrence window's, supervision.services).
RECURRENT = Q(recurrence_of__isnull=False)


def recurrences(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.filter(RECURRENT)


def findings_by_category(findings: QuerySet[Finding]) -> list[dict]:
    return list(
        findings.values("category__name", "category__sort_order")
        .annotate(n=Count("id"))
        .order_by("category__sort_order", "category__name")
    )


def findings_by_source(findings: QuerySet[Finding]) -> list[dict]:
    return list(findings.values("source").annotate(n=Count("id")).order_by("-n", "source"))


def findings_by_department(findings: QuerySet[Finding]) -> list[dict]:
    return list(
        findings.values("department__name", "department__code")
        .annotate(
            n=Count("id"),
            recurrences=Count("id", filter=Q(recurrence_of__isnull=False)),
        )
        .order_by("-n", "department__code")
    )


def findings_by_category_and_month(
    findings: QuerySet[Finding], *, months: int = 6, today: dt.date | None = None
):
    """{'months': ['2026-06', …], 'series': [{'category': name, 'data': [n, …]}]} for a chart."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    firsts = [this_month - relativedelta(months=back) for back in range(months - 1, -1, -1)]
    first = firsts[0]
    month_keys = [d.strftime("%Y-%m") for d in firsts]
    rows = (
        findings.filter(found_at__date__gte=first)
        .annotate(month=TruncMonth("found_at"))
        .values("month", "category_id")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        # TruncMonth truncates in the current time zone, so the month is the local month.
        counts[(row["category_id"], row["month"].strftime("%Y-%m"))] = row["n"]
    categories = Category.objects.filter(pk__in={k[0] for k in counts}).order_by("sort_order", "code")
    return {
        "months": month_keys,
        "series": [
            {"category": c.name, "data": [counts.get((c.pk, m), 0) for m in month_keys]} for c in categories
        ],
    }


def orders_for_head(user, *, limit: int = 50) -> QuerySet[RectificationOrder]:
    """A department head's open orders, soonest deadline first.

    The ``limit`` orders are chosen among the orders alone (index on department, status, deadline)
    and only they are joined to their findings: with the join first, PostgreSQL hashed every finding
    of the hospital before the limit — a cost growing with the years kept (93 ms at 1,000,000 stays,
    docs/performance.md). Still one query."""
    soonest = orders_visible_to(user).open().order_by("deadline", "id").values("pk")[:limit]
    return (
        RectificationOrder.objects.filter(pk__in=soonest)
        .select_related("finding", "finding__category", "department")
        .order_by("deadline", "id")
    )


def order_rows_for_head(user, *, limit: int, fields: tuple[str, ...]) -> list[dict]:
    """``orders_for_head(user, limit=limit).values(*fields)``, read anew on every call, its statement
    built by the ORM once per scope, limit and columns (``infra.statements``): a head's dashboard
    shows their open orders on every view, and Django took ~1.5 ms to build and compile the query of
    four tables for PostgreSQL's 0.2 ms."""
    return statements.rows(_order_rows_for_head, scope_of(user).plain, limit, tuple(fields))


def _order_rows_for_head(user_scope, limit: int, fields: tuple[str, ...]):
    return orders_for_head(user_scope, limit=limit).values(*fields), fields


def _table_annotations(today: dt.date) -> dict:
    open_q = Q(status__in=OPEN_ORDER_STATUSES)
    rectified_q = Q(status__in=RECTIFIED_ORDER_STATUSES)
    return {
        "total": Count("id"),
        "open": Count("id", filter=open_q),
        "overdue": Count("id", filter=open_q & Q(deadline__lt=today)),
        "closed": Count("id", filter=rectified_q),
        "closed_on_time": Count("id", filter=rectified_q & Q(closed_on_time=True)),
        "awaiting_check": Count("id", filter=Q(status=OrderStatus.VERIFIED)),
    }


_TABLE_ORDER = ("-overdue", "-open", "department__name")


def department_order_table(
    orders: QuerySet[RectificationOrder], *, today: dt.date | None = None
) -> list[dict]:
    """Per department: open, overdue, closed, closed on time — for dashboards and reports."""
    today = today or timezone.localdate()
    return list(
        orders.values("department_id", "department__name")
        .annotate(**_table_annotations(today))
        .order_by(*_TABLE_ORDER)
    )


def order_counts_and_table(
    orders: QuerySet[RectificationOrder],
    *,
    today: dt.date | None = None,
    due_soon_days: int = 2,
    checks: bool = False,
) -> tuple[OrderCounts, list[dict]]:
    """``order_counts(orders, checks=checks)`` and ``department_order_table(orders)`` in one grouped
    query (and, with ``checks``, the effectiveness checks a second, as ``order_counts`` reads them):
    every order is in one department's row, so the whole set's counts are the rows' sums."""
    today = today or timezone.localdate()
    rows = list(_counted_table(orders, today, due_soon_days))
    checked = effectiveness_checks(orders) if checks else {"effective": None, "evaluated": None}
    return _counts_and_table_from(rows, checked)


def _counted_table(orders: QuerySet[RectificationOrder], today: dt.date, due_soon_days: int) -> QuerySet:
    """The table's rows per department with the rest of ``order_counts``' counts beside them: the two
    share "overdue" and "closed_on_time" (the same definitions); the others ride along under their
    own names, to be summed, then left out of the table's rows (``_counts_and_table_from``)."""
    shown = _table_annotations(today)
    extra = {k: v for k, v in _count_annotations(today, due_soon_days).items() if k not in shown}
    return (
        orders.values("department_id", "department__name").annotate(**shown, **extra).order_by(*_TABLE_ORDER)
    )


_TABLE_COLUMNS = ("department_id", "department__name", *_table_annotations(dt.date.min))
_COUNTED = tuple(_count_annotations(dt.date.min, 0))


def _counts_and_table_from(rows: list[dict], checked: dict) -> tuple[OrderCounts, list[dict]]:
    agg = {k: sum(r[k] for r in rows) for k in _COUNTED}
    table = [{k: r[k] for k in _TABLE_COLUMNS} for r in rows]
    return _counts_from(agg, checked), table


def _period_orders(since: dt.datetime, until: dt.datetime, departments: tuple[int, ...] | None) -> QuerySet:
    # The orders of the period's findings by the finding's moment each order keeps (its index), not
    # by joining every order ever issued to the period's findings (that read grew with the years);
    # a department's orders are its findings' (``finding__department``), as the API always read them.
    orders = RectificationOrder.objects.filter(found_at__gte=since, found_at__lt=until)
    if departments is not None:
        orders = orders.filter(finding__department_id__in=departments)
    return orders


def _period_order_table(since, until, departments, today: dt.date, due_soon_days: int) -> QuerySet:
    return _counted_table(_period_orders(since, until, departments), today, due_soon_days)


def _period_order_checks(since, until, departments) -> tuple[QuerySet, dict]:
    return _checks_of(_period_orders(since, until, departments))


def _period_findings(since, until, departments) -> tuple[QuerySet, dict]:
    findings = Finding.objects.filter(found_at__gte=since, found_at__lt=until)
    if departments is not None:
        findings = findings.filter(department_id__in=departments)
    return findings.order_by(), {"findings": Count("pk"), "recurrences": Count("pk", filter=RECURRENT)}


def period_order_figures(
    *, since: dt.datetime, until: dt.datetime, departments=None, today: dt.date | None = None
) -> tuple[OrderCounts, list[dict], dict[str, int]]:
    """The API's rectification figures of the findings found in ``[since, until)`` (moments), of
    ``departments`` (ids; None: all): ``order_counts_and_table(orders, checks=True)`` of their orders
    and ``{"findings", "recurrences"}``. Three statements, each built by the ORM once per period,
    departments and day (``statements``: building them was two thirds of the figures' Python), the
    counts read anew on every call."""
    today = today or timezone.localdate()
    departments = None if departments is None else tuple(departments)
    rows = statements.grouped(_period_order_table, since, until, departments, today, 2)
    checked = statements.aggregate(_period_order_checks, since, until, departments)
    found = statements.aggregate(_period_findings, since, until, departments)
    counts, table = _counts_and_table_from(rows, checked)
    return counts, table, found


# --- root causes and where problems are found ---------------------------------------------------


@dataclass(frozen=True)
class CauseTable:
    """Root causes by department: how many analysed orders name each cause category.

    ``categories`` are the column names in the list's order (a category no order named and no
    longer active is left out); ``None`` is "no category named", last, present only when counted.
    ``rows``: (department name, one count per column, orders analysed). An order naming two
    categories counts once in each, so a row's counts may add up to more than its orders.
    """

    categories: list[str | None]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]
    analysed: int


def cause_counts(orders: QuerySet[RectificationOrder]) -> CauseTable:
    """The root causes of ``orders`` that have an analysis (submitted at least once), per
    department and cause category. Three queries, whatever the number of orders."""
    analysed = orders.filter(submitted_at__isnull=False)
    pairs = list(
        analysed.values("department__name", "department__sort_order", "cause_categories")
        .annotate(n=Count("id"))
        .order_by("department__sort_order", "department__name")
    )
    per_department = dict(
        analysed.values("department__name").annotate(n=Count("id")).values_list("department__name", "n")
    )
    used = {p["cause_categories"] for p in pairs}
    columns: list[tuple[int | None, str | None]] = [
        (c.pk, c.name) for c in CauseCategory.objects.all() if c.active or c.pk in used
    ]
    if None in used:
        columns.append((None, None))
    index = {pk: i for i, (pk, _name) in enumerate(columns)}
    counts: dict[str, list[int]] = {}
    for p in pairs:
        row = counts.setdefault(p["department__name"], [0] * len(columns))
        row[index[p["cause_categories"]]] += p["n"]
    rows = [(name, row, per_department[name]) for name, row in counts.items()]
    totals = [sum(r[1][i] for r in rows) for i in range(len(columns))]
    return CauseTable(
        categories=[name for _pk, name in columns],
        rows=rows,
        totals=totals,
        analysed=sum(per_department.values()),
    )


def found_on_site(findings: QuerySet[Finding]) -> dict[str, int]:
    """Problems found on site (现场督查发现问题), as the annual summary counts them: every finding of an
    inspection round, plus a supervisor's own finding made on an on-site round or a walk-by.
    One query."""
    own = Q(source=FindingSource.OTHER)
    return findings.aggregate(
        total=Count("id", filter=Q(source=FindingSource.INSPECTION) | (own & Q(origin__in=ON_SITE_ORIGINS))),
        inspection=Count("id", filter=Q(source=FindingSource.INSPECTION)),
        round=Count("id", filter=own & Q(origin="round")),
        walk_by=Count("id", filter=own & Q(origin="walk_by")),
    )


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


def finding_has_open_order():
    return Exists(RectificationOrder.objects.filter(finding=OuterRef("pk"), status__in=OPEN_ORDER_STATUSES))


@dataclass(frozen=True)
class PatientTold:
    """Findings raised by a patient (a survey response, a follow-up call) and whether the patient
    was told what became of them: ``raised`` = ``told`` + ``not_told`` + ``not_recorded``."""

    raised: int
    told: int
    not_told: int
    by_method: dict[str, int]

    @property
    def not_recorded(self) -> int:
        return self.raised - self.told - self.not_told

    @property
    def told_rate(self):
        """Patients told ÷ findings raised by a patient (a Rate: exact, rounded only when shown)."""
        return rate(self.told, self.raised)


def patient_told_counts(findings: QuerySet[Finding]) -> PatientTold:
    """Counts of ``findings`` raised by a patient, by how the patient was told. One query."""
    rows = (
        findings.filter(source__in=PATIENT_SOURCES)
        .values("patient_told_method")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_method = {r["patient_told_method"]: r["n"] for r in rows}
    raised = sum(by_method.values())
    not_told = by_method.get(PatientToldMethod.NOT_TOLD, 0)
    told = raised - not_told - by_method.get("", 0)
    return PatientTold(
        raised=raised,
        told=told,
        not_told=not_told,
        by_method={
            m: by_method.get(m, 0) for m in PatientToldMethod.values if m != PatientToldMethod.NOT_TOLD
        },
    )


# --- alerts on unhappy patients (issue 17) ----------------------------------------------------


# --- disputes answered (issue 17: the head's "disputes and appeals answered") ---------------------

# The notice that tells the disputing head the office's decision (services.attribution_decide).
DISPUTE_DECIDED_KEY = "attribution_decided:"


def disputes_answered(user) -> QuerySet[Attribution]:
    """The disputes ``user`` (a head) raised that the office has decided (upheld or withdrawn) and
    they have not yet seen: the notice of the decision is unread. One condition for the count on
    "needs me now" and the list it opens (``/people/disputes/?answered=1``); another department's
    people are never in it (the head's Scope), nor anyone else's disputes. ``user`` may be a Scope."""
    user_scope = scope_of(user)
    if user_scope.all_departments or not user_scope.has_role(Role.DEPT_HEAD):
        return Attribution.objects.none()
    unread = Notification.objects.filter(
        recipient_id=user_scope.user_id,
        read_at__isnull=True,
        dedupe_key=Concat(Value(DISPUTE_DECIDED_KEY), Cast(OuterRef("pk"), CharField())),
    )
    decided = Attribution.objects.filter(status__in=DECIDED_ATTRIBUTIONS)
    return user_scope.filter(decided, department_field="staff__department").filter(Exists(unread))


def alerts_visible_to(user) -> QuerySet[Alert]:
    """The office and administrators: every alert; a department head: their departments'."""
    return scope(Alert.objects.all(), user)


def alerts_open_count(user) -> int:
    """Alerts not yet handled (not closed) in the user's scope: one COUNT, its statement built once
    per scope (``infra.statements``). The "needs me now" queue of the supervisor reads this."""
    return statements.count(_alerts_open, scope_of(user).plain)


def _alerts_open(user_scope) -> QuerySet[Alert]:
    return alerts_visible_to(user_scope).exclude(status=AlertStatus.CLOSED)


def alert_figures(*, start: dt.date, end: dt.date, departments=None, today: dt.date | None = None) -> dict:
    """Alerts raised in [start, end] (by the day raised) and how their service recovery went.

    ``raised`` (and per kind), ``open`` (not closed), ``contacted`` (a contact recorded),
    ``on_time`` (contacted on or before the day due), ``on_time_rate`` = on_time ÷ ``due`` (those
    contacted, and those not contacted whose day has passed, less those nobody may contact — an
    alert still within its day counts in neither); ``contactable`` = raised − those nobody may
    contact (closed "not contacted"); ``overdue`` = not
    contacted, not closed and past the day due; ``recovery_hours`` = the mean time from raising to
    contact over the contacted ones, from the exact sum of seconds ÷ the count; ``outcomes`` = closed
    alerts per outcome. One query.
    """
    today = today or timezone.localdate()
    qs = Alert.objects.filter(raised_on__gte=start, raised_on__lte=end)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    # One grouped read, counted here: the alerts grouped by what the figures tell apart (a handful of
    # groups). As one aggregate of ten filtered counts Django took ~4 ms of CPU to build the query
    # (each aggregate's expressions hashed against every other's), ten times the two statements' own
    # time; the closed alerts per outcome are the same groups, so this is one query instead of two.
    groups = (
        qs.annotate(
            is_contacted=ExpressionWrapper(Q(contacted_at__isnull=False), output_field=BooleanField()),
            in_time=ExpressionWrapper(Q(contacted_at__date__lte=F("due_on")), output_field=BooleanField()),
            past_due=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()),
        )
        .values("kind", "status", "outcome", "is_contacted", "in_time", "past_due")
        .annotate(
            n=Count("id"),
            # NULL for those not contacted, which SUM leaves out: the sum over the contacted ones.
            recovery=Sum(ExpressionWrapper(F("contacted_at") - F("raised_at"), output_field=DurationField())),
        )
        .order_by()
    )
    names = ("raised", "survey", "call", "open", "contacted", "on_time", "not_contactable", "due", "overdue")
    row = dict.fromkeys(names, 0)
    outcomes: dict[str, int] = {}
    recovery = dt.timedelta(0)
    for group in groups:
        n, contacted = group["n"], bool(group["is_contacted"])
        not_contactable = group["outcome"] == AlertOutcome.NOT_CONTACTED
        row["raised"] += n
        row["survey"] += n if group["kind"] == AlertKind.SURVEY_LOW_SCORE else 0
        row["call"] += n if group["kind"] == AlertKind.CALL_NOT_SATISFIED else 0
        row["open"] += n if group["status"] != AlertStatus.CLOSED else 0
        row["contacted"] += n if contacted else 0
        row["on_time"] += n if contacted and group["in_time"] else 0
        row["not_contactable"] += n if not_contactable else 0
        # Due by now: contacted, or not contacted and past the day (those nobody may contact aside).
        row["due"] += n if contacted or (group["past_due"] and not not_contactable) else 0
        row["overdue"] += n if group["status"] == AlertStatus.OPEN and group["past_due"] else 0
        if group["status"] == AlertStatus.CLOSED:
            outcomes[group["outcome"]] = outcomes.get(group["outcome"], 0) + n
        if contacted and group["recovery"] is not None:
            recovery += group["recovery"]
    contactable = row["raised"] - row["not_contactable"]
    seconds = recovery.total_seconds()
    return {
        **row,
        "contactable": contactable,
        "on_time_rate": rate(row["on_time"], row["due"]),
        "recovery_hours": Exact(Fraction(round(seconds)) / 3600 / row["contacted"])
        if row["contacted"]
        else None,
        "outcomes": [
            {"outcome": value, "label": label, "count": outcomes.get(value, 0)}
            for value, label in AlertOutcome.choices
        ],
        "closed": sum(outcomes.values()),
    }


# --- the lists' filter options ---------------------------------------------------------------
# A list's department and category pickers: their querysets (what a chosen value is checked against)
# and their options as (id, name) pairs read through statements the ORM builds once per scope
# (``supervision.infra.statements``; building the two option queries cost a filter form ~0.6 ms of CPU
# on every view). The names are read anew on every view: a renamed or added department shows at once.


def filter_departments(user) -> QuerySet[Department]:
    """The departments a list's filter offers ``user``: a head's own, else every active one."""
    return scope_of(user).department_choices(Department.objects.filter(active=True))


def filter_department_options(user) -> list[tuple[int, str]]:
    """``filter_departments(user).values_list("pk", "name")`` (``Department.__str__`` is its name)."""
    return [(r["id"], r["name"]) for r in statements.rows(_filter_departments, scope_of(user).plain)]


def _filter_departments(user_scope):
    return filter_departments(user_scope).values("id", "name"), ("id", "name")


def filter_category_options() -> list[tuple[int, str]]:
    """``Category.objects.values_list("pk", "name")`` in the categories' order."""
    return [(r["id"], r["name"]) for r in statements.rows(_filter_categories)]


def _filter_categories():
    return Category.objects.values("id", "name"), ("id", "name")


# --- notifications ---------------------------------------------------------------------------


def notification_groups(user):
    """``user``'s notices by item (``Notification.item``), the item with the newest notice first:
    one row per item with its counts (``unread``: unread work; ``moved_on``: unread but about a step
    already taken). One query per page."""
    return (
        user.notifications.order_by()
        .values("item")
        .annotate(
            latest=Max("created_at"),
            total=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True, moved_on_at__isnull=True)),
            moved_on=Count("id", filter=Q(read_at__isnull=True, moved_on_at__isnull=False)),
        )
        .order_by("-latest", "item")
    )


def notification_group_rows(user, groups: list[dict]) -> list[dict]:
    """The notices of a page of ``notification_groups``, newest first in each group. One query."""
    items = [g["item"] for g in groups]
    by_item: dict[str, list[Notification]] = {}
    for n in user.notifications.filter(item__in=items).order_by("-created_at", "-id"):
        by_item.setdefault(n.item, []).append(n)
    rows = []
    for g in groups:
        notices = by_item.get(g["item"], [])
        if notices:
            rows.append({**g, "newest": notices[0], "notices": notices})
    return rows


def unread_items(user, *, limit: int) -> list[str]:
    """The items (page paths) of ``user``'s unread notices that are still work (not moved on), the
    newest ``limit``: the navbar's badge (``supervision.context_processors``, through ``unread_badge``).
    """
    return unread_badge(user, limit=limit, path="")[0]


def unread_badge(user, *, limit: int, path: str) -> tuple[list[str], bool]:
    """The badge's items (``unread_items``) and whether ``user`` has any unread notice about the page
    at ``path`` (moved on or not: what opening it marks read), in one query.

    It runs on every page, so it is one plain query on Django's cursor (a public API), the table and
    columns named by the model: ~0.2 ms of CPU where the ORM spent ~1 ms building it through the
    related manager (docs/performance.md → "The frame (issue 23)"). Newest first by id, so that the
    partial index ``notification_unread`` (recipient, id; unread, not moved on) serves it: without an
    order PostgreSQL chose to read the table until it had found ``limit`` rows (6–16 ms at the large set).
    The page's own notices are one probe of the index ``notification_item`` (item, recipient), worked
    out once (an uncorrelated subquery) and given on every row: past the cap the page's notice may be
    further on than the items read, and without it every page of a user with ``limit`` unread notices
    or more wrote an UPDATE (a query more, and a write, on every page once a user's notices pile up).
    When there are no unread items at all the answer for the page is False: the badge never asks then.
    """
    meta = Notification._meta
    connection = connections[user._state.db or DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    item, recipient, read_at, moved_on_at = (
        qn(meta.get_field(f).column) for f in ("item", "recipient", "read_at", "moved_on_at")
    )
    table = qn(meta.db_table)
    # Identifiers from the model's metadata, quoted; the values are parameters.
    sql = (
        f"SELECT {item}, EXISTS (SELECT 1 FROM {table} WHERE {item} = %s AND {recipient} = %s"  # noqa: S608  # nosec B608: names from the models, values are parameters
        f" AND {read_at} IS NULL) FROM {table} WHERE {recipient} = %s"
        f" AND {read_at} IS NULL AND {moved_on_at} IS NULL ORDER BY {qn(meta.pk.column)} DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [path, user.pk, user.pk, limit])
        rows = cursor.fetchall()
    return [row[0] for row in rows], bool(rows and rows[0][1])
