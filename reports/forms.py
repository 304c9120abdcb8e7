from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.forms import DateFieldYMD, MonthInputYM, parse_month_ym
from supervision.models import Department

from .models import ReportFormat, ReportKind
from .periods import WRITTEN_PERIODS, annual_year, parse_period, written_bounds, written_period
from .written import case_key, word_case


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report kind"), choices=ReportKind.choices, initial=ReportKind.MONTHLY)
    # Text read as periods.parse_period reads a month (its error is the one the page shows), typed
    # and drawn year-month as every month input (supervision.forms.MonthInputYM), not the browser's
    # locale; 2026/10 and 2026.10 are read as 2026-10 (clean_month).
    month = forms.CharField(
        label=_("Month"),
        required=False,
        help_text=_("For a monthly report, e.g. 2026-10."),
        widget=MonthInputYM(),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    start = DateFieldYMD(label=_("Period from"), required=False)
    end = DateFieldYMD(label=_("Period to"), required=False)
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
        self.fields["year"].initial = annual_year(today)
        # The departments the requester's Scope covers: the office any (or none: the whole hospital),
        # a department head their own, one of them at least.
        self.fields["departments"].queryset = user.scope.department_choices(
            Department.objects.filter(active=True)
        )
        if not user.scope.all_departments:
            self.fields["departments"].required = True
            self.fields["departments"].help_text = _("Your own department(s).")

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        try:
            parsed = parse_month_ym(month)
        except ValueError:
            return month  # refused by parse_period, for a monthly report only
        return f"{parsed:%Y-%m}" if parsed else month

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
        else:
            if data.get("format") == ReportFormat.DOCX and not written_period(
                data["period_start"], data["period_end"]
            ):
                self.add_error(
                    "format", _("Word is made for the written summary of a year, a half-year or a quarter.")
                )
        return data


def written_period_choices():
    return [
        ("year", _("Whole year")),
        ("h1", _("First half-year")),
        ("h2", _("Second half-year")),
        ("q1", _("First quarter")),
        ("q2", _("Second quarter")),
        ("q3", _("Third quarter")),
        ("q4", _("Fourth quarter")),
    ]


class SummaryCreateForm(forms.Form):
    """Draft the written summary of a year, half-year or quarter."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period = forms.ChoiceField(label=_("Period"), choices=written_period_choices, initial="year")
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Leave empty for the whole hospital."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # December and January both write the annual summary: of this year, of the year just ended.
        self.fields["year"].initial = annual_year(timezone.localdate())
        self.fields["departments"].queryset = user.scope.department_choices(
            Department.objects.filter(active=True)
        )

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("period") in WRITTEN_PERIODS:
            data["start"], data["end"] = written_bounds(data["year"], data["period"])
        return data


class SummaryEditForm(forms.Form):
    """The office's text of each part and the typical cases it picked (by "kind:id")."""

    work = forms.CharField(
        label=pgettext_lazy("written summary", "I. Work done"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    results = forms.CharField(
        label=pgettext_lazy("written summary", "II. Results"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    problems = forms.CharField(
        label=pgettext_lazy("written summary", "III. Problems"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    measures = forms.CharField(
        label=pgettext_lazy("written summary", "IV. Improvement measures"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    cases = forms.MultipleChoiceField(
        label=_("Typical cases"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, summary, candidates, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                **{part: summary.office_text(part) for part in ("work", "results", "problems", "measures")},
                "cases": [case_key(c) for c in summary.cases],
            },
        )
        super().__init__(*args, **kwargs)
        # Cases already picked stay on offer (and keep their snapshot) even when no longer among the candidates.
        self.snapshots = {case_key(c): c for c in candidates}
        self.snapshots.update({case_key(c): c for c in summary.cases})
        # Each case worded once a view, kept per language and snapshot (written.word_case); the page's
        # preview words the picked ones from the same snapshots when it is drawn (reports.views._preview).
        self.case_texts = {key: word_case(c) for key, c in self.snapshots.items()}
        self.fields["cases"].choices = list(self.case_texts.items())
        if not self.snapshots:  # a label over nothing looked like a page that failed to load
            self.fields["cases"].help_text = _(
                "No finding, complaint or praise in this period and scope to choose from."
            )

    def clean_cases(self):
        return [self.snapshots[key] for key in self.cleaned_data["cases"]]
