"""A report's history notes are stored as keys and worded for the reader; the migration converts
the notes stored worded before and keeps the others."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.utils import translation

from reports import services
from reports.models import ReportEvent

from .conftest import OCT


def _worded(event, language):
    with translation.override(language):
        return event.comment_text


def test_a_request_s_note_is_worded_in_chinese_and_english(db, administrator):
    with translation.override("en"):  # the requester's language does not decide what is stored
        report = services.report_request(
            kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", requested_by=administrator, enqueue=False
        )
    event = report.events.get(action="request")
    assert event.comment == "" and event.comment_key == "report.requested"
    assert _worded(event, "zh-hans") == "已申请"
    assert _worded(event, "en") == "Requested"


def test_the_migration_converts_known_notes_and_keeps_every_row(db, administrator):
    report = services.report_request(
        kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", requested_by=administrator, enqueue=False
    )
    ReportEvent.objects.all().delete()

    def event(comment):
        return ReportEvent.objects.create(
            report=report, action="request", to_status="queued", comment=comment
        )

    zh, en, other = event("已申请"), event("Requested again"), event("磁盘已满")
    importlib.import_module("reports.migrations.0008_stored_texts_to_keys").forwards(apps, None)
    assert ReportEvent.objects.count() == 3
    for row in (zh, en, other):
        row.refresh_from_db()
    assert _worded(zh, "en") == "Requested"
    assert _worded(en, "zh-hans") == "重新申请"
    assert other.comment_key == "" and _worded(other, "en") == "磁盘已满"


def test_a_report_title_runs_period_and_kind_together_in_chinese_and_apart_in_english(db):
    from reports.builders import build_content

    with translation.override("zh-hans"):
        assert (
            build_content(kind="monthly", start=OCT[0], end=OCT[1], with_data=False).title == "2026年10月月报"
        )
    with translation.override("en"):
        title = build_content(kind="monthly", start=OCT[0], end=OCT[1], with_data=False).title
    assert title.endswith(" Monthly report") and "2026" in title, title
