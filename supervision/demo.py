"""The demo hospital of the core: departments, staff, users and a few months of findings.

``manage.py seed_demo`` calls this and then each channel app's ``demo.seed(rng=, today=, context=)``.
Everything goes through the services, so the demo data has the same history rows, numbers
and notifications that real use would leave.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import random
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from . import services
from .models import (
    Category,
    CauseCategory,
    Department,
    DepartmentGroup,
    DepartmentKind,
    Finding,
    FindingOrigin,
    FindingSource,
    OrderStatus,
    RectificationOrder,
    Role,
    Severity,
    Staff,
    StaffPosition,
    User,
)

DEMO_PASSWORD = "ducha-demo"  # noqa: S105  # nosec B105 # documented demo-only password

DEPARTMENTS = [
    ("NK", "内科", DepartmentKind.CLINICAL),
    ("WK", "外科", DepartmentKind.CLINICAL),
    ("EK", "儿科", DepartmentKind.CLINICAL),
    ("FCK", "妇产科", DepartmentKind.CLINICAL),
    ("GK", "骨科", DepartmentKind.CLINICAL),
    ("YK", "眼科", DepartmentKind.CLINICAL),
    ("EBHK", "耳鼻喉科", DepartmentKind.CLINICAL),
    ("CRK", "传染科", DepartmentKind.CLINICAL),
    ("PFK", "皮肤科", DepartmentKind.CLINICAL),
    ("JSK", "精神科", DepartmentKind.CLINICAL),
    ("JZK", "急诊科", DepartmentKind.CLINICAL),
    ("XNK", "心血管内科", DepartmentKind.CLINICAL),
    ("HXK", "呼吸内科", DepartmentKind.CLINICAL),
    ("SJK", "神经内科", DepartmentKind.CLINICAL),
    ("ZLK", "肿瘤科", DepartmentKind.CLINICAL),
    ("KQK", "口腔科", DepartmentKind.CLINICAL),
    ("ZYK", "中医科", DepartmentKind.CLINICAL),
    ("KFK", "康复医学科", DepartmentKind.CLINICAL),
    ("ICU", "重症医学科", DepartmentKind.CLINICAL),
    ("GHC", "挂号处", DepartmentKind.WINDOW),
    ("SFC", "收费处", DepartmentKind.WINDOW),
    ("YF", "药房", DepartmentKind.WINDOW),
    ("DZT", "导诊台", DepartmentKind.WINDOW),
    ("RCY", "入出院处", DepartmentKind.WINDOW),
    ("ZWK", "总务科", DepartmentKind.SUPPORT),
    ("BJ", "保洁", DepartmentKind.SUPPORT),
    ("ST", "食堂", DepartmentKind.SUPPORT),
    ("BWK", "保卫科", DepartmentKind.SUPPORT),
    ("YXK", "医学影像科", DepartmentKind.CLINICAL),
    ("JYK", "检验科", DepartmentKind.CLINICAL),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏宇晨欣怡浩然"

USERS = [
    ("supervisor", "周督察", [Role.SUPERVISOR], []),
    ("caller", "林回访", [Role.FOLLOWUP], []),
    ("head-neike", "王内科", [Role.DEPT_HEAD], ["NK"]),
    ("head-waike", "李外科", [Role.DEPT_HEAD], ["WK"]),
    ("admin", "陈院办", [Role.ADMINISTRATOR], []),
    ("volunteer", "赵义务", [Role.VOLUNTEER], []),
    # 分管院长: reads every department (the administrator role) and is in charge of the clinical ones.
    ("vp-medical", "张副院长", [Role.ADMINISTRATOR], []),
]

FINDING_TEXTS = {
    "attitude": ["护士对患者询问回答生硬，语气不耐烦", "窗口人员与患者发生争执，态度生硬"],
    "process": ["未执行患者身份双核对", "检查预约流程未告知患者注意事项"],
    "discipline": ["上班时间脱岗 15 分钟", "工作时间使用手机做与工作无关的事"],
    "norms": ["工作人员未佩戴工牌", "未穿工作服接诊"],
    "hygiene": ["病区卫生间有异味", "走廊有人吸烟"],
    "quality_safety": ["手卫生依从性差，接触患者前未洗手", "危重患者外出检查无人陪检"],
    "privacy": ["诊室内同时有两名患者就诊", "妇科检查无第三人在场"],
    "waiting": ["收费窗口排队超过 20 分钟", "药房取药等候时间过长"],
    "logistics": ["病区开水供应不足", "轮椅数量不足，患者等待"],
}


@functools.cache
def _demo_hash() -> str:
    # Hash once: PBKDF2 is deliberately slow, and the demo has dozens of accounts.
    return make_password(DEMO_PASSWORD)


@contextlib.contextmanager
def at_time(moment: dt.datetime):
    """Run services as if it were ``moment`` (history rows, transitions, numbers)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def seed(rng: random.Random, today: dt.date) -> dict:
    departments = {}
    for order, (code, name, kind) in enumerate(DEPARTMENTS, 1):
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": order * 10}
        )
    positions = {
        DepartmentKind.CLINICAL: [
            StaffPosition.DOCTOR,
            StaffPosition.DOCTOR,
            StaffPosition.NURSE,
            StaffPosition.NURSE,
        ],
        DepartmentKind.WINDOW: [StaffPosition.CLERK, StaffPosition.PHARMACIST],
        DepartmentKind.SUPPORT: [StaffPosition.SUPPORT],
    }
    staff = []
    number = 1
    for dept in departments.values():
        for _ in range(8 if dept.kind == DepartmentKind.CLINICAL else 4):
            position = rng.choice(positions[dept.kind])
            staff.append(
                Staff(
                    employee_no=f"E{number:05d}",
                    name=random_name(rng),
                    department=dept,
                    position=position,
                    title={"doctor": "主治医师", "nurse": "护师"}.get(position, ""),
                )
            )
            number += 1
    Staff.objects.bulk_create(staff, ignore_conflicts=True)

    users = {}
    for username, full_name, roles, dept_codes in USERS:
        user = User.objects.create(
            username=username,
            password=_demo_hash(),
            full_name=full_name,
            email=f"{username}@demo.ducha.local",
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        user.departments.set([departments[c] for c in dept_codes])
        if username == "admin":
            user.is_staff = user.is_superuser = True
            user.save()
        users[username] = user

    categories = {c.code: c for c in Category.objects.all()}
    supervisor, volunteer = users["supervisor"], users["volunteer"]
    heads = {"NK": users["head-neike"], "WK": users["head-waike"]}
    tz = timezone.get_current_timezone()
    start = today - dt.timedelta(days=150)
    codes = list(departments)
    for i in range(90):
        day = start + dt.timedelta(days=rng.randrange(0, 150))
        moment = dt.datetime.combine(day, dt.time(rng.randrange(8, 17), rng.randrange(0, 60)), tzinfo=tz)
        # Loaded early in the morning, "today at 15:00" has not happened yet: nothing is dated ahead.
        moment = min(moment, timezone.now() - dt.timedelta(minutes=rng.randrange(30, 90)))
        # The two demo heads' departments get enough orders to show every state.
        code = "NK" if i % 5 == 0 else "WK" if i % 5 == 1 else rng.choice(codes)
        category_code = rng.choice(list(FINDING_TEXTS))
        text = rng.choice(FINDING_TEXTS[category_code])
        by_volunteer = i % 17 == 0
        with at_time(moment):
            finding = services.finding_create(
                source=FindingSource.VOLUNTEER
                if by_volunteer
                else rng.choice([FindingSource.INSPECTION, FindingSource.OTHER]),
                category=categories[category_code],
                department=departments[code],
                description=text,
                severity=rng.choice(Severity.values),
                found_at=moment,
                location=departments[code].name,
                found_by=volunteer if by_volunteer else supervisor,
                needs_rectification=not by_volunteer,
                deadline=day + dt.timedelta(days=rng.choice((3, 7, 14))),
            )
        if by_volunteer:
            continue
        if finding.source == FindingSource.OTHER:
            # Where the supervisor saw it, from the finding's own number (the shared rng's sequence,
            # which the rest of the demo follows, is left as it was).
            origins = [FindingOrigin.ROUND, FindingOrigin.ROUND, FindingOrigin.WALK_BY, FindingOrigin.MEETING]
            finding.origin = origins[finding.pk % len(origins)]
            finding.save(update_fields=["origin"])
        head = heads.get(code) or _head_for(departments[code])
        work_order(finding.order, rng=rng, today=today, head=head, supervisor=supervisor, moment=moment)
    order_with_three_actions(department=departments["NK"], head=heads["NK"], supervisor=supervisor)
    return {
        "departments": departments,
        "users": users,
        "staff": Staff.objects.count(),
        # Orders above this id come from the channel apps' demos (see work_channel_orders).
        "last_core_order": RectificationOrder.objects.order_by("-pk").values_list("pk", flat=True).first()
        or 0,
    }


def work_order(order, *, rng: random.Random, today: dt.date, head: User, supervisor: User, moment) -> None:
    """Walk a demo order through the workflow as a department would have: older orders have mostly
    been worked through, recent ones are still open (every step through the real services)."""
    age = (today - moment.date()).days
    now = timezone.now()  # no step of the workflow is dated in the future
    progress = rng.random()
    if age > 45:
        progress = 0.62 + 0.38 * progress if rng.random() < 0.85 else progress
    elif age > 20:
        progress = 0.3 + 0.7 * progress
    step = moment
    if progress < 0.15:
        return  # stays issued
    step += dt.timedelta(hours=rng.randrange(2, 30))
    if step > now:
        return
    with at_time(step):
        order = services.order_acknowledge(order=order, actor=head, comment="已收到，立即整改")
    if progress < 0.3:
        return
    if progress < 0.38:
        if step + dt.timedelta(hours=2) > now:
            return
        with at_time(step + dt.timedelta(hours=2)):
            services.order_request_extension(
                order=order,
                actor=head,
                requested_deadline=order.deadline + dt.timedelta(days=7),
                reason="需采购设备，申请延期一周",
            )
        return
    step += dt.timedelta(days=rng.randrange(1, 10))
    if step > now:
        return
    # The analysis's categories from the order's own number (the shared rng's sequence stays as it was).
    own = random.Random(order.pk)  # noqa: S311  # nosec B311 # demo data, not security
    causes = list(CauseCategory.objects.filter(code__in=["staff", "policy", "process", "communication"]))
    with at_time(step):
        order = services.order_submit(
            order=order,
            actor=head,
            cause="科室培训不到位，制度落实不严",
            cause_categories=own.sample(causes, k=own.choice((1, 1, 2))),
            why_chain=["新入职人员不熟悉流程", "岗前培训未覆盖该环节"] if own.random() < 0.4 else [],
            corrective_action="组织全科培训并纳入绩效考核",
        )
    if progress < 0.5:
        return
    step += dt.timedelta(days=rng.randrange(1, 4))
    if step > now:
        return
    if progress < 0.6:
        with at_time(step):
            services.order_return(order=order, actor=supervisor, reason="整改证据不足，请补充培训签到表")
        return
    with at_time(step):
        order = services.order_verify(order=order, actor=supervisor, comment="现场复查已整改")
    # Its own random numbers: the shared stream stays as it was for the channels' demos after this.
    own = random.Random(order.pk)  # noqa: S311  # nosec B311 # reproducible demo data, not security
    check = dt.datetime.combine(order.check_due, dt.time(10, own.randrange(0, 60)), tzinfo=step.tzinfo)
    if check > now:
        return  # awaiting its effectiveness check
    with at_time(check):
        if own.random() < 0.12:
            services.order_check(
                order=order, actor=supervisor, effective=False, comment="复查发现同类问题仍存在"
            )
        else:
            services.order_check(
                order=order, actor=supervisor, effective=True, comment="复查整改措施落实到位"
            )


def order_with_three_actions(*, department: Department, head: User, supervisor: User):
    """The demo's example of an order worked as a plan: three actions with owners from the roster,
    one done with its result, one in progress, one planned; the order cannot be submitted yet."""
    now = timezone.now()
    found = now - dt.timedelta(days=3)
    with at_time(found):
        finding = services.finding_create(
            source=FindingSource.OTHER,
            origin=FindingOrigin.ROUND,
            category=Category.objects.get(code="process"),
            department=department,
            description="门诊导医台午间无人值守，患者排队询问无人应答",
            severity="moderate",
            found_at=found,
            location="门诊大厅",
            found_by=supervisor,
            deadline=timezone.localdate() + dt.timedelta(days=14),
        )
    order = finding.order
    owners = list(Staff.objects.filter(department=department, active=True).order_by("employee_no")[:3])
    owners += [owners[-1]] * (3 - len(owners))
    plan = [
        ("修订导医排班表，午间增设一名导医", 2),
        ("对导医组开展首问负责制培训并签到", 7),
        ("在导医台设置“暂离请扫码呼叫”提示牌", 10),
    ]
    with at_time(now - dt.timedelta(days=2)):
        order = services.order_acknowledge(order=order, actor=head, comment="已收到，制定整改计划")
        actions = [
            services.order_plan_action(
                order=order,
                actor=head,
                description=text,
                owner=owner,
                due_date=timezone.localdate() + dt.timedelta(days=days),
            )
            for (text, days), owner in zip(plan, owners, strict=True)
        ]
    with at_time(now - dt.timedelta(days=1)):
        services.corrective_action_complete(
            corrective_action=actions[0], actor=head, result="新排班表已执行，12:00–14:00 有专人值守"
        )
        services.corrective_action_start(corrective_action=actions[1], actor=head, comment="培训定于周五")
    return order


def work_channel_orders(*, rng: random.Random, today: dt.date, context: dict) -> int:
    """After the channel apps' demos: their findings' orders are still "issued"; work them like the
    core's own, so the demo shows a hospital where most old orders are closed, not overdue."""
    supervisor = context["users"]["supervisor"]
    heads: dict[int, User] = {}
    orders = (
        RectificationOrder.objects.filter(status=OrderStatus.ISSUED, pk__gt=context.get("last_core_order", 0))
        .select_related("finding__department")
        .order_by("finding__found_at", "pk")
    )
    count = 0
    for order in orders:
        department = order.finding.department
        if department.pk not in heads:
            heads[department.pk] = User.objects.filter(
                groups__name=Role.DEPT_HEAD, departments=department
            ).order_by("pk").first() or _head_for(department)
        work_order(
            order,
            rng=rng,
            today=today,
            head=heads[department.pk],
            supervisor=supervisor,
            moment=order.finding.found_at,
        )
        count += 1
    return count


def close_the_loop_examples(*, rng: random.Random, today: dt.date, context: dict) -> None:
    """After everything else: the vice-president's departments, one example of each state of the
    effectiveness check and of the escalation ladder, then the ladder's beat job as it would have run."""
    departments, users = context["departments"], context["users"]
    supervisor, head = users["supervisor"], users["head-neike"]
    group, _created = DepartmentGroup.objects.get_or_create(
        name="医疗口", defaults={"lead": users["vp-medical"]}
    )
    group.departments.set([d for d in departments.values() if d.kind == DepartmentKind.CLINICAL])
    tz = timezone.get_current_timezone()

    def day(offset: int, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(hour), tzinfo=tz)

    def worked(code: str, category: str, text: str, found: int) -> RectificationOrder:
        with at_time(day(found)):
            finding = services.finding_create(
                source=FindingSource.INSPECTION,
                category=Category.objects.get(code=category),
                department=departments[code],
                description=text,
                found_by=supervisor,
                location=departments[code].name,
                deadline=today + dt.timedelta(days=found + 7),
            )
        order = finding.order
        with at_time(day(found + 1)):
            order = services.order_acknowledge(order=order, actor=head, comment="已收到")
        with at_time(day(found + 3)):
            order = services.order_submit(
                order=order, actor=head, cause="流程执行不到位", corrective_action="修订流程并全员培训"
            )
        return order

    # A check due today (效果评价今日到期).
    order = worked("NK", "norms", "护士站工作人员未佩戴工牌", -40)
    with at_time(day(-35)):
        services.order_verify(order=order, actor=supervisor, check_due=today, comment="现场复查已佩戴")
    # A failed check, reopened (效果评价未通过，重新整改).
    order = worked("NK", "communication", "术前告知不充分，患者家属投诉", -70)
    with at_time(day(-65)):
        order = services.order_verify(order=order, actor=supervisor, check_due=today - dt.timedelta(days=5))
    with at_time(day(-5, 10)):
        services.order_check(
            order=order,
            actor=supervisor,
            effective=False,
            comment="复查时随机询问三名患者，两名表示未被告知手术风险",
            deadline=today + dt.timedelta(days=5),
        )
    # An order at the third rung (院周会通报): eight days past its deadline, never submitted.
    with at_time(day(-16)):
        finding = services.finding_create(
            source=FindingSource.INSPECTION,
            category=Category.objects.get(code="logistics"),
            department=departments["WK"],
            description="病区开水器损坏两周未修复",
            found_by=supervisor,
            location="外科病区",
            deadline=today - dt.timedelta(days=8),
        )
    with at_time(day(-15)):
        services.order_acknowledge(order=finding.order, actor=users["head-waike"], comment="已报修")
    # The ladder's beat job, as it runs every morning.
    services.orders_climb_ladder(today=today)
    people_examples(context=context)


def people_examples(*, context: dict) -> None:
    """Staff named in findings (issue 16 item 5): the first attitude, discipline and norms findings
    of 内科 and 外科 name a person of the department (no draw of the shared rng: the rest of the demo
    is left as it was), and one 内科 attribution is disputed by the head, waiting for the office."""
    departments, users = context["departments"], context["users"]
    named = []
    for code in ("NK", "WK"):
        department = departments[code]
        people = list(Staff.objects.filter(department=department, active=True).order_by("employee_no")[:3])
        findings = (
            Finding.objects.filter(
                department=department, category__code__in=("attitude", "discipline", "norms")
            )
            .exclude(source=FindingSource.VOLUNTEER)
            .order_by("found_at", "pk")[:3]
        )
        for finding, person in zip(findings, people, strict=False):
            named += services.attributions_add(finding=finding, staff=[person], actor=finding.found_by)
    disputed = next((a for a in named if a.finding.department_id == departments["NK"].pk), None)
    if disputed is not None:
        services.attribution_dispute(
            attribution=disputed,
            actor=users["head-neike"],
            reason="当天该员工轮休，排班表可查，涉及的是进修人员",
        )


# How many notices each demo user finds unread on first login: a realistic morning's handful.
UNREAD_HANDFUL = (3, 8)


def leave_a_handful_unread(*, rng: random.Random) -> int:
    """Months of demo history left every user with dozens of unread notices (48–65 for a head),
    which made the bell useless. Each user keeps their newest few (3–8) that are still unread work
    (not moved on) unread; the older ones were read at the time. Returns the number marked read."""
    from .models import Notification

    kept: dict[int, int] = {}
    older = []
    for pk, recipient_id in (
        Notification.objects.filter(read_at__isnull=True, moved_on_at__isnull=True)
        .order_by("recipient_id", "-created_at", "-id")
        .values_list("pk", "recipient_id")
    ):
        if recipient_id not in kept:
            kept[recipient_id] = rng.randint(*UNREAD_HANDFUL)
        if kept[recipient_id] > 0:
            kept[recipient_id] -= 1
        else:
            older.append(pk)
    # History that moved on while nobody looked was read at the time too.
    moved_on = Notification.objects.filter(read_at__isnull=True, moved_on_at__isnull=False)
    now = timezone.now()
    count = moved_on.update(read_at=now)
    for start in range(0, len(older), 2000):
        count += Notification.objects.filter(pk__in=older[start : start + 2000]).update(read_at=now)
    return count


def _head_for(department: Department) -> User:
    username = f"head-{department.code.lower()}"
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": f"{department.name}主任", "email": ""}
    )
    if created:
        user.password = _demo_hash()
        user.save()
        user.groups.add(Group.objects.get(name=Role.DEPT_HEAD))
        user.departments.add(department)
    return user
