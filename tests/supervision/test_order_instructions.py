"""The instructions to the department: the same field wherever an order is issued (the finding form and
the issue-order form on the finding page), kept on the order and shown on the order card the head reads."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from supervision.models import Category, Finding, OrderTransition
from tests.factories import make_finding, moment

ORDER_CARD = "order-instructions"


def _finding_data(neike, **extra) -> dict:
    return {
        "department": neike.pk,
        "category": Category.objects.get(code="norms").pk,
        "severity": "minor",
        **moment("found_at", "2026-11-20 09:30"),
        "description": "护士未佩戴工牌",
        **extra,
    }


def _order_card(html: str) -> str:
    start = html.index("整改单")
    return html[start : html.index("</dl>", start)]


def test_an_order_issued_from_the_finding_form_carries_its_instructions_to_the_heads_order_card(
    client_for, supervisor, head_neike, neike
):
    form = client_for(supervisor).get(reverse("finding_create")).content.decode()
    assert 'name="instructions"' in form and "对科室的整改要求" in form
    response = client_for(supervisor).post(
        reverse("finding_create"),
        _finding_data(neike, needs_rectification="on", instructions="三日内完成工牌检查\n每周抽查"),
    )
    assert response.status_code == 302
    order = Finding.objects.get().order
    assert order.instructions == "三日内完成工牌检查\n每周抽查"
    card = _order_card(
        client_for(head_neike).get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    )
    assert ORDER_CARD in card and "三日内完成工牌检查<br>每周抽查" in card
    # The issue step of the timeline still says what the order was issued with.
    assert order.transitions.get().comment == "三日内完成工牌检查\n每周抽查"


def test_the_issue_order_form_on_the_finding_page_keeps_the_instructions_on_the_order(
    client_for, supervisor, volunteer, head_neike, neike
):
    finding = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    response = client_for(supervisor).post(
        reverse("finding_issue_order", args=[finding.pk]),
        {"issue-deadline": "", "issue-instructions": "  请三日内整改  "},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.order.instructions == "请三日内整改"
    html = client_for(head_neike).get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "请三日内整改" in _order_card(html)


def test_a_volunteers_finding_form_has_no_instructions(client_for, volunteer, neike):
    form = client_for(volunteer).get(reverse("finding_create")).content.decode()
    assert 'name="instructions"' not in form
    client_for(volunteer).post(reverse("finding_create"), _finding_data(neike, instructions="下发整改"))
    assert not hasattr(Finding.objects.get(), "order")


def test_an_order_without_instructions_shows_no_empty_line(client_for, supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    html = client_for(supervisor).get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert ORDER_CARD not in html


def test_the_migration_copies_the_issue_comment_onto_the_order_and_keeps_the_timeline(supervisor, neike):
    from supervision.models import RectificationOrder

    worded, plain, kept = (make_finding(department=neike, found_by=supervisor).order for _ in range(3))
    # Before the field, the instructions were only the issue step's comment.
    OrderTransition.objects.filter(order=plain).update(comment="请整改并拍照")
    OrderTransition.objects.filter(order=worded).update(comment="x", comment_key="order.note")
    OrderTransition.objects.filter(order=kept).update(comment="旧的说明")
    RectificationOrder.objects.filter(pk=kept.pk).update(instructions="已有的要求")
    history_rows = plain.history.count()

    importlib.import_module("supervision.migrations.0010_order_instructions").copy_issue_comments(apps, None)

    for order in (worded, plain, kept):
        order.refresh_from_db()
    assert plain.instructions == "请整改并拍照"
    assert plain.transitions.get().comment == "请整改并拍照"  # the timeline keeps its row
    assert plain.history.count() == history_rows  # copying is no change of the order
    assert worded.instructions == ""  # a note the application wrote is not an instruction
    assert kept.instructions == "已有的要求"
