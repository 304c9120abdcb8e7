"""Demo complaints for ``manage.py seed_demo``: six months from every channel, through the services,
so numbers, due dates, history rows, owner chains, findings and notifications are as in real use."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from supervision.demo import _head_for, at_time, random_name
from supervision.models import Category, Department, DepartmentKind

from . import services, workdays
from .models import Complaint, ComplaintChannel, NotAcceptedReason

TOPICS = [
    ("attitude", "护士抽血时态度生硬，对患者提问不耐烦"),
    ("attitude", "挂号窗口工作人员语气冷淡，推诿患者"),
    ("process", "检查预约流程不清楚，来回跑了三趟"),
    ("process", "出院结算等候时间过长，无人解释原因"),
    ("discipline", "夜间呼叫铃长时间无人应答"),
    ("discipline", "医生门诊迟到半小时，未作说明"),
    ("attitude", "医生沟通不足，未说明治疗方案和风险"),
    ("process", "费用清单不清楚，对收费项目有疑问"),
    ("process", "儿科静脉穿刺多次未成功"),
    ("discipline", "病房热水供应不足，反映后未处理"),
]
CHANNEL_WEIGHTS = [
    (ComplaintChannel.HOTLINE, 30),
    (ComplaintChannel.FRONT_DESK, 15),
    (ComplaintChannel.LETTER, 4),
    (ComplaintChannel.EMAIL, 4),
    (ComplaintChannel.WEB, 12),
    (ComplaintChannel.FOLLOWUP, 15),
    (ComplaintChannel.SURVEY, 6),
    (ComplaintChannel.CITIZEN_12345, 14),
]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60)))
    return timezone.make_aware(naive)


def _until_now(moment: dt.datetime) -> dt.datetime:
    """Seeded early in the morning, "today at 15:00" has not happened yet: nothing is dated ahead."""
    return min(moment, timezone.now() - dt.timedelta(minutes=5))


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    users = context["users"]
    supervisor, caller, admin = users["supervisor"], users["caller"], users["admin"]
    departments = list(
        Department.objects.filter(active=True, kind__in=[DepartmentKind.CLINICAL, DepartmentKind.WINDOW])
    )
    categories = {c.code: c for c in Category.objects.all()}
    fallback = next(iter(categories.values()))
    channels = [c for c, _ in CHANNEL_WEIGHTS]
    weights = [w for _, w in CHANNEL_WEIGHTS]
    repeaters = [f"139{rng.randrange(10**8):08d}" for _ in range(5)]  # a few people complain again

    # Whatever the date, a few complaints arrived one working day ago and wait at "accepted", so
    # the demo always shows work in flight (the day before the last working day up to today).
    last_working_day = today
    while not workdays.is_working_day(last_working_day):
        last_working_day -= dt.timedelta(days=1)
    for index in range(90):
        in_flight = index < 3
        received_on = today - dt.timedelta(days=rng.randrange(0, 180))
        if not workdays.is_working_day(received_on) and rng.random() < 0.7:
            received_on = workdays.add_working_days(received_on, 1)
        if in_flight:
            received_on = last_working_day - dt.timedelta(days=1)
        if received_on > today:
            received_on = today
        received = min(
            _moment(received_on, rng), timezone.now() - dt.timedelta(minutes=rng.randrange(30, 90))
        )
        if received > timezone.now():
            received = timezone.now() - dt.timedelta(minutes=5)
        channel = rng.choices(channels, weights)[0]
        code, text = rng.choice(TOPICS)
        department = rng.choice(departments)
        recorder = (
            None
            if channel == ComplaintChannel.WEB
            else (caller if channel == ComplaintChannel.FOLLOWUP else supervisor)
        )
        extra = {}
        if channel == ComplaintChannel.CITIZEN_12345:
            extra = {
                "referral_no": f"GD{received_on:%Y%m%d}{rng.randrange(1000, 9999)}",
                "referral_due": workdays.add_working_days(received_on, rng.choice((3, 5))),
            }
        with at_time(received):
            complaint = services.complaint_intake(
                channel=channel,
                received_by=recorder,
                content=text,
                department=department,
                complainant_name=random_name(rng),
                complainant_phone=rng.choice(repeaters)
                if rng.random() < 0.12
                else f"13{rng.randrange(10**9):09d}",
                received_at=received,
                **extra,
            )
        age = workdays.working_days_between(received_on, today)
        if age < 1:
            continue
        step = _until_now(received + dt.timedelta(hours=rng.randrange(1, 20)))
        if recorder == caller:
            with at_time(step):
                services.complaint_handover(
                    complaint=complaint, actor=caller, to_user=supervisor, note="转投诉办处理"
                )
        if recorder is None:
            with at_time(step):
                services.complaint_handover(
                    complaint=complaint, actor=supervisor, to_user=supervisor, note="认领"
                )
        if not in_flight and rng.random() < 0.08:
            with at_time(step):
                services.complaint_not_accept(
                    complaint=complaint,
                    actor=supervisor,
                    # The seeded list's "outside the hospital's remit" (migration 0008), told by phone.
                    reason=NotAcceptedReason.objects.filter(active=True).order_by("-sort_order").first(),
                    method="phone",
                    text="已电话告知：不属于本院受理范围，建议向有关部门反映",
                )
            continue
        with at_time(step):
            services.complaint_accept(complaint=complaint, actor=supervisor)
        if in_flight and index == 2:
            # One waits on the complainant: its clock stands still (issue 25 item 1).
            with at_time(step):
                services.complaint_pause(
                    complaint=complaint,
                    actor=supervisor,
                    kind="awaiting_complainant",
                    reason="已电话联系投诉人补交就诊记录，约定下周到院面谈",
                )
        if age < 2:
            continue
        several = rng.random() < 0.15
        assigned = [department] + (
            [rng.choice([d for d in departments if d != department])] if several else []
        )
        step = _until_now(step + dt.timedelta(hours=rng.randrange(2, 24)))
        with at_time(step):
            services.complaint_assign(
                complaint=complaint, actor=supervisor, departments=assigned, instructions="请核实并回复"
            )
        if age < 4 and rng.random() < 0.6:
            continue
        for d in assigned:
            step += dt.timedelta(hours=rng.randrange(4, 48))
            if step > timezone.now():
                break
            with at_time(step):
                services.complaint_reply(
                    complaint=complaint,
                    actor=_head_for(d),
                    department=d,
                    reply="经核实，已对当事人进行批评教育并组织科室学习",
                )
        complaint.refresh_from_db()
        if complaint.status != "investigated":
            continue
        roll = rng.random()
        determination = "valid" if roll < 0.35 else ("partly_valid" if roll < 0.5 else "not_valid")
        step += dt.timedelta(hours=rng.randrange(1, 24))
        if step > timezone.now():
            continue
        with at_time(step):
            services.complaint_determine(
                complaint=complaint,
                actor=supervisor,
                determination=determination,
                categories=[categories.get(code, fallback)] if determination != "not_valid" else [],
            )
        answered_on = workdays.add_working_days(received_on, rng.choice((1, 2, 3, 4, 5, 5, 6, 8)))
        answered = _moment(answered_on, rng)
        if answered > timezone.now():
            continue
        with at_time(answered):
            services.complaint_answer(
                complaint=complaint,
                actor=supervisor,
                method=rng.choice(["phone", "phone", "in_person", "letter"]),
                text="已向投诉人说明调查结果及整改措施",
                answered_at=answered,
            )
        if rng.random() < 0.05:
            with at_time(answered):
                services.complaint_flag_dispute(
                    complaint=complaint,
                    actor=admin,
                    dispute=True,
                    amount=rng.choice((2000, 5000, 12000)),
                    note="转医调委调解",
                )
        closed = answered + dt.timedelta(days=rng.randrange(1, 5))
        if closed > timezone.now():
            continue
        with at_time(closed):
            services.complaint_close(
                complaint=complaint,
                actor=supervisor,
                satisfaction=rng.choice(
                    ["satisfied", "satisfied", "basically", "dissatisfied", "unreachable"]
                ),
            )
    _seed_papers(admin=admin)


# Starter reply templates (the office edits them at /complaints/templates/).
TEMPLATES = [
    (
        "投诉属实答复",
        "valid",
        "{name}先生/女士：\n您好！您于{received_on}反映的问题（编号 {number}）已收悉。我院高度重视，"
        "已会同{department}进行调查。\n调查结果：{found}\n整改措施：{done}\n感谢您对我院工作的监督。"
        "如对处理结果有异议，请在收到本函后15日内与我们联系。",
    ),
    (
        "投诉部分属实答复",
        "partly_valid",
        "{name}先生/女士：\n您好！关于您于{received_on}反映的问题（编号 {number}），经调查，部分情况属实。\n"
        "调查结果：{found}\n处理情况：{done}\n感谢您的理解与支持。",
    ),
    (
        "投诉不属实答复",
        "not_valid",
        "{name}先生/女士：\n您好！关于您于{received_on}反映的问题（编号 {number}），经{department}核实，"
        "情况如下：{found}\n如有新的情况，欢迎随时与我们联系。",
    ),
    (
        "不予受理告知",
        "not_accepted",
        "{name}先生/女士：\n您好！您于{received_on}提出的投诉（编号 {number}）经审查不予受理，原因如下：\n"
        "{found}\n如有疑问，请致电投诉管理办公室。",
    ),
]
# The verdicts of the demo's closed complaints, in turn (no random draw: the demo's shared random
# sequence, and so every later channel's data, stays as it was).
DEMO_VERDICTS = [
    ("yes", "yes", "good"),
    ("yes", "yes", "good"),
    ("yes", "partly", "acceptable"),
    ("partly", "yes", "good"),
    ("no", "no", "poor"),
    None,  # not every complainant answers
]


def _seed_papers(*, admin) -> None:
    """Reply templates, and verdicts on the closed complaints as if the office had called (the
    administrator, who answered none of them), a day after closing."""
    for name, kind, body in TEMPLATES:
        services.reply_template_save(actor=admin, name=name, kind=kind, body=body)
    closed = Complaint.objects.filter(status="closed", answered_by__isnull=False).exclude(answered_by=admin)
    for index, complaint in enumerate(closed.order_by("pk")):
        answers = DEMO_VERDICTS[index % len(DEMO_VERDICTS)]
        moment = complaint.closed_at + dt.timedelta(days=1)
        if answers is None or moment > timezone.now():
            continue
        handled, fair, contact = answers
        with at_time(moment):
            services.verdict_record_by_phone(
                complaint=complaint, actor=admin, handled=handled, fair=fair, contact=contact
            )
