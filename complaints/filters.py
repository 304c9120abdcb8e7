"""The complaint list's filters (django-filter). Labels translate with this app's catalogue."""

from __future__ import annotations

from functools import partial

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.filters import DateFilterYMD
from supervision.infra.filtersets import SharedFormFilterSet
from supervision.models import Department
from supervision.selectors import filter_department_options, filter_departments

from .models import AWAITING_ANSWER, Complaint, ComplaintChannel, ComplaintStatus, Determination
from .selectors import awaiting_reply

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class ComplaintFilter(SharedFormFilterSet):
    q = df.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Number, referral number or text")}),
    )
    status = df.ChoiceFilter(label=_("Status"), choices=ComplaintStatus.choices, empty_label=_("All"))
    channel = df.ChoiceFilter(label=_("Channel"), choices=ComplaintChannel.choices, empty_label=_("All"))
    department = df.ModelChoiceFilter(
        label=_("Department concerned"), queryset=Department.objects.none(), empty_label=_("All")
    )
    determination = df.ChoiceFilter(
        label=_("Determination"), choices=Determination.choices, empty_label=_("All")
    )
    received_from = DateFilterYMD(
        label=_("Received from"),
        field_name="received_on",
        lookup_expr="gte",
    )
    received_to = DateFilterYMD(
        label=_("Received to"),
        field_name="received_on",
        lookup_expr="lte",
    )
    overdue = df.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue", empty_label=_("All")
    )
    # The "needs me now" count of a head: the complaints waiting for their department's reply.
    awaiting_reply = df.ChoiceFilter(
        label=_("Awaiting my reply"), choices=YES_NO, method="filter_awaiting_reply", empty_label=_("All")
    )
    mine = df.ChoiceFilter(label=_("Owned by me"), choices=YES_NO, method="filter_mine", empty_label=_("All"))

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = request.user if request else None
        self.filters["department"].queryset = filter_departments(self.user)
        # Its options read through a kept statement (SharedFormFilterSet: ``option_pairs``).
        for name, read in self.option_sources(self.user).items():
            self.filters[name].option_pairs = read

    @classmethod
    def option_sources(cls, user):
        return {"department": partial(filter_department_options, user)}

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(tracking_code__iexact=value)
            | Q(referral_no__icontains=value)
            | Q(content__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        condition = Q(status__in=AWAITING_ANSWER, answer_due__lt=timezone.localdate())
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)

    def filter_awaiting_reply(self, queryset, name, value):
        return self.narrow(queryset, name, value, user=self.user)

    narrowing = ("awaiting_reply",)

    @classmethod
    def narrow(cls, queryset, name, value, *, user):
        waiting = awaiting_reply(user).values("pk")
        return queryset.filter(pk__in=waiting) if value == "true" else queryset.exclude(pk__in=waiting)

    def filter_mine(self, queryset, name, value):
        if self.user is None:
            return queryset
        return queryset.filter(owner=self.user) if value == "true" else queryset.exclude(owner=self.user)
