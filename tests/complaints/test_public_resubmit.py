"""The public complaint form posted again (double tap, back button, resend) stores one complaint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint

PUBLIC = reverse("complaints:public_form")

pytestmark = pytest.mark.django_db


def _data(form_token, **kw):
    return {
        "complainant_name": "赵六",
        "complainant_phone": "13700001111",
        "content": "挂号窗口排队一小时",
        "website": "",
        "form_token": form_token,
        **kw,
    }


def test_the_same_submission_posted_three_times_is_one_complaint_with_the_same_confirmation(
    client, form_token
):
    pages = [client.post(PUBLIC, _data(form_token), follow=True) for _ in range(3)]
    complaint = Complaint.objects.get()
    assert all(complaint.tracking_code in p.content.decode() for p in pages)


def test_a_different_complaint_from_the_same_contact_is_stored(client, form_token):
    client.post(PUBLIC, _data(form_token))
    client.post(PUBLIC, _data(form_token, content="厕所没有纸"))
    assert Complaint.objects.count() == 2
