"""The finding list's filters (django-filter). Labels are ours, so they translate with our
catalogue — django-filter ships no zh_Hans catalogue."""

from __future__ import annotations

from functools import partial

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from .access import scope_of
from .forms import DateFieldYMD
from .infra.filtersets import SharedFormFilterSet
from .models import OPEN_ORDER_STATUSES, Category, Department, Finding, FindingSource, OrderStatus, Severity
from .queues import CORE_QUEUES, ORDER_QUEUE_STATUSES, finding_condition
from .selectors import filter_category_options, filter_department_options, filter_departments

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class DateFilterYMD(df.DateFilter):
    """A filter's day, typed and shown year-month-day in every language, as every form's date
    (``supervision.forms.DateFieldYMD``): Chromium's ``<input type="date">`` showed 12/07/2026."""

    field_class = DateFieldYMD


class FindingFilter(SharedFormFilterSet):
    q = df.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"placeholder": _("Number or text")})
    )
    department = df.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=_("All")
    )
    category = df.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("All")
    )
    source = df.ChoiceFilter(label=_("Source"), choices=FindingSource.choices, empty_label=_("All"))
    severity = df.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("All"))
    status = df.ChoiceFilter(
        label=_("Order status"), field_name="order__status", choices=OrderStatus.choices, empty_label=_("All")
    )
    found_from = DateFilterYMD(
        label=_("From"),
        field_name="found_at",
        lookup_expr="date__gte",
    )
    found_to = DateFilterYMD(
        label=_("To"),
        field_name="found_at",
        lookup_expr="date__lte",
    )
    overdue = df.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, method="filter_overdue", empty_label=_("All")
    )
    recurrence = df.ChoiceFilter(
        label=_("Recurrence"), choices=YES_NO, method="filter_recurrence", empty_label=_("All")
    )
    # A "needs me now" count opens the list filtered to its queue (supervision.queues).
    queue = df.ChoiceFilter(
        label=_("Needs me now"),
        choices=list(CORE_QUEUES.items()),
        method="filter_queue",
        empty_label=_("All"),
    )

    class Meta:
        model = Finding
        fields = []

    def __init__(self, *args, request=None, today=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # The day the queue and "overdue" filters read: the list's own (its count's statement is kept
        # per day: supervision.views._finding_list_statement).
        self.today = today or timezone.localdate()
        user = request.user if request else None
        self.filters["department"].queryset = filter_departments(user)
        # Their options read through kept statements (SharedFormFilterSet: ``option_pairs``).
        for name, read in self.option_sources(user).items():
            self.filters[name].option_pairs = read

    @classmethod
    def option_sources(cls, user):
        return {"department": partial(filter_department_options, user), "category": filter_category_options}

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(description__icontains=value) | Q(location__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        condition = Q(order__deadline__lt=self.today) & Q(order__status__in=OPEN_ORDER_STATUSES)
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)

    def filter_queue(self, queryset, name, value):
        user = self.request.user if self.request else None
        return self.narrow(queryset, name, value, user=user, today=self.today)

    narrowing = ("queue",)

    @classmethod
    def narrow(cls, queryset, name, value, *, user, today=None):
        return queue_findings(queryset, value, today or timezone.localdate(), user)

    def filter_recurrence(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=value != "true")


def queue_findings(findings, key: str, today, user):
    """The findings of ``findings`` in the queue ``key`` (``supervision.queues``) on ``today``, for
    ``user`` (a user or a Scope): the list's ``queue`` filter and its count's kept statement."""
    findings = findings.filter(finding_condition(key, today))
    if key in ORDER_QUEUE_STATUSES:
        # The count on "needs me now" scopes the orders by their own department: so does the list,
        # which also lets PostgreSQL find a head's queue by the orders' (department, status) index
        # instead of joining every order in those states to the department's findings.
        findings = scope_of(user).filter(findings, department_field="order__department")
    return findings


def queue_only(filterset: FindingFilter) -> str | None:
    """What the filter set narrows the list to when nothing but a queue is chosen — ``""`` for nothing
    at all (unbound, or bound to no value), the queue's key for a "needs me now" link — else None (a
    search, a department, a refused value …: the ORM counts what the view shows for those)."""
    if not filterset.is_bound:
        return ""
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    if any(value not in EMPTY_VALUES for name, value in data.items() if name != "queue"):
        return None
    return data.get("queue") or ""
