from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models import Department

from .models import ReportFormat, ReportKind
from .periods import parse_period


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report kind"), choices=ReportKind.choices, initial=ReportKind.MONTHLY)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        help_text=_("For a monthly report, e.g. 2026-10."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Leave empty for the whole hospital."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        today = timezone.localdate()
        previous = today.replace(day=1) - dt.timedelta(days=1)
        self.fields["month"].initial = f"{previous:%Y-%m}"
        self.fields["year"].initial = today.year - 1
        # The departments the requester's Scope covers: the office any (or none: the whole hospital),
        # a department head their own, one of them at least.
        self.fields["departments"].queryset = user.scope.department_choices(
            Department.objects.filter(active=True)
        )
        if not user.scope.all_departments:
            self.fields["departments"].required = True
            self.fields["departments"].help_text = _("Your own department(s).")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        period = {ReportKind.MONTHLY: data.get("month"), ReportKind.ANNUAL: str(data.get("year") or "")}.get(
            kind
        )
        try:
            data["period_start"], data["period_end"] = parse_period(
                kind, period, data.get("start"), data.get("end")
            )
        except ValueError as exc:
            field = {
                ReportKind.MONTHLY: "month",
                ReportKind.ANNUAL: "year",
                ReportKind.WEEKLY_MEETING: "start",
            }.get(kind, "end")
            self.add_error(field, str(exc))
        return data
