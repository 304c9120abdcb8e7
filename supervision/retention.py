"""Personal data retention (PIPL 个人信息保护法 art. 19: keep personal data no longer than needed).

``SiteConfig.retention_months`` (default 36) months after a case is over, the contact data of
its patient or complainant is anonymised in place — the case itself (its content, department,
dates, figures) stays, so every historical figure is unchanged. What is anonymised, and when, is
declared as rules: the core's own (``CORE_RULES``) and each channel's in its contract
(``supervision.channels.RetentionRule`` / ``RetentionLink``); this module imports no channel.
Today they are:

* **complaints** (the complaints channel's rule) closed (``closed_at``) or not accepted (``received_at``) before the cut-off:
  name masked by the one rule (``supervision.privacy.mask_name``: 张** ), phone, e-mail and the
  phone-derived repeat-complainant key blanked; the complaint's texts (content, answer, history,
  letters as printed, the departments' replies) scrubbed of that name and phone, and its stored
  files (the letters' PDFs, the attachments) deleted through the storage (the rule's links);
* **discharged stays** (``supervision.DischargeStay``) discharged before the cut-off with no
  follow-up task still open (pending / call-back, the follow-up channel's link): patient name
  masked, phone, alternative phone and postal address blanked; the stays' follow-up tasks lose their
  ``patient_key`` (name + phone);
* **alerts on unhappy patients** (``supervision.Alert``, the core's links): an alert with a patient
  holds the stay open while its service recovery is not closed, and loses its free text (what the
  patient said, what was said on the contact, what was done — and the same words in its history's
  comments) with the stay's contact data, the age of the call records; an alert without a patient
  (an anonymous questionnaire) loses it once closed before the cut-off.

The job is idempotent (a row already anonymised is not selected again, so a second run changes
nothing and reports 0), works in batches of ``BATCH`` rows each in its own transaction (a crash
loses nothing done so far and the next run finishes the rest), and records every run that
anonymised something (or failed) with how many rows as an ``ImportRun`` row of kind
``retention`` (admin: 导入记录); a run with nothing to do only logs, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import DateTimeField, Q
from django.utils import timezone

from .channels import RetentionLink, RetentionRule, channels
from .models import AlertStatus, ImportRun, SiteConfig
from .privacy import mask_name

log = logging.getLogger(__name__)

BATCH = 500
RUN_KIND = "retention"
# A name is "still readable" when its second character is not the mask: 张三 yes, 张* no.
UNMASKED_NAME = r"^.[^*]"


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.date
    counts: dict[str, int]  # rows anonymised, by rule key

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# An alert's free text: the patient's words, the contact, what was done (issue 17 item 6).
ALERT_TEXT = ("note", "contact_note", "action_taken")
_ALERT_OPEN = (AlertStatus.OPEN, AlertStatus.CONTACTED)

# The core's own rules; the channels' rules and links come from their contracts.
CORE_RULES = (
    RetentionRule(
        key="discharge stays",
        model="supervision.DischargeStay",
        over=((Q(), "discharged_on"),),
        mask=("patient_name",),
        blank=("phone", "alt_phone", "address"),
    ),
    RetentionRule(
        key="alerts without a patient",
        model="supervision.Alert",
        over=((Q(stay__isnull=True, status=AlertStatus.CLOSED), "closed_at"),),
        blank=ALERT_TEXT,
    ),
)


# The core's rows tied to a rule: an alert's recovery keeps its patient's contact data (someone
# must call them), and its text goes with the stay's, as the call records' contact data does.
# The history repeats the contact note and what was done as comments: they go with the alert.
CORE_LINKS = (
    RetentionLink(
        rule="discharge stays",
        model="supervision.Alert",
        field="stay",
        open=Q(status__in=_ALERT_OPEN),
        blank=ALERT_TEXT,
    ),
    RetentionLink(
        rule="discharge stays",
        model="supervision.AlertTransition",
        field="alert__stay",
        open=Q(alert__status__in=_ALERT_OPEN),
        blank=("comment",),
    ),
    RetentionLink(
        rule="alerts without a patient",
        model="supervision.AlertTransition",
        field="alert",
        open=Q(alert__status__in=_ALERT_OPEN),
        blank=("comment",),
    ),
)


def _rules() -> tuple[list[RetentionRule], dict[str, list[RetentionLink]]]:
    rules = list(CORE_RULES)
    links: dict[str, list[RetentionLink]] = {}
    for item in CORE_LINKS:
        links.setdefault(item.rule, []).append(item)
    for channel in channels():
        for item in channel.retention:
            if isinstance(item, RetentionLink):
                links.setdefault(item.rule, []).append(item)
            else:
                rules.append(item)
    unknown = set(links) - {rule.key for rule in rules}
    if unknown:
        raise ImproperlyConfigured(f"retention links to unknown rules: {', '.join(sorted(unknown))}")
    return rules, links


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


def _age_field(model, path: str):
    """The model field an age path names; a path may follow foreign keys (``opening__opened_on``:
    a suggestion slip is as old as the box opening it was found in)."""
    *links, name = path.split("__")
    for link in links:
        model = model._meta.get_field(link).related_model
    return model._meta.get_field(name)


def rule_due(rule: RetentionRule, links: list[RetentionLink], cutoff: dt.date):
    """The rows of ``rule`` over before the cut-off, none of their linked rows open, that still
    hold personal data."""
    model = apps.get_model(rule.model)
    moment = _cutoff_moment(cutoff)
    over = Q(pk__in=[])
    for condition, age_field in rule.over:
        limit = moment if isinstance(_age_field(model, age_field), DateTimeField) else cutoff
        over |= condition & Q(**{f"{age_field}__lt": limit})
    holds_data = Q(pk__in=[])
    for name in rule.blank:
        holds_data |= ~Q(**{name: ""})
    for name in rule.mask:
        holds_data |= Q(**{f"{name}__regex": UNMASKED_NAME})
    for link in links:
        # A linked row still holding a stored file (a run stopped between the files and the
        # fields, or a letter printed after the case was anonymised) makes its row due again.
        holds_file = Q(pk__in=[])
        for name in link.files:
            holds_file |= ~Q(**{name: ""})
        if link.files:
            linked = apps.get_model(link.model).objects.filter(holds_file)
            holds_data |= Q(pk__in=linked.values(link.field))
    qs = model.objects.filter(over).filter(holds_data)
    for link in links:
        if link.open is None:
            continue
        linked = apps.get_model(link.model).objects.filter(link.open)
        qs = qs.exclude(pk__in=linked.values(link.field))
    return qs


def _replacements(row, rule: RetentionRule) -> list[tuple[re.Pattern, str]]:
    """What ``scrub`` replaces in a row's texts: each personal value as it is stored (its name by its
    mask, anything blanked by nothing), longest first; a phone also when its digits are written
    with spaces or dashes between them (138-0013-8000)."""
    pairs = [(getattr(row, name), mask_name(getattr(row, name))) for name in rule.mask]
    pairs += [(getattr(row, name), "") for name in rule.blank]
    out = []
    for value, replacement in sorted(pairs, key=lambda pair: -len(pair[0] or "")):
        value = (value or "").strip()
        if len(value) < 2 or value == replacement:
            continue
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7 and len(digits) >= len(value) - 3:
            pattern = r"(?<!\d)" + r"[\s-]?".join(digits) + r"(?!\d)"
        else:
            pattern = re.escape(value)
        out.append((re.compile(pattern, re.IGNORECASE), replacement))
    return out


def _scrubbed(value, replacements):
    """``value`` (a text, or JSON: lists and dicts of texts) with the personal values replaced."""
    if isinstance(value, str):
        for pattern, replacement in replacements:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_scrubbed(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, replacements) for key, item in value.items()}
    return value


def _scrub_rows(rows, fields, replacements_of) -> list:
    """Scrub ``fields`` of ``rows`` (``replacements_of(row)``); the rows that changed."""
    changed = []
    for row in rows:
        replacements = replacements_of(row)
        before = [getattr(row, name) for name in fields]
        after = [_scrubbed(value, replacements) for value in before]
        if after != before:
            for name, value in zip(fields, after, strict=True):
                setattr(row, name, value)
            changed.append(row)
    return changed


def _delete_files(rows, fields) -> None:
    """Delete the stored files of ``fields`` through their storage and empty the fields. Done before
    the batch's transaction commits: if the commit fails, the rows are due again and deleting a file
    already gone is no error, so the next run finishes."""
    for row in rows:
        for name in fields:
            stored = getattr(row, name)
            if stored.name:
                stored.storage.delete(stored.name)
                setattr(row, name, "")


def _clean_linked(link: RetentionLink, linked, replacements: dict) -> None:
    """Delete the linked rows' files and scrub their texts of their case's personal values."""
    model = apps.get_model(link.model)
    attname = model._meta.get_field(link.field).attname
    rows = list(linked.select_for_update().only("pk", attname, *link.scrub, *link.files))
    _delete_files(rows, link.files)
    _scrub_rows(rows, link.scrub, lambda row: replacements[getattr(row, attname)])
    if rows:
        model.objects.bulk_update(rows, [*link.scrub, *link.files])


def _anonymise(rule: RetentionRule, links: list[RetentionLink], ids: list[int]) -> int:
    """Anonymise the rows ``ids`` of ``rule`` and blank their linked rows' fields."""
    model = apps.get_model(rule.model)
    rows = list(
        model.objects.select_for_update().filter(pk__in=ids).only("pk", *rule.mask, *rule.blank, *rule.scrub)
    )
    # The values to scrub from every text of the case, read before the row is anonymised.
    replacements = {row.pk: _replacements(row, rule) for row in rows}
    _scrub_rows(rows, rule.scrub, lambda row: replacements[row.pk])
    for row in rows:
        for name in rule.mask:
            setattr(row, name, mask_name(getattr(row, name)))
        for name in rule.blank:
            setattr(row, name, "")
    model.objects.bulk_update(rows, [*rule.mask, *rule.blank, *rule.scrub])
    for link in links:
        linked = apps.get_model(link.model).objects.filter(**{f"{link.field}__in": ids})
        for name in link.blank:
            linked.exclude(**{name: ""}).update(**{name: ""})
        if link.scrub or link.files:
            _clean_linked(link, linked, replacements)
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
    rules, links = _rules()
    counts = {}
    for rule in rules:
        started_at = timezone.now()
        rule_links = links.get(rule.key, [])
        qs = rule_due(rule, rule_links, cutoff)
        done = [0]
        try:
            _in_batches(
                qs, lambda ids, rule=rule, rule_links=rule_links: _anonymise(rule, rule_links, ids), done
            )
        except Exception as exc:  # recorded, then raised: the batches already committed stay done
            _record(
                label=rule.key, cutoff=cutoff, started_at=started_at, count=done[0], error=repr(exc)[:500]
            )
            raise
        if done[0]:  # a run with nothing to do writes no row, so running twice changes nothing
            _record(label=rule.key, cutoff=cutoff, started_at=started_at, count=done[0])
        counts[rule.key] = done[0]
        log.info("retention: %s %s anonymised (before %s)", done[0], rule.key, cutoff)
    return RetentionResult(cutoff=cutoff, counts=counts)
