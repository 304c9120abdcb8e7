"""Forms of the follow-up app; their cleaned data goes to a service."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.forms import (
    DateFieldYMD,
    DateTimeField24,
    ModelMultipleChoiceField,
    TimeInput24,
    WordedEmptyChoice,
)
from supervision.models import Category, Department, Staff

from .models import (
    DissatisfactionDomain,
    DissatisfactionTopic,
    FeedbackKind,
    FollowupPlan,
    FollowupPolicy,
    GuidanceKind,
    Outcome,
    PlanPoint,
    RetryBeyondWindow,
    Satisfaction,
    SpotCheckResult,
)


class _Form(WordedEmptyChoice, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PolicyForm(WordedEmptyChoice, forms.ModelForm):
    class Meta:
        model = FollowupPolicy
        fields = [
            "department",
            "active",
            "share_percent",
            "window_start_day",
            "window_end_day",
            "exclude_died",
            "exclude_opted_out",
            "exclude_diagnosis_keywords",
            "max_attempts",
            "retry_spacing_hours",
            "retry_beyond_window",
            "calling_from",
            "calling_until",
            "calling_working_days_only",
            "letter_when_no_phone",
            "questionnaire_code",
        ]
        widgets = {
            # Hospitals write their hours on a 24-hour clock; the browser's time input would not.
            "calling_from": TimeInput24(),
            "calling_until": TimeInput24(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["department"].queryset = Department.objects.filter(active=True)
        # Empty is the default policy (the help text), not a choice left to make.
        self.fields["department"].empty_label = _("Default policy")
        # Left out (a form from before the field), the default rule holds: the window's last day.
        self.fields["retry_beyond_window"].required = False
        # Left out likewise, the default calling hours hold (08:00–20:00).
        self.fields["calling_from"].required = False
        self.fields["calling_until"].required = False
        self.fields["calling_until"].help_text = _("On a 24-hour clock, e.g. 08:00 to 20:00.")

    def clean_calling_from(self):
        return self.cleaned_data.get("calling_from") or FollowupPolicy._meta.get_field("calling_from").default

    def clean_calling_until(self):
        return (
            self.cleaned_data.get("calling_until") or FollowupPolicy._meta.get_field("calling_until").default
        )

    def clean_retry_beyond_window(self):
        return self.cleaned_data.get("retry_beyond_window") or RetryBeyondWindow.LAST_DAY

    def clean(self):
        data = super().clean()
        if not data.get("department"):
            defaults = FollowupPolicy.objects.filter(department__isnull=True)
            if self.instance.pk:
                defaults = defaults.exclude(pk=self.instance.pk)
            if defaults.exists():
                self.add_error("department", _("The default policy exists already; choose a department."))
        start, end = data.get("window_start_day"), data.get("window_end_day")
        if start is not None and end is not None and end < start:
            self.add_error("window_end_day", _("The last day must not be before the first day."))
        start, end = data.get("calling_from"), data.get("calling_until")
        if start is not None and end is not None and end <= start:
            self.add_error("calling_until", _("The calling hours must end after they start."))
        return data


PHONE_OUTCOMES = [(c, label) for c, label in Outcome.choices if c != Outcome.LETTER_DONE]


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CallForm(_Form):
    """The call's own questions. What the embedded questionnaire asks (``asked``: overall satisfaction,
    praise, comments) is left out here, so that each question is asked in one place only; the view
    fills those fields of the call from the questionnaire's answers."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=PHONE_OUTCOMES, widget=forms.RadioSelect)
    ended_early = forms.BooleanField(label=_("The interview ended early (partial)"), required=False)
    guidance_kinds = ModelMultipleChoiceField(
        label=_("Guidance given"),
        queryset=GuidanceKind.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    return_visit_on = DateFieldYMD(label=_("Return-visit date reminded"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("Overall satisfaction"), choices=Satisfaction.choices, required=False
    )
    dissatisfied_domain = forms.ModelChoiceField(
        label=_("Not satisfied with"), queryset=DissatisfactionDomain.objects.none(), required=False
    )
    dissatisfied_topics = TopicChoiceField(
        label=_("What about (topics)"),
        queryset=DissatisfactionTopic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    praise = forms.CharField(
        label=_("Praise"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    praised_staff = ModelMultipleChoiceField(
        label=_("Staff praised by name"), queryset=Staff.objects.none(), required=False
    )
    feedback_kind = forms.ChoiceField(
        label=_("Complaint or suggestion"), choices=FeedbackKind.choices, required=False
    )
    feedback = forms.CharField(
        label=_("What the patient said"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    finding_category = forms.ModelChoiceField(
        label=_("Category of the service problem"),
        queryset=Category.objects.filter(active=True),
        required=False,
    )
    callback_at = DateTimeField24(
        label=_("Call back at"),
        required=False,
        help_text=_("For a question taken to a specialist, or when the patient asks to be called later."),
    )
    opted_out = forms.BooleanField(label=_("The patient asks not to be called again"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    # The call's fields a questionnaire question replaces (surveys.selectors.questionnaire_common_questions).
    REPLACED = {
        "satisfaction": ("satisfaction",),
        "praise": ("praise", "praised_staff"),
        "comments": ("feedback",),
    }

    def __init__(self, *args, department=None, complaints_enabled=True, asked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = frozenset(asked)
        for key in self.asked:
            for name in self.REPLACED.get(key, ()):
                del self.fields[name]
        if "praised_staff" in self.fields:
            staff = Staff.objects.filter(active=True).select_related("department")
            if department is not None:
                staff = staff.filter(department=department)
            self.fields["praised_staff"].queryset = staff
        self.fields["guidance_kinds"].queryset = GuidanceKind.objects.filter(active=True)
        self.fields["dissatisfied_domain"].queryset = DissatisfactionDomain.objects.filter(active=True)
        self.fields["dissatisfied_topics"].queryset = DissatisfactionTopic.objects.filter(active=True)
        if not complaints_enabled:
            self.fields["feedback_kind"].choices = [
                (c, label) for c, label in FeedbackKind.choices if c != FeedbackKind.COMPLAINT
            ]

    def clean(self):
        data = super().clean()
        if (
            "feedback" in self.fields
            and data.get("feedback_kind")
            and not (data.get("feedback") or "").strip()
        ):
            self.add_error("feedback", _("Write down what the patient said."))
        if data.get("feedback_kind") == FeedbackKind.FINDING and not data.get("finding_category"):
            self.add_error("finding_category", _("Choose the category of the service problem."))
        callback = data.get("callback_at")
        if callback and callback <= timezone.now():
            self.add_error("callback_at", _("The call-back time must be in the future."))
        return data

    def check_answers(self, *, satisfaction: str, feedback: str) -> bool:
        """Checks that need the questionnaire's answers too; False (errors added) when one fails."""
        data = self.cleaned_data
        if (
            data.get("outcome") == Outcome.REACHED
            and satisfaction == Satisfaction.DISSATISFIED
            and not data.get("dissatisfied_domain")
        ):
            self.add_error("dissatisfied_domain", _("Choose what the patient was not satisfied with."))
        if data.get("feedback_kind") and not feedback.strip() and "feedback" not in self.fields:
            self.add_error("feedback_kind", _("Write what the patient said in the questionnaire's comments."))
        return not self.errors


class LetterForm(_Form):
    notes = forms.CharField(
        label=_("Letter notes (what was sent, to which address)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueueBuildForm(_Form):
    day = DateFieldYMD(label=pgettext_lazy("date", "Day"))


class SpotCheckDrawForm(_Form):
    start = DateFieldYMD(label=_("Calls from"))
    end = DateFieldYMD(label=_("Calls to"))
    size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=2000, initial=30)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


class SpotCheckResultForm(_Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(c, label) for c, label in SpotCheckResult.choices if c != SpotCheckResult.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PeriodForm(forms.Form):
    start = DateFieldYMD(label=_("Discharged from"), required=False)
    end = DateFieldYMD(label=_("Discharged to"), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        default_start = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
        if self.is_valid():
            start = self.cleaned_data.get("start") or default_start
            end = self.cleaned_data.get("end") or today
        else:
            start, end = default_start, today
        if end < start:
            start, end = end, start
        if (end - start).days > 800:
            start = end - dt.timedelta(days=800)
        return start, end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("The end date is before the start date."))
        return data


class FeedbackFilterForm(PeriodForm):
    """What patients said: the period, and the calls behind a figure (a department, a domain or a
    topic of dissatisfaction, carried in the figure's link). An id that is not one is refused, as
    every list's filter is (supervision.infra.filtersets): never every call as if it were those."""

    department = forms.IntegerField(
        label=_("Department"), required=False, min_value=1, widget=forms.HiddenInput
    )
    domain = forms.IntegerField(
        label=_("Not satisfied with"), required=False, min_value=1, widget=forms.HiddenInput
    )
    topic = forms.IntegerField(
        label=_("Dissatisfaction topic"), required=False, min_value=1, widget=forms.HiddenInput
    )


class TaskFilterForm(forms.Form):
    """The follow-up task list's filter (a status, a department of the reader's scope). A value that is
    not one of the choices (an old link, a hand-edited address) is refused — the list then shows no
    task, never every task (supervision.infra.filtersets). The page draws the selects itself
    (``{% options %}``): the form only validates."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, statuses=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["department"].choices = [("", _("All departments")), *departments]


class MyTasksQueueForm(forms.Form):
    """ "My calls today" narrowed to one "needs me now" queue (``?show=``, the dashboard's counts'
    links). A queue that is not one is refused: no task listed, rather than the whole list under a
    queue's name (supervision.infra.filtersets)."""

    show = forms.ChoiceField(
        label=_("Needs me now"),
        required=False,
        choices=[("", ""), ("callbacks", _("Call-backs due")), ("closing", _("Windows closing today"))],
    )


class StayFilterForm(forms.Form):
    """The discharged stays' filter: an admission number (part of it) and a department of the
    reader's scope, refused as the task list's is."""

    q = forms.CharField(label=_("Admission no."), required=False, max_length=32)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]


class RosterForm(_Form):
    day = DateFieldYMD(label=pgettext_lazy("date", "Day"))
    users = ModelMultipleChoiceField(
        label=_("Follow-up staff on duty"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from supervision.models import Role, User

        self.fields["users"].queryset = (
            User.objects.filter(is_active=True, groups__name=Role.FOLLOWUP).distinct().order_by("username")
        )


class PlanForm(WordedEmptyChoice, forms.ModelForm):
    """A plan's heading; who it is for is fixed once saved (a change is a new version of it)."""

    class Meta:
        model = FollowupPlan
        fields = ["department", "icd_prefix", "diagnosis_text", "name", "restart_on_readmission", "active"]

    def __init__(self, *args, fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        # Empty is the plan every department without its own uses (the help text).
        self.fields["department"].empty_label = _("Hospital-wide plan")
        if fixed:
            for name in ("department", "icd_prefix", "diagnosis_text"):
                self.fields[name].disabled = True


class PointForm(forms.ModelForm):
    class Meta:
        model = PlanPoint
        fields = [
            "day",
            "window_days",
            "mode",
            "max_attempts",
            "retry_spacing_hours",
            "questionnaire_code",
            "repeat_every_months",
            "repeat_times",
            "link_valid_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank row of the table is no time point: only the day makes it one.
        for name, field in self.fields.items():
            if name != "day":
                field.required = False

    def clean(self):
        data = super().clean()
        for name in self.fields:
            if name != "day" and data.get(name) in (None, ""):
                data[name] = PlanPoint._meta.get_field(name).get_default()
        return data


PointFormSet = forms.formset_factory(PointForm, extra=2, max_num=12, validate_max=True)


class StarWardsForm(_Form):
    """The star wards (星级病房) of one year: the office ticks the wards."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    departments = ModelMultipleChoiceField(
        label=_("Star wards"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(active=True, kind="clinical")
