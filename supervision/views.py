"""Views of the core. Thin: scope → form/service → redirect. State changes are POST only."""

from __future__ import annotations

import datetime as dt
from functools import partial

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import people, queues, selectors, services
from .access import get_scoped_or_404, role_required, scope, scope_of, workflow_rule
from .errors import ActionNotAllowed
from .filters import FindingFilter, queue_findings, queue_only
from .forms import (
    ActionCompleteForm,
    ActionEvidenceForm,
    ActionReopenForm,
    AlertCloseForm,
    AlertContactForm,
    AlertStatusForm,
    AttributionDecisionForm,
    CheckIneffectiveForm,
    CommentForm,
    DecideNoOrderForm,
    DisputeForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FindingForm,
    ImportForm,
    NotificationPreferencesForm,
    OrderIssueForm,
    PatientToldForm,
    PlanActionForm,
    ReturnForm,
    SheetForm,
    SubmitForm,
    VerifyForm,
)
from .importing import IMPORTERS, import_file
from .infra import figcache, offline, statements, wording
from .infra.filtersets import filter_refused, list_filter
from .infra.fragments import cached_fragment, cached_rows, url_maker
from .infra.imports import template_workbook
from .infra.once import page_view
from .infra.responses import Step, action_buttons, partial_or_page, refusals, run_step
from .infra.statements import StatementPaginator
from .models import (
    COUNTED_ATTRIBUTIONS,
    Alert,
    AlertAction,
    AlertStatus,
    Attachment,
    Attribution,
    AttributionAction,
    AttributionStatus,
    CorrectiveAction,
    CorrectiveActionStep,
    ExtensionStatus,
    Finding,
    FindingOutcome,
    FindingSource,
    OrderAction,
    PersonRecordKind,
    RectificationOrder,
    Role,
    SiteConfig,
)
from .panels import collect_panels
from .privacy import person_record_log
from .templatetags.ducha import choice_label, url_once
from .workflow import allowed_actions

