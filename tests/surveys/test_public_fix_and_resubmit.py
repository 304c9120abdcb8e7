"""Issue 15 item 18: a patient who fixes a missed question and sends the form again within 3 s is
not told "提交过快": the time check counts from when the form was first shown."""

from __future__ import annotations

import re
import time
from unittest import mock

from django.urls import reverse

from surveys.models import SurveyResponse


def _hidden(page, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.content.decode()).group(1)


def test_fixing_a_missed_question_and_resending_at_once_is_accepted(client, campaign, neike, fname):
    url = reverse("surveys:public_department", args=[campaign.public_key, neike.code])
    shown_at = time.time()
    first = client.get(url)
    data = {
        fname("e1"): "5",
        fname("text"): "护士很好",
        "form_token": _hidden(first, "form_token"),
        "website": "",
        "submission_id": _hidden(first, "submission_id"),
    }
    with mock.patch("django.core.signing.time.time", return_value=shown_at + 40):  # read and answered
        missed = client.post(url, data)
    assert missed.status_code == 200
    assert not SurveyResponse.objects.exists()
    again = dict(
        data, form_token=_hidden(missed, "form_token"), submission_id=_hidden(missed, "submission_id")
    )
    again[fname("a1")] = "4"  # the missed question, answered within a second
    with mock.patch("django.core.signing.time.time", return_value=shown_at + 41):
        sent = client.post(url, again)
    assert "过快" not in sent.content.decode()
    assert sent.status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_after_a_too_fast_refusal_the_wait_still_counts_from_the_first_showing(
    client, campaign, neike, fname
):
    url = reverse("surveys:public_department", args=[campaign.public_key, neike.code])
    shown_at = time.time()
    first = client.get(url)
    data = {fname("e1"): "5", "website": "", "submission_id": _hidden(first, "submission_id")}
    data["form_token"] = _hidden(first, "form_token")
    with mock.patch("django.core.signing.time.time", return_value=shown_at + 2):
        fast = client.post(url, data)
    assert "过快" in fast.content.decode()
    # The page shown again carries the first showing's time, not a new one: 1 s after the refusal,
    # 4 s after the form was first shown, a person is not told "too fast" a second time.
    assert _hidden(fast, "form_token") == data["form_token"]
    again = dict(data, form_token=_hidden(fast, "form_token"))
    again[fname("a1")] = "4"
    with mock.patch("django.core.signing.time.time", return_value=shown_at + 4):
        sent = client.post(url, again)
    assert sent.status_code == 302
    assert SurveyResponse.objects.count() == 1
