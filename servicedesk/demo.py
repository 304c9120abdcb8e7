"""Demo data of the service desk for ``manage.py seed_demo`` (the contract's ``demo_seed``): the demo
login ``desk`` (客服人员) and a colleague, two centres, a month of a plausible desk log through the
services, a knowledge base of the demo hospital's departments and experts, two suggestion boxes
with their weekly openings."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from supervision.demo import _demo_hash, at_time
from supervision.models import DepartmentKind, Role, User

from . import services
from .models import EntryKind, EscortMode, PatientResponse, ServiceCentre, ServiceKind

DESK_USERS = [("desk", "孙客服"), ("desk-zhuyuan", "钱导医")]

CONSULTATION_TOPICS = [
    "胃痛挂哪个科",
    "专家出诊时间",
    "医保报销流程",
    "检查报告在哪里打印",
    "核酸/抽血地点",
    "复印病历需要什么材料",
    "住院押金怎么交",
    "停车场在哪里",
    "儿童疫苗接种时间",
    "体检中心预约",
]
ESCORT_PLACES = ["门诊大厅", "CT室", "B超室", "检验科", "住院部", "急诊科", "放射科", "心电图室"]
COORDINATIONS = [
    "患者候诊时间长与分诊护士发生口角，已安抚并协调优先就诊",
    "家属对检查排期不满，在窗口大声争执，已联系科室解释",
    "患者认为收费有误，陪同到收费处核对明细",
    "老人挂错号情绪激动，协调医生加号",
]
RECOVERIES = [
    ("CT 胶片遗失", "联系影像科免费重新打印", "0", "影像科主任"),
    ("预约检查被漏排", "协调当日加做，并致歉", "0", "门诊部主任"),
    ("出院患者投诉服务，上门致歉回访", "携慰问品上门致歉，说明整改措施", "200", "院办主任"),
]
# Share of each kind in a day's work at a busy entrance desk.
KIND_WEIGHTS = [
    (EntryKind.CONSULTATION, 55),
    (EntryKind.ESCORT, 15),
    (EntryKind.SERVICE, 24),
    (EntryKind.COORDINATION, 5),
    (EntryKind.RECOVERY, 1),
]


def _users() -> list[User]:
    group = Group.objects.get(name=Role.DESK)
    users = []
    for username, full_name in DESK_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "password": _demo_hash(),
                "full_name": full_name,
                "email": f"{username}@demo.ducha.local",
            },
        )
        user.groups.add(group)
        users.append(user)
    return users


def _log(*, rng: random.Random, today: dt.date, context: dict, centres, users) -> None:
    clinical = [d for d in context["departments"].values() if d.kind == DepartmentKind.CLINICAL]
    service_kinds = list(ServiceKind.objects.filter(active=True))
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    tz = timezone.get_current_timezone()
    for days_back in range(30, -1, -1):
        day = today - dt.timedelta(days=days_back)
        per_day = rng.randint(4, 8) if day.weekday() >= 5 else rng.randint(10, 18)
        for _ in range(per_day):
            at = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=tz)
            if at > timezone.now():
                continue
            index = rng.randrange(len(users))
            user, centre = users[index], centres[index]
            kind = rng.choices(kinds, weights)[0]
            args: dict = {}
            if kind == EntryKind.CONSULTATION:
                args = {"topic": rng.choice(CONSULTATION_TOPICS), "department": rng.choice(clinical)}
            elif kind == EntryKind.ESCORT:
                start, end = rng.sample(ESCORT_PLACES, 2)
                args = {
                    "escort_from": start,
                    "escort_to": end,
                    "escort_minutes": rng.randint(5, 40),
                    "escort_mode": rng.choice(EscortMode.values),
                }
            elif kind == EntryKind.SERVICE:
                args = {"service_kind": rng.choice(service_kinds)}
            elif kind == EntryKind.COORDINATION:
                args = {"note": rng.choice(COORDINATIONS), "department": rng.choice(clinical)}
            else:
                failed, done, cost, approver = rng.choice(RECOVERIES)
                args = {
                    "recovery_failed": failed,
                    "recovery_done": done,
                    "recovery_cost": Decimal(cost),
                    "recovery_approved_by": approver,
                    "recovery_response": rng.choice(PatientResponse.values),
                    "department": rng.choice(clinical),
                }
            entry, _new = services.entry_record(centre=centre, actor=user, kind=kind, recorded_at=at, **args)
            if kind == EntryKind.COORDINATION and rng.random() < 0.3:
                with at_time(at):
                    services.entry_make_complaint(entry=entry, actor=user)


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    users = _users()
    outpatient, _c = ServiceCentre.objects.get_or_create(
        name="门诊客服中心", defaults={"location": "门诊楼一楼大厅"}
    )
    inpatient, _c = ServiceCentre.objects.get_or_create(
        name="住院部服务台", defaults={"location": "住院楼一楼"}
    )
    outpatient.members.add(users[0])
    inpatient.members.add(users[1])
    _log(rng=rng, today=today, context=context, centres=[outpatient, inpatient], users=users)
