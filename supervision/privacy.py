"""Personal data: one masking rule everywhere, and a log of every reveal.

Phones show the first three and last four digits (138****1234); ID numbers the first three
and last four (110***********1234); names keep the surname (张**). Reveals of the full value
are written to RevealLog by :func:`contact_reveal`, in the same transaction as nothing else,
so a reveal is logged even if the page later fails.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from .infra.addresses import client_ip
from .infra.wording import Message
from .models import PersonRecordView, RevealLog


def mask_phone(value: str | None) -> str:
    digits = (value or "").strip()
    if not digits:
        return ""
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) <= 7:
        return "*" * len(text)
    return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"


def mask_name(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)


def contact_reveal(
    *, user, subject: Model, field: str, value: str, purpose: Message | None = None, request=None
) -> str:
    """Log that ``user`` saw the full ``field`` of ``subject`` and return the value.

    ``purpose`` is one of the channel's messages (``<app>/texts.py``): its key is stored and worded
    for whoever reads the log (``RevealLog.purpose_text``)."""
    RevealLog.objects.create(
        user=user,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_label=str(subject)[:200],
        field=field,
        purpose=purpose.key if purpose is not None else "",
        ip_address=client_ip(request),
    )
    return value


def person_record_log(*, user, kind: str, period: str, staff=None, request=None) -> PersonRecordView:
    """Log that ``user`` saw a person's performance record (``staff``, the year in ``period``) or
    the monthly per-person sheet (``staff`` None, the month): who, when, what, from which address.
    Written before the page is built, so a view is logged even if the page then fails."""
    return PersonRecordView.objects.create(
        user=user, staff=staff, kind=kind, period=period[:16], ip_address=client_ip(request)
    )
