"""The effectiveness check (效果评价) before an order is closed for good: the check date on
verification (default by category and severity, never in the past), the supervisor's queue and the
reminder, effective closes, not effective reopens with the history kept, a recurrence before the
check fails it automatically, two supervisors at once: one wins; and the figures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from supervision import selectors, services, tasks
from supervision.errors import ActionNotAllowed
from supervision.models import (
    Notification,
    NotificationKind,
    OrderStatus,
    OrderTerm,
    OrderTransition,
    RectificationOrder,
    Severity,
    SiteConfig,
)
from tests.factories import category, make_finding

pytestmark = pytest.mark.django_db


def _verified(neike, supervisor, head_neike, *, check_due=None, category_code="attitude", **kw):
    order = make_finding(department=neike, found_by=supervisor, category_code=category_code, **kw).order
    order = services.order_acknowledge(order=order, actor=head_neike)
    order = services.order_submit(
        order=order, actor=head_neike, cause="培训不足", corrective_action="全员培训"
    )
    return services.order_verify(order=order, actor=supervisor, check_due=check_due)


def test_verification_sets_the_check_date_from_the_most_specific_rule(neike, supervisor, head_neike):
    today = timezone.localdate()
    config = SiteConfig.get()
    config.default_check_days = 45
    config.save()
    assert _verified(neike, supervisor, head_neike).check_due == today + dt.timedelta(days=45)
    OrderTerm.objects.create(severity=Severity.SERIOUS, check_days=14)
    OrderTerm.objects.create(category=category("attitude"), check_days=60)
    OrderTerm.objects.create(category=category("attitude"), severity=Severity.SERIOUS, check_days=20)
    assert _verified(neike, supervisor, head_neike).check_due == today + dt.timedelta(days=60)
    serious = _verified(neike, supervisor, head_neike, severity=Severity.SERIOUS)
    assert serious.check_due == today + dt.timedelta(days=20)
    other = _verified(neike, supervisor, head_neike, category_code="hygiene", severity=Severity.SERIOUS)
    assert other.check_due == today + dt.timedelta(days=14)


def test_the_deadline_follows_the_rules_by_severity(neike, supervisor):
    OrderTerm.objects.create(severity=Severity.SERIOUS, deadline_days=3)
    today = timezone.localdate()
    finding = make_finding(
        department=neike, found_by=supervisor, severity=Severity.SERIOUS, needs_rectification=False
    )
    order = services.order_issue(finding=finding, actor=supervisor)
    assert order.deadline == today + dt.timedelta(days=3)


def test_a_check_date_in_the_past_is_refused_and_changes_nothing(client_for, neike, supervisor, head_neike):
    order = make_finding(department=neike, found_by=supervisor).order
    order = services.order_acknowledge(order=order, actor=head_neike)
    order = services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="a")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="cannot be in the past"):
        services.order_verify(order=order, actor=supervisor, check_due=yesterday)
    response = client_for(supervisor).post(
        reverse("order_action", args=[order.pk, "verify"]), {"verify-check_due": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert "效果评价日期不能早于今天" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and order.check_due is None


def test_effective_is_recorded_from_the_check_date_and_closes_for_good(neike, supervisor, head_neike):
    today = timezone.localdate()
    order = _verified(neike, supervisor, head_neike, check_due=today + dt.timedelta(days=30))
    assert order.is_open is False  # no deadline, no reminders, no ladder while awaiting the check
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="due on"):
        services.order_check(order=order, actor=supervisor, effective=True)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        order = services.order_check(order=order, actor=supervisor, effective=True, comment="复查未再发生")
    assert order.status == OrderStatus.CLOSED
    assert list(order.transitions.values_list("action", "to_status"))[-2:] == [
        ("verify", "verified"),
        ("check_effective", "closed"),
    ]


def test_not_effective_reopens_the_same_order_with_a_new_deadline_and_keeps_its_history(
    neike, supervisor, head_neike
):
    today = timezone.localdate()
    order = _verified(neike, supervisor, head_neike)
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="did not hold"):
        services.order_check(order=order, actor=supervisor, effective=False, comment=" ")
    order = services.order_check(
        order=order,
        actor=supervisor,
        effective=False,
        comment="复查仍有态度问题",
        deadline=today + dt.timedelta(days=5),
    )
    assert (order.status, order.deadline, order.check_due, order.closed_at) == (
        OrderStatus.RETURNED,
        today + dt.timedelta(days=5),
        None,
        None,
    )
    assert [a for (a,) in order.transitions.values_list("action")] == [
        "issue",
        "acknowledge",
        "submit",
        "verify",
        "check_ineffective",
    ]
    assert Notification.objects.filter(recipient=head_neike, title_key="order.reopened").exists()
    # The department works the same order again: its action (back in progress) done again, submit,
    # verify, check.
    services.corrective_action_complete(
        corrective_action=order.actions.get(), actor=head_neike, result="再培训"
    )
    order = services.order_submit(order=order, actor=head_neike, cause="c", corrective_action="再培训")
    assert services.order_verify(order=order, actor=supervisor).status == OrderStatus.VERIFIED


def test_the_same_problem_found_again_before_the_check_counts_as_not_effective(
    neike, waike, supervisor, head_neike
):
    order = _verified(neike, supervisor, head_neike)
    make_finding(department=waike, found_by=supervisor)  # another department: no effect
    make_finding(department=neike, found_by=supervisor, category_code="hygiene")  # another problem
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED

    again = make_finding(department=neike, found_by=supervisor)
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert order.deadline == timezone.localdate() + dt.timedelta(days=SiteConfig.get().default_deadline_days)
    last = OrderTransition.objects.filter(order=order).latest("id")
    assert (last.action, last.actor, last.from_status) == ("check_ineffective", None, "verified")
    with translation.override("zh-hans"):
        assert again.number in last.comment_text and "效果评价前再次发现同类问题" in last.comment_text
    # The recurrence is a finding with an order of its own, linked as a recurrence.
    assert again.recurrence_of_id is not None and again.order.status == OrderStatus.ISSUED
    counts = selectors.order_counts(RectificationOrder.objects.filter(pk=order.pk))
    assert (counts.effective, counts.evaluated, counts.effectiveness_rate) == (0, 1, 0.0)


def test_a_problem_found_after_the_check_date_does_not_reopen(neike, supervisor, head_neike):
    today = timezone.localdate()
    order = _verified(neike, supervisor, head_neike, check_due=today)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        make_finding(department=neike, found_by=supervisor)
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED  # overdue check, but the window has passed


def test_checks_due_appear_in_the_queue_and_the_reminder_goes_once_to_the_verifier(
    client_for, neike, supervisor, head_neike, waike, head_waike
):
    today = timezone.localdate()
    due = _verified(neike, supervisor, head_neike, check_due=today)
    # Another problem: the same one would count as a recurrence and reopen the first.
    later = _verified(
        neike, supervisor, head_neike, check_due=today + dt.timedelta(days=9), category_code="hygiene"
    )
    assert tasks.remind_checks_due.delay(today.isoformat()).get() == 1
    assert services.orders_remind_checks_due(today=today) == 0
    notice = Notification.objects.get(kind=NotificationKind.CHECK_DUE)
    assert notice.recipient == supervisor and notice.params["number"] == due.number

    html = client_for(supervisor).get(reverse("order_checks")).content.decode()
    assert html.index(due.number) < html.index(later.number)
    assert "1 项效果评价已到期" in html
    assert due.number not in client_for(head_waike).get(reverse("order_checks")).content.decode()
    page = client_for(supervisor).get(reverse("finding_detail", args=[due.finding_id])).content.decode()
    assert 'data-action="check_effective"' in page and 'data-action="check_ineffective"' in page
    page = client_for(supervisor).get(reverse("finding_detail", args=[later.finding_id])).content.decode()
    assert 'data-action="check_effective"' not in page and 'data-action="check_ineffective"' in page


def test_the_check_queue_keeps_its_query_count_with_more_orders(
    client_for, neike, supervisor, head_neike, django_assert_max_num_queries
):
    client = client_for(supervisor)
    _verified(neike, supervisor, head_neike)
    client.get(reverse("order_checks"))
    for code in ("hygiene", "privacy", "waiting", "logistics"):  # different problems, none a recurrence
        _verified(neike, supervisor, head_neike, category_code=code)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("order_checks")).status_code == 200


@pytest.mark.race
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_supervisors_recording_the_same_check_one_wins_the_other_is_told(
    neike, supervisor, head_neike, administrator
):
    from tests.factories import UserFactory

    other = UserFactory(username="supervisor2", full_name="吴督察", roles=["supervisor"])
    order = _verified(neike, supervisor, head_neike, check_due=timezone.localdate())
    barrier = threading.Barrier(2)
    outcomes = {}

    def press(actor, effective):
        try:
            barrier.wait(timeout=10)
            stale = RectificationOrder.objects.get(pk=order.pk)
            with translation.override("en"):
                services.order_check(order=stale, actor=actor, effective=effective, comment="复查")
            outcomes[actor.username] = "ok"
        except ActionNotAllowed as exc:
            outcomes[actor.username] = str(exc.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press, args=(supervisor, True)),
        threading.Thread(target=press, args=(other, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True]
    refusal = next(v for v in outcomes.values() if v != "ok")
    assert "not possible while the order is" in refusal  # told the order has moved on
    assert OrderTransition.objects.filter(order=order, action__startswith="check_").count() == 1


def test_figures_count_checks_exactly_and_orders_awaiting_one(neike, supervisor, head_neike):
    today = timezone.localdate()
    # Four different problems, so that none is a recurrence of another.
    passed = [
        _verified(neike, supervisor, head_neike, check_due=today, category_code=c)
        for c in ("attitude", "hygiene")
    ]
    for order in passed:
        services.order_check(order=order, actor=supervisor, effective=True)
    failed = _verified(neike, supervisor, head_neike, category_code="privacy")
    services.order_check(order=failed, actor=supervisor, effective=False, comment="再次发生")
    _verified(neike, supervisor, head_neike, category_code="waiting")  # awaiting its check
    counts = selectors.order_counts(RectificationOrder.objects.all())
    assert (counts.effective, counts.evaluated, counts.awaiting_check) == (2, 3, 1)
    assert counts.effectiveness_rate == pytest.approx(200 / 3)  # exact: rounded only where shown
    assert counts.closed == 3  # rectified: two closed for good, one awaiting its check


# --- a failed check reopens the corrective actions ----------------------------------------------


def _verified_with_two_actions(neike, supervisor, head_neike, category_code="attitude"):
    from tests.factories import StaffFactory

    order = make_finding(department=neike, found_by=supervisor, category_code=category_code).order
    order = services.order_acknowledge(order=order, actor=head_neike)
    owner = StaffFactory(department=neike)
    due = order.deadline
    actions = [
        services.order_plan_action(order=order, actor=head_neike, description=text, owner=owner, due_date=due)
        for text in ("全员培训", "修订告知流程")
    ]
    for action in actions:
        services.corrective_action_complete(corrective_action=action, actor=head_neike, result="已完成")
    order = services.order_submit(order=order, actor=head_neike, cause="培训不足")
    return services.order_verify(order=order, actor=supervisor), actions


def test_not_effective_reopens_the_actions_it_names_and_the_order_waits_for_them(
    neike, supervisor, head_neike
):
    order, (training, process) = _verified_with_two_actions(neike, supervisor, head_neike)
    order = services.order_check(
        order=order, actor=supervisor, effective=False, comment="复查仍未告知风险", redo=[process]
    )
    training.refresh_from_db()
    process.refresh_from_db()
    assert (training.status, process.status) == ("done", "in_progress")
    last = process.transitions.latest("id")
    assert (last.action, last.actor, last.comment) == ("redo", supervisor, "复查仍未告知风险")
    # One of the two is not done: the English agrees with the count, the Chinese names both.
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="is done: 1 of 2 is not\\."):
        services.order_submit(order=order, actor=head_neike, cause="c")
    with translation.override("zh-hans"), pytest.raises(ActionNotAllowed, match="2 项中还有 1 项未完成"):
        services.order_submit(order=order, actor=head_neike, cause="c")
    services.corrective_action_complete(corrective_action=process, actor=head_neike, result="流程已修订")
    assert services.order_submit(order=order, actor=head_neike, cause="c").status == OrderStatus.SUBMITTED


def test_not_effective_naming_no_action_reopens_every_done_action_and_so_does_a_recurrence(
    neike, supervisor, head_neike
):
    order, _actions = _verified_with_two_actions(neike, supervisor, head_neike)
    services.order_check(order=order, actor=supervisor, effective=False, comment="复查无效")
    assert {a.status for a in order.actions.all()} == {"in_progress"}

    order, _actions = _verified_with_two_actions(neike, supervisor, head_neike)
    make_finding(department=neike, found_by=supervisor)  # the same problem again before the check
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert {a.status for a in order.actions.all()} == {"in_progress"}
    assert {a.transitions.latest("id").actor for a in order.actions.all()} == {None}  # the system


def test_an_action_of_another_order_is_refused_and_changes_nothing(neike, supervisor, head_neike):
    order, _actions = _verified_with_two_actions(neike, supervisor, head_neike)
    # Another problem (a finding of the same one would fail the first order's check by recurrence).
    _other, (foreign, _x) = _verified_with_two_actions(neike, supervisor, head_neike, category_code="hygiene")
    with translation.override("en"), pytest.raises(ActionNotAllowed, match="only actions of this order"):
        services.order_check(order=order, actor=supervisor, effective=False, comment="x", redo=[foreign])
    order.refresh_from_db()
    foreign.refresh_from_db()
    assert (order.status, foreign.status) == (OrderStatus.VERIFIED, "done")


def test_the_check_form_on_the_page_names_the_actions_to_reopen(
    client_for, neike, supervisor, head_neike, head_waike, volunteer
):
    order, (training, process) = _verified_with_two_actions(neike, supervisor, head_neike)
    page = client_for(supervisor).get(order.finding.get_absolute_url()).content.decode()
    assert 'name="check_ineffective-redo"' in page and "修订告知流程" in page
    url = reverse("order_action", args=[order.pk, "check_ineffective"])
    data = {
        "check_ineffective-comment": "复查仍未告知风险",
        "check_ineffective-deadline": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "check_ineffective-redo": [process.pk],
    }
    assert client_for(volunteer).post(url, data).status_code == 403
    assert client_for(head_waike).post(url, data).status_code == 404
    client_for(head_neike).post(url, data)  # a head may not record the check: refused, nothing changes
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFIED
    response = client_for(supervisor).post(url, data)
    assert response.status_code == 302
    process.refresh_from_db()
    training.refresh_from_db()
    assert (training.status, process.status) == ("done", "in_progress")
