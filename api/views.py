"""The API's endpoints under ``/api/v1/``. Every view is a ``Call``: the key authenticates it, its
scope admits it, its rate limits it, and the call is recorded (``ApiCall``) whatever the answer."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import fields

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from complaints import selectors as complaints
from followups import selectors as followups
from followups.importing import DischargeImport
from inspections import selectors as inspections
from supervision import selectors as core
from supervision.importing import DepartmentImport, StaffImport
from supervision.infra.imports import ImportSpec, run_records
from supervision.models import Department, Finding, FindingSource, OrderStatus, RectificationOrder, Severity
from supervision.people import day_bounds
from surveys import selectors as surveys

from . import serializers as s
from .auth import ApiKeyAuthentication, HasScope, KeyRateThrottle
from .models import ApiCall, ApiScope
from .pushing import check_size, read_rows, report_body

MAX_PERIOD_DAYS = 3 * 366

REFUSALS = {
    400: OpenApiResponse(
        s.ErrorSerializer, description="Malformed JSON, or a field of the wrong shape (named)."
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="No key, an unknown, revoked or expired key."),
    403: OpenApiResponse(s.ErrorSerializer, description="The key lacks this endpoint's scope."),
    429: OpenApiResponse(s.ErrorSerializer, description="The key's calls per minute are used up."),
}


class _Encoder(JSONEncoder):
    """DRF's encoder with a date (every month and cell of the figures) tried first: DRF's tries a lazy
    string, a date-time and only then a date, ~6 Python calls a date against 2 (a year's follow-up
    table has 626 of them). Everything else as DRF encodes it; the same text."""

    def default(self, obj):
        if type(obj) is dt.date:
            return obj.isoformat()
        return super().default(obj)


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


class Call:
    """What every endpoint shares: key authentication, scope, rate, JSON, the call record."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [KeyRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [_Renderer]
    required_scope: str | None = None

    def dispatch(self, request, *args, **kwargs):
        self.started = time.monotonic()
        self.counts: dict = {}
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(request, "api_key", None)
        ApiCall.objects.create(
            key=key,
            key_prefix=getattr(request, "api_key_prefix", "") if key is None else key.prefix,
            method=request.method[:8],
            endpoint=request.path[:200],
            status=response.status_code,
            duration_ms=int((time.monotonic() - getattr(self, "started", time.monotonic())) * 1000),
            **getattr(self, "counts", {}),
        )
        return response


class Push(Call, APIView):
    spec: type[ImportSpec]

    def post(self, request):
        check_size(request)
        rows = read_rows(request.data, self.spec)
        key = request.auth
        report = run_records(self.spec, records=rows, source_name=f"API {key.name} ({key.prefix})")
        self.counts = {
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors) + (1 if report.file_error else 0),
            "import_run_id": report.run_id,
        }
        body = report_body(report, self.spec)
        return Response(
            body, status=status.HTTP_200_OK if report.ok else status.HTTP_422_UNPROCESSABLE_ENTITY
        )


def _push_schema(spec, name: str, summary: str):
    return extend_schema(
        summary=summary,
        request=s.push_serializer(spec, name),
        responses={
            200: OpenApiResponse(s.PushReportSerializer, description="Every row written (or unchanged)."),
            422: OpenApiResponse(s.PushReportSerializer, description="Row errors: nothing was written."),
            413: OpenApiResponse(
                s.ErrorSerializer, description="More than 5,000 rows, or a body over 16 MB."
            ),
            **REFUSALS,
        },
    )


@_push_schema(DischargeImport, "Discharge", "Push discharged stays (the HIS discharge import)")
class DischargePush(Push):
    """Discharged stays, up to 5,000 per call, through the discharge file import: the same checks and
    messages, all-or-nothing, idempotent on 住院号 + 出院日期 (admission_no + discharged_on)."""

    spec = DischargeImport
    required_scope = ApiScope.DISCHARGES_WRITE


@_push_schema(DepartmentImport, "Department", "Upsert departments (the department import)")
class DepartmentPush(Push):
    """Departments keyed by their code, created or updated as by the department file import."""

    spec = DepartmentImport
    required_scope = ApiScope.ORG_WRITE


