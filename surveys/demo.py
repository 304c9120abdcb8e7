"""Demo survey data: two campaigns over 14 months (so 'same period last year' has figures)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from supervision.models import DepartmentKind, Staff

from . import services
from .models import Channel, QuestionKind
from .selectors import questionnaire_current

COMMENTS = [
    "护士很耐心，谢谢！",
    "病房热水有时不够热。",
    "缴费排队时间太长，希望增加窗口。",
    "医生解释病情很清楚。",
    "食堂饭菜偏咸。",
    "卫生间有异味，希望及时打扫。",
    "导诊台服务热情。",
]


def _answers(questionnaire, rng: random.Random, staff_by_dept, department, mood: float) -> dict:
    answers = {}
    for q in questionnaire.questions.all():
        if q.kind == QuestionKind.SCALE:
            roll = rng.random() + mood
            value = 5 if roll > 0.55 else 4 if roll > 0.12 else 3 if roll > 0.05 else 2 if roll > 0.02 else 1
            if rng.random() < (0.02 if q.required else 0.05):
                continue  # left blank on the paper form
            answers[q.field_name] = value
        elif q.kind == QuestionKind.YES_NO:
            answers[q.field_name] = rng.random() < 0.9
        elif q.kind == QuestionKind.SINGLE:
            answers[q.field_name] = rng.choice(q.choices[:2] if rng.random() < 0.9 else q.choices)
        elif q.kind == QuestionKind.MULTIPLE:
            answers[q.field_name] = rng.sample(q.choices, rng.randint(1, 2))
        elif q.kind == QuestionKind.PRAISE and rng.random() < 0.3:
            staff = staff_by_dept.get(department.pk) or []
            if staff:
                person = rng.choice(staff)
                if rng.random() < 0.5:
                    answers[q.field_name] = {"staff": [person.pk], "names": []}
                else:
                    # Patients often write a surname and a title only: matched by a person later.
                    written = person.name if rng.random() < 0.7 else f"{person.name[0]}护士"
                    answers[q.field_name] = {"staff": [], "names": [written]}
        elif q.kind == QuestionKind.TEXT and rng.random() < 0.15:
            answers[q.field_name] = rng.choice(COMMENTS)
    return answers


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    users = context.get("users") or {}
    from supervision.models import User

    supervisor = users.get("supervisor") or User.objects.filter(username="supervisor").first()
    departments = list(context["departments"].values())
    clinical = [d for d in departments if d.kind == DepartmentKind.CLINICAL]
    staff_by_dept: dict[int, list] = {}
    for s in Staff.objects.filter(active=True):
        staff_by_dept.setdefault(s.department_id, []).append(s)
    inpatient = questionnaire_current("inpatient")
    outpatient = questionnaire_current("outpatient")
    start = (today.replace(day=1) - dt.timedelta(days=400)).replace(day=1)
    inpatient_campaign = services.campaign_save(
        name=f"{start.year}–{today.year} 住院患者满意度调查",
        questionnaire=inpatient,
        start=start,
        end=today.replace(month=12, day=31),
        departments=clinical,
        target_count=2000,
        channels=[Channel.PAPER, Channel.WEB, Channel.PHONE],
        actor=supervisor,
    )
    outpatient_campaign = services.campaign_save(
        name=f"{today.year} 门诊患者满意度调查",
        questionnaire=outpatient,
        start=today.replace(month=1, day=1) - dt.timedelta(days=400),
        end=today.replace(month=12, day=31),
        departments=[],
        target_count=1000,
        channels=[Channel.PAPER, Channel.WEB],
        actor=supervisor,
    )
    tz = timezone.get_current_timezone()
    span = (today - start).days
    for i in range(320):
        campaign = inpatient_campaign if i % 3 else outpatient_campaign
        pool = clinical if campaign is inpatient_campaign else departments
        department = rng.choice(pool)
        day = start + dt.timedelta(days=rng.randrange(0, span))
        if day < campaign.start:
            day = campaign.start
        moment = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=tz)
        mood = 0.03 if day.year == today.year else 0.0  # this year slightly better than last
        channel = rng.choice([Channel.PAPER, Channel.PAPER, Channel.WEB])
        services.response_submit(
            questionnaire=campaign.questionnaire,
            channel=channel,
            department=department,
            answers=_answers(campaign.questionnaire, rng, staff_by_dept, department, mood),
            submitted_by=supervisor if channel == Channel.PAPER else None,
            campaign=campaign,
            submitted_at=moment,
            allow_incomplete=True,
            alert=False,  # months of history: its low scores are not today's alerts
        )
        if channel == Channel.PAPER and i % 8 == 0:
            services.distribution_record(
                campaign=campaign, department=department, count=12, distributed_on=day, actor=supervisor
            )
