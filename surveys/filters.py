"""The response list's filters (django-filter)."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import Department

from .models import Campaign, Channel, SurveyResponse

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class ResponseFilter(df.FilterSet):
    department = df.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=_("All")
    )
    campaign = df.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.all(), empty_label=_("All")
    )
    channel = df.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All"))
    date_from = df.DateFilter(
        label=_("From"),
        field_name="submitted_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = df.DateFilter(
        label=_("To"),
        field_name="submitted_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
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
