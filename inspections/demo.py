"""Demo data of inspections: a few months of rounds (failed items → findings), a plan with gaps,
and two months of chart samples with audits, problem charts and appeals.

Called by ``manage.py seed_demo`` after the core's demo hospital; everything goes through the
services, as real use would. The discharges the chart samples draw from are created here with
``get_or_create`` on (admission_no, discharged_on), so the follow-up app's demo discharges,
which are seeded after these, never clash with them.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from supervision.demo import _head_for, at_time, random_name, work_order
from supervision.models import DepartmentKind, DischargeStay, Sex, Staff, StaffPosition

from . import services
from .models import (
    AnswerResult,
    ChartCriterion,
    ChecklistTemplate,
    CriterionLevel,
    Disposition,
    ItemKind,
    RoundType,
    TemplateStatus,
    WindowTarget,
)

TEMPLATE_FOR_CODE = {
    "GHC": "registration",
    "RCY": "registration",
    "SFC": "billing",
    "YF": "pharmacy",
    "DZT": "guidance",
    "JZK": "emergency",
}
NOTES = {
    "attitude": "答询时语气生硬，患者不满",
    "norms": "一名工作人员未佩戴工牌，接诊时未使用文明用语",
    "discipline": "岗位无人，离岗约 10 分钟",
    "privacy": "诊室内同时有两名患者",
    "hygiene": "卫生间有异味，地面湿滑",
    "process": "导诊标识被遮挡",
    "quality_safety": "危重患者外出检查无医护陪同",
    "communication": "患者不清楚明日检查安排",
    "logistics": "开水炉故障未报修",
    "billing": "未主动提供费用清单",
    "waiting": "",
}
DIAGNOSES = [
    "社区获得性肺炎",
    "2型糖尿病",
    "急性阑尾炎",
    "冠状动脉粥样硬化性心脏病",
    "股骨颈骨折",
    "脑梗死",
    "胆囊结石伴胆囊炎",
]


def _template_code(department) -> str:
    if department.code in TEMPLATE_FOR_CODE:
        return TEMPLATE_FOR_CODE[department.code]
    if department.kind == DepartmentKind.SUPPORT:
        return "support"
    return "ward"


def _moment(day: dt.date, rng: random.Random, night: bool = False) -> dt.datetime:
    hour = rng.choice((20, 21, 22)) if night else rng.randrange(8, 17)
    moment = dt.datetime.combine(
        day, dt.time(hour, rng.randrange(0, 60)), tzinfo=timezone.get_current_timezone()
    )
    # Seeded early in the morning, "today at 15:00" has not happened yet: nothing is dated ahead.
    return min(moment, timezone.now() - dt.timedelta(minutes=rng.randrange(30, 90)))


def _happened(step: dt.datetime, today: dt.date) -> bool:
    return step.date() <= today and step <= timezone.now()


def _run_round(*, rng, department, template, supervisor, moment, submit=True):
    round_type = rng.choices(RoundType.values, weights=(6, 3, 2, 1))[0]
    if round_type == RoundType.NIGHT:
        # Still never ahead of the moment the demo is loaded (a night round "today" seeded at 02:26).
        moment = min(moment.replace(hour=rng.choice((20, 21, 22))), timezone.now() - dt.timedelta(minutes=30))
    with at_time(moment):
        rnd = services.round_start(
            template=template,
            department=department,
            round_type=round_type,
            actor=supervisor,
            started_at=moment,
            location=f"{department.name}",
        )
        failed = []
        for item in template.items.select_related("category").order_by("sort_order"):
            kw = {}
            result = rng.choices(
                [AnswerResult.PASS, AnswerResult.FAIL, AnswerResult.NA], weights=(84, 10, 6)
            )[0]
            if item.kind == ItemKind.WAIT_TIME:
                kw["wait_minutes"] = Decimal(rng.choice((3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 19, 24)))
                result = ""
            elif item.kind == ItemKind.HAND_HYGIENE:
                opportunities = rng.randrange(8, 16)
                kw["hh_opportunities"] = opportunities
                kw["hh_washes"] = max(0, opportunities - rng.choice((0, 0, 1, 2, 3, 4)))
                result = ""
            note = NOTES.get(item.category.code, "") if result == AnswerResult.FAIL else ""
            answer = services.answer_save(
                rnd=rnd, item=item, actor=supervisor, result=result, note=note, **kw
            )
            if answer.result == AnswerResult.FAIL:
                failed.append(answer)
        if not submit:
            return rnd
        choices = {}
        if len(failed) >= 3 and rng.random() < 0.5:
            choices[failed[2].pk] = services.Choice(mode=Disposition.MERGE, merge_into=failed[1].pk)
        if failed and rng.random() < 0.1:
            choices[failed[0].pk] = services.Choice(mode=Disposition.SKIP, reason="当场已纠正，口头提醒")
        return services.round_submit(
            rnd=rnd,
            actor=supervisor,
            choices=choices,
            summary="总体情况良好" if not failed else "发现问题已现场反馈科室负责人",
            deadline=moment.date() + dt.timedelta(days=7),
        )


def _progress_order(*, finding, rng, supervisor, moment, today):
    """Work the finding's order as the core's demo works its own (``supervision.demo.work_order``):
    by its age, through acknowledgement, the analysis, verification and the effectiveness check, so
    old orders are closed as in a real office and rectification rates are not all zero."""
    order = getattr(finding, "order", None)
    if order is None or rng.random() < 0.25:
        return  # left for the core's pass over the channels' orders (work_channel_orders)
    head = (
        _head_for(finding.department)
        if not finding.department.heads.exists()
        else finding.department.heads.first()
    )
    work_order(order, rng=rng, today=today, head=head, supervisor=supervisor, moment=moment)


def _discharges(*, rng, month: dt.date, departments, per_department: int) -> int:
    created = 0
    last = services.next_month(month) - dt.timedelta(days=1)
    for department in departments:
        doctors = list(
            Staff.objects.filter(department=department, position=StaffPosition.DOCTOR).values_list(
                "name", flat=True
            )
        ) or [random_name(rng)]
        for i in range(per_department):
            discharged = month + dt.timedelta(days=rng.randrange(0, last.day))
            _stay, new = DischargeStay.objects.get_or_create(
                admission_no=f"ZY{month:%y%m}{department.code}{i:03d}",
                discharged_on=discharged,
                defaults={
                    "patient_name": random_name(rng),
                    "sex": rng.choice((Sex.MALE, Sex.FEMALE)),
                    "age": rng.randrange(18, 90),
                    "phone": f"13{rng.randrange(100000000, 999999999)}",
                    "department": department,
                    "attending_doctor": rng.choice(doctors),
                    "admitted_on": discharged - dt.timedelta(days=rng.randrange(2, 15)),
                    "diagnosis": rng.choice(DIAGNOSES),
                },
            )
            created += new
    return created


def _audit_month(*, rng, sample, supervisor, heads, today, share_done: float):
    criteria = list(ChartCriterion.objects.filter(active=True))
    normal = [c for c in criteria if c.level != CriterionLevel.VETO]
    vetoes = [c for c in criteria if c.level == CriterionLevel.VETO]
    audits = list(sample.audits.select_related("department").order_by("id"))
    base = dt.datetime.combine(
        sample.month + dt.timedelta(days=32), dt.time(9), tzinfo=timezone.get_current_timezone()
    ).replace(day=rng.randrange(2, 6))
    appealed = 0
    for n, audit in enumerate(audits):
        if rng.random() > share_done:
            continue
        moment = base + dt.timedelta(hours=n)
        if not _happened(moment, today):
            moment = timezone.now() - dt.timedelta(hours=len(audits) - n)
        defects = {}
        roll = rng.random()
        if roll < 0.45:
            for c in rng.sample(normal, rng.choice((1, 1, 2, 3))):
                defects[c.pk] = (rng.choice((1, 1, 2)), "")
        if roll > 0.96 and vetoes:
            defects[rng.choice(vetoes).pk] = (1, "缺手术知情同意书")
        with at_time(moment):
            audit = services.audit_complete(audit=audit, actor=supervisor, defects=defects)
        if audit.finding:
            _progress_order(finding=audit.finding, rng=rng, supervisor=supervisor, moment=moment, today=today)
        head = heads.get(audit.department.code)
        if head and audit.is_problem and appealed < 2 and _happened(moment + dt.timedelta(days=1), today):
            deduction = audit.deductions.first()
            with at_time(moment + dt.timedelta(days=1)):
                appeal = services.appeal_raise(
                    deduction=deduction, actor=head, reason="该记录在纸质病历中齐全，扫描遗漏，已补扫描件"
                )
            if appealed == 0 and _happened(moment + dt.timedelta(days=2), today):
                with at_time(moment + dt.timedelta(days=2)):
                    services.appeal_decide(
                        appeal=appeal, actor=supervisor, uphold=True, comment="核实属实，撤销扣分"
                    )
            appealed += 1


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    departments = context["departments"]
    users = context["users"]
    supervisor = users["supervisor"]
    heads = {"NK": users["head-neike"], "WK": users["head-waike"]}
    templates = {t.code: t for t in ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED)}
    # Registration and billing are allowed 15 minutes, as one published programme allows them; the other
    # windows keep the standard 10.
    for code in ("GHC", "SFC"):
        if code in departments:
            WindowTarget.objects.update_or_create(
                department=departments[code], defaults={"target_minutes": 15}
            )
    active = [d for d in departments.values() if d.active]
    # The schedule: weekly hygiene rounds on the two model wards for the next four weeks, and two
    # unannounced rounds drawn in the rest of this month for the windows.
    wards = [departments[c] for c in ("NK", "WK") if c in departments]
    days = services.weekly_dates(
        start=today + dt.timedelta(days=1), end=today + dt.timedelta(days=28), weekday=2
    )
    if wards and days:
        services.schedule_add(
            entries=[(d, day) for d in wards for day in days],
            inspector=supervisor,
            round_type=RoundType.ROUTINE,
            actor=supervisor,
        )
    windows = [d for d in active if d.kind == DepartmentKind.WINDOW][:2]
    drawn = [(d, day) for d in windows for day in services.unannounced_dates(month=today, count=2, rng=rng)]
    drawn = [(d, day) for d, day in drawn if day > today]
    if drawn:
        services.schedule_add(
            entries=drawn, inspector=supervisor, round_type=RoundType.UNANNOUNCED, actor=supervisor
        )
    # Six months of hand-rub use for the wards: patient days from the ward's size, 10–30 ml a patient
    # day (published Chinese wards report about 10–25), so the consumption figure and trend have data.
    for back in range(6, 0, -1):
        month = today.replace(day=1) - relativedelta(months=back)
        rows = {}
        for department in active:
            if department.kind == DepartmentKind.CLINICAL:
                days = rng.randrange(600, 1400)
                rows[department.pk] = (Decimal(days * rng.randrange(10, 31)) / 1000, days)
        services.hand_rub_record(month=month, rows=rows, actor=supervisor)
    this_month = today.replace(day=1)

    # The plan: clinical departments twice a month, windows and support units once.
    for month in (services.previous_month(this_month), this_month):
        services.plan_set(
            month=month,
            counts={d.pk: 2 if d.kind == DepartmentKind.CLINICAL else 1 for d in active},
            actor=supervisor,
        )

    # Rounds over the last three months and this month so far; windows and support units get fewer,
    # as in the hospitals the seeds describe, so the coverage page has something to say.
    month = this_month
    for _ in range(3):
        month = services.previous_month(month)
    while month <= this_month:
        last = min(today, services.next_month(month) - dt.timedelta(days=1))
        for department in active:
            weight = {DepartmentKind.CLINICAL: 0.9, DepartmentKind.WINDOW: 0.6}.get(department.kind, 0.35)
            if department.code in ("NK", "WK"):
                weight = 1.0
            if month == this_month:
                weight /= 2
            if rng.random() > weight:
                continue
            day = month + dt.timedelta(days=rng.randrange(0, (last - month).days + 1))
            rnd = _run_round(
                rng=rng,
                department=department,
                template=templates[_template_code(department)],
                supervisor=supervisor,
                moment=_moment(day, rng),
            )
            for answer in rnd.answers.filter(
                finding__isnull=False, disposition=Disposition.FINDING
            ).select_related("finding__department"):
                _progress_order(
                    finding=answer.finding, rng=rng, supervisor=supervisor, moment=rnd.started_at, today=today
                )
        month = services.next_month(month)
    # One round in progress, to show the tablet checklist with answers saved.
    _run_round(
        rng=rng,
        department=departments["NK"],
        template=templates["ward"],
        supervisor=supervisor,
        moment=timezone.now() - dt.timedelta(minutes=20),
        submit=False,
    )

    # Chart audits of the two previous discharge months.
    clinical = [d for d in active if d.kind == DepartmentKind.CLINICAL][:12]
    previous = services.previous_month(this_month)
    for month, done in ((services.previous_month(previous), 1.0), (previous, 0.7)):
        _discharges(rng=rng, month=month, departments=clinical, per_department=12)
        sample, _created = services.chart_sample_draw(month=month, actor=supervisor)
        _audit_month(rng=rng, sample=sample, supervisor=supervisor, heads=heads, today=today, share_done=done)
