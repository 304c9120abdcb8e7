"""Seeded data for the reports tests: October 2026 in 内科 and 外科, counted by hand below."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.utils import timezone

from supervision.models import OrderStatus, RectificationOrder
from tests.factories import make_finding

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def seeded(neike, waike, supervisor):
    """Findings of October 2026 (and one each side of it).

    Hand count for October, whole hospital: 7 findings — 服务态度 3 (内科), 服务流程不规范 1 (内科),
    工作纪律 2 (外科), 环境卫生 1 (外科). Recurrences: 3 (内科 2nd and 3rd attitude, 外科 2nd discipline).
    Orders: 7; closed 3 (2 on time, 1 late); of the 4 open ones 3 had deadlines in October → overdue at 31 October.
    """
    made = []
    for day, dept, code in [
        (dt.date(2026, 10, 2), neike, "attitude"),
        (dt.date(2026, 10, 9), neike, "attitude"),
        (dt.date(2026, 10, 16), neike, "attitude"),
        (dt.date(2026, 10, 5), neike, "process"),
        (dt.date(2026, 10, 6), waike, "discipline"),
        (dt.date(2026, 10, 20), waike, "discipline"),
        (dt.date(2026, 10, 31), waike, "hygiene"),
    ]:
        made.append(
            make_finding(
                department=dept,
                found_by=supervisor,
                category_code=code,
                found_at=at(day, 23 if day.day == 31 else 10),
                deadline=day + dt.timedelta(days=7),
            )
        )
    # outside October: not counted
    make_finding(
        department=neike, found_by=supervisor, category_code="process", found_at=at(dt.date(2026, 9, 30), 23)
    )
    make_finding(
        department=waike, found_by=supervisor, category_code="hygiene", found_at=at(dt.date(2026, 11, 1), 0)
    )
    closed = [(made[0], True), (made[3], True), (made[4], False)]
    for finding, on_time in closed:
        RectificationOrder.objects.filter(finding=finding).update(
            status=OrderStatus.CLOSED, closed_on_time=on_time, closed_at=timezone.now()
        )
    return made


@pytest.fixture
def need_poppler():
    if not (shutil.which("pdffonts") and shutil.which("pdftotext")):
        pytest.fail("poppler-utils (pdffonts, pdftotext) must be installed: .ci/system-deps installs it")
