"""python -m benchmarks.data: writes a hospital year through the services, refuses to run twice, wipes only bench DBs."""

import pytest
from django.core.management import CommandError

from benchmarks import data
from complaints.models import Complaint
from followups.models import CallAttempt, FollowupTask
from inspections.models import ChartAudit, InspectionRound
from supervision.models import DischargeStay, Finding, OrderTransition, RectificationOrder
from surveys.models import SurveyResponse

TINY = {
    "departments": 12,
    "staff": 24,
    "stays": 400,
    "attempts": 500,
    "responses": 12,
    "findings": 40,
    "complaints": 8,
    "rounds": 4,
    "audits": 12,
}


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(data.SIZES, "tiny", TINY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_generate_writes_every_channel_through_its_services(tiny):
    result = data.generate(size="tiny", seed=1, out=lambda _msg: None)
    counts = result["counts"]
    assert counts["departments"] == TINY["departments"]
    assert DischargeStay.objects.count() == TINY["stays"]
    # Every stay imported from the HIS got a task from the history import or a queue.
    assert FollowupTask.objects.count() > 0
    assert CallAttempt.objects.count() >= TINY["attempts"] * 0.8
    assert SurveyResponse.objects.count() == TINY["responses"]
    assert Complaint.objects.count() == TINY["complaints"]
    assert InspectionRound.objects.count() == TINY["rounds"]
    assert ChartAudit.objects.count() > 0
    assert Finding.objects.count() >= TINY["findings"]
    # Orders moved through the core services leave history rows.
    assert OrderTransition.objects.count() > RectificationOrder.objects.count()
    assert set(RectificationOrder.objects.values_list("status", flat=True)) >= {
        "issued",
        "acknowledged",
        "closed",
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_command_refuses_a_database_that_holds_data(tiny):
    data.generate(size="tiny", seed=1, out=lambda _msg: None)
    with pytest.raises(CommandError):
        data.main(["--size", "small"], out=lambda _msg: None)


@pytest.mark.django_db
def test_reset_refuses_a_database_not_named_bench(settings):
    with pytest.raises(CommandError, match="bench"):
        data.main(["--size", "small", "--reset"], out=lambda _msg: None)
