"""Demo data of the follow-up app: six months of discharges imported from an "HIS" file, past
follow-ups imported from a spreadsheet, policies, today's queue and a few calls, a spot-check.

Everything goes through the importers and services, so ImportRuns, draws, transitions and reveal
rules are the same as in real use.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import openpyxl
from django.utils import timezone

from supervision.models import Department, DepartmentKind, Staff, User

from . import importing, services
from .models import (
    CallAttempt,
    DissatisfactionTopic,
    DutyRoster,
    FeedbackKind,
    FollowupPolicy,
    FollowupTask,
    Outcome,
    Satisfaction,
    SpotCheckResult,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇晨欣怡浩然"
DIAGNOSES = ["社区获得性肺炎", "2型糖尿病", "高血压病3级", "急性阑尾炎", "胆囊结石", "腰椎间盘突出症",
             "冠状动脉粥样硬化性心脏病", "脑梗死", "慢性阻塞性肺疾病急性加重", "白内障", "剖宫产术后"]  # fmt: skip
ICD10 = {"社区获得性肺炎": "J18.900", "2型糖尿病": "E11.900", "高血压病3级": "I10.x05", "急性阑尾炎": "K35.800",
         "胆囊结石": "K80.200", "腰椎间盘突出症": "M51.202", "冠状动脉粥样硬化性心脏病": "I25.103",
         "脑梗死": "I63.900", "慢性阻塞性肺疾病急性加重": "J44.100", "白内障": "H26.900", "剖宫产术后": "O82.000"}  # fmt: skip
STREETS = ["和平里街道", "建国门街道", "朝阳门街道", "东四街道", "安定门街道", "交道口街道"]
# What not-satisfied patients name, by how often follow-up centres' problem tables list them
# (topic code → weight); each department leans to two of its own (its profile, see _code_unhappy).
TOPIC_WEIGHTS = {
    "attitude": 9, "doctor-talk": 8, "unclear-cost": 8, "treatment-effect": 6, "slow-call-answer": 5,
    "venipuncture": 4, "waiting": 4, "food": 3, "hot-water": 3, "cleanliness": 2, "privacy": 1,
}  # fmt: skip
PAST_RESULTS = (
    ["成功"] * 86 + ["空号"] * 3 + ["关机"] * 2 + ["无人接听"] * 3 + ["拒访"] * 3 + ["转院"] + ["再入院"] * 2
)


def _xlsx(headers, rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    users = context.get("users") or {}
    admin = users.get("admin") or User.objects.filter(username="admin").first()
    supervisor = users.get("supervisor") or User.objects.filter(username="supervisor").first()
    caller = users.get("caller") or User.objects.filter(username="caller").first()
    clinical = list(Department.objects.filter(kind=DepartmentKind.CLINICAL, active=True))
    if not clinical or caller is None:
        return
    by_code = {d.code: d for d in clinical}

    services.policy_default()
    if "JSK" in by_code:
        FollowupPolicy.objects.get_or_create(
            department=by_code["JSK"],
            defaults={
                "share_percent": 10,
                "exclude_diagnosis_keywords": "精神分裂症,双相情感障碍",
                "updated_by": admin,
            },
        )
    if "FCK" in by_code:
        FollowupPolicy.objects.get_or_create(
            department=by_code["FCK"], defaults={"share_percent": 50, "updated_by": admin}
        )

    # Six months of discharges (about 12 a day) from the "HIS".
    start = (today.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    rows, day, n = [], start, 0
    weights = [3 if d.code in ("NK", "WK", "XNK", "GK") else 1 for d in clinical]
    while day <= today - dt.timedelta(days=1):
        for _ in range(rng.randint(8, 16)):
            n += 1
            department = rng.choices(clinical, weights)[0]
            stay_days = rng.randint(2, 14)
            phone = "" if rng.random() < 0.03 else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            rows.append(
                [f"ZY{day:%y%m}{n:05d}", _name(rng), rng.choice("男女"), rng.randint(3, 92), phone, "",
                 department.name, _name(rng), _name(rng), (day - dt.timedelta(days=stay_days)).isoformat(),
                 day.isoformat(), rng.choice(DIAGNOSES), "5" if rng.random() < 0.01 else "1"]
            )  # fmt: skip
            # The ICD-10 code and the address come from the row, not the generator: the random
            # sequence (and so every later channel's demo data) stays as it was.
            rows[-1] += [ICD10[rows[-1][11]], f"北京市东城区{STREETS[n % len(STREETS)]}{n % 97 + 1}号"]
        day += dt.timedelta(days=1)
    report = importing.discharges_import(
        source=_xlsx(importing.DISCHARGE_HEADERS, rows), file_name="HIS出院患者导出.xlsx", actor=admin
    )
    if not report.ok:
        return

    # Past follow-ups (before Ducha): everything discharged up to 10 days ago, from the old spreadsheet.
    cutoff = today - dt.timedelta(days=10)
    old_callers = ["林回访", "吴晓红", "郑丽"]
    history = []
    for row in rows:
        discharged = dt.date.fromisoformat(row[10])
        if discharged > cutoff or row[12] == "5":
            continue
        if row[4] == "":
            history.append(
                [
                    row[0],
                    row[10],
                    (discharged + dt.timedelta(days=5)).isoformat(),
                    "信函",
                    rng.choice(old_callers),
                    "信函",
                    "",
                    "",
                ]
            )
            continue
        if rng.random() < 0.06:  # never reached in the old process
            continue
        result = rng.choice(PAST_RESULTS)
        called = discharged + dt.timedelta(days=rng.randint(3, 7))
        satisfied = ("满意" if rng.random() < 0.96 else "不满意") if result == "成功" else ""
        history.append(
            [row[0], row[10], called.isoformat(), result, rng.choice(old_callers), "电话", satisfied, ""]
        )
    importing.history_import(
        source=_xlsx(importing.HISTORY_HEADERS, history), file_name="2026年回访登记表.xlsx", actor=admin
    )
    _code_unhappy(seed=len(rows))

    # Follow-up plans (from the start of the demo period): 心内科 calls at day 3 and day 30 and
    # sends a web form at day 90; 内科's type 2 diabetes patients are called every 3 months for a year.
    if supervisor is not None:
        P = services.PointInput
        if "XNK" in by_code:
            services.plan_save(
                actor=supervisor, department=by_code["XNK"], name="心内科 3 / 30 / 90 天", today=start,
                points=[P(day=3, window_days=4), P(day=30, window_days=7), P(day=90, window_days=14, mode="web")],
            )  # fmt: skip
        if "NK" in by_code:
            services.plan_save(
                actor=supervisor, department=by_code["NK"], icd_prefix="E11", diagnosis_text="糖尿病",
                name="2型糖尿病 慢病随访", today=start,
                points=[P(day=3, window_days=4), P(day=30, window_days=7, repeat_every_months=3, repeat_times=4)],
            )  # fmt: skip

    # Today's queue, shared by the caller on duty; a few calls already made this morning.
    DutyRoster.objects.get_or_create(user=caller, day=today)
    services.call_queue_build(day=today)
    now = timezone.now()
    tasks = list(
        FollowupTask.objects.filter(assigned_to=caller, status="pending", mode="phone").select_related(
            "stay"
        )[:6]
    )
    staff = {s.department_id: s for s in Staff.objects.filter(active=True)}
    plan = [
        services.CallInput(outcome=Outcome.REACHED, satisfaction="satisfied", guidance_given=True, praise="护士很耐心"),
        services.CallInput(outcome=Outcome.NO_ANSWER),
        services.CallInput(
            outcome=Outcome.REACHED, satisfaction="dissatisfied", feedback_kind=FeedbackKind.SUGGESTION,
            feedback="出院结算排队时间太长", guidance_given=True,
            dissatisfied_topics=list(DissatisfactionTopic.objects.filter(code="waiting")),
        ),
        services.CallInput(
            outcome=Outcome.REACHED, callback_at=now + dt.timedelta(hours=3), notes="询问降压药能否减量，需请教主治医生后回电"
        ),
    ]  # fmt: skip
    for data in plan:
        if data.dissatisfied_topics:
            data.dissatisfied_domain = data.dissatisfied_topics[0].domain
    made = []
    for task, data in zip(tasks, plan, strict=False):
        services.task_claim(task=task, actor=caller, now=now - dt.timedelta(minutes=5))
        if data.praise and task.department_id in staff:
            data.praised_staff = [staff[task.department_id]]
        made.append(
            services.call_record(task=task, actor=caller, data=data, now=now - dt.timedelta(minutes=2))
        )
    if supervisor is not None:
        _seed_alerts(made, supervisor=supervisor)

    # A spot-check of last month's reached calls, partly re-called.
    if supervisor is not None:
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        draw = services.spotcheck_draw(
            actor=supervisor,
            start=last_month_end.replace(day=1),
            end=last_month_end,
            size=20,
            seed=rng.randrange(10**9),
        )
        for check in draw.checks.all()[:15]:
            result = SpotCheckResult.CONFIRMED if rng.random() < 0.95 else SpotCheckResult.DENIED
            services.spotcheck_record(check=check, actor=supervisor, result=result)


def _code_unhappy(*, seed: int) -> None:
    """Code the imported not-satisfied calls as the old register's 不满意原因 column did: a domain
    and one or two topics each, so the figures' problem table reads like a real centre's.

    A random source of its own: the demo's shared sequence (and every later channel's data) stays
    as it was. Each department leans to two topics of its own, so the departments differ."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 # demo data, not security
    topics = {t.code: t for t in DissatisfactionTopic.objects.filter(active=True, domain__isnull=False)}
    codes = [c for c in TOPIC_WEIGHTS if c in topics]
    if not codes:
        return
    calls = list(
        CallAttempt.objects.filter(
            satisfaction=Satisfaction.DISSATISFIED,
            dissatisfied_domain__isnull=True,
            history_key__isnull=False,  # imported, not recorded in Ducha
        )
        .select_related("task")
        .order_by("id")
    )
    profiles: dict[int, list[int]] = {}
    through = CallAttempt.dissatisfied_topics.through
    links = []
    for call in calls:
        department = call.task.department_id
        if department not in profiles:
            leaning = set(random.Random(department).sample(codes, 2))  # noqa: S311  # nosec B311 # demo data
            profiles[department] = [TOPIC_WEIGHTS[c] * (4 if c in leaning else 1) for c in codes]
        chosen = rng.choices(codes, profiles[department], k=2 if rng.random() < 0.3 else 1)
        chosen = list(dict.fromkeys(chosen))
        call.dissatisfied_domain = topics[chosen[0]].domain
        links += [through(callattempt_id=call.pk, dissatisfactiontopic_id=topics[c].pk) for c in chosen]
    CallAttempt.objects.bulk_update(calls, ["dissatisfied_domain"], batch_size=500)
    through.objects.bulk_create(links, batch_size=500)


