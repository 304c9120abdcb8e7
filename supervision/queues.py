""" "Needs me now": the work waiting for one user, as counts that each open a filtered list.

The core counts the rectification work (orders, corrective actions, volunteers' observations); each
channel adds its own through the contract's ``queues`` hook (``supervision.channels.QueueEntry``),
so the core never imports a channel. Every count reads the user's Scope (a head's departments, the
office's whole hospital): another department's rows are never counted. Which queues a role has is
in docs/supervision.md ("Needs me now").

The membership of the core's queues is one condition per queue (``finding_condition``), read by the
count here and by the finding list's ``queue`` filter, so the number and the list always agree.
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import Scope, scope_of
from .channels import QueueEntry, channels
from .infra import statements
from .models import (
    ActionStatus,
    CorrectiveAction,
    Finding,
    FindingSource,
    OrderStatus,
    RectificationOrder,
    Role,
    RungTarget,
)
from .selectors import alerts_open_count, disputes_answered

# The finding list's ``queue`` filter: key → label (the filter's choices).
CORE_QUEUES = {
    "orders_to_acknowledge": _("Orders to acknowledge"),
    "orders_to_respond": _("Orders to respond to"),
    "actions_due_this_week": _("Corrective actions due this week"),
    "orders_to_verify": _("Responses to verify"),
    "checks_due": _("Effectiveness checks due"),
    "observations_to_decide": _("Volunteer observations to decide"),
    "orders_at_top_rung": _("Orders at the top escalation rung"),
}

# The roles whose queue each one is.
QUEUE_ROLES = {
    "orders_to_acknowledge": (Role.DEPT_HEAD,),
    "orders_to_respond": (Role.DEPT_HEAD,),
    "actions_due_this_week": (Role.DEPT_HEAD,),
    "orders_to_verify": (Role.SUPERVISOR,),
    "checks_due": (Role.SUPERVISOR,),
    "observations_to_decide": (Role.SUPERVISOR,),
    "orders_at_top_rung": (Role.ADMINISTRATOR,),
}

# The office's queue of alerts on unhappy patients (issue 17: heads are told by their notice and
# work their departments' alerts on /alerts/).
ALERT_QUEUE_ROLES = (Role.SUPERVISOR,)

OPEN_FOR_DEPARTMENT = (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.RETURNED)

# The states an order of each order-based queue is in (each queue's condition starts with its own).
ORDER_QUEUE_STATUSES = {
    "orders_to_acknowledge": (OrderStatus.ISSUED,),
    "orders_to_respond": (OrderStatus.ACKNOWLEDGED, OrderStatus.RETURNED),
    "orders_to_verify": (OrderStatus.SUBMITTED,),
    "checks_due": (OrderStatus.VERIFIED,),
    "orders_at_top_rung": OPEN_FOR_DEPARTMENT,
}


def week_end(today: dt.date) -> dt.date:
    """The Sunday of ``today``'s week: "this week" runs Monday to Sunday."""
    return today + dt.timedelta(days=6 - today.weekday())


def _actions_due(today: dt.date) -> Q:
    return Q(
        status__in=(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS),
        due_date__lte=week_end(today),
        order__status__in=OPEN_FOR_DEPARTMENT,
    )


def order_condition(key: str, today: dt.date, *, via: str = "") -> Q:
    """Which orders are in the queue ``key`` (the order-based queues); ``via`` is the path to the order
    from the model filtered ("order__" from a finding), so the condition is on the joined order itself."""

    def on(**lookups) -> Q:
        return Q(**{via + name: value for name, value in lookups.items()})

    statuses = ORDER_QUEUE_STATUSES[key]  # KeyError: not an order-based queue
    if key == "checks_due":
        return on(status__in=statuses, check_due__lte=today)
    if key == "orders_at_top_rung":
        # Standing at the weekly-meeting rung for its current deadline (as the weekly list reads it).
        return on(
            status__in=statuses,
            ladder_rung__target=RungTarget.WEEKLY_MEETING,
            ladder_deadline=F(via + "deadline"),
        )
    return on(status__in=statuses)


def finding_condition(key: str, today: dt.date) -> Q:
    """Which findings the finding list shows for the queue ``key``."""
    if key == "observations_to_decide":
        # "No order" as NOT EXISTS: PostgreSQL reads it as an anti-join on the order's finding index,
        # where ``order__isnull`` (a LEFT JOIN … IS NULL) made it scan every order ever issued.
        has_order = RectificationOrder.objects.filter(finding=OuterRef("pk"))
        return Q(~Exists(has_order), source=FindingSource.VOLUNTEER, decided_at__isnull=True)
    if key == "actions_due_this_week":
        due = CorrectiveAction.objects.filter(_actions_due(today), order__finding=OuterRef("pk"))
        return Q(Exists(due))
    # On the finding's own order (one INNER JOIN), not ``order__in`` a subquery of orders: PostgreSQL
    # joined that subquery to every order ever issued (a hash join over the whole table) before
    # counting or sorting the list (docs/performance.md → "Pages at five years").
    return order_condition(key, today, via="order__")


