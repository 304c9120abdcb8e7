"""Generators of the benchmark hospital (``python -m benchmarks.data --size small|medium|large|huge``).

The command lives here with the benchmarks, not in the product: run from the repository root
with the product's settings (``DJANGO_SETTINGS_MODULE``, default ``supervision.settings``).

A hospital year, written through the project's own services and import paths:

* departments and the staff roster: ``bulk_create`` (the roster import is django-import-export
  row by row, which only adds time, not behaviour: the rows are plain data);
* users: one per role plus one head per department (``supervision.demo._head_for``);
* discharged stays and the follow-up register's past calls (tasks and attempts): the rows the HIS
  import and the history import (``followups.importing``) write, built with their own parsers and task
  builder and written with their bulk writer ``bulk_insert`` (COPY on PostgreSQL), in chunks of 20,000
  stays (no CSV round trip; nothing of the set held in memory); then
  ``followups.services.call_queue_build`` for each of the last ten days and ``call_record`` (claim +
  call) for a share of today's tasks;
* survey responses: ``surveys.services.response_submit`` for every response;
* complaints: ``complaints.services.complaint_intake`` and the workflow services for every one;
* inspection rounds: ``round_start`` / ``answer_save`` / ``round_submit`` for every round (failed
  items become findings through the core service), orders moved on with the core services;
* chart audits: ``chart_sample_draw`` per month and ``audit_complete`` for every sampled chart;
* findings: those the channels create, topped up with ``finding_create`` + order transitions
  (acknowledge, extension, submit, return, verify) to the target, so every order state exists;
* the people the findings name (``people``, last): ``attributions_add`` for a chart audit's doctor and,
  by category, one or two people of a finding's department, then ``attribution_dispute`` /
  ``attribution_decide`` for a share; ``--people`` runs that step alone on a set generated before it;
* the alerts on unhappy patients the channels' workers would have raised (``alerts``, last):
  ``attempt_raise_alert`` / ``response_raise_alert``, then ``alert_contact`` / ``alert_close`` by the
  department's head; ``--alerts`` runs that step alone on a set generated before it.

On PostgreSQL at large and huge size the services above run for a window of two complete months (one
at huge size) ending two months before the current month, for the two complete months after it and for
the current month; the months before the window are copies of it (``_clone_window``, SQL), so that a
five-year set takes minutes, not hours, and the copies' orders are as far worked as the window's. ``--size huge``: five years ending today, 200,000 stays a year.

See docs/benchmarks.md for the exact counts each size produces and the time each step takes.
"""

from __future__ import annotations

import datetime as dt
import itertools
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
# Five years of a large hospital (issue 23 item 3): 200,000 stays a year, so the per-stay tables are 4×
# large; the things a hospital does a set number of times a year (surveys, complaints, rounds, audits,
# findings) are 5× large, one large year's worth per year.
SIZES["huge"] = {
    **{k: v * 4 for k, v in SIZES["large"].items() if k in ("stays", "attempts")},
    **{
        k: v * 5
        for k, v in SIZES["large"].items()
        if k in ("responses", "findings", "complaints", "rounds", "audits")
    },
    "departments": 60,
    "staff": 1200,
}
YEARS = {"huge": 5}  # the years the set covers, ending today (1 unless listed)
# PostgreSQL: the channels' services write a window of WINDOW_MONTHS complete months, the RECENT_MONTHS
# complete months after it and the current month; the complete months before the window are copies of
# it, shifted by whole months (_clone_window). Two months at large size; one at huge, whose month
# already holds a large hospital's month of work (the services' time is the window's, and a five-year
# set is generated on a shared two-core machine).
WINDOW_MONTHS = {"huge": 1}  # 2 unless listed
# The window ends this many complete months before the current month, so that its orders are as old
# as a copied month's: the services work an order according to its age (supervision.demo.work_order),
# and a copy keeps the window's states. A window of the last two months copied over a year left most
# of a year's orders open (large: 294 of 7,177 closed); months this recent are written as they are.
RECENT_MONTHS = 2
# Only from this many stays (large, huge): a smaller set's window holds too few findings and complaints
# to show every state, and its services take minutes at most.
COPIES_FROM_STAYS = 100_000

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
    from django.db import connection

    from supervision.models import Notification

    spec = SIZES[size]
    rng = random.Random(seed)  # nosec B311 # reproducible benchmark data, not security
    today = timezone.localdate()
    timer = Timer(out)
    start = today - dt.timedelta(days=365 * YEARS.get(size, 1))
    ctx: dict = {"today": today, "start": start, "spec": spec, "seed": seed}
    with timer("organisation"), transaction.atomic():
        _organisation(rng, ctx)
    with timer("discharged stays + follow-up history (the imports' rows, bulk_insert / COPY)"):
        _stays_and_history(rng, ctx)
    with timer("call queues of the last 10 days + calls (services)"):
        _queues(rng, ctx)
    with timer("channel set-up (campaigns, inspection plans, audit sample size)"), transaction.atomic():
        _channel_setup(rng, ctx)
    months = ctx["months"]  # the complete months of the set, oldest first
    window = WINDOW_MONTHS.get(size, 2)
    older = months[:-RECENT_MONTHS]  # the window and the months copied from it
    window = window if len(older) % window == 0 else 1
    if connection.vendor != "postgresql" or spec["stays"] < COPIES_FROM_STAYS or len(older) <= window:
        # Every row through the services (SQLite, and sets too short to copy).
        _channels(rng, ctx, timer, "", start, today + dt.timedelta(days=1), dict(spec), months)
    else:
        copies = len(older) // window
        current = today.replace(day=1)  # this (incomplete) month
        recent = months[-RECENT_MONTHS]
        share = {}
        total_days = (today - start).days + 1
        for key in ("responses", "complaints", "rounds", "findings"):
            now_part = round(spec[key] * ((today - current).days + 1) / total_days)
            per_month, left = divmod(spec[key] - now_part, len(months))
            share[key] = (per_month * window, per_month * RECENT_MONTHS + left, now_part)
        first = older[-window]
        marks = _marks()
        _channels(rng, ctx, timer, f" — {first:%Y-%m}…{older[-1]:%Y-%m}", first, recent,
                  {k: v[0] for k, v in share.items()}, older[-window:])  # fmt: skip
        with timer(f"copies of that window over the {len(older) - window} months before it (SQL)"):
            _clone_window(marks, _marks(), copies=copies, months=window)
        _channels(rng, ctx, timer, f" — {recent:%Y-%m}…{months[-1]:%Y-%m}", recent, current,
                  {k: v[1] for k, v in share.items()}, months[-RECENT_MONTHS:])  # fmt: skip
        _channels(rng, ctx, timer, f" — {current:%Y-%m}", current, today + dt.timedelta(days=1),
                  {k: v[2] for k, v in share.items()}, [])  # fmt: skip
    with timer("people named in findings (attributions_add, disputes)"):
        people(seed=seed, today=today)
    with timer("alerts on unhappy patients and their recovery (alert services)"):
        alerts(seed=seed, today=today)
    # Generated history is not news: do not e-mail it.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    return {"steps": timer.steps, "counts": counts()}


