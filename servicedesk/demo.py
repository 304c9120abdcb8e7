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
from supervision.models import DepartmentKind, Role, Staff, StaffPosition, User

from . import services
from .models import (
    BoxOpening,
    EntryKind,
    EscortMode,
    KnowledgeEntry,
    KnowledgeKind,
    PatientResponse,
    ServiceCentre,
    ServiceKind,
    SlipKind,
    SuggestionBox,
)

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


# What the demo hospital's departments treat and where they are (the knowledge base's first rows).
DEPARTMENT_FACTS = {
    "NK": ("门诊楼二楼", "发热、慢性病、常见内科疾病", "高血压 糖尿病"),
    "WK": ("门诊楼三楼", "外伤、腹痛、普外科手术", "阑尾 疝气"),
    "EK": ("门诊楼一楼西侧", "儿童常见病、发热、预防接种咨询", "小儿 发烧"),
    "FCK": ("门诊楼四楼", "产检、妇科疾病", "孕检 建档"),
    "GK": ("门诊楼三楼", "骨折、关节、颈腰椎疾病", "腰疼 颈椎"),
    "YK": ("门诊楼五楼", "近视、白内障、青光眼", "配镜 眼睛"),
    "EBHK": ("门诊楼五楼", "耳鼻咽喉疾病、听力", "鼻炎 咽喉"),
    "XNK": ("门诊楼二楼", "冠心病、心律失常、心衰", "心脏 胸闷"),
    "HXK": ("门诊楼四楼", "咳嗽、哮喘、慢阻肺", "咳嗽 肺"),
    "SJK": ("门诊楼四楼", "头痛、头晕、脑卒中", "中风 失眠"),
    "KQK": ("门诊楼一楼东侧", "牙痛、补牙、拔牙、洁牙", "牙科 洗牙"),
    "ZYK": ("门诊楼六楼", "中医调理、针灸、推拿", "针灸 中药"),
    "JZK": ("急诊楼一楼", "24 小时急危重症", "急诊 抢救"),
    "YXK": ("医技楼一楼", "CT、磁共振、X 光、B 超", "拍片 CT 核磁"),
    "JYK": ("医技楼二楼", "抽血、化验、报告打印", "抽血 化验单"),
}
SERVICES = [
    (
        "如何复印病历",
        "出院 7 个工作日后，凭患者身份证（代办另需代办人身份证和委托书）到行政楼一楼病案室复印。",
        "病案 复印",
    ),
    (
        "检查报告在哪里打印",
        "门诊大厅和医技楼一楼的自助机扫就诊卡或身份证打印；CT、磁共振胶片在影像科取片窗口领取。",
        "自助机 胶片",
    ),
    (
        "医保异地就医备案",
        "在国家医保服务平台 App 或参保地医保局办理备案后，出院结算可直接报销。",
        "异地 报销",
    ),
    ("住院押金怎么交", "入出院处或病区自助机可交，支持微信、支付宝和银行卡。", "押金 住院费"),
    ("失物招领", "拾到或丢失物品请到门诊大厅客服中心登记，保留 3 个月。", "丢东西 遗失"),
]
FAQ = [
    ("挂错号了怎么办", "未就诊的号可在自助机或挂号处退号，当天有效。"),
    ("停车场在哪里", "地下停车场入口在门诊楼北侧，就诊患者凭挂号单减免 2 小时。"),
    ("周末有专家门诊吗", "周六上午内科、儿科、妇产科有专家门诊，详见当周排班。"),
    ("可以带陪护吗", "普通病房每位患者限一名陪护，凭陪护证进出。"),
]
OTHER_HOSPITALS = [
    ("市第一人民医院", "心脏介入", "胸痛中心，急性心梗 24 小时介入"),
    ("市妇幼保健院", "产科 新生儿科", "高危孕产妇转诊、新生儿重症"),
    ("省肿瘤医院", "放疗 肿瘤内科", "肿瘤放疗、化疗"),
    ("市精神卫生中心", "心理咨询", "心理门诊、睡眠障碍"),
]
EXPERT_SPECIALTIES = {
    "NK": "高血压、糖尿病",
    "WK": "胃肠肿瘤、腹腔镜手术",
    "EK": "小儿呼吸、过敏",
    "GK": "关节置换、脊柱",
    "XNK": "冠心病介入",
    "HXK": "哮喘、慢阻肺",
    "SJK": "脑卒中、头痛",
}
DAYS = ["周一上午", "周二上午", "周三下午", "周四上午", "周五下午"]