def _finding_list_url(key: str) -> str:
    return f"{reverse('finding_list')}?queue={key}"


def core_entries(user, *, today: dt.date) -> list[QueueEntry]:
    """The core's queues for ``user``: one aggregate over the orders in scope, and one count each
    for the corrective actions and the observations, whatever the number of rows."""
    scope = scope_of(user)
    mine = [key for key, roles in QUEUE_ROLES.items() if scope.has_role(*roles)]
    if not mine:
        return []
    counts: dict[str, int] = {}
    # Each count's statement is built by the ORM once per scope and day, then sent as it is
    # (supervision.infra.statements): building them was most of this strip's time.
    order_keys = tuple(k for k in mine if k not in ("actions_due_this_week", "observations_to_decide"))
    if order_keys:
        counts.update(statements.aggregate(_order_queue_counts, scope.plain, today, order_keys))
    if "actions_due_this_week" in mine:
        counts["actions_due_this_week"] = statements.count(_actions_due_this_week, scope.plain, today)
    if "observations_to_decide" in mine:
        counts["observations_to_decide"] = statements.count(_observations_to_decide, scope.plain, today)
    entries = [QueueEntry(key, CORE_QUEUES[key], counts[key] or 0, _finding_list_url(key)) for key in mine]
    if scope.has_role(Role.DEPT_HEAD) and not scope.all_departments:
        # The office's decisions on the head's disputes of attributions, not yet seen (issue 16's
        # disputes; the appeals of chart audits are the inspections channel's entry beside it).
        entries.append(
            QueueEntry(
                "disputes_answered",
                _("Disputes answered"),
                statements.count(_disputes_answered, scope.plain),
                f"{reverse('attribution_disputes')}?answered=1",
            )
        )
    if scope.has_role(*ALERT_QUEUE_ROLES):
        # The alerts on unhappy patients are the core's too (issue 17): one COUNT in the user's scope.
        entries.append(
            QueueEntry(
                "alerts_unhandled",
                _("Alerts not yet handled"),
                alerts_open_count(user),
                f"{reverse('alert_list')}?status=unhandled",
            )
        )
    return entries


# The statements of the core's counts (``statements``: each a function of its arguments only).


def _order_queue_counts(scope: Scope, today: dt.date, keys: tuple[str, ...]):
    """The order-based queues ``keys`` of ``scope``: one aggregate over the orders in one of them."""
    conditions = {k: order_condition(k, today) for k in keys}
    # Only the orders in one of the queues are read — their conditions OR-ed are the WHERE — so
    # PostgreSQL finds them by the indexes (status, ladder rung) instead of reading every order
    # ever issued, a cost growing with the years kept (docs/performance.md → "Dashboards").
    # The queues' states first, as a condition of its own: PostgreSQL then counts from the index
    # on (status, check_due) alone (an index-only scan) instead of a bitmap of the OR-ed
    # conditions read back from the table — the checks waiting grow with the orders kept.
    statuses = sorted({s for k in keys for s in ORDER_QUEUE_STATUSES[k]})
    in_a_queue = RectificationOrder.objects.filter(
        Q(status__in=statuses), reduce(operator.or_, conditions.values())
    )
    orders = scope.filter(in_a_queue, owner_field=None).order_by()
    return orders, {k: Count("pk", filter=q) for k, q in conditions.items()}


def _actions_due_this_week(scope: Scope, today: dt.date):
    actions = scope.filter(CorrectiveAction.objects.all(), department_field="order__department")
    return actions.filter(_actions_due(today))


def _observations_to_decide(scope: Scope, today: dt.date):
    findings = scope.filter(Finding.objects.all(), owner_field=None)
    return findings.filter(finding_condition("observations_to_decide", today))


def _disputes_answered(scope: Scope):
    return disputes_answered(scope)


def needs_me_now(user, *, today: dt.date | None = None) -> list[QueueEntry]:
    """Every queue of ``user``, the core's and the channels', in the order of ``QUEUE_SLOTS``."""
    today = today or timezone.localdate()
    entries = core_entries(user, today=today)
    for channel in channels():
        if channel.queues is not None:
            entries.extend(channel.queues(user, today=today))
    return sorted(entries, key=lambda e: e.slot)
