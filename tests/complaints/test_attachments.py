"""Files on a complaint (issue 25 item 3): the findings' upload checks (type by content, size,
metadata stripped), and the departments see a file only once the office shares it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from complaints import services
from complaints.models import ComplaintAttachment
from supervision.infra.uploads import clean_upload

from .factories import assigned

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"SECRET-13800138000")
    return out.getvalue()


@pytest.fixture
def complaint(supervisor, neike):
    return assigned(supervisor=supervisor, departments=[neike], department=neike)


def add_url(c):
    return reverse("complaints:attachment_add", args=[c.pk])


def upload(client, c, name, data, kind="photo", note=""):
    f = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(add_url(c), {"file-files": [f], "file-kind": kind, "file-note": note})


def stored(complaint, **kw) -> ComplaintAttachment:
    clean = clean_upload(SimpleUploadedFile("letter.pdf", PDF))
    return services.complaint_attachment_add(
        complaint=complaint, actor=complaint.owner, upload=clean, kind="letter", **kw
    )


def test_a_photo_is_stored_without_its_metadata(client_for, supervisor, complaint):
    response = upload(client_for(supervisor), complaint, "IMG_1.jpg", jpeg_with_gps(), note="病房照片")
    assert response.status_code == 302
    attachment = ComplaintAttachment.objects.get()
    assert (attachment.kind, attachment.note, attachment.shared) == ("photo", "病房照片", False)
    with attachment.file.open("rb") as handle:
        data = handle.read()
    assert b"PhoneMaker" not in data and b"SECRET" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


@pytest.mark.parametrize(
    "name, data",
    [
        ("run.exe", b"MZ\x90\x00 not a picture"),
        ("note.txt", b"just text"),
        ("fake.jpg", b"\xff\xd8\xff broken"),
    ],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_stored(
    client_for, supervisor, complaint, name, data
):
    response = upload(client_for(supervisor), complaint, name, data)
    assert response.status_code == 400
    assert name in response.content.decode()  # the message names the file
    assert not ComplaintAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client_for, supervisor, complaint, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = upload(client_for(supervisor), complaint, "big.pdf", PDF + b"0" * 2048, kind="letter")
    assert response.status_code == 400 and "big.pdf" in response.content.decode()
    assert not ComplaintAttachment.objects.exists()


def test_a_letter_without_a_kind_keeps_the_form(client_for, supervisor, complaint):
    response = upload(client_for(supervisor), complaint, "letter.pdf", PDF, kind="")
    assert response.status_code == 400 and not ComplaintAttachment.objects.exists()


def test_the_department_sees_a_file_only_once_shared(client_for, supervisor, head_neike, complaint):
    attachment = stored(complaint, note="录音要点")
    detail = reverse("complaints:detail", args=[complaint.pk])
    head = client_for(head_neike)
    assert attachment.original_name not in head.get(detail).content.decode()
    assert head.get(attachment.get_absolute_url()).status_code == 404
    share = reverse("complaints:attachment_share", args=[attachment.pk])
    assert client_for(supervisor).post(share, {"shared": "1"}).status_code == 302
    head = client_for(head_neike)
    assert attachment.original_name in head.get(detail).content.decode()
    response = head.get(attachment.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # And hidden again.
    client_for(supervisor).post(share, {"shared": "0"})
    assert client_for(head_neike).get(attachment.get_absolute_url()).status_code == 404


def test_another_departments_head_never_sees_a_shared_file(client_for, head_waike, complaint):
    attachment = stored(complaint)
    services.complaint_attachment_share(attachment=attachment, actor=complaint.owner, shared=True)
    assert client_for(head_waike).get(attachment.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("persona", ["head_neike", "volunteer"])
def test_a_department_head_or_volunteer_cannot_add_files(persona, request, client_for, complaint):
    client = client_for(request.getfixturevalue(persona))
    assert upload(client, complaint, "letter.pdf", PDF, kind="letter").status_code == 403
    assert not ComplaintAttachment.objects.exists()


def test_only_the_office_shares(client_for, head_neike, caller, complaint):
    attachment = stored(complaint)
    share = reverse("complaints:attachment_share", args=[attachment.pk])
    for user in (head_neike, caller):
        assert client_for(user).post(share, {"shared": "1"}).status_code == 403
    attachment.refresh_from_db()
    assert not attachment.shared


def test_the_owner_who_took_the_complaint_adds_files_and_others_of_that_role_get_404(
    client_for, caller, supervisor, neike
):
    from .factories import make_complaint

    own = make_complaint(received_by=caller, department=neike)
    other = make_complaint(received_by=supervisor, department=neike)
    client = client_for(caller)
    assert upload(client, own, "letter.pdf", PDF, kind="letter").status_code == 302
    assert upload(client, other, "letter.pdf", PDF, kind="letter").status_code == 404
    assert ComplaintAttachment.objects.filter(complaint=own).count() == 1


def test_the_detail_page_query_count_does_not_grow_with_files(
    client_for, supervisor, complaint, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stored(complaint)
    client = client_for(supervisor)
    url = reverse("complaints:detail", args=[complaint.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        stored(complaint)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
