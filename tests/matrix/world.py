"""The fixture world of the permission matrix: one object of every type in 内科 and one in 外科.

Every object is built through the apps' own services and test factories, so it is in the
state its pages expect. ``build_world`` returns ``{"NK": Objects, "WK": Objects, "shared": ...}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision.models import Notification
from tests.factories import DischargeStayFactory, make_finding


@dataclass
class Objects:
    """The objects of one department."""

    department: object
    finding: object = None
    order: object = None
    attachment: object = None
    round: object = None
    item: object = None
    photo: object = None
    audit: object = None
    deduction: object = None
    appeal: object = None
    task: object = None
    stay: object = None
    queue_draw: object = None
    complaint: object = None
    response: object = None
    praise: object = None
    report: object = None
    summary: object = None  # the department's written summary (a draft)
    extra: dict = field(default_factory=dict)


def _jpeg() -> bytes:
    from tests.inspections.factories import jpeg_bytes

    return jpeg_bytes()


def _core(objs: Objects, supervisor) -> None:
    from supervision.models import Attachment, CorrectiveAction

    objs.finding = make_finding(department=objs.department, found_by=supervisor)
    objs.order = objs.finding.orders.get() if hasattr(objs.finding, "orders") else objs.finding.order
    objs.attachment = Attachment.objects.create(
        finding=objs.finding,
        file=ContentFile(_jpeg(), name="a.jpg"),
        original_name="现场.jpg",
        content_type="image/jpeg",
        size=100,
        uploaded_by=supervisor,
    )
    # A person of the department named in the finding: their record and the attribution's steps.
    from supervision.services import attributions_add
    from tests.factories import StaffFactory

    objs.extra["staff"] = StaffFactory(department=objs.department)
    objs.extra["attribution"] = attributions_add(
        finding=objs.finding, staff=[objs.extra["staff"]], actor=supervisor
    )[0]

    # An unhappy-patient alert of the department (its recovery steps have a URL of their own).
    from supervision.models import AlertKind
    from supervision.services import alert_raise

    objs.extra["alert"], _created = alert_raise(
        kind=AlertKind.SURVEY_LOW_SCORE,
        source=objs.finding,
        department=objs.department,
        due_on=timezone.localdate() + dt.timedelta(days=2),
        stay=DischargeStayFactory(department=objs.department),
    )
    # A planned corrective action on the order (its steps have a URL of their own).
    objs.extra["corrective_action"] = CorrectiveAction.objects.create(
        order=objs.order, description="调整排班", due_date=objs.order.deadline, created_by=supervisor
    )


def _photo(answer, supervisor):
    from inspections.models import AnswerPhoto

    return AnswerPhoto.objects.create(
        answer=answer,
        file=ContentFile(_jpeg(), name="p.jpg"),
        original_name="p.jpg",
        content_type="image/jpeg",
        size=100,
        uploaded_by=supervisor,
    )


def _inspections(objs: Objects, supervisor, template) -> None:
    """A draft round (the editing URLs) and a submitted one (what department heads may see)."""
    from inspections import services
    from tests.inspections.factories import answer_all, start_round

    objs.round = start_round(actor=supervisor, department=objs.department, template=template)
    objs.item = template.items.order_by("sort_order").first()
    answer = services.answer_save(rnd=objs.round, item=objs.item, actor=supervisor, result="fail")
    objs.photo = _photo(answer, supervisor)
    submitted = start_round(actor=supervisor, department=objs.department, template=template)
    answers = answer_all(submitted, supervisor, ["fail", "pass", "pass"])
    objs.extra["submitted_photo"] = _photo(answers[0], supervisor)
    objs.extra["submitted_round"] = services.round_submit(rnd=submitted, actor=supervisor)


def _charts(world: dict, supervisor, heads: dict) -> None:
    from inspections import services
    from inspections.models import ChartCriterion, CriterionLevel, InspectionSettings

    month = dt.date(2026, 1, 1)
    for code in ("NK", "WK"):
        DischargeStayFactory(
            department=world[code].department, admission_no=f"AU{code}", discharged_on=dt.date(2026, 1, 5)
        )
    config = InspectionSettings.get()
    config.sample_per_department = 1
    config.save()
    sample, _ = services.chart_sample_draw(month=month)
    criterion = ChartCriterion.objects.create(
        section="s", text="c", points=1, max_points=5, level=CriterionLevel.NORMAL
    )
    for audit in sample.audits.select_related("stay"):
        code = "NK" if audit.stay.department_id == world["NK"].department.pk else "WK"
        done = services.audit_complete(audit=audit, actor=supervisor, defects={criterion.pk: (1, "")})
        objs = world[code]
        objs.audit = done
        objs.deduction = done.deductions.get()
        objs.appeal = services.appeal_raise(deduction=objs.deduction, actor=heads[code], reason="有误")


def _followups(objs: Objects, caller) -> None:
    from followups.models import CallAttempt, Outcome, QueueDraw
    from tests.followups.factories import add_attempt, make_task

    objs.stay = DischargeStayFactory(department=objs.department)
    objs.task = make_task(stay=objs.stay, assigned_to=caller)
    objs.queue_draw = QueueDraw.objects.create(
        department=objs.department,
        discharged_on=objs.stay.discharged_on,
        built_on=timezone.localdate(),
        rule="test",
        seed=1,
    )
    add_attempt(objs.task, outcome=Outcome.REACHED, caller=caller)
    assert CallAttempt.objects.filter(task=objs.task).exists()


def _complaints(objs: Objects, supervisor) -> None:
    """A complaint assigned to the department (its head may see it) and a new one (not yet assigned)."""
    from tests.complaints.factories import assigned, make_complaint

    objs.complaint = assigned(supervisor=supervisor, departments=[objs.department])
    objs.extra["new_complaint"] = make_complaint(received_by=supervisor, department=objs.department)
    _complaint_papers(objs, supervisor)


def _complaint_papers(objs: Objects, supervisor) -> None:
    """A shared file, a letter, a reply template and a verdict link on the department's complaint."""
    from complaints import services
    from complaints.models import VerdictLink
    from supervision.infra.uploads import CleanUpload

    complaint = objs.complaint
    upload = CleanUpload(name="信件.jpg", content_type="image/jpeg", data=_jpeg())
    attachment = services.complaint_attachment_add(
        complaint=complaint, actor=supervisor, upload=upload, kind="letter"
    )
    services.complaint_attachment_share(attachment=attachment, actor=supervisor, shared=True)
    objs.extra["complaint_attachment"] = attachment
    objs.extra["complaint_letter"] = services.complaint_letter_create(
        complaint=complaint, actor=supervisor, body="您好"
    )
    objs.extra["reply_template"] = services.reply_template_save(
        actor=supervisor, name=f"模板 {objs.department.code}", kind="general", body="{name}您好"
    )
    token = f"matrix-token-{objs.department.code}"
    VerdictLink.objects.create(
        complaint=complaint,
        token_hash=services.verdict_token_hash(token),
        created_by=supervisor,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    objs.extra["verdict_token"] = token


def _surveys(world: dict, supervisor) -> None:
    from supervision.models import Staff
    from surveys import services
    from surveys.models import Channel, Dimension, Praise, QuestionKind
    from tests.surveys.factories import make_questionnaire

    questionnaire = make_questionnaire(
        supervisor,
        code="matrix",
        sections=[
            ("态度", Dimension.ATTITUDE, [("a1", QuestionKind.SCALE, True)]),
            ("其他", Dimension.OVERALL, [("praise", QuestionKind.PRAISE, False)]),
        ],
    )
    departments = [world["NK"].department, world["WK"].department]
    campaign = services.campaign_save(
        name="矩阵批次",
        questionnaire=questionnaire,
        start=dt.date(2024, 1, 1),
        end=dt.date(2030, 12, 31),
        departments=departments,
        target_count=10,
        channels=Channel.values,
        actor=supervisor,
    )
    token = services.tokens_issue(campaign=campaign, department=departments[0], count=1, actor=supervisor)[0]
    by_text = {q.text: q for q in questionnaire.questions.all()}
    for code in ("NK", "WK"):
        objs = world[code]
        objs.response = services.response_submit(
            questionnaire=questionnaire,
            channel=Channel.PAPER,
            department=objs.department,
            answers={by_text["a1"].field_name: 5},
            campaign=campaign,
        )
        objs.praise = Praise.objects.create(
            response=objs.response,
            question=by_text["praise"],
            department=objs.department,
            submitted_on=timezone.localdate(),
            typed_name="张护士",
        )
    Staff.objects.get_or_create(
        employee_no="MX001", defaults={"name": "张护士", "department": departments[0]}
    )
    world["shared"].update(
        questionnaire=questionnaire, question=by_text["a1"], campaign=campaign, token=token
    )


def _reports(world: dict, supervisor) -> None:
    from reports import services

    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    world["shared"]["report"] = services.report_request(
        kind="monthly", start=start, end=end, fmt="pdf", enqueue=False
    )
    for code in ("NK", "WK"):
        world[code].report = services.report_request(
            kind="monthly",
            start=start,
            end=end,
            fmt="pdf",
            departments=[world[code].department],
            enqueue=False,
        )
        world[code].summary = services.summary_create(
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 3, 31),
            departments=[world[code].department],
            actor=supervisor,
        )