def _channels(rng, ctx, timer, label, lo, end, n, months):
    """The channels' services for the days [lo, end): ``n`` responses, complaints, rounds and findings,
    and the chart audits of ``months``."""
    from supervision.models import RectificationOrder

    before = RectificationOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with timer(f"survey responses (response_submit){label}"), transaction.atomic():
        _responses(rng, ctx, lo, end, n["responses"])
    with timer(f"complaints (intake + workflow services){label}"), transaction.atomic():
        _complaints(rng, ctx, lo, end, n["complaints"])
    with timer(f"inspection rounds (round services){label}"), transaction.atomic():
        _rounds(rng, ctx, lo, end, n["rounds"])
    if months:
        with timer(f"chart audits (sample draw + audit_complete){label}"), transaction.atomic():
            _audits(rng, ctx, months)
    with timer(f"channel orders worked (order transitions){label}"), transaction.atomic():
        _work_channel_orders(rng, ctx, before)
    with timer(f"findings top-up (finding_create + order transitions){label}"), transaction.atomic():
        _findings(rng, ctx, lo, end, n["findings"])


def _channel_setup(rng, ctx):
    """What the channels share over the whole set: the two survey campaigns, the monthly inspection
    plans, and the audit sample size that gives the audits target over the set's complete months."""
    from inspections import services as inspections
    from inspections.models import InspectionSettings
    from supervision.models import DepartmentKind
    from surveys import services as surveys
    from surveys.models import Channel
    from surveys.selectors import questionnaire_current

    today, start, supervisor, spec = ctx["today"], ctx["start"], ctx["supervisor"], ctx["spec"]
    clinical = ctx["clinical"]
    inpatient, outpatient = questionnaire_current("inpatient"), questionnaire_current("outpatient")
    ctx["campaigns"] = [
        surveys.campaign_save(
            name=f"{start.year}–{today.year} 住院患者满意度调查（基准）", questionnaire=inpatient, start=start,
            end=today.replace(month=12, day=31), departments=clinical, target_count=spec["responses"],
            channels=[Channel.PAPER, Channel.WEB, Channel.PHONE], actor=supervisor,
        ),
        surveys.campaign_save(
            name=f"{today.year} 门诊患者满意度调查（基准）", questionnaire=outpatient, start=start,
            end=today.replace(month=12, day=31), departments=[], target_count=spec["responses"] // 2,
            channels=[Channel.PAPER, Channel.WEB], actor=supervisor,
        ),
    ]  # fmt: skip
    departments = [d for d in ctx["departments"] if d.code != MARKER_CODE]
    month = inspections.month_start(start)
    while month <= today:
        inspections.plan_set(
            month=month,
            counts={d.pk: 2 if d.kind == DepartmentKind.CLINICAL else 1 for d in departments},
            actor=supervisor,
        )
        month = inspections.next_month(month)
    months = []
    month = inspections.month_start(start)
    while inspections.next_month(month) <= today:  # complete months only
        months.append(month)
        month = inspections.next_month(month)
    ctx["months"] = months
    config = InspectionSettings.get()
    config.sample_share_pct = None
    config.sample_per_department = max(1, math.ceil(spec["audits"] / (len(months) * len(clinical))))
    config.save()


def counts() -> dict:
    from complaints.models import Complaint
    from followups.models import CallAttempt, FollowupTask
    from inspections.models import ChartAudit, InspectionRound
    from supervision.models import (
        Alert,
        Attribution,
        Department,
        DischargeStay,
        Finding,
        RectificationOrder,
        Staff,
    )
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
        "audits_with_doctor": ChartAudit.objects.filter(doctor__isnull=False).count(),
        "attributions": dict(Attribution.objects.values_list("status").annotate(n=Count("id"))),
        "people_named": Attribution.objects.values("staff").distinct().count(),
        "alerts": dict(Alert.objects.values_list("status").annotate(n=Count("id"))),
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


