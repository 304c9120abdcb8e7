"""Forms of the surveys app. ``QuestionnaireForm`` is the one every channel renders."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.forms import DateFieldYMD, ModelMultipleChoiceField, WordedEmptyChoice
from supervision.infra.public import HoneypotMixin
from supervision.models import Category, Department, Staff

from .models import (
    Campaign,
    Channel,
    Dimension,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireStatus,
    Scale,
    Section,
)

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
NAME_SPLIT = re.compile(r"[,，、;；\s]+")


class QuestionnaireForm(forms.Form):
    """Fields ``q<question pk>`` in questionnaire order; ``answers()`` feeds ``response_submit``.

    A praise question has a second field ``q<pk>_staff`` (roster pick) beside the typed names.
    ``enforce_required=False`` (paper entry) leaves required questions optional on the form.
    """

    def __init__(
        self,
        data=None,
        *,
        questionnaire: Questionnaire,
        prefix=None,
        department: Department | None = None,
        enforce_required: bool = True,
        **kwargs,
    ):
        super().__init__(data, prefix=prefix, **kwargs)
        self.questionnaire = questionnaire
        self.questions = list(questionnaire.questions.select_related("section"))
        staff = Staff.objects.filter(active=True).select_related("department").order_by("name")
        if department is not None:
            staff = staff.filter(department=department)
        for q in self.questions:
            required = q.required and enforce_required
            common = {
                "label": q.text,
                "help_text": q.help_text,
                "required": required,
                "error_messages": {
                    "required": _("This question is required."),
                    "invalid_choice": _("This answer is not one of the offered choices."),
                    "max_length": _("Please keep this answer within %(limit_value)d characters."),
                },
            }
            name = q.field_name
            if q.kind == QuestionKind.SCALE:
                field = forms.TypedChoiceField(
                    choices=Scale.choices, coerce=int, widget=forms.RadioSelect, **common
                )
            elif q.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
            elif q.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in q.choices], widget=forms.RadioSelect, **common
                )
            elif q.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in q.choices], widget=forms.CheckboxSelectMultiple, **common
                )
            elif q.kind == QuestionKind.TEXT:
                field = forms.CharField(
                    max_length=q.max_length, widget=forms.Textarea(attrs={"rows": 3}), **common
                )
            else:  # praise
                common["required"] = False
                self.fields[f"{name}_staff"] = ModelMultipleChoiceField(
                    queryset=staff,
                    required=False,
                    label=q.text,
                    widget=forms.SelectMultiple(attrs={"class": "form-select praise-staff", "size": 5}),
                )
                field = forms.CharField(
                    max_length=64 * 10,
                    label=_("Or write the names"),
                    help_text=q.help_text or _("Separate several names with commas."),
                    **{k: v for k, v in common.items() if k not in ("label", "help_text", "error_messages")},
                )
                self._praise_required = getattr(self, "_praise_required", set())
                if required:
                    self._praise_required.add(name)
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                field.widget.attrs.update({"class": "btn-check", "autocomplete": "off"})
            else:
                field.widget.attrs.setdefault("class", "form-control")
            self.fields[name] = field
            field.question = q

    def clean(self):
        cleaned = super().clean()
        for name in getattr(self, "_praise_required", ()):
            if not cleaned.get(name) and not cleaned.get(f"{name}_staff"):
                self.add_error(name, _("This question is required."))
        return cleaned

    def answers(self) -> dict:
        data = self.cleaned_data
        result = {}
        for q in self.questions:
            name = q.field_name
            value = data.get(name)
            if q.kind == QuestionKind.YES_NO:
                value = {"yes": True, "no": False}.get(value)
            elif q.kind == QuestionKind.PRAISE:
                names = [n for n in NAME_SPLIT.split(value or "") if n]
                staff = [s.pk for s in data.get(f"{name}_staff") or []]
                value = {"staff": staff, "names": names} if staff or names else None
            elif value in ("", None, []):
                value = None
            if value is not None:
                result[name] = value
        return result

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a ValidationError from ``response_submit`` on the right fields."""
        if hasattr(error, "error_dict"):
            for key, errs in error.message_dict.items():
                self.add_error(key if key in self.fields else None, errs)
        else:
            self.add_error(None, error.messages)

    def sections(self) -> list[tuple[Section, list]]:
        groups: list[tuple[Section, list]] = []
        for q in self.questions:
            if not groups or groups[-1][0].pk != q.section_id:
                groups.append((q.section, []))
            if q.kind == QuestionKind.PRAISE:
                groups[-1][1].append(self[f"{q.field_name}_staff"])
            groups[-1][1].append(self[q.field_name])
        return groups


