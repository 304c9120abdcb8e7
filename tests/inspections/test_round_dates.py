"""A round's findings are dated at its start, inside the window every finding keeps (issue 15 item
13): the round form refuses a start far back, a start typed a little ahead dates its findings now,
and a round already dated outside the window is refused at submission with a message, not a 500."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import InspectionRound, ItemKind, RoundStatus
from supervision.models import Finding
from tests.factories import moment

from .factories import answer_all, make_template, start_round


def test_the_round_form_refuses_a_start_years_back(client_for, supervisor, neike):
    response = client_for(supervisor).post(
        reverse("inspections:round_create"),
        {
            "template": make_template().pk,
            "department": neike.pk,
            "round_type": "routine",
            **moment("started_at", "2001-03-04 09:30"),
            "location": "三楼护士站",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不能早于" in page and "三楼护士站" in page
    assert not InspectionRound.objects.exists()


def test_a_round_started_a_little_ahead_dates_its_findings_now(supervisor, neike):
    # The form lets a start be typed up to an hour ahead; its findings cannot lie in the future.
    ahead = timezone.now() + dt.timedelta(minutes=40)
    rnd = start_round(actor=supervisor, department=neike, template=make_template(), started_at=ahead)
    answer_all(rnd, supervisor, ["fail", "pass", "pass"], note="地面湿滑")
    services.round_submit(rnd=rnd, actor=supervisor)
    finding = Finding.objects.get()
    assert finding.found_at <= timezone.now()


def test_a_round_dated_outside_the_window_is_refused_at_submission_with_a_message(
    client_for, supervisor, neike
):
    template = make_template(items=[("attitude", ItemKind.CHECK)])
    rnd = start_round(actor=supervisor, department=neike, template=template)
    (failed,) = answer_all(rnd, supervisor, ["fail"], note="态度生硬")
    InspectionRound.objects.filter(pk=rnd.pk).update(started_at=timezone.now() - dt.timedelta(days=3000))
    response = client_for(supervisor).post(
        reverse("inspections:round_submit", args=[rnd.pk]), {f"mode_{failed.pk}": "finding"}
    )
    assert response.status_code == 400
    assert "不能早于" in response.content.decode()
    assert InspectionRound.objects.get(pk=rnd.pk).status == RoundStatus.DRAFT
    assert not Finding.objects.exists()