def _knowledge(*, rng: random.Random, today: dt.date, context: dict, owner: User) -> None:
    departments = context["departments"]
    for code, (location, treats, words) in DEPARTMENT_FACTS.items():
        department = departments.get(code)
        if department is None:
            continue
        services.knowledge_save(
            actor=owner,
            kind=KnowledgeKind.DEPARTMENT,
            title=department.name,
            department=department,
            location=location,
            hours="周一至周五 8:00-17:30",
            body=treats,
            keywords=words,
        )
    for code, specialty in EXPERT_SPECIALTIES.items():
        department = departments.get(code)
        doctor = (
            Staff.objects.filter(department=department, position=StaffPosition.DOCTOR).order_by("pk").first()
        )
        if department is None or doctor is None:
            continue
        services.knowledge_save(
            actor=owner,
            kind=KnowledgeKind.EXPERT,
            title=doctor.name,
            department=department,
            specialties=specialty,
            hours=rng.choice(DAYS),
            location=DEPARTMENT_FACTS.get(code, ("",))[0],
        )
    for title, body, words in SERVICES:
        services.knowledge_save(
            actor=owner, kind=KnowledgeKind.SERVICE, title=title, body=body, keywords=words
        )
    for title, body in FAQ:
        services.knowledge_save(actor=owner, kind=KnowledgeKind.FAQ, title=title, body=body)
    for hospital, specialties, body in OTHER_HOSPITALS:
        services.knowledge_save(
            actor=owner,
            kind=KnowledgeKind.OTHER_HOSPITAL,
            title=f"{hospital} {specialties.split()[0]}",
            hospital=hospital,
            specialties=specialties,
            body=body,
        )
    # A few answers past their review date, and one flagged as wrong, for the review list.
    stale = list(KnowledgeEntry.objects.order_by("pk").values_list("pk", flat=True)[:4])
    KnowledgeEntry.objects.filter(pk__in=stale).update(
        review_due=today - dt.timedelta(days=rng.randint(3, 40))
    )
    wrong = KnowledgeEntry.objects.get(kind=KnowledgeKind.SERVICE, title="如何复印病历")
    services.knowledge_flag(entry=wrong, actor=owner, note="病案室已搬到门诊楼五楼，地址要改")


SLIPS = [
    (SlipKind.PRAISE, "护士非常耐心，打针一点都不疼", "NK"),
    (SlipKind.PRAISE, "医生解释得很清楚，谢谢", "WK"),
    (SlipKind.SUGGESTION, "门诊大厅多放几把椅子", None),
    (SlipKind.SUGGESTION, "自助机旁边需要有人指导老人", None),
    (SlipKind.COMPLAINT, "收费窗口排队太久，只开了两个窗口", "SFC"),
    (SlipKind.COMPLAINT, "卫生间没有卫生纸", "BJ"),
]


def _boxes(*, rng: random.Random, today: dt.date, context: dict, keeper: User) -> None:
    departments = context["departments"]
    boxes = [
        SuggestionBox.objects.get_or_create(
            name="门诊大厅意见箱", defaults={"location": "门诊楼一楼大厅", "opening_weekday": 0}
        )[0],
        SuggestionBox.objects.get_or_create(
            name="住院部意见箱",
            defaults={
                "location": "住院楼一楼电梯口",
                "opening_weekday": 3,
                "department": departments.get("NK"),
            },
        )[0],
    ]
    for box in boxes:
        for weeks_back in range(4, 0, -1):
            day = today - dt.timedelta(
                days=(today.weekday() - box.opening_weekday) % 7 + 7 * (weeks_back - 1)
            )
            if day > today or BoxOpening.objects.filter(box=box, opened_on=day).exists():
                continue
            slips = []
            for kind, content, code in rng.sample(SLIPS, rng.randint(0, 3)):
                slip = {
                    "kind": kind,
                    "content": content,
                    "department": departments.get(code) if code else None,
                }
                if kind == SlipKind.PRAISE and slip["department"] is not None:
                    nurse = Staff.objects.filter(department=slip["department"]).order_by("pk").first()
                    slip["praised_name"] = nurse.name if nurse else ""
                slips.append(slip)
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
            with at_time(min(moment, timezone.now())):
                services.opening_record(box=box, actor=keeper, opened_on=day, witness="周督察", slips=slips)


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
    _knowledge(rng=rng, today=today, context=context, owner=users[0])
    _boxes(rng=rng, today=today, context=context, keeper=users[0])
