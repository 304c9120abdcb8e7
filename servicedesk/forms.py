"""Forms of the service desk. Fields are named after the services' arguments."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.access import id_param
from supervision.forms import DateFieldYMD, DateInputYMD, WordedEmptyChoice
from supervision.models import Department, Role, User

from .models import EntryKind, EscortMode, KnowledgeEntry, PatientResponse, ServiceKind, SlipKind


class EntryForm(WordedEmptyChoice, forms.Form):
    """The desk log's one form. The kind comes from the button pressed (``tap``): "consultation",
    or "service:<id>" for a small service — so a typical entry is two taps (a department, then the
    kind) or one (a wheelchair)."""

    centre = forms.ModelChoiceField(queryset=None, label=_("Service centre"), empty_label=None)
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(active=True), required=False, label=_("Department")
    )
    topic = forms.CharField(required=False, max_length=200, label=_("Topic"))
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("What happened")
    )
    # "From"/"To" alone are the period filters' 开始日期/结束日期 elsewhere: an escort's are places.
    escort_from = forms.CharField(required=False, max_length=64, label=pgettext_lazy("escort", "From"))
    escort_to = forms.CharField(required=False, max_length=64, label=pgettext_lazy("escort", "To"))
    escort_minutes = forms.IntegerField(required=False, min_value=1, max_value=600, label=_("Minutes"))
    escort_mode = forms.ChoiceField(required=False, choices=[("", "—"), *EscortMode.choices], label=_("How"))
    recovery_failed = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label=_("What failed")
    )
    recovery_done = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label=_("What was done")
    )
    recovery_cost = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=2, label=_("Cost (yuan)")
    )
    recovery_approved_by = forms.CharField(required=False, max_length=64, label=_("Approved by"))
    recovery_response = forms.ChoiceField(
        required=False, choices=[("", "—"), *PatientResponse.choices], label=_("Patient's response")
    )
    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    tap = forms.CharField(max_length=32, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        self.fields["client_token"].initial = uuid.uuid4()
        # Full-width Bootstrap controls: the page is used on a phone at the desk.
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        tap = data.get("tap") or self.data.get("tap", "")
        kind, _sep, service = str(tap).partition(":")
        data["kind"] = kind
        data["service_kind"] = None
        if kind not in EntryKind.values:
            raise forms.ValidationError(_("Choose what kind of work this was."))
        if kind == EntryKind.SERVICE:
            pk = id_param(service)  # "²" is a digit to isdigit() but no number to int()
            service_kind = ServiceKind.objects.filter(pk=pk, active=True).first() if pk else None
            if service_kind is None:
                raise forms.ValidationError(_("Choose the small service."))
            data["service_kind"] = service_kind
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("tap", None)
        for name in (
            "topic",
            "note",
            "escort_from",
            "escort_to",
            "escort_mode",
            "recovery_failed",
            "recovery_done",
            "recovery_approved_by",
            "recovery_response",
        ):
            data[name] = data.get(name) or ""
        return data


class KnowledgeForm(WordedEmptyChoice, forms.ModelForm):
    class Meta:
        model = KnowledgeEntry
        fields = [
            "kind",
            "title",
            "department",
            "body",
            "location",
            "hours",
            "specialties",
            "hospital",
            "keywords",
            "owner",
            "review_due",
            "active",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"review_due": DateFieldYMD}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_due"].required = False
        self.fields["review_due"].help_text = _("Empty: six months from today.")
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, groups__name__in=(Role.DESK, Role.SUPERVISOR, Role.ADMINISTRATOR)
        ).distinct()

    def _post_clean(self):
        # The service validates and saves (it also derives the search keys): skip the model's own.
        pass


class FlagForm(forms.Form):
    note = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label=_("What is wrong")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


class OpeningForm(forms.Form):
    opened_on = DateFieldYMD(label=_("Opened on"))
    witness = forms.CharField(required=False, max_length=64, label=_("Witness"))


class SlipForm(WordedEmptyChoice, forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *SlipKind.choices], required=False, label=_("Kind"))
    content = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Content")
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(active=True), required=False, label=_("Department")
    )
    praised_name = forms.CharField(required=False, max_length=64, label=_("Name praised"))
    writer = forms.CharField(required=False, max_length=64, label=_("Written by"))
    writer_phone = forms.CharField(required=False, max_length=20, label=_("Phone"))

    def has_changed(self):
        return bool(
            self.data.get(self.add_prefix("content"), "").strip() or self.data.get(self.add_prefix("kind"))
        )


def slip_formset(rows: int = 10):
    """The batch form of an opening: ``rows`` blank slips (blank ones are skipped)."""
    return forms.formset_factory(SlipForm, extra=max(1, min(rows, 200)), max_num=200, validate_max=True)


class WorkPeriodForm(forms.Form):
    """The period of the work pages (dates inclusive); empty: this month so far."""

    MAX_DAYS = 800  # about two years and two months: a year beside the last, never a whole table

    start = DateFieldYMD(
        label=_("From"), required=False, widget=DateInputYMD(attrs={"class": "form-control date-ymd"})
    )
    end = DateFieldYMD(
        label=_("To"), required=False, widget=DateInputYMD(attrs={"class": "form-control date-ymd"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if start and end and (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(days)s days.") % {"days": self.MAX_DAYS}
            )
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period, or this month so far when the form is empty or refused."""
        start, end = today.replace(day=1), today
        if self.is_bound and self.is_valid():
            start = self.cleaned_data.get("start") or start
            end = self.cleaned_data.get("end") or max(end, start)
            if end < start:
                start = end.replace(day=1)
        return start, end


class EntryFilterForm(WorkPeriodForm):
    """The log entries behind a count of the work pages: a kind, one person's (carried in the count's
    link), a period. A value that is not one is refused — no entries listed, never every entry as if
    they were those (supervision.infra.filtersets)."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EntryKind.choices]
    )
    person = forms.IntegerField(label=_("Recorded by"), required=False, min_value=1, widget=forms.HiddenInput)
