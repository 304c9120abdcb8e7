"""Alerts on unhappy patients in the core (issue 17 item 3): raising once per source, the service
recovery on the one workflow engine, do-not-contact through the channel contract, the figures,
the notices of a burst, and the pages (allowed, forbidden, other department, query count)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from supervision import selectors, services
from supervision.channels import Channel, registered
from supervision.errors import ActionNotAllowed
from supervision.models import Alert, AlertKind, AlertOutcome, AlertStatus, Notification, NotificationKind
from supervision.workflow import allowed_actions
from tests.factories import DischargeStayFactory

pytestmark = pytest.mark.django_db


def _raise(department, *, stay="new", source=None, due=None, now=None):
    stay = DischargeStayFactory(department=department) if stay == "new" else stay
    source = source or stay or DischargeStayFactory(department=department)
    return services.alert_raise(
        kind=AlertKind.SURVEY_LOW_SCORE,
        source=source,
        department=department,
        due_on=due or timezone.localdate() + dt.timedelta(days=2),
        stay=stay,
        lowest_score=1,
        items=["医护人员态度"],
        now=now,
    )


def test_an_alert_is_raised_once_per_source_and_notifies_the_head_and_the_office(
    neike, head_neike, head_waike, supervisor
):
    stay = DischargeStayFactory(department=neike)
    alert, created = _raise(neike, stay=stay)
    again, created_again = _raise(neike, stay=stay)
    assert created and not created_again and again.pk == alert.pk
    assert Alert.objects.count() == 1
    told = set(
        Notification.objects.filter(kind=NotificationKind.ALERT).values_list("recipient__username", flat=True)
    )
    assert told == {"head-neike", "supervisor"}  # not the other department's head
    assert [t.action for t in alert.transitions.all()] == ["raise"]


def test_a_burst_of_alerts_tells_each_person_once_until_they_read_it(neike, head_neike, supervisor):
    for _ in range(30):
        _raise(neike)
    assert Alert.objects.count() == 30
    assert Notification.objects.filter(kind=NotificationKind.ALERT, recipient=supervisor).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.ALERT, recipient=head_neike).count() == 1
    services.notification_mark_read(user=supervisor)
    _raise(neike)
    # Read: the next alert is news again for the supervisor; the head still has one unread.
    assert Notification.objects.filter(kind=NotificationKind.ALERT, recipient=supervisor).count() == 2
    assert Notification.objects.filter(kind=NotificationKind.ALERT, recipient=head_neike).count() == 1


def test_alert_contact_then_close_writes_the_history_and_the_figures(neike, head_neike, supervisor):
    raised = timezone.now() - dt.timedelta(hours=30)
    alert, _ = _raise(neike, now=raised)
    assert [a.name for a in allowed_actions(alert, head_neike)] == ["contact", "close"]
    with pytest.raises(ActionNotAllowed):  # an outcome of a talk before any talk
        services.alert_close(alert=alert, actor=head_neike, action_taken="x", outcome=AlertOutcome.RESOLVED)
    alert = services.alert_contact(alert=alert, actor=head_neike, contact_note="护士解释了换药时间，患者接受")
    assert alert.status == AlertStatus.CONTACTED
    alert = services.alert_close(
        alert=alert,
        actor=supervisor,
        action_taken="科室晨会通报，调整换药流程",
        outcome=AlertOutcome.RESOLVED,
    )
    assert alert.status == AlertStatus.CLOSED and alert.closed_by == supervisor
    assert [t.action for t in alert.transitions.all()] == ["raise", "contact", "close"]
    assert allowed_actions(alert, supervisor) == []

    today = timezone.localdate()
    f = selectors.alert_figures(start=today - dt.timedelta(days=5), end=today)
    assert (f["raised"], f["open"], f["contacted"], f["on_time"], f["closed"]) == (1, 0, 1, 1, 1)
    assert float(f["on_time_rate"]) == 100.0
    assert 29.9 < float(f["recovery_hours"]) < 30.1
    assert {o["outcome"]: o["count"] for o in f["outcomes"]}[AlertOutcome.RESOLVED] == 1


def test_alert_figures_count_late_and_overdue_alerts_exactly(neike, head_neike):
    today = timezone.localdate()
    late, _ = _raise(neike, due=today - dt.timedelta(days=3), now=timezone.now() - dt.timedelta(days=4))
    services.alert_contact(alert=late, actor=head_neike, contact_note="已电话致歉")
    _raise(neike, due=today - dt.timedelta(days=1))  # open and past its day
    _raise(neike)  # open, still in time
    f = selectors.alert_figures(start=today - dt.timedelta(days=10), end=today, departments=[neike.pk])
    assert (f["raised"], f["contacted"], f["on_time"], f["overdue"], f["contactable"]) == (3, 1, 0, 1, 3)
    # the one still within its day is in neither count of the rate
    assert f["on_time_rate"].numerator == 0 and f["on_time_rate"].denominator == 2
    assert selectors.alert_figures(start=today, end=today, departments=[])["raised"] == 0


def test_a_patient_who_asked_not_to_be_contacted_is_never_contacted(neike, head_neike):
    alert, _ = _raise(neike)
    blocked = Channel(app="tests_dnc", do_not_contact=lambda stay: stay.pk == alert.stay_id)
    with registered(blocked):
        assert [a.name for a in allowed_actions(alert, head_neike)] == ["close"]
        with pytest.raises(ActionNotAllowed, match="患者已要求不再联系"):
            services.alert_contact(alert=alert, actor=head_neike, contact_note="打了电话")
        with pytest.raises(ActionNotAllowed):  # nobody tried: "could not be reached" would be untrue
            services.alert_close(
                alert=alert, actor=head_neike, action_taken="x", outcome=AlertOutcome.NOT_REACHED
            )
        alert = services.alert_close(
            alert=alert, actor=head_neike, action_taken="病区整改", outcome=AlertOutcome.NOT_CONTACTED
        )
    assert alert.contacted_at is None and alert.status == AlertStatus.CLOSED


def test_an_anonymous_questionnaire_has_nobody_to_contact(neike, head_neike):
    alert, _ = _raise(neike, stay=None, source=DischargeStayFactory(department=neike))
    with override("en"):
        assert "anonymous" in services.alert_contact_refusal(alert)
    with pytest.raises(ActionNotAllowed):
        services.alert_contact(alert=alert, actor=head_neike, contact_note="x")


def test_another_departments_head_may_not_act_on_the_alert(neike, head_waike):
    alert, _ = _raise(neike)
    assert allowed_actions(alert, head_waike) == []
    with pytest.raises(ActionNotAllowed):
        services.alert_contact(alert=alert, actor=head_waike, contact_note="x")


# --- pages -------------------------------------------------------------------------------------


def test_alert_list_for_the_office_and_the_head_counts_only_their_departments(
    client_for, neike, waike, supervisor, head_neike, head_waike, administrator
):
    _raise(neike)
    _raise(waike)
    url = reverse("alert_list")
    page = client_for(supervisor).get(url)
    assert page.status_code == 200 and page.context["figures"]["raised"] == 2
    assert len(page.context["page"].object_list) == 2
    page = client_for(head_neike).get(url)
    assert page.context["figures"]["raised"] == 1
    assert [a.department_id for a in page.context["page"].object_list] == [neike.pk]
    assert client_for(administrator).get(url).status_code == 200


def test_alert_pages_are_forbidden_to_callers_and_volunteers(client_for, neike, caller, volunteer):
    alert, _ = _raise(neike)
    for user in (caller, volunteer):
        c = client_for(user)
        assert c.get(reverse("alert_list")).status_code == 403
        assert c.get(reverse("alert_detail", args=[alert.pk])).status_code == 403
        assert c.post(reverse("alert_action", args=[alert.pk, "contact"])).status_code == 403


def test_another_departments_alert_is_a_404(client_for, neike, head_waike):
    alert, _ = _raise(neike)
    c = client_for(head_waike)
    assert c.get(reverse("alert_detail", args=[alert.pk])).status_code == 404
    assert (
        c.post(reverse("alert_action", args=[alert.pk, "contact"]), {"contact-contact_note": "x"}).status_code
        == 404
    )


def test_the_head_records_the_contact_and_closes_from_the_page(client_for, neike, head_neike):
    alert, _ = _raise(neike)
    c = client_for(head_neike)
    page = c.get(reverse("alert_detail", args=[alert.pk]))
    assert [b.name for b in page.context["actions"]] == ["contact", "close"]
    bad = c.post(reverse("alert_action", args=[alert.pk, "contact"]), {"contact-contact_note": ""})
    assert bad.status_code == 400
    c.post(reverse("alert_action", args=[alert.pk, "contact"]), {"contact-contact_note": "患者表示理解"})
    c.post(
        reverse("alert_action", args=[alert.pk, "close"]),
        {"close-action_taken": "科室内通报", "close-outcome": AlertOutcome.RESOLVED},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.contact_note == "患者表示理解"


def test_alert_pages_query_counts_do_not_grow_with_alerts(
    client_for, neike, supervisor, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(supervisor)
    first, _ = _raise(neike)
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("alert_list"))
        c.get(reverse("alert_detail", args=[first.pk]))
    for _ in range(15):
        services.alert_contact(alert=_raise(neike)[0], actor=supervisor, contact_note="已联系")
    with django_assert_max_num_queries(len(few)):
        c.get(reverse("alert_list"))
        c.get(reverse("alert_detail", args=[first.pk]))


# The alert machine's table, written out by hand: status → persona → the buttons shown.
ALERT_SPEC = {
    AlertStatus.OPEN: {"supervisor": ["contact", "close"], "head_neike": ["contact", "close"]},
    AlertStatus.CONTACTED: {"supervisor": ["close"], "head_neike": ["close"]},
    AlertStatus.CLOSED: {},
}


@pytest.mark.parametrize("status", list(ALERT_SPEC))
def test_the_alert_machine_matches_its_hand_written_table(
    status, neike, supervisor, head_neike, head_waike, administrator, caller, volunteer
):
    alert, _ = _raise(neike)
    Alert.objects.filter(pk=alert.pk).update(status=status)
    alert.refresh_from_db()
    people = {
        "supervisor": supervisor,
        "head_neike": head_neike,
        "head_waike": head_waike,
        "administrator": administrator,
        "caller": caller,
        "volunteer": volunteer,
    }
    for name, user in people.items():
        assert [a.name for a in allowed_actions(alert, user)] == ALERT_SPEC[status].get(name, []), name


def test_the_supervisors_queue_counts_the_alerts_not_yet_handled(neike, waike, supervisor, head_neike):
    from supervision import queues

    _raise(neike)
    _raise(waike)
    closed, _ = _raise(neike)
    services.alert_close(
        alert=closed, actor=supervisor, action_taken="已处理", outcome=AlertOutcome.NOT_REACHED
    )
    entry = next(e for e in queues.needs_me_now(supervisor) if e.key == "alerts_unhandled")
    assert entry.count == 2 and entry.url.startswith(reverse("alert_list"))


# --- the patient's phone: masked, revealed to whoever may contact, logged (issue 17) -------------


def test_the_alert_page_masks_the_phone_and_reveals_it_to_those_who_may_contact_logged(
    client_for, neike, head_neike, head_waike, supervisor, administrator, caller
):
    from supervision.models import RevealLog

    stay = DischargeStayFactory(department=neike, phone="13800138000")
    alert, _created = _raise(neike, stay=stay)
    page = client_for(head_neike).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    url = reverse("alert_reveal", args=[alert.pk])
    assert url in page
    shown = client_for(head_neike).post(url)
    assert shown.status_code == 200 and "13800138000" in shown.content.decode()
    assert client_for(supervisor).post(url).status_code == 200
    log = RevealLog.objects.order_by("id")
    assert [(r.user, r.field, r.subject) for r in log] == [
        (head_neike, "phone", stay),
        (supervisor, "phone", stay),
    ]
    assert {r.purpose for r in log} == {"reveal.alert_recovery"}  # worded for whoever reads the log
    # The administrator reads alerts but does not contact patients: masked, no button, refused.
    page = client_for(administrator).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "138****8000" in page and url not in page
    assert client_for(administrator).post(url).status_code == 403
    assert client_for(caller).post(url).status_code == 403
    assert client_for(head_waike).post(url).status_code == 404  # another department's alert
    assert client_for(head_neike).get(url).status_code == 405  # a reveal is a POST
    assert RevealLog.objects.count() == 2


def test_no_reveal_once_contacted_or_for_a_patient_who_must_not_be_contacted(client_for, neike, head_neike):
    from supervision.models import RevealLog

    alert, _created = _raise(neike)
    services.alert_contact(alert=alert, actor=head_neike, contact_note="已致歉")
    url = reverse("alert_reveal", args=[alert.pk])
    assert url not in client_for(head_neike).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert client_for(head_neike).post(url).status_code == 403
    refused = _raise(neike)[0]
    with registered(Channel(app="never_call", do_not_contact=lambda stay: True)):
        assert client_for(head_neike).post(reverse("alert_reveal", args=[refused.pk])).status_code == 403
    assert not RevealLog.objects.exists()


def test_revealing_the_phone_costs_the_same_queries_with_many_alerts(
    client_for, neike, head_neike, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(head_neike)
    first, _ = _raise(neike)
    client.post(reverse("alert_reveal", args=[first.pk]))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.post(reverse("alert_reveal", args=[first.pk])).status_code == 200
    for _ in range(15):
        _raise(neike)
    with django_assert_max_num_queries(len(few)):
        assert client.post(reverse("alert_reveal", args=[first.pk])).status_code == 200


def test_alert_figures_equal_their_definitions_alert_by_alert(neike, waike):
    """``alert_figures`` counts grouped alerts (one query): every figure equals its definition worked
    out alert by alert here, over alerts of every kind, status, outcome, contact time and day due."""
    import itertools
    from fractions import Fraction

    from supervision.rates import rate

    today = timezone.localdate()
    cases = list(
        itertools.product(
            AlertKind.values,
            AlertStatus.values,
            ["", AlertOutcome.RESOLVED, AlertOutcome.NOT_CONTACTED, AlertOutcome.NOT_REACHED],
            [None, 0, 2],  # contacted that many days after the alert was raised (hours added below)
            [-3, 0, 1],  # the day due, from today
        )
    )[::7]
    for i, (kind, status, outcome, contacted, due) in enumerate(cases):
        alert, _ = _raise(neike if i % 3 else waike, due=today + dt.timedelta(days=due))
        fields = {"kind": kind, "status": status, "outcome": outcome}
        if contacted is not None:
            fields["contacted_at"] = alert.raised_at + dt.timedelta(days=contacted, hours=i % 5, minutes=i)
        Alert.objects.filter(pk=alert.pk).update(**fields)
    for departments in (None, [neike.pk], []):
        alerts = list(
            Alert.objects.filter(department__in=departments)
            if departments is not None
            else Alert.objects.all()
        )
        reached = [a for a in alerts if a.contacted_at is not None]
        on_time = [a for a in reached if timezone.localtime(a.contacted_at).date() <= a.due_on]
        nobody = [a for a in alerts if a.outcome == AlertOutcome.NOT_CONTACTED]
        due_now = [a for a in alerts if a in reached or (a.due_on < today and a not in nobody)]
        closed = [a for a in alerts if a.status == AlertStatus.CLOSED]
        seconds = sum((a.contacted_at - a.raised_at).total_seconds() for a in reached)
        f = selectors.alert_figures(start=today - dt.timedelta(days=10), end=today, departments=departments)
        assert {key: f[key] for key in ("raised", "survey", "call", "open", "contacted", "on_time")} == {
            "raised": len(alerts),
            "survey": sum(a.kind == AlertKind.SURVEY_LOW_SCORE for a in alerts),
            "call": sum(a.kind == AlertKind.CALL_NOT_SATISFIED for a in alerts),
            "open": sum(a.status != AlertStatus.CLOSED for a in alerts),
            "contacted": len(reached),
            "on_time": len(on_time),
        }
        assert (f["not_contactable"], f["contactable"], f["due"], f["closed"]) == (
            len(nobody),
            len(alerts) - len(nobody),
            len(due_now),
            len(closed),
        )
        assert f["overdue"] == sum(a.status == AlertStatus.OPEN and a.due_on < today for a in alerts)
        expected_rate = rate(len(on_time), len(due_now))
        assert (f["on_time_rate"] and f["on_time_rate"].exact) == (expected_rate and expected_rate.exact)
        hours = f["recovery_hours"]
        assert (hours and hours.exact) == (
            Fraction(round(seconds)) / 3600 / len(reached) if reached else None
        )
        assert {o["outcome"]: o["count"] for o in f["outcomes"]} == {
            value: sum(a.outcome == value for a in closed) for value in AlertOutcome.values
        }
        if departments is None:  # the set is varied enough to tell the figures apart
            assert len(alerts) >= 30 and 0 < len(reached) < len(alerts) and 0 < len(closed) < len(alerts)


def test_alert_list_rows_drawn_once_per_content_show_the_alerts_state_in_the_readers_language(
    client_for, neike, supervisor
):
    """Rows come from the row cache (supervision.infra.fragments) keyed by their values and the
    language: a row past its day is marked, and a contact recorded redraws it with its new status."""
    from supervision.models import User

    alert, _ = _raise(neike, due=timezone.localdate() - dt.timedelta(days=1))
    c = client_for(supervisor)
    url = reverse("alert_list") + "?status=all"
    first = c.get(url).content.decode()
    assert 'class="table-danger"' in first and "待联系" in first and "满意度调查低分" in first
    rows = first.split("<tbody>")[1].split("</tbody>")[0]
    assert rows == c.get(url).content.decode().split("<tbody>")[1].split("</tbody>")[0]
    services.alert_contact(alert=alert, actor=supervisor, contact_note="已联系")
    contacted = c.get(url).content.decode()
    assert 'class="table-danger"' not in contacted and "已联系患者" in contacted
    User.objects.filter(pk=supervisor.pk).update(language="en")
    english = client_for(User.objects.get(pk=supervisor.pk)).get(url).content.decode()
    assert "Patient contacted" in english and "Low survey score" in english and "已联系患者" not in english


@pytest.mark.parametrize("status", ["lost", "CLOSED", "1"])
def test_alert_list_with_a_status_that_is_not_one_lists_no_alert_and_says_why(
    client_for, neike, supervisor, head_neike, status
):
    _raise(neike)
    for user in (supervisor, head_neike):
        page = client_for(user).get(reverse("alert_list"), {"status": status})
        html = page.content.decode()
        assert page.status_code == 200 and len(page.context["page"].object_list) == 0
        assert (
            "筛选条件有误，因此不显示任何记录。请更正后重新筛选。" in html and 'id="alert-table"' not in html
        )
        assert page.context["figures"]["raised"] == 1  # this year's figures are not the list's filter


def test_alert_list_tabs_list_as_before(client_for, neike, supervisor):
    _raise(neike)
    c = client_for(supervisor)
    for status, shown in (("", 1), ("unhandled", 1), ("all", 1), (AlertStatus.CLOSED, 0)):
        page = c.get(reverse("alert_list"), {"status": status} if status else {})
        assert len(page.context["page"].object_list) == shown, status
