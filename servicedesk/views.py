"""Views of the service desk. Thin: role → scope → form → service → redirect. Changes are POST only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supervision.access import get_scoped_or_404, id_param, role_required
from supervision.infra.filtersets import filter_refused
from supervision.infra.imports import template_workbook
from supervision.infra.responses import partial_or_page, refusals
from supervision.models import ImportRun, Role

from . import search, selectors, services
from .forms import (
    EntryFilterForm,
    EntryForm,
    FlagForm,
    ImportForm,
    KnowledgeForm,
    OpeningForm,
    WorkPeriodForm,
    slip_formset,
)
from .importing import KnowledgeImport, import_knowledge
from .models import (
    BoxOpening,
    DeskEntry,
    EntryKind,
    KnowledgeEntry,
    KnowledgeKind,
    ServiceKind,
    SlipKind,
    SuggestionBox,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    form = EntryForm(request.POST if request.method == "POST" else None, centres=centres)
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
    today = timezone.localdate()
    mine = selectors.person_work(user_id=request.user.pk, start=today.replace(day=1), end=today)
    context = {
        "my_month": [(EntryKind(kind).label, n) for kind, n in mine["by_kind"].items()],
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
    # One person's entries, of a kind, in a period (the rows behind a count of the work pages; still
    # the reader's scope). A refused value (a link's day edited by hand, a kind that is not one) lists
    # no entries, never every entry (supervision.infra.filtersets); the page says which and why.
    period = EntryFilterForm(request.GET)
    refused = filter_refused(period)
    kind = request.GET.get("kind", "")
    if refused:
        qs = qs.none()
    else:
        data = period.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["person"] is not None:
            qs = qs.filter(recorded_by_id=data["person"])
        if data["start"]:
            qs = qs.filter(recorded_on__gte=data["start"])
        if data["end"]:
            qs = qs.filter(recorded_on__lte=data["end"])
    query = request.GET.copy()
    query.pop("page", None)
    # The kind filter's form keeps the person and the period it was opened with.
    kept = [(name, request.GET[name]) for name in ("person", "start", "end") if request.GET.get(name)]
    page = Paginator(qs, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicedesk/entries.html",
        {
            "page": page,
            "kinds": EntryKind.choices,
            "kind": kind,
            "kept": kept,
            "query": query.urlencode(),
            "period": period,
            "refused": refused,
        },
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


# --- the knowledge base ---------------------------------------------------------------------------

KB_READERS = (*DESK, *OFFICE, Role.DEPT_HEAD)
KB_EDITORS = (*DESK, *OFFICE)


@role_required(*KB_READERS)
@require_GET
def kb_search(request):
    query = request.GET.get("q", "")[: search.MAX_QUERY]
    kind = request.GET.get("kind", "")
    results = list(selectors.knowledge_search(query, kind=kind)[: selectors.SEARCH_LIMIT])
    context = {
        "query": query,
        "kind": kind,
        "kinds": KnowledgeKind.choices,
        "results": results,
        "today": timezone.localdate(),
    }
    return partial_or_page(request, "servicedesk/kb.html", "servicedesk/_kb_results.html", context)


@role_required(*KB_READERS, post=KB_EDITORS)
def kb_detail(request, pk):
    entry = get_object_or_404(KnowledgeEntry.objects.select_related("department", "owner"), pk=pk)
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.knowledge_flag(entry=entry, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("note", exc.message_dict.get("note"))
        else:
            messages.success(request, _("Thank you: the answer is flagged for its owner to correct."))
            return redirect(entry)
    flags = entry.flags.filter(resolved_at__isnull=True).select_related("flagged_by")
    return render(
        request,
        "servicedesk/kb_detail.html",
        {"entry": entry, "form": form, "flags": flags, "today": timezone.localdate()},
        status=400 if form.errors else 200,
    )


def _kb_edit(request, entry):
    form = KnowledgeForm(request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            with refusals(request) as outcome:
                saved = services.knowledge_save(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not outcome.refused:
                messages.success(request, _("Saved."))
                return redirect(saved)
    return render(
        request,
        "servicedesk/kb_form.html",
        {"form": form, "entry": entry},
        status=400 if form.errors else 200,
    )


@role_required(*KB_EDITORS)
def kb_create(request):
    return _kb_edit(request, None)


@role_required(*KB_EDITORS)
def kb_edit(request, pk):
    return _kb_edit(request, get_object_or_404(KnowledgeEntry, pk=pk))


@role_required(*KB_EDITORS)
@require_GET
def kb_review(request):
    """What needs looking at: entries past their review date, and answers flagged as wrong."""
    return render(
        request,
        "servicedesk/kb_review.html",
        {
            "stale": selectors.knowledge_stale(today=timezone.localdate()),
            "flagged": selectors.knowledge_flagged(),
        },
    )


@role_required(*OFFICE)
def kb_import(request):
    form = ImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_knowledge(source=upload, file_name=upload.name, actor=request.user)
        if report.ok:
            messages.success(
                request,
                _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"new": report.created, "updated": report.updated, "unchanged": report.unchanged},
            )
            return redirect("servicedesk:kb_import")
    runs = ImportRun.objects.filter(kind=KnowledgeImport.kind).select_related("actor")[:10]
    return render(
        request,
        "servicedesk/kb_import.html",
        {"form": form, "report": report, "headers": KnowledgeImport.headers(), "runs": runs},
        status=400 if form.errors or (report is not None and not report.ok) else 200,
    )


@role_required(*OFFICE)
@require_GET
def kb_import_template(request):
    response = HttpResponse(
        template_workbook(KnowledgeImport.headers(), KnowledgeImport.example), content_type=XLSX
    )
    response["Content-Disposition"] = 'attachment; filename="ducha-knowledge-template.xlsx"'
    return response


# --- the suggestion boxes -------------------------------------------------------------------------

BOX_READERS = (*DESK, *OFFICE, Role.DEPT_HEAD)


@role_required(*BOX_READERS)
@require_GET
def box_list(request):
    today = timezone.localdate()
    boxes = [(box, selectors.next_opening(box, today)) for box in selectors.boxes_with_last_opening()]
    openings = BoxOpening.objects.select_related("box", "opened_by").annotate(slip_count=Count("slips"))[:20]
    return render(request, "servicedesk/boxes.html", {"boxes": boxes, "openings": openings, "today": today})


@role_required(*DESK, *OFFICE)
def opening_create(request, pk):
    box = get_object_or_404(SuggestionBox, pk=pk, active=True)
    rows = id_param(request.GET.get("rows")) or 10
    formset_class = slip_formset(rows)
    form = OpeningForm(
        request.POST if request.method == "POST" else None, initial={"opened_on": timezone.localdate()}
    )
    formset = formset_class(request.POST if request.method == "POST" else None, prefix="slip")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        slips = [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            with refusals(request) as outcome:
                opening = services.opening_record(
                    box=box,
                    actor=request.user,
                    opened_on=form.cleaned_data["opened_on"],
                    witness=form.cleaned_data["witness"],
                    slips=slips,
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not outcome.refused:
                messages.success(
                    request,
                    _("Opening recorded: %(n)s slips, %(complaints)s complaints passed on.")
                    % {"n": len(slips), "complaints": opening.slips.filter(kind=SlipKind.COMPLAINT).count()},
                )
                return redirect(opening)
    return render(
        request,
        "servicedesk/opening_form.html",
        {"box": box, "form": form, "formset": formset, "more_rows": min(rows + 10, 200)},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*BOX_READERS)
@require_GET
def opening_detail(request, pk):
    opening = get_object_or_404(BoxOpening.objects.select_related("box", "opened_by"), pk=pk)
    slips = (
        selectors.slips_visible_to(request.user)
        .filter(opening=opening)
        .select_related("department", "staff", "complaint")
    )
    return render(request, "servicedesk/opening_detail.html", {"opening": opening, "slips": slips})


@role_required(*DESK, *OFFICE, Role.DEPT_HEAD)
@require_GET
def praise_ledger(request):
    """The praise from the boxes: each slip, who was praised, the department."""
    slips = (
        selectors.slips_visible_to(request.user)
        .filter(kind=SlipKind.PRAISE)
        .select_related("opening__box", "department", "staff")
        .order_by("-opening__opened_on", "-id")
    )
    page = Paginator(slips, settings.DUCHA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "servicedesk/praise.html", {"page": page})


# --- the work of each desk person (issue 21 item 5) -----------------------------------------------


def _work_period(request):
    form = WorkPeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Shown once above the page; the period falls back to this month rather than failing.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    start, end = form.period(timezone.localdate())
    return form, start, end


@role_required(*DESK, *OFFICE)
@require_GET
def work(request):
    """Desk staff: their own work in a period. The office: each desk person's, one row each; the
    head of a centre: their centres' desk staff's."""
    user = request.user
    if not user.has_role(*OFFICE) and not selectors.leads_a_centre(user):
        return _person_work_page(request, user)
    form, start, end = _work_period(request)
    rows = selectors.staff_work(start=start, end=end, people=selectors.work_readable_by(user))
    return render(
        request,
        "servicedesk/work_people.html",
        {"form": form, "start": start, "end": end, "rows": rows, "kinds": EntryKind.choices},
    )


@role_required(*DESK, *OFFICE)
@require_GET
def person_work(request, user_id: int):
    """One desk person's work: the office for anyone who works at the desk, the head of a centre
    for its desk staff, desk staff their own only (a colleague's is 404, as another department's
    object is)."""
    person = get_object_or_404(selectors.work_readable_by(request.user), pk=user_id)
    return _person_work_page(request, person)


def _person_work_page(request, person):
    form, start, end = _work_period(request)
    figures = selectors.person_work(user_id=person.pk, start=start, end=end)
    kinds = [(value, label, figures["by_kind"][value]) for value, label in EntryKind.choices]
    return render(
        request,
        "servicedesk/work.html",
        {
            "form": form,
            "person": person,
            "own": person.pk == request.user.pk,
            "start": start,
            "end": end,
            "work": figures,
            "kinds": kinds,
        },
    )
