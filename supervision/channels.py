"""The channel contract: what an app plugged into the core gives it, declared in one place.

Each channel app (inspections, follow-up, complaints, surveys — and reports, which plugs in the
same way) builds one :class:`Channel` in its ``AppConfig.ready()`` and passes it to
:func:`register`. The core reads only this registry, never a channel module by name:

* the dashboard renders ``dashboard_panels`` (``supervision.panels``);
* ``manage.py seed_demo`` calls each ``demo_seed`` after the core's demo hospital;
* after ``migrate`` the core's and every channel's ``schedules`` become beat jobs;
* ``supervision.retention`` applies every ``retention`` rule and link;
* the navbar shows each ``nav`` menu, every entry only to the users its page's guard admits;
* the reports app reads ``selectors`` and ``report_sections``;
* the dashboard's "needs me now" strip (``supervision.queues``) adds each ``queues`` entry.
* a person's record and the monthly per-person sheet (``supervision.people``) read every
  ``person_record``: what the channel counts for each staff member (chart grades, praise).

``pyproject.toml``'s ``[tool.importlinter]`` contracts keep it that way: the core imports no
channel, channels never import reports. ``docs/architecture.md`` has "adding a channel".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.urls import resolve, reverse

if TYPE_CHECKING:
    from .panels import Panel
    from .schedules import Job


@dataclass(frozen=True)
class NavEntry:
    """One link of a menu.

    Who sees it is decided by the guard of the page it leads to (``role_required`` of the view the
    URL resolves to), so an entry never leads to a refusal. ``audience`` may narrow that further (a
    page the guard admits but that is not that role's work, e.g. the calendar for callers); it can
    never widen it. The navbar is cached by the user's roles and language: visibility depends on
    the roles only. A public page (no guard) needs an ``audience``.
    """

    label: Any  # a lazy translation
    url_name: str
    args: tuple = ()
    audience: tuple[str, ...] | None = None
    icon: str = ""  # a Bootstrap icon name, e.g. "plus-lg"
    divider_before: bool = False


@dataclass(frozen=True)
class NavMenu:
    """A navbar item: a dropdown of ``entries``, or a plain link when one entry is visible."""

    label: Any
    entries: tuple[NavEntry, ...]


@dataclass(frozen=True)
class ReportSection:
    """A section of the periodic report fed by a channel's selectors.

    ``key`` names the section the reports app renders (``reports`` owns how a section looks);
    ``order`` places it among the channel sections (smaller first).
    """

    key: str
    order: int


@dataclass(frozen=True)
class RetentionRule:
    """Personal data a model holds, anonymised in place once its case is over for the retention
    period (``SiteConfig.retention_months``); applied by ``supervision.retention``.

    ``over``: pairs (which rows, age field): a row is over when it matches one condition and that
    condition's age field (a date or a moment; a path through foreign keys such as
    ``opening__opened_on`` is allowed) is before the cut-off. ``mask``: name fields masked
    by ``privacy.mask_name`` (张**); ``blank``: fields emptied. A row still holding any of them
    is due; once anonymised it is never selected again. ``scrub``: the row's free texts (text or
    JSON fields: a complaint's content, the answer given) in which the values of ``mask`` and
    ``blank`` are replaced as they are (张三 → 张*, the phone and e-mail removed), the rest of the
    text kept.
    """

    key: str  # names the rule in the run record (admin: 导入记录) and in the result
    model: str  # "app_label.Model"
    over: tuple[tuple[Q, str], ...]
    mask: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()
    scrub: tuple[str, ...] = ()


@dataclass(frozen=True)
class RetentionLink:
    """A channel's rows tied to the rows of another app's rule (``rule`` is its key) by ``field``:
    while a linked row matches ``open`` the case is not over; when the case is anonymised the
    linked rows lose ``blank`` too. E.g. follow-up tasks keep a discharged stay's contact data while
    a call is still to be made, and lose the patient's name + phone key with it.

    ``open`` is None for rows that never hold a case open (a complaint's letters). ``scrub``: the
    linked rows' frozen texts (text or JSON fields: a letter as sent, a history comment) cleaned of
    the rule row's values as the rule's own ``scrub``. ``files``: file fields whose stored file is
    deleted through the field's storage (``Storage.delete``, a missing file is no error) and the
    field emptied — a printed letter's PDF, a complainant's photo. A rule row whose linked rows
    still hold a file is due again, so a run that stopped half-way is finished by the next.
    """

    rule: str
    model: str
    field: str
    open: Q | None = None
    blank: tuple[str, ...] = ()
    scrub: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueEntry:
    """One "needs me now" count: work waiting for this user, and the list that shows it.

    Built by the core's queues and by a channel's ``queues(user, *, today)`` hook for the user's
    roles and Scope only (another department's rows are never counted). Its key places it among
    the others (``QUEUE_SLOTS``); ``when`` is the time of the most pressing item (the next call-back),
    shown beside the count.
    """

    key: str
    label: Any  # a lazy translation
    count: int
    url: str
    when: Any = None  # a datetime, or None

    @property
    def slot(self) -> int:
        return QUEUE_SLOTS.get(self.key, 999)


# Where each queue stands on the strip (smaller first), one list for the core's and the channels'.
# An entry a channel adds without a slot here goes last (``QUEUE_SLOTS.get(key, 999)``).
QUEUE_SLOTS: dict[str, int] = {
    # department heads
    "orders_to_acknowledge": 10,
    "orders_to_respond": 11,
    "actions_due_this_week": 12,
    "complaints_to_reply": 13,
    "disputes_answered": 14,
    "appeals_answered": 15,
    # supervisors
    "orders_to_verify": 20,
    "checks_due": 21,
    "observations_to_decide": 22,
    "appeals_to_decide": 23,
    # Alerts on unhappy patients (issue 17 item 3): the app that raises them adds this entry from
    # its ``queues`` hook, counting the alerts not yet handled in the supervisor's scope.
    "alerts_unhandled": 24,
    # follow-up callers
    "callbacks_due": 30,
    "calls_today": 31,
    "windows_closing_today": 32,
    # administrators
    "orders_at_top_rung": 40,
    "reports_ready": 41,
}


@dataclass(frozen=True)
class PersonMeasure:
    """One figure a channel counts for each person: a line of the person's record and a column of
    the monthly per-person sheet (个人绩效). ``praise`` adds it to the praise total."""

    key: str  # unique over every channel, e.g. "praise_survey"
    label: Any  # a lazy translation
    praise: bool = False


@dataclass(frozen=True)
class PersonEntry:
    """One row behind a measure on a person's record, worded already (the reader's language)."""

    measure: str  # the PersonMeasure's key
    on: Any  # a date
    text: str
    url: str = ""  # the channel's page, where the reader may open it; "" for none


@dataclass(frozen=True)
class PersonRows:
    """A channel's part of one person's record: each measure's count (a missing key is 0) and the
    newest rows behind each measure."""

    counts: dict[str, int]
    entries: list[PersonEntry]


@dataclass(frozen=True)
class PersonRecord:
    """A channel's part of the per-person record (issue 16 item 5), read by ``supervision.people``.

    ``counts(*, staff, start, end) -> {staff id: {measure key: n}}``: exact counts for the staff of
    the ``staff`` queryset over the days ``start``–``end`` (both included), one aggregate query per
    measure whatever the number of people (the monthly per-person sheet).
    ``rows(*, staff, start, end, limit) -> PersonRows``: for one person (a ``Staff``), the same
    counts as ``counts`` gives them and at most ``limit`` (≥ 1) rows per measure, newest first, in one
    query: the counts ride on the rows as window counts (``COUNT(*) OVER (…)``, worked out before
    the ``LIMIT``), so a record costs one query per channel however many rows the person has.
    """

    measures: tuple[PersonMeasure, ...]
    counts: Callable[..., dict[int, dict[str, int]]]
    rows: Callable[..., PersonRows]


@dataclass(frozen=True)
class Channel:
    """What one app gives the core. Every part is optional."""

    app: str  # the app label
    dashboard_panels: Callable[[Any], list[Panel]] | None = None
    demo_seed: Callable[..., None] | None = None  # seed(*, rng, today, context)
    schedules: tuple[Job, ...] = ()
    retention: tuple[RetentionRule | RetentionLink, ...] = ()
    nav: tuple[NavMenu, ...] = ()
    # For the reports app: the module with the figures its sections read, and those sections.
    selectors: str = ""
    report_sections: tuple[ReportSection, ...] = ()
    # "Needs me now": queues(user, *, today) -> list[QueueEntry], the channel's work waiting for
    # ``user`` (by their roles and Scope), a small constant number of queries whatever the rows.
    queues: Callable[..., list[QueueEntry]] | None = None
    # What the channel adds to each staff member's record and the monthly per-person sheet.
    person_record: PersonRecord | None = None
    # The channel's pages about people who work for it without being counted on the roster's
    # records (the service desk's "work by person"): linked from the people page to whoever the
    # page's guard admits, as a menu entry is (``may_open``).
    people_pages: tuple[NavEntry, ...] = ()
    # do_not_contact(stay) -> bool: the patient of this discharged stay must never be contacted
    # (opted out, deceased). Read by the core before an alert's service recovery contacts anyone.
    do_not_contact: Callable[[Any], bool] | None = None


_registry: dict[str, Channel] = {}
# Bumped whenever the registry changes: what is drawn from the channels once per process (the
# navbar, supervision.context_processors.navigation) keys on it.
_version = [0]


def register(channel: Channel) -> Channel:
    """Called once from the channel's ``AppConfig.ready()`` (apps are ready in INSTALLED_APPS order,
    which is the order of the navbar, the dashboard panels and the demo seeds)."""
    _registry[channel.app] = channel
    _version[0] += 1
    return channel


def channels_version() -> int:
    return _version[0]


def channels() -> tuple[Channel, ...]:
    return tuple(_registry.values())


def channel(app: str) -> Channel | None:
    return _registry.get(app)


@contextmanager
def registered(extra: Channel) -> Iterator[Channel]:
    """Tests: a channel registered for the duration of a ``with`` block."""
    previous = _registry.get(extra.app)
    _registry[extra.app] = extra
    _version[0] += 1
    try:
        yield extra
    finally:
        if previous is None:
            del _registry[extra.app]
        else:
            _registry[extra.app] = previous
        _version[0] += 1


# --- navigation -----------------------------------------------------------------------------


@dataclass
class NavLink:
    label: str
    url: str
    icon: str = ""
    divider_before: bool = False


@dataclass
class VisibleMenu:
    label: str
    links: list[NavLink] = field(default_factory=list)

    @property
    def single(self) -> NavLink | None:
        """A menu with one visible link is drawn as that link, under the menu's name."""
        return self.links[0] if len(self.links) == 1 else None