ALL_ROLES = tuple(Role.values)
# Who opens the finding register: everyone but the service desk, whose staff record no findings
# (their list was always empty) and must not read other people's findings or orders.
FINDING_READERS = tuple(role for role in Role.values if role != Role.DESK)
FINDING_CREATORS = (Role.SUPERVISOR, Role.VOLUNTEER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- health ----------------------------------------------------------------------------------


@require_GET
def healthz(request):
    """Liveness for the load balancer and docker: the database answers. No login, no data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


# --- installable app: manifest and service worker (supervision/infra/offline.py) -------------


@require_GET
def web_manifest(request):
    """Public, like the log-in page that links it: names, colours and icons only."""
    data = offline.manifest(
        name=_("Ducha"), short_name=_("Ducha"), description=str(settings.DUCHA_NAME), lang=get_language()
    )
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "private, no-cache"  # worded in the reader's language: not for a shared cache
    return response


@require_GET
def service_worker(request):
    """The service worker, served at the site's root so that it may look after every page (the round
    pages are under /inspections/, their files under /static/). The same script for everyone: what it
    keeps is decided per session by the pages' own headers. Revalidated on each check for an update."""
    response = render(
        request, "sw.js", {"config": offline.worker_config()}, content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


# --- dashboard -------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def dashboard(request):
    user = request.user
    config = SiteConfig.get()
    today = timezone.localdate()
    # The office's figures are cached briefly per scope (figcache), drawn once per figure set: the
    # view reads their HTML and the two things the page shows beside it, never the figures themselves
    # (unpickling them — ten recurrences, the department table, rates — cost more than drawing the
    # rest of the page). The lists of the user's own actionable items below them stay live.
    shown, _as_of = figcache.cached_figures(
        # ":2": the entry holds its "as of" drawn (stop 22); entries of the shape before are not read.
        "dashboard:2",
        lambda: _dashboard_figures_shown(user, config, today),
        user=user,
        vary=(config.due_soon_days, config.recurrence_window_days),
    )
    context = {"config": config, "today": today, **shown}
    if user.has_role(Role.DEPT_HEAD):
        # The soonest deadlines; the full list is one click away (the finding list is scoped to the
        # head's departments). Twenty rows keep the page that heads open first fast.
        # Read as values: the rows show a dozen plain columns, and twenty orders as model instances
        # with their findings (every column, the long description included), categories and
        # departments cost ~1 ms more to build than the rows' HTML, which comes from the row cache;
        # the statement itself is built once per scope (selectors.order_rows_for_head).
        # The section is drawn once per content (cached_fragment): its rows' values, the counts above
        # them and the list's link are its key, so a changed order or count is a new section.
        url = url_maker("finding_detail")
        orders = context["head_orders"] = selectors.order_rows_for_head(
            user, limit=20, fields=HEAD_ORDER_ROW_FIELDS
        )
        counts = shown.get("head_counts")
        context["head_orders_html"] = cached_fragment(
            "supervision/_head_orders.html",
            {
                "rows": [_head_order_row(o, today, url) for o in orders],
                "counts": {"open": counts.open, "overdue": counts.overdue} if counts else None,
                "list_url": url_once("finding_list"),
            },
            draw=_draw_head_orders,
            includes=("supervision/_head_order_row.html",),
        )
    if user.has_role(Role.VOLUNTEER, Role.FOLLOWUP) and not user.sees_all_departments:
        # Their ten latest findings, each row drawn once per content (supervision.infra.fragments).
        # Read as values, as the lists' rows are: the row shows seven plain columns.
        mine = context["my_findings"] = list(
            selectors.findings_visible_to(user).order_by("-found_at").values(*MY_FINDING_ROW_FIELDS)[:10]
        )
        url = url_maker("finding_detail")
        context["my_finding_rows"] = cached_rows(
            "supervision/_my_finding_row.html", (_my_finding_row(f, url) for f in mine)
        )
    # The panels and "needs me now" come from hooks that do not know one another: a figure two of
    # them show is read once in this view (supervision.infra.once), never kept beyond it.
    with page_view():
        context["panels"] = collect_panels(request)
        context["needs_me"] = queues.needs_me_now(user, today=today)
    context["needs_me_html"] = _needs_me_html(context["needs_me"])
    return render(request, "supervision/dashboard.html", context)


@role_required(*ALL_ROLES)
@require_GET
def needs_me(request):
    """The dashboard's "needs me now" counts alone: htmx refreshes them in place about once a minute."""
    entries = queues.needs_me_now(request.user)
    # The bell's unread count (the context processor's) rides along, swapped in out of band.
    context = {"needs_me": entries, "needs_me_html": _needs_me_html(entries), "bell_oob": True}
    return render(request, "supervision/_needs_me.html", context)


def _needs_me_html(entries) -> str:
    """ "Needs me now" (``_needs_me_section.html``: its entries, each a count, its label and link, the
    next call-back's time), drawn once per content (``supervision.infra.fragments``): the section and,
    on a miss, each entry from the row cache. Drawing them in the template engine on every view (the
    minute's refresh of /needs-me/ included) cost ~250 Python calls an entry, looking each entry up
    ~70 and the section's loop ~400."""
    rows = [
        {"key": e.key, "label": str(e.label), "count": e.count, "url": e.url, "when": e.when} for e in entries
    ]
    return cached_fragment(
        "supervision/_needs_me_section.html",
        {"rows": rows, "url": url_once("needs_me")},
        draw=_draw_needs_me,
        includes=("supervision/_needs_me_entry.html",),
    )


def _draw_needs_me(content) -> dict:
    rows = content["rows"]
    return {
        "entries": rows,
        "entries_html": cached_rows("supervision/_needs_me_entry.html", rows),
        "url": content["url"],
    }


# The columns an open order on a head's dashboard shows (``_head_order_row``).
HEAD_ORDER_ROW_FIELDS = (
    *("finding_id", "number", "status", "deadline", "department_id", "department__name"),
    *("finding__category__name", "finding__description", "finding__description_key"),
    "finding__description_params",
)


def _head_order_row(values, today, url) -> dict:
    """What one open order on a head's dashboard shows (``HEAD_ORDER_ROW_FIELDS``), as plain values
    (``supervision.infra.fragments``)."""
    status = values["status"]
    return {
        "url": url(values["finding_id"]),
        "number": values["number"],
        "category": values["finding__category__name"],
        "department": values["department__name"],
        "status": status,
        "overdue": RectificationOrder.overdue(status, values["deadline"], today),
        "deadline": values["deadline"],
        # The stored description; worded (and the status labelled) only when the row is drawn.
        "description_key": values["finding__description_key"],
        "description_params": values["finding__description_params"],
        "description_fallback": values["finding__description"],
    }


def _draw_head_orders(content) -> dict:
    """The context of a head's open orders (``_head_orders.html``) from its content, on a miss only:
    each row's HTML from the row cache, drawn (worded, labelled) where it is not there."""
    rows = content["rows"]
    return {
        "counts": content["counts"],
        "rows": rows,
        "rows_html": cached_rows("supervision/_head_order_row.html", rows, draw=_draw_head_order_row),
        "list_url": content["list_url"],
    }


def _stored_description(row) -> str:
    """The row's stored description in the active language (``Finding.description_text``)."""
    return wording.render(
        row["description_key"], row["description_params"], fallback=row["description_fallback"]
    )


def _draw_head_order_row(row) -> dict:
    """A head's open order as its template shows it: the description worded, the status labelled.
    Run only for the rows not in the row cache (``cached_rows(draw=…)``): wording twenty stored
    descriptions on every view took longer than fetching their rows' HTML."""
    return {
        **row,
        "description": _stored_description(row),
        "status_label": str(choice_label(RectificationOrder, "status", row["status"])),
    }


# The columns of a finding in "What I submitted" (``_my_finding_row``).
MY_FINDING_ROW_FIELDS = (
    *("id", "number", "department__name", "category__name", "found_at", "decided_at", "order__status"),
)


def _my_finding_row(values, url) -> dict:
    """What one finding in "What I submitted" shows (``MY_FINDING_ROW_FIELDS``), as plain values
    (``supervision.infra.fragments``)."""
    # Finding.outcome, from the values (a finding without an order has no order__status)
    outcome = Finding.outcome_of(values["order__status"], values["decided_at"])
    return {
        "url": url(values["id"]),
        "number": values["number"],
        "department": values["department__name"],
        "category": values["category__name"],
        "found_at": values["found_at"],
        "outcome": str(outcome),
        "outcome_label": str(FindingOutcome(outcome).label),
    }


# The dashboard lists the departments most in need of attention; the rest are in reports and lists.
DASHBOARD_DEPARTMENT_ROWS = 15


def _year_on_year(findings, orders) -> dict:
    """This year to date beside the same days of last year (issue 18 item 5): problems found (all
    channels and on site), rectification, on-time and effectiveness rates of those problems' orders.
    A year without a finding is "no data" (None), never 0 %."""
    today = timezone.localdate()
    out = {}
    for key, first, last in (
        ("now", today.replace(month=1, day=1), today),
        ("last", today.replace(month=1, day=1) - relativedelta(years=1), today - relativedelta(years=1)),
    ):
        period = findings.filter(found_at__date__gte=first, found_at__date__lte=last)
        on_site = selectors.found_on_site(period)
        counts = selectors.order_counts(
            orders.filter(finding__found_at__date__gte=first, finding__found_at__date__lte=last), today=last
        )
        found = period.count()
        out[key] = (
            {
                "findings": found,
                "on_site": on_site["total"],
                "rectification": counts.rectification_rate,
                "on_time": counts.on_time_rate,
                "effectiveness": counts.effectiveness_rate,
            }
            if found
            else None
        )
    return out


def _dashboard_figures_shown(user, config, today: dt.date) -> dict:
    """What the dashboard shows of its figures: their tables and charts drawn
    (``_dashboard_figures.html``), whether there are any (the "as of" line beside the title), a
    head's order counts (above their open orders) and when they were computed — plain data, cached."""
    figures = _dashboard_figures(user, config)
    as_of = timezone.now()
    context = {"config": config, **figures, "as_of": as_of, "today": today}
    return {
        "figures_html": render_to_string("supervision/_dashboard_figures.html", context),  # safe HTML
        "figures_shown": bool(figures.get("counts") or figures.get("head_counts") or figures.get("chart")),
        "head_counts": figures.get("head_counts"),
        "as_of": as_of,
        # The "as of" beside the title, drawn with the figures (it is a function of them alone): the
        # include cost ~300 Python calls on every view.
        "as_of_html": render_to_string("_as_of.html", {"as_of": as_of}),  # safe HTML
    }


def _dashboard_figures(user, config) -> dict:
    """The dashboard's figures for ``user``'s scope, as plain data (it is cached)."""
    findings = selectors.findings_visible_to(user)
    orders = selectors.orders_visible_to(user)
    figures: dict = {}
    if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        figures["counts"] = selectors.order_counts(orders, due_soon_days=config.due_soon_days)
        figures["recurrences"] = list(
            selectors.recurrences(findings)
            .select_related("department", "category", "recurrence_of")
            .order_by("-found_at")[:10]
        )
        table = selectors.department_order_table(orders)
        figures["department_table"] = table[:DASHBOARD_DEPARTMENT_ROWS]
        figures["department_table_total"] = len(table)
        figures["on_site"] = selectors.found_on_site(
            findings.filter(found_at__year=timezone.localdate().year)
        )
        figures["year_on_year"] = _year_on_year(findings, orders)
        figures["patient_told"] = selectors.patient_told_counts(
            findings.filter(found_at__year=timezone.localdate().year)
        )
    if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD):
        # The root causes of this year's problems, per department of the user's scope.
        figures["causes"] = selectors.cause_counts(
            orders.filter(finding__found_at__year=timezone.localdate().year)
        )
    if user.has_role(Role.ADMINISTRATOR):
        figures["chart"] = selectors.findings_by_category_and_month(findings, months=6)
        figures["by_category"] = selectors.findings_by_category(
            findings.filter(found_at__year=timezone.localdate().year)
        )
    if user.has_role(Role.DEPT_HEAD):
        figures["head_counts"] = selectors.order_counts(orders, due_soon_days=config.due_soon_days)
    return figures