def _servicedesk(world: dict, supervisor, desk) -> None:
    from servicedesk import services
    from servicedesk.models import EntryKind, ServiceCentre
    from supervision.models import Role
    from tests.factories import UserFactory

    # The desk persona works at the 门诊客服中心 and logged the 内科 entry; the 外科 entry was logged
    # at another centre by someone else (a head of 内科 asking for it gets 404 for its department).
    centre = ServiceCentre.objects.create(name="门诊客服中心")
    centre.members.add(desk)
    ward = ServiceCentre.objects.create(name="住院部服务台")
    ward_desk = UserFactory(username="matrix-desk-ward", roles=[Role.DESK])
    ward.members.add(ward_desk)
    for code, where, who in (("NK", centre, desk), ("WK", ward, ward_desk)):
        entry, _new = services.entry_record(
            centre=where,
            actor=who,
            kind=EntryKind.COORDINATION,
            department=world[code].department,
            note="患者候诊时间长与护士争执，已协调",
        )
        world[code].extra["desk_entry"] = entry
        world[code].extra["desk_person"] = ward_desk  # someone else's work, for the desk persona
    from servicedesk.models import KnowledgeKind, SuggestionBox

    world["shared"]["knowledge"] = services.knowledge_save(
        actor=supervisor, kind=KnowledgeKind.DEPARTMENT, title="消化内科", location="门诊楼三楼"
    )
    box = SuggestionBox.objects.create(name="门诊大厅意见箱", location="门诊大厅")
    world["shared"]["box"] = box
    world["shared"]["opening"] = services.opening_record(
        box=box,
        actor=supervisor,
        opened_on=timezone.localdate(),
        slips=[{"kind": "praise", "content": "护士很耐心", "department": world["NK"].department}],
    )