def page_guard(url: str) -> tuple[str, ...] | None:
    """The roles the view behind ``url`` admits (``access.role_required``); None for a public page."""
    return getattr(resolve(url).func, "required_roles", None)


def may_open(user, entry: NavEntry, url: str | None = None) -> bool:
    """Whether ``user`` sees ``entry``: the page's guard admits them, and so does the audience."""
    if not user.is_authenticated or not user.is_active:
        return False
    url = url or reverse(entry.url_name, args=entry.args)
    guard = page_guard(url)
    if guard is None and entry.audience is None:
        # A public page opens to anyone: the entry says whom it is for.
        raise ImproperlyConfigured(f"menu entry {entry.url_name}: a public page needs an audience")
    if entry.audience is not None and not user.has_role(*entry.audience):
        return False
    return guard is None or user.has_role(*guard)


# The core's own menus, before and after the channels' (the dashboard and the finding register
# come first, the organisation's imports last).
def _core_nav() -> tuple[tuple[NavMenu, ...], tuple[NavMenu, ...]]:
    from django.utils.translation import gettext_lazy as _

    head = (
        NavMenu(_("Dashboard"), (NavEntry(_("Dashboard"), "dashboard"),)),
        NavMenu(
            _("Findings"),
            (
                NavEntry(_("Findings"), "finding_list"),
                NavEntry(_("Effectiveness checks"), "order_checks"),
                NavEntry(_("Unhappy patient alerts"), "alert_list"),
            ),
        ),
    )
    tail = (
        NavMenu(
            _("Organisation"),
            (
                NavEntry(_("Staff records"), "person_list"),
                NavEntry(_("Disputed attributions"), "attribution_disputes"),
                NavEntry(_("Import departments"), "import_page", args=("departments",), divider_before=True),
                NavEntry(_("Import staff"), "import_page", args=("staff",)),
            ),
        ),
    )
    return head, tail


def nav_menus(user) -> list[VisibleMenu]:
    """The navbar of ``user``: the core's menus and every channel's, with the entries they may open."""
    head, tail = _core_nav()
    menus = [*head, *(menu for ch in channels() for menu in ch.nav), *tail]
    shown = []
    for menu in menus:
        visible = VisibleMenu(str(menu.label))
        for entry in menu.entries:
            url = reverse(entry.url_name, args=entry.args)
            if may_open(user, entry, url):
                visible.links.append(
                    NavLink(
                        str(entry.label),
                        url,
                        entry.icon,
                        divider_before=entry.divider_before and bool(visible.links),
                    )
                )
        if visible.links:
            shown.append(visible)
    return shown


def do_not_contact(stay) -> bool:
    """Whether any channel says the patient of ``stay`` must never be contacted."""
    return any(ch.do_not_contact(stay) for ch in channels() if ch.do_not_contact is not None)
