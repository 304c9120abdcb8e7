"""Texts the core stores as a key + parameters and words when shown (see ``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy, ngettext_lazy

from .infra.imports import texts as import_texts  # noqa: F401  # the pipeline's keys, known wherever texts are worded
from .infra.imports.texts import not_one_of
from .infra.wording import Message
from .models import AlertKind, DepartmentKind, RungTarget, StaffPosition

# Notification titles: stored by notification_send, worded for the reader (page) or recipient (e-mail).
ORDER_ISSUED = Message(
    "order.issued", gettext_lazy("New rectification order %(number)s, due %(deadline)s"), dates=("deadline",)
)
ORDER_SUBMITTED = Message("order.submitted", gettext_lazy("Order %(number)s submitted for verification"))
ORDER_VERIFIED = Message("order.verified", gettext_lazy("Order %(number)s verified and closed"))
ORDER_RETURNED = Message("order.returned", gettext_lazy("Order %(number)s returned for rework"))
ORDER_EXTENSION_REQUESTED = Message(
    "order.extension_requested", gettext_lazy("Order %(number)s: deadline extension requested")
)
ORDER_EXTENSION_GRANTED = Message(
    "order.extension_granted",
    gettext_lazy("Order %(number)s: extension granted to %(deadline)s"),
    dates=("deadline",),
)
ORDER_EXTENSION_REFUSED = Message(
    "order.extension_refused", gettext_lazy("Order %(number)s: extension refused")
)
ORDER_DUE_SOON = Message(
    "order.due_soon", gettext_lazy("Order %(number)s is due on %(deadline)s"), dates=("deadline",)
)
ORDERS_OVERDUE = Message(
    "orders.overdue",
    ngettext_lazy("%(count)s overdue rectification order", "%(count)s overdue rectification orders", "count"),
    count="count",
)
ORDER_ESCALATED = Message(
    "order.escalated",
    gettext_lazy("Escalated: order %(number)s of %(department)s is %(days)s days overdue"),
)
ORDER_VERIFIED_CHECK = Message(
    "order.verified_check",
    gettext_lazy("Order %(number)s verified; its effectiveness will be checked on %(check)s"),
    dates=("check",),
)
ORDER_REOPENED = Message(
    "order.reopened",
    gettext_lazy("Order %(number)s reopened: the rectification did not hold; new deadline %(deadline)s"),
    dates=("deadline",),
)
ORDER_CHECK_DUE = Message(
    "order.check_due",
    gettext_lazy("Effectiveness check of order %(number)s (%(department)s) due on %(date)s"),
    dates=("date",),
)
ORDER_RUNG_HEAD = Message(
    "order.rung_head",
    gettext_lazy("Order %(number)s has reached its deadline and is not rectified (%(days)s days overdue)"),
)
ORDER_TO_MEETING = Message(
    "order.rung_meeting",
    gettext_lazy(
        "Order %(number)s of %(department)s goes on the hospital weekly meeting list (%(days)s days overdue)"
    ),
)

# History notes the system writes on an order.
CHECK_FAILED_BY_RECURRENCE = Message(
    "order.note.recurrence",
    gettext_lazy("Not effective: the same problem was found again before the check (finding %(number)s)"),
)
RUNG_NOTE = Message(
    "order.note.rung",
    gettext_lazy("Escalation ladder: %(target)s, %(days)s days overdue"),
    choices={"target": RungTarget},
)

# Told to whoever raised an observation (a volunteer): what became of it.
OBSERVATION_NO_ORDER = Message(
    "observation.no_order", gettext_lazy("Your observation %(number)s: the office decided no order is needed")
)
ATTRIBUTION_DISPUTED = Message(
    "attribution.disputed", gettext_lazy("Finding %(number)s: the attribution to %(name)s is disputed")
)
ATTRIBUTION_UPHELD = Message(
    "attribution.upheld", gettext_lazy("Finding %(number)s: the attribution to %(name)s was upheld")
)
ATTRIBUTION_WITHDRAWN = Message(
    "attribution.withdrawn", gettext_lazy("Finding %(number)s: the attribution to %(name)s was withdrawn")
)
OBSERVATION_ORDERED = Message(
    "observation.ordered", gettext_lazy("Your observation %(number)s: rectification order %(order)s issued")
)
OBSERVATION_CLOSED = Message(
    "observation.closed", gettext_lazy("Your observation %(number)s: order %(order)s rectified and verified")
)

# One line of the overdue digest's body per order.
OVERDUE_ORDER = Message(
    "orders.overdue_line", "%(number)s %(department)s %(deadline)s (+%(days)s)", dates=("deadline",)
)

NOTIFICATION_TITLES = [
    ORDER_ISSUED,
    ORDER_SUBMITTED,
    ORDER_VERIFIED,
    ORDER_RETURNED,
    ORDER_EXTENSION_REQUESTED,
    ORDER_EXTENSION_GRANTED,
    ORDER_EXTENSION_REFUSED,
    ORDER_DUE_SOON,
    ORDERS_OVERDUE,
    ORDER_ESCALATED,
    OBSERVATION_NO_ORDER,
    OBSERVATION_ORDERED,
    ATTRIBUTION_DISPUTED,
    ATTRIBUTION_UPHELD,
    ATTRIBUTION_WITHDRAWN,
    OBSERVATION_CLOSED,
]

# Pieces that join other texts with the language's punctuation (：and ；in Chinese).
WITH_TEXT = Message("text.with_text", gettext_lazy("%(head)s: %(text)s"))
WITH_NOTE = Message("text.with_note", gettext_lazy("%(head)s; %(text)s"))
ARROW = Message("text.arrow", "%(head)s → %(target)s")
LIST = Message("text.list", "%(items)s", lists=("items",))
LINES = Message("text.lines", "%(head)s\n%(text)s")
DATE = Message("text.date", "%(date)s", dates=("date",))
LINE_LIST = Message("text.line_list", "%(lines)s", line_lists=("lines",))


def with_text(head, text: str = ""):
    """``head`` followed by a person's own words, if any: "满意：谢谢" / "Satisfied: thanks"."""
    return WITH_TEXT(head=head, text=text) if text else head