# --- findings --------------------------------------------------------------------------------


@role_required(*FINDING_READERS)
@require_GET
def finding_list(request):
    today = timezone.localdate()
    qs = selectors.finding_list(request.user)
    filterset = list_filter(FindingFilter, request, queryset=qs, today=today)
    # A refused filter lists no rows, never every row (supervision.infra.filtersets).
    matching = filterset.qs
    queue = queue_only(filterset)
    if queue is None:
        paginator = Paginator(matching, settings.DUCHA_PAGE_SIZE)
    else:
        # The whole list and each "needs me now" queue: its count's statement built by the ORM once
        # per scope, queue and day, then sent as it is (supervision.infra.statements).
        plain = scope_of(request.user).plain
        paginator = StatementPaginator(
            matching,
            settings.DUCHA_PAGE_SIZE,
            count=lambda: statements.count(_finding_list_statement, plain, queue, today),
        )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    url = url_maker("finding_detail")
    values = page.object_list.values(*FINDING_ROW_FIELDS)
    rows = cached_rows(
        "supervision/_finding_row.html", (_finding_row(v, today, url) for v in values), draw=_draw_finding_row
    )
    # A list opened from a "needs me now" card says which queue it is above the rows, and leaves the
    # filter panel closed: on a phone the open panel filled the screen and cut the queue's name short.
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "queue_label": queues.CORE_QUEUES.get(request.GET.get("queue", "")),
        "filters_open": filterset.refused or any(value for name, value in query.items() if name != "queue"),
        "refused": filterset.refused,
    }
    return partial_or_page(
        request, "supervision/finding_list.html", "supervision/_finding_table.html", context
    )


