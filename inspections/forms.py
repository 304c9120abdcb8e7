"""Forms of inspections and chart audits; cleaned data is handed to a service."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.access import scope_of
from supervision.forms import (
    CHOOSE,
    DateFieldYMD,
    DateTimeField24,
    ModelMultipleChoiceField,
    MonthField,
    WordedEmptyChoice,
)
from supervision.infra.uploads import clean_upload
from supervision.models import Category, Department, Role, User, check_found_at

from .models import (
    AnswerResult,
    Area,
    ChartCriterion,
    ChecklistItem,
    ChecklistTemplate,
    Disposition,
    ItemKind,
    RoundStatus,
    RoundType,
    TemplateStatus,
)


class _Form(WordedEmptyChoice, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RoundStartForm(_Form):
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=ChecklistTemplate.objects.none())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    round_type = forms.ChoiceField(label=_("Type"), choices=RoundType.choices, initial=RoundType.ROUTINE)
    started_at = DateTimeField24(label=_("Time"))
    location = forms.CharField(label=_("Location"), max_length=128, required=False)
    inspectors = ModelMultipleChoiceField(
        label=_("Other inspectors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["inspectors"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.SUPERVISOR
        ).distinct()
        self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_started_at(self):
        value = self.cleaned_data["started_at"]
        if value > timezone.now() + dt.timedelta(hours=1):
            raise ValidationError(_("The round cannot start in the future."))
        # Its findings are dated at the round's start: the same window as every finding's.
        check_found_at(min(value, timezone.now()))
        return value


class AnswerForm(forms.Form):
    """One checklist answer, autosaved as it is typed."""

    result = forms.ChoiceField(choices=[("", "—"), *AnswerResult.choices], required=False)
    note = forms.CharField(max_length=2000, required=False)
    wait_minutes = forms.DecimalField(
        min_value=0, max_value=600, max_digits=5, decimal_places=1, required=False
    )
    hh_opportunities = forms.IntegerField(min_value=0, max_value=1000, required=False)
    hh_washes = forms.IntegerField(min_value=0, max_value=1000, required=False)

    def clean(self):
        data = super().clean()
        o, w = data.get("hh_opportunities"), data.get("hh_washes")
        if o is not None and w is not None and w > o:
            raise ValidationError(_("Hand washes cannot exceed the opportunities observed."))
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo"))
    # The tablet's id of the photo (static/js/inspections.js): a resend is stored once.
    client_id = forms.UUIDField(required=False)

    def clean_photo(self):
        return clean_upload(self.cleaned_data["photo"], allow_pdf=False)


class SubmitRoundForm(_Form):
    """Per failed answer: own finding (default), merge into another failed item, or skip with a reason."""

    summary = forms.CharField(
        label=_("Summary of the round"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, failed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.failed = list(failed)
        targets = [("", "—")] + [(str(a.pk), a.item.text) for a in self.failed]
        for answer in self.failed:
            self.fields[f"mode_{answer.pk}"] = forms.ChoiceField(
                label=_("Record as"), choices=Disposition.choices, initial=Disposition.FINDING
            )
            self.fields[f"into_{answer.pk}"] = forms.ChoiceField(
                label=_("Merge into"), choices=[t for t in targets if t[0] != str(answer.pk)], required=False
            )
            self.fields[f"reason_{answer.pk}"] = forms.CharField(
                label=_("Reason for no finding"), max_length=500, required=False
            )

    def rows(self):
        return [(a, self[f"mode_{a.pk}"], self[f"into_{a.pk}"], self[f"reason_{a.pk}"]) for a in self.failed]

    def clean(self):
        data = super().clean()
        for answer in self.failed:
            mode = data.get(f"mode_{answer.pk}")
            if mode == Disposition.SKIP and not (data.get(f"reason_{answer.pk}") or "").strip():
                self.add_error(f"reason_{answer.pk}", _("Give the reason for not recording a finding."))
            if mode == Disposition.MERGE and not data.get(f"into_{answer.pk}"):
                self.add_error(f"into_{answer.pk}", _("Choose the item to merge into."))
        return data

    def choices(self):
        from .services import Choice

        out = {}
        for answer in self.failed:
            mode = self.cleaned_data[f"mode_{answer.pk}"]
            if mode == Disposition.FINDING:
                continue
            into = self.cleaned_data.get(f"into_{answer.pk}")
            out[answer.pk] = Choice(
                mode=mode,
                merge_into=int(into) if into and mode == Disposition.MERGE else None,
                reason=self.cleaned_data.get(f"reason_{answer.pk}", ""),
            )
        return out


class RoundFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    round_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *RoundType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *RoundStatus.choices], required=False
    )
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scope_of(user).department_choices(
            Department.objects.filter(active=True)
        )

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()  # refused: no rows, never every row (supervision.infra.filtersets)
        data = self.cleaned_data
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("round_type"):
            qs = qs.filter(round_type=data["round_type"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("month"):
            from .selectors import _bounds
            from .services import next_month

            lo, hi = _bounds(data["month"], next_month(data["month"]) - dt.timedelta(days=1))
            qs = qs.filter(started_at__gte=lo, started_at__lt=hi)
        return qs


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))


class AuditForm(_Form):
    """The scoring form: defects per criterion (0 = none) and a note."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"n_{c.pk}"] = forms.IntegerField(
                label=c.text, min_value=0, max_value=50, required=False, initial=0
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(label=_("Note"), max_length=500, required=False)

    def rows(self):
        return [(c, self[f"n_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def defects(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"n_{c.pk}") or 0, self.cleaned_data.get(f"note_{c.pk}", ""))
            for c in self.criteria
            if self.cleaned_data.get(f"n_{c.pk}")
        }


class AppealForm(_Form):
    reason = forms.CharField(
        label=_("Reason for the appeal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealDecisionForm(_Form):
    comment = forms.CharField(
        label=_("Decision comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AuditFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    month = MonthField(label=_("Discharge month"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[])

    def __init__(self, *args, user=None, **kwargs):
        from .models import AuditStatus, Grade

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scope_of(user).department_choices(
            Department.objects.filter(active=True)
        )
        self.fields["status"].choices = [("", _("All")), *AuditStatus.choices]
        self.fields["grade"].choices = [("", _("All")), *Grade.choices]

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()  # refused: no rows, never every row (supervision.infra.filtersets)
        data = self.cleaned_data
        if data.get("department"):
            qs = qs.filter(department=data["department"])
        if data.get("month"):
            qs = qs.filter(sample__month=data["month"].replace(day=1))
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("grade"):
            qs = qs.filter(grade=data["grade"])
        return qs


def active_criteria():
    return ChartCriterion.objects.filter(active=True).order_by("sort_order", "id")


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ScheduleForm(_Form):
    """Schedule rounds to a named inspector: on one date, weekly on a weekday over a period (hygiene
    rounds per ward), or on dates drawn at random in a month (unannounced rounds)."""

    SINGLE, WEEKLY, RANDOM = "single", "weekly", "random"
    mode = forms.ChoiceField(
        label=_("How"),
        choices=[
            (SINGLE, _("On one date")),
            (WEEKLY, _("Every week on a weekday")),
            (RANDOM, _("Unannounced: dates drawn at random in a month")),
        ],
        initial=SINGLE,
    )
    departments = ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several; on a tablet, tap each."),
    )
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.none())
    round_type = forms.ChoiceField(label=_("Type"), choices=RoundType.choices, initial=RoundType.ROUTINE)
    date = DateFieldYMD(label=_("Date"), required=False)
    start = DateFieldYMD(label=_("From"), required=False)
    end = DateFieldYMD(label=_("To"), required=False)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int, required=False)
    count = forms.IntegerField(label=_("Rounds per department"), min_value=1, max_value=10, required=False)

    def __init__(self, *args, month: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month
        self.fields["departments"].queryset = Department.objects.filter(active=True).order_by(
            "sort_order", "code"
        )
        self.fields["inspector"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.SUPERVISOR
        ).distinct()

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.SINGLE and not data.get("date"):
            self.add_error("date", _("Choose the date."))
        if mode == self.WEEKLY:
            if data.get("weekday") in (None, ""):
                self.add_error("weekday", _("Choose the weekday."))
            if not data.get("start") or not data.get("end"):
                self.add_error("end", _("Give the first and the last day of the period."))
            elif data["end"] < data["start"]:
                self.add_error("end", _("The period ends before it starts."))
            elif (data["end"] - data["start"]).days > 366:
                self.add_error("end", _("Schedule at most a year at a time."))
        if mode == self.RANDOM and not data.get("count"):
            self.add_error("count", _("How many rounds per department?"))
        return data

    def entries(self, rng) -> list[tuple[Department, dt.date]]:
        """(department, date) pairs to schedule; unannounced dates are drawn per department."""
        from . import services

        data = self.cleaned_data
        departments = list(data["departments"])
        if data["mode"] == self.SINGLE:
            return [(d, data["date"]) for d in departments]
        if data["mode"] == self.WEEKLY:
            days = services.weekly_dates(start=data["start"], end=data["end"], weekday=data["weekday"])
            return [(d, day) for d in departments for day in days]
        return [
            (d, day)
            for d in departments
            for day in services.unannounced_dates(month=self.month, count=data["count"], rng=rng)
        ]


# --- the checklist editor ----------------------------------------------------------------------

MAX_ITEMS = 200


class ChecklistCreateForm(_Form):
    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Letters, digits and hyphens; it names every version.")
    )
    name = forms.CharField(label=_("Checklist name"), max_length=100)
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)


class ChecklistItemForm(WordedEmptyChoice, forms.ModelForm):
    """One row of the editor. A target belongs to measured items only, within the measure's range."""

    class Meta:
        model = ChecklistItem
        fields = [
            "sort_order",
            "section",
            "text",
            "guidance",
            "kind",
            "target",
            "category",
            "allow_na",
            "photo_on_fail",
        ]
        widgets = {
            "sort_order": forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0}),
            "section": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "text": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "guidance": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "kind": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "target": forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.5"}),
            "category": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "allow_na": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "photo_on_fail": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        if self.instance.target is not None:
            from .services import plain_number

            self.initial["target"] = plain_number(self.instance.target)  # 90, not 90.00

    def clean(self):
        data = super().clean()
        kind, target = data.get("kind"), data.get("target")
        if target is None:
            return data
        if kind == ItemKind.CHECK:
            self.add_error("target", _("Only measured items have a target."))
        elif kind == ItemKind.WAIT_TIME and not (0 < target <= 600):
            self.add_error("target", _("A waiting-time target is between 1 and 600 minutes."))
        elif kind == ItemKind.HAND_HYGIENE and not (0 < target <= 100):
            self.add_error("target", _("A hand-hygiene target is a compliance between 1 and 100 %."))
        return data


class _ItemFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the categories of every row, not one per row's drop-down.
        choices = [("", CHOOSE), *Category.objects.filter(active=True).values_list("pk", "name")]
        last = max((f.instance.sort_order for f in self.initial_forms), default=0)
        for n, form in enumerate(self.forms):
            form.fields["category"].choices = choices
            if not form.instance.pk:  # a new row comes after the others unless the office says otherwise
                form.initial.setdefault("sort_order", last + 1 + n - self.initial_form_count())

    def clean(self):
        super().clean()
        kept = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and f.cleaned_data.get("text")
            and not f.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(_("A checklist needs at least one item."))


ChecklistItemFormSet = forms.modelformset_factory(
    ChecklistItem,
    form=ChecklistItemForm,
    formset=_ItemFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
)
