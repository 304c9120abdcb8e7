"""Chart audits: reproducible draws, grading with vetoes and caps, problem charts, appeals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from inspections import services
from inspections.models import (
    Appeal,
    AppealStatus,
    AuditStatus,
    ChartAudit,
    ChartCriterion,
    ChartSample,
    CriterionLevel,
    Deduction,
    Grade,
    Transition,
)
from inspections.tasks import draw_chart_sample
from supervision.errors import ActionNotAllowed
from supervision.models import DischargeStay, Finding, FindingSource, StaffPosition
from tests.factories import DischargeStayFactory, StaffFactory

MONTH = dt.date(2026, 10, 1)


def _stays(department, n, *, month=MONTH, doctor="张医生"):
    return [
        DischargeStayFactory(
            department=department,
            admission_no=f"{department.code}{i:05d}",
            discharged_on=month + dt.timedelta(days=i % 28),
            attending_doctor=doctor,
        )
        for i in range(n)
    ]


def criterion(level=CriterionLevel.NORMAL, points="2", max_points="6"):
    return ChartCriterion.objects.create(
        section="测试",
        text=f"测试项 {level}",
        points=Decimal(points),
        max_points=Decimal(max_points),
        level=level,
    )


def test_same_seed_and_rule_draw_the_same_sample(neike, waike, config):
    _stays(neike, 30)
    _stays(waike, 12)
    rule = services.sample_rule(config)
    seed = services.sample_seed(MONTH)
    now = timezone.now()
    first = services.sample_draw_ids(month=MONTH, seed=seed, rule=rule, cutoff=now)
    again = services.sample_draw_ids(month=MONTH, seed=seed, rule=rule, cutoff=now)
    other = services.sample_draw_ids(month=MONTH, seed=seed + 1, rule=rule, cutoff=now)
    assert first.stay_ids == again.stay_ids and first.digest == again.digest
    assert set(first.stay_ids) != set(other.stay_ids)
    assert first.population == {"NK": 30, "WK": 12}
    assert len(first.stay_ids) == 10  # 5 per department by default


def test_stays_imported_after_the_draw_do_not_change_its_repetition(neike, supervisor):
    _stays(neike, 8)
    sample, _ = services.chart_sample_draw(month=MONTH, actor=supervisor)
    # The follow-up app's import brings late discharges of the same month afterwards.
    for i in range(5):
        DischargeStayFactory(
            department=neike,
            admission_no=f"AA{i}",
            discharged_on=MONTH,
            imported_at=timezone.now() + dt.timedelta(minutes=5),
        )
    assert services.chart_sample_verify(sample=sample)
    assert sample.population == 8 and sample.rule["population_sha256"]


def test_changed_population_is_detected_on_verification(neike, supervisor):
    stays = _stays(neike, 8)
    sample, _ = services.chart_sample_draw(month=MONTH, actor=supervisor)
    drawn = set(sample.audits.values_list("stay_id", flat=True))
    not_drawn = next(s for s in stays if s.pk not in drawn)
    DischargeStay.objects.filter(pk=not_drawn.pk).update(admission_no="CHANGED")
    assert not services.chart_sample_verify(sample=sample)


def test_seed_is_derived_from_the_month_and_stored(neike, supervisor):
    _stays(neike, 8)
    sample, created = services.chart_sample_draw(month=MONTH, actor=supervisor)
    assert created
    assert sample.seed == services.sample_seed(MONTH) == services.sample_seed(dt.date(2026, 10, 1))
    assert sample.rule["mode"] == "per_department" and sample.rule["n"] == 5
    assert "random.Random" in sample.rule["algorithm"]
    assert services.chart_sample_verify(sample=sample)


def test_drawing_a_month_twice_creates_nothing_twice(neike):
    _stays(neike, 8)
    draw_chart_sample("2026-10")
    draw_chart_sample("2026-10")
    call_command("draw_chart_sample", "--month", "2026-10")
    assert ChartSample.objects.count() == 1
    assert ChartAudit.objects.count() == 5


def test_share_rule_rounds_up_per_department(neike, waike, config):
    config.sample_share_pct = Decimal("10")
    config.save()
    _stays(neike, 31)
    _stays(waike, 4)
    sample, _ = services.chart_sample_draw(month=MONTH)
    counts = {d: sample.audits.filter(department__code=d).count() for d in ("NK", "WK")}
    assert counts == {"NK": 4, "WK": 1}  # ceil(3.1) and ceil(0.4)


def test_only_the_month_discharges_are_drawn(neike):
    _stays(neike, 3)
    _stays(neike, 3, month=dt.date(2026, 9, 1))
    DischargeStayFactory(department=neike, admission_no="X1", discharged_on=dt.date(2026, 11, 1))
    sample, _ = services.chart_sample_draw(month=MONTH)
    months = {a.stay.discharged_on.replace(day=1) for a in sample.audits.select_related("stay")}
    assert months == {MONTH} and sample.population == 3


def test_responsible_doctor_is_matched_in_the_department_roster(neike, waike):
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    StaffFactory(name="张医生", department=waike, position=StaffPosition.DOCTOR)
    _stays(neike, 2)
    sample, _ = services.chart_sample_draw(month=MONTH)
    assert {a.doctor_id for a in sample.audits.all()} == {doctor.pk}


def _audit(department):
    _stays(department, 1)
    sample, _ = services.chart_sample_draw(month=MONTH)
    return sample.audits.get()


def test_grades_by_threshold(config):
    normal = criterion(points="1", max_points="50")
    grade = lambda pts: services.chart_grade(deductions=[(normal, Decimal(pts))], config=config).grade  # noqa: E731
    assert grade("10") == Grade.A  # 90
    assert grade("10.5") == Grade.B  # 89.5
    assert grade("25") == Grade.B  # 75
    assert grade("25.5") == Grade.C


def test_single_veto_caps_the_grade_at_c_whatever_the_points(config):
    veto = criterion(CriterionLevel.VETO, points="1", max_points="1")
    scored = services.chart_grade(deductions=[(veto, Decimal("1"))], config=config)
    assert scored.score == Decimal("99.0") and scored.grade == Grade.C and scored.vetoed


def test_serious_defects_cap_the_grade_at_b(config):
    serious = criterion(CriterionLevel.SERIOUS, points="1", max_points="1")
    assert services.chart_grade(deductions=[(serious, Decimal(1))], config=config).grade == Grade.A
    two = [(serious, Decimal(1)), (serious, Decimal(1))]
    assert services.chart_grade(deductions=two, config=config).grade == Grade.B
    config.serious_defects_cap = 0
    assert services.chart_grade(deductions=two, config=config).grade == Grade.A


def test_deduction_per_item_is_capped_at_its_maximum():
    c = ChartCriterion(section="s", text="t", points=Decimal("2"), max_points=Decimal("5"))
    assert services.deduction_points(c, 4) == Decimal("5")


def test_problem_chart_becomes_a_records_finding_naming_the_doctor(neike, supervisor):
    doctor = StaffFactory(name="张医生", department=neike, position=StaffPosition.DOCTOR)
    audit = _audit(neike)
    c = criterion(points="3", max_points="6")
    audit = services.audit_complete(audit=audit, actor=supervisor, defects={c.pk: (2, "首次病程缺上级意见")})
    assert audit.status == AuditStatus.COMPLETED
    assert audit.score == Decimal("94.0") and audit.grade == Grade.A and audit.is_problem
    finding = Finding.objects.get()
    assert finding.source == FindingSource.CHART_AUDIT and finding.category.code == "records"
    assert finding.department == neike and list(finding.staff_involved.all()) == [doctor]
    assert "张医生" in finding.description and hasattr(finding, "order")
    assert finding.source_object == audit


def test_chart_without_defects_is_no_problem_and_makes_no_finding(neike, supervisor):
    audit = services.audit_complete(audit=_audit(neike), actor=supervisor, defects={})
    assert audit.score == Decimal("100.0") and audit.grade == Grade.A and not audit.is_problem
    assert Finding.objects.count() == 0


def test_audit_is_saved_once(neike, supervisor):
    audit = _audit(neike)
    c = criterion()
    services.audit_complete(audit=audit, actor=supervisor, defects={c.pk: (1, "")})
    with pytest.raises(ActionNotAllowed):
        services.audit_complete(audit=audit, actor=supervisor, defects={c.pk: (1, "")})
    assert Finding.objects.count() == 1 and Deduction.objects.count() == 1


@pytest.fixture
def vetoed_audit(neike, supervisor):
    veto = criterion(CriterionLevel.VETO, points="10", max_points="10")
    return services.audit_complete(
        audit=_audit(neike), actor=supervisor, defects={veto.pk: (1, "缺手术同意书")}
    )


def test_upheld_appeal_withdraws_the_deduction_and_regrades(vetoed_audit, head_neike, supervisor):
    assert vetoed_audit.grade == Grade.C
    deduction = vetoed_audit.deductions.get()
    appeal = services.appeal_raise(
        deduction=deduction, actor=head_neike, reason="同意书在纸质病历中，已补扫描"
    )
    assert appeal.status == AppealStatus.PENDING
    services.appeal_decide(appeal=appeal, actor=supervisor, uphold=True, comment="核实属实")
    audit = ChartAudit.objects.get(pk=vetoed_audit.pk)
    assert audit.score == Decimal("100.0") and audit.grade == Grade.A and not audit.vetoed
    assert Deduction.objects.get(pk=deduction.pk).withdrawn
    actions = list(Transition.objects.order_by("id").values_list("action", "to_status"))
    assert (
        ("raise", "pending") in actions
        and ("decide", "upheld") in actions
        and ("regrade", "completed") in actions
    )
    # The history reads as the grade's name, not the stored code.
    regrade = Transition.objects.get(action="regrade")
    assert regrade.comment_text.endswith("→ 100.0 分 · 甲级")


def test_rejected_appeal_needs_a_reason_and_keeps_the_deduction(vetoed_audit, head_neike, supervisor):
    appeal = services.appeal_raise(deduction=vetoed_audit.deductions.get(), actor=head_neike, reason="不同意")
    with pytest.raises(ActionNotAllowed):
        services.appeal_decide(appeal=appeal, actor=supervisor, uphold=False, comment="")
    services.appeal_decide(appeal=appeal, actor=supervisor, uphold=False, comment="病历中确无同意书")
    assert Appeal.objects.get().status == AppealStatus.REJECTED
    assert ChartAudit.objects.get(pk=vetoed_audit.pk).grade == Grade.C
    with pytest.raises(ActionNotAllowed):
        services.appeal_decide(appeal=appeal, actor=supervisor, uphold=True)


def test_only_the_department_head_may_appeal_once(vetoed_audit, head_waike, head_neike, supervisor):
    deduction = vetoed_audit.deductions.get()
    with pytest.raises(ActionNotAllowed):
        services.appeal_raise(deduction=deduction, actor=head_waike, reason="x")
    with pytest.raises(ActionNotAllowed):
        services.appeal_raise(deduction=deduction, actor=supervisor, reason="x")
    services.appeal_raise(deduction=deduction, actor=head_neike, reason="x")
    with pytest.raises(ActionNotAllowed):
        services.appeal_raise(deduction=deduction, actor=head_neike, reason="again")
    assert Appeal.objects.count() == 1


def test_heads_cannot_decide_appeals(vetoed_audit, head_neike):
    appeal = services.appeal_raise(deduction=vetoed_audit.deductions.get(), actor=head_neike, reason="x")
    with pytest.raises(ActionNotAllowed):
        services.appeal_decide(appeal=appeal, actor=head_neike, uphold=True)
    assert Appeal.objects.get().status == AppealStatus.PENDING


def test_seeded_criteria_include_the_usual_sections_and_vetoes(db):
    sections = set(ChartCriterion.objects.values_list("section", flat=True))
    assert {"病案首页", "入院记录", "病程记录", "手术记录", "知情同意书", "医嘱", "出院记录"} <= sections
    assert ChartCriterion.objects.filter(level=CriterionLevel.VETO).exists()


def test_month_without_discharges_records_no_sample_so_a_later_run_can_draw(neike, supervisor):
    with pytest.raises(services.NothingToDraw):
        services.chart_sample_draw(month=MONTH, actor=supervisor)
    assert draw_chart_sample("2026-10") is None
    assert ChartSample.objects.count() == 0
    _stays(neike, 3)
    sample, created = services.chart_sample_draw(month=MONTH, actor=supervisor)
    assert created and sample.size == 3
