"""Public (no-login) forms: bot resistance and rate limiting shared by surveys and complaints.

Bots are kept out by a honeypot field that people never see and by a signed timestamp: a
form posted less than ``MIN_SECONDS`` after it was served, or more than a day later, is
refused. Rate limits use django-ratelimit on the shared cache (Redis in production).
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_SECONDS = 3
MAX_AGE = 24 * 3600
SALT = "ducha.public-form"


class HoneypotMixin(forms.Form):
    """Add to a public form. Renders two hidden inputs (see _honeypot.html)."""

    website = forms.CharField(required=False, label=_("Leave this empty"))
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = signing.TimestampSigner(salt=SALT).sign("1")
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("The form could not be accepted. Please try again."), code="bot")
        token = cleaned.get("form_token") or ""
        signer = signing.TimestampSigner(salt=SALT)
        try:
            signer.unsign(token, max_age=MAX_AGE)
        except signing.SignatureExpired:
            raise ValidationError(
                _("The form was open too long; please submit it again."), code="expired"
            ) from None
        except signing.BadSignature:
            raise ValidationError(
                _("The form could not be accepted. Please try again."), code="bot"
            ) from None
        try:
            signer.unsign(token, max_age=MIN_SECONDS)
        except signing.SignatureExpired:
            pass  # older than MIN_SECONDS: a person had time to read it
        else:
            raise ValidationError(
                _("That was too fast; please check your answers and submit again."), code="fast"
            )
        return cleaned