class PublicQuestionnaireForm(HoneypotMixin, QuestionnaireForm):
    """The patient's web form: honeypot + signed timestamp + an idempotency key per page view."""

    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_id"] = uuid.uuid4().hex


class PaperHeaderForm(WordedEmptyChoice, forms.Form):
    """Department and date of a paper form, carried over to the next form."""

    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("Department"))
    submitted_on = DateFieldYMD(label=_("Date on the form"))
    entry_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(active=True)
        if campaign.departments.exists():
            departments = campaign.departments.all()
        self.fields["department"].queryset = departments
        if not self.is_bound:
            self.initial["entry_id"] = uuid.uuid4().hex

    def clean_submitted_on(self):
        day = self.cleaned_data["submitted_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class QuestionnaireMetaForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"), max_length=32, help_text=_("Letters, digits and dashes, e.g. inpatient.")
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Introduction"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=120)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    order = forms.IntegerField(label=pgettext_lazy("survey", "Order"), min_value=0, initial=10)


class QuestionForm(WordedEmptyChoice, forms.Form):
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(), label=pgettext_lazy("survey", "Section")
    )
    kind = forms.ChoiceField(label=pgettext_lazy("survey", "Type"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=pgettext_lazy("survey", "Order"), min_value=0, initial=10)
    choices = forms.CharField(
        label=_("Choices (one per line)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for single and multiple choice."),
    )
    max_length = forms.IntegerField(label=_("Maximum length"), min_value=1, max_value=2000, initial=500)

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = questionnaire.sections.all()

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "section": question.section_id,
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "order": question.order,
            "choices": "\n".join(question.choices),
            "max_length": question.max_length,
        }


class CampaignForm(WordedEmptyChoice, forms.Form):
    name = forms.CharField(label=pgettext_lazy("survey", "Name"), max_length=120)
    questionnaire = forms.ModelChoiceField(
        queryset=Questionnaire.objects.filter(status=QuestionnaireStatus.PUBLISHED), label=_("Questionnaire")
    )
    start = DateFieldYMD(label=_("Start"))
    end = DateFieldYMD(label=_("End"))
    departments = ModelMultipleChoiceField(
        queryset=Department.objects.filter(active=True),
        required=False,
        label=_("Departments"),
        help_text=_("Leave empty for every department."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    target_count = forms.IntegerField(label=_("Target (valid questionnaires)"), min_value=0, initial=2000)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=Channel.values,
    )


class DistributionForm(WordedEmptyChoice, forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("Department"))
    distributed_on = DateFieldYMD(label=_("Date"), initial=timezone.localdate)
    count = forms.IntegerField(label=_("Copies handed out"), min_value=1, max_value=100000)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class TokenIssueForm(WordedEmptyChoice, forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("Department"))
    count = forms.IntegerField(label=_("Number of single-use links"), min_value=1, max_value=500, initial=10)
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=30)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class FindingFromResponseForm(WordedEmptyChoice, forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.filter(active=True), label=_("Category"))
    description = forms.CharField(
        label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class PraiseMatchForm(WordedEmptyChoice, forms.Form):
    staff = forms.ModelChoiceField(queryset=Staff.objects.filter(active=True), label=_("Staff member"))
