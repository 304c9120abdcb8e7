"""Forms of the complaints app: intake (staff and public), the public lookup and workflow actions."""

from __future__ import annotations

import datetime as dt
import re

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from supervision.forms import (
    DateFieldYMD,
    DateTimeField24,
    ModelMultipleChoiceField,
    MultipleUploadField,
    RectificationDeadlineField,
    StaffSelectMultiple,
    WordedEmptyChoice,
)
from supervision.infra.cleaning import clean_text
from supervision.infra.public import HoneypotMixin
from supervision.models import Category, Department, Role, Severity, Staff, User

from .models import (
    AnswerKind,
    AnswerMethod,
    AttachmentKind,
    ComplaintChannel,
    ContactRating,
    Determination,
    NotAcceptedReason,
    PauseKind,
    Satisfaction,
    VerdictAnswer,
)
from .services import MAX_CONTENT, OWNER_ROLES

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
PUBLIC_MAX = 2000


def _clean_phone(value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(_("Give a telephone number."))
        return ""
    if not PHONE_RE.match(value):
        raise ValidationError(_("Enter a telephone number of digits only, e.g. 13800138000."))
    return value


class _Helper:
    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class IntakeForm(WordedEmptyChoice, _Helper, forms.Form):
    """Staff intake: every channel."""

    channel = forms.ChoiceField(label=_("Channel"), choices=ComplaintChannel.choices)
    received_at = DateTimeField24(label=_("Received at"))
    department = forms.ModelChoiceField(
        label=_("Department concerned"), queryset=Department.objects.none(), required=False
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=64, required=False)
    complainant_phone = forms.CharField(label=_("Telephone"), max_length=20, required=False)
    complainant_email = forms.EmailField(label=_("E-mail"), required=False)
    content = forms.CharField(
        label=_("Complaint details"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 6})
    )
    referral_no = forms.CharField(
        label=_("12345 referral number"),
        max_length=40,
        required=False,
        help_text=_("Required for 12345 referrals."),
    )
    referral_due = DateFieldYMD(
        label=_("12345 due date"),
        required=False,
        help_text=_("The referral's own due date replaces the default time limit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self._helper()

    def clean_complainant_phone(self):
        return _clean_phone(self.cleaned_data.get("complainant_phone"), required=False)

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("The time of receipt cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == ComplaintChannel.CITIZEN_12345:
            if not (cleaned.get("referral_no") or "").strip():
                self.add_error("referral_no", _("A 12345 referral needs its referral number."))
        else:
            cleaned["referral_no"] = ""
            cleaned["referral_due"] = None
        if not clean_text(cleaned.get("content", "")) and "content" not in self.errors:
            self.add_error("content", _("Describe the complaint."))
        return cleaned


class PublicComplaintForm(WordedEmptyChoice, HoneypotMixin):
    """The hospital web page's form: no login, a honeypot, rate-limited by the view."""

    complainant_name = forms.CharField(label=_("Your name"), max_length=64, required=False)
    complainant_phone = forms.CharField(
        label=_("Your telephone number"),
        max_length=20,
        help_text=_("We call you back on this number; you also need it to look up the status."),
    )
    department = forms.ModelChoiceField(
        label=_("Department (if known)"), queryset=Department.objects.none(), required=False
    )
    content = forms.CharField(
        label=_("What happened?"),
        max_length=PUBLIC_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("At most 2000 characters."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_complainant_phone(self):
        return _clean_phone(self.cleaned_data.get("complainant_phone"), required=True)

    def clean_content(self):
        value = clean_text(self.cleaned_data.get("content", ""))
        if not value:
            raise ValidationError(_("Describe the complaint."))
        return value


class LookupForm(forms.Form):
    tracking_code = forms.CharField(label=_("Tracking number"), max_length=20)
    phone = forms.CharField(label=_("The telephone number you gave"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_tracking_code(self):
        # Accept what people type: lower case, spaces, with or without the dash.
        raw = re.sub(r"[^0-9A-Za-z]", "", self.cleaned_data["tracking_code"]).upper()
        return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else raw


# --- workflow actions -------------------------------------------------------------------------


class _ActionForm(WordedEmptyChoice, _Helper, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class CommentForm(_ActionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(_ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NotAcceptForm(_ActionForm):
    """Not accepted (不予受理): the reason from the list, and what the complainant was told."""

    reason = forms.ModelChoiceField(
        label=_("Reason for not accepting"), queryset=NotAcceptedReason.objects.none()
    )
    note = forms.CharField(
        label=_("Explanation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.ChoiceField(label=_("Complainant told how"), choices=AnswerMethod.choices)
    answered_at = DateTimeField24(label=_("Told at"))
    text = forms.CharField(
        label=_("What the complainant was told"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A complaint not accepted is answered with its reason within the same time limit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = NotAcceptedReason.objects.filter(active=True)
        self.fields["answered_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class PauseForm(_ActionForm):
    kind = forms.ChoiceField(label=_("Why the clock stops"), choices=BLANK_CHOICE_DASH + PauseKind.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The answer's due date moves on by the working days the clock stands still."),
    )


class HandoverForm(_ActionForm):
    to_user = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = (
            User.objects.filter(is_active=True, groups__name__in=OWNER_ROLES)
            .distinct()
            .order_by("full_name", "username")
        )


class AssignForm(_ActionForm):
    departments = ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("One or more: Ctrl-click (⌘ on a Mac) to add a department; on a tablet, tap each."),
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(active=True)


class ReplyForm(_ActionForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    reply = forms.CharField(
        label=_("Investigation reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            departments if departments is not None else Department.objects.none()
        )
        if departments is not None and len(departments) == 1:
            self.fields["department"].initial = departments[0].pk


class DetermineForm(_ActionForm):
    # A blank first choice: the figures count these answers, so none is pre-selected for a hurried click.
    determination = forms.ChoiceField(
        label=_("Determination"), choices=BLANK_CHOICE_DASH + Determination.choices
    )
    categories = ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Required for a valid or partly valid complaint; the first one is the finding's category."
        ),
    )
    department = forms.ModelChoiceField(
        label=_("Department to rectify"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_(
            "A valid or partly valid complaint issues a rectification order to this department, "
            "with the deadline below; leave empty for the department concerned."
        ),
    )
    # The staff the valid complaint is about, from the roster: named in its finding, they count on
    # each person's record as a valid complaint (issue 16 item 5).
    staff = ModelMultipleChoiceField(
        label=_("Staff involved"),
        queryset=Staff.objects.none(),
        required=False,
        widget=StaffSelectMultiple(attrs={"size": 5, "data-narrow-by": "id_determine-department"}),
        help_text=_("For a valid or partly valid complaint: the people it is about (from the roster)."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MODERATE)
    deadline = RectificationDeadlineField()
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        self.fields["staff"].queryset = Staff.objects.filter(active=True).select_related("department")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("determination") in ("valid", "partly_valid") and not cleaned.get("categories"):
            self.add_error("categories", _("A valid complaint needs at least one category."))
        return cleaned


class AnswerForm(_ActionForm):
    method = forms.ChoiceField(label=_("Answered how"), choices=AnswerMethod.choices)
    answered_at = DateTimeField24(label=_("Answered at"))
    text = forms.CharField(label=_("Answer given"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class CloseForm(_ActionForm):
    satisfaction = forms.ChoiceField(
        label=_("Complainant's satisfaction"), choices=BLANK_CHOICE_DASH + Satisfaction.choices
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class DisputeForm(_ActionForm):
    dispute = forms.BooleanField(label=_("Mediation / dispute"), required=False, initial=True)
    amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


INTAKE_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FOLLOWUP)


# --- verdicts, attachments, templates and letters (issue 25) ---------------------------------------


def _radio(label, choices):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)


class _VerdictQuestions(forms.Form):
    handled = _radio(_("Was your complaint handled?"), VerdictAnswer.choices)
    fair = _radio(_("Was the handling fair?"), VerdictAnswer.choices)
    contact = _radio(_("How was the contact with the hospital's staff?"), ContactRating.choices)


class VerdictForm(HoneypotMixin, _VerdictQuestions):
    """The public verdict form (no login): the three questions, a honeypot and a signed timestamp."""


class VerdictPhoneForm(_Helper, _VerdictQuestions):
    """The office enters the answers the complainant gave on the telephone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class AttachmentForm(_Helper, forms.Form):
    files = MultipleUploadField(label=_("Files"), required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["files"].help_text = _(
            "Letters and notes as PDF, photos as JPEG, PNG or WebP; photos are stored without their "
            "embedded data (location, camera)."
        )


class ReplyTemplateForm(_Helper, forms.Form):
    name = forms.CharField(label=pgettext_lazy("reply template", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=AnswerKind.choices)
    body = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 12}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class LetterForm(_Helper, forms.Form):
    body = forms.CharField(
        label=_("Text of the letter"), max_length=6000, widget=forms.Textarea(attrs={"rows": 16})
    )
    template = forms.IntegerField(required=False, widget=forms.HiddenInput)
    record_answer = forms.BooleanField(
        label=_("Record this letter as the answer to the complainant"), required=False
    )

    def __init__(self, *args, can_answer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        if not can_answer:
            del self.fields["record_answer"]
