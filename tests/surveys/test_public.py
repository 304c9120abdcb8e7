"""The public web questionnaire: links, single-use tokens, honeypot, rate limit, no double submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import CampaignStatus, Channel, SurveyResponse


@pytest.fixture
def url(campaign, neike):
    return reverse("surveys:public_department", args=[campaign.public_key, neike.code])


@pytest.fixture
def good(fname, aged_form_token):
    def build(**extra):
        data = {
            fname("e1"): "5",
            fname("a1"): "4",
            fname("text"): "护士很好",
            "form_token": aged_form_token,
            "website": "",
            "submission_id": "abc123",
        }
        data.update(extra)
        return data

    return build


def test_department_link_shows_the_form_without_login(client, url, campaign):
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert campaign.questionnaire.title in body and "非常满意" in body and "内科" in body
    assert 'name="website"' in body  # honeypot present


def test_valid_submission_is_stored_as_web_and_thanks_page_follows(client, url, good, neike):
    page = client.post(url, good(), follow=True)
    assert page.redirect_chain[-1][0] == reverse("surveys:public_thanks")
    assert "感谢您的参与" in page.content.decode()
    r = SurveyResponse.objects.get()
    assert (r.channel, r.department, r.is_valid, r.has_comment) == (Channel.WEB, neike, True, True)


def test_double_click_with_the_same_key_stores_one_response(client, url, good):
    client.post(url, good())
    second = client.post(url, good())
    assert second.status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_honeypot_filled_is_refused_and_nothing_stored(client, url, good):
    page = client.post(url, good(website="http://spam"))
    assert page.status_code == 200
    assert 'class="alert alert-danger"' in page.content.decode()  # the core's honeypot message
    assert not SurveyResponse.objects.exists()


def test_form_sent_too_fast_is_refused(client, url, good):
    from django.core import signing

    from supervision.infra.public import SALT

    page = client.post(url, good(form_token=signing.TimestampSigner(salt=SALT).sign("1")))
    assert not SurveyResponse.objects.exists()
    assert page.status_code == 200 and 'class="alert alert-danger"' in page.content.decode()


def test_missing_required_answer_keeps_what_was_typed(client, url, good, fname):
    data = good()
    del data[fname("a1")]
    page = client.post(url, data)
    body = page.content.decode()
    assert page.status_code == 200
    assert "此题为必答题" in body
    assert "还有题目未作答，已在下方标红。" in body  # said at the top, where the reloaded page opens
    assert "护士很好" in body  # the comment is still there
    assert 'value="5" class="btn-check" autocomplete="off" id' in body and "checked" in body
    assert not SurveyResponse.objects.exists()


def test_oversized_text_gets_a_clear_message(client, url, good, fname):
    page = client.post(url, good(**{fname("text"): "长" * 600}))
    assert "500" in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_rate_limit_answers_429_and_keeps_the_answers(client, url, good, settings):
    settings.SURVEYS_PUBLIC_RATE = "2/h"
    client.post(url, good(submission_id="k1"))
    client.post(url, good(submission_id="k2"))
    page = client.post(url, good(submission_id="k3"))
    assert page.status_code == 429
    body = page.content.decode()
    assert "过于频繁" in body and "护士很好" in body
    assert SurveyResponse.objects.count() == 2


def test_closed_campaign_shows_a_clear_message(client, url, campaign, supervisor):
    services.campaign_set_status(campaign=campaign, status=CampaignStatus.CLOSED, actor=supervisor)
    page = client.get(url)
    assert page.status_code == 410 and "本次调查已结束" in page.content.decode()


def test_department_outside_the_campaign_is_not_found(client, campaign):
    from tests.factories import DepartmentFactory

    other = DepartmentFactory(code="EK", name="儿科")
    page = client.get(reverse("surveys:public_department", args=[campaign.public_key, other.code]))
    assert page.status_code == 404


def test_single_use_token_accepts_one_questionnaire(client, campaign, neike, supervisor, good):
    token = services.tokens_issue(campaign=campaign, department=neike, count=1, actor=supervisor)[0]
    url = reverse("surveys:public_token", args=[token.token])
    assert client.get(url).status_code == 200
    assert client.post(url, good(submission_id="t1")).status_code == 302
    token.refresh_from_db()
    assert token.used_at is not None and token.response.channel == Channel.WEB
    again = client.get(url)
    assert again.status_code == 410 and "已使用" in again.content.decode()
    # a second post, even with a fresh key, stores nothing
    late = client.post(url, good(submission_id="t2"))
    assert late.status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_expired_and_unknown_tokens(client, campaign, neike, supervisor):
    token = services.tokens_issue(campaign=campaign, department=neike, count=1, actor=supervisor)[0]
    token.expires_at = timezone.now() - dt.timedelta(minutes=1)
    token.save()
    page = client.get(reverse("surveys:public_token", args=[token.token]))
    assert page.status_code == 410 and "已过期" in page.content.decode()
    assert client.get(reverse("surveys:public_token", args=["nope"])).status_code == 404


def test_used_token_is_refused_by_the_service_too(campaign, small_q, neike, supervisor, fname):
    from django.core.exceptions import ValidationError

    token = services.tokens_issue(campaign=campaign, department=neike, count=1, actor=supervisor)[0]
    answers = {fname("e1"): 5, fname("a1"): 5}
    services.response_submit(
        questionnaire=small_q, channel=Channel.WEB, department=neike, answers=answers, token=token
    )
    with pytest.raises(ValidationError) as exc:
        services.response_submit(
            questionnaire=small_q, channel=Channel.WEB, department=neike, answers=answers, token=token.token
        )
    assert exc.value.code == "token_used"


def test_campaign_closed_while_typing_keeps_the_answers_on_screen(client, url, good, campaign, supervisor):
    """GET while open, campaign closes, POST: clear message, the typed comment is still there."""
    from unittest import mock

    with mock.patch("surveys.models.Campaign.is_accepting", return_value=True):
        services.campaign_set_status(campaign=campaign, status=CampaignStatus.CLOSED, actor=supervisor)
        page = client.post(url, good())
    body = page.content.decode()
    assert page.status_code == 410 and "本次调查已结束" in body and "护士很好" in body
    assert not SurveyResponse.objects.exists()


def test_public_page_follows_the_hospitals_language_not_the_browsers(client, url):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "非常满意" in page.content.decode() and "Very satisfied" not in page.content.decode()
