"""The monthly draw: beat job, task default month, management command with --verify."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from inspections import services
from inspections.models import ChartSample
from inspections.schedules import DEFAULT_SCHEDULES
from inspections.tasks import draw_chart_sample
from supervision.models import DischargeStay
from tests.factories import DischargeStayFactory


def test_beat_job_runs_on_the_first_of_the_month():
    job = next(j for j in DEFAULT_SCHEDULES if j.task == "inspections.draw_chart_sample")
    assert job.day_of_month == "1"


def test_task_draws_the_previous_month_by_default(neike):
    DischargeStayFactory(department=neike, admission_no="P1", discharged_on=dt.date(2026, 10, 20))
    with mock.patch("inspections.tasks.timezone.localdate", return_value=dt.date(2026, 11, 1)):
        sample_id = draw_chart_sample()
        assert draw_chart_sample() == sample_id
    sample = ChartSample.objects.get()
    assert sample.pk == sample_id and sample.month == dt.date(2026, 10, 1) and sample.size == 1


def test_command_verify_repeats_the_draw(neike, capsys):
    for i in range(9):
        DischargeStayFactory(department=neike, admission_no=f"V{i}", discharged_on=dt.date(2026, 10, 3))
    call_command("draw_chart_sample", "--month", "2026-10")
    call_command("draw_chart_sample", "--month", "2026-10", "--verify")
    assert "repeats exactly" in capsys.readouterr().out
    # A discharge of the month corrected after the draw shows up in the check.
    stay = DischargeStay.objects.exclude(pk__in=ChartSample.objects.get().audits.values("stay_id")).first()
    DischargeStay.objects.filter(pk=stay.pk).update(discharged_on=dt.date(2026, 9, 30))
    with pytest.raises(CommandError):
        call_command("draw_chart_sample", "--month", "2026-10", "--verify")


def test_command_refuses_bad_or_current_months(db):
    with pytest.raises(CommandError):
        call_command("draw_chart_sample", "--month", "October")
    with pytest.raises(CommandError):
        call_command("draw_chart_sample", "--month", "2999-01")
    assert ChartSample.objects.count() == 0


def test_previous_and_next_month():
    assert services.previous_month(dt.date(2026, 1, 15)) == dt.date(2025, 12, 1)
    assert services.next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