def build_world(
    *, neike, waike, supervisor, caller, head_neike, head_waike, administrator, volunteer, desk
) -> dict:
    from followups import services as followup_plan_services
    from followups.models import FollowupPolicy, ImportJob, SpotCheckDraw
    from tests.inspections.factories import make_template

    world: dict = {"NK": Objects(department=neike), "WK": Objects(department=waike), "shared": {}}
    template = make_template(code="t-matrix")
    heads = {"NK": head_neike, "WK": head_waike}
    for code in ("NK", "WK"):
        _core(world[code], supervisor)
        _inspections(world[code], supervisor, template)
        _followups(world[code], caller)
        _complaints(world[code], supervisor)
    _charts(world, supervisor, heads)
    _surveys(world, supervisor)
    _servicedesk(world, supervisor, desk)
    _reports(world, supervisor)
    shared = world["shared"]
    shared["notification"] = Notification.objects.create(
        recipient=supervisor,
        kind=Notification._meta.get_field("kind").choices[0][0],
        title="t",
        dedupe_key="m1",
    )
    shared["policy"] = FollowupPolicy.objects.create(department=neike)
    from followups.models import TaskMode
    from tests.followups.factories import make_task

    shared["plan"] = followup_plan_services.plan_save(
        actor=supervisor, department=neike, name="m", points=[followup_plan_services.PointInput(day=3)]
    )
    web_task = make_task(stay=DischargeStayFactory(department=neike), mode=TaskMode.WEB)
    shared["web_token"] = followup_plan_services.web_link_issue(task=web_task, actor=None)
    shared["import_job"] = ImportJob.objects.create(
        kind="discharges", file=ContentFile(b"x", name="a.xlsx"), file_name="a.xlsx", actor=administrator
    )
    from followups import services as followup_services

    # A reached call in the period (the factories' attempt is today) → a spot-check of one call.
    today = timezone.localdate()
    draw = followup_services.spotcheck_draw(actor=supervisor, start=today, end=today, size=1, seed=1)
    shared["spotcheck_draw"] = draw
    shared["spotcheck"] = draw.checks.first()
    assert shared["spotcheck"] is not None and SpotCheckDraw.objects.exists()
    return world