@role_required(Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
@require_GET
def order_checks(request):
    """The effectiveness checks (效果评价) waiting: those due today or earlier first, then the
    coming ones; a head sees their departments' only."""
    today = timezone.localdate()
    orders = selectors.orders_awaiting_check(request.user)
    page = Paginator(orders, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    due = orders.filter(check_due__lte=today).count()
    return render(request, "supervision/order_checks.html", {"page": page, "today": today, "due": due})


def _finding_list_statement(user_scope, queue: str, today):
    """The finding list of ``user_scope`` (a plain Scope), narrowed to ``queue`` when there is one —
    what ``FindingFilter`` gives for a bound form holding nothing but that queue."""
    findings = selectors.finding_list(user_scope)
    return queue_findings(findings, queue, today, user_scope) if queue else findings


# The columns a finding list row shows, read as plain values: the page's 25 findings as model
# instances (with their department, category and order) cost more than the rest of the page's rows
# (docs/performance.md, "List pages").
FINDING_ROW_FIELDS = (
    *("id", "number", "recurrence_of_id", "description", "description_key", "description_params"),
    *("found_at", "department__name", "category__name", "source", "decided_at"),
    *("order__id", "order__status", "order__deadline"),
)


def _finding_row(values, today, url) -> dict:
    """What one row of the finding list shows (``FINDING_ROW_FIELDS``), as plain values
    (``supervision.infra.fragments``)."""
    has_order = values["order__id"] is not None  # the finding has no order: every order__ value is None
    status = values["order__status"]
    return {
        "url": url(values["id"]),
        "number": values["number"],
        "recurrence": values["recurrence_of_id"] is not None,
        # The stored description and the source as stored: worded and labelled when the row is drawn.
        "description_key": values["description_key"],
        "description_params": values["description_params"],
        "description_fallback": values["description"],
        "found_at": values["found_at"],
        "department": values["department__name"],
        "category": values["category__name"],
        "source": values["source"],
        "order_status": status if has_order else None,
        "decided": values["decided_at"] is not None,
        "deadline": values["order__deadline"] if has_order else None,
        "overdue": has_order and RectificationOrder.overdue(status, values["order__deadline"], today),
    }


def _draw_finding_row(row) -> dict:
    """A finding list row as its template shows it: the description worded, the source and the
    order's status labelled — only for the rows not in the row cache (``cached_rows(draw=…)``), as
    a head's open orders are (``_draw_head_order_row``)."""
    status = row["order_status"]
    return {
        **row,
        "description": _stored_description(row),
        "source": str(choice_label(Finding, "source", row["source"])),
        "order_status_label": str(choice_label(RectificationOrder, "status", status)) if status else None,
    }


@role_required(*FINDING_CREATORS)
def finding_create(request):
    user = request.user
    can_order = user.has_role(Role.SUPERVISOR)
    form = FindingForm(request.POST or None, request.FILES or None, can_order=can_order)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finding = services.finding_create(
            source=FindingSource.OTHER if can_order else FindingSource.VOLUNTEER,
            origin=data.get("origin", ""),
            category=data["category"],
            department=data["department"],
            description=data["description"],
            severity=data["severity"],
            found_at=data["found_at"],
            location=data["location"],
            staff=data["staff_involved"],
            found_by=user,
            needs_rectification=bool(data.get("needs_rectification")),
            deadline=data.get("deadline"),
            instructions=data.get("instructions", ""),
            attachments=data["files"],
        )
        messages.success(request, _("Finding %(number)s recorded.") % {"number": finding.number})
        return redirect(finding)
    return render(request, "supervision/finding_form.html", {"form": form})


@role_required(*FINDING_READERS)
def finding_detail(request, pk: int, *, bound_form=None, bound_action=None, status=200):
    finding = get_scoped_or_404(
        selectors.finding_detail_queryset(request.user), request.user, owner_field="found_by", pk=pk
    )
    order = getattr(finding, "order", None)
    actions = (
        action_buttons(
            allowed=allowed_actions(order, request.user),
            steps=ORDER_STEPS,
            obj=order,
            actor=request.user,
            url=lambda name: reverse("order_action", args=[order.pk, name]),
            bound=(bound_action, bound_form) if bound_action in ORDER_STEPS else None,
        )
        if order
        else []
    )
    corrective_actions = (
        _corrective_action_rows(request, finding, order, bound_action, bound_form) if order else []
    )
    pending = (
        next((e for e in order.extensions.all() if e.status == ExtensionStatus.PENDING), None)
        if order
        else None
    )
    history = list(finding.history.select_related("history_user").order_by("-history_date")[:50])
    order_history = (
        list(order.history.select_related("history_user").order_by("-history_date")[:50]) if order else []
    )
    issue_form = bound_form if bound_action == "issue" else OrderIssueForm(prefix="issue")
    decide_form = bound_form if bound_action == "decide" else DecideNoOrderForm(prefix="decide")
    # Earlier and later occurrences are links only where the reader may open them (a volunteer sees
    # their own findings only): the number alone otherwise, never a link to a 404.
    related = {finding.recurrence_of_id, *(r.pk for r in finding.recurrences.all())} - {None}
    openable = (
        set(selectors.findings_visible_to(request.user).filter(pk__in=related).values_list("pk", flat=True))
        if related
        else set()
    )
    context = {
        "finding": finding,
        "openable": openable,
        # A finding recorded without an order (a volunteer's observation) can still get one.
        "can_issue_order": order is None and request.user.has_role(Role.SUPERVISOR),
        "order": order,
        "actions": actions,
        "corrective_actions": corrective_actions,
        "corrective_actions_done": sum(1 for r in corrective_actions if r["action"].status == "done"),
        "finding_files": [a for a in finding.attachments.all() if not a.order_id],
        "evidence_rounds": _evidence_rounds(finding, order) if order else [],
        "pending_extension": pending,
        "issue_form": issue_form,
        "decide_form": decide_form,
        "can_decide": order is None and finding.decided_at is None and request.user.has_role(Role.SUPERVISOR),
        "open_action": bound_action,
        "history": _history_changes(history + order_history),
        "today": timezone.localdate(),
        "source_link": _source_link(finding),
        "patient_told_form": bound_form if bound_action == "patient_told" else PatientToldForm(prefix="told"),
        "can_record_patient_told": finding.asks_patient_told
        and request.user.has_role(Role.SUPERVISOR, Role.FOLLOWUP),
        # A name links to the person's record only for whoever may open it (never a link to a 404).
        "record_links": {
            a.staff_id
            for a in finding.attributions.all()
            if request.user.scope.sees_department(a.staff.department_id)
        },
        "attribution_rows": _attribution_rows(request, finding, bound_action, bound_form),
    }
    return render(request, "supervision/finding_detail.html", context, status=status)


def _attribution_rows(request, finding, bound_action, bound_form) -> list[dict]:
    """The finding's attributions the reader may act on now (dispute, uphold, withdraw: the
    ATTRIBUTIONS table decides), each with its buttons; an invalid form comes back open
    (``bound_action`` = ("attribution", pk, action))."""
    bound = bound_action if isinstance(bound_action, tuple) and bound_action[0] == "attribution" else None
    rows = []
    for a in finding.attributions.all():
        allowed = allowed_actions(a, request.user)
        if not allowed:
            continue
        mine = bound is not None and bound[1] == a.pk
        rows.append(
            {
                "attribution": a,
                "buttons": action_buttons(
                    allowed=allowed,
                    steps=ATTRIBUTION_STEPS,
                    obj=a,
                    actor=request.user,
                    url=lambda name, pk=a.pk: reverse("attribution_action", args=[pk, name]),
                    bound=(bound[2], bound_form) if mine else None,
                ),
                "open": bound[2] if mine else None,
            }
        )
    return rows


def _corrective_action_rows(request, finding, order, bound_action, bound_form) -> list[dict]:
    """Each corrective action with its own buttons (its machine's table), its evidence and, when the
    supervisor sent it back, the reason. Reads the prefetched rows only."""
    # ("action", pk, step) with errors; an attribution's form comes back as ("attribution", pk, step)
    bound = bound_action if isinstance(bound_action, tuple) and bound_action[0] == "action" else None
    evidence: dict[int, list] = {}
    for a in finding.attachments.all():
        if a.corrective_action_id:
            evidence.setdefault(a.corrective_action_id, []).append(a)
    rows = []
    for ca in order.actions.all():
        allowed = [a for a in allowed_actions(ca, request.user) if a.name in ACTION_STEPS]
        mine = bound if bound and bound[1] == ca.pk else None
        steps = list(ca.transitions.all())
        last = steps[-1] if steps else None
        rows.append(
            {
                "action": ca,
                "buttons": action_buttons(
                    allowed=allowed,
                    steps=ACTION_STEPS,
                    obj=ca,
                    actor=request.user,
                    url=lambda name, pk=ca.pk: reverse("corrective_action_step", args=[pk, name]),
                    bound=(mine[2], bound_form) if mine else None,
                ),
                "open": mine[2] if mine else None,
                "evidence": evidence.get(ca.pk, []),
                "redo": last if last and last.action == CorrectiveActionStep.REDO else None,
            }
        )
    return rows


def _evidence_rounds(finding, order) -> list[dict]:
    """The order's evidence grouped by submission round (1, then one more after each return),
    newest round first; from the finding's prefetched attachments, so no query of its own."""
    by_round: dict[int, list] = {}
    for a in finding.attachments.all():
        if a.order_id:
            by_round.setdefault(a.round or 1, []).append(a)
    return [{"round": r, "files": by_round[r]} for r in sorted(by_round, reverse=True)]


def _source_link(finding) -> dict | None:
    """The channel record the finding came from: its label and, when it has a page, its URL."""
    if not finding.source_type_id:
        return None
    obj = finding.source_object
    if obj is None:
        return {"label": f"{finding.source_type.name} #{finding.source_id}", "url": ""}
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    return {"label": str(obj), "url": url}


def _history_changes(records) -> list[dict]:
    """Turn django-simple-history records into 'field: old → new' lines, newest first.

    Diffs are computed in memory between consecutive records of the same object, so the
    page costs the same number of queries however long the history is. The model is read from
    ``instance_type``, not ``instance``: simple-history builds an instance anew on each access and
    reads the fields the history leaves out (the order's ``found_at``) from the table, a query per
    record.
    """
    out = []
    previous: dict[tuple, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (record.instance_type._meta.label, record.id)
        prev = previous.get(key)
        previous[key] = record
        changes = []
        if prev is not None:
            for change in record.diff_against(prev).changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append({"field": field, "old": change.old, "new": change.new})
        out.append(
            {
                "at": record.history_date,
                "who": record.history_user,
                # A creation in our own words (问题 · 创建): django-simple-history's "Created" reads
                # 已创建 in its catalogue, and a string of its own is one makemessages keeps for us.
                "type": _("Created") if record.history_type == "+" else record.get_history_type_display(),
                "object": record.instance_type._meta.verbose_name,
                "reason": _history_reason(record.history_change_reason),
                "changes": changes,
            }
        )
    out.reverse()
    _label_history_values([c for entry in out for c in entry["changes"]])
    return out


def _history_reason(reason: str | None) -> str:
    """A history row's change reason: an order action's code, worded in the reader's language.

    A reason from before codes were stored is shown as written."""
    if reason in OrderAction.values:
        return OrderAction(reason).label
    return reason or ""


def _label_history_values(changes: list[dict]) -> None:
    """Show what a reader knows: the status's label, local time in the language's format, a person's
    or department's name — not stored codes, UTC timestamps and ids. One query per related model."""
    related: dict[type, set] = {}
    for c in changes:
        if c["field"].is_relation:
            related.setdefault(c["field"].related_model, set()).update(
                v for v in (c["old"], c["new"]) if v is not None
            )
    names = {
        model: {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
        for model, ids in related.items()
    }

    def shown(field, value):
        if value is None or value == "":
            return ""
        if field.is_relation:
            return names[field.related_model].get(value, f"#{value}")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return date_format(value, "DATE_FORMAT")
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    for c in changes:
        field = c["field"]
        c.update(field=field.verbose_name, old=shown(field, c["old"]), new=shown(field, c["new"]))


@role_required(Role.SUPERVISOR)
@require_POST
def finding_issue_order(request, pk: int):
    finding = get_scoped_or_404(Finding.objects.all(), request.user, owner_field="found_by", pk=pk)
    form = OrderIssueForm(request.POST, prefix="issue")
    if not form.is_valid():
        return finding_detail(request, pk, bound_form=form, bound_action="issue", status=400)
    with refusals(request):
        order = services.finding_order_issue(
            finding=finding,
            actor=request.user,
            deadline=form.cleaned_data["deadline"],
            instructions=form.cleaned_data["instructions"],
        )
        messages.success(request, _("Rectification order %(number)s issued.") % {"number": order.number})
    return redirect(finding)


def _for_order(order, actor) -> dict:
    return {"order": order}


@role_required(Role.SUPERVISOR)
@require_POST
def finding_decide(request, pk: int):
    """A supervisor decides a finding without an order (a volunteer's observation) needs none."""
    finding = get_scoped_or_404(Finding.objects.all(), request.user, owner_field="found_by", pk=pk)
    form = DecideNoOrderForm(request.POST, prefix="decide")
    if not form.is_valid():
        return finding_detail(request, pk, bound_form=form, bound_action="decide", status=400)
    with refusals(request):
        services.finding_decide_no_order(
            finding=finding, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Decided: no order needed. Whoever raised it is told."))
    return redirect(finding)


@role_required(Role.SUPERVISOR, Role.FOLLOWUP)
@require_POST
def finding_patient_told(request, pk: int):
    """Record whether and how the patient who raised the finding (survey, follow-up call) was told."""
    finding = get_scoped_or_404(Finding.objects.all(), request.user, owner_field="found_by", pk=pk)
    form = PatientToldForm(request.POST, prefix="told")
    if not form.is_valid():
        return finding_detail(request, pk, bound_form=form, bound_action="patient_told", status=400)
    with refusals(request):
        services.finding_record_patient_told(finding=finding, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Recorded what the patient was told."))
    return redirect(finding)


# How the finding page asks for each action of the order's machine (services.ORDERS).
ORDER_STEPS: dict[str, Step] = {
    OrderAction.ACKNOWLEDGE: Step(CommentForm, services.order_acknowledge),
    # Starts filled with the order's analysis: a returned order's previous answer.
    OrderAction.SUBMIT: Step(SubmitForm, services.order_submit, form_kwargs=_for_order, multipart=True),
    OrderAction.VERIFY: Step(
        VerifyForm,
        services.order_verify,
        form_kwargs=lambda order, actor: {"initial": {"check_due": services.order_default_check_due(order)}},
    ),
    OrderAction.RETURN: Step(ReturnForm, services.order_return, form_kwargs=_for_order),
    OrderAction.REQUEST_EXTENSION: Step(ExtensionRequestForm, services.order_request_extension),
    OrderAction.GRANT_EXTENSION: Step(
        ExtensionDecisionForm, services.order_decide_extension, {"grant": True}
    ),
    OrderAction.REFUSE_EXTENSION: Step(
        ExtensionDecisionForm, services.order_decide_extension, {"grant": False}
    ),
    OrderAction.CHECK_EFFECTIVE: Step(CommentForm, services.order_check, {"effective": True}),
    OrderAction.CHECK_INEFFECTIVE: Step(
        CheckIneffectiveForm, services.order_check, {"effective": False}, form_kwargs=_for_order
    ),
    OrderAction.PLAN_ACTION: Step(PlanActionForm, services.order_plan_action, form_kwargs=_for_order),
}

# Each corrective action's steps (services.CORRECTIVE_ACTIONS); "redo" is part of the order's return.
ACTION_STEPS: dict[str, Step] = {
    CorrectiveActionStep.START: Step(CommentForm, services.corrective_action_start),
    CorrectiveActionStep.COMPLETE: Step(
        ActionCompleteForm, services.corrective_action_complete, multipart=True
    ),
    CorrectiveActionStep.ATTACH: Step(ActionEvidenceForm, services.corrective_action_attach, multipart=True),
    CorrectiveActionStep.REOPEN: Step(ActionReopenForm, services.corrective_action_reopen),
}


@role_required(Role.SUPERVISOR, Role.DEPT_HEAD, object_rule=workflow_rule)
@require_POST
def order_action(request, pk: int, action: str):
    if action not in ORDER_STEPS:
        raise Http404
    order = get_scoped_or_404(RectificationOrder.objects.select_related("finding"), request.user, pk=pk)
    redisplay = partial(finding_detail, request, order.finding_id, bound_action=action, status=400)
    return run_step(request, ORDER_STEPS, services.ORDERS, order, action, redisplay=redisplay)


@role_required(Role.DEPT_HEAD, object_rule=workflow_rule)
@require_POST
def corrective_action_step(request, pk: int, action: str):
    if action not in ACTION_STEPS:
        raise Http404
    corrective_action = get_scoped_or_404(
        CorrectiveAction.objects.select_related("order__finding"),
        request.user,
        department_field="order__department",
        pk=pk,
    )
    redisplay = partial(
        finding_detail,
        request,
        corrective_action.order.finding_id,
        bound_action=("action", corrective_action.pk, action),
        status=400,
    )
    return run_step(
        request, ACTION_STEPS, services.CORRECTIVE_ACTIONS, corrective_action, action, redisplay=redisplay
    )


@role_required(*FINDING_READERS)
def attachment_download(request, pk: int):
    attachment = get_scoped_or_404(
        Attachment.objects.select_related("finding"),
        request.user,
        department_field="finding__department",
        owner_field="finding__found_by",
        pk=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not (attachment.is_image or attachment.content_type == "application/pdf"),
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- notifications ---------------------------------------------------------------------------


# Items (an order, a complaint …) per page of the notifications list.
NOTIFICATION_GROUPS_PER_PAGE = 20


@login_required
def notification_list(request):
    """The notices grouped by the item they are about, the item with the newest notice first; each
    group says how many are unread work and how many are about a step already taken (moved on)."""
    page = Paginator(selectors.notification_groups(request.user), NOTIFICATION_GROUPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    groups = selectors.notification_group_rows(request.user, list(page))
    return render(request, "supervision/notifications.html", {"page": page, "groups": groups})


@login_required
def notification_preferences(request):
    """Each person chooses how their notices come by e-mail: a daily digest or each one at once."""
    form = NotificationPreferencesForm(request.POST or None, initial={"email_mode": request.user.email_mode})
    if request.method == "POST" and form.is_valid():
        services.user_set_email_mode(user=request.user, email_mode=form.cleaned_data["email_mode"])
        messages.success(request, _("Your e-mail preference is saved."))
        return redirect("notification_list")
    return render(request, "supervision/notification_preferences.html", {"form": form})


@login_required
@require_POST
def notification_read(request, pk: int | None = None):
    services.notification_mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next") or reverse("notification_list")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notification_list")
    return redirect(target)


# --- language --------------------------------------------------------------------------------


@require_POST
def language_switch(request):
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 86400, samesite="Lax")
    return response


# --- imports ---------------------------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
def import_page(request, kind: str):
    if kind not in IMPORTERS:
        raise Http404
    spec = IMPORTERS[kind]
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_file(kind, source=upload, file_name=upload.name, actor=request.user)
        if report.ok:
            messages.success(
                request,
                _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"new": report.created, "updated": report.updated, "unchanged": report.unchanged},
            )
            return redirect(request.path)
    from .models import ImportRun

    runs = ImportRun.objects.filter(kind=kind).select_related("actor")[:10]
    return render(
        request,
        "supervision/import.html",
        {"form": form, "report": report, "kind": kind, "headers": spec.headers(), "runs": runs},
    )


@role_required(Role.ADMINISTRATOR)
def import_template(request, kind: str):
    if kind not in IMPORTERS:
        raise Http404
    spec = IMPORTERS[kind]
    response = HttpResponse(template_workbook(spec.headers(), spec.example), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ducha-{kind}-template.xlsx"'
    return response


# --- people: the per-person record, disputes, the monthly sheet (issue 16 item 5) ------------------

PEOPLE_READERS = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)
OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)

ATTRIBUTION_STEPS: dict[str, Step] = {
    AttributionAction.DISPUTE: Step(DisputeForm, services.attribution_dispute),
    AttributionAction.UPHOLD: Step(AttributionDecisionForm, services.attribution_decide, {"uphold": True}),
    AttributionAction.WITHDRAW: Step(AttributionDecisionForm, services.attribution_decide, {"uphold": False}),
}


@role_required(*PEOPLE_READERS)
@require_GET
def person_list(request):
    """The roster the reader may open records of (names only: the figures are on each record,
    whose every view is logged)."""
    staff = people.people_visible_to(request.user).order_by(
        "department__sort_order", "department__code", "employee_no"
    )
    query = (request.GET.get("q") or "").strip()[:64]
    if query:
        staff = staff.filter(name__icontains=query) | staff.filter(employee_no__iexact=query)
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    # A month refused by the sheet's download comes back here to be corrected (people_sheet), marked.
    sheet_form = SheetForm(
        {"month": request.GET["month"]} if "month" in request.GET else None, initial={"month": _last_month()}
    )
    if filter_refused(sheet_form):
        sheet_form.fields["month"].widget.attrs["class"] += " is-invalid"
    return render(
        request,
        "supervision/person_list.html",
        {
            "page": page,
            "q": query,
            "query": urlencode({"q": query}) if query else "",
            "sheet_form": sheet_form,
            "may_download": request.user.has_role(*OFFICE),
            "channel_pages": people.channel_pages(request.user),
        },
    )


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _record_year(raw: str | None) -> int:
    today = timezone.localdate()
    try:
        year = int(raw or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


@role_required(*ALL_ROLES)
@require_GET
def person_record(request, pk: int):
    """One person's record: to the office and the head of the person's department only (a peer,
    whatever their role, gets a 404), every view logged."""
    staff = get_object_or_404(people.people_visible_to(request.user), pk=pk)
    return _person_record_page(request, staff)


def _person_record_page(request, staff, *, bound=None, status=200):
    year = _record_year(request.GET.get("year"))
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), timezone.localdate())
    person_record_log(
        user=request.user, staff=staff, kind=PersonRecordKind.RECORD, period=str(year), request=request
    )
    record = people.person_record(staff=staff, start=start, end=end)
    finding_url = url_maker("finding_detail")  # one reverse() per page (Finding.get_absolute_url)
    # Each attribution's line drawn once per content (supervision.infra.fragments); its history and
    # its buttons (forms with the CSRF token, the reader's own) stay live.
    lines = cached_rows(
        "supervision/_record_attribution_row.html",
        (_record_attribution_row(v, finding_url) for v in record.attribution_rows),
        draw=_draw_record_attribution_row,
    )
    rows = [
        {
            "html": html,
            "attribution": a,
            "history": a.status != AttributionStatus.ATTRIBUTED,
            "buttons": action_buttons(
                allowed=allowed_actions(a, request.user),
                steps=ATTRIBUTION_STEPS,
                obj=a,
                actor=request.user,
                url=lambda name, pk=a.pk: reverse("attribution_action", args=[pk, name]),
                bound=(bound[1], bound[2]) if bound and bound[0] == a.pk else None,
            ),
            "open": bound[1] if bound and bound[0] == a.pk else None,
        }
        for a, html in zip(record.attributions, lines, strict=True)
    ]
    this_year = timezone.localdate().year
    return render(
        request,
        "supervision/person_record.html",
        {
            "record": record,
            "staff": staff,
            "rows": rows,
            # Each channel's measure with its newest rows, drawn once per content.
            "channel_lines": cached_rows(
                "supervision/_record_channel_line.html", map(_record_channel_line, record.channel_lines)
            ),
            "year": year,
            "years": range(this_year, this_year - 5, -1),
        },
        status=status,
    )


@role_required(Role.SUPERVISOR, Role.DEPT_HEAD, object_rule=workflow_rule)
@require_POST
def attribution_action(request, pk: int, action: str):
    if action not in ATTRIBUTION_STEPS:
        raise Http404
    attribution = get_scoped_or_404(
        Attribution.objects.select_related("staff", "finding"),
        request.user,
        department_field="staff__department",
        pk=pk,
    )
    came_from = request.POST.get("back")
    if came_from == "finding":
        # From the finding's page: back there, an invalid form shown again open on it.
        redisplay = partial(
            finding_detail,
            request,
            attribution.finding_id,
            bound_action=("attribution", attribution.pk, action),
            status=400,
        )
        back = attribution.finding.get_absolute_url()
    else:
        redisplay = partial(_person_record_again, request, attribution, action)
        back = reverse("attribution_disputes") if came_from == "disputes" else ""
    return run_step(
        request, ATTRIBUTION_STEPS, services.ATTRIBUTIONS, attribution, action, redisplay=redisplay, back=back
    )


def _record_attribution_row(values, url) -> dict:
    """What an attribution's line on a person's record shows (``people.RECORD_ATTRIBUTION_FIELDS``),
    as plain values (``supervision.infra.fragments``): its status is in them, so a dispute, an
    upheld or a withdrawn attribution is a new line."""
    status = values["status"]
    return {
        "url": url(values["finding_id"]),
        "number": values["finding__number"],
        "category": values["finding__category__name"],
        "source": values["finding__source"],
        "found_at": values["finding__found_at"],
        "department": values["finding__department__name"],
        "status": status,
        "counts": status in COUNTED_ATTRIBUTIONS,
        # The stored description; worded (and the labels found) only when the line is drawn.
        "description_key": values["finding__description_key"],
        "description_params": values["finding__description_params"],
        "description_fallback": values["finding__description"],
    }


def _record_channel_line(line) -> dict:
    """A channel's measure on a person's record as plain values (``supervision.infra.fragments``): its
    label in the reader's language, its count and its rows, each (day, text worded by the channel,
    link)."""
    return {
        "key": line.key,
        "label": line.label,
        "count": line.count,
        "praise": line.praise,
        "entries": tuple((e.on, e.text, e.url) for e in line.entries),
    }


def _draw_record_attribution_row(row) -> dict:
    """An attribution's line as its template shows it: the finding's description worded
    (``Finding.description_text``), its source and the attribution's status labelled — only for the
    lines not in the row cache (``cached_rows(draw=…)``)."""
    return {
        **row,
        "description": _stored_description(row),
        "source_label": str(choice_label(Finding, "source", row["source"])),
        "status_label": str(choice_label(Attribution, "status", row["status"])),
    }


def _person_record_again(request, attribution, action, *, bound_form):
    # The record shown again with the form open and its errors (the attribution was found in the
    # reader's scope, so its person is too).
    return _person_record_page(
        request, attribution.staff, bound=(attribution.pk, action, bound_form), status=400
    )


@role_required(*PEOPLE_READERS)
@require_GET
def attribution_disputes(request):
    """Disputed attributions waiting for the office's decision, and the last decided (the reader's
    scope: a head sees their departments' people)."""
    qs = scope(
        Attribution.objects.select_related("staff__department", "finding__category", "finding__department"),
        request.user,
        department_field="staff__department",
    ).prefetch_related("transitions__actor")
    if request.GET.get("answered") == "1":
        # "Needs me now": the office's decisions on this head's disputes not yet seen (the count's
        # own condition); seen now, so they leave the count.
        answered = list(
            selectors.disputes_answered(request.user)
            .select_related("staff__department", "finding__category", "finding__department")
            .prefetch_related("transitions__actor")
            .order_by("-id")[:200]
        )
        services.attribution_decisions_seen(user=request.user, attributions=answered)
        return render(
            request, "supervision/attribution_disputes.html", {"answered": True, "decided": answered}
        )
    waiting = list(qs.filter(status=AttributionStatus.DISPUTED).order_by("finding__found_at", "id")[:200])
    decided = list(
        qs.filter(status__in=(AttributionStatus.UPHELD, AttributionStatus.WITHDRAWN)).order_by("-id")[:20]
    )
    rows = [
        {
            "attribution": a,
            "buttons": action_buttons(
                allowed=allowed_actions(a, request.user),
                steps=ATTRIBUTION_STEPS,
                obj=a,
                actor=request.user,
                url=lambda name, pk=a.pk: reverse("attribution_action", args=[pk, name]),
            ),
        }
        for a in waiting
    ]
    return render(request, "supervision/attribution_disputes.html", {"rows": rows, "decided": decided})


@role_required(*OFFICE)
@require_GET
def people_sheet(request):
    """The month's per-person sheet (个人绩效) for the hospital's performance system, logged."""
    form = SheetForm(request.GET or {"month": f"{_last_month():%Y-%m}"})
    if not form.is_valid():
        # No file: back to the list, saying why, its month input showing what was typed.
        for error in form.errors.get("month", []):
            messages.error(request, error)
        return redirect(f"{reverse('person_list')}?{urlencode({'month': request.GET.get('month', '')})}")
    month = form.cleaned_data["month"]
    person_record_log(
        user=request.user, kind=PersonRecordKind.SHEET, period=f"{month:%Y-%m}", request=request
    )
    response = HttpResponse(people.sheet_workbook(month=month), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="personal-performance-{month:%Y-%m}.xlsx"'
    return response


# --- alerts on unhappy patients (issue 17) ----------------------------------------------------

ALERT_READERS = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.DEPT_HEAD)

ALERT_STEPS: dict[str, Step] = {
    AlertAction.CONTACT: Step(AlertContactForm, services.alert_contact),
    AlertAction.CLOSE: Step(AlertCloseForm, services.alert_close),
}


@role_required(*ALERT_READERS)
@require_GET
def alert_list(request):
    """The alerts in the reader's scope, those not yet handled first (status filter), with this
    year's figures of the service recovery above them."""
    today = timezone.localdate()
    statuses = [("unhandled", _("Not yet handled")), *AlertStatus.choices, ("all", _("All"))]
    form = AlertStatusForm(request.GET if "status" in request.GET else None, statuses=statuses)
    refused = filter_refused(form)
    status = (form.cleaned_data["status"] if form.is_bound and not refused else "") or "unhandled"
    alerts = selectors.alerts_visible_to(request.user)
    if refused:
        alerts = alerts.none()
    elif status == "unhandled":
        alerts = alerts.exclude(status=AlertStatus.CLOSED).order_by("due_on", "raised_at", "id")
    elif status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    page = Paginator(alerts, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    # The rows read as values and drawn once per content (supervision.infra.fragments), as the
    # finding list's: 25 alerts as instances with their departments, each drawn with a link, two
    # dates and three labels on every view, were a third of the page's Python.
    url = url_maker("alert_detail")
    rows = cached_rows(
        "supervision/_alert_row.html",
        (_alert_row(v, today, url) for v in page.object_list.values(*ALERT_ROW_FIELDS)),
        draw=_draw_alert_row,
    )
    figures = selectors.alert_figures(
        start=today.replace(month=1, day=1),
        end=today,
        departments=request.user.scope.departments,
        today=today,
    )
    return render(
        request,
        "supervision/alert_list.html",
        {
            "page": page,
            "rows": rows,
            "status": "" if refused else status,
            "statuses": statuses,
            "figures": figures,
            "form": form,
            "refused": refused,
        },
    )


# The columns a row of the alert list shows (``_alert_row``).
ALERT_ROW_FIELDS = (
    "id",
    "raised_at",
    "department__name",
    "kind",
    "lowest_score",
    "due_on",
    "status",
    "outcome",
)


def _alert_row(values, today, url) -> dict:
    """What one row of the alert list shows (``ALERT_ROW_FIELDS``), as plain values; past its day
    while still open worked out here (the row's template knows no today)."""
    return {
        "url": url(values["id"]),
        "raised_at": values["raised_at"],
        "department": values["department__name"],
        "kind": values["kind"],
        "lowest_score": values["lowest_score"],
        "due_on": values["due_on"],
        "status": values["status"],
        "outcome": values["outcome"],
        "overdue": values["status"] == AlertStatus.OPEN and values["due_on"] < today,
    }


def _draw_alert_row(row) -> dict:
    """An alert list row as its template shows it: kind, status and outcome labelled — only for the
    rows not in the row cache (``cached_rows(draw=…)``)."""
    return {
        **row,
        "kind": str(choice_label(Alert, "kind", row["kind"])),
        "status": str(choice_label(Alert, "status", row["status"])),
        "outcome": str(choice_label(Alert, "outcome", row["outcome"])) if row["outcome"] else "",
    }


@role_required(*ALERT_READERS)
def alert_detail(request, pk: int, *, bound_form=None, bound_action=None, status=200):
    alert = get_scoped_or_404(
        Alert.objects.select_related("department", "stay", "contacted_by", "closed_by"), request.user, pk=pk
    )
    allowed = allowed_actions(alert, request.user)
    actions = action_buttons(
        allowed=allowed,
        steps=ALERT_STEPS,
        obj=alert,
        actor=request.user,
        url=lambda name: reverse("alert_action", args=[alert.pk, name]),
        bound=(bound_action, bound_form) if bound_action in ALERT_STEPS else None,
    )
    context = {
        "alert": alert,
        "actions": actions,
        "open_action": bound_action,
        "refusal": services.alert_contact_refusal(alert) if alert.status == AlertStatus.OPEN else "",
        # The full number only for whoever may record the contact now (the reveal is logged).
        "can_reveal": alert.stay_id is not None and AlertAction.CONTACT in {a.name for a in allowed},
        "history": alert.transitions.select_related("actor"),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/alert_detail.html", context, status=status)


@role_required(Role.SUPERVISOR, Role.DEPT_HEAD)
@require_POST
def alert_reveal(request, pk: int):
    """The patient's full number on the alert page (htmx swaps it in), logged in RevealLog."""
    alert = get_scoped_or_404(Alert.objects.select_related("stay"), request.user, pk=pk)
    try:
        numbers = services.alert_reveal_phone(alert=alert, actor=request.user, request=request)
    except ActionNotAllowed as exc:
        return HttpResponse(" ".join(exc.messages), status=403)
    return render(request, "supervision/_alert_phone.html", {"numbers": numbers})


@role_required(Role.SUPERVISOR, Role.DEPT_HEAD, object_rule=workflow_rule)
@require_POST
def alert_action(request, pk: int, action: str):
    if action not in ALERT_STEPS:
        raise Http404
    alert = get_scoped_or_404(Alert.objects.all(), request.user, pk=pk)
    redisplay = partial(alert_detail, request, alert.pk, bound_action=action, status=400)
    return run_step(request, ALERT_STEPS, services.ALERTS, alert, action, redisplay=redisplay)
