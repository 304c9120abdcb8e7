"""Forms of the core. Plain CRUD is a ModelForm; workflow actions are small forms whose
cleaned data is handed to a service."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BLANK_CHOICE_DASH
from django.forms.utils import to_current_timezone
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .infra.uploads import clean_upload
from .models import (
    AlertOutcome,
    Category,
    CauseCategory,
    CorrectiveAction,
    Department,
    EmailMode,
    Finding,
    FindingOrigin,
    PatientToldMethod,
    Staff,
    check_found_at,
)

# The empty choice of a select, worded (Django's own is "---------", which reads as nothing to a
# hospital user): "请选择" in a form, "全部" in a list's filter (the filters give ``empty_label``
# themselves, and django-filter's default is FILTERS_EMPTY_CHOICE_LABEL in the settings).
CHOOSE = _("Choose…")
DASHES = BLANK_CHOICE_DASH[0][1]


def word_empty_choices(fields, label=CHOOSE) -> None:
    """Give every single select of ``fields`` (a form's own copies) ``label`` as its empty choice in
    place of Django's dashes, through the fields' public attributes: a ``ModelChoiceField``'s
    ``empty_label``, a ``ChoiceField``'s ``choices``. An empty choice worded already (e.g. "All
    departments") and a select without one (``empty_label=None``) are left as they are."""
    for field in fields.values():
        if isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == DASHES for value, text in choices):
                field.choices = [(v, label if v == "" and t == DASHES else t) for v, t in choices]


