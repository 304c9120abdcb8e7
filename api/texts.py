"""Texts the API stores as a key + parameters and words when shown (``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message

from .models import WebhookEvent

WEBHOOK_GIVEN_UP = Message(
    "api.webhook_given_up",
    gettext_lazy("Webhook %(webhook)s: “%(event)s” not delivered after %(attempts)s attempts (%(answer)s)"),
    choices={"event": WebhookEvent},
)