# What the office did for the demo's unhappy patients, oldest first: closed with an outcome, in
# recovery (contacted, not closed), then still to contact.
ALERT_STEPS = (
    (
        "患者说出院当天等结算两个多小时，已致歉并说明结算窗口增开情况。",
        "结算处午间增开一个窗口；科室晨会通报。",
    ),
    ("患者反映夜班呼叫铃响了很久没人来，已电话致歉，患者表示理解。", ""),
)


def _seed_alerts(made, *, supervisor) -> None:
    """A realistic handful of alerts on unhappy patients (issue 17), through the services: the
    four latest calls recorded not satisfied in the imported history, each raised on its day (one
    closed with an outcome, one in recovery, two past their day), and this morning's unhappy call."""
    from supervision import services as core
    from supervision.demo import at_time
    from supervision.models import AlertKind, AlertOutcome
    from surveys.services import alert_due_on

    from .models import CallAttempt, Satisfaction

    unhappy = list(
        CallAttempt.objects.filter(satisfaction=Satisfaction.DISSATISFIED, task__stay__isnull=False)
        .exclude(pk__in=[a.pk for a in made])
        .select_related("task__stay", "task__department")
        .order_by("-attempted_at", "-id")[:4]
    )[::-1]
    for n, attempt in enumerate(unhappy):
        raised_at = attempt.attempted_at + dt.timedelta(minutes=3)
        with at_time(raised_at):  # the history rows and notices carry the day it happened
            alert, _created = core.alert_raise(
                kind=AlertKind.CALL_NOT_SATISFIED,
                source=attempt,
                department=attempt.task.department,
                due_on=alert_due_on(attempt.attempted_on),
                stay=attempt.task.stay,
                note="回访时表示不满意",
                now=raised_at,
            )
        if n >= len(ALERT_STEPS) or core.alert_contact_refusal(alert):
            continue
        said, done = ALERT_STEPS[n]
        contacted_at = attempt.attempted_at + dt.timedelta(days=1, hours=2)
        with at_time(contacted_at):
            alert = core.alert_contact(alert=alert, actor=supervisor, contact_note=said, now=contacted_at)
        if done:
            with at_time(contacted_at + dt.timedelta(days=1)):
                core.alert_close(
                    alert=alert,
                    actor=supervisor,
                    action_taken=done,
                    outcome=AlertOutcome.RESOLVED,
                    now=contacted_at + dt.timedelta(days=1),
                )
    for attempt in made:  # this morning's: raised now, as the worker would a minute after the call
        services.attempt_raise_alert(attempt=attempt)
