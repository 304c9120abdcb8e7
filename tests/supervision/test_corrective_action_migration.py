"""Orders from before the action list keep their response: the one corrective-action text becomes the
order's first action (done, by the head who submitted it, in the round it was submitted), the old
column keeps the text, and each piece of evidence lands in the round it was uploaded in."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision import services
from supervision.models import (
    Attachment,
    CauseCategory,
    CorrectiveAction,
    OrderTransition,
    RectificationOrder,
)
from tests.factories import make_finding
from tests.migrating import migrate_to, restore

BEFORE = ("supervision", "0013_seed_ladder")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_orders_one_action_text_becomes_its_first_action_and_evidence_its_round(
    neike, supervisor, head_neike
):
    order = make_finding(department=neike, found_by=supervisor).order
    services.order_acknowledge(order=order, actor=head_neike)
    untouched = make_finding(department=neike, found_by=supervisor).order
    now = timezone.now()
    # An order of before: submitted once, returned, submitted again, with evidence each time.
    RectificationOrder.objects.filter(pk=order.pk).update(
        status="submitted",
        cause="排班不足",
        corrective_action="午间增设导医",
        submitted_at=now,
        return_count=1,
    )
    for at, action in ((now - dt.timedelta(days=2), "submit"), (now - dt.timedelta(days=1), "return")):
        OrderTransition.objects.create(order=order, at=at, action=action, to_status="x", actor=head_neike)
    OrderTransition.objects.create(
        order=order, at=now, action="submit", to_status="submitted", actor=head_neike
    )
    for days in (2, 0):
        a = Attachment.objects.create(
            finding=order.finding,
            order=order,
            file="x.jpg",
            original_name=f"第{days}天.jpg",
            content_type="image/jpeg",
            size=1,
            uploaded_by=head_neike,
        )
        Attachment.objects.filter(pk=a.pk).update(uploaded_at=now - dt.timedelta(days=days, minutes=-1))

    try:
        migrate_to(BEFORE)
    finally:
        restore()  # forward again: the migration under test runs here

    action = CorrectiveAction.objects.get()
    assert (action.order_id, action.description, action.status, action.round, action.created_by_id) == (
        order.pk,
        "午间增设导医",
        "done",
        2,
        head_neike.pk,
    )
    assert action.transitions.get().action == "add"
    assert RectificationOrder.objects.get(pk=order.pk).corrective_action == "午间增设导医"
    assert not CorrectiveAction.objects.filter(order=untouched).exists()
    assert dict(Attachment.objects.filter(order=order).values_list("original_name", "round")) == {
        "第2天.jpg": 1,
        "第0天.jpg": 2,
    }
    assert set(CauseCategory.objects.values_list("name", flat=True)) == {
        "人员",
        "制度",
        "流程",
        "设备设施",
        "环境",
        "沟通",
        "其他",
    }
