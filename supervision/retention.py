"""Personal data retention (PIPL 个人信息保护法 art. 19: keep personal data no longer than needed).

``SiteConfig.retention_months`` (default 36) months after a case is over, the contact data of
its patient or complainant is anonymised in place — the case itself (its content, department,
dates, figures) stays, so every historical figure is unchanged:

* **complaints** closed (``closed_at``) or not accepted (``received_at``) before the cut-off:
  name masked by the one rule (``supervision.privacy.mask_name``: 张** ), phone, e-mail and the
  phone-derived repeat-complainant key blanked;
* **discharged stays** (``supervision.DischargeStay``) discharged before the cut-off with no
  follow-up task still open (pending / call-back): patient name masked, phone and alternative
  phone blanked; the stays' follow-up tasks lose their ``patient_key`` (name + phone).

The job is idempotent (a row already anonymised is not selected again, so a second run changes
nothing and reports 0), works in batches of ``BATCH`` rows each in its own transaction (a crash
loses nothing done so far and the next run finishes the rest), and records every run that
anonymised something (or failed) with how many rows as an ``ImportRun`` row of kind
``retention`` (admin: 导入记录); a run with nothing to do only logs, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import DischargeStay, ImportRun, SiteConfig
from .privacy import mask_name

log = logging.getLogger(__name__)

BATCH = 500
RUN_KIND = "retention"
# A name is "still readable" when its second character is not the mask: 张三 yes, 张* no.
UNMASKED_NAME = r"^.[^*]"


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.date
    complaints: int
    stays: int

    @property
    def total(self) -> int:
        return self.complaints + self.stays


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (31 March - 1 month = 28/29 February)."""
    return day - relativedelta(months=months)


def retention_cutoff(*, today: dt.date | None = None, months: int | None = None) -> dt.date:
    """Cases over before this day are anonymised."""
    today = today or timezone.localdate()
    months = SiteConfig.get().retention_months if months is None else months
    return months_before(today, months)


def _cutoff_moment(cutoff: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))


def _in_batches(qs, anonymise, done: list[int]) -> None:
    """Apply ``anonymise(ids)`` to the ids of ``qs`` BATCH at a time; each batch one transaction.

    ``done[0]`` counts the rows of the committed batches (still right when a later batch fails)."""
    while True:
        with transaction.atomic():
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                return
            count = anonymise(ids)
        done[0] += count


def complaints_due(cutoff: dt.date):
    """Closed / not-accepted complaints older than the cut-off that still hold contact data."""
    if not apps.is_installed("complaints"):
        return None
    from complaints.models import Complaint, ComplaintStatus

    moment = _cutoff_moment(cutoff)
    over = Q(status=ComplaintStatus.CLOSED, closed_at__lt=moment) | Q(
        status=ComplaintStatus.NOT_ACCEPTED, received_at__lt=moment
    )
    holds_data = (
        ~Q(complainant_phone="")
        | ~Q(complainant_email="")
        | ~Q(complainant_key="")
        | Q(complainant_name__regex=UNMASKED_NAME)
    )
    return Complaint.objects.filter(over).filter(holds_data)


def _anonymise_complaints(ids: list[int]) -> int:
    from complaints.models import Complaint

    rows = list(Complaint.objects.select_for_update().filter(pk__in=ids).only("pk", "complainant_name"))
    for row in rows:
        row.complainant_name = mask_name(row.complainant_name)
        row.complainant_phone = ""
        row.complainant_email = ""
        row.complainant_key = ""
    Complaint.objects.bulk_update(
        rows, ["complainant_name", "complainant_phone", "complainant_email", "complainant_key"]
    )
    return len(rows)


def stays_due(cutoff: dt.date):
    """Stays discharged before the cut-off, follow-up finished, that still hold contact data."""
    qs = DischargeStay.objects.filter(discharged_on__lt=cutoff).filter(
        ~Q(phone="") | ~Q(alt_phone="") | Q(patient_name__regex=UNMASKED_NAME)
    )
    if apps.is_installed("followups"):
        from followups.models import OPEN_TASK_STATUSES, FollowupTask

        open_tasks = FollowupTask.objects.filter(status__in=OPEN_TASK_STATUSES).values("stay_id")
        qs = qs.exclude(pk__in=open_tasks)
    return qs


def _anonymise_stays(ids: list[int]) -> int:
    rows = list(DischargeStay.objects.select_for_update().filter(pk__in=ids).only("pk", "patient_name"))
    for row in rows:
        row.patient_name = mask_name(row.patient_name)
        row.phone = ""
        row.alt_phone = ""
    DischargeStay.objects.bulk_update(rows, ["patient_name", "phone", "alt_phone"])
    if apps.is_installed("followups"):
        from followups.models import FollowupTask

        FollowupTask.objects.filter(stay_id__in=ids).exclude(patient_key="").update(patient_key="")
    return len(rows)


def _record(*, label: str, cutoff: dt.date, started_at, count: int, error: str = "") -> None:
    ImportRun.objects.create(
        kind=RUN_KIND,
        file_name=f"{label} < {cutoff:%Y-%m-%d}",
        started_at=started_at,
        finished_at=timezone.now(),
        succeeded=not error,
        total_rows=count,
        updated=count,
        error_count=1 if error else 0,
        errors=[{"row": 0, "column": "", "message": error}] if error else [],
    )


def personal_data_anonymise(*, today: dt.date | None = None, months: int | None = None) -> RetentionResult:
    """Anonymise the contact data of every case over for more than the retention period."""
    cutoff = retention_cutoff(today=today, months=months)
    counts = {}
    for label, due, anonymise in (
        ("complaints", complaints_due, _anonymise_complaints),
        ("discharge stays", stays_due, _anonymise_stays),
    ):
        started_at = timezone.now()
        qs = due(cutoff)
        if qs is None:
            counts[label] = 0
            continue
        done = [0]
        try:
            _in_batches(qs, anonymise, done)
        except Exception as exc:  # recorded, then raised: the batches already committed stay done
            _record(label=label, cutoff=cutoff, started_at=started_at, count=done[0], error=repr(exc)[:500])
            raise
        if done[0]:  # a run with nothing to do writes no row, so running twice changes nothing
            _record(label=label, cutoff=cutoff, started_at=started_at, count=done[0])
        counts[label] = done[0]
        log.info("retention: %s %s anonymised (before %s)", done[0], label, cutoff)
    return RetentionResult(cutoff=cutoff, complaints=counts["complaints"], stays=counts["discharge stays"])
