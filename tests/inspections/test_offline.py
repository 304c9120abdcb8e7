"""The round filled in without a connection (docs/inspections.md → "Offline"): a photo sent again from
the tablet's queue is stored once; the round page is marked for the service worker per session only
while it can still be filled in. The browser side is tests/e2e/test_offline_round_journey.py."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import services
from inspections.models import AnswerPhoto
from supervision.infra.offline import OFFLINE_HEADER

from .factories import answer_all, photo_upload, start_round


@pytest.fixture
def round_neike(supervisor, neike):
    return start_round(actor=supervisor, department=neike)


def upload_url(rnd, item):
    return reverse("inspections:photo_upload", args=[rnd.pk, item.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- photos with the tablet's id --------------------------------------------------------------


def test_a_photo_sent_again_with_its_client_id_is_stored_once(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    client = client_for(supervisor)
    client_id = str(uuid.uuid4())
    first = client.post(
        upload_url(round_neike, item),
        {"photo": photo_upload(), "client_id": client_id},
        HTTP_HX_REQUEST="true",
    )
    # The response was lost on the way back: the queue sends the same photo again.
    again = client.post(
        upload_url(round_neike, item),
        {"photo": photo_upload(), "client_id": client_id},
        HTTP_HX_REQUEST="true",
    )
    assert first.status_code == again.status_code == 200
    photo = AnswerPhoto.objects.get()
    assert str(photo.client_id) == client_id
    # The page shows the one photo after the resend too.
    assert again.content.decode().count('<div class="photo">') == 1


def test_two_photos_with_their_own_client_ids_are_both_stored(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    client = client_for(supervisor)
    for _ in range(2):
        data = {"photo": photo_upload(), "client_id": str(uuid.uuid4())}
        assert client.post(upload_url(round_neike, item), data, HTTP_HX_REQUEST="true").status_code == 200
    assert AnswerPhoto.objects.count() == 2


def test_photos_without_a_client_id_are_each_stored(client_for, supervisor, round_neike):
    """The page without JavaScript posts the plain form, without an id: every upload is a photo."""
    item = round_neike.template.items.first()
    client = client_for(supervisor)
    for _ in range(2):
        assert client.post(upload_url(round_neike, item), {"photo": photo_upload()}).status_code == 302
    assert AnswerPhoto.objects.filter(client_id__isnull=True).count() == 2


def test_a_resend_after_the_round_was_submitted_returns_the_photo_already_stored(supervisor, round_neike):
    from supervision.infra.uploads import clean_upload

    answer = round_neike.answers.order_by("item__sort_order").first()
    client_id = uuid.uuid4()
    stored = services.photo_add(
        answer=answer, upload=clean_upload(photo_upload()), actor=supervisor, client_id=client_id
    )
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    again = services.photo_add(
        answer=answer, upload=clean_upload(photo_upload()), actor=supervisor, client_id=client_id
    )
    assert again.pk == stored.pk and AnswerPhoto.objects.count() == 1


def test_a_new_photo_after_the_round_was_submitted_is_refused_with_a_message(
    client_for, supervisor, round_neike
):
    item = round_neike.template.items.first()
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    response = client_for(supervisor).post(
        upload_url(round_neike, item),
        {"photo": photo_upload(), "client_id": str(uuid.uuid4())},
        HTTP_HX_REQUEST="true",
    )
    # 409 is what the queue drops (it would be refused again) while showing the message.
    assert response.status_code in (404, 409) and AnswerPhoto.objects.count() == 0


def test_a_client_id_that_is_not_an_id_is_refused_in_the_users_language(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    response = client_for(supervisor).post(
        upload_url(round_neike, item),
        {"photo": photo_upload(), "client_id": "x; drop"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400 and AnswerPhoto.objects.count() == 0
    assert "UUID" in response.content.decode()


def test_photo_upload_with_a_client_id_is_for_supervisors_only(
    client_for, head_neike, administrator, round_neike
):
    item = round_neike.template.items.first()
    for user in (head_neike, administrator):
        data = {"photo": photo_upload(), "client_id": str(uuid.uuid4())}
        assert client_for(user).post(upload_url(round_neike, item), data).status_code == 403
    assert AnswerPhoto.objects.count() == 0


def test_a_resent_photo_costs_no_more_queries_than_the_first_send(client_for, supervisor, round_neike):
    item = round_neike.template.items.first()
    client = client_for(supervisor)
    client_id = str(uuid.uuid4())
    with CaptureQueriesContext(connection) as first:
        client.post(
            upload_url(round_neike, item),
            {"photo": photo_upload(), "client_id": client_id},
            HTTP_HX_REQUEST="true",
        )
    with CaptureQueriesContext(connection) as again:
        client.post(
            upload_url(round_neike, item),
            {"photo": photo_upload(), "client_id": client_id},
            HTTP_HX_REQUEST="true",
        )
    assert len(again) <= len(first)


# --- the round page and the service worker ----------------------------------------------------


def test_the_draft_round_page_is_marked_for_the_worker_with_this_sessions_key(supervisor, round_neike):
    url = round_neike.get_absolute_url()
    one, other = logged_in(supervisor), logged_in(supervisor)
    first = one.get(url)
    assert first.status_code == 200
    key = first[OFFLINE_HEADER]
    assert key and one.get(url)[OFFLINE_HEADER] == key  # the same session keeps its key
    # Another log-in (even of the same user) has another key: the worker drops the first one's pages.
    assert other.get(url)[OFFLINE_HEADER] != key
    # Kept by the worker only, never by the browser's HTTP cache.
    assert "no-store" in first["Cache-Control"]
    # The key names neither the session nor the user.
    assert one.session.session_key not in key and str(supervisor.pk) != key


def test_the_devices_queue_belongs_to_the_user_not_to_the_session(supervisor, round_neike, neike):
    from supervision.models import Role
    from tests.factories import UserFactory

    url = round_neike.get_absolute_url()
    colleague = UserFactory(username="colleague", roles=[Role.SUPERVISOR])
    owners = [
        logged_in(user).get(url).context["offline_owner"] for user in (supervisor, supervisor, colleague)
    ]
    assert owners[0] == owners[1] != owners[2]
    assert f'data-owner="{owners[0]}"' in logged_in(supervisor).get(url).content.decode()


def test_a_submitted_round_is_not_kept_for_offline_use(client_for, supervisor, head_neike, round_neike):
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    for user in (supervisor, head_neike):
        response = client_for(user).get(round_neike.get_absolute_url())
        assert response.status_code == 200 and OFFLINE_HEADER not in response


def test_the_round_page_of_another_department_is_not_found_and_not_kept(
    client_for, supervisor, head_waike, round_neike
):
    answer_all(round_neike, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=round_neike, actor=supervisor)
    response = client_for(head_waike).get(round_neike.get_absolute_url())
    assert response.status_code == 404 and OFFLINE_HEADER not in response


def test_the_draft_round_page_shows_the_waiting_count_and_the_queue_strings(
    client_for, supervisor, round_neike
):
    page = client_for(supervisor).get(round_neike.get_absolute_url()).content.decode()
    assert 'id="pending-count"' in page
    assert 'data-one="1 项待上传"' in page and 'data-other="%(n)s 项待上传"' in page
    assert 'data-photo-waiting="待上传"' in page
    # Answers and photos go through the page's queue, not through htmx straight to the server.
    assert 'class="answer-form' in page and 'hx-trigger="change, input' not in page
    assert f'id="pending-photos-{round_neike.template.items.first().pk}"' in page
