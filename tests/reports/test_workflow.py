"""The report's machine (reports.services.REPORTS): every (state × action × persona), the retry
button, and the history table's migration onto the engine's record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Report, ReportEvent, ReportStatus
from supervision.errors import ActionNotAllowed
from supervision.workflow import allowed_actions

from .conftest import OCT

PERSONAS = ["supervisor", "head_neike", "head_waike", "administrator", "caller", "volunteer", "schedule"]
# "stale": building, but its worker has not reported for longer than REPORTS_STALE_MINUTES.
STATES = ["queued", "building", "stale", "ready", "failed"]
SYSTEM = {"schedule"}  # the worker and the beat jobs act without a user

# The specification, written by hand: action → (states, personas, state reached).
EXPECTED = {
    "retry": ({"failed", "ready", "stale"}, {"administrator"} | SYSTEM, "queued"),
    "build": ({"queued", "stale"}, SYSTEM, "building"),
    "fail": ({"building", "stale"}, SYSTEM, "failed"),
    "finish": ({"building", "stale"}, SYSTEM, "ready"),
}


@pytest.fixture
def report(neike):
    return services.report_request(
        kind="monthly", start=OCT[0], end=OCT[1], fmt="pdf", departments=[neike], enqueue=False
    )


def _in_state(report, state):
    started = timezone.now() - dt.timedelta(hours=2 if state == "stale" else 0)
    status = ReportStatus.BUILDING if state == "stale" else state
    Report.objects.filter(pk=report.pk).update(status=status, started_at=started)
    report.refresh_from_db()
    return report


def _actor(request, persona):
    return None if persona in SYSTEM else request.getfixturevalue(persona)


def test_the_table_has_exactly_the_specified_actions():
    assert set(services.REPORTS.actions) == set(EXPECTED)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_report_action_is_allowed_exactly_for_the_specified_state_and_role(
    request, report, state, action, persona
):
    actor = _actor(request, persona)
    report = _in_state(report, state)
    before = ReportEvent.objects.filter(report=report).count()
    sources, personas, target = EXPECTED[action]
    if state in sources and persona in personas:
        services.REPORTS.transition(report, actor=actor, action=action)
        report.refresh_from_db()
        last = report.events.order_by("-id").first()
        assert report.status == target
        assert (last.action, last.from_status, last.to_status, last.actor) == (
            action,
            ReportStatus.BUILDING if state == "stale" else state,
            target,
            actor,
        )
    else:
        with pytest.raises(ActionNotAllowed) as refused:
            services.REPORTS.transition(report, actor=actor, action=action)
        assert refused.value.messages[0]
        report.refresh_from_db()
        assert report.events.count() == before
        assert report.status == (ReportStatus.BUILDING if state == "stale" else state)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["administrator", "supervisor", "head_neike"])
def test_the_buttons_shown_are_the_allowed_actions(request, client_for, report, state, persona):
    user = request.getfixturevalue(persona)
    report = _in_state(report, state)
    page = client_for(user).get(reverse("reports:detail", args=[report.pk]))
    shown = set(re.findall(r'data-action="([\w-]+)"', page.content.decode()))
    expected = {
        a for a, (sources, personas, _t) in EXPECTED.items() if state in sources and persona in personas
    }
    assert shown == {a.name for a in allowed_actions(report, user)} == expected


def test_retry_from_the_page_records_the_administrator(client_for, administrator, report):
    report = _in_state(report, "failed")
    client_for(administrator).post(reverse("reports:retry", args=[report.pk]))
    report.refresh_from_db()
    last = report.events.order_by("-id").first()
    assert (report.status, last.action, last.actor) == ("queued", "retry", administrator)


def test_a_build_that_was_queued_again_meanwhile_is_left_queued(report, administrator, monkeypatch):
    report = _in_state(report, "stale")
    claimed = services._claim(report.pk)
    assert claimed.status == ReportStatus.BUILDING

    def queued_meanwhile(content, fmt, handle):
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
        handle.write(b"%PDF-1.7")

    monkeypatch.setattr(services, "_claim", lambda report_id: claimed)
    monkeypatch.setattr(services, "render_to", queued_meanwhile)
    monkeypatch.setattr("reports.builders.build_content", lambda **kw: None)
    assert services.report_build(report_id=report.pk).status == ReportStatus.QUEUED


def test_a_requester_who_leaves_keeps_the_reports_history(report, head_neike):
    services.REPORTS.record(report, action="request", actor=head_neike, from_status="")
    head_neike.delete()
    assert ReportEvent.objects.filter(report=report).count() == 2
    assert not ReportEvent.objects.filter(actor__isnull=False).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_history_migration_keeps_every_row_and_names_its_action():
    from tests.migrating import migrate_to, restore

    try:
        old = migrate_to(("reports", "0003_scorecard_min_weight_share"))
        user = old.get_model("supervision", "User").objects.create(username="old-hand")
        report = old.get_model("reports", "Report").objects.create(
            kind="monthly", period_start=OCT[0], period_end=OCT[1], format="pdf"
        )
        events = old.get_model("reports", "ReportEvent").objects
        steps = [("", "queued", user), ("queued", "building", None), ("building", "failed", None)]
        steps += [("failed", "queued", user), ("queued", "building", None), ("building", "ready", None)]
        for from_status, to_status, actor in steps:
            events.create(
                report=report, from_status=from_status, to_status=to_status, actor=actor, comment="c"
            )
        new = migrate_to(("reports", "0004_transition_record_base"))
        rows = new.get_model("reports", "ReportEvent").objects.order_by("id")
        assert [(r.action, r.from_status, r.to_status, r.actor_id, r.comment) for r in rows] == [
            ("request", "", "queued", user.pk, "c"),
            ("build", "queued", "building", None, "c"),
            ("fail", "building", "failed", None, "c"),
            ("request", "failed", "queued", user.pk, "c"),
            ("build", "queued", "building", None, "c"),
            ("finish", "building", "ready", None, "c"),
        ]
    finally:
        restore()


def test_the_table_is_the_specification():
    from tests.workflow_checks import table_of

    assert table_of(services.REPORTS) == {
        "retry": ({"failed", "ready", "building"}, "queued", {"administrator"}, False),
        "build": ({"queued", "building"}, "building", set(), False),
        "fail": ({"building"}, "failed", set(), False),
        "finish": ({"building"}, "ready", set(), False),
    }


# The written summary's machine (reports.services.SUMMARIES), by hand: action → (states, personas).
SUMMARY_PERSONAS = ["supervisor", "head_neike", "administrator", "caller", "volunteer"]
SUMMARY_EXPECTED = {
    "save": ({"draft"}, {"supervisor", "administrator"}),
    "regenerate": ({"draft"}, {"supervisor", "administrator"}),
    "finalise": ({"draft"}, {"supervisor", "administrator"}),
}


@pytest.mark.parametrize("state", ["draft", "final"])
def test_the_written_summary_machine_allows_exactly_its_specification(state, request, neike):
    from reports.models import WrittenSummary

    summary = WrittenSummary.objects.create(
        kind="range", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31), status=state
    )
    summary.departments.set([neike])
    for persona in SUMMARY_PERSONAS:
        user = request.getfixturevalue(persona)
        allowed = {a.name for a in allowed_actions(summary, user)}
        expected = {a for a, (states, who) in SUMMARY_EXPECTED.items() if state in states and persona in who}
        assert allowed == expected, (state, persona)
        for action in SUMMARY_EXPECTED:
            assert services.SUMMARIES.allowed(summary, user, action) == (action in expected)
