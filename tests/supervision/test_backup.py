"""Backup and restore round trip: data and photos come back exactly."""

import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from supervision.infra.uploads import clean_upload
from supervision.models import Attachment, Finding, RectificationOrder
from tests.factories import make_finding
from tests.supervision.test_views_and_scoping import _png


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_brings_back_findings_orders_and_photos(tmp_path, neike, supervisor):
    finding = make_finding(
        department=neike,
        found_by=supervisor,
        attachments=[clean_upload(SimpleUploadedFile("p.png", _png(), content_type="image/png"))],
    )
    photo = Attachment.objects.get().file.read()
    call_command("backup", str(tmp_path / "b"))

    Finding.objects.all().delete()
    shutil.rmtree(tmp_path / "media")
    assert not RectificationOrder.objects.exists()

    call_command("restore", str(tmp_path / "b"), "--yes")
    restored = Finding.objects.get()
    assert restored.number == finding.number
    assert restored.order.number == finding.order.number
    assert Attachment.objects.get().file.read() == photo


def test_restore_refuses_without_confirmation(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_puts_photos_into_a_media_root_of_any_name(tmp_path, neike, supervisor, settings):
    make_finding(
        department=neike,
        found_by=supervisor,
        attachments=[clean_upload(SimpleUploadedFile("p.png", _png(), content_type="image/png"))],
    )
    name = Attachment.objects.get().file.name
    photo = Attachment.objects.get().file.read()
    call_command("backup", str(tmp_path / "b"))

    settings.MEDIA_ROOT = str(tmp_path / "uploads")  # e.g. a mounted volume
    call_command("restore", str(tmp_path / "b"), "--yes")
    assert (tmp_path / "uploads" / name).read_bytes() == photo
    assert not (tmp_path / "media" / "media").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manifest_counts_every_table_of_the_project(tmp_path, db):
    call_command("backup", str(tmp_path / "b"))
    import json

    counts = json.loads((tmp_path / "b" / "manifest.json").read_text())["counts"]
    assert {
        "supervision.Finding",
        "followups.CallAttempt",
        "complaints.Complaint",
        "surveys.SurveyResponse",
    } <= set(counts)