CHUNK = 20_000  # stays per chunk: memory stays flat however large the set (huge: 1,000,000 stays)


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(*models) -> None:
    """Explicit ids were written: move PostgreSQL's identity sequences past them (SQLite's AUTOINCREMENT
    follows the largest rowid by itself), through Django's public ``sequence_reset_sql``."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def _stays_and_history(rng, ctx):
    """Discharged stays and the follow-up register's past calls, written in chunks of ``CHUNK`` stays.

    The rows are the ones the HIS import (``followups.importing.discharges_import``) and the history
    import (``history_import``) would write for the CSV files the generator used to build: the same
    cell parsers, the history import's own task builder (``_history_task``), keys and outcome rules,
    and its bulk writer ``bulk_insert`` (COPY on PostgreSQL, ``executemany`` on SQLite). What is left out
    is only the files' round trip (write CSV, parse, validate every cell, look every stay up again),
    which took most of the time at large size. Stays and tasks get explicit ids so that their
    children need no second query; nothing of the set is held in memory but the current chunk.
    """
    from followups import importing
    from followups.models import OUTCOME_RULES, CallAttempt, FollowupTask
    from supervision import demo
    from supervision.infra.imports.cells import phone as parse_phone
    from supervision.infra.imports.pipeline import bulk_insert
    from supervision.models import DischargeStay

    spec, start, today = ctx["spec"], ctx["start"], ctx["today"]
    clinical = ctx["clinical"]
    # Cumulative weights once: the same draws as ``weights=`` without summing them for every stay.
    cum_weights = list(itertools.accumulate(3 if i % 7 == 0 else 1 for i in range(len(clinical))))
    days = (today - start).days
    total = spec["stays"]
    sex = {s: importing.parse_sex(s) for s in "男女"}
    method = {m: importing.parse_discharge_method(m) for m in "15"}
    tz = timezone.get_current_timezone()
    now = timezone.now()
    # Past calls: 1–3 attempts per stay discharged before the last ten days (not the deceased), the
    # mean chosen so that the total meets the target; letters for stays without a phone.
    hrng = random.Random(rng.random())  # nosec B311 # the history's own stream, independent of chunking
    cutoff = today - dt.timedelta(days=10)
    eligible = total * 0.99 * (days - 9) / days
    budget = spec["attempts"]
    mean = budget / max(1.0, eligible)
    callers = [(c.pk, c.full_name) for c in ctx["callers"]]
    outcome = {w: importing.parse_outcome(w) for w in set(HISTORY_OUTCOMES) | {"信函"}}
    satisfaction = {w: importing.parse_satisfaction(w) for w in ("满意", "不满意")}
    written = 0
    doctors = _roster_doctors()
    stay_id, task_id = _next_id(DischargeStay), _next_id(FollowupTask)
    for first in range(0, total, CHUNK):
        stays, tasks, attempts = [], [], []
        for i in range(first, min(total, first + CHUNK)):
            # In discharge order, as a hospital's daily HIS imports write them (up to yesterday): rows
            # drawn on random days left a month's stays on nearly every page of the table, so every
            # date-bounded read looked as if it grew with the years kept (docs/performance.md).
            day = start + dt.timedelta(days=i * days // total)
            department = rng.choices(clinical, cum_weights=cum_weights)[0]
            stay_days = rng.randint(2, 14)
            phone = "" if rng.random() < 0.03 else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            stay = {
                "id": stay_id,
                "admission_no": f"BZ{i:08d}",
                "discharged_on": day,
                "imported_at": now,
                "patient_name": demo.random_name(rng),
                "sex": sex[rng.choice("男女")],
                "age": rng.randint(3, 92),
                "phone": parse_phone(phone) if phone else "",
                "alt_phone": "",
                "department_id": department.pk,
                # The HIS names the roster's doctors (so a chart audit's draw links its doctor, as the
                # draw does in a hospital); the name drawn before still is, so the rest of the set stays
                # as it was (a random name matched the roster by chance: 2 attributions in a large set).
                "attending_doctor": _roster_doctor(
                    ctx["seed"], stay_id, doctors.get(department.pk), demo.random_name(rng)
                ),
                "responsible_nurse": demo.random_name(rng),
                "admitted_on": day - dt.timedelta(days=stay_days),
                "diagnosis": rng.choice(DIAGNOSES),
                "discharge_method": method["5" if rng.random() < 0.01 else "1"],
                # The stay's follow-up flags (followups.outcomes), set below with its task.
                "followup_due": False,
                "followup_attempted": False,
                "followup_reached": False,
            }
            stays.append(stay)
            stay_id += 1
            if day > cutoff or stay["discharge_method"] == method["5"] or written >= budget:
                continue
            calls = _history_calls(hrng, stay, mean, callers)
            calls = [
                {
                    **c,
                    "outcome": outcome[c["outcome"]],
                    "satisfaction": satisfaction.get(c["satisfaction"], ""),
                }
                for c in calls
            ]
            for c in calls:
                c["aware"] = timezone.make_aware(c["called_at"], tz)
                c["stay"] = (stay["id"], stay["department_id"], stay["patient_name"], stay["phone"], "")
            task = {"id": task_id, **importing._history_task(calls)}
            tasks.append(task)
            stay["followup_due"] = True
            stay["followup_attempted"] = task["attempt_count"] > 0
            stay["followup_reached"] = task["contacted"]
            for c in calls:
                disposition, contacted, _retry = OUTCOME_RULES[c["outcome"]]
                called = c["called_at"].isoformat(" ", "minutes")
                attempts.append(
                    {
                        "task_id": task_id,
                        "mode": c["mode"],
                        "caller_id": c["caller_id"],
                        "caller_name": c["caller_name"],
                        "attempted_at": c["aware"],
                        "attempted_on": c["aware"].astimezone(tz).date(),
                        "outcome": c["outcome"],
                        "disposition": disposition,
                        "contacted": contacted,
                        "satisfaction": c["satisfaction"],
                        "notes": "",
                        "history_key": f"{stay['admission_no']}|{day.isoformat()}|{called}|{c['outcome']}",
                    }
                )
            task_id += 1
            written += len(calls)
        with transaction.atomic():
            bulk_insert(DischargeStay, stays)
            bulk_insert(FollowupTask, tasks)
            bulk_insert(CallAttempt, attempts)
    _reset_sequences(DischargeStay, FollowupTask, CallAttempt)


HISTORY_OUTCOMES = (["成功"] * 80 + ["空号"] * 3 + ["关机"] * 3 + ["无人接听"] * 8 + ["拒访"] * 3 + ["转院"]
                    + ["再入院"] * 2)  # fmt: skip


def _history_calls(rng, stay, mean, callers) -> list[dict]:
    """One stay's past calls as the follow-up register lists them (a letter when there is no phone)."""
    from followups.models import TaskMode

    discharged = stay["discharged_on"]
    if not stay["phone"]:
        caller_id, caller_name = rng.choice(callers)
        called = dt.datetime.combine(discharged + dt.timedelta(days=5), dt.time(10, 0))
        return [
            {"called_at": called, "outcome": "信函", "mode": TaskMode.LETTER, "satisfaction": "",
             "caller_id": caller_id, "caller_name": caller_name}
        ]  # fmt: skip
    n = max(1, min(3, int(mean) + (1 if rng.random() < mean - int(mean) else 0)))
    day = discharged + dt.timedelta(days=rng.randint(3, 5))
    calls = []
    for k in range(n):
        last = k == n - 1
        result = rng.choice(HISTORY_OUTCOMES) if last else rng.choice(["无人接听", "关机", "无人接听"])
        satisfied = ("满意" if rng.random() < 0.95 else "不满意") if result == "成功" else ""
        caller_id, caller_name = rng.choice(callers)
        calls.append(
            {"called_at": dt.datetime.combine(day, dt.time(9 + k, rng.randrange(60))), "outcome": result,
             "mode": TaskMode.PHONE, "satisfaction": satisfied, "caller_id": caller_id, "caller_name": caller_name}
        )  # fmt: skip
        day += dt.timedelta(days=1)
    return calls


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


