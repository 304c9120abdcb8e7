"""The complainant's verdict on the handling (issue 25 item 2): a personal link, hashed, single use,
with an expiry; a public three-question form with the public forms' protections; answers entered by
the office after a phone call (never by the person who answered); figures per handler and department
only from a minimum count; the handler's pages never show who rated what."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from complaints import selectors, services
from complaints.models import Verdict, VerdictChannel, VerdictLink
from supervision.errors import ActionNotAllowed
from supervision.models import Role
from tests.factories import DepartmentFactory, UserFactory

from .factories import accepted, answered, make_complaint

pytestmark = pytest.mark.django_db
ANSWERS = {"handled": "partly", "fair": "no", "contact": "poor"}


def public(token):
    return reverse("complaints:verdict_public", args=[token])


@pytest.fixture
def done(supervisor, neike, head_neike):
    """A complaint answered by the supervisor (周督察)."""
    return answered(supervisor=supervisor, department=neike, head=head_neike, complainant_name="张三丰")


def post_answers(client, token, form_token, **extra):
    return client.post(public(token), {**ANSWERS, "form_token": form_token, **extra})


# --- the link --------------------------------------------------------------------------------------


def test_only_the_tokens_hash_is_stored(done, supervisor):
    link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    assert len(token) >= 32
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not VerdictLink.objects.filter(token_hash=token).exists()
    assert link.expires_at - link.created_at == dt.timedelta(days=services.VERDICT_LINK_DAYS)


def test_a_link_is_refused_before_the_answer_is_recorded(supervisor, neike):
    c = accepted(supervisor=supervisor, department=neike)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="once the answer is recorded"):
        services.verdict_link_issue(complaint=c, actor=supervisor)


def test_the_link_works_once_and_then_says_it_was_used(client, done, supervisor, form_token):
    _link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    assert client.get(public(token)).status_code == 200
    response = post_answers(client, token, form_token)
    assert response.status_code == 302 and response["Location"] == public(token)
    # Back on the link after sending: thanks (post/redirect/get), not "already used".
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and 'data-reason="thanks"' in thanks.content.decode()
    verdict = Verdict.objects.get(complaint=done)
    assert (verdict.handled, verdict.fair, verdict.contact, verdict.channel) == (
        "partly",
        "no",
        "poor",
        VerdictChannel.LINK,
    )
    again = post_answers(client, token, form_token, handled="yes", fair="yes", contact="good")
    assert again.status_code == 410 and 'data-reason="used"' in again.content.decode()
    assert Client().get(public(token)).status_code == 410  # anyone else opening it later
    assert Verdict.objects.get(complaint=done).handled == "partly"  # the first answer stands
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="already been used"):
        services.verdict_submit(token=token, **ANSWERS)


def test_an_expired_link_is_refused_with_its_date(client, done, supervisor, form_token):
    link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    VerdictLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(public(token))
    assert response.status_code == 410 and 'data-reason="expired"' in response.content.decode()
    assert post_answers(client, token, form_token).status_code == 410
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="expired"):
        services.verdict_submit(token=token, **ANSWERS)
    assert not Verdict.objects.exists()


def test_a_new_link_replaces_the_unused_one(client, done, supervisor, form_token):
    _old, old_token = services.verdict_link_issue(complaint=done, actor=supervisor)
    _new, new_token = services.verdict_link_issue(complaint=done, actor=supervisor)
    response = post_answers(client, old_token, form_token)
    assert response.status_code == 410 and 'data-reason="replaced"' in response.content.decode()
    assert post_answers(client, new_token, form_token).status_code == 302


def test_an_unknown_token_is_404_with_a_message(client):
    response = client.get(public("not-a-real-token"))
    assert response.status_code == 404 and 'data-reason="unknown"' in response.content.decode()


def test_the_honeypot_and_a_missing_answer_store_nothing(client, done, supervisor, form_token):
    _link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    assert post_answers(client, token, form_token, website="http://spam").status_code == 400
    assert client.post(public(token), {"handled": "yes", "form_token": form_token}).status_code == 400
    assert not Verdict.objects.exists()
    assert not VerdictLink.objects.get().used_at


def test_the_public_form_is_rate_limited_per_address(client, done, supervisor, form_token):
    _link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    for _ in range(10):
        client.post(public(token), {"handled": "yes", "form_token": form_token})
    response = post_answers(client, token, form_token)
    assert response.status_code == 429
    assert not Verdict.objects.exists()


def test_the_public_page_names_neither_the_complainant_nor_the_staff(client, done, supervisor):
    _link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    page = client.get(public(token)).content.decode()
    for secret in ("张三丰", done.number, supervisor.full_name, done.content, "138"):
        assert secret not in page


# --- by telephone ------------------------------------------------------------------------------------


def test_the_office_enters_a_phone_verdict_and_open_links_stop_working(
    client_for, done, supervisor, administrator, form_token, client
):
    _link, token = services.verdict_link_issue(complaint=done, actor=supervisor)
    url = reverse("complaints:verdict_phone", args=[done.pk])
    data = {f"verdict-{k}": v for k, v in ANSWERS.items()}
    assert client_for(administrator).post(url, data).status_code == 302
    assert Verdict.objects.get(complaint=done).channel == VerdictChannel.PHONE
    client_for(None)
    assert post_answers(client, token, form_token).status_code == 410


def test_the_person_who_answered_cannot_enter_the_verdict(client_for, done, supervisor):
    url = reverse("complaints:verdict_phone", args=[done.pk])
    response = client_for(supervisor).post(url, {f"verdict-{k}": v for k, v in ANSWERS.items()}, follow=True)
    assert "由同事询问投诉人并录入" in response.content.decode()
    assert not Verdict.objects.exists()


def test_a_second_verdict_is_refused(done, administrator):
    services.verdict_record_by_phone(complaint=done, actor=administrator, **ANSWERS)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="already been given"):
        services.verdict_record_by_phone(complaint=done, actor=administrator, **ANSWERS)


# --- the link on the page, who may ask for it ---------------------------------------------------------


def test_the_office_gets_the_text_message_once(client_for, done, supervisor, settings):
    settings.HOSPITAL_NAME = "示范人民医院"
    response = client_for(supervisor).post(reverse("complaints:verdict_link", args=[done.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "示范人民医院" in page and "/complaints/public/verdict/" in page
    # Shown once: the page opened again carries no link.
    again = client_for(supervisor).get(reverse("complaints:detail", args=[done.pk])).content.decode()
    assert "/complaints/public/verdict/" not in again


@pytest.mark.parametrize("persona", ["head_neike", "caller", "volunteer"])
def test_only_the_office_asks_for_verdicts(persona, request, client_for, done):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("complaints:verdict_link", args=[done.pk])).status_code == 403
    assert client.post(reverse("complaints:verdict_phone", args=[done.pk]), {}).status_code == 403
    assert not VerdictLink.objects.exists()


# --- anonymity and figures -------------------------------------------------------------------------------


def test_the_handlers_pages_never_show_the_rating(client_for, done, supervisor, administrator, head_neike):
    services.verdict_record_by_phone(complaint=done, actor=administrator, **ANSWERS)
    for user in (supervisor, head_neike):
        response = client_for(user).get(reverse("complaints:detail", args=[done.pk]))
        page = response.content.decode()
        for word in ("Poor", "较差", "不公正"):
            assert word not in page
    figures = client_for(supervisor).get(reverse("complaints:figures")).content.decode()
    # One verdict is below the minimum: the handler's row gives a count, no shares.
    assert done.number not in figures and "张三丰" not in figures
    rows = selectors.verdicts(start=done.received_on, end=done.received_on)["by_handler"]
    assert rows == [
        {
            "handler": supervisor.full_name,
            "count": 1,
            "shown": False,
            "handled": None,
            "handled_partly": None,
            "fair": None,
            "fair_partly": None,
            "contact": None,
            "contact_acceptable": None,
        }
    ]


def test_verdict_figures_per_handler_and_department_from_the_minimum(
    supervisor, administrator, neike, head_neike
):
    waike = DepartmentFactory(code="WK2", name="外二科")
    head_w = UserFactory(username="hw2", roles=[Role.DEPT_HEAD], head_of=[waike])
    complaints = [answered(supervisor=supervisor, department=neike, head=head_neike) for _ in range(5)]
    other = answered(supervisor=supervisor, department=waike, head=head_w)
    answers = [("yes", "yes", "good")] * 3 + [("partly", "no", "acceptable"), ("no", "no", "poor")]
    for c, (handled, fair, contact) in zip(complaints, answers, strict=True):
        services.verdict_record_by_phone(
            complaint=c, actor=administrator, handled=handled, fair=fair, contact=contact
        )
    services.verdict_record_by_phone(complaint=other, actor=administrator, **ANSWERS)
    day = timezone.localdate()
    data = selectors.verdicts(start=day - dt.timedelta(days=1), end=day)
    assert data["total"]["count"] == 6
    handler = data["by_handler"][0]
    assert handler["count"] == 6 and handler["shown"]
    assert (handler["handled"].numerator, handler["handled"].denominator) == (3, 6)
    by_dept = {r["department"]: r for r in data["by_department"]}
    assert by_dept["内科"]["shown"] and (
        by_dept["内科"]["fair"].numerator,
        by_dept["内科"]["fair"].denominator,
    ) == (3, 5)
    assert (by_dept["内科"]["contact"].numerator, by_dept["内科"]["contact"].denominator) == (3, 5)
    assert not by_dept["外二科"]["shown"] and by_dept["外二科"]["count"] == 1
    assert by_dept["外二科"]["fair"] is None
    # Narrowed to one department, the other's verdicts are not counted.
    assert selectors.verdicts(start=day, end=day, departments=[waike.pk])["total"]["count"] == 1


def test_satisfaction_with_the_outcome_leaves_out_the_unreachable(supervisor, neike, head_neike):
    from complaints.models import Determination

    for satisfaction in ("satisfied", "basically", "dissatisfied", "unreachable"):
        c = answered(supervisor=supervisor, department=neike, head=head_neike)
        c = services.complaint_determine(complaint=c, actor=supervisor, determination=Determination.NOT_VALID)
        services.complaint_close(complaint=c, actor=supervisor, satisfaction=satisfaction)
    day = timezone.localdate()
    row = selectors.outcome_satisfaction(start=day, end=day)
    assert row["reached"] == 3 and (row["share"].numerator, row["share"].denominator) == (2, 3)


def test_the_figures_page_shows_the_verdicts_beside_satisfaction(
    client_for, done, supervisor, administrator, django_assert_max_num_queries
):
    services.verdict_record_by_phone(complaint=done, actor=administrator, **ANSWERS)
    client = client_for(supervisor)
    client.get(reverse("complaints:figures"))
    with django_assert_max_num_queries(40):
        page = client.get(reverse("complaints:figures")).content.decode()
    assert 'id="verdicts"' in page and 'id="outcome-satisfaction"' in page


def test_the_complaint_page_states_only_whether_a_verdict_was_given(
    client_for, done, supervisor, administrator
):
    services.verdict_record_by_phone(complaint=done, actor=administrator, **ANSWERS)
    page = client_for(supervisor).get(reverse("complaints:detail", args=[done.pk])).content.decode()
    assert 'data-verdict="given"' in page


def test_no_link_for_a_complaint_without_answer_in_the_view(client_for, supervisor, neike):
    c = make_complaint(received_by=supervisor, department=neike)
    response = client_for(supervisor).post(reverse("complaints:verdict_link", args=[c.pk]), follow=True)
    assert not VerdictLink.objects.exists()
    assert response.status_code == 200


def test_verdict_total_counts_a_complaint_without_a_department(supervisor, administrator, neike, head_neike):
    # The overall counts are the sums of the rows per department: a complaint with no department
    # concerned is a row of its own and still counts.
    with_department = answered(supervisor=supervisor, department=neike, head=head_neike)
    without = answered(supervisor=supervisor, department=neike, head=head_neike)
    type(without).objects.filter(pk=without.pk).update(department=None)
    for c in (with_department, without):
        services.verdict_record_by_phone(complaint=c, actor=administrator, **ANSWERS)
    day = timezone.localdate()
    data = selectors.verdicts(start=day - dt.timedelta(days=1), end=day, minimum=1)
    assert data["total"]["count"] == Verdict.objects.count() == 2
    assert (data["total"]["handled_partly"].numerator, data["total"]["handled_partly"].denominator) == (2, 2)
    assert sorted(r["count"] for r in data["by_department"]) == [1, 1]
