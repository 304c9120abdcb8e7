"""The login lock-out's two limits, given to django-axes through its public settings.

Failures are counted for the username at the client's address and for the address across all
usernames (``AXES_LOCKOUT_PARAMETERS``), so one client trying password after password on many
accounts is stopped too, not only one trying many passwords on one account. axes compares the
larger of the two counts with one number (``AXES_FAILURE_LIMIT``); :func:`failure_limit` makes
that number the per-username limit once the username's own count has reached it, and the
(higher) per-address limit otherwise, so a ward computer shared by several nurses is not locked
by a few typing slips of different people.

A successful log-in clears that username's failures at the address only, as before: otherwise
anyone with an account could wipe the address's count, and another user's lock, by logging in.
"""

from __future__ import annotations

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .addresses import client_ip

USERNAME_AT_ADDRESS = ["username", "ip_address"]


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    # Django's login() sets request.user before sending user_logged_in, on which axes resets
    # the counts it selects with these parameters: a success selects only its own pair.
    user = getattr(request_or_attempt, "user", None)
    if user is not None and user.is_authenticated:
        return [USERNAME_AT_ADDRESS]
    return [USERNAME_AT_ADDRESS, "ip_address"]


def failure_limit(request, credentials=None) -> int:
    per_username = settings.LOGIN_FAILURE_LIMIT
    per_address = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if request is None:
        return per_username
    failures = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=client_ip(request),
            attempt_time__gte=timezone.now() - get_cool_off(request),
        ).aggregate(n=Sum("failures_since_start"))["n"]
        or 0
    )
    return per_username if failures >= per_username else max(per_address, per_username)