@_push_schema(StaffImport, "Staff", "Upsert staff (the staff roster import)")
class StaffPush(Push):
    """Staff keyed by their employee number, created or updated as by the staff file import."""

    spec = StaffImport
    required_scope = ApiScope.ORG_WRITE


# --- figures ------------------------------------------------------------------------------------


def _departments(key, code: str | None) -> list[int] | None:
    """The departments the figures cover: the key's (None: whole hospital), narrowed to ``code``."""
    allowed = key.department_ids
    if not code:
        return allowed
    pk = Department.objects.filter(code=code).values_list("id", flat=True).first()
    if pk is None or (allowed is not None and pk not in allowed):
        raise exceptions.ValidationError(
            {"department": [_("Unknown department code “%(code)s”.") % {"code": code}]}
        )
    return [pk]


class Figures(Call, APIView):
    """Figures of a period, read from the same selectors as the dashboard and the reports."""

    required_scope = ApiScope.FIGURES_READ

    def get(self, request):
        query = s.PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        if end < start:
            raise exceptions.ValidationError({"end": [_("The end is before the start.")]})
        if (end - start).days > MAX_PERIOD_DAYS:
            raise exceptions.ValidationError({"end": [_("At most three years at once.")]})
        departments = _departments(request.auth, query.validated_data.get("department"))
        figures = self.figures(start=start, end=end, departments=departments)
        return Response({"start": start, "end": end, **figures})

    def figures(self, *, start: dt.date, end: dt.date, departments) -> dict:
        raise NotImplementedError


def _figure_schema(summary: str, answer=OpenApiTypes.OBJECT):
    return extend_schema(
        summary=summary,
        parameters=[s.PeriodSerializer],
        responses={200: answer, **REFUSALS},
    )


@_figure_schema("Follow-up rate by month and department")
class FollowupFigures(Figures):
    """The follow-up rate of the stays discharged in the period (a stay counts once), by month and
    department, as the monthly report's follow-up section."""

    def figures(self, *, start, end, departments):
        table = followups.followup_month_department_table(start=start, end=end, departments=departments)
        # The table's grand total is the period's summary (``followup_summary``), not asked again: a
        # stay is in one department's month only, so the cells' counts of distinct stays add up.
        # At 250,000 stays the summary's own query was 40 % of this call (docs/performance.md).
        return {"summary": table["total"], "table": table}


@_figure_schema("Patient satisfaction (surveys)")
class SatisfactionFigures(Figures):
    """Survey returns and satisfaction: overall, by dimension, by department and by month."""

    def figures(self, *, start, end, departments):
        # One read of the period's forms (by department and month) for all four, as the results page
        # and the reports read them; the dimensions from the forms' own counts, not their answers.
        return surveys.survey_figures(start=start, end=end, departments=departments)


@_figure_schema("Rectification and its effectiveness", s.RectificationFiguresSerializer)
class RectificationFigures(Figures):
    """The orders issued for the findings of the period, as they stand now: counts by status, the
    rectification and on-time rates, overdue orders, the effectiveness checks recorded on them and
    the effectiveness rate (checks that found the fix held ÷ checks recorded), recurrences, and the
    counts by department."""

    def figures(self, *, start, end, departments):
        # The period as moments ([start 00:00, the day after end 00:00) here), not ``found_at__date``:
        # the same findings, but through the index on ``found_at`` instead of converting every
        # finding's time of every year kept (the figures' three queries grew with the years).
        since, until = day_bounds(start, end)
        # The orders of those findings (by the finding's moment each order keeps), their counts and
        # table per department in one read, the effectiveness checks recorded on them (as the
        # dashboards and reports count them, ``order_counts``), and the findings with their
        # recurrences: three statements kept per period (``core.period_order_figures``).
        counts, by_department, found = core.period_order_figures(
            since=since, until=until, departments=departments
        )
        return {
            "findings": found["findings"],
            "recurrences": found["recurrences"],
            "orders": {
                "by_status": counts.by_status,
                "total": counts.total,
                "open": counts.open,
                "closed": counts.closed,
                "closed_on_time": counts.closed_on_time,
                "overdue": counts.overdue,
                "rectification_rate": counts.rectification_rate,
                "on_time_rate": counts.on_time_rate,
                # Each check once (an order that failed one and passed the next counts one of each).
                "checks_recorded": counts.evaluated,
                "checks_effective": counts.effective,
                "effectiveness_rate": counts.effectiveness_rate,
            },
            "by_department": by_department,
        }


