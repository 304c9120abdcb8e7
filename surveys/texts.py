"""Texts surveys stores as a key + parameters and words when shown (see ``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message

# The history note of a campaign the schedule closed.
PERIOD_ENDED = Message("campaign.period_ended", gettext_lazy("The campaign's period ended."))
