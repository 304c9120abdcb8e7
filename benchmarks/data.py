"""Generators of the benchmark hospital (``python -m benchmarks.data --size small|medium|large``).

The command lives here with the benchmarks, not in the product: run from the repository root
with the product's settings (``DJANGO_SETTINGS_MODULE``, default ``supervision.settings``).

A hospital year, written through the project's own services and import paths:

* departments and the staff roster: ``bulk_create`` (the roster import is django-import-export
  row by row, which only adds time, not behaviour: the rows are plain data);
* users: one per role plus one head per department (``supervision.demo._head_for``);
* discharged stays: ``followups.importing.discharges_import`` (the HIS import's own bulk path),
  one CSV file per month;
* call attempts: ``followups.importing.history_import`` (the follow-up history import's bulk path,
  which writes tasks and attempts with ``bulk_create``) for everything discharged before the last
  ten days, then ``followups.services.call_queue_build`` for each of the last ten days and
  ``call_record`` (claim + call) for a share of today's tasks;
* survey responses: ``surveys.services.response_submit`` for every response;
* complaints: ``complaints.services.complaint_intake`` and the workflow services for every one;
* inspection rounds: ``round_start`` / ``answer_save`` / ``round_submit`` for every round (failed
  items become findings through the core service), orders moved on with the core services;
* chart audits: ``chart_sample_draw`` per month and ``audit_complete`` for every sampled chart;
* findings: those the channels create, topped up with ``finding_create`` + order transitions
  (acknowledge, extension, submit, return, verify) to the target, so every order state exists.

See docs/benchmarks.md for the exact counts each size produces and the time each step takes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import time

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

SIZES = {
    "large": {
        "departments": 60,
        "staff": 1200,
        "stays": 250_000,
        "attempts": 400_000,
        "responses": 20_000,
        "findings": 5_000,
        "complaints": 3_000,
        "rounds": 1_500,
        "audits": 6_000,
    },
}
SIZES["medium"] = {k: (v if k == "departments" else v // 10) for k, v in SIZES["large"].items()}
SIZES["medium"]["departments"] = 30
SIZES["small"] = {k: max(1, v // 100) for k, v in SIZES["large"].items()}
SIZES["small"]["departments"] = 15
SIZES["small"]["staff"] = 60

MARKER_CODE = "BENCH"  # a support department whose presence marks a bench database

EXTRA_CLINICAL = [
    "血液内科", "肾内科", "内分泌科", "消化内科", "风湿免疫科", "老年医学科", "普外科", "肝胆外科",
    "胃肠外科", "甲状腺乳腺外科", "心胸外科", "神经外科", "泌尿外科", "烧伤整形科", "血管外科",
    "小儿外科", "新生儿科", "生殖医学科", "产科", "妇科", "疼痛科", "麻醉科", "介入科", "核医学科",
    "放疗科", "感染科", "全科医学科", "营养科", "病理科", "超声科",
]  # fmt: skip


class Timer:
    def __init__(self, out):
        self.out = out
        self.steps: dict[str, float] = {}

    def __call__(self, name):
        timer = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()
                timer.out(f"  {name} …")

            def __exit__(self, *exc):
                took = time.perf_counter() - self.t
                timer.steps[name] = took
                timer.out(f"  {name}: {took:.1f} s")

        return _Step()


def has_bench_data() -> bool:
    from supervision.models import Department

    return Department.objects.filter(code=MARKER_CODE).exists()


def _moment(day: dt.date, rng: random.Random, hours=(8, 17)) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randrange(*hours), rng.randrange(60)), tzinfo=timezone.get_current_timezone()
    )


def generate(*, size: str, seed: int, out=print) -> dict:
    from supervision.models import Notification

    spec = SIZES[size]
    rng = random.Random(seed)  # nosec B311 # reproducible benchmark data, not security
    today = timezone.localdate()
    timer = Timer(out)
    ctx: dict = {"today": today, "start": today - dt.timedelta(days=365), "spec": spec}
    with timer("organisation"), transaction.atomic():
        _organisation(rng, ctx)
    with timer("discharged stays (HIS import, bulk path)"):
        _stays(rng, ctx)
    with timer("follow-up history (history import, bulk path)"):
        _history(rng, ctx)
    with timer("call queues of the last 10 days + calls (services)"):
        _queues(rng, ctx)
    with timer("survey responses (response_submit)"), transaction.atomic():
        _responses(rng, ctx)
    with timer("complaints (intake + workflow services)"), transaction.atomic():
        _complaints(rng, ctx)
    with timer("inspection rounds (round services)"), transaction.atomic():
        _rounds(rng, ctx)
    with timer("chart audits (sample draw + audit_complete)"), transaction.atomic():
        _audits(rng, ctx)
    with timer("findings top-up (finding_create + order transitions)"), transaction.atomic():
        _findings(rng, ctx)
    # Generated history is not news: do not e-mail it.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    return {"steps": timer.steps, "counts": counts()}


def counts() -> dict:
    from complaints.models import Complaint
    from followups.models import CallAttempt, FollowupTask
    from inspections.models import ChartAudit, InspectionRound
    from supervision.models import Department, DischargeStay, Finding, RectificationOrder, Staff
    from surveys.models import SurveyResponse

    orders = dict(RectificationOrder.objects.values_list("status").annotate(n=Count("id")))
    return {
        "departments": Department.objects.count(),
        "staff": Staff.objects.count(),
        "stays": DischargeStay.objects.count(),
        "followup_tasks": FollowupTask.objects.count(),
        "attempts": CallAttempt.objects.count(),
        "responses": SurveyResponse.objects.count(),
        "findings": Finding.objects.count(),
        "orders_by_status": orders,
        "complaints": Complaint.objects.count(),
        "rounds": InspectionRound.objects.count(),
        "audits": ChartAudit.objects.count(),
    }


# --- organisation ----------------------------------------------------------------------------


def _organisation(rng, ctx):
    from django.contrib.auth.models import Group

    from supervision import demo
    from supervision.models import Department, DepartmentKind, Role, Staff, StaffPosition, User

    spec = ctx["spec"]
    wanted = spec["departments"]
    rows = list(demo.DEPARTMENTS)
    extra = iter(EXTRA_CLINICAL)
    n = 1
    while len(rows) < wanted - 1:
        name = next(extra, None) or f"第{n}病区"
        rows.append((f"X{n:02d}", name, DepartmentKind.CLINICAL))
        n += 1
    # Keep the demo's mix: windows and support units first so a small hospital still has them.
    rows.sort(key=lambda r: (r[2] == DepartmentKind.CLINICAL, 0))
    rows = [*rows[: wanted - 1], (MARKER_CODE, "基准测试保障组", DepartmentKind.SUPPORT)]
    departments = []
    for order, (code, name, kind) in enumerate(rows, 1):
        d, _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": order * 10}
        )
        departments.append(d)
    ctx["departments"] = departments
    ctx["clinical"] = [d for d in departments if d.kind == DepartmentKind.CLINICAL]

    per = max(1, spec["staff"] // len(departments))
    positions = {
        DepartmentKind.CLINICAL: [StaffPosition.DOCTOR, StaffPosition.DOCTOR, StaffPosition.NURSE, StaffPosition.NURSE],
        DepartmentKind.WINDOW: [StaffPosition.CLERK, StaffPosition.PHARMACIST],
        DepartmentKind.SUPPORT: [StaffPosition.SUPPORT],
    }  # fmt: skip
    staff, number = [], 1
    for d in departments:
        for _ in range(per):
            position = rng.choice(positions[d.kind])
            staff.append(
                Staff(
                    employee_no=f"B{number:06d}",
                    name=demo.random_name(rng),
                    department=d,
                    position=position,
                    title={"doctor": "主治医师", "nurse": "护师"}.get(position, ""),
                )
            )
            number += 1
    Staff.objects.bulk_create(staff, batch_size=1000)

    def user(username, full_name, role, depts=()):
        u = User.objects.create(
            username=username,
            password=demo._demo_hash(),
            full_name=full_name,
            email=f"{username}@bench.local",
        )
        u.groups.set(Group.objects.filter(name=role))
        if depts:
            u.departments.set(depts)
        return u

    ctx["supervisor"] = user("supervisor", "周督察", Role.SUPERVISOR)
    ctx["admin"] = user("admin", "陈院办", Role.ADMINISTRATOR)
    ctx["admin"].is_staff = ctx["admin"].is_superuser = True
    ctx["admin"].save()
    ctx["volunteer"] = user("volunteer", "赵义务", Role.VOLUNTEER)
    ctx["callers"] = [user(f"caller{i}", f"回访员{i}", Role.FOLLOWUP) for i in range(1, 11)]
    ctx["heads"] = {d.pk: demo._head_for(d) for d in departments}


# --- discharges and follow-ups -----------------------------------------------------------------

DIAGNOSES = ["社区获得性肺炎", "2型糖尿病", "高血压病3级", "急性阑尾炎", "胆囊结石", "腰椎间盘突出症",
             "冠状动脉粥样硬化性心脏病", "脑梗死", "慢性阻塞性肺疾病急性加重", "白内障", "剖宫产术后"]  # fmt: skip


def _csv(headers, rows) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _stays(rng, ctx):
    from followups import importing
    from supervision import demo

    spec, start, today = ctx["spec"], ctx["start"], ctx["today"]
    clinical = ctx["clinical"]
    weights = [3 if i % 7 == 0 else 1 for i in range(len(clinical))]
    days = (today - start).days
    total = spec["stays"]
    by_month: dict[str, list] = {}
    stays = []
    for i in range(total):
        day = start + dt.timedelta(days=rng.randrange(days))  # up to yesterday
        department = rng.choices(clinical, weights)[0]
        stay_days = rng.randint(2, 14)
        phone = "" if rng.random() < 0.03 else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        row = [
            f"BZ{i:08d}", demo.random_name(rng), rng.choice("男女"), rng.randint(3, 92), phone, "",
            department.name, demo.random_name(rng), demo.random_name(rng),
            (day - dt.timedelta(days=stay_days)).isoformat(), day.isoformat(), rng.choice(DIAGNOSES),
            "5" if rng.random() < 0.01 else "1",
        ]  # fmt: skip
        by_month.setdefault(f"{day:%Y-%m}", []).append(row)
        stays.append((row[0], day, bool(phone), row[12] == "5"))
    for month, rows in sorted(by_month.items()):
        report = importing.discharges_import(
            source=_csv(importing.DISCHARGE_HEADERS, rows),
            file_name=f"HIS出院{month}.csv",
            actor=ctx["admin"],
        )
        if not report.ok:
            raise RuntimeError(f"discharge import {month} failed: {report.file_error} {report.errors[:3]}")
    ctx["stays"] = stays


HISTORY_OUTCOMES = (["成功"] * 80 + ["空号"] * 3 + ["关机"] * 3 + ["无人接听"] * 8 + ["拒访"] * 3 + ["转院"]
                    + ["再入院"] * 2)  # fmt: skip


def _history(rng, ctx):
    """Past calls from the follow-up register: 1–3 attempts per stay, up to the attempts target."""
    from followups import importing

    spec, today = ctx["spec"], ctx["today"]
    cutoff = today - dt.timedelta(days=10)
    eligible = [s for s in ctx["stays"] if s[1] <= cutoff and not s[3]]
    budget = spec["attempts"]
    # Attempts per stay so that the total meets the target: spread over the eligible stays.
    mean = budget / max(1, len(eligible))
    callers = [c.full_name for c in ctx["callers"]]
    by_month: dict[str, list] = {}
    written = 0
    for admission_no, discharged, has_phone, _died in eligible:
        if written >= budget:
            break
        if not has_phone:
            by_month.setdefault(f"{discharged:%Y-%m}", []).append(
                [admission_no, discharged.isoformat(), (discharged + dt.timedelta(days=5)).isoformat(),
                 "信函", rng.choice(callers), "信函", "", ""]
            )  # fmt: skip
            written += 1
            continue
        n = max(1, min(3, int(mean) + (1 if rng.random() < mean - int(mean) else 0)))
        day = discharged + dt.timedelta(days=rng.randint(3, 5))
        for k in range(n):
            last = k == n - 1
            result = rng.choice(HISTORY_OUTCOMES) if last else rng.choice(["无人接听", "关机", "无人接听"])
            satisfied = ("满意" if rng.random() < 0.95 else "不满意") if result == "成功" else ""
            by_month.setdefault(f"{discharged:%Y-%m}", []).append(
                [admission_no, discharged.isoformat(), f"{day.isoformat()} {9 + k}:{rng.randrange(60):02d}",
                 result, rng.choice(callers), "电话", satisfied, ""]
            )  # fmt: skip
            written += 1
            day += dt.timedelta(days=1)
    for month, rows in sorted(by_month.items()):
        report = importing.history_import(
            source=_csv(importing.HISTORY_HEADERS, rows), file_name=f"回访登记{month}.csv", actor=ctx["admin"]
        )
        if not report.ok:
            raise RuntimeError(f"history import {month} failed: {report.file_error} {report.errors[:3]}")


def _queues(rng, ctx):
    from followups import services
    from followups.models import DutyRoster, FollowupTask, Outcome, TaskMode, TaskStatus
    from supervision.demo import at_time

    today = ctx["today"]
    services.policy_default()
    callers = ctx["callers"]
    for offset in range(9, -1, -1):
        day = today - dt.timedelta(days=offset)
        for c in callers[:6]:
            DutyRoster.objects.get_or_create(user=c, day=day)
        with at_time(_moment(day, rng, (7, 8))):
            services.call_queue_build(day=day)
    # Today's morning: each caller works through part of the list.
    tasks = list(
        FollowupTask.objects.filter(status=TaskStatus.PENDING, mode=TaskMode.PHONE, assigned_to__isnull=False)
        .select_related("assigned_to", "stay")
        .order_by("id")[: max(5, len(callers) * 10)]
    )
    now = timezone.now()
    for task in tasks:
        roll = rng.random()
        data = services.CallInput(
            outcome=Outcome.REACHED if roll < 0.75 else Outcome.NO_ANSWER,
            satisfaction="satisfied" if roll < 0.7 else ("dissatisfied" if roll < 0.75 else ""),
            guidance_given=roll < 0.75,
        )
        actor = task.assigned_to
        services.task_claim(task=task, actor=actor, now=now - dt.timedelta(minutes=5))
        services.call_record(task=task, actor=actor, data=data, now=now - dt.timedelta(minutes=2))


# --- surveys -----------------------------------------------------------------------------------


def _responses(rng, ctx):
    from supervision.models import Staff
    from surveys import demo as survey_demo
    from surveys import services
    from surveys.models import Channel
    from surveys.selectors import questionnaire_current

    today, start = ctx["today"], ctx["start"]
    supervisor = ctx["supervisor"]
    clinical, departments = ctx["clinical"], ctx["departments"]
    staff_by_dept: dict[int, list] = {}
    for s in Staff.objects.filter(active=True):
        staff_by_dept.setdefault(s.department_id, []).append(s)
    inpatient, outpatient = questionnaire_current("inpatient"), questionnaire_current("outpatient")
    campaigns = [
        services.campaign_save(
            name=f"{start.year}–{today.year} 住院患者满意度调查（基准）", questionnaire=inpatient, start=start,
            end=today.replace(month=12, day=31), departments=clinical, target_count=ctx["spec"]["responses"],
            channels=[Channel.PAPER, Channel.WEB, Channel.PHONE], actor=supervisor,
        ),
        services.campaign_save(
            name=f"{today.year} 门诊患者满意度调查（基准）", questionnaire=outpatient, start=start,
            end=today.replace(month=12, day=31), departments=[], target_count=ctx["spec"]["responses"] // 2,
            channels=[Channel.PAPER, Channel.WEB], actor=supervisor,
        ),
    ]  # fmt: skip
    span = (today - start).days
    for i in range(ctx["spec"]["responses"]):
        campaign = campaigns[0] if i % 3 else campaigns[1]
        department = rng.choice(clinical if campaign is campaigns[0] else departments)
        day = start + dt.timedelta(days=rng.randrange(span))
        channel = rng.choice([Channel.PAPER, Channel.PAPER, Channel.WEB])
        services.response_submit(
            questionnaire=campaign.questionnaire,
            channel=channel,
            department=department,
            answers=survey_demo._answers(campaign.questionnaire, rng, staff_by_dept, department, 0.0),
            submitted_by=supervisor if channel == Channel.PAPER else None,
            campaign=campaign,
            submitted_at=_moment(day, rng),
            allow_incomplete=True,
        )
        if channel == Channel.PAPER and i % 8 == 0:
            services.distribution_record(
                campaign=campaign, department=department, count=12, distributed_on=day, actor=supervisor
            )


# --- complaints --------------------------------------------------------------------------------


def _complaints(rng, ctx):
    from complaints import demo as complaint_demo
    from complaints import services, workdays
    from complaints.models import ComplaintChannel, NotAcceptedReason
    from supervision.demo import _head_for, at_time, random_name
    from supervision.models import Category, DepartmentKind

    today, supervisor, admin = ctx["today"], ctx["supervisor"], ctx["admin"]
    caller = ctx["callers"][0]
    departments = [
        d for d in ctx["departments"] if d.kind in (DepartmentKind.CLINICAL, DepartmentKind.WINDOW)
    ]
    categories = {c.code: c for c in Category.objects.all()}
    fallback = next(iter(categories.values()))
    channels = [c for c, _ in complaint_demo.CHANNEL_WEIGHTS]
    weights = [w for _, w in complaint_demo.CHANNEL_WEIGHTS]
    now = timezone.now()
    for _ in range(ctx["spec"]["complaints"]):
        received_on = today - dt.timedelta(days=rng.randrange(0, 365))
        if not workdays.is_working_day(received_on) and rng.random() < 0.7:
            received_on = min(today, workdays.add_working_days(received_on, 1))
        received = min(_moment(received_on, rng, (8, 18)), now - dt.timedelta(minutes=5))
        channel = rng.choices(channels, weights)[0]
        code, text = rng.choice(complaint_demo.TOPICS)
        department = rng.choice(departments)
        recorder = (
            None
            if channel == ComplaintChannel.WEB
            else (caller if channel == ComplaintChannel.FOLLOWUP else supervisor)
        )
        extra = {}
        if channel == ComplaintChannel.CITIZEN_12345:
            extra = {
                "referral_no": f"GD{received_on:%Y%m%d}{rng.randrange(10**6):06d}",
                "referral_due": workdays.add_working_days(received_on, rng.choice((3, 5))),
            }
        with at_time(received):
            complaint = services.complaint_intake(
                channel=channel, received_by=recorder, content=text, department=department,
                complainant_name=random_name(rng), complainant_phone=f"13{rng.randrange(10**9):09d}",
                received_at=received, **extra,
            )  # fmt: skip
        age = workdays.working_days_between(received_on, today)
        if age < 1:
            continue
        step = received + dt.timedelta(hours=rng.randrange(1, 20))
        if recorder is not supervisor:
            with at_time(step):
                services.complaint_handover(
                    complaint=complaint, actor=recorder or supervisor, to_user=supervisor, note="转投诉办处理"
                )
        if rng.random() < 0.08:
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
        if age < 2:
            continue
        several = rng.random() < 0.15
        assigned = [department] + (
            [rng.choice([d for d in departments if d != department])] if several else []
        )
        step += dt.timedelta(hours=rng.randrange(2, 24))
        with at_time(step):
            services.complaint_assign(
                complaint=complaint, actor=supervisor, departments=assigned, instructions="请核实并回复"
            )
        if age < 4 and rng.random() < 0.6:
            continue
        for d in assigned:
            step += dt.timedelta(hours=rng.randrange(4, 48))
            if step > now:
                break
            with at_time(step):
                services.complaint_reply(
                    complaint=complaint,
                    actor=_head_for(d),
                    department=d,
                    reply="经核实，已对当事人进行批评教育",
                )
        complaint.refresh_from_db()
        if complaint.status != "investigated":
            continue
        roll = rng.random()
        determination = "valid" if roll < 0.35 else ("partly_valid" if roll < 0.5 else "not_valid")
        step += dt.timedelta(hours=rng.randrange(1, 24))
        if step > now:
            continue
        with at_time(step):
            services.complaint_determine(
                complaint=complaint, actor=supervisor, determination=determination,
                categories=[categories.get(code, fallback)] if determination != "not_valid" else [],
            )  # fmt: skip
        answered = _moment(workdays.add_working_days(received_on, rng.choice((1, 2, 3, 4, 5, 5, 6, 8))), rng)
        if answered > now:
            continue
        with at_time(answered):
            services.complaint_answer(
                complaint=complaint, actor=supervisor, method=rng.choice(["phone", "phone", "in_person", "letter"]),
                text="已向投诉人说明调查结果及整改措施", answered_at=answered,
            )  # fmt: skip
        if rng.random() < 0.03:
            with at_time(answered):
                services.complaint_flag_dispute(
                    complaint=complaint,
                    actor=admin,
                    dispute=True,
                    amount=rng.choice((2000, 5000)),
                    note="转医调委调解",
                )
        closed = answered + dt.timedelta(days=rng.randrange(1, 5))
        if closed > now:
            continue
        with at_time(closed):
            services.complaint_close(
                complaint=complaint, actor=supervisor,
                satisfaction=rng.choice(["satisfied", "satisfied", "basically", "dissatisfied", "unreachable"]),
            )  # fmt: skip


# --- inspections -------------------------------------------------------------------------------


def _rounds(rng, ctx):
    from inspections import demo as inspection_demo
    from inspections import services
    from inspections.models import ChecklistTemplate, Disposition, TemplateStatus
    from supervision.models import DepartmentKind

    today, supervisor = ctx["today"], ctx["supervisor"]
    templates = {t.code: t for t in ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED)}
    departments = [d for d in ctx["departments"] if d.code != MARKER_CODE]
    month = services.month_start(ctx["start"])
    months = []
    while month <= today:
        months.append(month)
        month = services.next_month(month)
    per_month = ctx["spec"]["rounds"] / len(months)
    for month in months:
        services.plan_set(
            month=month,
            counts={d.pk: 2 if d.kind == DepartmentKind.CLINICAL else 1 for d in departments},
            actor=supervisor,
        )
    now = timezone.now()
    made = 0
    for index, month in enumerate(months):
        last = min(today, services.next_month(month) - dt.timedelta(days=1))
        quota = round(per_month * (index + 1)) - made
        for _ in range(quota):
            d = rng.choice(departments)
            day = month + dt.timedelta(days=rng.randrange(0, (last - month).days + 1))
            moment = min(_moment(day, rng), now - dt.timedelta(hours=1))
            rnd = inspection_demo._run_round(
                rng=rng, department=d, template=templates[inspection_demo._template_code(d)],
                supervisor=supervisor, moment=moment,
            )  # fmt: skip
            for answer in rnd.answers.filter(
                finding__isnull=False, disposition=Disposition.FINDING
            ).select_related("finding__department"):
                inspection_demo._progress_order(
                    finding=answer.finding, rng=rng, supervisor=supervisor, moment=rnd.started_at, today=today
                )
            made += 1


def _audits(rng, ctx):
    from inspections import demo as inspection_demo
    from inspections import services
    from inspections.models import InspectionSettings

    today, supervisor = ctx["today"], ctx["supervisor"]
    month = services.month_start(ctx["start"])
    months = []
    while services.next_month(month) <= today:  # complete months only
        months.append(month)
        month = services.next_month(month)
    config = InspectionSettings.get()
    config.sample_share_pct = None
    config.sample_per_department = max(
        1, math.ceil(ctx["spec"]["audits"] / (len(months) * len(ctx["clinical"])))
    )
    config.save()
    for month in months:
        try:
            sample, _created = services.chart_sample_draw(month=month, actor=supervisor)
        except Exception as exc:  # NothingToDraw for an empty month
            ctx.setdefault("skipped_months", []).append(f"{month:%Y-%m}: {exc}")
            continue
        inspection_demo._audit_month(
            rng=rng, sample=sample, supervisor=supervisor, heads={}, today=today, share_done=1.0
        )


# --- findings ------------------------------------------------------------------------------------


def _findings(rng, ctx):
    from supervision import demo, services
    from supervision.demo import at_time
    from supervision.models import Category, Finding, FindingSource, Severity

    today, supervisor, volunteer = ctx["today"], ctx["supervisor"], ctx["volunteer"]
    # The channels create most findings; the core service adds the rest, and at least a fifth of the
    # target, so the order workflow (extensions, returns, overdue) has every state at every size.
    missing = max(ctx["spec"]["findings"] - Finding.objects.count(), ctx["spec"]["findings"] // 5)
    categories = {c.code: c for c in Category.objects.all()}
    departments = [d for d in ctx["departments"] if d.code != MARKER_CODE]
    now = timezone.now()
    for i in range(max(0, missing)):
        day = ctx["start"] + dt.timedelta(days=rng.randrange(0, 366))
        moment = min(_moment(day, rng), now - dt.timedelta(hours=2))
        department = rng.choice(departments)
        category_code = rng.choice([c for c in demo.FINDING_TEXTS if c in categories])
        by_volunteer = i % 17 == 0
        with at_time(moment):
            finding = services.finding_create(
                source=FindingSource.VOLUNTEER if by_volunteer else rng.choice([FindingSource.INSPECTION, FindingSource.OTHER]),
                category=categories[category_code], department=department,
                description=rng.choice(demo.FINDING_TEXTS[category_code]), severity=rng.choice(Severity.values),
                found_at=moment, location=department.name, found_by=volunteer if by_volunteer else supervisor,
                needs_rectification=not by_volunteer, deadline=moment.date() + dt.timedelta(days=rng.choice((3, 7, 14))),
            )  # fmt: skip
        if by_volunteer:
            continue
        demo.work_order(
            finding.order,
            rng=rng,
            today=today,
            head=ctx["heads"][department.pk],
            supervisor=supervisor,
            moment=moment,
        )


# --- the command -------------------------------------------------------------------------------


def main(argv: list[str] | None = None, out=print) -> dict:
    """``python -m benchmarks.data [--size S] [--seed N] [--reset]``: fill an empty database (or, with
    --reset, a database whose name contains 'bench') with a hospital year; print the JSON summary.
    Refusals raise ``CommandError`` (the command line prints them and exits 2)."""
    import argparse
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.data",
        description="Generate a hospital year for the benchmarks (small ≈ 1 %, medium ≈ 10 %, large = 100 %).",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop every table of this database first (only for a database whose name contains 'bench')",
    )
    args = parser.parse_args(argv)
    name = str(connection.settings_dict["NAME"])
    if args.reset:
        if "bench" not in name:
            raise CommandError(f"--reset only wipes a database whose name contains 'bench' (this is {name}).")
        _wipe(connection)
        call_command("migrate", verbosity=0)
    elif has_bench_data():
        raise CommandError("This database already holds bench data; run again with --reset to regenerate.")
    elif _has_any_data():
        raise CommandError(
            "This database holds data; bench data goes into an empty database (or use --reset)."
        )
    result = generate(size=args.size, seed=args.seed, out=out)
    result["size"] = args.size
    result["seed"] = args.seed
    out(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return result


def _wipe(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        else:
            tables = connection.introspection.table_names(cursor)
            cursor.execute("PRAGMA foreign_keys=OFF")
            for table in tables:
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute("PRAGMA foreign_keys=ON")


def _has_any_data() -> bool:
    from supervision.models import Department, User

    return User.objects.exists() or Department.objects.exists()


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    django.setup()
    from django.core.management.base import CommandError

    try:
        main(sys.argv[1:])
    except CommandError as exc:
        print(f"benchmarks.data: {exc}", file=sys.stderr)
        sys.exit(2)
