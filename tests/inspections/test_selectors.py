"""Figures with hand counts: rounds, coverage, findings by category, waiting times, hand hygiene, charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from inspections import selectors, services
from inspections.models import ChartCriterion, CriterionLevel, ItemKind
from supervision.models import Department, OrderStatus, RectificationOrder
from tests.factories import DischargeStayFactory

from .factories import answer_all, make_template, start_round

TZ = timezone.get_current_timezone()
DAY = dt.date(2026, 10, 15)
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def at(day: dt.date, hour=10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def submitted(actor, department, results, *, template=None, day=DAY, round_type="routine", **kw):
    rnd = start_round(
        actor=actor, department=department, template=template, started_at=at(day), round_type=round_type
    )
    answer_all(rnd, actor, results, **kw)
    return services.round_submit(rnd=rnd, actor=actor)


def test_rounds_by_department_and_type(supervisor, neike, waike):
    template = make_template()
    submitted(supervisor, neike, ["pass", "pass", "fail"], template=template)  # 66.7
    submitted(supervisor, neike, ["pass", "pass", "pass"], template=template, round_type="night")  # 100
    submitted(supervisor, waike, ["pass", "na", "na"], template=template, round_type="unannounced")
    submitted(
        supervisor, waike, ["pass", "pass", "pass"], template=template, day=dt.date(2026, 11, 1)
    )  # outside
    start_round(
        actor=supervisor, department=waike, template=template, started_at=at(DAY)
    )  # draft: not counted
    rows = {r["department"]: r for r in selectors.rounds_by_department_and_type(start=START, end=END)}
    assert rows["内科"]["total"] == 2 and rows["内科"]["by_type"]["night"] == 1
    assert rows["内科"]["avg_score"] == 83.3 and rows["内科"]["failed_items"] == 1
    assert rows["外科"]["total"] == 1 and rows["外科"]["by_type"]["unannounced"] == 1
    assert selectors.rounds_by_type(start=START, end=END) == {
        "routine": 1,
        "unannounced": 1,
        "night": 1,
        "special": 0,
    }
    only = selectors.rounds_by_department_and_type(start=START, end=END, departments=[waike.pk])
    assert [r["department"] for r in only] == ["外科"]


def test_coverage_lists_departments_not_inspected_and_highlights_support_and_windows(
    supervisor, neike, waike, guahao, baojie
):
    services.plan_set(month=START, counts={neike.pk: 2, guahao.pk: 1, baojie.pk: 1}, actor=supervisor)
    submitted(supervisor, neike, ["pass", "pass", "pass"])
    rows = {r["department"]: r for r in selectors.coverage(start=START, end=END)}
    assert rows["内科"]["covered"] and rows["内科"]["done"] == 1 and rows["内科"]["behind"]
    assert not rows["外科"]["covered"] and rows["外科"]["planned"] == 0 and not rows["外科"]["highlight"]
    assert not rows["挂号处"]["covered"] and rows["挂号处"]["highlight"]
    assert rows["保洁"]["highlight"]
    summary = selectors.coverage_summary(list(rows.values()))
    assert (
        summary["covered"] == 1
        and summary["not_covered"] == Department.objects.filter(active=True).count() - 1
    )
    assert summary["planned"] == 4 and summary["done"] == 1


def test_findings_by_category_counts_inspection_findings_only(supervisor, neike):
    template = make_template(
        items=[("attitude", ItemKind.CHECK), ("hygiene", ItemKind.CHECK), ("hygiene", ItemKind.CHECK)]
    )
    submitted(supervisor, neike, ["fail", "fail", "fail"], template=template)
    rows = {r["category_code"]: r["n"] for r in selectors.findings_by_category(start=START, end=END)}
    assert rows == {"attitude": 1, "hygiene": 2}


def test_window_waiting_average_percentile_and_max(supervisor, guahao, config):
    template = make_template(items=[("waiting", ItemKind.WAIT_TIME)], area="registration")
    minutes = [4, 6, 8, 9, 10, 12, 14, 15, 20, 30]
    for m in minutes:
        rnd = start_round(actor=supervisor, department=guahao, template=template, started_at=at(DAY))
        services.answer_save(rnd=rnd, item=template.items.get(), actor=supervisor, wait_minutes=Decimal(m))
        services.round_submit(rnd=rnd, actor=supervisor, choices={})
    figures = selectors.window_waiting(start=START, end=END)
    assert figures["n"] == 10
    assert figures["avg"] == 12.8  # 128 / 10
    assert figures["p90"] == 20.0  # nearest rank: ceil(0.9 × 10) = 9th value
    assert figures["max"] == 30.0
    assert figures["within_target_pct"] == 50.0  # 4, 6, 8, 9, 10
    assert figures["within_own_target_pct"] == 80.0  # … 12, 14, 15
    assert figures["by_department"][0]["over_target"]


def test_window_waiting_without_data_is_none_not_zero(db):
    figures = selectors.window_waiting(start=START, end=END)
    assert figures["n"] == 0 and figures["avg"] is None and figures["p90"] is None
    assert figures["within_target_pct"] is None


def test_hand_hygiene_compliance_sums_washes_over_opportunities(supervisor, neike, waike):
    template = make_template(items=[("quality_safety", ItemKind.HAND_HYGIENE)])
    for dept, o, w in [(neike, 10, 7), (neike, 10, 9), (waike, 5, 5)]:
        rnd = start_round(actor=supervisor, department=dept, template=template, started_at=at(DAY))
        services.answer_save(
            rnd=rnd, item=template.items.get(), actor=supervisor, hh_opportunities=o, hh_washes=w
        )
        services.round_submit(rnd=rnd, actor=supervisor, choices={})
    figures = selectors.hand_hygiene(start=START, end=END)
    assert (figures["opportunities"], figures["washes"], figures["compliance_pct"]) == (25, 21, 84.0)
    rows = {r["department"]: r["compliance_pct"] for r in figures["by_department"]}
    assert rows == {"内科": 80.0, "外科": 100.0}


def test_chart_audit_summary_counts_grades_problem_charts_and_rectification(supervisor, neike):
    for i in range(4):
        DischargeStayFactory(department=neike, admission_no=f"A{i}", discharged_on=dt.date(2026, 9, 10))
    sample, _ = services.chart_sample_draw(month=dt.date(2026, 9, 1))
    normal = ChartCriterion.objects.create(
        section="s", text="n", points=Decimal("12"), max_points=Decimal("30"), level=CriterionLevel.NORMAL
    )
    veto = ChartCriterion.objects.create(
        section="s", text="v", points=Decimal("1"), max_points=Decimal("1"), level=CriterionLevel.VETO
    )
    audits = list(sample.audits.order_by("id"))
    services.audit_complete(audit=audits[0], actor=supervisor, defects={})  # 100 A
    services.audit_complete(audit=audits[1], actor=supervisor, defects={normal.pk: (1, "")})  # 88 B, problem
    services.audit_complete(
        audit=audits[2], actor=supervisor, defects={veto.pk: (1, "")}
    )  # 99 C (veto), problem
    # audits[3] stays pending: not counted.
    order = RectificationOrder.objects.order_by("id").first()
    RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED)
    today = timezone.localdate()
    figures = selectors.chart_audit_summary(start=today, end=today)
    assert figures["audited"] == 3 and figures["problem"] == 2
    assert figures["grades"] == {"A": 1, "B": 1, "C": 1}
    assert figures["grade_a_rate"] == 100 / 3  # exact, rounded when shown
    assert figures["orders"] == 2 and figures["orders_closed"] == 1 and figures["rectification_rate"] == 50.0
    empty = selectors.chart_audit_summary(start=START, end=START)
    assert empty["audited"] == 0 and empty["grade_a_rate"] is None and empty["rectification_rate"] is None


def test_percentile_nearest_rank():
    assert selectors.percentile([], 90) is None
    assert selectors.percentile([5], 90) == 5.0
    assert selectors.percentile([1, 2, 3, 4], 50) == 2.0
