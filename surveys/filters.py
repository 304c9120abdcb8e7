"""The response list's filters (django-filter)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from supervision.filters import DateFilterYMD
from supervision.infra.filtersets import SharedFormFilterSet
from supervision.models import Department

from .models import Campaign, Channel, SurveyResponse

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class ResponseFilter(SharedFormFilterSet):
    department = df.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=_("All")
    )
    campaign = df.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.all(), empty_label=_("All")
    )
    channel = df.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All"))
    date_from = DateFilterYMD(
        label=_("From"),
        field_name="submitted_on",
        lookup_expr="gte",
    )
    date_to = DateFilterYMD(
        label=_("To"),
        field_name="submitted_on",
        lookup_expr="lte",
    )
    valid = df.ChoiceFilter(label=_("Valid"), field_name="is_valid", choices=YES_NO, empty_label=_("All"))
    low = df.ChoiceFilter(label=_("Low score"), method="filter_low", choices=YES_NO, empty_label=_("All"))
    comment = df.ChoiceFilter(
        label=_("Has comment"), field_name="has_comment", choices=YES_NO, empty_label=_("All")
    )
    with_finding = df.ChoiceFilter(
        label=_("Finding created"), method="filter_finding", choices=YES_NO, empty_label=_("All")
    )

    class Meta:
        model = SurveyResponse
        fields = []

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = (
            departments if departments is not None else Department.objects.all()
        )

    def filter_low(self, qs, name, value):
        return qs.filter(low_count__gt=0) if value == "true" else qs.filter(low_count=0)

    def filter_finding(self, qs, name, value):
        return qs.filter(finding__isnull=value != "true")