# --- copies of the window (PostgreSQL) -----------------------------------------------------------

# Rows the window writes that are not part of any one month's work: kept once, never copied.
NOT_COPIED = {
    "complaints.calendarday",
    "complaints.calendaryear",
    "supervision.importrun",
    "sessions.session",
}
# Numbers made of a prefix, the year of a date and the row's id (supervision/services.py,
# complaints/services.py): a copy gets the number its services would have given it.
NUMBERS = {
    "supervision.finding": ("WT", "found_at"),
    "supervision.rectificationorder": ("ZG", "issued_at"),
    "complaints.complaint": ("TS", "received_on"),
}


def _marks() -> dict:
    """The largest id of every table with an integer id: rows above it were written after this call."""
    from django.apps import apps
    from django.db import connection

    marks = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            pk = model._meta.pk
            if pk.get_internal_type() not in ("AutoField", "BigAutoField") or model._meta.proxy:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk.column)}), 0) FROM {table}")  # noqa: S608  # nosec B608: names from the models
            marks[model] = cursor.fetchone()[0]
    return marks


def _clone_window(before: dict, after: dict, *, copies: int, months: int) -> None:
    """Copy every row the window's services wrote (ids in ``before``–``after``) ``copies - 1`` times,
    copy k moved ``k × months`` months back: one ``INSERT … SELECT`` per table, ids offset by k × the
    rows the window wrote in the referenced table, dates and times moved in the hospital's time zone,
    numbers and de-duplication keys made unique as the services make them. A chart audit's stay is
    replaced by a stay of the same department discharged in the copy's month (the audit's sample
    month moves with it). Rows outside the window (departments, users, plans, stays, categories) are
    referenced as they are. PostgreSQL only: its foreign keys are checked at commit, so the tables
    can be copied in any order."""
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, models

    from inspections.models import ChartAudit
    from supervision.models import DischargeStay

    q = connection.ops.quote_name
    tz = timezone.get_current_timezone_name()
    span = {
        m: after[m] - before[m]
        for m in after
        if after[m] > before.get(m, 0) and m._meta.label_lower not in NOT_COPIED
    }
    ct = {m: ContentType.objects.get_for_model(m, for_concrete_model=False).pk for m in span}

    def fk(column: str, target) -> str:
        target = target._meta.concrete_model
        if target not in span:
            return column
        return (
            f"CASE WHEN {column} > {before[target]} AND {column} <= {after[target]} "
            f"THEN {column} + k * {span[target]} ELSE {column} END"
        )

    def moved(column: str, field) -> str:
        if isinstance(field, models.DateTimeField):
            return f"(({column} AT TIME ZONE '{tz}') - make_interval(months => k * {months})) AT TIME ZONE '{tz}'"
        return f"({column} - make_interval(months => k * {months}))::date"

    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in span.items():
            table = q(model._meta.db_table)
            instance = getattr(model, "instance_type", None)  # a django-simple-history table
            own = (instance or model)._meta.label_lower
            generic = {
                g.fk_field: model._meta.get_field(g.ct_field).column
                for g in model._meta.private_fields
                if isinstance(g, GenericForeignKey)
            }
            by_name = {f.name: f for f in model._meta.concrete_fields}
            columns, values = [], []
            new_id = None
            for f in model._meta.concrete_fields:
                if f.generated:  # computed by the database from the copied columns
                    continue
                c = f"t.{q(f.column)}"
                if f.primary_key:
                    v = f"{c} + k * {rows}"
                elif model is ChartAudit and f.name == "stay":
                    v = f"COALESCE(pick.id, {c})"
                elif f.is_relation:
                    v = fk(c, f.related_model)
                elif f.attname in generic:
                    cases = " ".join(f"WHEN {ct[m]} THEN {fk(c, m)}" for m in span)
                    v = f"CASE t.{q(generic[f.attname])} {cases} ELSE {c} END"
                elif instance is not None and f.attname == "id":
                    v = fk(c, instance)
                elif isinstance(f, models.DateField):  # DateTimeField too
                    v = moved(c, f)
                elif f.name == "number" and own in NUMBERS:
                    prefix, date_field = NUMBERS[own]
                    day = moved(f"t.{q(by_name[date_field].column)}", by_name[date_field])
                    if isinstance(by_name[date_field], models.DateTimeField):
                        day = f"({day}) AT TIME ZONE '{tz}'"
                    v = f"CASE WHEN {c} = '' THEN '' ELSE '{prefix}' || to_char({day}, 'YYYY') || '-' || lpad(({{id}})::text, 6, '0') END"
                elif f.name == "dedupe_key":
                    v = f"{c} || ':c' || k"
                elif f.name == "tracking_code" and f.unique:
                    v = f"upper(substr(md5({c} || k), 1, 5) || '-' || substr(md5({c} || k), 6, 5))"
                elif f.unique and f.null:
                    v = "NULL"
                elif f.unique:
                    raise RuntimeError(f"{model._meta.label}.{f.name} is unique: say how a copy gets its own")
                else:
                    v = c
                if f.primary_key or (instance is not None and f.attname == "id"):
                    new_id = f"{c} + k * {rows}" if instance is None else fk(c, instance)
                columns.append(q(f.column))
                values.append(v)
            values = [v.replace("{id}", new_id) for v in values]
            pick, join = "", ""
            if model is ChartAudit:
                stays = q(DischargeStay._meta.db_table)
                pick = f"""WITH src AS (
                    SELECT t.id AS aid, k, s.department_id AS dep,
                           date_trunc('month', s.discharged_on - make_interval(months => k * {months}))::date AS m,
                           row_number() OVER (PARTITION BY k, s.department_id, date_trunc('month', s.discharged_on)
                                              ORDER BY t.id) AS rn
                    FROM {table} t JOIN {stays} s ON s.id = t.stay_id CROSS JOIN generate_series(1, {copies - 1}) k
                    WHERE t.id > {before[model]} AND t.id <= {after[model]}),
                  cand AS (
                    SELECT id, department_id AS dep, date_trunc('month', discharged_on)::date AS m,
                           row_number() OVER (PARTITION BY department_id, date_trunc('month', discharged_on)
                                              ORDER BY id) AS rn
                    FROM {stays}),
                  pick AS (SELECT src.aid, src.k AS kk, cand.id FROM src LEFT JOIN cand USING (dep, m, rn))
                """  # noqa: S608  # nosec B608: names from the models
                join = "LEFT JOIN pick ON pick.aid = t.id AND pick.kk = k"
            cursor.execute(
                f"{pick} INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608: names from the models
                f"SELECT {', '.join(values)} FROM {table} t CROSS JOIN generate_series(1, {copies - 1}) k {join} "
                f"WHERE t.{q(model._meta.pk.column)} > {before[model]} AND t.{q(model._meta.pk.column)} <= {after[model]}"
            )
    _reset_sequences(*span)


