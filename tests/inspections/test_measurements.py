"""A measurement is never invented: a refused or half-typed value decides nothing, is listed on the
review page with what was typed, blocks submission, and no finding, page or figure reads a blank as 0."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections import selectors, services
from inspections.models import Answer, ItemKind, RoundStatus
from supervision.errors import ActionNotAllowed
from supervision.models import Finding

from .factories import make_template, start_round


@pytest.fixture
def hygiene_round(supervisor, neike):
    template = make_template(items=[("quality_safety", ItemKind.HAND_HYGIENE), ("attitude", ItemKind.CHECK)])
    rnd = start_round(actor=supervisor, department=neike, template=template)
    hh, check = template.items.order_by("sort_order")
    return rnd, hh, check


def _save_url(rnd, item):
    return reverse("inspections:answer_save", args=[rnd.pk, item.pk])


def test_opportunities_without_washes_leave_the_item_unanswered_not_failed(supervisor, hygiene_round):
    rnd, hh, _check = hygiene_round
    answer = services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10)
    assert answer.result == ""
    assert answer.is_half_filled


def test_a_tap_on_fail_does_not_decide_a_half_filled_measurement(supervisor, hygiene_round):
    rnd, hh, _check = hygiene_round
    answer = services.answer_save(rnd=rnd, item=hh, actor=supervisor, result="fail", hh_opportunities=10)
    assert answer.result == ""
    # Not applicable is still the inspector's to choose.
    answer = services.answer_save(rnd=rnd, item=hh, actor=supervisor, result="na", hh_opportunities=10)
    assert answer.result == "na"


def test_zero_opportunities_is_not_a_measurement(supervisor, hygiene_round):
    rnd, hh, _check = hygiene_round
    answer = services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=0, hh_washes=0)
    assert answer.result == ""


def test_refused_washes_are_blanked_on_the_server_and_the_page_says_why(
    client_for, supervisor, hygiene_round
):
    rnd, hh, _check = hygiene_round
    client = client_for(supervisor)
    client.post(_save_url(rnd, hh), {"hh_opportunities": 10, "hh_washes": 8}, HTTP_HX_REQUEST="true")
    assert Answer.objects.get(round=rnd, item=hh).result == "pass"
    # The inspector types 11 over the 8: refused, and the 8 is not kept as if it were still meant.
    response = client.post(
        _save_url(rnd, hh), {"hh_opportunities": 10, "hh_washes": 11}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "洗手" in response.content.decode() or "washes" in response.content.decode()
    answer = Answer.objects.get(round=rnd, item=hh)
    assert (answer.hh_opportunities, answer.hh_washes, answer.result) == (10, None, "")


def test_an_unknown_result_changes_nothing(client_for, supervisor, hygiene_round):
    rnd, hh, _check = hygiene_round
    services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10, hh_washes=9)
    response = client_for(supervisor).post(
        _save_url(rnd, hh), {"result": "maybe", "hh_opportunities": 10}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    answer = Answer.objects.get(round=rnd, item=hh)
    assert (answer.hh_washes, answer.result) == (9, "pass")


def test_review_page_lists_the_half_filled_item_with_its_values_and_blocks_submission(
    client_for, supervisor, hygiene_round
):
    rnd, hh, check = hygiene_round
    services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10)
    services.answer_save(rnd=rnd, item=check, actor=supervisor, result="pass")
    page = client_for(supervisor).get(reverse("inspections:round_submit", args=[rnd.pk])).content.decode()
    assert 'id="half-filled"' in page
    assert hh.text in page
    assert "None" not in page
    assert "disabled" in page.split('id="half-filled"')[1]


def test_submitting_with_a_half_filled_item_is_refused_and_files_nothing(supervisor, hygiene_round):
    rnd, hh, check = hygiene_round
    services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10)
    services.answer_save(rnd=rnd, item=check, actor=supervisor, result="pass")
    with pytest.raises(ActionNotAllowed):
        services.round_submit(rnd=rnd, actor=supervisor)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.DRAFT
    assert not Finding.objects.exists()


def test_refused_value_end_to_end_files_a_finding_only_with_numbers_that_were_typed(
    client_for, supervisor, hygiene_round
):
    rnd, hh, check = hygiene_round
    client = client_for(supervisor)
    client.post(_save_url(rnd, hh), {"hh_opportunities": 10}, HTTP_HX_REQUEST="true")
    client.post(_save_url(rnd, hh), {"hh_opportunities": 10, "hh_washes": 11}, HTTP_HX_REQUEST="true")
    client.post(_save_url(rnd, check), {"result": "pass"}, HTTP_HX_REQUEST="true")
    assert client.post(reverse("inspections:round_submit", args=[rnd.pk]), {}).status_code == 400
    assert not Finding.objects.exists()
    # Corrected to 6 of 10: fails the target, and the finding quotes 6 and 10 — never 0, never None.
    client.post(_save_url(rnd, hh), {"hh_opportunities": 10, "hh_washes": 6}, HTTP_HX_REQUEST="true")
    services.round_submit(rnd=rnd, actor=supervisor)
    finding = Finding.objects.get()
    assert "6" in finding.description and "10" in finding.description
    assert "None" not in finding.description
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert "None" not in page


def test_hand_hygiene_figure_leaves_out_observations_without_a_wash_count(supervisor, neike, hygiene_round):
    rnd, hh, check = hygiene_round
    services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10, hh_washes=9)
    services.answer_save(rnd=rnd, item=check, actor=supervisor, result="pass")
    services.round_submit(rnd=rnd, actor=supervisor)
    # A submitted round from before this fix, holding opportunities with a blank wash count.
    Answer.objects.filter(round=rnd, item=hh).update(hh_washes=None)
    other = start_round(actor=supervisor, department=neike, template=hh.template)
    services.answer_save(rnd=other, item=hh, actor=supervisor, hh_opportunities=10, hh_washes=8)
    services.answer_save(rnd=other, item=check, actor=supervisor, result="pass")
    services.round_submit(rnd=other, actor=supervisor)
    today = dt.date.today()
    figures = selectors.hand_hygiene(start=today.replace(day=1), end=today)
    assert (figures["opportunities"], figures["washes"]) == (10, 8)