@_figure_schema("Complaints")
class ComplaintFigures(Figures):
    """Complaints received in the period: by channel, category, department and month; accepted,
    answered on time, working days to answer, valid. Repeat complainants as a count only."""

    def figures(self, *, start, end, departments):
        # The complainants' verdicts per department and overall; never per named member of staff
        # (not even worked out: ``handlers=False``).
        found = complaints.figures(start=start, end=end, departments=departments, handlers=False)
        # The dataclass's fields as they are (made for this call, shared with no one), not
        # ``dataclasses.asdict``: that deep-copies every row and rate of the figures — a seventh of
        # the call's CPU time — for a dictionary the renderer reads once.
        figures = {f.name: getattr(found, f.name) for f in fields(found) if f.name not in ("start", "end")}
        figures["repeat"] = {"count": figures["repeat"]["count"]}  # never their (masked) phones
        figures["verdicts"] = {k: v for k, v in figures["verdicts"].items() if k != "by_handler"}
        return figures


@_figure_schema("Window waiting times")
class WaitingFigures(Figures):
    """Waiting minutes measured at the service windows: mean, 90th percentile, maximum, share within
    the targets, overall and by department."""

    def figures(self, *, start, end, departments):
        return inspections.window_waiting(start=start, end=end, departments=departments)


# --- findings and orders ------------------------------------------------------------------------


class Page(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class FindingFilter(filters.FilterSet):
    department = filters.CharFilter(field_name="department__code", help_text="A department code.")
    category = filters.CharFilter(field_name="category__code", help_text="A finding category code.")
    source = filters.ChoiceFilter(choices=FindingSource.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)
    status = filters.ChoiceFilter(
        field_name="order__status",
        choices=OrderStatus.choices,
        help_text="The status of the finding's order.",
    )
    start = filters.DateFilter(field_name="found_at", lookup_expr="date__gte", help_text="Found on or after.")
    end = filters.DateFilter(field_name="found_at", lookup_expr="date__lte", help_text="Found on or before.")

    class Meta:
        model = Finding
        fields = []


class OrderFilter(filters.FilterSet):
    department = filters.CharFilter(field_name="department__code", help_text="A department code.")
    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    # A choice, not a BooleanFilter: that one takes an unknown word for "no filter" instead of a 400.
    overdue = filters.ChoiceFilter(
        choices=(("true", "true"), ("false", "false")),
        method="filter_overdue",
        help_text="Open and past the deadline.",
    )
    start = filters.DateFilter(
        field_name="issued_at", lookup_expr="date__gte", help_text="Issued on or after."
    )
    end = filters.DateFilter(
        field_name="issued_at", lookup_expr="date__lte", help_text="Issued on or before."
    )

    class Meta:
        model = RectificationOrder
        fields = []

    def filter_overdue(self, queryset, name, value):
        overdue = RectificationOrder.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value == "true" else queryset.exclude(pk__in=overdue)


class ScopedList(Call, generics.ListAPIView):
    required_scope = ApiScope.FINDINGS_READ
    pagination_class = Page
    filter_backends = [filters.DjangoFilterBackend]

    def scoped(self, qs):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a key
            return qs.none()
        departments = self.request.auth.department_ids
        return qs if departments is None else qs.filter(department_id__in=departments)


@extend_schema(
    summary="Findings (problem ledger)", responses={200: s.FindingSerializer(many=True), **REFUSALS}
)
class FindingList(ScopedList):
    """Findings, newest first, with their order's status; no free text, no patient data."""

    serializer_class = s.FindingSerializer
    filterset_class = FindingFilter

    def get_queryset(self):
        return self.scoped(
            Finding.objects.select_related("department", "category", "recurrence_of", "order").order_by(
                "-found_at", "-id"
            )
        )


@extend_schema(summary="Rectification orders", responses={200: s.OrderSerializer(many=True), **REFUSALS})
class OrderList(ScopedList):
    """Rectification orders by deadline; no free text, no patient data."""

    serializer_class = s.OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return self.scoped(
            RectificationOrder.objects.select_related("department", "finding", "finding__category").order_by(
                "deadline", "id"
            )
        )
