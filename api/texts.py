"""Texts the API stores as a key + parameters and words when shown (``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message

from .models import WebhookEvent

WEBHOOK_GIVEN_UP = Message(
    "api.webhook_given_up",
    gettext_lazy("Webhook %(webhook)s: “%(event)s” not delivered after %(attempts)s attempts (%(answer)s)"),
    choices={"event": WebhookEvent},
)

# Why the nightly HIS pull read nothing (its ImportRun's error), worded when shown; the driver's
# own reason stays a parameter as it was given.
HIS_NO_DRIVER = Message("his.no_driver", gettext_lazy("The MySQL/MariaDB driver (PyMySQL) is not installed."))
HIS_BAD_SCHEME = Message(
    "his.bad_scheme",
    gettext_lazy("HIS_DATABASE_URL has the scheme “%(scheme)s”; use postgresql, mysql or sqlite."),
)
HIS_NO_DATABASE = Message(
    "his.no_database", gettext_lazy("No HIS database is configured (HIS_DATABASE_URL).")
)
HIS_NO_QUERY = Message("his.no_query", gettext_lazy("No HIS query is configured (admin: HIS pull)."))
HIS_UNREACHABLE = Message("his.unreachable", gettext_lazy("The HIS database cannot be reached: %(reason)s"))
HIS_QUERY_FAILED = Message("his.query_failed", gettext_lazy("The HIS query failed: %(reason)s"))
