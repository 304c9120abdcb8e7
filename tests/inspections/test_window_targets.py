"""Each window is held to its own waiting target (registration and billing may have 15 minutes), in the
checklist's pass/fail, the finding's text and the figures; waiting times beside the same period last year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import ChecklistTemplate, ItemKind, TemplateStatus, WindowTarget
from supervision.models import DepartmentKind, Finding
from tests.factories import DepartmentFactory

from .factories import make_template, start_round

TZ = timezone.get_current_timezone()
DAY = dt.date(2026, 10, 15)


@pytest.fixture
def shoufei(db):
    return DepartmentFactory(code="SFC", name="收费处", kind=DepartmentKind.WINDOW)


@pytest.fixture
def wait_template(db):
    return make_template(items=[("waiting", ItemKind.WAIT_TIME)], area="registration")


def _measure(supervisor, department, template, minutes, day=DAY):
    started = dt.datetime.combine(day, dt.time(10), tzinfo=TZ)
    rnd = start_round(actor=supervisor, department=department, template=template, started_at=started)
    answer = services.answer_save(
        rnd=rnd, item=template.items.get(), actor=supervisor, wait_minutes=Decimal(minutes)
    )
    return rnd, answer


def test_a_window_with_its_own_target_passes_12_minutes_the_standard_would_fail(
    supervisor, guahao, shoufei, wait_template, config
):
    WindowTarget.objects.create(department=guahao, target_minutes=15)
    _rnd, at_registration = _measure(supervisor, guahao, wait_template, 12)
    _rnd, at_billing = _measure(supervisor, shoufei, wait_template, 12)
    assert at_registration.result == "pass"  # its own 15
    assert at_billing.result == "fail"  # the standard 10


def test_the_finding_quotes_the_windows_own_target(supervisor, guahao, wait_template, config):
    WindowTarget.objects.create(department=guahao, target_minutes=15)
    rnd, _answer = _measure(supervisor, guahao, wait_template, 18)
    services.round_submit(rnd=rnd, actor=supervisor)
    assert "15" in Finding.objects.get().description


def test_figures_count_each_measurement_against_its_own_windows_target(
    supervisor, guahao, shoufei, wait_template, config
):
    WindowTarget.objects.create(department=guahao, target_minutes=15)
    for department, minutes in ((guahao, 12), (guahao, 16), (shoufei, 9), (shoufei, 12)):
        rnd, _answer = _measure(supervisor, department, wait_template, minutes)
        services.round_submit(rnd=rnd, actor=supervisor)
    figures = selectors.window_waiting(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    rows = {r["department"]: r for r in figures["by_department"]}
    assert (rows["挂号处"]["target"], rows["挂号处"]["within_target"]) == (15, 1)
    assert (rows["收费处"]["target"], rows["收费处"]["within_target"]) == (10, 1)
    assert figures["within_target"] == 2 and figures["within_target_pct"] == 50.0
    assert figures["own_targets"] is True


def test_figures_page_shows_each_windows_target_and_last_year(
    client_for, supervisor, guahao, wait_template, config
):
    WindowTarget.objects.create(department=guahao, target_minutes=15)
    rnd, _answer = _measure(supervisor, guahao, wait_template, 8)
    services.round_submit(rnd=rnd, actor=supervisor)
    url = reverse("inspections:figures") + "?start=2026-10-01&end=2026-10-31"
    page = client_for(supervisor).get(url).content.decode()
    assert "≤ 15" in page
    last_year = page.split('id="waiting-last-year"')[1].split("</tr>")[0]
    assert "去年无数据" in last_year or "No data last year" in last_year
    # A year later the same October reads this one as last year's.
    rnd, _answer = _measure(supervisor, guahao, wait_template, 9, day=dt.date(2027, 10, 15))
    services.round_submit(rnd=rnd, actor=supervisor)
    url = reverse("inspections:figures") + "?start=2027-10-01&end=2027-10-31"
    page = client_for(supervisor).get(url).content.decode()
    last_year = page.split('id="waiting-last-year"')[1].split("</tr>")[0]
    assert ">1<" in last_year and ">8.0<" in last_year.replace(" ", "")


def test_checklist_label_names_the_windows_own_target(client_for, supervisor, guahao, wait_template, config):
    WindowTarget.objects.create(department=guahao, target_minutes=15)
    rnd, _answer = _measure(supervisor, guahao, wait_template, 8)
    page = client_for(supervisor).get(rnd.get_absolute_url()).content.decode()
    assert "≤ 15" in page


def test_guidance_appointment_and_report_printing_checklists_are_seeded_with_a_waiting_item(db):
    for code in ("guidance", "appointment", "report_printing"):
        template = ChecklistTemplate.objects.get(code=code, status=TemplateStatus.PUBLISHED)
        assert template.items.filter(kind=ItemKind.WAIT_TIME).count() == 1
        assert template.items.count() >= 7
