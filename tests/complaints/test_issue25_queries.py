"""The pages of verdicts, files and letters (issue 25 items 2-4) run a number of queries that does
not grow with the rows around them: measured with few rows, asserted with more."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import services
from supervision.infra.uploads import clean_upload

from .factories import answered

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_file(complaint, actor, shared=False):
    upload = clean_upload(SimpleUploadedFile("letter.pdf", PDF))
    attachment = services.complaint_attachment_add(
        complaint=complaint, actor=actor, upload=upload, kind="letter"
    )
    if shared:
        services.complaint_attachment_share(attachment=attachment, actor=actor, shared=True)
    return attachment


def more_rows(complaint, supervisor, neike, head_neike):
    """Rows of every kind these pages could read: files, letters, templates, other complaints' links."""
    for i in range(3):
        add_file(complaint, supervisor, shared=True)
        services.complaint_letter_create(complaint=complaint, actor=supervisor, body=f"第{i}封")
        services.reply_template_save(actor=supervisor, name=f"模板{i}", kind="general", body="{name}")
        other = answered(supervisor=supervisor, department=neike, head=head_neike)
        services.verdict_link_issue(complaint=other, actor=supervisor)


@pytest.fixture
def world(supervisor, neike, head_neike):
    complaint = answered(supervisor=supervisor, department=neike, head=head_neike)
    attachment = add_file(complaint, supervisor, shared=True)
    letter = services.complaint_letter_create(complaint=complaint, actor=supervisor, body="您好")
    template = services.reply_template_save(actor=supervisor, name="模板", kind="general", body="{name}")
    return {"complaint": complaint, "attachment": attachment, "letter": letter, "template": template}


def _requests(world):
    c = world["complaint"]
    return {
        "file": ("get", "head_neike", reverse("complaints:attachment", args=[world["attachment"].pk]), {}),
        "share": (
            "post",
            "supervisor",
            reverse("complaints:attachment_share", args=[world["attachment"].pk]),
            {"shared": "1"},
        ),
        "letter_pdf": ("get", "supervisor", reverse("complaints:letter_pdf", args=[world["letter"].pk]), {}),
        "template_edit": (
            "get",
            "supervisor",
            reverse("complaints:template_edit", args=[world["template"].pk]),
            {},
        ),
        "verdict_link": ("post", "supervisor", reverse("complaints:verdict_link", args=[c.pk]), {}),
        "verdict_phone_refused": (
            "post",
            "administrator",
            reverse("complaints:verdict_phone", args=[c.pk]),
            {},
        ),
    }


@pytest.mark.parametrize(
    "page", ["file", "share", "letter_pdf", "template_edit", "verdict_link", "verdict_phone_refused"]
)
def test_the_query_count_does_not_grow_with_rows(
    page, request, world, client_for, supervisor, neike, head_neike, django_assert_max_num_queries
):
    method, persona, url, data = _requests(world)[page]
    client = client_for(request.getfixturevalue(persona))
    with CaptureQueriesContext(connection) as few:
        response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)
    more_rows(world["complaint"], supervisor, neike, head_neike)
    client = client_for(request.getfixturevalue(persona))
    with django_assert_max_num_queries(len(few)):
        getattr(client, method)(url, data)


def test_the_public_verdict_page_reads_a_constant_number_of_rows(
    client, world, supervisor, neike, head_neike, django_assert_max_num_queries
):
    _link, token = services.verdict_link_issue(complaint=world["complaint"], actor=supervisor)
    url = reverse("complaints:verdict_public", args=[token])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more_rows(world["complaint"], supervisor, neike, head_neike)
    # The letters just written carry a newer link (the old one is replaced): read through that one.
    _link, token = services.verdict_link_issue(complaint=world["complaint"], actor=supervisor)
    url = reverse("complaints:verdict_public", args=[token])
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