def convert_notification_titles(apps, messages) -> tuple[int, int]:
    """Data migrations: notification titles stored worded become ``messages``' keys + parameters."""
    from .infra.wording import convert_stored_texts

    return convert_stored_texts(
        apps.get_model("supervision", "Notification").objects.all(),
        text_field="title",
        key_field="title_key",
        params_field="params",
        messages=messages,
    )


# Alerts on unhappy patients (issue 17): the notice and the history note of a raised alert.
ALERT_RAISED = Message(
    "alert.raised",
    gettext_lazy("Unhappy patient in %(department)s (%(kind)s): contact them by %(due)s"),
    dates=("due",),
    choices={"kind": AlertKind},
)

# Why a patient's full number was shown (RevealLog.purpose): the alert's service recovery.
REVEAL_ALERT = Message("reveal.alert_recovery", gettext_lazy("Unhappy patient's service recovery"))

# A refused row of the department and staff imports (ImportRun.errors), worded when shown.
IMPORT_REPEATED_KEY = Message(
    "import.repeated_key", gettext_lazy("Row %(row)s repeats %(col)s “%(key)s” of row %(first)s.")
)
IMPORT_NAME_TAKEN = Message(
    "import.name_taken", gettext_lazy("The name “%(name)s” is already used by department %(code)s.")
)
IMPORT_UNKNOWN_DEPARTMENT_CODE = Message(
    "import.unknown_department_code", gettext_lazy("Unknown department code “%(code)s”.")
)
IMPORT_NOT_DEPARTMENT_KIND = not_one_of("import.not_department_kind", DepartmentKind)
IMPORT_NOT_POSITION = not_one_of("import.not_position", StaffPosition)
