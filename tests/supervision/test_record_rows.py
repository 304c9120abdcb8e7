"""A person's record draws each attribution's line and each channel's measure once per content
(supervision.infra.fragments): a line is drawn anew as soon as what it shows changes, a cached line is
the very HTML the page draws without the cache, and a record never shows another person's lines."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import FindingSource, StaffPosition
from tests.factories import StaffFactory, make_finding


@pytest.fixture
def nurse(neike):
    return StaffFactory(name="张护士", employee_no="N0001", department=neike, position=StaffPosition.NURSE)


@pytest.fixture
def surgeon(waike):
    return StaffFactory(name="王医生", employee_no="D0002", department=waike, position=StaffPosition.DOCTOR)


def _page(client, staff) -> str:
    response = client.get(reverse("person_record", args=[staff.pk]))
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())


def _lines(html: str) -> list[tuple[str, str]]:
    """Each attribution line's status and finding number, in page order."""
    return re.findall(r'data-status="(\w+)">\s*<div[^>]*>\s*<div>(?:<del>)?<a href="[^"]+">([^<]+)</a>', html)


def test_an_attribution_s_line_is_drawn_anew_when_it_is_disputed_and_decided(
    client_for, settings, supervisor, head_neike, neike, nurse
):
    complaint = make_finding(
        department=neike, found_by=supervisor, staff=[nurse], source=FindingSource.COMPLAINT
    ).attributions.get()
    other = make_finding(department=neike, found_by=supervisor, staff=[nurse], category_code="hygiene")
    client = client_for(supervisor)
    steps = [
        lambda: None,
        lambda: services.attribution_dispute(attribution=complaint, actor=head_neike, reason="当天休息"),
        lambda: services.attribution_decide(
            attribution=complaint, actor=supervisor, uphold=False, comment="核实非本人"
        ),
    ]
    seen = []
    for step in steps:
        step()
        settings.DUCHA_ROW_CACHE_SECONDS = 600
        cached = _page(client, nurse)  # twice: the second from the row cache
        assert _page(client, nurse) == cached
        settings.DUCHA_ROW_CACHE_SECONDS = 0
        assert _page(client, nurse) == cached  # the very HTML drawn without the cache
        seen.append(_lines(cached))
    number, other_number = complaint.finding.number, other.attributions.get().finding.number
    assert seen == [
        [("attributed", other_number), ("attributed", number)],
        [("attributed", other_number), ("disputed", number)],
        [("attributed", other_number), ("withdrawn", number)],
    ]
    assert "当天休息" in cached and "核实非本人" in cached  # the history, live beside the line
    assert f'<del><a href="{complaint.finding.get_absolute_url()}">{number}</a>' in cached


def test_a_finding_s_changed_description_is_a_new_line(client_for, supervisor, neike, nurse):
    finding = make_finding(department=neike, found_by=supervisor, staff=[nurse], description="态度生硬")
    client = client_for(supervisor)
    assert "态度生硬" in _page(client, nurse)
    type(finding).objects.filter(pk=finding.pk).update(description="未按规定洗手")
    html = _page(client, nurse)
    assert "未按规定洗手" in html and "态度生硬" not in html


def test_a_record_never_shows_another_person_s_lines(
    client_for, supervisor, head_waike, neike, waike, nurse, surgeon
):
    mine = make_finding(department=neike, found_by=supervisor, staff=[nurse], description="甲事")
    theirs = make_finding(department=waike, found_by=supervisor, staff=[surgeon], description="乙事")
    office = client_for(supervisor)
    for staff in (nurse, surgeon):  # the office fills the row cache with both people's lines
        _page(office, staff)
    head = client_for(head_waike)
    html = _page(head, surgeon)
    assert [n for _status, n in _lines(html)] == [theirs.number]
    assert mine.number not in html and "甲事" not in html
    assert head.get(reverse("person_record", args=[nurse.pk])).status_code == 404
