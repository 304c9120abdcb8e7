"""Retention of a complaint's texts and files: once the complaint is anonymised, neither its printed
letters (text and PDF), its attachments nor its history hold the complainant's name or phone."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import (
    Complaint,
    ComplaintAssignment,
    ComplaintAttachment,
    ComplaintLetter,
    ComplaintPause,
    ComplaintStatus,
    ComplaintTransition,
    OwnerChange,
)
from supervision import retention
from supervision.infra.uploads import clean_upload
from tests.complaints.factories import investigated

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
NAME, PHONE = "张三丰", "13800138000"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RELATED = (
    ComplaintLetter,
    ComplaintAttachment,
    ComplaintTransition,
    ComplaintAssignment,
    ComplaintPause,
    OwnerChange,
)


def _stored_texts(complaint: Complaint) -> str:
    """Every stored value of the complaint and of each row tied to it, as one text."""
    rows = list(Complaint.objects.filter(pk=complaint.pk).values())
    for model in RELATED:
        rows += list(model.objects.filter(complaint=complaint).values())
    return json.dumps(rows, default=str, ensure_ascii=False)


@pytest.fixture
def old_complaint(supervisor, neike, head_neike):
    c = investigated(
        supervisor=supervisor,
        department=neike,
        head=head_neike,
        complainant_name=NAME,
        complainant_phone=PHONE,
        content=f"我是{NAME}，电话 138-0013-8000，护士态度生硬",
    )
    letter = services.complaint_letter_create(
        complaint=c,
        actor=supervisor,
        body=f"{NAME}先生：您好！您的投诉已核实。如有疑问请回电 {PHONE} 联系您。",
        record_answer=True,
        base_url="https://ducha.example",
    )
    services.complaint_attachment_add(
        complaint=c,
        actor=supervisor,
        upload=clean_upload(SimpleUploadedFile(f"{NAME}的来信.pdf", PDF)),
        kind="letter",
        note=f"{NAME}寄来的信",
    )
    # Closed long ago (the determination and closing steps are not what this test is about).
    closed = timezone.make_aware(dt.datetime(2023, 1, 10, 10))
    Complaint.objects.filter(pk=c.pk).update(status=ComplaintStatus.CLOSED, closed_at=closed)
    assert NAME in letter.body and letter.pdf.storage.exists(letter.pdf.name)
    return Complaint.objects.get(pk=c.pk)


def test_an_anonymised_complaint_keeps_no_name_or_phone_in_any_text_or_file(old_complaint):
    letter = ComplaintLetter.objects.get(complaint=old_complaint)
    attachment = ComplaintAttachment.objects.get(complaint=old_complaint)
    files = [(letter.pdf.storage, letter.pdf.name), (attachment.file.storage, attachment.file.name)]
    assert NAME in _stored_texts(old_complaint) and PHONE in _stored_texts(old_complaint)

    assert retention.personal_data_anonymise(today=TODAY).counts["complaints"] == 1

    texts = _stored_texts(old_complaint)
    assert NAME not in texts and PHONE not in texts and "138-0013-8000" not in texts
    assert not any(storage.exists(name) for storage, name in files)
    letter.refresh_from_db()
    attachment.refresh_from_db()
    assert (letter.pdf.name, attachment.file.name) == ("", "")
    # The case's texts are kept, only the complainant's data goes.
    assert letter.body.startswith("张**先生：您好！您的投诉已核实。")
    old_complaint.refresh_from_db()
    assert old_complaint.content == "我是张**，电话 ，护士态度生硬"
    assert attachment.original_name == "张**的来信.pdf"


def test_a_second_run_deletes_nothing_more_and_a_file_left_behind_is_deleted_later(old_complaint):
    retention.personal_data_anonymise(today=TODAY)
    assert retention.personal_data_anonymise(today=TODAY).total == 0
    # A run that stopped after the fields were committed but with a file still stored (or a letter
    # printed after the case was anonymised): the complaint is due again and the file goes.
    letter = ComplaintLetter.objects.get(complaint=old_complaint)
    letter.pdf.save("late.pdf", SimpleUploadedFile("late.pdf", PDF), save=True)
    name = letter.pdf.name
    assert retention.personal_data_anonymise(today=TODAY).counts["complaints"] == 1
    letter.refresh_from_db()
    assert letter.pdf.name == "" and not letter.pdf.storage.exists(name)
    assert retention.personal_data_anonymise(today=TODAY).total == 0


def test_the_anonymised_complaints_page_says_the_files_were_deleted(client_for, supervisor, old_complaint):
    retention.personal_data_anonymise(today=TODAY)
    client = client_for(supervisor)
    page = client.get(old_complaint.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert NAME not in html, html[html.index(NAME) - 300 : html.index(NAME) + 100]
    assert "（超过保存期限，PDF 已删除）" in html and "（超过保存期限，文件已删除）" in html
    letter = ComplaintLetter.objects.get(complaint=old_complaint)
    attachment = ComplaintAttachment.objects.get(complaint=old_complaint)
    assert client.get(letter.get_absolute_url()).status_code == 404
    assert client.get(reverse("complaints:attachment", args=[attachment.pk])).status_code == 404
    # Nothing left to share with the departments: no share button for a deleted file.
    assert reverse("complaints:attachment_share", args=[attachment.pk]) not in html
