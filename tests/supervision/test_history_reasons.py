"""The change history on the finding page: a creation reads "问题 · 创建" (not "创建 · 创建"), and an
order step's reason is stored as the action's code and worded in the reader's language."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from supervision.models import OrderAction
from supervision.services import order_acknowledge, order_submit
from tests.factories import make_finding


def _history_html(client, finding) -> str:
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    return html[html.index("<details") :]


def test_a_findings_creation_says_created_once(client_for, supervisor, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    history = _history_html(client_for(supervisor), finding)
    assert "问题 · 创建" in history
    assert "创建 · 创建" not in history
    assert finding.history.earliest().history_change_reason is None


def test_an_order_steps_reason_is_its_code_worded_for_the_reader(client_for, supervisor, head_neike, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    order_acknowledge(order=finding.order, actor=head_neike)
    order_submit(order=finding.order, actor=head_neike, cause="排班不足", corrective_action="增设导医")
    assert finding.order.history.latest().history_change_reason == OrderAction.SUBMIT
    client = client_for(supervisor)
    assert " · 提交整改" in _history_html(client, finding)
    supervisor.language = "en"
    supervisor.save()
    history = _history_html(client, finding)
    assert " · Submit rectification" in history and "提交整改" not in history


def test_the_migration_turns_known_reasons_into_codes_and_keeps_unknown_ones(supervisor, head_neike, neike):
    finding = make_finding(department=neike, found_by=supervisor)
    order_acknowledge(order=finding.order, actor=head_neike)
    order_submit(order=finding.order, actor=head_neike, cause="排班不足", corrective_action="增设导医")
    created = finding.history.earliest()
    issued, acknowledged, latest = finding.order.history.order_by("history_date", "history_id")
    # The reasons as they were stored before codes: worded in the actor's language.
    for row, reason in ((created, "创建"), (issued, "Issued"), (acknowledged, "签收"), (latest, "手工更正")):
        row.history_change_reason = reason
        row.save()

    importlib.import_module("supervision.migrations.0009_stored_texts_to_keys").forwards(apps, None)

    for row in (created, issued, acknowledged, latest):
        row.refresh_from_db()
    assert created.history_change_reason is None
    assert issued.history_change_reason == "issue"
    assert acknowledged.history_change_reason == "acknowledge"
    assert latest.history_change_reason == "手工更正"