# --- surveys -----------------------------------------------------------------------------------


def _responses(rng, ctx, lo, end, count):
    from supervision.models import Staff
    from surveys import demo as survey_demo
    from surveys import services
    from surveys.models import Channel

    supervisor = ctx["supervisor"]
    clinical, departments = ctx["clinical"], ctx["departments"]
    staff_by_dept: dict[int, list] = {}
    for s in Staff.objects.filter(active=True):
        staff_by_dept.setdefault(s.department_id, []).append(s)
    campaigns = ctx["campaigns"]
    span = (end - lo).days
    latest = timezone.now() - dt.timedelta(hours=1)
    for i in range(count):
        campaign = campaigns[0] if i % 3 else campaigns[1]
        department = rng.choice(clinical if campaign is campaigns[0] else departments)
        day = lo + dt.timedelta(days=rng.randrange(span))
        channel = rng.choice([Channel.PAPER, Channel.PAPER, Channel.WEB])
        services.response_submit(
            questionnaire=campaign.questionnaire,
            channel=channel,
            department=department,
            answers=survey_demo._answers(campaign.questionnaire, rng, staff_by_dept, department, 0.0),
            submitted_by=supervisor if channel == Channel.PAPER else None,
            campaign=campaign,
            submitted_at=min(_moment(day, rng), latest),
            allow_incomplete=True,
        )
        if channel == Channel.PAPER and i % 8 == 0:
            services.distribution_record(
                campaign=campaign, department=department, count=12, distributed_on=day, actor=supervisor
            )


# --- complaints --------------------------------------------------------------------------------


def _complaints(rng, ctx, lo, end, count):
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
    for _ in range(count):
        received_on = lo + dt.timedelta(days=rng.randrange((end - lo).days))
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


def _rounds(rng, ctx, lo, end, count):
    from inspections import demo as inspection_demo
    from inspections import services
    from inspections.models import ChecklistTemplate, Disposition, TemplateStatus

    today, supervisor = ctx["today"], ctx["supervisor"]
    templates = {t.code: t for t in ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED)}
    departments = [d for d in ctx["departments"] if d.code != MARKER_CODE]
    month = services.month_start(lo)
    months = []
    while month < end:
        months.append(month)
        month = services.next_month(month)
    per_month = count / len(months)
    now = timezone.now()
    made = 0
    for index, month in enumerate(months):
        first = max(month, lo)
        last = min(today, end - dt.timedelta(days=1), services.next_month(month) - dt.timedelta(days=1))
        quota = round(per_month * (index + 1)) - made
        for _ in range(quota):
            d = rng.choice(departments)
            day = first + dt.timedelta(days=rng.randrange(0, (last - first).days + 1))
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


def _audits(rng, ctx, months):
    from inspections import demo as inspection_demo
    from inspections import services

    today, supervisor = ctx["today"], ctx["supervisor"]
    for month in months:
        try:
            sample, _created = services.chart_sample_draw(month=month, actor=supervisor)
        except Exception as exc:  # NothingToDraw for an empty month
            ctx.setdefault("skipped_months", []).append(f"{month:%Y-%m}: {exc}")
            continue
        inspection_demo._audit_month(
            rng=rng, sample=sample, supervisor=supervisor, heads={}, today=today, share_done=1.0
        )


def _work_channel_orders(rng, ctx, before: int) -> None:
    """The orders the channels left "issued" (complaints' determinations, rounds' orders not yet
    worked) are worked by their age as the demo hospital's are, so old orders reach the
    effectiveness check and "closed" as in a real office (``supervision.demo.work_channel_orders``)."""
    from supervision import demo

    demo.work_channel_orders(
        rng=rng,
        today=ctx["today"],
        context={"users": {"supervisor": ctx["supervisor"]}, "last_core_order": before},
    )


