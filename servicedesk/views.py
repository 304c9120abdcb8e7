"""Views of the service desk. Thin: role → scope → form → service → redirect. Changes are POST only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supervision.access import get_scoped_or_404, role_required
from supervision.infra.responses import refusals
from supervision.models import Role

from . import selectors, services
from .forms import EntryForm
from .models import DeskEntry, EntryKind, ServiceKind

OFFICE = (Role.SUPERVISOR, Role.ADMINISTRATOR)
DESK = (Role.DESK,)
# Who reads the log: the desk, the office, and heads (entries about their departments).
LOG_READERS = (*DESK, *OFFICE, Role.DEPT_HEAD)


def _entry_or_404(request, pk):
    return get_scoped_or_404(
        DeskEntry.objects.select_related("centre", "department", "service_kind", "recorded_by", "complaint"),
        request.user,
        department_field="department",
        owner_field=selectors.centre_condition,
        pk=pk,
    )


@role_required(*DESK, *OFFICE, post=DESK)
def desk_log(request):
    """The desk's page: the buttons of the kinds of work, the optional details, the last entries."""
    centres = selectors.centres_of(request.user)
    form = EntryForm(request.POST or None, centres=centres)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry, new = services.entry_record(actor=request.user, **form.service_arguments())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if new:
                    messages.success(
                        request,
                        format_html(
                            "{} <a href='{}'>{}</a>",
                            _("Logged: %(kind)s.") % {"kind": entry.get_kind_display()},
                            entry.get_absolute_url(),
                            _("Open"),
                        ),
                    )
                else:
                    messages.info(request, _("This entry was already saved."))
                return redirect("servicedesk:log")
        status = 400
    recent = list(
        DeskEntry.objects.filter(recorded_by=request.user)
        .select_related("department", "service_kind")
        .order_by("-recorded_at", "-id")[:10]
    )
    now = timezone.now()
    context = {
        "form": form,
        "centres": centres,
        "kinds": [k for k in EntryKind if k != EntryKind.SERVICE],
        "service_kinds": ServiceKind.objects.filter(active=True),
        "recent": [(e, services.may_undo(e, request.user, now=now)) for e in recent],
        "can_log": request.user.has_role(*DESK),
    }
    return render(request, "servicedesk/log.html", context, status=status)


@role_required(*LOG_READERS)
@require_GET
def entry_list(request):
    qs = (
        selectors.entries_visible_to(request.user)
        .select_related("centre", "department", "service_kind", "recorded_by")
        .order_by("-recorded_at", "-id")
    )
    kind = request.GET.get("kind", "")
    if kind in EntryKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicedesk/entries.html",
        {"page": page, "kinds": EntryKind.choices, "kind": kind},
    )


@role_required(*LOG_READERS)
@require_GET
def entry_detail(request, pk):
    entry = _entry_or_404(request, pk)
    return render(
        request,
        "servicedesk/entry_detail.html",
        {
            "entry": entry,
            "can_undo": services.may_undo(entry, request.user),
            "can_complain": services.may_make_complaint(entry, request.user),
        },
    )


@role_required(*DESK)
@require_POST
def entry_undo(request, pk):
    entry = _entry_or_404(request, pk)
    with refusals(request) as outcome:
        services.entry_undo(entry=entry, actor=request.user)
        messages.success(request, _("The entry was taken back."))
    if outcome.refused:
        return redirect(entry)
    return redirect("servicedesk:log")


@role_required(*DESK, *OFFICE)
@require_POST
def entry_complaint(request, pk):
    entry = _entry_or_404(request, pk)
    with refusals(request):
        complaint = services.entry_make_complaint(entry=entry, actor=request.user)
        messages.success(
            request,
            format_html(
                "{} <a href='{}'>{}</a>",
                _("Complaint %(number)s recorded; %(owner)s owns it as its first contact.")
                % {"number": complaint.number, "owner": entry.recorded_by.display_name},
                reverse("complaints:detail", args=[complaint.pk]),
                _("Open"),
            ),
        )
    return redirect(entry)
