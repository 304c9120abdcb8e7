"""Seed the ready-made inpatient and outpatient questionnaires (version 1, published)."""

from django.db import migrations
from django.utils import timezone

S, YN, ONE, MANY, TEXT, PRAISE = "scale", "yes_no", "single", "multiple", "text", "praise"

INPATIENT = (
    "inpatient",
    "住院患者满意度调查表",
    "感谢您在住院期间对我们工作的支持。本问卷匿名填写，无需填写个人信息，请根据您的真实感受作答。",
    [
        ("就医环境", "environment", [
            (S, "病房环境整洁、安静、舒适", True),
            (S, "卫生间清洁、无异味", False),
        ]),
        ("医疗技术", "skill", [
            (S, "医生的诊疗水平", True),
            (S, "护士的操作技术（如输液、抽血）", True),
        ]),
        ("服务态度", "attitude", [
            (S, "医生的服务态度", True),
            (S, "护士的服务态度", True),
            (YN, "医生是否向您解释病情和治疗方案", False),
            (YN, "检查、治疗时是否注意保护您的隐私", False),
        ]),
        ("后勤保障", "logistics", [
            (S, "饮食（食堂）服务", False),
            (S, "热水、空调、设施维修等后勤保障", False),
        ]),
        ("费用", "cost", [
            (S, "收费是否清楚、合理", True),
            (YN, "是否收到每日费用清单", False),
        ]),
        ("等候时间", "waiting", [
            (S, "办理入院、检查预约的等候时间", False),
        ]),
        ("总体评价", "overall", [
            (S, "您对本次住院的总体满意度", True),
            (ONE, "您是否愿意向亲友推荐本院", False, ["愿意", "不确定", "不愿意"]),
            (MANY, "您最满意的方面（可多选）", False, ["医疗技术", "服务态度", "就医环境", "后勤保障", "费用透明"]),
            (PRAISE, "您想表扬的医生、护士", False),
            (TEXT, "您的意见和建议", False),
        ]),
    ],
)

OUTPATIENT = (
    "outpatient",
    "门诊患者满意度调查表",
    "感谢您来院就诊。本问卷匿名填写，无需填写个人信息，约需两分钟。",
    [
        ("就医环境", "environment", [
            (S, "候诊区环境整洁、秩序良好", True),
            (S, "导诊标识清楚、容易找到科室", False),
        ]),
        ("医疗技术", "skill", [
            (S, "医生的诊疗水平", True),
        ]),
        ("服务态度", "attitude", [
            (S, "医生的服务态度", True),
            (S, "挂号、收费窗口的服务态度", False),
            (S, "药房的服务态度", False),
            (YN, "诊室是否做到一医一患", False),
        ]),
        ("费用", "cost", [
            (S, "收费是否清楚、合理", False),
        ]),
        ("等候时间", "waiting", [
            (S, "挂号、缴费排队时间", True),
            (S, "候诊时间", True),
            (S, "取药等候时间", False),
        ]),
        ("总体评价", "overall", [
            (S, "您对本次就诊的总体满意度", True),
            (PRAISE, "您想表扬的医生、护士或窗口人员", False),
            (TEXT, "您的意见和建议", False),
        ]),
    ],
)


def seed(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    for code, title, description, sections in (INPATIENT, OUTPATIENT):
        if Questionnaire.objects.filter(code=code).exists():
            continue
        q = Questionnaire.objects.create(
            code=code, version=1, title=title, description=description,
            status="published", published_at=timezone.now(),
        )
        for s_order, (s_title, dimension, questions) in enumerate(sections, 1):
            section = Section.objects.create(questionnaire=q, title=s_title, dimension=dimension, order=s_order * 10)
            for order, item in enumerate(questions, 1):
                kind, text, required = item[:3]
                choices = item[3] if len(item) > 3 else []
                Question.objects.create(
                    questionnaire=q, section=section, kind=kind, text=text, required=required,
                    order=order * 10, choices=choices, max_length=500,
                )


def unseed(apps, schema_editor):
    apps.get_model("surveys", "Questionnaire").objects.filter(
        code__in=["inpatient", "outpatient"], version=1, responses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