# --- findings ------------------------------------------------------------------------------------


def _findings(rng, ctx, lo, end, target):
    from supervision import demo, services
    from supervision.demo import at_time
    from supervision.models import Category, Finding, FindingSource, Severity

    today, supervisor, volunteer = ctx["today"], ctx["supervisor"], ctx["volunteer"]
    # The channels create most findings; the core service adds the rest, and at least a fifth of the
    # target, so the order workflow (extensions, returns, overdue) has every state at every size.
    made = Finding.objects.filter(found_at__date__gte=lo, found_at__date__lt=end).count()
    missing = max(target - made, target // 5)
    categories = {c.code: c for c in Category.objects.all()}
    departments = [d for d in ctx["departments"] if d.code != MARKER_CODE]
    now = timezone.now()
    for i in range(max(0, missing)):
        day = lo + dt.timedelta(days=rng.randrange((end - lo).days))
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


# --- people held to account -------------------------------------------------------------------------

# The share of findings that name a person of their department, by category (issue 16 item 5): conduct
# is a person's, a building's faults are nobody's. A chart audit's finding names the chart's
# responsible doctor (``audit_complete``, through the draw's roster link); a volunteer's names nobody.
NAMED_SHARE = {
    "attitude": 0.6, "discipline": 0.6, "communication": 0.5, "privacy": 0.5, "norms": 0.4,
    "process": 0.25, "quality_safety": 0.25, "billing": 0.25, "waiting": 0.15, "hygiene": 0.1,
    "logistics": 0.05,
}  # fmt: skip
TWO_NAMED = 0.1  # of the findings that name anyone, those that name two people
DISPUTED_SHARE = 0.03  # of the attributions, those the head disputes …
DECIDED_AFTER = 21  # … which the office has decided once the dispute is this many days old
UPHELD_SHARE = 0.6  # … upholding these, withdrawing the rest
PEOPLE_CHUNK = 2_000  # findings per transaction


def _draw(seed: int, kind: str, pk: int) -> random.Random:
    """A stream of its own for one row: the same draws whatever was generated before it, so the step
    gives the same people on a fresh set and on a set generated before it existed."""
    return random.Random(f"{seed}:{kind}:{pk}")  # nosec B311 # reproducible benchmark data, not security


def _roster_doctors() -> dict[int, list]:
    """Each department's active doctors on the roster, in roster order: ``{department id: [Staff]}``."""
    from supervision.models import Staff, StaffPosition

    out: dict[int, list] = {}
    for s in Staff.objects.filter(active=True, position=StaffPosition.DOCTOR).order_by("employee_no"):
        out.setdefault(s.department_id, []).append(s)
    return out


def _roster_doctor(seed: int, stay_id: int, doctors: list | None, fallback: str) -> str:
    """The attending doctor the HIS gives a stay: one of its department's roster doctors (``fallback``
    for a department without any)."""
    return _draw(seed, "stay", stay_id).choice(doctors).name if doctors else fallback


def people(*, seed: int, today: dt.date | None = None) -> dict:
    """The people the set's findings name and their disputes, through the core services
    (``attributions_add``, ``attribution_dispute``, ``attribution_decide``). Idempotent and
    deterministic (each row draws from its own stream, keyed by the seed and its id): run at the end of
    ``generate`` and by ``--people`` on a set generated before the step existed, it adds what is
    missing and nothing else.

    1. A chart audit without its roster doctor (a set whose stays named random doctors) gets the
       doctor the HIS would now name (``_roster_doctor``): the stay's attending doctor, the audit's
       doctor and its link, as the draw would have written them.
    2. Every finding that names nobody yet: a chart audit's names its audit's doctor; another, by
       its category's share (``NAMED_SHARE``), one or two active people of its department, named at
       the moment the finding was recorded, by whoever recorded it.
    3. A share of the attributions is disputed by the department's head a few days later and, once
       the dispute is ``DECIDED_AFTER`` days old, decided by the office."""
    from django.db.models import Exists, OuterRef

    from inspections.models import ChartAudit
    from supervision import demo, services
    from supervision.demo import at_time
    from supervision.models import (
        Attribution,
        AttributionStatus,
        Department,
        DischargeStay,
        Finding,
        FindingSource,
        Notification,
        Staff,
        User,
    )

    today = today or timezone.localdate()
    now = timezone.now()
    doctors = _roster_doctors()
    linked = 0
    # 1. The audits' doctors.
    audits = list(
        ChartAudit.objects.filter(doctor__isnull=True).only("id", "stay_id", "department_id").order_by("pk")
    )
    stays = []
    for audit in audits:
        choices = doctors.get(audit.department_id)
        if not choices:
            continue
        doctor = _draw(seed, "stay", audit.stay_id).choice(choices)
        audit.doctor, audit.doctor_name = doctor, doctor.name
        stays.append(DischargeStay(pk=audit.stay_id, attending_doctor=doctor.name))
        linked += 1
    with transaction.atomic():
        ChartAudit.objects.bulk_update(
            [a for a in audits if a.doctor_id], ["doctor", "doctor_name"], batch_size=1000
        )
        DischargeStay.objects.bulk_update(stays, ["attending_doctor"], batch_size=1000)

    # 2. The findings that name nobody yet.
    audit_doctor = dict(
        ChartAudit.objects.filter(finding__isnull=False, doctor__isnull=False).values_list(
            "finding_id", "doctor_id"
        )
    )
    people_of: dict[int, list] = {}
    by_pk = {}
    for s in Staff.objects.filter(active=True).order_by("employee_no"):
        people_of.setdefault(s.department_id, []).append(s)
        by_pk[s.pk] = s
    findings = (
        Finding.objects.exclude(source=FindingSource.VOLUNTEER)
        .exclude(Exists(Attribution.objects.filter(finding=OuterRef("pk"))))
        .select_related("category")
        .only("id", "source", "department_id", "found_at", "found_by_id", "category__code")
        .order_by("pk")
    )
    named = 0
    pks = list(findings.values_list("pk", flat=True))
    for first in range(0, len(pks), PEOPLE_CHUNK):
        with transaction.atomic():
            for finding in findings.filter(pk__in=pks[first : first + PEOPLE_CHUNK]):
                if finding.source == FindingSource.CHART_AUDIT:
                    staff = [by_pk[d]] if (d := audit_doctor.get(finding.pk)) in by_pk else []
                else:
                    r = _draw(seed, "finding", finding.pk)
                    crew = people_of.get(finding.department_id, [])
                    if not crew or r.random() >= NAMED_SHARE.get(finding.category.code, 0.0):
                        continue
                    staff = r.sample(crew, min(len(crew), 2 if r.random() < TWO_NAMED else 1))
                if not staff:
                    continue
                with at_time(finding.found_at):
                    named += len(
                        services.attributions_add(finding=finding, staff=staff, actor=finding.found_by)
                    )

    # 3. Disputes, decided by the office once old enough.
    departments = Department.objects.in_bulk()
    heads: dict[int, User] = {}
    office = User.objects.filter(username="supervisor").first()
    disputed = decided = 0
    with transaction.atomic():
        for a in (
            Attribution.objects.filter(status__in=(AttributionStatus.ATTRIBUTED, AttributionStatus.DISPUTED))
            .select_related("finding", "staff")
            .order_by("pk")
        ):
            r = _draw(seed, "attribution", a.pk)
            if r.random() >= DISPUTED_SHARE:
                continue
            moment = min(a.finding.found_at + dt.timedelta(days=r.randint(1, 10), hours=r.randint(0, 8)), now)
            if a.status == AttributionStatus.ATTRIBUTED:
                with at_time(moment):
                    d = a.staff.department_id
                    head = heads[d] = heads.get(d) or demo._head_for(departments[d])
                    a = services.attribution_dispute(
                        attribution=a, actor=head, reason="该员工当日未在岗，排班表可查"
                    )
                disputed += 1
            answer = moment + dt.timedelta(days=r.randint(1, 7))
            if office is None or (now - moment).days < DECIDED_AFTER or answer > now:
                continue
            with at_time(answer):
                services.attribution_decide(
                    attribution=a, actor=office, uphold=r.random() < UPHELD_SHARE, comment="已核实"
                )
            decided += 1
    # Generated history is not news: not e-mailed, and a decision older than a week was seen.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
    Notification.objects.filter(
        dedupe_key__startswith=services.DISPUTE_DECIDED_KEY, read_at__isnull=True,
        created_at__lt=now - dt.timedelta(days=7),
    ).update(read_at=now)  # fmt: skip
    return {"audits_linked": linked, "attributions_added": named, "disputed": disputed, "decided": decided}


# The service recovery of the alerts on unhappy patients (``alerts``): an alert past its contact day is
# contacted (CONTACTED_SHARE; CONTACT_LATE of those after their day), else closed "not reached"; one
# raised in the last RECENT_OPEN days may still be open or contacted (the office's queue).
CONTACTED_SHARE = 0.9
CONTACT_LATE = 0.08
OUTCOMES = (("resolved", 0.75), ("partly", 0.17), ("not_resolved", 0.08))
RECENT_OPEN = 21  # days
# Alerts are raised for the contacts of the last ALERT_DAYS only: as in a hospital that turned the alerts
# on a year ago (issue 17 added them), and a five-year set's 70,000 alerts through the services would take
# a quarter of an hour on this machine; a year's alerts is what the queue and the figures read.
ALERT_DAYS = 365
ALERT_CHUNK = 1_000  # alerts per transaction


def alerts(*, seed: int, today: dt.date | None = None) -> dict:
    """The alerts on unhappy patients (issue 17) the channels' workers would have raised, and their
    service recovery, through the services. The generator's services enqueue those workers' tasks
    on commit and a bench set never runs them, so this step raises what they would have raised:
    ``followups.services.attempt_raise_alert`` for every call recorded not satisfied and
    ``surveys.services.response_raise_alert`` for every response with a score at or below
    ``THRESHOLD_MAX`` (a questionnaire asked during a call joins that call's alert), a few minutes
    after the contact, for the contacts of the last ``ALERT_DAYS``; then ``alert_contact`` and
    ``alert_close`` by the department's head (see the constants above). Idempotent and deterministic (each alert draws from its contact's stream): run at
    the end of ``generate`` and by ``--alerts`` on a set generated before the step existed."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from followups.models import CallAttempt, Satisfaction
    from followups.services import attempt_raise_alert
    from supervision import demo, services
    from supervision.demo import at_time
    from supervision.models import Alert, AlertStatus, Department, Notification, NotificationKind, User
    from surveys.models import THRESHOLD_MAX, Answer, SurveyResponse
    from surveys.services import response_raise_alert

    today = today or timezone.localdate()
    now = timezone.now()
    since = today - dt.timedelta(days=ALERT_DAYS)

    def without_alert(model):
        kind = ContentType.objects.get_for_model(model)
        return ~Exists(Alert.objects.filter(source_type=kind, source_id=OuterRef("pk")))

    calls = (
        CallAttempt.objects.filter(
            without_alert(CallAttempt), satisfaction=Satisfaction.DISSATISFIED, attempted_on__gt=since
        )
        .select_related("task__stay", "task__department")
        .order_by("attempted_at", "pk")
    )
    # A questionnaire asked during a call whose alert exists was joined to it when raised.
    responses = (
        SurveyResponse.objects.filter(
            without_alert(SurveyResponse),
            source_id__isnull=True,
            submitted_on__gt=since,
            pk__in=Answer.objects.filter(scale_value__lte=THRESHOLD_MAX).values("response_id"),
        )
        .select_related("department", "stay")
        .order_by("submitted_at", "pk")
    )
    # One timeline of both kinds of contact, so that the notices go out as they would have: a person
    # with an unread alert notice is not told again (``_alert_recipients``), and people read their
    # notices the next morning — each day's first alerts tell them again.
    timeline = sorted(
        [(at, "call", pk) for at, pk in calls.values_list("attempted_at", "pk")]
        + [(at, "response", pk) for at, pk in responses.values_list("submitted_at", "pk")]
    )
    raise_one = {
        "call": (calls, lambda a: attempt_raise_alert(attempt=a)),
        "response": (responses, lambda r: response_raise_alert(response=r)),
    }
    raised = 0
    day = None
    for first in range(0, len(timeline), ALERT_CHUNK):
        part = timeline[first : first + ALERT_CHUNK]
        rows = {
            kind: contacts.in_bulk([pk for _at, k, pk in part if k == kind])
            for kind, (contacts, _f) in raise_one.items()
        }
        with transaction.atomic():
            for at, kind, pk in part:
                if timezone.localdate(at) != day:
                    day = timezone.localdate(at)
                    morning = dt.datetime.combine(day, dt.time(8, 30), tzinfo=timezone.get_current_timezone())
                    Notification.objects.filter(
                        kind=NotificationKind.ALERT, read_at__isnull=True, created_at__lt=morning
                    ).update(read_at=morning)
                minutes = _draw(seed, f"raise-{kind}", pk).randint(2, 9)
                with at_time(min(at + dt.timedelta(minutes=minutes), now)):
                    raised += raise_one[kind][1](rows[kind][pk]) is not None
    morning = dt.datetime.combine(today, dt.time(8, 30), tzinfo=timezone.get_current_timezone())
    Notification.objects.filter(
        kind=NotificationKind.ALERT, read_at__isnull=True, created_at__lt=min(morning, now)
    ).update(read_at=min(morning, now))  # the last day's notices, read this morning

    # The service recovery, by the department's head.
    departments = Department.objects.in_bulk()
    heads: dict[int, User] = {}
    contacted = closed = 0
    open_ = Alert.objects.exclude(status=AlertStatus.CLOSED).select_related("stay")
    pks = list(open_.order_by("raised_at", "pk").values_list("pk", flat=True))
    for first in range(0, len(pks), ALERT_CHUNK):
        with transaction.atomic():
            for alert in open_.filter(pk__in=pks[first : first + ALERT_CHUNK]).order_by("raised_at", "pk"):
                r = _draw(seed, f"alert-{alert.source_type_id}", alert.source_id)  # its contact's stream
                young = (today - alert.raised_on).days < RECENT_OPEN
                if young and r.random() < 0.5:
                    continue  # still to contact
                d = alert.department_id
                head = heads[d] = heads.get(d) or demo._head_for(departments[d])
                if r.random() < CONTACT_LATE:
                    day = alert.due_on + dt.timedelta(days=r.randint(1, 3))
                else:
                    day = alert.raised_on + dt.timedelta(
                        days=r.randint(0, max(0, (alert.due_on - alert.raised_on).days))
                    )
                when = max(_moment(day, r), alert.raised_at + dt.timedelta(minutes=30))
                reached = r.random() < CONTACTED_SHARE
                outcome = _choose(r, OUTCOMES)
                closing = when + dt.timedelta(days=r.randint(0, 2), hours=r.randint(1, 6))
                stays_open = young and r.random() < 0.5
                if when > now:
                    continue
                if services.alert_contact_refusal(alert):
                    outcome, done = "not_contacted", "科室晨会通报，改进病区服务"
                elif reached:
                    if alert.status == AlertStatus.OPEN:
                        with at_time(when):
                            alert = services.alert_contact(
                                alert=alert,
                                actor=head,
                                contact_note="已电话联系患者，致歉并了解详细情况",
                                now=when,
                            )
                        contacted += 1
                    done = "科室已整改并再次致电，患者表示理解"
                else:
                    outcome, done, closing = "not_reached", "三次致电均未接通，已发短信告知科室电话", when
                if closing > now or stays_open:
                    continue
                with at_time(closing):
                    services.alert_close(
                        alert=alert, actor=head, action_taken=done, outcome=outcome, now=closing
                    )
                closed += 1
    # Generated history is not news: not e-mailed.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
    return {"raised": raised, "contacted": contacted, "closed": closed}


def _choose(r: random.Random, weighted) -> str:
    return r.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


# --- the command -------------------------------------------------------------------------------


def main(argv: list[str] | None = None, out=print) -> dict:
    """``python -m benchmarks.data [--size S] [--seed N] [--reset | --people | --alerts]``: fill an empty database (or, with
    --reset, a database whose name contains 'bench') with a hospital year; print the JSON summary.
    Refusals raise ``CommandError`` (the command line prints them and exits 2)."""
    import argparse
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.data",
        description="Generate a hospital year for the benchmarks (small ≈ 1 %, medium ≈ 10 %, large = 100 %, "
        "huge = five years of 200,000 stays).",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop every table of this database first (only for a database whose name contains 'bench')",
    )
    parser.add_argument(
        "--alerts",
        action="store_true",
        help="only raise the alerts on unhappy patients this bench set's calls and responses would have raised, "
        "and their recovery (benchmarks.data.alerts: idempotent, deterministic; for a set generated before that step)",
    )
    parser.add_argument(
        "--people",
        action="store_true",
        help="only name the people the findings of this bench set do not name yet, and their disputes "
        "(benchmarks.data.people: idempotent, deterministic; for a set generated before that step)",
    )
    args = parser.parse_args(argv)
    name = str(connection.settings_dict["NAME"])
    if args.people or args.alerts:
        if not has_bench_data():
            flag = "--people" if args.people else "--alerts"
            raise CommandError(f"{flag} adds to a bench set: this database holds none.")
        began = time.perf_counter()
        result = {}
        if args.people:
            result["people"] = people(seed=args.seed)
        if args.alerts:
            result["alerts"] = alerts(seed=args.seed)
        result["counts"] = counts()
        result["seconds"] = round(time.perf_counter() - began, 1)
        out(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return result
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