class WordedEmptyChoice:
    """A form whose selects' empty choice reads "请选择" (``word_empty_choices``), not "---------".
    First among the bases, so that the fields exist when it words them; a subclass that sets a
    select's choices later in its own ``__init__`` words its empty choice itself (``CHOOSE``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        word_empty_choices(self.fields)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with ids beyond 64 bits answered as "not a valid choice".

    Django checks the submitted ids with ``pk__in``; on SQLite (the embedded default) the driver
    raises OverflowError for such an id, which would be a server error instead of a form error.
    """

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value or ():
                text = str(pk).strip()
                try:
                    number = int(text)
                except ValueError:
                    continue  # not a number at all ("²" is a digit to isdigit() but not to int()): Django's own check says so
                if abs(number) >= 2**63:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                    )
        return super()._check_values(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleUploadField(forms.FileField):
    """Several files in one input; each checked by content (see uploads.clean_upload)."""

    widget = MultipleFileInput

    def __init__(self, *args, allow_pdf=True, **kwargs):
        self.allow_pdf = allow_pdf
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        cleaned, errors = [], []
        for upload in files[:10]:
            try:
                cleaned.append(clean_upload(upload, allow_pdf=self.allow_pdf))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if len(files) > 10:
            errors.append(_("At most 10 files at a time."))
        if errors:
            raise ValidationError(errors)
        return cleaned


class TimeInput24(forms.TimeInput):
    """A time of day typed as HH:MM on a 24-hour clock, in every language. The browser's own
    ``<input type="time">`` follows the browser's locale: zh-CN Chromium shows 上午/下午 and English
    AM/PM, while a hospital writes its hours 08:00–20:00. The server parses it as any TimeField."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {
            "inputmode": "numeric",
            "pattern": r"([01]?[0-9]|2[0-3]):[0-5][0-9]",
            "placeholder": "08:00",
            "maxlength": "5",
            "autocomplete": "off",
            "class": "time-24",
            "title": _("A 24-hour time, e.g. 08:00 or 20:30"),
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%H:%M")


# A date typed year first, as Chinese writing and ISO 8601 both put it: 2026-12-07 (2026/12/07 and
# 2026.12.07 are read the same). Never month or day first, which is what made 12/07 ambiguous.
DATE_INPUT_FORMATS_YMD = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
TIME_INPUT_FORMATS_24 = ("%H:%M", "%H:%M:%S")


class DateInputYMD(forms.DateInput):
    """A date typed as text, year-month-day, in every language. ``<input type="date">`` (and
    ``datetime-local``) is drawn in the browser's own locale: en-US Chromium shows 12/07/2026."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {
            "inputmode": "numeric",
            "pattern": r"[0-9]{4}[\-\/.][0-9]{1,2}[\-\/.][0-9]{1,2}",
            "placeholder": _("YYYY-MM-DD"),
            "maxlength": "10",
            "autocomplete": "off",
            "class": "date-ymd",
            "title": _("A date as year-month-day, e.g. 2026-12-07"),
            # static/js/ducha.js adds a calendar button beside the text (the browser's own picker,
            # its choice written back year-month-day); this is its label for screen readers.
            "data-calendar": _("Choose the day on a calendar"),
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%Y-%m-%d")


class DateFieldYMD(forms.DateField):
    """The one field for a day staff type or see in a form (a deadline, a due date, a filter's
    period …): a text input year-month-day (``DateInputYMD``), read as year-month-day in every
    language (``DATE_INPUT_FORMATS_YMD``), never month-first as Django's English would read 12/07/2026.
    A refused value is shown again as typed, with the format asked for in the reader's language."""

    widget = DateInputYMD
    default_error_messages = {"invalid": _("Enter a date as year-month-day, e.g. 2026-12-07.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS_YMD)
        super().__init__(**kwargs)


def parse_date_ymd(raw: str | None):
    """A day sent by a hand-written GET form (a figures page's period), read as ``DateFieldYMD``
    reads it: None when empty, ValueError worded for the reader (their language) when not a day."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return DateFieldYMD().to_python(raw)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


class DateTime24Widget(forms.MultiWidget):
    """A moment as two inputs side by side: the date year-month-day and the time on a 24-hour clock.

    Replaces ``<input type="datetime-local">``, which Chromium draws in the browser's locale with an
    AM/PM time (上午/下午 in zh-CN) and, in English, a month-first date. On a form refused for another
    field, the two inputs show again exactly what was typed."""

    template_name = "supervision/widgets/datetime_24.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__(
            widgets=(
                DateInputYMD(attrs={"aria-label": _("Date (year-month-day)")}),
                TimeInput24(attrs={"aria-label": _("Time (24-hour clock)")}),
            ),
            attrs=attrs,
        )

    def decompress(self, value):
        if value:
            # The time the reader's clock shows, as the old single input did.
            value = to_current_timezone(value)
            return [value.date(), value.time().replace(second=0, microsecond=0)]
        return [None, None]


class DateTimeField24(forms.SplitDateTimeField):
    """The one field for a moment typed by staff (a finding's "found at", a complaint's "received at",
    a round's start, a call-back …): a date and a 24-hour time, read in the current time zone
    (the hospital's, ``TIME_ZONE``); a time that does not exist there or exists twice (a DST change)
    is refused with Django's message instead of being guessed."""

    widget = DateTime24Widget
    hidden_widget = forms.SplitHiddenDateTimeWidget
    default_error_messages = {
        "invalid_date": _("Enter a date as year-month-day, e.g. 2026-12-07."),
        "invalid_time": _("Enter a time on a 24-hour clock, e.g. 08:00 or 20:30."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_date_formats", DATE_INPUT_FORMATS_YMD)
        kwargs.setdefault("input_time_formats", TIME_INPUT_FORMATS_24)
        super().__init__(**kwargs)


class RectificationDeadlineField(DateFieldYMD):
    """The deadline of a rectification order: optional (then the configured default), never in the past."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Rectification deadline"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Leave empty for the default deadline."))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value < timezone.localdate():
            raise ValidationError(_("The deadline cannot be in the past."), code="past")


class InstructionsField(forms.CharField):
    """What the office asks the department to do: the same field wherever an order is issued."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Instructions to the department"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class StaffSelectMultiple(forms.SelectMultiple):
    """Staff options carry their department, so that ducha.js can list only the chosen department's
    people (``data-narrow-by``): a roster of hundreds is unusable on a volunteer's phone."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-department"] = str(instance.department_id or "")
        return option


class FindingForm(WordedEmptyChoice, forms.ModelForm):
    needs_rectification = forms.BooleanField(
        label=_("Issue a rectification order"), required=False, initial=True
    )
    deadline = RectificationDeadlineField()
    instructions = InstructionsField()
    # A supervisor's finding says where it was made (the select always sends one); a volunteer's does not.
    origin = forms.ChoiceField(
        label=_("Found during"), choices=FindingOrigin.choices, initial=FindingOrigin.ROUND, required=False
    )
    files = MultipleUploadField(
        label=_("Photos or PDF"),
        help_text=_("JPEG, PNG, WebP or PDF; photo location data is removed."),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
    )

    field_order = ["department", "category", "severity", "origin"]

    class Meta:
        model = Finding
        fields = [
            "department",
            "category",
            "severity",
            "found_at",
            "location",
            "description",
            "staff_involved",
        ]
        field_classes = {"found_at": DateTimeField24}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "staff_involved": StaffSelectMultiple(attrs={"size": 6, "data-narrow-by": "id_department"}),
        }

    def __init__(self, *args, can_order: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["staff_involved"].queryset = Staff.objects.filter(active=True).select_related(
            "department"
        )
        self.fields["staff_involved"].required = False
        # A listbox says nothing of choosing several (as the complaint assignment form does).
        self.fields["staff_involved"].help_text = _(
            "One or more: Ctrl-click (⌘ on a Mac) to add a person; on a tablet, tap each."
        )
        self.fields["found_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if not can_order:
            # Volunteers submit observations; the office decides whether an order follows.
            del self.fields["needs_rectification"]
            del self.fields["deadline"]
            del self.fields["instructions"]
            del self.fields["origin"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_found_at(self):
        found_at = self.cleaned_data["found_at"]
        if found_at is not None:
            check_found_at(found_at)
        return found_at


class _ActionForm(WordedEmptyChoice, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CommentForm(_ActionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubmitForm(_ActionForm):
    """The department's response: the root-cause analysis, then what was done.

    Starts filled with the order's analysis (a returned order's previous answer). With no corrective
    action on the order yet, the action taken is typed here (it becomes the order's one action, done);
    otherwise that field adds one more action done on the spot and may stay empty.
    """

    cause_categories = ModelMultipleChoiceField(
        label=_("Cause categories"),
        queryset=CauseCategory.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cause = forms.CharField(label=_("Cause"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    corrective_action = forms.CharField(
        label=_("Corrective action"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleUploadField(
        label=_("Evidence (photos or PDF)"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000)

    def __init__(self, *args, order=None, **kwargs):
        if order is not None:
            whys = list(order.why_chain or [])
            kwargs["initial"] = {
                "cause": order.cause,
                "cause_categories": [c.pk for c in order.cause_categories.all()],
                **{f"why_{i}": text for i, text in enumerate(whys[:WHY_STEPS], 1)},
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        # The why-chain, after the categories: "why?" asked up to five times, each optional.
        whys = {
            f"why_{i}": forms.CharField(
                label=_("Why? (%(step)s)") % {"step": i}, required=False, max_length=500
            )
            for i in range(1, WHY_STEPS + 1)
        }
        fields = list(self.fields.items())
        self.fields = {fields[0][0]: fields[0][1], **whys, **dict(fields[1:])}
        if order is not None and any(True for _a in order.actions.all()):
            field = self.fields["corrective_action"]
            field.required = False
            field.label = _("Another action done on the spot (optional)")

    def clean(self):
        data = super().clean()
        data["why_chain"] = [data.pop(f"why_{i}", "") for i in range(1, WHY_STEPS + 1)]
        return data


WHY_STEPS = 5


class VerifyForm(_ActionForm):
    check_due = DateFieldYMD(
        label=_("Effectiveness check on"),
        required=False,
        help_text=_(
            "The day the office checks that the fix held; the order is closed for good only then. "
            "Empty: the default for the category and severity."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_check_due(self):
        value = self.cleaned_data["check_due"]
        if value and value < timezone.localdate():
            raise ValidationError(_("The effectiveness check date cannot be in the past."), code="past")
        return value


class _RedoActionsForm(_ActionForm):
    """A step that sends an order back: ``redo`` picks its corrective actions that go back to "in
    progress" (the subclass labels the field); no field when the order has no actions."""

    redo = ModelMultipleChoiceField(
        label=_("Actions to redo"),
        queryset=CorrectiveAction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redo"] = self.fields.pop("redo")  # last, after the subclass's own fields
        if order is not None:
            self.fields["redo"].queryset = CorrectiveAction.objects.filter(order=order)
            # Labels from the page's prefetched actions, not one query per choice.
            self.fields["redo"].label_from_instance = lambda a: a.description
        if order is None or not any(True for _a in order.actions.all()):
            del self.fields["redo"]


class CheckIneffectiveForm(_RedoActionsForm):
    comment = forms.CharField(
        label=_("What shows the fix did not hold"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = RectificationDeadlineField(label=_("New rectification deadline"))
    redo = ModelMultipleChoiceField(
        label=_("Actions that did not hold"),
        help_text=_("They go back to “in progress”. None chosen: every action done goes back."),
        queryset=CorrectiveAction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReturnForm(_RedoActionsForm):
    reason = forms.CharField(
        label=_("Reason for returning"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanActionForm(_ActionForm):
    """One corrective action: what, who from the department's roster, by when."""

    description = forms.CharField(
        label=_("Corrective action"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("corrective action", "Owner"), queryset=Staff.objects.none()
    )
    due_date = DateFieldYMD(label=_("Due date"))

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["owner"].queryset = Staff.objects.filter(
                department_id=order.department_id, active=True
            )
            self.fields["due_date"].help_text = _("Up to the order's deadline, %(deadline)s.") % {
                "deadline": date_format(order.deadline, "DATE_FORMAT")
            }


class ActionCompleteForm(_ActionForm):
    result = forms.CharField(
        label=pgettext_lazy("corrective action", "What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = MultipleUploadField(
        label=_("Evidence (photos or PDF)"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class ActionEvidenceForm(_ActionForm):
    evidence = MultipleUploadField(
        label=_("Evidence (photos or PDF)"),
        required=True,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class ActionReopenForm(_ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OrderIssueForm(_ActionForm):
    deadline = RectificationDeadlineField()
    instructions = InstructionsField()


class DecideNoOrderForm(_ActionForm):
    reason = forms.CharField(
        label=_("Why no order is needed (the volunteer reads this)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionRequestForm(_ActionForm):
    requested_deadline = DateFieldYMD(label=_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(_ActionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(_ActionForm):
    file = forms.FileField(
        label=_("Excel or CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


# --- people (issue 16 item 5) and telling the patient (item 6) ---------------------------------------


class DisputeForm(_ActionForm):
    reason = forms.CharField(
        label=_("Why the person was not involved (the office reads this)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttributionDecisionForm(_ActionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PatientToldForm(_ActionForm):
    method = forms.ChoiceField(
        label=_("How the patient was told"), choices=BLANK_CHOICE_DASH + PatientToldMethod.choices
    )
    told_at = DateTimeField24(label=_("When"))
    note = forms.CharField(label=_("What they were told"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["told_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


# A month typed year first, as a day is: 2026-11 (2026/11 and 2026.11 are read the same).
MONTH_INPUT_FORMATS_YM = ("%Y-%m", "%Y/%m", "%Y.%m")


class MonthInputYM(forms.DateInput):
    """A month typed as text, year-month, in every language: ``<input type="month">`` is drawn in the
    browser's locale (“December 2026” in en-US Chromium, a text box in Firefox) as ``type="date"`` was."""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {
            "inputmode": "numeric",
            "pattern": r"[0-9]{4}[\-\/.][0-9]{1,2}",
            "placeholder": _("YYYY-MM"),
            "maxlength": "7",
            "autocomplete": "off",
            "class": "date-ym",
            "title": _("A month as year-month, e.g. 2026-11"),
            # static/js/ducha.js adds the calendar button, opening the browser's month picker when it
            # has one (data-calendar-kind); the label is the button's for screen readers.
            "data-calendar": _("Choose the month on a calendar"),
            "data-calendar-kind": "month",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%Y-%m")


class MonthField(forms.DateField):
    """The one field for a month staff type (a list's month, a month's plan, a monthly sheet):
    a text input year-month (``MonthInputYM``), read as the month's first day; a refused value is
    shown again as typed, with the format asked for in the reader's language."""

    widget = MonthInputYM
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-11.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_INPUT_FORMATS_YM)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


def parse_month_ym(raw: str | None):
    """A month sent by a link or a hand-written form, read as ``MonthField`` reads it: None when
    empty, ValueError worded for the reader (their language) when not a month."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return MonthField().to_python(raw)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


class SheetForm(forms.Form):
    month = MonthField(label=_("Month"), widget=MonthInputYM(attrs={"class": "form-control date-ym"}))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate().replace(day=1):
            raise ValidationError(_("The month cannot be in the future."))
        if month.year < 2000:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-11."))
        return month


# --- alerts on unhappy patients (issue 17) ----------------------------------------------------


class AlertStatusForm(forms.Form):
    """The alert list's status (its tabs' ``?status=``): empty is "not yet handled". A status that is
    not one (an old link, a hand-edited address) is refused — no alert listed, never every alert under
    no tab (supervision.infra.filtersets)."""

    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *statuses]


class AlertContactForm(_ActionForm):
    contact_note = forms.CharField(
        label=_("What the patient said"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AlertCloseForm(_ActionForm):
    action_taken = forms.CharField(
        label=pgettext_lazy("alert", "What was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("alert", "Outcome"), choices=AlertOutcome.choices, widget=forms.RadioSelect
    )


class NotificationPreferencesForm(_ActionForm):
    """How a person gets their notices by e-mail (each person chooses for themselves)."""

    email_mode = forms.ChoiceField(
        label=_("Notices by e-mail"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Whatever you choose, every notice is also on the notifications page."),
    )
