from django.db import migrations
from django.utils import timezone

# Checklists seeded from the checks seen in practice (docs/domain.md, "The channels").
# Items: (category code, text, guidance, kind). Kinds: check / wait_time / hand_hygiene.
COMMON_SERVICE = [
    ("attitude", "服务态度和蔼，无“生、冷、硬、顶、推”现象", "观察接诊、答询过程", "check"),
    ("norms", "工作人员着装整洁、规范佩戴工牌", "", "check"),
    ("norms", "使用文明用语，首问负责", "", "check"),
    ("discipline", "在岗在位，无迟到早退、脱岗", "对照排班表核对", "check"),
    ("discipline", "工作时间不做与工作无关的事（玩手机、闲聊等）", "", "check"),
]
HYGIENE = [
    ("hygiene", "环境整洁，卫生间无异味", "", "check"),
    ("hygiene", "无吸烟现象（无烟医院）", "", "check"),
]
WINDOW = COMMON_SERVICE + [
    ("waiting", "窗口排队等候时间", "随机抽取一名排队患者，记录从排队到办结的分钟数", "wait_time"),
    ("process", "窗口公示信息（服务时间、收费标准、投诉电话）齐全", "", "check"),
    ("process", "窗口开放数量与排队人数相适应，高峰时段有弹性窗口", "", "check"),
]

TEMPLATES = [
    (
        "outpatient",
        "门诊督察表",
        "outpatient",
        COMMON_SERVICE
        + [
            ("privacy", "一医一患，诊室关门就诊", "", "check"),
            ("privacy", "检查时有遮挡（隔帘、屏风）", "", "check"),
            ("privacy", "异性检查有第三人在场", "", "check"),
            ("process", "导诊标识清晰，指引到位", "", "check"),
            ("process", "为行动不便患者提供轮椅、平车", "", "check"),
            ("quality_safety", "手卫生依从性（暗访观察）", "记录观察到的手卫生时机数和实际洗手/手消毒次数", "hand_hygiene"),
        ]
        + HYGIENE,
    ),
    (
        "ward",
        "病房督察表",
        "ward",
        COMMON_SERVICE
        + [
            ("privacy", "床边操作、查体有隔帘遮挡", "", "check"),
            ("quality_safety", "执行患者身份双核对", "", "check"),
            ("quality_safety", "危重患者外出检查有医护人员陪检", "", "check"),
            ("quality_safety", "手卫生依从性（暗访观察）", "记录观察到的手卫生时机数和实际洗手/手消毒次数", "hand_hygiene"),
            ("communication", "入院宣教、病情告知到位", "随机询问一至两名患者或家属", "check"),
            ("logistics", "开水供应正常，呼叫铃响应及时", "", "check"),
        ]
        + HYGIENE,
    ),
    (
        "emergency",
        "急诊督察表",
        "emergency",
        COMMON_SERVICE
        + [
            ("process", "急诊绿色通道畅通，先救治后缴费", "", "check"),
            ("quality_safety", "危重患者检查、转运有医护人员陪检", "", "check"),
            ("quality_safety", "手卫生依从性（暗访观察）", "记录观察到的手卫生时机数和实际洗手/手消毒次数", "hand_hygiene"),
            ("process", "分诊及时，候诊患者有人巡视", "", "check"),
        ]
        + HYGIENE,
    ),
    ("registration", "挂号处督察表", "registration", WINDOW),
    (
        "billing",
        "收费处督察表",
        "billing",
        WINDOW + [("billing", "收费项目清楚，主动提供费用清单", "", "check")],
    ),
    (
        "pharmacy",
        "药房督察表",
        "pharmacy",
        WINDOW + [("process", "发药核对，用药交代清楚", "", "check")],
    ),
    (
        "support",
        "后勤保障单位督察表",
        "support",
        COMMON_SERVICE
        + [
            ("logistics", "设施设备完好，报修处理及时", "", "check"),
            ("logistics", "食堂食品卫生、供餐准时", "", "check"),
            ("hygiene", "保洁到位，公共区域无垃圾堆放", "", "check"),
        ]
        + HYGIENE,
    ),
]

# 住院病历质量评分 items: (section, text, points per defect, max points, level).
CRITERIA = [
    ("病案首页", "首页项目填写完整、准确", "1", "5", "normal"),
    ("病案首页", "主要诊断、主要手术选择正确", "3", "6", "serious"),
    ("入院记录", "入院记录 24 小时内完成", "5", "5", "serious"),
    ("入院记录", "主诉、现病史、既往史、体格检查内容完整", "2", "6", "normal"),
    ("病程记录", "首次病程记录 8 小时内完成", "5", "5", "serious"),
    ("病程记录", "上级医师查房记录及时、符合要求", "2", "6", "normal"),
    ("病程记录", "病程记录及时反映病情变化及处理", "2", "6", "normal"),
    ("手术记录", "手术记录 24 小时内完成，内容完整", "3", "6", "serious"),
    ("手术记录", "术前小结、术前讨论齐全", "2", "4", "normal"),
    ("知情同意书", "手术、麻醉、输血、特殊检查治疗知情同意书缺失", "10", "10", "veto"),
    ("知情同意书", "知情同意书签字、日期不全", "2", "6", "normal"),
    ("医嘱", "医嘱书写规范、时间准确，与病程记录相符", "1", "5", "normal"),
    ("出院记录", "出院记录完整（诊疗经过、出院诊断、出院医嘱）", "2", "6", "normal"),
    ("其他", "病历涂改、伪造或缺失重要记录", "20", "20", "veto"),
    ("其他", "书写潦草、错别字、签名不全", "0.5", "3", "normal"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("supervision", "Category")
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    Criterion = apps.get_model("inspections", "ChartCriterion")
    categories = {c.code: c for c in Category.objects.all()}
    fallback = categories.get("other")
    now = timezone.now()
    for code, name, area, items in TEMPLATES:
        if Template.objects.filter(code=code).exists():
            continue
        template = Template.objects.create(
            code=code, version=1, name=name, area=area, status="published", created_at=now, published_at=now
        )
        Item.objects.bulk_create(
            Item(
                template=template,
                category=categories.get(category, fallback),
                text=text,
                guidance=guidance,
                kind=kind,
                sort_order=(i + 1) * 10,
            )
            for i, (category, text, guidance, kind) in enumerate(items)
        )
    if not Criterion.objects.exists():
        Criterion.objects.bulk_create(
            Criterion(section=s, text=t, points=p, max_points=m, level=lv, sort_order=(i + 1) * 10)
            for i, (s, t, p, m, lv) in enumerate(CRITERIA)
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("supervision", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
