"""What the API answers (read endpoints) and how the schema describes the pushes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supervision.infra.imports import ImportSpec
from supervision.models import Finding, RectificationOrder


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}], "nullable": True}
)
class CellField(serializers.Field):
    """A value as a spreadsheet cell holds it; parsed by the import's own cell parser."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


def push_serializer(spec: type[ImportSpec], name: str) -> type[serializers.Serializer]:
    """The schema of a push of ``spec``'s rows: one field per column of the file template."""
    fields = {
        column.attr: CellField(
            required=column.required,
            help_text=f"{column.header}" + (" (required)" if column.required else ""),
        )
        for column in spec.columns
    }
    row = type(f"{name}Row", (serializers.Serializer,), fields)
    return type(
        f"{name}Push",
        (serializers.Serializer,),
        {"rows": serializers.ListField(child=row(), min_length=1, max_length=5000)},
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's place in `rows`, from 1.")
    field = serializers.CharField(help_text="The attribute the error is about (empty: the whole row).")
    column = serializers.CharField(help_text="The same column's header in the file template.")
    message = serializers.CharField(
        help_text="In the language asked for (Accept-Language), zh-hans by default."
    )


class PushReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True: every row was written; false: nothing was.")
    total_rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    file_error = serializers.CharField()
    errors = RowErrorSerializer(many=True, help_text="The first 500 row errors, by row.")
    error_count = serializers.IntegerField()
    import_run = serializers.IntegerField(allow_null=True, help_text="The ImportRun recording the push.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class OrderBriefSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RectificationOrder
        fields = [
            "number",
            "status",
            "deadline",
            "issued_at",
            "submitted_at",
            "closed_at",
            "closed_on_time",
            "overdue",
        ]

    def get_overdue(self, order) -> bool:
        return order.is_overdue()


class FindingSerializer(serializers.ModelSerializer):
    """A finding without its free text (a description may quote a patient by name)."""

    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    recurrence_of = serializers.CharField(source="recurrence_of.number", default=None)
    order = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "number",
            "source",
            "category",
            "category_name",
            "department",
            "department_name",
            "severity",
            "found_at",
            "recurrence_of",
            "order",
        ]

    @extend_schema_field(OrderBriefSerializer(allow_null=True))
    def get_order(self, finding):
        order = getattr(finding, "order", None)
        return OrderBriefSerializer(order).data if order else None


class OrderSerializer(serializers.ModelSerializer):
    """An order without its free text (cause and corrective action are written by people)."""

    finding = serializers.CharField(source="finding.number")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    category = serializers.CharField(source="finding.category.code")
    overdue_days = serializers.SerializerMethodField()

    class Meta:
        model = RectificationOrder
        fields = [
            "number",
            "finding",
            "department",
            "department_name",
            "category",
            "status",
            "deadline",
            "issued_at",
            "submitted_at",
            "closed_at",
            "closed_on_time",
            "return_count",
            "overdue_days",
        ]

    def get_overdue_days(self, order) -> int:
        return order.overdue_days()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day, e.g. 2026-01-01.")
    end = serializers.DateField(help_text="Last day (included), at most 3 years after start.")
    department = serializers.CharField(required=False, help_text="A department code: its figures only.")


# --- figures (the answers' schema; the endpoints return the selectors' figures as they are) -----

_RATE = (
    "In % (0–100), exact: the quotient of the two counts given beside it, not rounded (round only to show "
    "it); null when its denominator is 0."
)


class OrderFiguresSerializer(serializers.Serializer):
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Orders per status (every status, 0 included)."
    )
    total = serializers.IntegerField(help_text="Orders issued for the period's findings.")
    open = serializers.IntegerField(help_text="Not yet rectified.")
    closed = serializers.IntegerField(
        help_text="Rectified: verified, whether or not the effectiveness check is done."
    )
    closed_on_time = serializers.IntegerField(help_text="Of those, closed by the (final) deadline.")
    overdue = serializers.IntegerField(help_text="Open and past the deadline today.")
    rectification_rate = serializers.FloatField(allow_null=True, help_text=f"closed ÷ total. {_RATE}")
    on_time_rate = serializers.FloatField(allow_null=True, help_text=f"closed_on_time ÷ closed. {_RATE}")
    checks_recorded = serializers.IntegerField(
        help_text="Effectiveness checks recorded on these orders after verification, before the order is "
        "closed for good (销号); each check once: an order that failed one and passed the next counts "
        "one of each."
    )
    checks_effective = serializers.IntegerField(help_text="Of those, checks that found the fix held.")
    effectiveness_rate = serializers.FloatField(
        allow_null=True, help_text=f"checks_effective ÷ checks_recorded. {_RATE}"
    )


class DepartmentOrdersSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    department__name = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    awaiting_check = serializers.IntegerField(help_text="Verified, the effectiveness check not yet recorded.")


class RectificationFiguresSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    findings = serializers.IntegerField(help_text="Findings found in the period.")
    recurrences = serializers.IntegerField(help_text="Of those, recurrences of an earlier finding.")
    orders = OrderFiguresSerializer(help_text="The orders of those findings, as they stand now.")
    by_department = DepartmentOrdersSerializer(
        many=True, help_text="The same orders per department, the most overdue first."
    )
